"""What the server remembers about each request it received."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import attrs
import orjson
from aiohttp import web

# Headers whose value is a credential; tests must be able to print requests safely.
_SECRET_HEADERS = frozenset({"authorization", "api-key", "openai-api-key"})


class Headers(dict[str, str]):
    """Header names lower-cased; lookups, ``get`` and ``in`` ignore case.

    A plain ``dict`` underneath, so it compares equal to ``{"authorization": ...}``.
    """

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request as the server received it, in arrival order on ``ResponsesServer.requests``.

    ``path`` is the raw path (percent-encoding preserved, no query); ``query`` maps each name to
    all its values (``include[]`` keeps its brackets); ``headers`` has the credential redacted;
    ``json`` is the decoded body, or None when the body is empty or not JSON.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    json: Any | None
    body: bytes


def _redact(value: str) -> str:
    scheme, sep, _ = value.partition(" ")
    # Keep the scheme so a test can still check that Bearer auth was used.
    return f"{scheme} <redacted>" if sep else "<redacted>"


def decode_json(body: bytes) -> Any | None:
    """The decoded body, or None when it is empty or not valid JSON."""
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def record_request(request: web.Request, body: bytes) -> RecordedRequest:
    """Snapshot *request* (whose *body* was already read) for the test to inspect later."""
    raw_path, _, raw_query = request.raw_path.partition("?")
    headers = Headers()
    for name, value in request.headers.items():
        key = name.lower()
        if key in _SECRET_HEADERS:
            value = _redact(value)
        # Repeated headers are folded the way HTTP allows: comma-joined.
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return RecordedRequest(
        method=request.method,
        path=raw_path,
        query=parse_qs(raw_query, keep_blank_values=True),
        headers=headers,
        json=decode_json(body),
        body=body,
    )
