"""The transport protocol and the plain values that cross it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

import anyio
import attrs

# Bounds the cleanup of a reply, which runs shielded so a cancelled task still frees its socket.
CLOSE_TIMEOUT = 5.0


@attrs.frozen(kw_only=True)
class PoolStats:
    """A connection pool's state: connections lent out, kept alive, and the most allowed."""

    in_use: int
    idle: int
    limit: int


@attrs.frozen(kw_only=True)
class HTTPRequest:
    """One HTTP attempt, fully prepared: the URL is already encoded."""

    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes | None = None
    #: Seconds to establish a connection.
    connect_timeout: float = 5.0
    #: Seconds allowed between two reads of the reply (headers included).
    read_timeout: float = 600.0


@attrs.frozen(kw_only=True)
class HTTPResponse:
    """A complete reply. ``headers`` keys are lower-case."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class StreamingResponse(Protocol):
    """A reply whose body is read incrementally; it holds a connection until closed."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def iter_chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives; raises APIConnectionError/APITimeoutError on a broken read."""
        ...

    async def next_data(self) -> Sequence[str | bytes] | None:
        """The ``data`` of the next server-sent events in the body (at least one), None at its end.

        Batches, not single events: one await per network read keeps the per-event cost low.
        Only the data: in the Responses API an event's SSE type repeats its JSON ``type``, and
        ids are not used. ``bytes`` are UTF-8, handed on undecoded for the JSON parser.
        Raises APIConnectionError/APITimeoutError on a broken read.
        """
        ...

    async def read(self) -> bytes:
        """The whole remaining body (used for error replies)."""
        ...

    async def aclose(self) -> None:
        """Release the connection; idempotent and safe to call from a cancelled task."""
        ...


@runtime_checkable
class Transport(Protocol):
    """Sends requests. Raises only APIConnectionError / APITimeoutError for I/O failures."""

    name: str

    async def send(self, request: HTTPRequest) -> HTTPResponse: ...

    async def open_stream(self, request: HTTPRequest) -> StreamingResponse: ...

    async def aclose(self) -> None: ...


async def close_reply(reply: StreamingResponse) -> None:
    """Release a streaming reply's connection, even from a cancelled task."""
    with anyio.move_on_after(CLOSE_TIMEOUT, shield=True):
        await reply.aclose()
