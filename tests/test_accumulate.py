"""The stream accumulator: rebuilding the final Response from events, partial snapshots and
tolerance of odd input."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# The reference SSE transcripts (API reference, section 13) live with the other wire examples.
from test_types import FUNCTION_CALL_STREAM, TEXT_STREAM, sse_payloads

from aioresponses_client._accumulate import ResponseAccumulator
from aioresponses_client._convert import structure, unstructure
from aioresponses_client._sse import SSEDecoder
from aioresponses_client.errors import ConversionError
from aioresponses_client.testing import Fault, ResponsesServer
from aioresponses_client.types import (
    CodeInterpreterCall,
    CustomToolCall,
    FunctionCall,
    McpCall,
    OutputMessage,
    OutputText,
    Reasoning,
    Refusal,
    Response,
    UrlCitation,
)
from aioresponses_client.types.events import EVENT_TYPES

MODEL = "gpt-test"
Event = dict[str, Any]

# Events that only restate, in full, what the deltas before them built.
DONE_EVENTS = frozenset(
    {
        "response.output_text.done",
        "response.refusal.done",
        "response.function_call_arguments.done",
        "response.content_part.done",
        "response.output_item.done",
    }
)


def accumulate(events: Sequence[Event]) -> ResponseAccumulator:
    acc = ResponseAccumulator()
    for event in events:
        acc.feed(event)
    return acc


def assert_rebuilt_equals_terminal(acc: ResponseAccumulator) -> None:
    terminal = acc.terminal
    assert terminal is not None
    # Raw dicts first: the rebuilt state is the server's payload key for key...
    assert acc._state() == terminal
    # ...then through the models, both ways.
    rebuilt = acc.rebuilt()
    assert rebuilt == structure(terminal, Response)
    assert unstructure(rebuilt) == terminal
    assert acc.snapshot() == rebuilt


def assert_deltas_alone_rebuild_the_output(events: Sequence[Event]) -> None:
    """Without the events that restate final values, the deltas still build the same output.

    Only item ``status`` differs: it changes to its final value in ``output_item.done``.
    """
    partial = accumulate([e for e in events[:-1] if e["type"] not in DONE_EVENTS])
    built = partial._state()["output"]
    final = events[-1]["response"]["output"]

    def without_status(items: list[Any]) -> list[Any]:
        return [{k: v for k, v in item.items() if k != "status"} for item in items]

    assert without_status(built) == without_status(final)


def opening(**overrides: Any) -> Event:
    """A ``response.created`` event with the reference's in-progress response."""
    created = copy.deepcopy(sse_payloads(TEXT_STREAM)[0])
    created["response"].update(overrides)
    return created


def item_added(index: int, item: Event) -> Event:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def message(content: list[Any] | None = None, **extra: Any) -> Event:
    item = {"id": "msg_1", "type": "message", "status": "in_progress", "role": "assistant"}
    return {**item, "content": content or [], **extra}


def text_delta(delta: str, output_index: Any = 0, content_index: Any = 0, **extra: Any) -> Event:
    return {
        "type": "response.output_text.delta",
        "item_id": "msg_1",
        "output_index": output_index,
        "content_index": content_index,
        "delta": delta,
        "logprobs": [],
        **extra,
    }


EMPTY_TEXT_PART = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}


def text_part_added(content_index: int = 0) -> Event:
    return {
        "type": "response.content_part.added",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": content_index,
        "part": EMPTY_TEXT_PART,
    }


# -- the reference transcripts -----------------------------------------------------------------


@pytest.mark.parametrize("stream", [TEXT_STREAM, FUNCTION_CALL_STREAM], ids=["text", "function"])
def test_reference_stream_rebuilds_the_completed_response(stream: str) -> None:
    events = sse_payloads(stream)
    acc = accumulate(events)

    assert acc.terminal == events[-1]["response"]
    assert_rebuilt_equals_terminal(acc)


def test_reference_text_deltas_alone_rebuild_the_text() -> None:
    events = [e for e in sse_payloads(TEXT_STREAM) if e["type"] not in DONE_EVENTS]
    acc = accumulate(events[:-1])  # and no terminal event either

    snapshot = acc.snapshot()
    assert snapshot.output_text == "Hi there!"
    assert snapshot.status == "in_progress"
    assert acc.terminal is None


def test_reference_argument_deltas_alone_rebuild_the_arguments() -> None:
    events = [e for e in sse_payloads(FUNCTION_CALL_STREAM) if e["type"] not in DONE_EVENTS]
    acc = accumulate(events[:-1])

    [call] = acc.snapshot().output
    assert isinstance(call, FunctionCall)
    assert call.parse_arguments() == {"city": "Paris"}
    assert call.name == "get_weather" and call.call_id == "call_Xk3vQ9pL2mN8rT5w"


def test_each_prefix_of_the_text_stream_snapshots_the_text_so_far() -> None:
    events = sse_payloads(TEXT_STREAM)
    acc = ResponseAccumulator()
    texts = []
    for event in events:
        acc.feed(event)
        texts.append(acc.snapshot().output_text)
    assert texts == ["", "", "", "", "Hi", "Hi there", *["Hi there!"] * 5]


# -- the embedded server over a real socket ----------------------------------------------------


async def stream_events(server: ResponsesServer, body: Mapping[str, Any]) -> list[Event]:
    """POST a streaming create and decode the SSE reply; a cut stream gives what arrived."""
    headers = {"Authorization": f"Bearer {server.api_key}"}
    decoder = SSEDecoder()
    events: list[Event] = []
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.base_url}/responses", json={**body, "stream": True}, headers=headers
        ) as reply,
    ):
        assert reply.status == 200
        try:
            async for chunk in reply.content.iter_any():
                events.extend(orjson.loads(sse.data) for sse in decoder.feed(chunk))
        except aiohttp.ClientPayloadError:
            pass  # the server cut the stream; keep what arrived
    events.extend(orjson.loads(sse.data) for sse in decoder.close())
    return events


LONG = " ".join(f"word{i}," for i in range(300)) + "\n  and   a   final line\t."
UNICODE = "héllo wörld — 你好\uff0c世界 🎉👩‍👩‍👧 ÅÆØ ﷽ e\u0301"

SERVER_INPUTS = {
    "short": {"input": "Hi"},
    "long": {"input": LONG},
    "unicode": {"input": UNICODE},
    "empty": {"input": ""},
    "blank": {"input": "   "},
    "no-user-text": {"input": [{"role": "developer", "content": "be terse"}]},
    "truncated": {"input": "one two three four five", "max_output_tokens": 2},
}


@pytest.mark.parametrize("delta_size", [None, 1, 7], ids=["words", "chars", "by7"])
@pytest.mark.parametrize("body", SERVER_INPUTS.values(), ids=SERVER_INPUTS.keys())
async def test_server_stream_rebuilds_the_terminal_response(
    body: dict[str, Any], delta_size: int | None
) -> None:
    async with ResponsesServer(delta_size=delta_size) as server:
        events = await stream_events(server, {"model": MODEL, **body})

    acc = accumulate(events)
    assert acc.terminal == events[-1]["response"]
    assert_rebuilt_equals_terminal(acc)
    assert_deltas_alone_rebuild_the_output(events)


async def test_truncated_server_stream_ends_incomplete() -> None:
    async with ResponsesServer() as server:
        body = {"model": MODEL, "input": "one two three four", "max_output_tokens": 2}
        events = await stream_events(server, body)

    acc = accumulate(events)
    assert events[-1]["type"] == "response.incomplete"
    snapshot = acc.snapshot()
    assert snapshot.status == "incomplete"
    assert snapshot.incomplete_details is not None
    assert snapshot.incomplete_details.reason == "max_output_tokens"
    assert snapshot.output_text == "one two"
    assert acc.rebuilt() == snapshot


def scripted_answer(body: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> list[Event]:
    """Output of every shape the server streams: message parts, refusal, call, reasoning."""
    return [
        {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "hm"}]},
        {
            "id": "msg_1",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [
                {"type": "output_text", "text": "first part ", "annotations": [], "logprobs": []},
                {"type": "refusal", "refusal": "I will not do that."},
                {"type": "output_text", "text": "last part", "annotations": [], "logprobs": []},
            ],
        },
        {
            "id": "fc_1",
            "type": "function_call",
            "status": "completed",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city": "Paris", "units": "metric"}',
        },
    ]


@pytest.mark.parametrize("delta_size", [None, 1])
async def test_server_stream_with_every_item_shape_rebuilds(delta_size: int | None) -> None:
    async with ResponsesServer(delta_size=delta_size) as server:
        # The server takes a scripted model through its (test-only) API object.
        server._api.answer = scripted_answer
        events = await stream_events(server, {"model": MODEL, "input": "go"})

    assert_rebuilt_equals_terminal(accumulate(events))
    assert_deltas_alone_rebuild_the_output(events)


@pytest.mark.parametrize("cut_after", [0, 1, 4, 6, 9])
async def test_stream_cut_before_the_terminal_event_snapshots_the_text_so_far(
    cut_after: int,
) -> None:
    async with ResponsesServer() as server:
        server.inject(Fault(disconnect_after_events=cut_after))
        events = await stream_events(server, {"model": MODEL, "input": "a b c d e f g h"})

    assert len(events) == cut_after
    acc = accumulate(events)
    assert acc.terminal is None
    if cut_after == 0:
        assert not acc.started
        with pytest.raises(ConversionError, match="no event carrying a response"):
            acc.snapshot()
        return
    assert acc.started
    snapshot = acc.snapshot()
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert snapshot.output_text == deltas
    assert snapshot.status == "in_progress"
    assert snapshot.usage is None


# -- event sequences built by hand -------------------------------------------------------------


def reasoning_events() -> list[Event]:
    where = {"item_id": "rs_1", "output_index": 0}
    summary_part = {"type": "summary_text", "text": ""}
    return [
        opening(),
        item_added(0, {"id": "rs_1", "type": "reasoning", "summary": []}),
        {
            "type": "response.reasoning_summary_part.added",
            **where,
            "summary_index": 0,
            "part": summary_part,
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **where,
            "summary_index": 0,
            "delta": "Thinking ",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **where,
            "summary_index": 0,
            "delta": "hard.",
        },
        {
            "type": "response.reasoning_summary_text.done",
            **where,
            "summary_index": 0,
            "text": "Thinking hard.",
        },
        {
            "type": "response.reasoning_summary_part.done",
            **where,
            "summary_index": 0,
            "part": {"type": "summary_text", "text": "Thinking hard."},
        },
        {
            "type": "response.reasoning_summary_part.added",
            **where,
            "summary_index": 1,
            "part": summary_part,
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **where,
            "summary_index": 1,
            "delta": "Then ",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            **where,
            "summary_index": 1,
            "delta": "answer",
        },
        {
            "type": "response.content_part.added",
            **where,
            "content_index": 0,
            "part": {"type": "reasoning_text", "text": ""},
        },
        {"type": "response.reasoning_text.delta", **where, "content_index": 0, "delta": "raw "},
        {"type": "response.reasoning_text.delta", **where, "content_index": 0, "delta": "chain"},
    ]


def test_reasoning_summary_and_text_accumulate() -> None:
    acc = accumulate(reasoning_events())

    [item] = acc.snapshot().output
    assert isinstance(item, Reasoning)
    assert [part.text for part in item.summary] == ["Thinking hard.", "Then answer"]
    assert item.content is not None and [part.text for part in item.content] == ["raw chain"]


def test_reasoning_done_events_set_the_final_text() -> None:
    where = {"item_id": "rs_1", "output_index": 0}
    acc = accumulate(
        [
            *reasoning_events(),
            {
                "type": "response.reasoning_summary_text.done",
                **where,
                "summary_index": 1,
                "text": "Then answer.",
            },
            {
                "type": "response.reasoning_text.done",
                **where,
                "content_index": 0,
                "text": "raw chain!",
            },
        ]
    )
    [item] = acc.snapshot().output
    assert isinstance(item, Reasoning)
    assert [part.text for part in item.summary] == ["Thinking hard.", "Then answer."]
    assert item.content is not None and [part.text for part in item.content] == ["raw chain!"]


def test_reasoning_without_content_events_keeps_content_null() -> None:
    acc = accumulate([opening(), item_added(0, {"id": "rs_1", "type": "reasoning", "summary": []})])
    [item] = acc._state()["output"]
    assert item == {"id": "rs_1", "type": "reasoning", "summary": []}


def test_summary_delta_without_its_part_added_creates_the_part() -> None:
    acc = accumulate(
        [
            opening(),
            item_added(0, {"id": "rs_1", "type": "reasoning", "summary": []}),
            {
                "type": "response.reasoning_summary_text.delta",
                "item_id": "rs_1",
                "output_index": 0,
                "summary_index": 0,
                "delta": "quick",
            },
        ]
    )
    [item] = acc.snapshot().output
    assert isinstance(item, Reasoning) and item.summary[0].text == "quick"


def refusal_events() -> list[Event]:
    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    return [
        opening(),
        item_added(0, message()),
        {
            "type": "response.content_part.added",
            **where,
            "part": {"type": "refusal", "refusal": ""},
        },
        {"type": "response.refusal.delta", **where, "delta": "I can't "},
        {"type": "response.refusal.delta", **where, "delta": "help"},
    ]


def test_refusal_deltas_accumulate_and_done_sets_the_final_refusal() -> None:
    acc = accumulate(refusal_events())
    [item] = acc.snapshot().output
    assert isinstance(item, OutputMessage) and item.content == [Refusal(refusal="I can't help")]

    where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    acc.feed({"type": "response.refusal.done", **where, "refusal": "I can't help with that."})
    [item] = acc.snapshot().output
    assert isinstance(item, OutputMessage)
    assert item.content == [Refusal(refusal="I can't help with that.")]
    assert item.status == "in_progress"


@pytest.mark.parametrize(
    ("prefix", "item", "field", "done_key", "cls"),
    [
        (
            "function_call_arguments",
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": ""},
            "arguments",
            "arguments",
            FunctionCall,
        ),
        (
            "custom_tool_call_input",
            {"type": "custom_tool_call", "call_id": "c", "name": "f", "input": ""},
            "input",
            "input",
            CustomToolCall,
        ),
        (
            "mcp_call_arguments",
            {"type": "mcp_call", "server_label": "s", "name": "f", "arguments": ""},
            "arguments",
            "arguments",
            McpCall,
        ),
        (
            "code_interpreter_call_code",
            {
                "type": "code_interpreter_call",
                "container_id": "cn",
                "status": "in_progress",
                "code": None,
                "outputs": None,
            },
            "code",
            "code",
            CodeInterpreterCall,
        ),
    ],
    ids=["function", "custom", "mcp", "code"],
)
def test_tool_call_deltas_accumulate_into_their_field(
    prefix: str, item: Event, field: str, done_key: str, cls: type
) -> None:
    where = {"item_id": "it_1", "output_index": 0}
    acc = accumulate(
        [
            opening(),
            item_added(0, {"id": "it_1", **item}),
            {"type": f"response.{prefix}.delta", **where, "delta": "print("},
            {"type": f"response.{prefix}.delta", **where, "delta": "1)"},
        ]
    )
    [built] = acc.snapshot().output
    assert isinstance(built, cls) and getattr(built, field) == "print(1)"

    acc.feed({"type": f"response.{prefix}.done", **where, done_key: "print(2)"})
    [built] = acc.snapshot().output
    assert getattr(built, field) == "print(2)"


def test_annotations_land_at_their_index() -> None:
    def citation(n: int) -> Event:
        return {
            "type": "url_citation",
            "url": f"https://e.x/{n}",
            "title": f"t{n}",
            "start_index": 0,
            "end_index": 1,
        }

    def annotated(index: int) -> Event:
        return {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "annotation_index": index,
            "annotation": citation(index),
        }

    acc = accumulate(
        [
            opening(),
            item_added(0, message()),
            text_part_added(),
            text_delta("See"),
            annotated(1),
            annotated(0),
            annotated(2),
        ]
    )
    [item] = acc.snapshot().output
    assert isinstance(item, OutputMessage)
    [part] = item.content
    assert isinstance(part, OutputText) and part.text == "See"
    assert [a.url for a in part.annotations if isinstance(a, UrlCitation)] == [
        "https://e.x/0",
        "https://e.x/1",
        "https://e.x/2",
    ]


def test_text_done_replaces_the_accumulated_text() -> None:
    acc = accumulate([opening(), item_added(0, message()), text_part_added(), text_delta("draft")])
    acc.feed({**text_delta(""), "type": "response.output_text.done", "text": "final"})
    assert acc.snapshot().output_text == "final"


def test_logprobs_of_deltas_accumulate_on_the_part() -> None:
    first = [{"token": "Hi", "logprob": -0.1, "top_logprobs": []}]
    second = [{"token": "!", "logprob": -0.5, "top_logprobs": []}]
    acc = accumulate(
        [
            opening(),
            item_added(0, message()),
            text_part_added(),
            {**text_delta("Hi"), "logprobs": first},
            text_delta(""),  # an empty list adds nothing
            {**text_delta("!"), "logprobs": second},
        ]
    )
    [item] = acc._state()["output"]
    assert item["content"][0]["logprobs"] == first + second
    assert acc.snapshot().output_text == "Hi!"


def test_items_and_parts_are_laid_out_by_index_not_arrival() -> None:
    call = {"id": "fc_1", "type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"}
    acc = accumulate(
        [
            opening(),
            item_added(1, call),
            item_added(0, message()),
            text_part_added(1),
            text_part_added(0),
            text_delta("B", content_index=1),
            text_delta("A", content_index=0),
        ]
    )
    snapshot = acc.snapshot()
    assert [item.type for item in snapshot.output] == ["message", "function_call"]
    assert snapshot.output_text == "AB"


def test_output_item_done_replaces_the_item() -> None:
    final = message(
        [{"type": "output_text", "text": "Done.", "annotations": []}], status="completed"
    )
    acc = accumulate([opening(), item_added(0, message()), text_part_added(), text_delta("Do")])
    acc.feed({"type": "response.output_item.done", "output_index": 0, "item": final})
    assert acc._state()["output"] == [final]


def test_later_lifecycle_events_update_status_but_keep_the_output() -> None:
    acc = accumulate(
        [
            opening(status="queued"),
            item_added(0, message()),
            text_part_added(),
            text_delta("kept"),
            {
                "type": "response.in_progress",
                "response": {**opening()["response"], "status": "in_progress"},
            },
        ]
    )
    snapshot = acc.snapshot()
    assert snapshot.status == "in_progress"
    assert snapshot.output_text == "kept"


def test_terminal_fields_update_the_rebuilt_state_but_not_its_output() -> None:
    events = sse_payloads(TEXT_STREAM)
    terminal = copy.deepcopy(events[-1])
    terminal["response"]["output"] = []  # a terminal payload disagreeing with the events
    acc = accumulate([*events[:-1], terminal])

    assert acc.snapshot().output == []  # snapshot() is the server's word
    rebuilt = acc.rebuilt()
    assert rebuilt.output_text == "Hi there!"  # rebuilt() is the events' word...
    assert rebuilt.status == "completed"  # ...with the terminal's top-level fields
    assert rebuilt.usage is not None and rebuilt.usage.total_tokens == 15
    assert rebuilt.completed_at == 1756380191


def test_terminal_without_output_gets_the_rebuilt_output() -> None:
    events = sse_payloads(TEXT_STREAM)
    terminal = copy.deepcopy(events[-1])
    del terminal["response"]["output"]
    acc = accumulate([*events[:-1], terminal])
    assert acc.snapshot().output_text == "Hi there!"
    assert acc.snapshot().status == "completed"


def test_failed_response_is_terminal() -> None:
    failed = {
        **opening()["response"],
        "status": "failed",
        "error": {"code": "server_error", "message": "boom"},
    }
    acc = accumulate(
        [
            opening(),
            item_added(0, message()),
            text_part_added(),
            text_delta("par"),
            {"type": "response.failed", "response": failed},
        ]
    )
    assert acc.terminal is failed
    snapshot = acc.snapshot()
    assert snapshot.status == "failed"
    assert snapshot.error is not None and snapshot.error.message == "boom"
    assert acc.rebuilt().output_text == "par"
    assert acc.rebuilt().status == "failed"


def test_terminal_alone_is_enough_for_a_snapshot() -> None:
    acc = accumulate(sse_payloads(TEXT_STREAM)[-1:])
    assert acc.started
    assert acc.snapshot().output_text == "Hi there!"
    assert acc.rebuilt().output == []


def test_snapshot_before_any_response_raises_conversion_error() -> None:
    acc = accumulate([item_added(0, message()), text_delta("lost")])
    assert not acc.started
    with pytest.raises(ConversionError):
        acc.snapshot()
    with pytest.raises(ConversionError):
        acc.rebuilt()


def test_feed_does_not_modify_the_payloads() -> None:
    events = sse_payloads(TEXT_STREAM) + reasoning_events() + refusal_events()
    before = copy.deepcopy(events)
    acc = accumulate(events)
    acc.snapshot()
    acc.rebuilt()
    assert events == before


def test_snapshots_are_independent_of_later_events() -> None:
    acc = accumulate([opening(), item_added(0, message()), text_part_added(), text_delta("a")])
    first = acc.snapshot()
    acc.feed(text_delta("b"))
    assert first.output_text == "a"
    assert acc.snapshot().output_text == "ab"


# -- odd input ---------------------------------------------------------------------------------


def base_events() -> list[Event]:
    return [opening(), item_added(0, message()), text_part_added(), text_delta("ok")]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "response.future_feature", "output_index": 0, "delta": "x"},
        {"type": "error", "code": "server_error", "message": "boom", "param": None},
        {"type": "response.web_search_call.searching", "item_id": "ws", "output_index": 0},
        {"no_type": True},
        {"type": None},
        {"type": ["response.output_text.delta"]},
        {"type": {"nested": 1}},
        {"type": 7},
        {},
    ],
)
def test_unknown_events_are_ignored(event: Event) -> None:
    acc = accumulate(base_events())
    before = acc._state()
    acc.feed(event)
    assert acc._state() == before


@pytest.mark.parametrize(
    "event",
    [
        text_delta("x", output_index=5),  # no such item: cannot invent one
        text_delta("x", output_index=-1),
        text_delta("x", output_index="0"),
        text_delta("x", output_index=None),
        text_delta("x", output_index=[0]),
        text_delta("x", output_index=1.5),
        text_delta("x", content_index=-1),
        text_delta("x", content_index=True),
        text_delta("x", content_index={"a": 1}),
        text_delta(None),  # type: ignore[arg-type]
        text_delta(["x"]),  # type: ignore[arg-type]
        {"type": "response.output_text.delta"},
        {"type": "response.output_item.added", "output_index": 1, "item": None},
        {"type": "response.output_item.added", "output_index": -3, "item": message()},
        {"type": "response.output_item.added", "output_index": 1, "item": "message"},
        {"type": "response.output_item.done", "output_index": "1", "item": message()},
        {
            "type": "response.content_part.added",
            "output_index": 0,
            "content_index": "z",
            "part": EMPTY_TEXT_PART,
        },
        {
            "type": "response.content_part.added",
            "output_index": 0,
            "content_index": 1,
            "part": None,
        },
        {
            "type": "response.output_text.annotation.added",
            "output_index": 0,
            "content_index": 0,
            "annotation_index": 0,
            "annotation": None,
        },
        {
            "type": "response.output_text.annotation.added",
            "output_index": 0,
            "content_index": 0,
            "annotation_index": -1,
            "annotation": {"type": "x"},
        },
        {"type": "response.output_text.done", "output_index": 0, "content_index": 0, "text": 3},
        {"type": "response.function_call_arguments.delta", "output_index": 9, "delta": "{"},
        {"type": "response.function_call_arguments.done", "output_index": 0, "arguments": None},
        {
            "type": "response.reasoning_summary_text.delta",
            "output_index": 0,
            "summary_index": "0",
            "delta": "x",
        },
        {"type": "response.created", "response": None},
        {"type": "response.completed", "response": "done"},
        {"type": "response.in_progress"},
    ],
)
def test_events_with_odd_fields_change_nothing(event: Event) -> None:
    acc = accumulate(base_events())
    before = acc._state()
    acc.feed(event)
    assert acc._state() == before
    assert acc.terminal is None
    assert acc.snapshot().output_text == "ok"


def test_odd_logprobs_are_ignored_but_the_text_is_kept() -> None:
    acc = accumulate([*base_events(), {**text_delta("!"), "logprobs": "not a list"}])
    [item] = acc._state()["output"]
    assert item["content"][0]["logprobs"] == []
    assert acc.snapshot().output_text == "ok!"


def test_delta_for_an_unannounced_part_of_a_known_item_creates_it() -> None:
    acc = accumulate([opening(), item_added(0, message()), text_delta("no part event", 0, 3)])
    [item] = acc._state()["output"]
    assert item["content"] == [{"type": "output_text", "text": "no part event", "annotations": []}]
    assert acc.snapshot().output_text == "no part event"


def test_item_done_without_added_is_kept() -> None:
    final = message([{"type": "output_text", "text": "late", "annotations": []}])
    acc = accumulate(
        [opening(), {"type": "response.output_item.done", "output_index": 2, "item": final}]
    )
    assert acc.snapshot().output_text == "late"


def test_non_object_entries_in_a_payload_list_are_kept_and_skipped() -> None:
    acc = accumulate([opening(), item_added(0, message(["junk"])), text_delta("x")])
    # The event names a place holding a non-object: nothing is written there.
    assert acc._state()["output"][0]["content"] == ["junk"]


# Values the random events are made of: small indexes (so that events hit existing slots),
# strings, and nested JSON shaped like items and parts.
FIELD_NAMES = [
    "type",
    "output_index",
    "content_index",
    "summary_index",
    "annotation_index",
    "delta",
    "text",
    "refusal",
    "arguments",
    "input",
    "code",
    "item",
    "part",
    "annotation",
    "response",
    "logprobs",
    "content",
    "summary",
    "annotations",
    "output",
    "status",
    "id",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-2, max_value=3)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.sampled_from(["output_text", "refusal", "summary_text", "message", "reasoning"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=5)
    ),
    max_leaves=12,
)
event_types = st.sampled_from(sorted(EVENT_TYPES)) | json_values
random_events = st.builds(
    lambda kind, fields: {**fields, "type": kind},
    event_types,
    st.dictionaries(st.sampled_from(FIELD_NAMES[1:]), json_values, max_size=6),
)

# Well-formed events of every handled kind, with some fields swapped for random values: these
# get past the first lookups and reach the deep paths that purely random dicts rarely do.
WELL_FORMED = [
    *sse_payloads(TEXT_STREAM),
    *sse_payloads(FUNCTION_CALL_STREAM),
    *reasoning_events(),
    *refusal_events(),
]
mutated_events = st.builds(
    lambda event, changes: {**event, **changes},
    st.sampled_from(WELL_FORMED),
    st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(events=st.lists(random_events | mutated_events | st.sampled_from(WELL_FORMED), max_size=30))
def test_random_events_never_raise(events: list[Event]) -> None:
    acc = ResponseAccumulator()
    for event in [*base_events(), *events]:
        acc.feed(event)
    # Building may find that what arrived does not fit Response, but says so in one way only.
    for build in (acc.snapshot, acc.rebuilt):
        try:
            build()
        except ConversionError:
            pass


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_any_json_value_fed_never_raises(value: Any) -> None:
    acc = ResponseAccumulator()
    acc.feed(value)
    assert not acc.started or isinstance(value, dict)
