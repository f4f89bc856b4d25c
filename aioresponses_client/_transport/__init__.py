"""The transport seam: the client talks to a :class:`Transport` and never knows which one.

Concrete transports import their HTTP library lazily, so ``import aioresponses_client`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import (
    HTTPRequest,
    HTTPResponse,
    PoolStats,
    StreamingResponse,
    Transport,
    close_reply,
)

if TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport
    from ._httpx import HttpxTransport

__all__ = [
    "AiohttpTransport",
    "HTTPRequest",
    "HTTPResponse",
    "HttpxTransport",
    "PoolStats",
    "StreamingResponse",
    "Transport",
    "close_reply",
]


def __getattr__(name: str) -> Any:
    if name == "AiohttpTransport":
        from ._aiohttp import AiohttpTransport

        return AiohttpTransport
    if name == "HttpxTransport":
        from ._httpx import HttpxTransport

        return HttpxTransport
    raise AttributeError(name)
