"""What a scripted response produces: output pieces, how it ends, and how it is delivered.

A ``Script`` lists outputs in order. Text-like values (``Text``, ``Refusal``, function-call
arguments, reasoning summary parts) take either a string, streamed in deltas of ``delta_size``
characters (word by word when unset), or a list of strings, which are the deltas exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import orjson

from ._chunks import Chunking

Pieces = str | tuple[str, ...]
"""A text, or its exact deltas."""


def _pieces(value: str | Sequence[str]) -> Pieces:
    if isinstance(value, str):
        return value
    pieces = tuple(value)
    if not all(isinstance(piece, str) for piece in pieces):
        raise TypeError(f"expected a string or a sequence of strings, got {value!r}")
    return pieces


def joined(value: Pieces) -> str:
    """The whole text of *value*."""
    return value if isinstance(value, str) else "".join(value)


def _check_size(
    instance: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{attribute.name} must be None or >= 1, got {value}")


def _annotations(value: Sequence[UrlCitation | Mapping[str, Any]]) -> tuple[Any, ...]:
    return tuple(v if isinstance(v, UrlCitation) else dict(v) for v in value)


@attrs.frozen
class UrlCitation:
    """A ``url_citation`` annotation on a ``Text``, spanning *quote* (or the whole text)."""

    url: str
    title: str = ""
    quote: str | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Text:
    """An ``output_text`` part; on its own in a script, one assistant message."""

    text: Pieces = attrs.field(converter=_pieces)
    annotations: tuple[UrlCitation | dict[str, Any], ...] = attrs.field(
        default=(), converter=_annotations, kw_only=True
    )
    delta_size: int | None = attrs.field(default=None, validator=_check_size, kw_only=True)

    def __attrs_post_init__(self) -> None:
        text = joined(self.text)
        for citation in self.annotations:
            if isinstance(citation, UrlCitation) and citation.quote is not None:
                if citation.quote not in text:
                    raise ValueError(f"cited quote {citation.quote!r} is not in the text {text!r}")


@attrs.frozen
class Refusal:
    """A ``refusal`` part; on its own in a script, one assistant message."""

    refusal: Pieces = attrs.field(converter=_pieces)
    delta_size: int | None = attrs.field(default=None, validator=_check_size, kw_only=True)


@attrs.frozen(init=False)
class Message:
    """One assistant message holding several parts: ``Message(Text("a"), Refusal("b"))``."""

    parts: tuple[Text | Refusal, ...]

    def __init__(self, *parts: Text | Refusal | str) -> None:
        self.__attrs_init__(tuple(Text(p) if isinstance(p, str) else p for p in parts))


def _arguments(value: str | Mapping[str, Any] | Sequence[str]) -> Pieces:
    if isinstance(value, Mapping):
        return orjson.dumps(dict(value)).decode()
    return _pieces(value)


@attrs.frozen
class FunctionCall:
    """A ``function_call`` item; *arguments* is JSON text, its deltas, or a dict to encode."""

    name: str
    arguments: Pieces = attrs.field(default="{}", converter=_arguments)
    call_id: str | None = attrs.field(default=None, kw_only=True)
    delta_size: int | None = attrs.field(default=None, validator=_check_size, kw_only=True)


@attrs.frozen(init=False)
class Reasoning:
    """A ``reasoning`` item whose summary has one part per argument."""

    summary: tuple[Pieces, ...]
    delta_size: int | None

    def __init__(self, *summary: str | Sequence[str], delta_size: int | None = None) -> None:
        if delta_size is not None and delta_size < 1:
            raise ValueError(f"delta_size must be None or >= 1, got {delta_size}")
        self.__attrs_init__(tuple(_pieces(part) for part in summary), delta_size)


@attrs.frozen
class WebSearch:
    """A ``web_search_call`` item (a built-in tool call) searching *query*.

    *sources* are listed on the action when the request includes
    ``web_search_call.action.sources``; cite them with ``UrlCitation`` on the following ``Text``.
    """

    query: str
    sources: tuple[str, ...] = attrs.field(default=(), converter=tuple, kw_only=True)


@attrs.frozen
class RawItem:
    """Any output item, sent as is in ``output_item.added`` and ``output_item.done``."""

    item: dict[str, Any] = attrs.field(converter=dict)


def _raw_event(value: Mapping[str, Any] | bytes) -> dict[str, Any] | bytes:
    return value if isinstance(value, bytes) else dict(value)


@attrs.frozen
class RawEvent:
    """An event inserted verbatim where it stands among the outputs.

    A mapping is numbered like the others unless it carries ``sequence_number``; it may have a
    ``type`` no SDK knows. Bytes are written to the stream as they are, e.g.
    ``b"data: {not json\\n\\n"``. Raw events appear in streams only.
    """

    event: dict[str, Any] | bytes = attrs.field(converter=_raw_event)


@attrs.frozen
class Incomplete:
    """End as ``incomplete``: the last item is cut short and ``response.incomplete`` is sent."""

    reason: str = "max_output_tokens"


@attrs.frozen
class Failed:
    """End as ``failed`` with this error: ``response.failed`` carries it on the response."""

    code: str = "server_error"
    message: str = "The server had an error while processing your request."


@attrs.frozen
class StreamError:
    """End with an ``error`` event after *after* events (after all output when None).

    The stream has no terminal event; the stored response is ``failed``. A non-streaming
    request gets a 500 reply with this code and message.
    """

    code: str = "server_error"
    message: str = "The server had an error while processing your request."
    param: str | None = None
    after: int | None = attrs.field(default=None, kw_only=True)


Output = Text | Refusal | Message | FunctionCall | Reasoning | WebSearch | RawItem | RawEvent
"""Anything a ``Script`` lists."""
End = Incomplete | Failed | StreamError
"""How a response ends when it does not simply complete."""

_OUTPUT_TYPES = (Text, Refusal, Message, FunctionCall, Reasoning, WebSearch, RawItem, RawEvent)


@attrs.frozen(init=False)
class Script:
    """What one response produces, in order, and how it is delivered.

    Strings among *outputs* are ``Text``. *end* makes the response incomplete, failed or cut by
    an ``error`` event. *delta_size* is the default for outputs that set none; *pace* sleeps
    between deltas of a stream (human reading speed: ~0.05; in the background, each delta
    happens that much later, whether streamed or polled); *latency* holds the reply's first
    byte; *chunking* cuts this stream's bytes (see ``Chunking``); *background_duration* is how
    long a ``background=true`` run takes from queued to done. Options left None use the
    server's.
    """

    outputs: tuple[Output, ...]
    end: End | None
    delta_size: int | None
    pace: float | None
    latency: float
    chunking: Chunking | None
    background_duration: float | None

    def __init__(
        self,
        *outputs: Output | str,
        end: End | None = None,
        delta_size: int | None = None,
        pace: float | None = None,
        latency: float = 0.0,
        chunking: Chunking | None = None,
        background_duration: float | None = None,
    ) -> None:
        converted = tuple(Text(o) if isinstance(o, str) else o for o in outputs)
        for output in converted:
            if not isinstance(output, _OUTPUT_TYPES):
                raise TypeError(f"not a script output: {output!r}")
        if delta_size is not None and delta_size < 1:
            raise ValueError(f"delta_size must be None or >= 1, got {delta_size}")
        for name, seconds in (
            ("pace", pace),
            ("latency", latency),
            ("duration", background_duration),
        ):
            if seconds is not None and seconds < 0:
                raise ValueError(f"{name} must be >= 0, got {seconds}")
        self.__attrs_init__(
            converted, end, delta_size, pace, latency, chunking, background_duration
        )

    @classmethod
    def failed(
        cls,
        *outputs: Output | str,
        code: str = "server_error",
        message: str = "The server had an error while processing your request.",
        **options: Any,
    ) -> Script:
        """A script ending ``failed`` with this error (after *outputs*, if any)."""
        return cls(*outputs, end=Failed(code, message), **options)

    @classmethod
    def incomplete(
        cls, *outputs: Output | str, reason: str = "max_output_tokens", **options: Any
    ) -> Script:
        """A script ending ``incomplete`` for *reason*, its last item cut short."""
        return cls(*outputs, end=Incomplete(reason), **options)
