"""Cutting an SSE byte stream into small random pieces, to exercise clients' decoders."""

from __future__ import annotations

import random
from typing import Any, Literal

import attrs

LineEnding = Literal["\n", "\r\n", "\r"]

KEEP_ALIVE = b": keep-alive\n\n"


def _check_max(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"max_bytes must be None or >= 1, got {value}")


def _check_ending(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("\n", "\r\n", "\r"):
        raise ValueError(f"line_ending must be LF, CRLF or CR, got {value!r}")


@attrs.frozen(kw_only=True)
class Chunking:
    """How a stream's bytes are delivered, so a client's decoder meets every boundary.

    *max_bytes*: each write is 1..max_bytes bytes, sizes drawn from ``random.Random(seed)``
    (a fresh generator per stream, so a seed always gives the same cut); None writes whole
    events. *keep_alive* puts a ``: keep-alive`` comment line (and a blank line) between events.
    *line_ending* ends every line with LF, CRLF or CR.
    """

    max_bytes: int | None = attrs.field(default=8, validator=_check_max)
    seed: int = 0
    keep_alive: bool = False
    line_ending: LineEnding = attrs.field(default="\n", validator=_check_ending)

    def chunker(self) -> Chunker:
        """A fresh cutter for one stream."""
        return Chunker(self)


class Chunker:
    """Holds bytes back until a piece of the drawn size is full; ``flush`` sends the rest."""

    def __init__(self, chunking: Chunking) -> None:
        self._max = chunking.max_bytes
        self._random = random.Random(chunking.seed)
        self._ending = chunking.line_ending.encode()
        self._keep_alive = chunking.keep_alive
        self._buffer = bytearray()
        self._size = self._draw()
        self._events = 0

    def _draw(self) -> int:
        return 0 if self._max is None else self._random.randint(1, self._max)

    def frame(self, frame: bytes) -> bytes:
        """*frame* (an LF-terminated SSE frame) with the keep-alive and line endings applied."""
        if self._keep_alive and self._events:
            frame = KEEP_ALIVE + frame
        self._events += 1
        # SSE frames hold no raw newline except line ends: JSON data lines escape theirs.
        return frame if self._ending == b"\n" else frame.replace(b"\n", self._ending)

    def feed(self, data: bytes) -> list[bytes]:
        """The full pieces *data* completes, in order."""
        if self._max is None:
            return [data] if data else []
        self._buffer += data
        pieces: list[bytes] = []
        while len(self._buffer) >= self._size:
            pieces.append(bytes(self._buffer[: self._size]))
            del self._buffer[: self._size]
            self._size = self._draw()
        return pieces

    def flush(self) -> bytes:
        """Whatever is held back (before a pause or at the end of the stream)."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        return rest
