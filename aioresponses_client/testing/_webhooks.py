"""Signed webhooks sent when background responses finish (the Standard Webhooks scheme).

The signature is HMAC-SHA256 over ``"{webhook-id}.{webhook-timestamp}.{body}"`` with the
secret (base64 after a ``whsec_`` prefix), sent as ``webhook-signature: v1,<base64>``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

import aiohttp
import attrs

from ._items import Item
from ._wire import dumps, new_id

_EVENT_TYPES = {
    "completed": "response.completed",
    "failed": "response.failed",
    "incomplete": "response.incomplete",
    "cancelled": "response.cancelled",
}
# Deliveries still running when the server stops get this long to finish.
_STOP_GRACE = 1.0


def new_secret() -> str:
    """A fresh ``whsec_`` secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, webhook_id: str, timestamp: int, payload: bytes) -> str:
    """The ``webhook-signature`` value for *payload*."""
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    signed = f"{webhook_id}.{timestamp}.".encode() + payload
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """One webhook the server sent: the event, and the receiver's HTTP status (None: no reply)."""

    event: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    status: int | None


class WebhookSender:
    """Posts an event to *url* each time a background response finishes; owns those tasks."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret
        self.deliveries: list[WebhookDelivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def finished(self, response: Item) -> None:
        """Send the event for *response*, which just reached a terminal status."""
        event_type = _EVENT_TYPES.get(response.get("status", ""))
        if event_type is None:
            return
        event = {
            "id": new_id("evt"),
            "object": "event",
            "created_at": int(time.time()),
            "type": event_type,
            "data": {"id": response["id"]},
        }
        task = asyncio.get_running_loop().create_task(self._deliver(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event: dict[str, Any]) -> None:
        payload = dumps(event)
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": event["id"],
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self.secret, event["id"], timestamp, payload),
        }
        if self._session is None:
            self._session = aiohttp.ClientSession()
        status: int | None = None
        try:
            async with self._session.post(self.url, data=payload, headers=headers) as reply:
                status = reply.status
        except (aiohttp.ClientError, OSError):
            pass  # the receiver is down: recorded with no status
        self.deliveries.append(
            WebhookDelivery(event=event, headers=headers, body=payload, status=status)
        )

    async def wait_idle(self) -> None:
        """Return once every delivery started so far is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Give running deliveries a moment, cancel what is left, close the HTTP session."""
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=_STOP_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
