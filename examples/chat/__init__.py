"""A streaming chat page over the Responses API: ``python -m examples.chat``."""

from .app import CHAT, Chat, create_app, demo_responder, main, serve

__all__ = ["CHAT", "Chat", "create_app", "demo_responder", "main", "serve"]
