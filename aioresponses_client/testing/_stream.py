"""Server-sent events: the event sequence for a response, and writing it to a client."""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

from aiohttp import web

from ._items import Item
from ._response import in_progress_view
from ._wire import dumps

_TERMINAL_EVENTS = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
}
_WORDS = re.compile(r"\s*\S+|\s+")
_OBFUSCATION_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def split_deltas(text: str, size: int | None) -> list[str]:
    """Chunks of *text* in *size* characters, or word by word with the spaces kept."""
    if size is not None:
        return [text[i : i + size] for i in range(0, len(text), size)]
    return _WORDS.findall(text)


def _empty_part(part: Item) -> Item:
    if part.get("type") == "refusal":
        return {**part, "refusal": ""}
    return {**part, "text": "", "annotations": [], "logprobs": []}


def _message_events(item: Item, index: int, delta_size: int | None) -> list[Item]:
    events: list[Item] = []
    where = {"item_id": item["id"], "output_index": index}
    for content_index, part in enumerate(item.get("content") or []):
        at = {**where, "content_index": content_index}
        events.append({"type": "response.content_part.added", **at, "part": _empty_part(part)})
        if part.get("type") == "refusal":
            refusal = part.get("refusal", "")
            for delta in split_deltas(refusal, delta_size):
                events.append({"type": "response.refusal.delta", **at, "delta": delta})
            events.append({"type": "response.refusal.done", **at, "refusal": refusal})
        else:
            text = part.get("text", "")
            for delta in split_deltas(text, delta_size):
                events.append(
                    {"type": "response.output_text.delta", **at, "delta": delta, "logprobs": []}
                )
            events.append({"type": "response.output_text.done", **at, "text": text, "logprobs": []})
        events.append({"type": "response.content_part.done", **at, "part": part})
    return events


def _function_call_events(item: Item, index: int, delta_size: int | None) -> list[Item]:
    where = {"item_id": item["id"], "output_index": index}
    arguments = item.get("arguments", "")
    events: list[Item] = [
        {"type": "response.function_call_arguments.delta", **where, "delta": delta}
        for delta in split_deltas(arguments, delta_size)
    ]
    events.append(
        {"type": "response.function_call_arguments.done", **where, "arguments": arguments}
    )
    return events


def _item_events(item: Item, index: int, delta_size: int | None) -> list[Item]:
    started = dict(item)
    if "status" in started:
        started["status"] = "in_progress"
    body: list[Item] = []
    if item.get("type") == "message":
        started["content"] = []
        body = _message_events(item, index, delta_size)
    elif item.get("type") == "function_call":
        started["arguments"] = ""
        body = _function_call_events(item, index, delta_size)
    return [
        {"type": "response.output_item.added", "output_index": index, "item": started},
        *body,
        {"type": "response.output_item.done", "output_index": index, "item": item},
    ]


def response_events(response: Item, delta_size: int | None = None) -> list[Item]:
    """Every event a stream of the finished *response* carries, numbered from 0."""
    opening = in_progress_view(response)
    events: list[Item] = [
        {"type": "response.created", "response": opening},
        {"type": "response.in_progress", "response": opening},
    ]
    for index, item in enumerate(response.get("output") or []):
        events.extend(_item_events(item, index, delta_size))
    terminal = _TERMINAL_EVENTS.get(response.get("status", ""))
    if terminal is not None:
        events.append({"type": terminal, "response": response})
    # sequence_number goes right after type, where the API puts it.
    return [
        {"type": event["type"], "sequence_number": number, **event}
        for number, event in enumerate(events)
    ]


def _obfuscation(delta: Any) -> str:
    # Random padding that evens out delta sizes on the wire, like the API's; content is noise.
    length = 16 - len(str(delta)) % 16
    return "".join(secrets.choice(_OBFUSCATION_ALPHABET) for _ in range(length))


def encode_event(event: Item, *, obfuscate: bool = True) -> bytes:
    """One SSE frame: ``event:`` line, one compact ``data:`` line, blank line."""
    if obfuscate and "delta" in event:
        event = {**event, "obfuscation": _obfuscation(event["delta"])}
    name = str(event["type"]).encode()
    return b"event: " + name + b"\ndata: " + dumps(event) + b"\n\n"


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


async def send_events(
    request: web.Request,
    events: list[Item],
    *,
    tracker: StreamTracker,
    obfuscate: bool = True,
    event_delay: float = 0.0,
    abort_after: int | None = None,
) -> web.StreamResponse:
    """Write *events* as an SSE reply, one write per event so clients see them arrive apart.

    With *abort_after* = K the connection is closed after K events, mid-body. A client that
    disconnects early just ends the stream: no exception escapes, so aiohttp logs nothing.
    """
    reply = web.StreamResponse(
        headers={"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
    )
    tracker.opened()
    client_gone = False
    try:
        await reply.prepare(request)
        for number, event in enumerate(events):
            cut = abort_after is not None and number >= abort_after
            if cut or (number and await tracker.pause(event_delay)):
                if request.transport is not None:
                    # close(), not abort(): the events already written must reach the client.
                    request.transport.close()
                return reply
            await reply.write(encode_event(event, obfuscate=obfuscate))
        await reply.write_eof()
    except ConnectionError:
        client_gone = True
    finally:
        tracker.closed(client_gone=client_gone)
    return reply
