"""Writing server-sent events to a client: framing, pacing, chunking and cut connections."""

from __future__ import annotations

import asyncio
import random
import secrets
import socket
import struct
from collections.abc import AsyncGenerator

import attrs
from aiohttp import web

from ._chunks import Chunker, Chunking
from ._items import Item
from ._render import RAW_BYTES
from ._wire import dumps

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# Obfuscation is noise: slices of one random string are as good as fresh draws, and far cheaper
# on a stream of a hundred thousand deltas.
_NOISE = "".join(secrets.choice(_ALPHABET) for _ in range(4096))
_COALESCE = 16 * 1024
_DELTA_SUFFIX = ".delta"


def _obfuscation(delta: object) -> str:
    # Pads delta sizes to a multiple of 16 on the wire, like the API's.
    length = 16 - len(str(delta)) % 16
    start = random.randrange(len(_NOISE) - 16)
    return _NOISE[start : start + length]


def encode_event(event: Item, *, obfuscate: bool = True) -> bytes:
    """One SSE frame: ``event:`` line, one compact ``data:`` line, blank line.

    A raw bytes event (a ``RawEvent`` of bytes) is its own frame, sent as is.
    """
    raw = event.get(RAW_BYTES)
    if isinstance(raw, bytes):
        return raw
    if obfuscate and "delta" in event:
        event = {**event, "obfuscation": _obfuscation(event["delta"])}
    name = str(event["type"]).encode()
    return b"event: " + name + b"\ndata: " + dumps(event) + b"\n\n"


def is_delta(event: Item) -> bool:
    """Whether *event* streams a piece of text, arguments or a summary."""
    return str(event.get("type", "")).endswith(_DELTA_SUFFIX)


@attrs.frozen(kw_only=True)
class Cut:
    """Where an injected fault ends a reply early (None: not on that count).

    After *events* SSE events the connection is closed; after *body_bytes* body bytes it is
    reset (``reset``) or closed cleanly.
    """

    events: int | None = None
    body_bytes: int | None = None
    reset: bool = False


class StreamTracker:
    """Counts streams being written, so tests can tell when a client went away.

    It also owns the server's "stopping" signal, so waits inside requests (latency, delays,
    pauses between events) end as soon as the server stops instead of holding up shutdown.
    """

    def __init__(self) -> None:
        self.open = 0
        self.client_disconnects = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = asyncio.Event()

    @property
    def stopping(self) -> bool:
        """Whether the server is shutting down."""
        return self._closing.is_set()

    def shut_down(self) -> None:
        """Tell streams pausing between events to end now: the server is stopping."""
        self._closing.set()

    def reopen(self) -> None:
        """Let streams run again after a restart."""
        self._closing.clear()

    async def pause(self, seconds: float) -> bool:
        """Wait *seconds*; True (possibly early) if the server is stopping."""
        if self._closing.is_set():
            return True
        if seconds <= 0:
            return False
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    def opened(self) -> None:
        """A stream started writing."""
        self.open += 1
        self._idle.clear()

    def closed(self, *, client_gone: bool) -> None:
        """A stream ended; *client_gone* when the client closed it before the last event."""
        self.open -= 1
        self.client_disconnects += client_gone
        if self.open == 0:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no stream is being written."""
        await self._idle.wait()


def reset_connection(request: web.Request) -> None:
    """Drop the connection under *request* with a TCP reset, discarding unsent bytes."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0 turns close into RST, which is what a crashed proxy looks like to a client.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _CutShort(Exception):
    """The reply was cut on purpose; the connection is already closed."""


async def cut_connection(request: web.Request, *, reset: bool) -> None:
    """End the connection under *request* after what was written: RST or a clean close."""
    transport = request.transport
    if transport is None:
        return
    if reset:
        # Let the written bytes leave before the reset, which would discard them.
        for _ in range(100):
            if transport.get_write_buffer_size() == 0:
                break
            await asyncio.sleep(0.001)
        reset_connection(request)
    else:
        # close(), not abort(): the bytes already written must reach the client.
        transport.close()


class _Writer:
    """Body bytes out, coalesced when nothing waits between them, cut where a fault says."""

    def __init__(
        self, request: web.Request, reply: web.StreamResponse, chunker: Chunker | None, cut: Cut
    ) -> None:
        self._request = request
        self._reply = reply
        self._chunker = chunker
        self._cut = cut
        self._pending = bytearray()
        self.sent = 0

    async def _write(self, data: bytes) -> None:
        limit = self._cut.body_bytes
        if limit is not None and self.sent + len(data) >= limit:
            await self._reply.write(data[: limit - self.sent])
            await cut_connection(self._request, reset=self._cut.reset)
            raise _CutShort
        self.sent += len(data)
        await self._reply.write(data)

    async def push(self, frame: bytes) -> None:
        if self._chunker is None:
            self._pending += frame
            if len(self._pending) >= _COALESCE:
                await self.flush()
            return
        for piece in self._chunker.feed(self._chunker.frame(frame)):
            await self._write(piece)

    async def flush(self) -> None:
        if self._chunker is not None:
            rest = self._chunker.flush()
        else:
            rest, self._pending = bytes(self._pending), bytearray()
        if rest:
            await self._write(rest)


async def send_events(
    request: web.Request,
    batches: AsyncGenerator[list[Item], None],
    *,
    tracker: StreamTracker,
    obfuscate: bool = True,
    event_delay: float = 0.0,
    pace: float = 0.0,
    chunking: Chunking | None = None,
    cut: Cut | None = None,
) -> web.StreamResponse:
    """Write the events *batches* yields as an SSE reply.

    Events of a batch are ready at once; the next batch may take time to come (a live tail).
    *event_delay* pauses before every event but the first, *pace* before every delta but the
    first. A client that disconnects early just ends the stream: no exception escapes, so
    aiohttp logs nothing. When the server stops, the connection is closed mid-stream.
    """
    reply = web.StreamResponse(
        headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
    )
    cut = cut or Cut()
    tracker.opened()
    client_gone = False
    written = 0
    deltas = 0
    try:
        await reply.prepare(request)
        writer = _Writer(request, reply, chunking.chunker() if chunking else None, cut)
        if cut.events == 0:
            await cut_connection(request, reset=False)
            return reply
        async for batch in batches:
            for event in batch:
                wait = event_delay if written else 0.0
                if is_delta(event):
                    wait += pace if deltas else 0.0
                    deltas += 1
                if wait > 0:
                    await writer.flush()
                    if await tracker.pause(wait):
                        break
                await writer.push(encode_event(event, obfuscate=obfuscate))
                written += 1
                if written == cut.events:
                    # Cut right away: a live stream's next event may be a long way off.
                    await writer.flush()
                    await cut_connection(request, reset=False)
                    return reply
            await writer.flush()
            if tracker.stopping:
                break
        if tracker.stopping:
            await cut_connection(request, reset=False)
            return reply
        await reply.write_eof()
    except _CutShort:
        pass
    except ConnectionError:
        client_gone = True
    finally:
        tracker.closed(client_gone=client_gone)
        await batches.aclose()
    return reply
