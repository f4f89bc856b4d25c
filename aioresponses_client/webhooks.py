"""Verify and decode the webhooks the API sends when a background response finishes.

OpenAI signs webhooks with the Standard Webhooks scheme. Each delivery carries three headers:
``webhook-id`` (unique per message), ``webhook-timestamp`` (integer Unix seconds) and
``webhook-signature``, a space-separated list of ``v1,<base64>`` entries. An entry is the
base64 HMAC-SHA256 of ``"{webhook-id}.{webhook-timestamp}.{body}"`` keyed with the endpoint's
secret; a ``whsec_`` secret is the base64 of the key bytes, any other secret is used as its
UTF-8 bytes. Several entries let a sender sign with an old and a new secret while rotating,
so a delivery is authentic when any ``v1`` entry matches. The timestamp is checked against a
tolerance window so a captured delivery cannot be replayed later.

Verify the exact bytes received, before any JSON parsing or re-encoding::

    event = webhooks.unwrap(await request.body(), request.headers, secret)
    if isinstance(event, webhooks.ResponseCompletedWebhookEvent):
        response = await client.responses.retrieve(event.data.id)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Literal, get_args

from ._convert import loads, register_tagged_union, structure
from ._model import UnknownModel, model
from .errors import ConversionError, InvalidWebhookSignatureError

__all__ = [
    "WEBHOOK_EVENT_TYPES",
    "ResponseCancelledWebhookEvent",
    "ResponseCompletedWebhookEvent",
    "ResponseFailedWebhookEvent",
    "ResponseIncompleteWebhookEvent",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "WebhookResponseData",
    "sign",
    "unwrap",
    "verify_signature",
]

_ID = "webhook-id"
_TIMESTAMP = "webhook-timestamp"
_SIGNATURE = "webhook-signature"
_SECRET_PREFIX = "whsec_"
_VERSION = "v1"


# -- events ----------------------------------------------------------------------------------


@model
class WebhookResponseData:
    """What a response webhook refers to: fetch the response itself with ``retrieve(id)``."""

    id: str


@model
class ResponseCompletedWebhookEvent:
    """A background response finished successfully."""

    type: Literal["response.completed"] = "response.completed"
    id: str
    created_at: int
    data: WebhookResponseData
    object: str = "event"


@model
class ResponseFailedWebhookEvent:
    """A background response failed; retrieve it to read ``error``."""

    type: Literal["response.failed"] = "response.failed"
    id: str
    created_at: int
    data: WebhookResponseData
    object: str = "event"


@model
class ResponseCancelledWebhookEvent:
    """A background response was cancelled."""

    type: Literal["response.cancelled"] = "response.cancelled"
    id: str
    created_at: int
    data: WebhookResponseData
    object: str = "event"


@model
class ResponseIncompleteWebhookEvent:
    """A background response stopped early; retrieve it to read ``incomplete_details``."""

    type: Literal["response.incomplete"] = "response.incomplete"
    id: str
    created_at: int
    data: WebhookResponseData
    object: str = "event"


@model
class UnknownWebhookEvent(UnknownModel):
    """An event whose ``type`` this module does not model; ``raw`` keeps the envelope intact.

    Envelope fields read through to ``raw``: ``event.id``, ``event.data``.
    """


WebhookEvent = (
    ResponseCompletedWebhookEvent
    | ResponseFailedWebhookEvent
    | ResponseCancelledWebhookEvent
    | ResponseIncompleteWebhookEvent
    | UnknownWebhookEvent
)

#: ``type`` string -> event class.
WEBHOOK_EVENT_TYPES: dict[str, type] = register_tagged_union(
    WebhookEvent, get_args(WebhookEvent)[:-1], UnknownWebhookEvent
)


# -- signing ---------------------------------------------------------------------------------


def sign(payload: bytes | str, *, secret: str, webhook_id: str, timestamp: int) -> dict[str, str]:
    """The three Standard Webhooks headers that make ``payload`` verifiable with ``secret``.

    ``timestamp`` is Unix seconds (usually ``int(time.time())``). Send ``payload`` byte for
    byte as signed: any re-encoding breaks the signature.
    """
    ts = str(int(timestamp))
    signature = _signature(_secret_key(secret), webhook_id, ts, _as_bytes(payload))
    return {_ID: webhook_id, _TIMESTAMP: ts, _SIGNATURE: f"{_VERSION},{signature.decode()}"}


def verify_signature(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = 300,
    now: float | None = None,
) -> None:
    """Check that ``payload`` was signed with ``secret`` within ``tolerance`` seconds of now.

    ``headers`` is any mapping of the request headers; names are matched case-insensitively.
    Raises :class:`InvalidWebhookSignatureError` for a missing header, a malformed or
    out-of-window timestamp, or no matching ``v1`` signature; error messages never contain the
    secret. ``now`` (Unix seconds) replaces the clock, for tests. A malformed secret (a
    ``whsec_`` value that is not base64, or an empty key) raises plain :class:`ValueError`: it
    is a configuration bug, not a bad request.
    """
    key = _secret_key(secret)  # first, so a misconfigured secret fails on every delivery
    msg_id = _header(headers, _ID)
    ts_text = _header(headers, _TIMESTAMP)
    signatures = _header(headers, _SIGNATURE)

    # Strictly ASCII digits: int() would also take "+1", " 1", "1_0" and non-ASCII digits.
    if not (ts_text.isascii() and ts_text.isdigit()):
        raise InvalidWebhookSignatureError("invalid webhook-timestamp header: not integer seconds")
    timestamp = int(ts_text)
    current = time.time() if now is None else now
    if current - timestamp > tolerance:
        raise InvalidWebhookSignatureError(
            f"webhook timestamp too old: {current - timestamp:.0f}s ago, tolerance {tolerance}s"
        )
    if timestamp - current > tolerance:
        raise InvalidWebhookSignatureError(
            f"webhook timestamp too new: {timestamp - current:.0f}s ahead, tolerance {tolerance}s"
        )

    expected = _signature(key, msg_id, ts_text, _as_bytes(payload))
    seen_version = False
    for entry in signatures.split():
        version, comma, candidate = entry.partition(",")
        # Entries of other (future) versions are skipped; the scheme lets a sender add them.
        if not comma or version != _VERSION or not candidate.isascii():
            continue
        seen_version = True
        if hmac.compare_digest(expected, candidate.encode("ascii")):
            return
    if not seen_version:
        raise InvalidWebhookSignatureError("webhook-signature header has no v1 signature")
    raise InvalidWebhookSignatureError("webhook signature does not match the payload")


def unwrap(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = 300,
    now: float | None = None,
) -> WebhookEvent:
    """Verify ``payload`` (as :func:`verify_signature`) and decode it into a typed event.

    Response events become their classes; any other ``type`` an :class:`UnknownWebhookEvent`.
    An authentic payload that is not JSON or not an event envelope raises
    :class:`ConversionError`.
    """
    verify_signature(payload, headers, secret, tolerance=tolerance, now=now)
    data = loads(payload)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ConversionError("webhook payload is not an event object with a string 'type'")
    return structure(data, WebhookEvent)  # type: ignore[arg-type]


# -- helpers ---------------------------------------------------------------------------------


def _as_bytes(payload: bytes | str) -> bytes:
    return payload.encode() if isinstance(payload, str) else bytes(payload)


def _header(headers: Mapping[str, str], name: str) -> str:
    # Case-insensitive mappings (httpx, aiohttp, starlette) answer the fast path.
    value = headers.get(name)
    if value is None:
        for key, candidate in headers.items():
            if key.lower() == name:
                value = candidate
                break
        else:
            raise InvalidWebhookSignatureError(f"missing {name} header")
    return value


def _secret_key(secret: str) -> bytes:
    if secret.startswith(_SECRET_PREFIX):
        try:
            key = base64.b64decode(secret[len(_SECRET_PREFIX) :], validate=True)
        except binascii.Error:
            # "from None": the decoder's message must not lead anyone toward the secret.
            raise ValueError(
                "webhook secret starts with 'whsec_' but is not valid base64"
            ) from None
    else:
        key = secret.encode()
    if not key:
        # An empty HMAC key would let anyone who knows the scheme forge deliveries.
        raise ValueError("webhook secret is empty")
    return key


def _signature(key: bytes, msg_id: str, timestamp: str, payload: bytes) -> bytes:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode(), hashlib.sha256)
    mac.update(payload)
    return base64.b64encode(mac.digest())
