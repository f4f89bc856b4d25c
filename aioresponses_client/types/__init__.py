"""Typed models of the Responses API (attrs classes converted by the package's cattrs converter)."""
