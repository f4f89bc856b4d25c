"""Injected faults: what they are, which request takes them, and how they are sent."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

import attrs
from aiohttp import web

from ._stream import Cut, cut_connection
from ._wire import JSON_TYPE, dumps, status_error_body


def _freeze_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return dict(headers)


def _times(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"times must be None or >= 1, got {value}")


def _cut_size(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must be None or >= 0, got {value}")


@attrs.frozen(kw_only=True)
class Fault:
    """A misbehaviour the server applies to the next matching request(s).

    Effects combine, in this order:

    - ``delay``: seconds before anything is sent (a slow first byte);
    - ``disconnect``: reset the connection with no reply at all;
    - ``status`` / ``body`` / ``content_type``: replace the reply (an OpenAI-shaped error JSON
      when only ``status`` is given, a 200 carrying ``body`` when only ``body`` is);
    - ``headers``: added to whatever reply is sent (e.g. ``retry-after-ms``);
    - ``malformed_json``: the endpoint's JSON reply, cut in half but with a matching length,
      so the HTTP exchange succeeds and the JSON does not parse (non-stream requests only);
    - ``truncate_body_at=N``: the reply's headers, then only N body bytes, then a clean close
      (a JSON reply's ``Content-Length`` still promises the whole body);
    - ``disconnect_after_bytes=K``: K body bytes, then a TCP reset;
    - ``disconnect_after_events=K``: a stream sends K SSE events, then the connection closes
      (stream requests only: create with ``stream``, retrieve with ``stream=true``).

    A request matches when ``path`` (if set) is a substring of its path and ``method`` (if set)
    equals its method. Pending faults are tried in injection order; each applies to ``times``
    matching requests, or to every one when ``times`` is None (until ``server.clear()``).
    """

    status: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_headers)
    body: bytes | None = None
    content_type: str | None = None
    delay: float = 0.0
    disconnect: bool = False
    malformed_json: bool = False
    truncate_body_at: int | None = attrs.field(default=None, validator=_cut_size)
    disconnect_after_bytes: int | None = attrs.field(default=None, validator=_cut_size)
    disconnect_after_events: int | None = attrs.field(default=None, validator=_cut_size)
    times: int | None = attrs.field(default=1, validator=_times)
    path: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str, streaming: bool) -> bool:
        """Whether a request with this method and path (and stream-ness) takes this fault."""
        if self.path is not None and self.path not in path:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.disconnect_after_events is not None and not streaming:
            return False
        return not (self.malformed_json and streaming)

    @property
    def replaces_reply(self) -> bool:
        """Whether this fault answers instead of the real endpoint."""
        return self.status is not None or self.body is not None

    def reply(self) -> web.Response:
        """The reply that replaces the endpoint's own (see ``replaces_reply``)."""
        status = 200 if self.status is None else self.status
        body = dumps(status_error_body(status)) if self.body is None else self.body
        response = web.Response(body=body, status=status)
        # Set the header verbatim: a test may want a malformed or parameterised content type.
        response.headers["Content-Type"] = self.content_type or JSON_TYPE
        return response

    def cut(self) -> Cut:
        """Where this fault ends a reply early."""
        if self.disconnect_after_bytes is not None:
            return Cut(
                events=self.disconnect_after_events,
                body_bytes=self.disconnect_after_bytes,
                reset=True,
            )
        return Cut(events=self.disconnect_after_events, body_bytes=self.truncate_body_at)

    async def spoil(self, request: web.Request, reply: web.Response) -> web.StreamResponse:
        """*reply* (not yet sent) malformed or cut short as this fault says."""
        body = reply.body if isinstance(reply.body, bytes) else b""
        headers = {k: v for k, v in reply.headers.items() if k.lower() != "content-length"}
        if self.malformed_json:
            reply = web.Response(body=body[: len(body) // 2], status=reply.status, headers=headers)
        cut = self.cut()
        if cut.body_bytes is None:
            return reply
        body = reply.body if isinstance(reply.body, bytes) else b""
        partial = web.StreamResponse(status=reply.status, headers=headers)
        partial.content_length = len(body)
        await partial.prepare(request)
        await partial.write(body[: cut.body_bytes])
        await cut_connection(request, reset=cut.reset)
        return partial


@attrs.define
class _Pending:
    fault: Fault
    left: int | None


# The fault the request being handled took, if any. aiohttp runs each request in its own task,
# so a context variable set by the middleware is seen by that request's route and nothing else.
active_fault: ContextVar[Fault | None] = ContextVar("active_fault", default=None)


class FaultQueue:
    """Pending faults in FIFO order, each with the number of requests it still applies to."""

    def __init__(self) -> None:
        self._pending: list[_Pending] = []

    def push(self, fault: Fault) -> None:
        """Queue *fault* behind the ones already pending."""
        self._pending.append(_Pending(fault, fault.times))

    def remove(self, fault: Fault) -> None:
        """Drop *fault* if it is still pending."""
        self._pending = [p for p in self._pending if p.fault is not fault]

    def take(self, method: str, path: str, streaming: bool) -> Fault | None:
        """The first pending fault this request matches, using up one of its ``times``."""
        for index, pending in enumerate(self._pending):
            if pending.fault.matches(method, path, streaming):
                if pending.left is not None:
                    pending.left -= 1
                    if pending.left == 0:
                        del self._pending[index]
                return pending.fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._pending)
