"""Scripted responses: every kind of output streams the API's exact event sequence.

Each stream is read twice over: as raw JSON (to rebuild the response from the deltas with code
that knows nothing of the server) and through the official SDK with strict validation (so every
event and the final Response have the shape the SDK's types demand).
"""

from __future__ import annotations

import copy
import time
from typing import Any

import aiohttp
import openai
import orjson
import pytest

from aioresponses_client.testing import (
    Failed,
    FunctionCall,
    Incomplete,
    Message,
    RawEvent,
    RawItem,
    Reasoning,
    Refusal,
    ResponsesServer,
    Script,
    StreamError,
    Text,
    UrlCitation,
    WebSearch,
)

MODEL = "gpt-test"
ADDED, DONE = "response.output_item.added", "response.output_item.done"
PART_ADDED, PART_DONE = "response.content_part.added", "response.content_part.done"
TEXT_DELTA, TEXT_DONE = "response.output_text.delta", "response.output_text.done"
OPENING = ["response.created", "response.in_progress"]


@pytest.fixture
def client(openai_client: openai.AsyncOpenAI) -> openai.AsyncOpenAI:
    """These tests drive the official SDK against the server."""
    return openai_client


def parse_sse(raw: bytes) -> list[dict[str, Any]]:
    """The JSON of every data line of an LF-framed stream, in order."""
    events = []
    for frame in raw.split(b"\n\n"):
        for line in frame.split(b"\n"):
            if line.startswith(b"data: "):
                events.append(orjson.loads(line[6:]))
    return events


async def raw_stream(server: ResponsesServer, **body: Any) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    body = {"model": MODEL, "input": "hi", "stream": True, **body}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/responses", json=body, headers=headers) as reply,
    ):
        return parse_sse(await reply.read())


def rebuild(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply the deltas the way a client accumulator does; check every checkpoint on the way.

    Returns the response of the terminal event, after checking that its output equals the items
    rebuilt from ``output_item.added`` plus deltas (with the status ``output_item.done`` gives).
    """
    items: dict[int, dict[str, Any]] = {}
    done: dict[int, dict[str, Any]] = {}
    final: dict[str, Any] | None = None
    for event in events:
        kind = event["type"]
        if kind == ADDED:
            assert event["output_index"] == len(items)
            items[event["output_index"]] = copy.deepcopy(event["item"])
            continue
        if kind in ("response.completed", "response.incomplete", "response.failed"):
            final = event["response"]
            continue
        if "output_index" not in event:
            continue
        item = items[event["output_index"]]
        assert event.get("item_id", item["id"]) == item["id"]
        if kind == PART_ADDED:
            assert event["content_index"] == len(item["content"])
            item["content"].append(copy.deepcopy(event["part"]))
        elif kind == TEXT_DELTA:
            item["content"][event["content_index"]]["text"] += event["delta"]
        elif kind == "response.output_text.annotation.added":
            annotations = item["content"][event["content_index"]]["annotations"]
            assert event["annotation_index"] == len(annotations)
            annotations.append(event["annotation"])
        elif kind == TEXT_DONE:
            assert item["content"][event["content_index"]]["text"] == event["text"]
        elif kind == "response.refusal.delta":
            item["content"][event["content_index"]]["refusal"] += event["delta"]
        elif kind == "response.refusal.done":
            assert item["content"][event["content_index"]]["refusal"] == event["refusal"]
        elif kind == PART_DONE:
            assert item["content"][event["content_index"]] == event["part"]
        elif kind == "response.function_call_arguments.delta":
            item["arguments"] += event["delta"]
        elif kind == "response.function_call_arguments.done":
            assert item["arguments"] == event["arguments"]
        elif kind == "response.reasoning_summary_part.added":
            assert event["summary_index"] == len(item["summary"])
            item["summary"].append(copy.deepcopy(event["part"]))
        elif kind == "response.reasoning_summary_text.delta":
            item["summary"][event["summary_index"]]["text"] += event["delta"]
        elif kind == "response.reasoning_summary_text.done":
            assert item["summary"][event["summary_index"]]["text"] == event["text"]
        elif kind == "response.reasoning_summary_part.done":
            assert item["summary"][event["summary_index"]] == event["part"]
        elif kind == DONE:
            if "status" in event["item"]:
                item["status"] = event["item"]["status"]
            assert item == event["item"], "output_item.done carries fields the deltas did not"
            done[event["output_index"]] = event["item"]
    assert final is not None
    assert final["output"] == [done[index] for index in sorted(done)]
    return final


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


async def check_stream(
    server: ResponsesServer, client: openai.AsyncOpenAI, script: Script, **body: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Stream *script* raw (checking numbering and the rebuild) and through the strict SDK."""
    server.script(script)
    events = await raw_stream(server, **body)
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    final = rebuild(events)
    server.script(script)
    stream = await client.responses.create(model=MODEL, input="hi", stream=True, **body)
    sdk_events = [event async for event in stream]
    assert [event.type for event in sdk_events] == kinds(events)
    return events, final


async def test_text_in_chosen_delta_sizes(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    events, final = await check_stream(server, client, Script(Text("Hello there!", delta_size=5)))

    assert kinds(events) == [
        *OPENING,
        ADDED,
        PART_ADDED,
        TEXT_DELTA,
        TEXT_DELTA,
        TEXT_DELTA,
        TEXT_DONE,
        PART_DONE,
        DONE,
        "response.completed",
    ]
    assert [e["delta"] for e in events if e["type"] == TEXT_DELTA] == ["Hello", " ther", "e!"]
    assert final["status"] == "completed"
    assert final["output"][0]["content"][0]["text"] == "Hello there!"


async def test_explicit_deltas_and_several_messages(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    script = Script(Text(["Hel", "lo"]), "second message", Message(Text("a"), Refusal("no")))
    events, final = await check_stream(server, client, script)

    assert [e["delta"] for e in events if e["type"] == TEXT_DELTA][:2] == ["Hel", "lo"]
    assert [item["type"] for item in final["output"]] == ["message"] * 3
    assert [e["output_index"] for e in events if e["type"] == ADDED] == [0, 1, 2]
    assert [p["type"] for p in final["output"][2]["content"]] == ["output_text", "refusal"]


async def test_function_call_streams_its_arguments(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    script = Script(FunctionCall("get_weather", ['{"city":', '"Paris"}'], call_id="call_1"))
    events, final = await check_stream(server, client, script)

    args = "response.function_call_arguments"
    assert kinds(events) == [
        *OPENING,
        ADDED,
        f"{args}.delta",
        f"{args}.delta",
        f"{args}.done",
        DONE,
        "response.completed",
    ]
    started = events[2]["item"]
    assert (started["arguments"], started["status"]) == ("", "in_progress")
    assert final["output"][0] == {
        "id": started["id"],
        "type": "function_call",
        "status": "completed",
        "arguments": '{"city":"Paris"}',
        "call_id": "call_1",
        "name": "get_weather",
    }


async def test_function_call_arguments_from_a_dict(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script(FunctionCall("f", {"a": 1, "b": [2]}))
    response = await client.responses.create(model=MODEL, input="x")
    call = response.output[0]
    assert call.type == "function_call" and call.arguments == '{"a":1,"b":[2]}'
    assert call.call_id.startswith("call_")


async def test_reasoning_summary_parts_stream_in_order(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    script = Script(Reasoning("First think.", "Then answer."), "Done.")
    events, final = await check_stream(server, client, script)

    rs = "response.reasoning_summary"
    part = [
        f"{rs}_part.added",
        f"{rs}_text.delta",
        f"{rs}_text.delta",
        f"{rs}_text.done",
        f"{rs}_part.done",
    ]
    assert kinds(events)[: 2 + 1 + 2 * len(part) + 1] == [*OPENING, ADDED, *part, *part, DONE]
    assert final["output"][0]["summary"] == [
        {"type": "summary_text", "text": "First think."},
        {"type": "summary_text", "text": "Then answer."},
    ]
    assert final["usage"]["output_tokens_details"]["reasoning_tokens"] == 4


async def test_refusal_streams_inside_a_refusal_part(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    events, final = await check_stream(server, client, Script(Refusal("I can't help.")))

    refusal = ["response.refusal.delta"] * 3 + ["response.refusal.done"]
    assert kinds(events) == [
        *OPENING,
        ADDED,
        PART_ADDED,
        *refusal,
        PART_DONE,
        DONE,
        "response.completed",
    ]
    assert events[3]["part"] == {"type": "refusal", "refusal": ""}
    assert final["output"][0]["content"] == [{"type": "refusal", "refusal": "I can't help."}]


async def test_web_search_then_cited_text(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    script = Script(
        WebSearch("capital of France", sources=["https://example.org/paris"]),
        Text(
            "The capital is Paris.",
            annotations=[UrlCitation("https://example.org/paris", "Paris", quote="Paris")],
        ),
    )
    events, final = await check_stream(
        server, client, script, include=["web_search_call.action.sources"]
    )

    ws = "response.web_search_call"
    assert kinds(events)[2:7] == [
        ADDED,
        f"{ws}.in_progress",
        f"{ws}.searching",
        f"{ws}.completed",
        DONE,
    ]
    assert kinds(events)[-5:-3] == ["response.output_text.annotation.added", TEXT_DONE]
    search, message = final["output"]
    assert search["action"] == {
        "type": "search",
        "query": "capital of France",
        "sources": [{"type": "url", "url": "https://example.org/paris"}],
    }
    annotation = message["content"][0]["annotations"][0]
    assert annotation == {
        "type": "url_citation",
        "url": "https://example.org/paris",
        "title": "Paris",
        "start_index": 15,
        "end_index": 20,
    }
    assert "The capital is Paris."[15:20] == "Paris"


async def test_sources_are_listed_only_when_included(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script(WebSearch("q", sources=["https://example.org"]))
    response = await client.responses.create(model=MODEL, input="x")
    assert response.output[0].type == "web_search_call"
    assert response.output[0].action.sources is None  # type: ignore[union-attr]


async def test_incomplete_ends_with_response_incomplete(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    events, final = await check_stream(server, client, Script("cut off", end=Incomplete()))

    assert kinds(events)[-1] == "response.incomplete"
    assert final["status"] == "incomplete"
    assert final["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["output"][0]["status"] == "incomplete"


async def test_failed_ends_with_response_failed_and_the_error(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    script = Script.failed("partial", code="server_error", message="boom")
    events, final = await check_stream(server, client, script)

    assert kinds(events)[-1] == "response.failed"
    assert final["status"] == "failed"
    assert final["error"] == {"code": "server_error", "message": "boom"}
    assert final["output"][0]["content"][0]["text"] == "partial"


async def test_error_event_after_k_events_ends_the_stream(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    server.script("one two three", end=StreamError("server_error", "overloaded", after=4))
    events = await raw_stream(server)

    assert kinds(events) == [*OPENING, ADDED, PART_ADDED, "error"]
    assert events[-1] == {
        "type": "error",
        "sequence_number": 4,
        "code": "server_error",
        "message": "overloaded",
        "param": None,
    }
    server.script("one two three", end=StreamError("server_error", "overloaded", after=4))
    stream = await client.responses.create(model=MODEL, input="x", stream=True)
    sdk_events = [event async for event in stream]
    assert sdk_events[-1].type == "error" and sdk_events[-1].message == "overloaded"


async def test_error_event_response_is_stored_failed_and_plain_create_is_a_500(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    server.script("text", end=StreamError(message="overloaded"))
    with pytest.raises(openai.InternalServerError) as caught:
        await client.responses.create(model=MODEL, input="x")
    assert caught.value.message == "Error code: 500 - overloaded"

    server.script("done first", end=StreamError(message="overloaded"))
    events = await raw_stream(server)
    assert kinds(events)[-2:] == [DONE, "error"]
    stored = await client.responses.retrieve(events[0]["response"]["id"])
    assert stored.status == "failed" and stored.error is not None
    assert stored.output_text == "done first"


async def test_raw_events_of_unknown_types_are_passed_through(server: ResponsesServer) -> None:
    future = {"type": "response.hologram.delta", "delta": "?", "item_id": "x"}
    item = {"id": "mcp_1", "type": "mcp_list_tools", "server_label": "s", "tools": []}
    server.script(RawEvent(future), RawItem(item), "after", RawEvent(b": comment\n\n"))
    events = await raw_stream(server)

    assert kinds(events)[:5] == [*OPENING, "response.hologram.delta", ADDED, DONE]
    assert events[2]["sequence_number"] == 2 and events[2]["delta"] == "?"
    assert events[3]["item"] == events[4]["item"] == item
    assert rebuild(events)["output"][0] == item


async def test_unknown_raw_event_does_not_stop_a_lenient_sdk(server: ResponsesServer) -> None:
    server.script(RawEvent({"type": "response.hologram.delta", "delta": "?"}), "still fine")
    async with openai.AsyncOpenAI(api_key=server.api_key, base_url=server.base_url) as lenient:
        stream = await lenient.responses.create(model=MODEL, input="x", stream=True)
        events = [event async for event in stream]
    assert events[2].type == "response.hologram.delta"
    assert events[-1].response.output_text == "still fine"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "script",
    [
        Script(Reasoning("think"), FunctionCall("f", '{"x":1}', call_id="c"), "and text"),
        Script(WebSearch("q"), Text("cited", annotations=[UrlCitation("https://e.org")])),
        Script(Refusal("no"), end=Incomplete()),
        Script("text", end=Failed(message="bad")),
    ],
    ids=["mixed", "search", "incomplete", "failed"],
)
async def test_plain_create_returns_what_the_stream_ends_with(
    server: ResponsesServer, script: Script
) -> None:
    server.script(script)
    streamed = rebuild(await raw_stream(server))
    server.script(script)
    headers = {"Authorization": f"Bearer {server.api_key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.base_url}/responses", json={"model": MODEL, "input": "hi"}, headers=headers
        ) as reply,
    ):
        plain = await reply.json()

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: "*" if k in ("id", "created_at", "completed_at") else scrub(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    assert scrub(plain) == scrub(streamed)


async def test_scripts_are_used_in_fifo_order_then_the_echo(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    server.script("first")
    server.script(Script("second"), Script("third"))
    assert server.pending_scripts == 3
    answers = [
        (await client.responses.create(model=MODEL, input="echo")).output_text for _ in range(4)
    ]
    assert answers == ["first", "second", "third", "echo"]


async def test_responder_runs_a_whole_tool_loop(
    server: ResponsesServer, client: openai.AsyncOpenAI
) -> None:
    seen: list[dict[str, Any]] = []

    async def respond(body: dict[str, Any]) -> Script | None:
        seen.append(body)
        items = body["input"] if isinstance(body["input"], list) else []
        outputs = [i for i in items if i.get("type") == "function_call_output"]
        if outputs:
            temp = orjson.loads(outputs[-1]["output"])["temp_c"]
            return Script(f"It is {temp} C in Paris.")
        if "weather" in str(body["input"]):
            return Script(FunctionCall("get_weather", {"city": "Paris"}))
        return None

    server.respond_with(respond)
    tools: Any = [{"type": "function", "name": "get_weather", "parameters": {}, "strict": False}]
    first = await client.responses.create(model=MODEL, input="weather?", tools=tools)
    call = first.output[0]
    assert call.type == "function_call" and call.name == "get_weather"
    result = {"type": "function_call_output", "call_id": call.call_id, "output": '{"temp_c":21}'}
    second = await client.responses.create(
        model=MODEL, input=[result], previous_response_id=first.id, tools=tools
    )
    assert second.output_text == "It is 21 C in Paris."
    assert (await client.responses.create(model=MODEL, input="other")).output_text == "other"
    assert seen[1]["previous_response_id"] == first.id

    server.script("queued wins")
    assert (
        await client.responses.create(model=MODEL, input="weather")
    ).output_text == "queued wins"
    server.respond_with(None)
    assert (await client.responses.create(model=MODEL, input="weather")).output_text == "weather"


async def test_pace_spaces_the_deltas(client: openai.AsyncOpenAI, server: ResponsesServer) -> None:
    server.script("a b c d", pace=0.1)
    stream = await client.responses.create(model=MODEL, input="x", stream=True)
    stamps = [time.monotonic() async for e in stream if e.type == TEXT_DELTA]
    # The server waits 0.3 s over the three gaps; allow the client's reads some jitter.
    assert len(stamps) == 4 and stamps[-1] - stamps[0] >= 0.2


async def test_latency_holds_the_first_byte(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("slow", latency=0.2)
    started = time.monotonic()
    await client.responses.create(model=MODEL, input="x")
    assert time.monotonic() - started >= 0.2


def test_script_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="delta_size"):
        Text("x", delta_size=0)
    with pytest.raises(ValueError, match="pace"):
        Script("x", pace=-1)
    with pytest.raises(TypeError, match="not a script output"):
        Script(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not in the text"):
        Text("abc", annotations=[UrlCitation("u", quote="zzz")])
