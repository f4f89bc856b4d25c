"""A response's life: every event its stream carries, and how far along it is.

The whole event sequence is planned when the response is created. A foreground run has shown
all of it at once; a background run reveals it over time (see ``_background``), and its
Response snapshot, its status and any live stream follow what has been revealed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import attrs

from ._chunks import Chunking
from ._items import Item
from ._render import RAW_BYTES
from ._response import opening_view
from ._script import End, StreamError

_TERMINAL_EVENTS = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
}
_LIFECYCLE = frozenset(
    {"response.created", "response.queued", "response.in_progress", *_TERMINAL_EVENTS.values()}
)
TERMINAL_STATUSES = frozenset({"completed", "incomplete", "failed", "cancelled"})


class Signal:
    """Wakes every waiter each time ``notify`` is called (a broadcast, unlike ``Event``)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting now; later waiters wait for the next notify."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        """Return at the next ``notify``."""
        await self._event.wait()


def plan_events(
    response: Item,
    final: Item,
    item_events: list[Item],
    end: End | None,
    *,
    background: bool,
) -> tuple[list[Item], Item]:
    """The numbered event sequence of a run, and its final Response.

    Opening: ``created`` and ``in_progress`` (``created``, ``queued``, ``in_progress`` in the
    background, where ``created`` already says ``queued``; the SDK's stream helper needs
    ``created`` first). Then the items' events and the terminal event for the final status. A
    ``StreamError`` replaces the tail after its ``after`` events with an ``error`` event; the
    final Response then keeps only the items finished before the cut.
    """
    if background:
        queued = opening_view(response, "queued")
        opening = [
            {"type": "response.created", "response": queued},
            {"type": "response.queued", "response": queued},
        ]
    else:
        opening = [{"type": "response.created", "response": opening_view(response)}]
    opening.append({"type": "response.in_progress", "response": opening_view(response)})
    events = [*opening, *item_events]
    if isinstance(end, StreamError):
        if end.after is not None:
            events = events[: end.after]
        done = [e["item"] for e in events if e.get("type") == "response.output_item.done"]
        final = {**final, "output": done}
        error = {"type": "error", "code": end.code, "message": end.message, "param": end.param}
        events.append(error)
    else:
        events.append({"type": _TERMINAL_EVENTS[final["status"]], "response": final})
    numbered: list[Item] = []
    number = 0
    for event in events:
        if RAW_BYTES not in event:
            # sequence_number goes right after type, where the API puts it; a raw event may
            # bring its own (wrong on purpose).
            event = {"type": event.get("type"), "sequence_number": number, **event}
            number += 1
        numbered.append(event)
    return numbered, final


def snapshot(events: list[Item], shown: int, final: Item) -> Item:
    """The Response as retrieve shows it after the first *shown* events: the latest lifecycle
    event's, with the items finished so far."""
    response: Item | None = None
    output: dict[int, Item] = {}
    for event in events[:shown]:
        kind = event.get("type")
        if kind == "error":
            return final
        if kind in _LIFECYCLE and isinstance(event.get("response"), Mapping):
            response = event["response"]
        elif kind == "response.output_item.done":
            output[event["output_index"]] = event["item"]
    if response is None:
        return final
    if response.get("status") in TERMINAL_STATUSES:
        return dict(response)
    return {**response, "output": [output[index] for index in sorted(output)]}


@attrs.define(eq=False)
class Run:
    """A stored (or just streamed) response: its planned events and how many have happened.

    ``response`` is what retrieve returns now; ``final`` what it will be when the run is done.
    ``statuses`` lists every status it has had, in order, so waiters never miss a short one.
    ``on_done`` is called with the Response when it reaches a terminal status later on.
    """

    response: Item
    final: Item
    input_items: list[Item]
    events: list[Item]
    shown: int
    pace: float = 0.0
    chunking: Chunking | None = None
    statuses: list[str] = attrs.field(factory=list)
    changed: Signal = attrs.field(factory=Signal)
    on_done: Callable[[Item], None] | None = None

    def __attrs_post_init__(self) -> None:
        self.statuses.append(self.response["status"])

    @property
    def id(self) -> str:
        """The response id."""
        return str(self.response["id"])

    @property
    def background(self) -> bool:
        """Whether it was created with ``background=true`` (only those can be cancelled)."""
        return bool(self.response.get("background"))

    @property
    def done(self) -> bool:
        """Whether its status is terminal: nothing more will happen."""
        return self.response["status"] in TERMINAL_STATUSES

    def items(self) -> list[Item]:
        """Its input items followed by its output items (so far)."""
        return [*self.input_items, *(self.response.get("output") or [])]

    def _set(self, response: Item) -> None:
        was_done = self.done
        self.response = response
        if response["status"] != self.statuses[-1]:
            self.statuses.append(response["status"])
        self.changed.notify()
        if self.done and not was_done and self.on_done is not None:
            self.on_done(response)

    def reveal(self, count: int) -> None:
        """The first *count* events have now happened."""
        for event in self.events[self.shown : count]:
            # Note every status passed on the way, even when several events happen at once.
            response = event.get("response")
            if event.get("type") in _LIFECYCLE and isinstance(response, Mapping):
                if response.get("status") != self.statuses[-1]:
                    self.statuses.append(response["status"])
        self.shown = count
        self._set(snapshot(self.events, count, self.final))

    def cancel(self) -> None:
        """Stop where it stands, as ``cancelled``; a finished run is left as it is."""
        if self.done:
            return
        del self.events[self.shown :]
        self._set({**self.response, "status": "cancelled"})

    def first_after(self, number: int) -> int:
        """Index of the first event with a sequence number above *number*.

        Raw byte events have no number: they belong with the numbered event before them.
        """
        last = -1
        for index, event in enumerate(self.events):
            last = event.get("sequence_number", last)
            if isinstance(last, int) and last > number:
                return index
        return len(self.events)
