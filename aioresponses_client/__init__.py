"""aioresponses_client: an async-first SDK for the OpenAI Responses API.

The public surface is re-exported here. Heavy pieces (the HTTP libraries, the stream event
classes, the embedded server) load on first use, so importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._client import AsyncResponsesClient
from ._pagination import AsyncPaginator, Page
from ._retry import RetryPolicy
from ._sentinel import NOT_GIVEN, NotGiven
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    ConversionError,
    InternalServerError,
    InvalidWebhookSignatureError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ResponseStreamError,
    StreamDecodeError,
    StreamInterruptedError,
    UnprocessableEntityError,
)

if TYPE_CHECKING:
    from ._structured import ParsedResponse, ParsedResponseStream, StructuredOutputError
    from ._transport._aiohttp import AiohttpTransport
    from ._transport._httpx import HttpxTransport
    from .background import BackgroundHandle, Poller, PollingError, WaitTimeoutError
    from .schema import json_schema
    from .streaming import AsyncResponseStream, TextStream
    from .tools import (
        CallableTool,
        MaxTurnsExceededError,
        ToolResult,
        ToolRunResult,
        ToolRunStream,
        function_tool,
    )

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AiohttpTransport",
    "AsyncPaginator",
    "AsyncResponseStream",
    "AsyncResponsesClient",
    "AuthenticationError",
    "BackgroundHandle",
    "BadRequestError",
    "CallableTool",
    "ClientClosedError",
    "ConflictError",
    "ConversionError",
    "HttpxTransport",
    "InternalServerError",
    "InvalidWebhookSignatureError",
    "MaxTurnsExceededError",
    "MissingAPIKeyError",
    "NotFoundError",
    "NotGiven",
    "Page",
    "ParsedResponse",
    "ParsedResponseStream",
    "PermissionDeniedError",
    "Poller",
    "PollingError",
    "RateLimitError",
    "ResponseFailedError",
    "ResponseStreamError",
    "RetryPolicy",
    "StreamDecodeError",
    "StreamInterruptedError",
    "StructuredOutputError",
    "TextStream",
    "ToolResult",
    "ToolRunResult",
    "ToolRunStream",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "__version__",
    "function_tool",
    "json_schema",
]

_LAZY = {
    "AiohttpTransport": "._transport._aiohttp",
    "HttpxTransport": "._transport._httpx",
    "AsyncResponseStream": ".streaming",
    "BackgroundHandle": ".background",
    "Poller": ".background",
    "PollingError": ".background",
    "WaitTimeoutError": ".background",
    "TextStream": ".streaming",
    "ParsedResponse": "._structured",
    "ParsedResponseStream": "._structured",
    "StructuredOutputError": "._structured",
    "json_schema": ".schema",
    "CallableTool": ".tools",
    "MaxTurnsExceededError": ".tools",
    "ToolResult": ".tools",
    "ToolRunResult": ".tools",
    "ToolRunStream": ".tools",
    "function_tool": ".tools",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aioresponses_client' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
