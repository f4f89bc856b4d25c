"""Wire-level helpers shared by the embedded server: ids, JSON replies and API errors."""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from aiohttp import web

JSON_TYPE = "application/json"

# Message, error type and code the real API uses for a bare status; used for injected faults
# that give a status but no body, and for HTTP errors aiohttp raises itself.
_STATUS_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("Not found.", "invalid_request_error", None),
    408: ("Request timed out.", "timeout", None),
    409: ("The request conflicts with another request.", "invalid_request_error", "conflict"),
    422: ("Unprocessable entity.", "invalid_request_error", None),
    429: (
        "Rate limit reached for requests. Please try again later.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: ("The server had an error while processing your request.", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}


def new_id(prefix: str) -> str:
    """Return an id shaped like the API's: ``<prefix>_<32 hex>``."""
    return f"{prefix}_{secrets.token_hex(16)}"


def dumps(data: Any) -> bytes:
    """Encode *data* as compact JSON, the way the API writes bodies and SSE data lines."""
    return orjson.dumps(data)


def json_reply(data: Any, *, status: int = 200) -> web.Response:
    """A JSON reply with the API's content type."""
    return web.Response(body=dumps(data), status=status, content_type=JSON_TYPE)


def error_body(
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """The ``{"error": {...}}`` envelope of every non-2xx reply."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def status_error_body(status: int) -> dict[str, Any]:
    """A plausible error body for a bare status code."""
    fallback_type = "server_error" if status >= 500 else "invalid_request_error"
    message, type_, code = _STATUS_ERRORS.get(status, (f"HTTP {status}.", fallback_type, None))
    return error_body(message, type_=type_, code=code)


class ApiError(Exception):
    """Raised by a route to answer with an OpenAI-shaped error; the server turns it into a reply."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(message, type_=type_, param=param, code=code)

    def reply(self) -> web.Response:
        """The JSON reply for this error."""
        return json_reply(self.body, status=self.status)


def not_found(what: str, ident: str) -> ApiError:
    """The 404 the API returns for an unknown object id."""
    return ApiError(404, f"{what} with id '{ident}' not found.")
