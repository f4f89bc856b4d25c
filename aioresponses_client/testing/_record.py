"""What the server remembers about each request it received."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import attrs
import orjson
from aiohttp import web

# Headers whose value is a credential; tests must be able to print requests safely.
_SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "openai-api-key"})
_REDACTED = "<redacted>"


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
    ``json`` is the decoded body, or None when the body is empty or not JSON. The server's key
    never appears in any field (nor, so, in ``repr`` or ``str``).
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
    return f"{scheme} {_REDACTED}" if sep else _REDACTED


def decode_json(body: bytes) -> Any | None:
    """The decoded body, or None when it is empty or not valid JSON."""
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def record_request(request: web.Request, body: bytes, *, secret: str | None) -> RecordedRequest:
    """Snapshot *request* (whose *body* was already read) for the test to inspect later.

    Credential headers are redacted, and so is *secret* (the server's key) wherever else it
    appears, so a recorded request can be printed or logged safely.
    """

    def scrub(text: str) -> str:
        return text.replace(secret, _REDACTED) if secret else text

    raw_path, _, raw_query = request.raw_path.partition("?")
    headers = Headers()
    for name, value in request.headers.items():
        key = name.lower()
        value = _redact(value) if key in _SECRET_HEADERS else scrub(value)
        # Repeated headers are folded the way HTTP allows: comma-joined.
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if secret:
        body = body.replace(secret.encode(), _REDACTED.encode())
    return RecordedRequest(
        method=request.method,
        path=scrub(raw_path),
        query=parse_qs(scrub(raw_query), keep_blank_values=True),
        headers=headers,
        json=decode_json(body),
        body=body,
    )
