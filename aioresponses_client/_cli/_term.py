"""Terminal output: results on stdout, notes and the live status line on stderr."""

from __future__ import annotations

import os
import time
from typing import Any, TextIO

import orjson

from .._convert import unstructure

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_CLEAR_LINE = "\r\x1b[2K"


def _wants_color(stream: TextIO) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off.
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class Terminal:
    """Where the command line writes. Every write is flushed: deltas must show as they arrive.

    Results go to stdout so they can be piped; notes (ids, status, token counts) go to stderr.
    """

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.color = _wants_color(out)
        self._open_line = False  # stdout has text not yet ended by a newline

    def write(self, text: str) -> None:
        """Write *text* as is (a stream delta)."""
        if text:
            self.out.write(text)
            self.out.flush()
            self._open_line = not text.endswith("\n")

    def print(self, text: str = "") -> None:
        """Write one line, first ending any line a stream left open."""
        self.end_line()
        self.out.write(text + "\n")
        self.out.flush()

    @property
    def has_open_line(self) -> bool:
        """True when stdout's last text did not end with a newline."""
        return self._open_line

    def end_line(self) -> None:
        """End the current stdout line if text was written without a newline."""
        if self._open_line:
            self.out.write("\n")
            self.out.flush()
            self._open_line = False

    def note(self, text: str) -> None:
        """One line on stderr."""
        self.err.write(text + "\n")
        self.err.flush()

    def json(self, data: Any, *, indent: bool = True) -> None:
        """Print a model (or plain data) as JSON: indented, or compact on one line."""
        option = orjson.OPT_INDENT_2 if indent else 0
        self.print(orjson.dumps(unstructure(data), option=option).decode())

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if self.color else text

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color else text


class StatusLine:
    """A status shown on stderr while something runs.

    On a terminal it is one line redrawn in place, with a spinner and the elapsed time; on a
    pipe or file each new status is written once, as its own line, so logs stay readable.
    """

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self.live = err.isatty()
        self._text = ""
        self._frame = 0
        self._started = time.monotonic()
        self._drawn = False

    def set(self, text: str) -> None:
        """Show *text* (nothing happens when it did not change)."""
        if text == self._text:
            return
        self._text = text
        if self.live:
            self._draw()
        else:
            self._err.write(text + "\n")
            self._err.flush()

    def tick(self) -> None:
        """Advance the spinner and the clock (terminal only)."""
        if self.live and self._text:
            self._frame += 1
            self._draw()

    def clear(self) -> None:
        """Remove the line from a terminal, so what follows starts on a clean line."""
        if self.live and self._drawn:
            self._err.write(_CLEAR_LINE)
            self._err.flush()
            self._drawn = False

    def _draw(self) -> None:
        spinner = _SPINNER[self._frame % len(_SPINNER)]
        elapsed = time.monotonic() - self._started
        self._err.write(f"{_CLEAR_LINE}{spinner} {self._text}  {elapsed:.1f}s")
        self._err.flush()
        self._drawn = True
