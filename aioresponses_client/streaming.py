"""``AsyncResponseStream``: typed events from a Server-Sent-Events reply, and its final Response.

The stream owns one HTTP connection. ``async with`` (or ``aclose()``) releases it on every
exit path: normal end, ``break``, an exception in the body, or cancellation.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import orjson

from ._accumulate import ResponseAccumulator
from ._transport import StreamingResponse, close_reply
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    ConversionError,
    ResponseFailedError,
    ResponseStreamError,
    StreamDecodeError,
    StreamInterruptedError,
)
from .resources._params import path_id
from .types.events import StreamEvent, fast_hook, parse_event

if TYPE_CHECKING:
    from ._client import AsyncResponsesClient
    from .types import Response

__all__ = ["AsyncResponseStream", "TextStream"]

logger = logging.getLogger("aioresponses_client")

_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})
# Events that carry a ``response``: one set lookup per event decides whether to look closer.
_CARRY_RESPONSE = _TERMINAL | {"response.created", "response.queued", "response.in_progress"}
# The generated hooks of the event types that need nothing but decoding, accounting and feeding
# to the accumulator (deltas and progress events: nearly every event of a stream), filled in as
# each type is first seen. Lifecycle events and ``error`` never enter it.
_PLAIN_HOOKS: dict[str, Callable[[dict[str, Any]], Any]] = {}
_loads = orjson.loads


class AsyncResponseStream:
    """The events of one streamed response, in order, as typed objects.

    ``async for event in stream`` yields them; ``await stream.final_response()`` drains the
    rest and returns the final :class:`Response`. Use ``async with stream:`` so the connection
    is released however the block is left. ``response_id`` and ``last_sequence_number`` are what
    ``client.responses.retrieve(id, stream=True, starting_after=N)`` needs to resume.
    """

    def __init__(
        self,
        reply: StreamingResponse,
        *,
        client: AsyncResponsesClient | None = None,
        response_id: str | None = None,
        resumable: bool = False,
        resume_query: Mapping[str, Any] | None = None,
    ) -> None:
        self._reply = reply
        self.request_id: str | None = reply.headers.get("x-request-id")
        self.response_id: str | None = response_id
        self.last_sequence_number: int | None = None
        # Background streams survive a dropped connection: the stream reconnects with
        # starting_after and skips anything at or below the last sequence number it yielded.
        self._client = client
        # A server may echo the key in an error event; the error must not carry it.
        self._redact: Callable[[str], str] = client._redact if client is not None else str
        self._resumable = resumable
        self._resume_query = dict(resume_query or {})
        self._skip_upto = -1
        self._failed_resumes = 0
        self._acc = ResponseAccumulator()
        # The event data being worked through, and the index after the one decoded last.
        self._batch: Sequence[str | bytes] = ()
        self._index = 0
        self._ended = False  # the body was read to its end, or a terminal event was seen
        self._done = False  # nothing more will be yielded
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"AsyncResponseStream(response_id={self.response_id!r}, "
            f"last_sequence_number={self.last_sequence_number!r}, closed={self._closed})"
        )

    async def __aenter__(self) -> AsyncResponseStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncResponseStream:
        return self

    async def __anext__(self) -> StreamEvent:
        while True:
            batch = self._batch
            index = self._index
            if index < len(batch):
                self._index = index + 1
                data = batch[index]
                if not self._ended:
                    # The hot path, written out here because it runs once per token: a plain
                    # event past any resume point. Anything unusual, including every failure,
                    # takes the general path below, which decodes again and says what is wrong.
                    try:
                        payload = _loads(data)
                        event = _PLAIN_HOOKS[payload["type"]](payload)
                    except Exception:
                        pass
                    else:
                        sequence: int = event.sequence_number
                        if sequence > self._skip_upto:
                            self.last_sequence_number = sequence
                            self._acc.feed(payload)
                            return event  # type: ignore[no-any-return]
                        continue  # already yielded before the stream was resumed
                try:
                    event = self._decode(data)
                except APIError:
                    await self.aclose()
                    raise
                if event is not None:
                    return event
                continue
            if self._done:
                raise StopAsyncIteration
            await self._read_batch()

    async def _read_batch(self) -> None:
        while True:
            try:
                batch = await self._reply.next_data()
            except APIConnectionError as exc:
                if not self._ended and await self._resume():
                    continue
                await self.aclose()
                if self._ended:
                    raise
                raise self._interrupted(exc.message) from exc
            except BaseException:
                await self.aclose()
                raise
            if batch is None:
                if not self._ended and await self._resume():
                    continue
                await self.aclose()
                if not self._ended:
                    raise self._interrupted("the stream ended before a terminal event")
                return
            self._batch = batch
            self._index = 0
            self._failed_resumes = 0
            return

    async def _resume(self) -> bool:
        """Reconnect a background stream after its last event; False when it cannot."""
        client = self._client
        if client is None or not self._resumable or self.response_id is None:
            return False
        policy = client.retry_policy
        if self._failed_resumes >= policy.max_retries:
            return False
        await close_reply(self._reply)
        await policy.sleep(policy.backoff(self._failed_resumes))
        self._failed_resumes += 1
        query: dict[str, Any] = {**self._resume_query, "stream": True}
        if self.last_sequence_number is not None:
            query["starting_after"] = self.last_sequence_number
            self._skip_upto = self.last_sequence_number
        logger.info(
            "Resuming stream of %s after sequence number %s",
            self.response_id,
            self.last_sequence_number,
        )
        try:
            reply = await client.open_stream(
                "GET", f"/responses/{path_id(self.response_id)}", query=query
            )
        except APIError:
            return False
        self._reply = reply
        self._batch = ()
        self._index = 0
        return True

    def _interrupted(self, why: str) -> StreamInterruptedError:
        try:
            partial: Response | None = self._acc.snapshot()
        except ConversionError:  # nothing usable arrived (e.g. no response.created yet)
            partial = None
        return StreamInterruptedError(
            f"Stream interrupted: {why}",
            partial_response=partial,
            response_id=self.response_id,
            last_sequence_number=self.last_sequence_number,
            request_id=self.request_id,
        )

    def _decode(self, data: str | bytes) -> StreamEvent | None:
        if self._ended:
            # Some servers close a stream with "[DONE]"; after a terminal event it is noise.
            return None
        try:
            payload = _loads(data)
        except orjson.JSONDecodeError:
            text = _text(data)
            if text.startswith("[DONE]"):
                self._ended = True
                return None
            try:
                # Raw bytes that are not valid UTF-8 are read as a text decoder reads them (U+FFFD
                # for each bad byte), so both transports give the same events. Text fails again.
                payload = _loads(text)
            except orjson.JSONDecodeError:
                raise self._decode_error("a stream event is not valid JSON", text) from None
        if not isinstance(payload, dict):
            raise self._decode_error("a stream event is not a JSON object", data)
        sequence = payload.get("sequence_number")
        if type(sequence) is int:
            if sequence <= self._skip_upto:
                return None  # already yielded before the stream was resumed
            self.last_sequence_number = sequence
        self._acc.feed(payload)
        kind: Any = payload.get("type")
        try:
            special = kind in _CARRY_RESPONSE
        except TypeError:  # an unhashable "type", such as a list
            raise self._decode_error("a stream event's type is not a string", data) from None
        if special:
            self._on_lifecycle(kind, payload)
        elif kind == "error":
            self._ended = self._done = True
            raise ResponseStreamError(
                self._redact(str(payload.get("message") or "error event without a message")),
                code=_opt_str(payload.get("code")),
                param=_opt_str(payload.get("param")),
                sequence_number=sequence if type(sequence) is int else None,
                request_id=self.request_id,
            )
        try:
            event = parse_event(payload)
        except ConversionError as exc:
            raise self._decode_error(f"a stream event does not fit its type: {exc}", data) from exc
        if not special and isinstance(kind, str) and kind not in _PLAIN_HOOKS:
            hook = fast_hook(kind)
            if hook is not None:
                _PLAIN_HOOKS[kind] = hook
        return event

    def _on_lifecycle(self, kind: str, payload: dict[str, Any]) -> None:
        response = payload.get("response")
        if isinstance(response, dict):
            rid = response.get("id")
            if self.response_id is None and isinstance(rid, str):
                self.response_id = rid
            if response.get("background") is True:
                self._resumable = True
        if kind in _TERMINAL:
            self._ended = True

    def _decode_error(self, why: str, data: str | bytes) -> StreamDecodeError:
        self._done = True
        raw = self._redact(_text(data))
        return StreamDecodeError(why, raw_data=raw, request_id=self.request_id)

    async def aclose(self) -> None:
        """Release the connection. Idempotent; safe in a cancelled task."""
        if self._closed:
            return
        self._closed = self._done = True
        # Events already read stay unread: after an error or a close nothing more is yielded.
        # The data up to the last one decoded stays, for relay's reuse of the wire text.
        self._batch = self._batch[: self._index]
        await close_reply(self._reply)

    @property
    def closed(self) -> bool:
        """True once the connection was released."""
        return self._closed

    async def until_done(self) -> None:
        """Consume every remaining event."""
        async for _ in self:
            pass

    def snapshot(self) -> Response:
        """The response as known so far: the final one once it arrived, else rebuilt from deltas."""
        return self._acc.snapshot()

    async def final_response(self) -> Response:
        """Consume the rest of the stream and return the final :class:`Response`.

        That is the response carried by ``response.completed`` / ``response.incomplete``; a
        ``response.failed`` raises :class:`ResponseFailedError` with the response attached. A
        stream that ends cleanly (``[DONE]``) without a terminal event gives the snapshot rebuilt
        from the deltas; a stream cut short raises :class:`StreamInterruptedError`.
        """
        await self.until_done()
        response = self._acc.snapshot()
        if response.status == "failed":
            raise ResponseFailedError(response, request_id=self.request_id)
        return response

    async def text_deltas(self) -> AsyncIterator[str]:
        """Only the ``response.output_text.delta`` strings, as they arrive."""
        from .types.events import ResponseOutputTextDeltaEvent

        async for event in self:
            if type(event) is ResponseOutputTextDeltaEvent:
                yield event.delta

    def to_sse(self, *, event_types: Iterable[str] | None = None) -> AsyncIterator[bytes]:
        """The events as Server-Sent-Event bytes to relay to a browser: :func:`.relay.to_sse`."""
        from .relay import to_sse

        return to_sse(self, event_types=event_types)


class TextStream:
    """``client.responses.stream_text(...)``: the output text deltas of a new response.

    Iterate it directly, or as ``async with client.responses.stream_text(...) as deltas:`` to be
    sure the connection is released if you stop early.
    """

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self._stream: AsyncResponseStream | None = None

    async def __aenter__(self) -> TextStream:
        await self._open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _open(self) -> AsyncResponseStream:
        if self._stream is None:
            self._stream = await self._opener()
        return self._stream

    def __aiter__(self) -> TextStream:
        return self

    async def __anext__(self) -> str:
        from .types.events import ResponseOutputTextDeltaEvent

        stream = await self._open()
        async for event in stream:
            if type(event) is ResponseOutputTextDeltaEvent:
                return event.delta
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Release the connection (idempotent)."""
        if self._stream is not None:
            await self._stream.aclose()

    @property
    def stream(self) -> AsyncResponseStream | None:
        """The underlying event stream, once opened (for ``response_id`` or ``final_response``)."""
        return self._stream


async def open_stream(
    client: AsyncResponsesClient,
    method: str,
    path: str,
    *,
    response_id: str | None = None,
    resume_query: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> AsyncResponseStream:
    """Send a streaming request and wrap the reply; a non-stream 2xx reply is a typed error.

    ``response_id`` marks a stream of an existing (background) response, which can resume;
    ``resume_query`` is what a reconnect must ask for again (``include``, obfuscation).
    """
    reply = await client.open_stream(method, path, **kwargs)
    content_type = reply.headers.get("content-type", "")
    if not content_type.startswith("text/event-stream"):
        try:
            raw = await reply.read()
        finally:
            await close_reply(reply)
        raise APIResponseValidationError(
            f"expected an event stream, got content type {content_type!r}",
            status_code=reply.status,
            raw_body=raw,
            request_id=reply.headers.get("x-request-id"),
        )
    return AsyncResponseStream(
        reply,
        client=client,
        response_id=response_id,
        resumable=response_id is not None,
        resume_query=resume_query,
    )


def _text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
