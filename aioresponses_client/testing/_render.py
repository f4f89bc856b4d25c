"""Turning script outputs into output items and the stream events that build them.

Each output becomes its final item first; its events are then derived from that item, so
``output_item.added`` plus the deltas always rebuild exactly what ``output_item.done`` and the
final response carry.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from ._items import Item
from ._script import (
    FunctionCall,
    Message,
    Output,
    Pieces,
    RawEvent,
    RawItem,
    Reasoning,
    Refusal,
    Text,
    UrlCitation,
    WebSearch,
    joined,
)
from ._wire import new_id

_WORDS = re.compile(r"\s*\S+|\s+")
SOURCES_INCLUDE = "web_search_call.action.sources"
RAW_BYTES = "_raw_bytes"


def split_deltas(text: str, size: int | None) -> list[str]:
    """Chunks of *text* in *size* characters, or word by word with the spaces kept."""
    if size is not None:
        return [text[i : i + size] for i in range(0, len(text), size)]
    return _WORDS.findall(text)


def deltas(value: Pieces, size: int | None) -> list[str]:
    """The deltas streaming *value*: its own pieces, or its text split by *size*."""
    return list(value) if isinstance(value, tuple) else split_deltas(value, size)


def _citation(citation: UrlCitation | dict[str, Any], text: str) -> dict[str, Any]:
    if not isinstance(citation, UrlCitation):
        return dict(citation)
    start, end = 0, len(text)
    if citation.quote is not None:
        start = text.find(citation.quote)
        if start < 0:
            raise ValueError(f"cited quote {citation.quote!r} is not in the text {text!r}")
        end = start + len(citation.quote)
    return {
        "type": "url_citation",
        "url": citation.url,
        "title": citation.title,
        "start_index": start,
        "end_index": end,
    }


def _part(spec: Text | Refusal) -> Item:
    if isinstance(spec, Refusal):
        return {"type": "refusal", "refusal": joined(spec.refusal)}
    text = joined(spec.text)
    annotations = [_citation(a, text) for a in spec.annotations]
    return {"type": "output_text", "text": text, "annotations": annotations, "logprobs": []}


def build_item(spec: Output, body: Mapping[str, Any]) -> Item:
    """The final output item for *spec* (not a ``RawEvent``)."""
    if isinstance(spec, (Text, Refusal, Message)):
        parts = spec.parts if isinstance(spec, Message) else (spec,)
        return {
            "id": new_id("msg"),
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [_part(part) for part in parts],
        }
    if isinstance(spec, FunctionCall):
        return {
            "id": new_id("fc"),
            "type": "function_call",
            "status": "completed",
            "arguments": joined(spec.arguments),
            "call_id": spec.call_id or f"call_{secrets.token_hex(12)}",
            "name": spec.name,
        }
    if isinstance(spec, Reasoning):
        summary = [{"type": "summary_text", "text": joined(part)} for part in spec.summary]
        return {"id": new_id("rs"), "type": "reasoning", "summary": summary}
    if isinstance(spec, WebSearch):
        action: Item = {"type": "search", "query": spec.query}
        include = body.get("include")
        if isinstance(include, list) and SOURCES_INCLUDE in include:
            action["sources"] = [{"type": "url", "url": url} for url in spec.sources]
        return {
            "id": new_id("ws"),
            "type": "web_search_call",
            "status": "completed",
            "action": action,
        }
    if isinstance(spec, RawItem):
        return dict(spec.item)
    raise TypeError(f"{spec!r} has no output item")


def _message_events(
    spec: Text | Refusal | Message, item: Item, at: Item, size: int | None
) -> list[Item]:
    specs = spec.parts if isinstance(spec, Message) else (spec,)
    events: list[Item] = []
    for content_index, (part_spec, part) in enumerate(zip(specs, item["content"], strict=True)):
        where = {**at, "content_index": content_index}
        size_here = part_spec.delta_size or size
        if isinstance(part_spec, Refusal):
            empty: Item = {"type": "refusal", "refusal": ""}
            events.append({"type": "response.content_part.added", **where, "part": empty})
            for delta in deltas(part_spec.refusal, size_here):
                events.append({"type": "response.refusal.delta", **where, "delta": delta})
            events.append({"type": "response.refusal.done", **where, "refusal": part["refusal"]})
        else:
            empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            events.append({"type": "response.content_part.added", **where, "part": empty})
            for delta in deltas(part_spec.text, size_here):
                events.append(
                    {"type": "response.output_text.delta", **where, "delta": delta, "logprobs": []}
                )
            for number, annotation in enumerate(part["annotations"]):
                events.append(
                    {
                        "type": "response.output_text.annotation.added",
                        **where,
                        "annotation_index": number,
                        "annotation": annotation,
                    }
                )
            events.append(
                {"type": "response.output_text.done", **where, "text": part["text"], "logprobs": []}
            )
        events.append({"type": "response.content_part.done", **where, "part": part})
    return events


def _reasoning_events(spec: Reasoning, item: Item, at: Item, size: int | None) -> list[Item]:
    events: list[Item] = []
    for index, (pieces, part) in enumerate(zip(spec.summary, item["summary"], strict=True)):
        where = {**at, "summary_index": index}
        empty = {"type": "summary_text", "text": ""}
        events.append({"type": "response.reasoning_summary_part.added", **where, "part": empty})
        for delta in deltas(pieces, spec.delta_size or size):
            events.append(
                {"type": "response.reasoning_summary_text.delta", **where, "delta": delta}
            )
        events.append(
            {"type": "response.reasoning_summary_text.done", **where, "text": part["text"]}
        )
        events.append({"type": "response.reasoning_summary_part.done", **where, "part": part})
    return events


def _started(item: Item) -> Item:
    """*item* as ``output_item.added`` shows it: in progress, with nothing streamed yet."""
    started = dict(item)
    if "status" in started:
        started["status"] = "in_progress"
    if item.get("type") == "message":
        started["content"] = []
    elif item.get("type") == "function_call":
        started["arguments"] = ""
    elif item.get("type") == "reasoning":
        started["summary"] = []
    return started


def item_events(spec: Output, item: Item, index: int, size: int | None) -> list[Item]:
    """Every event streaming *item* (built from *spec*) at output position *index*."""
    at: Item = {"item_id": item["id"], "output_index": index}
    body: list[Item] = []
    started = dict(item) if isinstance(spec, RawItem) else _started(item)
    if isinstance(spec, (Text, Refusal, Message)):
        body = _message_events(spec, item, at, size)
    elif isinstance(spec, FunctionCall):
        body = [
            {"type": "response.function_call_arguments.delta", **at, "delta": delta}
            for delta in deltas(spec.arguments, spec.delta_size or size)
        ]
        body.append(
            {"type": "response.function_call_arguments.done", **at, "arguments": item["arguments"]}
        )
    elif isinstance(spec, Reasoning):
        body = _reasoning_events(spec, item, at, size)
    elif isinstance(spec, WebSearch):
        body = [
            {"type": f"response.web_search_call.{step}", **at}
            for step in ("in_progress", "searching", "completed")
        ]
    return [
        {"type": "response.output_item.added", "output_index": index, "item": started},
        *body,
        {"type": "response.output_item.done", "output_index": index, "item": item},
    ]


def render_outputs(
    outputs: tuple[Output, ...], body: Mapping[str, Any], size: int | None, *, cut_short: bool
) -> tuple[list[Item], list[Item]]:
    """The output items and their events (unnumbered) for a script's *outputs*.

    *cut_short* marks the last item ``incomplete`` (where items have a status), the way a
    response that ran out of tokens ends.
    """
    built: list[tuple[Output, Item]] = []
    for spec in outputs:
        if not isinstance(spec, RawEvent):
            built.append((spec, build_item(spec, body)))
    if cut_short and built and "status" in built[-1][1]:
        built[-1] = (built[-1][0], {**built[-1][1], "status": "incomplete"})
    events: list[Item] = []
    index = 0
    for spec in outputs:
        if isinstance(spec, RawEvent):
            event = spec.event
            # Raw bytes ride in the event list under a key no API event has.
            events.append({RAW_BYTES: event} if isinstance(event, bytes) else dict(event))
            continue
        events.extend(item_events(spec, built[index][1], index, size))
        index += 1
    return [item for _, item in built], events
