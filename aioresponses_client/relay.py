"""Relaying a response stream to a browser as Server-Sent Events.

``to_sse(stream)`` turns an :class:`AsyncResponseStream` back into ``text/event-stream`` bytes
with the upstream's event names and JSON, each frame numbered with its ``sequence_number`` in an
``id:`` line so that a browser's ``EventSource`` reconnects with ``Last-Event-ID`` and the backend
can resume with ``retrieve(id, stream=True, starting_after=N)``. ``relay_to_aiohttp`` writes such
a stream into an ``aiohttp.web.StreamResponse`` and lets go of the upstream the moment the browser
leaves. aiohttp is imported only when that helper runs, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

import anyio
import orjson

from ._convert import unstructure
from ._model import UnknownModel
from .errors import APIError, ResponseStreamError

if TYPE_CHECKING:
    from aiohttp import web

    from .streaming import AsyncResponseStream

__all__ = ["relay_to_aiohttp", "sse_frame", "to_sse"]

logger = logging.getLogger("aioresponses_client")

# How often a relay looks for a browser that went away while the upstream is silent. aiohttp
# has no awaitable "client disconnected" signal for a request without a body, so it is polled;
# a write to a closed connection is noticed at once anyway.
DISCONNECT_POLL = 0.1
# Bounds the remote cancel sent after a browser left; it runs shielded, as cleanup.
CANCEL_TIMEOUT = 5.0

_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed", "error"})


def sse_frame(event: str, data: str | bytes, event_id: int | None = None) -> bytes:
    """One SSE frame: ``event:``, an optional ``id:``, ``data:`` and the blank line that ends it.

    A payload spanning several lines becomes several ``data:`` lines, which a reader joins back.
    Line breaks in *event* (an upstream's ``type`` is untrusted) become spaces, so it can never
    add fields of its own to the frame.
    """
    raw = data.encode() if isinstance(data, str) else data
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\n" in raw:
        raw = raw.replace(b"\n", b"\ndata: ")
    name = event.encode()
    if b"\n" in name or b"\r" in name:
        name = name.replace(b"\r", b" ").replace(b"\n", b" ")
    head = b"event: " + name
    if event_id is not None:
        head += b"\nid: %d" % event_id
    return head + b"\ndata: " + raw + b"\n\n"


def to_sse(
    stream: AsyncResponseStream, *, event_types: Iterable[str] | None = None
) -> AsyncIterator[bytes]:
    """The stream's events as Server-Sent-Event frames, ready to write to a browser.

    Each frame is ``event: <type>``, ``id: <sequence_number>`` and ``data: <json>``, the JSON
    being the upstream's own (unknown fields and ``obfuscation`` padding kept). *event_types*
    keeps only those types; the filter applies to ``error`` too, so include it if the browser
    should hear about failures. An upstream ``error`` event is relayed as a frame and ends the
    iteration instead of raising :class:`ResponseStreamError`; a broken upstream still raises.
    The iterator owns the stream from here: it closes it when it ends or is closed early.
    """
    return _frames(stream, event_types, None)


async def _frames(
    stream: AsyncResponseStream,
    event_types: Iterable[str] | None,
    progress: _Progress | None,
) -> AsyncGenerator[bytes, None]:
    wanted = None if event_types is None else frozenset(event_types)
    try:
        async for event in stream:
            kind = event.type
            if progress is not None:
                progress.saw(kind, event)
            if wanted is not None and kind not in wanted:
                continue
            sequence = getattr(event, "sequence_number", None)
            if type(sequence) is not int:
                sequence = None
            yield sse_frame(kind, _wire_json(stream, event, kind, sequence), sequence)
    except ResponseStreamError as exc:
        if progress is not None:
            progress.finished = True
        if wanted is None or "error" in wanted:
            yield sse_frame("error", _error_json(stream, exc), exc.sequence_number)
    finally:
        await stream.aclose()


class _Progress:
    """What a relay learnt from the events: did the response end, does it run in background."""

    __slots__ = ("background", "finished")

    def __init__(self) -> None:
        self.finished = False
        self.background = False

    def saw(self, kind: str, event: Any) -> None:
        if kind in _TERMINAL:
            self.finished = True
        if not self.background:
            response = getattr(event, "response", None)
            self.background = getattr(response, "background", None) is True


def _wire_json(stream: Any, event: Any, kind: str, sequence: int | None) -> bytes | str:
    """The JSON text the upstream sent for *event*, or the event re-encoded when out of reach."""
    if isinstance(event, UnknownModel):
        return orjson.dumps(event.raw)
    raw = _current_data(stream, kind, sequence)
    if raw is not None:
        return raw
    return orjson.dumps(unstructure(event))


def _current_data(stream: Any, kind: str, sequence: int | None) -> str | bytes | None:
    """The raw ``data`` of the SSE message the stream decoded last, if it is *kind*/*sequence*.

    The stream keeps the batch of event data it is working through and the index after the one
    it just returned; reusing that text avoids a decode-encode round trip and keeps the payload
    byte for byte. Both are private, so every step is checked and any surprise means None.
    """
    batch = getattr(stream, "_batch", None)
    index = getattr(stream, "_index", None)
    if not isinstance(index, int) or batch is None or not 0 < index <= len(batch):
        return None
    data = batch[index - 1]
    needles = [f'"{kind}"']
    if sequence is not None:
        needles.append(f'"sequence_number":{sequence}')
    if isinstance(data, bytes):
        found = all(needle.encode() in data for needle in needles)
    elif isinstance(data, str):
        found = all(needle in data for needle in needles)
    else:
        return None
    return data if found else None


def _error_json(stream: Any, exc: ResponseStreamError) -> bytes | str:
    raw = _current_data(stream, "error", exc.sequence_number)
    if raw is not None:
        return raw
    payload: dict[str, Any] = {
        "type": "error",
        "code": exc.code,
        "message": exc.message,
        "param": exc.param,
    }
    if exc.sequence_number is not None:
        payload["sequence_number"] = exc.sequence_number
    return orjson.dumps(payload)


async def relay_to_aiohttp(
    stream: AsyncResponseStream,
    request: web.Request,
    *,
    event_types: Iterable[str] | None = None,
    cancel_background: bool = True,
    retry: int | None = None,
) -> web.StreamResponse:
    """Answer *request* with *stream*'s events as ``text/event-stream`` and return the reply.

    Return its result from an aiohttp handler. When the browser disconnects, the upstream
    connection is closed at once (within ``DISCONNECT_POLL`` seconds even if the upstream is
    silent), and, with *cancel_background*, a background response that has not finished is
    cancelled through the stream's client: nothing keeps running for a page nobody watches.
    Pass ``cancel_background=False`` when the browser may reconnect and resume (the
    ``Last-Event-ID`` it sends is the last relayed sequence number). *retry* (milliseconds) tells
    ``EventSource`` how soon to reconnect. An upstream that breaks ends the reply without an
    error, as a dropped connection would; the browser may then reconnect and resume.
    """
    from aiohttp import web

    reply = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            # Reverse proxies (nginx) would otherwise buffer the stream.
            "X-Accel-Buffering": "no",
        }
    )
    progress = _Progress()
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_cancel_when_gone, request, tg.cancel_scope)
            frames = _frames(stream, event_types, progress)
            try:
                await reply.prepare(request)
                if retry is not None:
                    await reply.write(b"retry: %d\n\n" % retry)
                async for frame in frames:
                    await reply.write(frame)
                await reply.write_eof()
            except ConnectionError:
                pass  # the browser left mid-write; handled below like any disconnect
            except APIError as exc:
                logger.info("Relay of %s ended: upstream failed: %s", stream.response_id, exc)
            finally:
                await frames.aclose()
            tg.cancel_scope.cancel()
    finally:
        await stream.aclose()
        if cancel_background and not progress.finished and _gone(request):
            await _cancel_remote(stream, background=progress.background)
    return reply


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def _cancel_when_gone(request: web.Request, scope: anyio.CancelScope) -> None:
    while not _gone(request):  # noqa: ASYNC110 (no event to wait on: see DISCONNECT_POLL)
        await anyio.sleep(DISCONNECT_POLL)
    scope.cancel()


async def _cancel_remote(stream: AsyncResponseStream, *, background: bool) -> None:
    """Cancel the response behind *stream* if it runs in the background and has a client."""
    # A stream opened by retrieve(stream=True) belongs to a background response even when no
    # lifecycle event with the flag was relayed (a resume starts after them).
    background = background or bool(getattr(stream, "_resumable", False))
    client = getattr(stream, "_client", None)
    response_id = stream.response_id
    if not background or client is None or response_id is None:
        return
    with anyio.move_on_after(CANCEL_TIMEOUT, shield=True):
        try:
            await client.responses.cancel(response_id)
        except APIError as exc:
            logger.info("Could not cancel %s after the browser left: %s", response_id, exc)
            return
        logger.info("Cancelled %s: the browser left before it finished", response_id)
