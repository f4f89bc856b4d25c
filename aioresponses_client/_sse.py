"""Incremental decoder for ``text/event-stream`` bodies (the WHATWG Server-Sent Events format).

The decoder works on bytes: it normalises line endings with C-level ``bytes`` methods, cuts the
text into events with one compiled regular expression that also picks out the fields of the
usual ``event:``/``data:`` pair, and only turns values into ``str`` when an event is dispatched.
That keeps the Python work per event to a few operations, which matters because every streamed
response goes through here, one small event per token.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"
# Single bytes as ints: ``_CR in chunk`` is a plain memchr, three times faster than ``b"\r" in``.
_LF, _CR = 0x0A, 0x0D

# One block of lines ended by a blank line, in a stream whose line endings are all LF. Extra
# blank lines before a block are skipped: nothing is pending then, so they dispatch nothing. The
# first alternative is the shape servers send ("event: NAME\ndata: VALUE", or a lone data line)
# and captures the two values directly. Anything else (comments, id/retry, several data lines, no
# space after the colon) is captured whole, always non-empty, for the line-by-line parser; it is
# spelled as non-empty lines joined by single LFs because a lazy ``.+?`` is four times slower.
_BLOCK_SHAPE = rb"\n*(?:(?:event: %s\n)?data: ([^\n]*)|([^\n]+(?:\n[^\n]+)*))\n\n"
_BLOCK = re.compile(_BLOCK_SHAPE % rb"([^\n]+)")
# The same without capturing the event type, for ``feed_data``: a bytes object per event less.
_DATA_BLOCK = re.compile(_BLOCK_SHAPE % rb"[^\n]+")

# Event types are a handful of names repeated in every event; decoding each once per stream
# saves a string per event. The bound keeps a hostile stream from growing the cache forever.
_MAX_NAMES = 64


class ServerSentEvent(NamedTuple):
    """One dispatched event.

    ``event`` is ``"message"`` when the stream gave no ``event:`` field. ``data`` holds the
    ``data:`` lines joined by ``"\\n"``. ``id`` and ``retry`` are the last event id and
    reconnection time *in effect*: both persist from event to event until the stream changes
    them, and are ``None`` until it first does.
    """

    event: str
    data: str
    id: str | None
    retry: int | None


# A NamedTuple's generated ``__new__`` costs twice as much as building the tuple directly, and
# this runs once per event.
_new_tuple = tuple.__new__


class SSEDecoder:
    """Turn the chunks of one event stream into :class:`ServerSentEvent` objects.

    Feed the body's chunks in order, however they were split, then call :meth:`close`.
    """

    __slots__ = ("_after_cr", "_data", "_event", "_head", "_id", "_names", "_pending", "_retry")

    # The first bytes of the stream, held back until we know whether they are a BOM; None after.
    _head: bytes | None
    # The previous chunk ended with CR: a LF opening the next one is the rest of that CRLF.
    _after_cr: bool
    # Text received since the last blank line, LF-normalised and not yet parsed. A list, so that
    # an event arriving in many chunks is joined once rather than re-copied on every feed.
    _pending: list[bytes]
    # The event being built: its data lines and its type (empty means "message").
    _data: list[bytes]
    _event: bytes
    # Decoded event types of this stream; b"" (no event field) means "message".
    _names: dict[bytes, str]
    # Stream-level values that every later event reports.
    _id: str | None
    _retry: int | None

    def __init__(self) -> None:
        self._reset()

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume ``chunk`` and return the events it completed, in stream order."""
        events: list[ServerSentEvent] = []
        complete = self._complete(chunk)
        if complete is None:
            return events
        names = self._names
        for name, data, block in _BLOCK.findall(complete):
            if block:
                found = self._parse_block(block)
                if found is None:
                    continue
                name, data = found
            event = names.get(name) or self._decode_name(name)
            text = data.decode("utf-8", "replace")
            events.append(_new_tuple(ServerSentEvent, (event, text, self._id, self._retry)))
        return events

    def feed_data(self, chunk: bytes) -> list[bytes]:
        """Like :meth:`feed`, but only the ``data`` of each event, as undecoded UTF-8 bytes.

        For a consumer that parses the data as JSON and needs neither the event type nor the id:
        it saves decoding each event to ``str``, which the parser would only encode back.
        """
        found_data: list[bytes] = []
        complete = self._complete(chunk)
        if complete is None:
            return found_data
        for data, block in _DATA_BLOCK.findall(complete):
            if block:
                found = self._parse_block(block)
                if found is None:
                    continue
                data = found[1]
            found_data.append(data)
        return found_data

    def _complete(self, chunk: bytes) -> bytes | None:
        """Take ``chunk``; return the LF-normalised text of the events it completes, if any."""
        if self._head is not None:
            chunk = self._head + chunk
            if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                self._head = chunk  # could still be a BOM split across chunks: wait for more
                return None
            self._head = None
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        if not chunk:
            return None

        # Rewrite every line ending as LF so the rest only ever looks for b"\n". A CR closing the
        # chunk ends its line right away (the server may pause after it); we only remember to drop
        # the LF that may open the next chunk, which would be the second half of a CRLF.
        if self._after_cr:
            self._after_cr = False
            if chunk[0] == _LF:
                chunk = chunk[1:]
                if not chunk:
                    return None
        if _CR in chunk:
            self._after_cr = chunk[-1] == _CR
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

        # Nothing is dispatched before a blank line, i.e. two LFs in a row, so text after the last
        # one waits in ``_pending`` unparsed. Only the new chunk is searched, never the backlog.
        pending = self._pending
        end = chunk.rfind(b"\n\n")
        if end < 0:
            if chunk[0] == _LF and pending and pending[-1][-1] == _LF:
                end = -1  # the backlog's last LF and this chunk's first one make the blank line
            else:
                pending.append(chunk)
                return None
        # A slice of bytes is a copy: skip it when the chunk ends on an event boundary.
        complete = chunk if end + 2 == len(chunk) else chunk[: end + 2]
        if pending:
            pending.append(complete)
            complete = b"".join(pending)
            pending.clear()
        if end + 2 < len(chunk):
            pending.append(chunk[end + 2 :])
        return complete

    def close(self) -> list[ServerSentEvent]:
        """End the stream and reset the decoder for a new one.

        An event not yet ended by a blank line is discarded, as the spec requires, so this always
        returns ``[]``; it is a list so callers can treat it like one last :meth:`feed`.
        """
        self._reset()
        return []

    def _reset(self) -> None:
        self._head = b""
        self._after_cr = False
        self._pending = []
        self._data = []
        self._event = b""
        self._names = {b"": "message"}
        self._id = None
        self._retry = None

    def _parse_block(self, block: bytes) -> tuple[bytes, bytes] | None:
        """Apply the (non-empty) lines of ``block``, then the blank line that ends it.

        Returns the (type, data) of the event that blank line dispatches, if it dispatches one.
        """
        for line in block.split(b"\n"):
            # A comment (a keep-alive) starts with ":", so its field name is empty and matches
            # none of the fields below: it needs no branch of its own.
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
            elif name == b"event":
                self._event = value
            elif name == b"id":
                if b"\0" not in value:
                    self._id = value.decode("utf-8", "replace")
            elif name == b"retry":
                # isdigit() on bytes accepts ASCII digits only; int() can still refuse a value
                # longer than the interpreter's digit limit, which is as invalid as any other.
                if value.isdigit():
                    try:
                        self._retry = int(value)
                    except ValueError:
                        pass
        event, self._event = self._event, b""
        if not self._data:
            return None
        data = b"\n".join(self._data)
        self._data = []
        return event, data

    def _decode_name(self, raw: bytes) -> str:
        name = raw.decode("utf-8", "replace")
        if len(self._names) < _MAX_NAMES:
            self._names[raw] = name
        return name
