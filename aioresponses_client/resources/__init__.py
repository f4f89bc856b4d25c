"""Endpoint groups, reached through ``AsyncResponsesClient.responses``."""
