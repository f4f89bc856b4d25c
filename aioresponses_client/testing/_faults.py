"""Injected faults: what they are, which request takes them, and how they are sent."""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping
from contextvars import ContextVar

import attrs
from aiohttp import web

from ._wire import JSON_TYPE, dumps, status_error_body


def _freeze_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return dict(headers)


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be >= 1, got {value}")


@attrs.frozen(kw_only=True)
class Fault:
    """A misbehaviour the server applies to the next matching request(s).

    Effects combine: ``delay`` sleeps before anything is sent; ``disconnect`` then resets the
    connection without a reply; otherwise ``status``/``body`` replace the reply (an
    OpenAI-shaped error JSON when only ``status`` is given; a 200 carrying ``body`` when only
    ``body`` is given); ``headers`` are added to whatever reply is sent, normal or not.
    ``disconnect_after_events=K`` lets a stream send K SSE events and then aborts the
    connection; such a fault only matches requests that ask for a stream.

    A request matches when ``path`` (if set) is a substring of its path and ``method`` (if set)
    equals its method. Pending faults are tried in injection order; each applies to ``times``
    matching requests.
    """

    status: int | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_headers)
    body: bytes | None = None
    content_type: str | None = None
    delay: float = 0.0
    disconnect: bool = False
    disconnect_after_events: int | None = None
    times: int = attrs.field(default=1, validator=_positive)
    path: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str, streaming: bool) -> bool:
        """Whether a request with this method and path (and stream-ness) takes this fault."""
        if self.path is not None and self.path not in path:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return streaming or self.disconnect_after_events is None

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


@attrs.define
class _Pending:
    fault: Fault
    left: int


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

    def take(self, method: str, path: str, streaming: bool) -> Fault | None:
        """The first pending fault this request matches, using up one of its ``times``."""
        for index, pending in enumerate(self._pending):
            if pending.fault.matches(method, path, streaming):
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


def reset_connection(request: web.Request) -> None:
    """Drop the connection under *request* with a TCP reset and no reply at all."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0 turns close into RST, which is what a crashed proxy looks like to a client.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
