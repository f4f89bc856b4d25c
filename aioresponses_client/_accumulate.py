"""Rebuild a streamed ``Response`` from its events, so a stream has a final response even when
it ends before ``response.completed``.

The accumulator reads the raw decoded event dicts, not typed events: the stream already has
them, and the per-event work must stay a dict lookup on ``type`` plus a few O(1) steps. Text
deltas are kept as lists of pieces and joined only when a snapshot is asked for, so a long
answer costs linear time, not quadratic.

Odd input never raises out of :meth:`ResponseAccumulator.feed`: unknown event types are
ignored, and so is an event naming an output item that no ``output_item.added`` (or ``.done``)
announced, because an item cannot be invented without its id. An event naming an unknown
content, summary or annotation index of a known item creates that entry, since the event's type
says what kind of part it is. Only non-negative integers are accepted as new indexes; entries
are laid out in index order and gaps close up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._convert import structure
from .errors import ConversionError
from .types.response import Response

__all__ = ["ResponseAccumulator"]

_Handler = Callable[["ResponseAccumulator", dict[str, Any]], None]

# Whatever a malformed payload makes a handler trip over. feed() swallows these: a stream must
# never fail because its snapshot could not follow an event it does not need to understand.
_ODD_INPUT = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def _is_index(value: Any) -> bool:
    # bool is an int subclass; True as "index 1" would be a wire bug, not a position.
    return type(value) is int and value >= 0


class _Node:
    """One output item, content part or summary part, as received plus what deltas added.

    ``data`` is the payload as the server sent it and is never mutated (the caller may hold the
    same dict). ``texts`` holds string fields as pieces, ``seqs`` list fields that deltas
    extend (logprobs), ``children`` nested lists keyed by index; each overrides the field of
    the same name in ``data`` when the node is built.
    """

    __slots__ = ("children", "data", "seqs", "texts")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.texts: dict[str, list[str]] = {}
        self.seqs: dict[str, list[Any]] = {}
        self.children: dict[str, dict[int, Any]] = {}

    def pieces(self, field: str) -> list[str]:
        """The pieces of string ``field``, started from the payload's value on first use."""
        pieces = self.texts.get(field)
        if pieces is None:
            start = self.data.get(field)
            pieces = self.texts[field] = [start] if isinstance(start, str) and start else []
        return pieces

    def entries(self, field: str) -> dict[int, Any]:
        """The list ``field`` keyed by index, started from the payload's list on first use."""
        entries = self.children.get(field)
        if entries is None:
            start = self.data.get(field)
            entries = self.children[field] = {}
            if isinstance(start, list):
                for index, value in enumerate(start):
                    entries[index] = _Node(value) if isinstance(value, dict) else value
        return entries

    def build(self) -> dict[str, Any]:
        """A fresh dict: the payload with the accumulated fields put in."""
        out = dict(self.data)
        for field, pieces in self.texts.items():
            out[field] = "".join(pieces)
        for field, seq in self.seqs.items():
            out[field] = list(seq)
        for field, entries in self.children.items():
            # An untouched null (a reasoning item's ``content``) stays null.
            if entries or isinstance(out.get(field), list):
                out[field] = [
                    value.build() if isinstance(value, _Node) else value
                    for _, value in sorted(entries.items())
                ]
        return out


class ResponseAccumulator:
    """Follow a response stream event by event and rebuild the ``Response`` it describes.

    Call :meth:`feed` with every decoded event payload, in order. :meth:`snapshot` is the
    server's final response once a terminal event (``response.completed``, ``.incomplete`` or
    ``.failed``) arrived, else the state rebuilt so far; :meth:`rebuilt` is always the rebuilt
    state. Both raise :class:`ConversionError` if no event carried a response yet (see
    :attr:`started`), or if what the server sent does not fit :class:`Response`.
    """

    __slots__ = ("_hot", "_items", "_response", "_terminal")

    def __init__(self) -> None:
        # Top-level fields, from the lifecycle events and then the terminal one. Its ``output``
        # is never used by rebuilt(): output comes from the item events only.
        self._response: dict[str, Any] | None = None
        self._terminal: dict[str, Any] | None = None
        self._items: dict[int, _Node] = {}
        # The output_text part the last text delta went to: (output_index, content_index, its
        # text pieces, the part). Only text deltas leave the tree alone, so any other event
        # clears it; until then the next delta for the same indexes is a single append.
        self._hot: tuple[Any, Any, list[str], _Node] | None = None

    def feed(self, data: dict[str, Any]) -> None:
        """Take one event payload (the decoded JSON of an SSE ``data:`` line); never raises."""
        try:
            kind = data["type"]
            if kind == "response.output_text.delta":
                hot = self._hot
                if (
                    hot is not None
                    and hot[0] == data["output_index"]
                    and hot[1] == data["content_index"]
                ):
                    piece = data["delta"]
                    if type(piece) is str:
                        hot[2].append(piece)
                        logprobs = data.get("logprobs")
                        if logprobs and isinstance(logprobs, list):
                            _extend_logprobs(hot[3], logprobs)
                else:
                    _output_text_delta(self, data)
                return
            self._hot = None
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(self, data)
        except _ODD_INPUT:
            pass

    @property
    def started(self) -> bool:
        """Whether an event carrying a response arrived, so that :meth:`snapshot` can succeed."""
        return self._response is not None

    @property
    def terminal(self) -> dict[str, Any] | None:
        """The ``response`` of the terminal event, once one arrived (the raw dict)."""
        return self._terminal

    def snapshot(self) -> Response:
        """The terminal response if one arrived, else the state rebuilt from the events so far.

        A terminal response without ``output`` gets the output rebuilt from the events.
        """
        terminal = self._terminal
        if terminal is None:
            return self.rebuilt()
        if not isinstance(terminal.get("output"), list):
            terminal = {**terminal, "output": self._output()}
        return structure(terminal, Response)

    def rebuilt(self) -> Response:
        """The response rebuilt from the events, ignoring the terminal event's ``output``."""
        return structure(self._state(), Response)

    def _state(self) -> dict[str, Any]:
        if self._response is None:
            raise ConversionError("no event carrying a response has been seen yet")
        return {**self._response, "output": self._output()}

    def _output(self) -> list[dict[str, Any]]:
        return [node.build() for _, node in sorted(self._items.items())]

    # -- handlers, all (self, data) -> None; see _HANDLERS ---------------------------------

    def _lifecycle(self, data: dict[str, Any]) -> None:
        response = data["response"]
        if isinstance(response, dict):
            if self._response is None:
                self._response = dict(response)
            else:
                self._response.update(response)

    def _finish(self, data: dict[str, Any]) -> None:
        response = data["response"]
        if isinstance(response, dict):
            self._lifecycle(data)
            self._terminal = response

    def _put_item(self, data: dict[str, Any]) -> None:
        index = data["output_index"]
        item = data["item"]
        if _is_index(index) and isinstance(item, dict):
            self._items[index] = _Node(item)


def _item_text(field: str, done_key: str) -> tuple[_Handler, _Handler]:
    """Handlers for ``.delta``/``.done`` events of a string field of the item itself."""

    def delta(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
        item = acc._items.get(data["output_index"])
        piece = data["delta"]
        if item is not None and type(piece) is str:
            item.pieces(field).append(piece)

    def done(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
        item = acc._items.get(data["output_index"])
        value = data[done_key]
        if item is not None and type(value) is str:
            item.texts[field] = [value]

    return delta, done


# What a part starts as when a delta arrives for it before (or without) its .added event.
_OUTPUT_TEXT = {"type": "output_text", "text": "", "annotations": []}


def _find_part(
    acc: ResponseAccumulator,
    data: dict[str, Any],
    field: str,
    index_key: str,
    empty: dict[str, Any],
) -> _Node | None:
    """The entry ``data[index_key]`` of list ``field`` in the event's item, made if missing."""
    item = acc._items.get(data["output_index"])
    if item is None:
        return None
    entries = item.entries(field)
    index = data[index_key]
    part = entries.get(index)
    if isinstance(part, _Node):
        return part
    if part is None and _is_index(index):
        part = entries[index] = _Node(dict(empty))
        return part
    return None  # a bad index, or a non-object the payload had at that place


def _put_part(field: str, index_key: str) -> _Handler:
    """Handler for ``.added``/``.done`` events that put a whole part at an index."""

    def put(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
        item = acc._items.get(data["output_index"])
        index = data[index_key]
        part = data["part"]
        if item is not None and _is_index(index) and isinstance(part, dict):
            item.entries(field)[index] = _Node(part)

    return put


def _part_text(
    field: str, index_key: str, text_field: str, done_key: str, empty: dict[str, Any]
) -> tuple[_Handler, _Handler]:
    """Handlers for ``.delta``/``.done`` events of a string field of a part."""

    def delta(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
        piece = data["delta"]
        if type(piece) is str:
            part = _find_part(acc, data, field, index_key, empty)
            if part is not None:
                part.pieces(text_field).append(piece)

    def done(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
        value = data[done_key]
        if type(value) is str:
            part = _find_part(acc, data, field, index_key, empty)
            if part is not None:
                part.texts[text_field] = [value]

    return delta, done


def _output_text_delta(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
    # The first delta of a part (feed() handles the next ones through ``_hot``), spelled out
    # rather than built by _part_text so that it can fill ``_hot``.
    piece = data["delta"]
    item = acc._items.get(data["output_index"])
    if item is None or type(piece) is not str:
        return
    entries = item.children.get("content")
    part = None if entries is None else entries.get(data["content_index"])
    if type(part) is not _Node:
        part = _find_part(acc, data, "content", "content_index", _OUTPUT_TEXT)
        if part is None:
            return
    pieces = part.texts.get("text")
    if pieces is None:
        pieces = part.pieces("text")
    pieces.append(piece)
    acc._hot = (data["output_index"], data["content_index"], pieces, part)
    logprobs = data.get("logprobs")
    if logprobs and isinstance(logprobs, list):
        _extend_logprobs(part, logprobs)


def _extend_logprobs(part: _Node, logprobs: list[Any]) -> None:
    seq = part.seqs.get("logprobs")
    if seq is None:
        start = part.data.get("logprobs")
        seq = part.seqs["logprobs"] = list(start) if isinstance(start, list) else []
    seq.extend(logprobs)


def _output_text_done(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
    text = data["text"]
    if type(text) is not str:
        return
    part = _find_part(acc, data, "content", "content_index", _OUTPUT_TEXT)
    if part is not None:
        part.texts["text"] = [text]
        logprobs = data.get("logprobs")
        # The done event always carries logprobs, usually []: an empty list says nothing.
        if logprobs and isinstance(logprobs, list):
            part.seqs["logprobs"] = list(logprobs)


def _annotation_added(acc: ResponseAccumulator, data: dict[str, Any]) -> None:
    index = data["annotation_index"]
    annotation = data.get("annotation")
    if _is_index(index) and isinstance(annotation, dict):
        part = _find_part(acc, data, "content", "content_index", _OUTPUT_TEXT)
        if part is not None:
            part.entries("annotations")[index] = annotation


_SUMMARY_TEXT = {"type": "summary_text", "text": ""}
_REASONING_TEXT = {"type": "reasoning_text", "text": ""}
_REFUSAL = {"type": "refusal", "refusal": ""}


def _handlers() -> dict[str, _Handler]:
    lifecycle, finish = ResponseAccumulator._lifecycle, ResponseAccumulator._finish
    item = ResponseAccumulator._put_item
    content_part = _put_part("content", "content_index")
    summary_part = _put_part("summary", "summary_index")
    arguments = _item_text("arguments", "arguments")  # function and MCP calls alike
    custom_input = _item_text("input", "input")
    code = _item_text("code", "code")
    summary_text = _part_text("summary", "summary_index", "text", "text", _SUMMARY_TEXT)
    reasoning_text = _part_text("content", "content_index", "text", "text", _REASONING_TEXT)
    refusal = _part_text("content", "content_index", "refusal", "refusal", _REFUSAL)
    return {
        "response.created": lifecycle,
        "response.queued": lifecycle,
        "response.in_progress": lifecycle,
        "response.completed": finish,
        "response.incomplete": finish,
        "response.failed": finish,
        # .added and .done both put the item as sent: .done is the final version.
        "response.output_item.added": item,
        "response.output_item.done": item,
        "response.content_part.added": content_part,
        "response.content_part.done": content_part,
        "response.output_text.delta": _output_text_delta,
        "response.output_text.done": _output_text_done,
        "response.output_text.annotation.added": _annotation_added,
        "response.refusal.delta": refusal[0],
        "response.refusal.done": refusal[1],
        "response.function_call_arguments.delta": arguments[0],
        "response.function_call_arguments.done": arguments[1],
        "response.custom_tool_call_input.delta": custom_input[0],
        "response.custom_tool_call_input.done": custom_input[1],
        "response.mcp_call_arguments.delta": arguments[0],
        "response.mcp_call_arguments.done": arguments[1],
        "response.code_interpreter_call_code.delta": code[0],
        "response.code_interpreter_call_code.done": code[1],
        "response.reasoning_summary_part.added": summary_part,
        "response.reasoning_summary_part.done": summary_part,
        "response.reasoning_summary_text.delta": summary_text[0],
        "response.reasoning_summary_text.done": summary_text[1],
        "response.reasoning_text.delta": reasoning_text[0],
        "response.reasoning_text.done": reasoning_text[1],
    }


#: Event ``type`` -> handler. Types not listed (``error``, search/tool progress, audio, ...)
#: change nothing the final response holds, or are the stream's business, not the snapshot's.
_HANDLERS: dict[str, _Handler] = _handlers()
