"""The embedded server speaks the real wire format: the official SDK is the judge.

The ``openai`` client runs with strict response validation wherever the SDK's types describe
the endpoint, so any missing or mistyped field in a server reply fails the test.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import aiohttp
import openai
import orjson
import pytest

from aioresponses_client.testing import Fault, RecordedRequest, ResponsesServer

MODEL = "gpt-test"
TEXT_EVENTS = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


def sdk(server: ResponsesServer, **options: Any) -> openai.AsyncOpenAI:
    options.setdefault("max_retries", 0)
    options.setdefault("_strict_response_validation", True)
    return openai.AsyncOpenAI(api_key=server.api_key, base_url=server.base_url, **options)


@pytest.fixture
def client(openai_client: openai.AsyncOpenAI) -> openai.AsyncOpenAI:
    """These tests drive the official SDK against the server."""
    return openai_client


def messages(*texts: str) -> Any:
    return [{"role": "user", "content": text} for text in texts]


def first_text(item: Any) -> str:
    """Text of an input item's first content part."""
    return str(item.content[0].text)


async def raw_sse(server: ResponsesServer, body: dict[str, Any]) -> bytes:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/responses", json=body, headers=headers) as reply,
    ):
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        return await reply.read()


# -- create / retrieve / delete ---------------------------------------------------------------


async def test_create_answers_with_the_input_text(client: openai.AsyncOpenAI) -> None:
    response = await client.responses.create(model=MODEL, input="hello there world")

    assert response.output_text == "hello there world"
    assert re.fullmatch(r"resp_[0-9a-f]{32}", response.id)
    assert response.object == "response" and response.status == "completed"
    assert response.output[0].type == "message" and response.output[0].id.startswith("msg_")
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (3, 3)
    assert response.usage.total_tokens == 6


async def test_create_echoes_request_config_and_fills_defaults(client: openai.AsyncOpenAI) -> None:
    response = await client.responses.create(
        model=MODEL,
        input="hi",
        instructions="be brief",
        temperature=0.5,
        metadata={"run": "7"},
        tools=[{"type": "function", "name": "f", "parameters": {}, "strict": True}],
        tool_choice="required",
        text={"verbosity": "low"},
        extra_body={"some_future_field": 1},
    )

    assert (response.instructions, response.temperature) == ("be brief", 0.5)
    assert response.metadata == {"run": "7"} and response.tool_choice == "required"
    assert response.tools[0].type == "function"
    assert response.text is not None and response.text.verbosity == "low"
    assert response.top_p == 1.0 and response.truncation == "disabled"
    assert response.store is True and response.background is False  # type: ignore[attr-defined]
    assert response.previous_response_id is None and response.max_output_tokens is None
    assert response.usage is not None and response.usage.input_tokens == 3


async def test_list_input_answers_last_user_message_parts_joined(
    client: openai.AsyncOpenAI,
) -> None:
    parts = [{"type": "input_text", "text": "two "}, {"type": "input_text", "text": "parts"}]
    conversation: Any = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "reply"},
        {"type": "message", "role": "user", "content": parts},
    ]
    response = await client.responses.create(model=MODEL, input=conversation)
    assert response.output_text == "two parts"


async def test_input_without_user_text_answers_ok(client: openai.AsyncOpenAI) -> None:
    response = await client.responses.create(
        model=MODEL, input=[{"type": "function_call_output", "call_id": "call_1", "output": "21"}]
    )
    assert response.output_text == "OK"


async def test_max_output_tokens_truncates_and_marks_incomplete(
    client: openai.AsyncOpenAI,
) -> None:
    response = await client.responses.create(
        model=MODEL, input="one two  three", max_output_tokens=2
    )

    assert response.output_text == "one two"
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage is not None and response.usage.output_tokens == 2


async def test_retrieve_returns_the_stored_response(client: openai.AsyncOpenAI) -> None:
    created = await client.responses.create(model=MODEL, input="keep me")
    assert await client.responses.retrieve(created.id, include=["reasoning.encrypted_content"]) == (
        created
    )


async def test_store_false_is_not_retrievable(client: openai.AsyncOpenAI) -> None:
    created = await client.responses.create(model=MODEL, input="forget me", store=False)
    assert created.output_text == "forget me"
    with pytest.raises(openai.NotFoundError):
        await client.responses.retrieve(created.id)


async def test_delete_then_retrieve_is_not_found(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    created = await client.responses.create(model=MODEL, input="bye")
    await client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError) as caught:
        await client.responses.retrieve(created.id)

    assert caught.value.body == {
        "message": f"Response with id '{created.id}' not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    deleted = orjson.loads(await _raw_delete(server, created.id))
    assert deleted["error"]["message"].startswith("Response with id")


async def _raw_delete(server: ResponsesServer, response_id: str) -> bytes:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.delete(f"{server.base_url}/responses/{response_id}", headers=headers) as reply,
    ):
        return await reply.read()


async def test_delete_reply_is_a_deletion_object(server: ResponsesServer) -> None:
    async with sdk(server) as client:
        created = await client.responses.create(model=MODEL, input="x")
    assert orjson.loads(await _raw_delete(server, created.id)) == {
        "id": created.id,
        "object": "response.deleted",
        "deleted": True,
    }


async def test_previous_response_id_counts_the_whole_chain(client: openai.AsyncOpenAI) -> None:
    first = await client.responses.create(model=MODEL, input="a b", instructions="not carried")
    second = await client.responses.create(model=MODEL, input="c", previous_response_id=first.id)

    assert second.previous_response_id == first.id
    # first's input (2) and output (2) words, then "c"; instructions do not carry over.
    assert second.usage is not None and second.usage.input_tokens == 5


async def test_unknown_previous_response_is_not_found(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await client.responses.create(model=MODEL, input="x", previous_response_id="resp_nope")
    assert caught.value.code == "previous_response_not_found"
    assert caught.value.param == "previous_response_id"


async def test_missing_model_is_a_bad_request(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.responses.create(input="x")
    assert caught.value.param == "model"


async def test_item_reference_resolves_a_stored_item(client: openai.AsyncOpenAI) -> None:
    first = await client.responses.create(model=MODEL, input="remember this")
    page = await client.responses.input_items.list(first.id)
    second = await client.responses.create(
        model=MODEL, input=[{"type": "item_reference", "id": page.data[0].id}]
    )
    assert second.output_text == "remember this"


# -- input items, token counting, compaction --------------------------------------------------


async def test_input_items_paginate_with_cursors(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    texts = ["m1", "m2", "m3", "m4", "m5"]
    created = await client.responses.create(model=MODEL, input=messages(*texts))
    server.clear()

    items = [item async for item in client.responses.input_items.list(created.id, limit=2)]

    assert [first_text(item) for item in items] == texts[::-1]  # default order: newest first
    assert all(item.id.startswith("msg_") and item.type == "message" for item in items)
    pages = server.requests
    assert len(pages) == 3
    assert "after" not in pages[0].query
    assert pages[1].query["after"] == [items[1].id] and pages[2].query["after"] == [items[3].id]


async def test_input_items_page_fields_and_ascending_order(client: openai.AsyncOpenAI) -> None:
    created = await client.responses.create(model=MODEL, input=messages("a", "b", "c"))

    page = await client.responses.input_items.list(created.id, limit=2, order="asc")

    assert [first_text(item) for item in page.data] == ["a", "b"]
    assert page.has_more is True
    extras = page.model_dump()
    assert extras["object"] == "list"
    assert (extras["first_id"], extras["last_id"]) == (page.data[0].id, page.data[1].id)
    rest = await client.responses.input_items.list(created.id, order="asc", after=page.data[1].id)
    assert [first_text(item) for item in rest.data] == ["c"]
    assert rest.has_more is False


@pytest.mark.parametrize("limit", [0, 101])
async def test_input_items_limit_out_of_range_is_rejected(
    client: openai.AsyncOpenAI, limit: int
) -> None:
    created = await client.responses.create(model=MODEL, input="x")
    with pytest.raises(openai.BadRequestError) as caught:
        await client.responses.input_items.list(created.id, limit=limit)
    assert caught.value.param == "limit"


async def test_input_items_of_unknown_response_is_not_found(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        await client.responses.input_items.list("resp_missing")


async def test_input_tokens_counts_words(client: openai.AsyncOpenAI) -> None:
    counted = await client.responses.input_tokens.count(
        model=MODEL, input="three small words", instructions="two more"
    )
    assert (counted.object, counted.input_tokens) == ("response.input_tokens", 5)


async def test_compact_keeps_user_messages_and_ends_with_a_compaction(
    server: ResponsesServer,
) -> None:
    # The SDK types compact's output as assistant items only, so validate loosely here.
    async with sdk(server, _strict_response_validation=False) as client:
        first = await client.responses.create(model=MODEL, input="hello")
        compacted = await client.responses.compact(
            model=MODEL, previous_response_id=first.id, input="next"
        )

    assert compacted.object == "response.compaction" and compacted.id.startswith("resp_")
    roles = [getattr(item, "role", None) for item in compacted.output[:-1]]
    assert roles == ["user", "user"]
    last = compacted.output[-1]
    assert last.type == "compaction" and last.id.startswith("cmp_")
    assert last.encrypted_content
    assert compacted.usage is not None and compacted.usage.input_tokens == 3


# -- cancel ---------------------------------------------------------------------------------


async def test_cancel_of_a_foreground_response_is_a_bad_request(
    client: openai.AsyncOpenAI,
) -> None:
    created = await client.responses.create(model=MODEL, input="x")
    with pytest.raises(openai.BadRequestError) as caught:
        await client.responses.cancel(created.id)
    assert "background=true" in caught.value.message


async def test_cancel_of_a_finished_background_response_returns_it(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    created = await client.responses.create(model=MODEL, input="x", background=True)
    assert created.background is True
    await server.wait_status(created.id, "completed")
    finished = await client.responses.retrieve(created.id)
    cancelled = await client.responses.cancel(created.id)
    assert cancelled == finished
    assert cancelled.status == "completed"


# -- streaming ------------------------------------------------------------------------------


async def test_stream_events_arrive_in_order_and_deltas_add_up(
    client: openai.AsyncOpenAI,
) -> None:
    stream = await client.responses.create(model=MODEL, input="streams come in words", stream=True)
    events = [event async for event in stream]

    kinds = [e.type for e in events if e.type != "response.output_text.delta"]
    assert kinds == TEXT_EVENTS
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert deltas == ["streams", " come", " in", " words"]
    final = events[-1].response  # type: ignore[union-attr]
    assert "".join(deltas) == final.output_text == "streams come in words"


async def test_stream_is_stored_like_a_plain_create(client: openai.AsyncOpenAI) -> None:
    stream = await client.responses.create(model=MODEL, input="kept", stream=True)
    events = [event async for event in stream]
    final = events[-1].response  # type: ignore[union-attr]
    assert await client.responses.retrieve(final.id) == final


async def test_stream_helper_accumulates_the_final_response(client: openai.AsyncOpenAI) -> None:
    async with client.responses.stream(model=MODEL, input="helper works") as stream:
        final = await stream.get_final_response()
    assert final.output_text == "helper works"


async def test_retrieve_stream_replays_after_starting_after(client: openai.AsyncOpenAI) -> None:
    created = await client.responses.create(model=MODEL, input="replay me please")
    stream = await client.responses.retrieve(created.id, stream=True, starting_after=4)
    events = [event async for event in stream]

    assert events[0].sequence_number == 5
    assert events[-1].type == "response.completed"
    assert events[-1].response == created


async def test_delta_size_splits_text_by_characters() -> None:
    async with ResponsesServer(delta_size=3) as server, sdk(server) as client:
        stream = await client.responses.create(model=MODEL, input="abcdefgh", stream=True)
        deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
    assert deltas == ["abc", "def", "gh"]


async def test_sse_frames_follow_the_wire_format(server: ResponsesServer) -> None:
    raw = await raw_sse(server, {"model": MODEL, "input": "hi you", "stream": True})

    frames = raw.split(b"\n\n")
    assert frames[-1] == b""  # the body ends with a blank line and no [DONE]
    for frame in frames[:-1]:
        event_line, data_line = frame.split(b"\n")
        data = orjson.loads(data_line.removeprefix(b"data: "))
        assert event_line == b"event: " + data["type"].encode()
        assert b": " not in data_line.removeprefix(b"data: ")  # compact JSON
        if data["type"] == "response.output_text.delta":
            assert data["obfuscation"] and data["logprobs"] == []


async def test_obfuscation_can_be_turned_off(server: ResponsesServer) -> None:
    body = {
        "model": MODEL,
        "input": "hi you",
        "stream": True,
        "stream_options": {"include_obfuscation": False},
    }
    assert b"obfuscation" not in await raw_sse(server, body)


async def test_client_leaving_mid_stream_is_noticed_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with ResponsesServer(event_delay=0.05) as server, sdk(server) as client:
        stream = await client.responses.create(model=MODEL, input="a b c d e f g", stream=True)
        async for event in stream:
            if event.type == "response.output_item.added":
                break
        await stream.close()
        await asyncio.wait_for(server.wait_streams_closed(), timeout=5)

        assert server.open_streams == 0
        assert server.client_disconnects == 1
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert noisy == []


async def test_stop_ends_streams_that_are_still_running() -> None:
    server = ResponsesServer(event_delay=10)
    await server.start()
    client = sdk(server)
    stream = await client.responses.create(model=MODEL, input="slow", stream=True)
    assert (await stream.__anext__()).type == "response.created"
    started = time.monotonic()
    await server.stop()
    assert time.monotonic() - started < 5
    assert server.open_streams == 0
    await client.close()


# -- auth, faults, recording ----------------------------------------------------------------


async def test_wrong_key_is_rejected_without_echoing_it(server: ResponsesServer) -> None:
    async with openai.AsyncOpenAI(
        api_key="sk-wrong-secret", base_url=server.base_url, max_retries=0
    ) as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            await client.responses.create(model=MODEL, input="x")

    assert caught.value.code == "invalid_api_key"
    assert caught.value.message == "Error code: 401 - Incorrect API key provided."
    assert "sk-wrong-secret" not in caught.value.response.text


async def test_empty_api_key_accepts_any_credential() -> None:
    async with ResponsesServer(api_key="") as server:
        async with openai.AsyncOpenAI(api_key="whatever", base_url=server.base_url) as client:
            response = await client.responses.create(model=MODEL, input="open door")
    assert response.output_text == "open door"


async def test_rate_limit_fault_is_retried_after_the_advised_delay(
    server: ResponsesServer,
) -> None:
    server.inject(Fault(status=429, headers={"retry-after-ms": "200"}))
    async with sdk(server, max_retries=1) as client:
        started = time.monotonic()
        response = await client.responses.with_raw_response.create(model=MODEL, input="again")
        elapsed = time.monotonic() - started

    assert response.parse().output_text == "again"
    assert response.retries_taken == 1
    assert elapsed >= 0.2
    assert [r.path for r in server.requests] == ["/v1/responses", "/v1/responses"]


async def test_status_fault_has_an_openai_shaped_body(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.inject(Fault(status=429))
    with pytest.raises(openai.RateLimitError) as caught:
        await client.responses.create(model=MODEL, input="x")
    assert caught.value.code == "rate_limit_exceeded"
    body: Any = caught.value.body
    assert set(body) == {"message", "type", "param", "code"}
    assert re.fullmatch(r"req_[0-9a-f]+", caught.value.request_id or "")


async def test_faults_match_path_and_method_in_fifo_order(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    created = await client.responses.create(model=MODEL, input="x")
    server.inject(Fault(status=500, path="/input_items"))
    server.inject(Fault(status=503, method="GET", times=2))

    with pytest.raises(openai.InternalServerError) as first:
        await client.responses.retrieve(created.id)
    with pytest.raises(openai.InternalServerError) as second:
        await client.responses.input_items.list(created.id)
    with pytest.raises(openai.InternalServerError) as third:
        await client.responses.retrieve(created.id)
    assert [first.value.status_code, second.value.status_code, third.value.status_code] == [
        503,
        500,
        503,
    ]
    assert await client.responses.retrieve(created.id) == created


async def test_raw_body_fault_replaces_the_reply(server: ResponsesServer) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    server.inject(Fault(status=502, body=page, content_type="text/html"))
    headers = {"Authorization": f"Bearer {server.api_key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}/responses/resp_x", headers=headers) as reply,
    ):
        assert reply.status == 502
        assert reply.headers["Content-Type"] == "text/html"
        assert await reply.read() == page


async def test_disconnect_fault_resets_without_a_reply(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.inject(Fault(disconnect=True))
    with pytest.raises(openai.APIConnectionError):
        await client.responses.create(model=MODEL, input="x")
    assert await client.responses.create(model=MODEL, input="x")


async def test_disconnect_after_events_cuts_the_stream(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.inject(Fault(disconnect_after_events=3))
    # A non-stream request does not use up a stream fault.
    await client.responses.create(model=MODEL, input="plain")

    stream = await client.responses.create(model=MODEL, input="cut short here", stream=True)
    seen: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        async for event in stream:
            seen.append(event.type)
    assert seen == TEXT_EVENTS[:3]


async def test_delay_fault_and_latency_hold_the_first_byte() -> None:
    async with ResponsesServer(latency=0.1) as server, sdk(server) as client:
        server.inject(Fault(delay=0.2))
        started = time.monotonic()
        await client.responses.create(model=MODEL, input="slow")
        assert time.monotonic() - started >= 0.3


async def test_every_reply_carries_a_request_id(server: ResponsesServer) -> None:
    server.inject(Fault(status=500, path="/v1/responses/resp_faulty"))
    headers = {"Authorization": f"Bearer {server.api_key}"}
    urls = ["/responses/resp_faulty", "/responses/resp_unknown", "/nothing-here"]
    async with aiohttp.ClientSession() as session:
        for url in urls:
            async with session.get(server.base_url + url, headers=headers) as reply:
                assert re.fullmatch(r"req_[0-9a-f]{32}", reply.headers["x-request-id"])
                body = await reply.json()
                assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"] == "Invalid URL (GET /v1/nothing-here)"


async def test_fault_headers_are_added_to_the_reply(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.inject(Fault(headers={"x-ratelimit-remaining-requests": "0"}))
    raw = await client.responses.with_raw_response.create(model=MODEL, input="x")
    assert raw.headers["x-ratelimit-remaining-requests"] == "0"


async def test_requests_are_recorded_with_the_credential_redacted(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    created = await client.responses.create(model=MODEL, input="note", metadata={"k": "v"})
    await client.responses.retrieve(created.id, include=["message.output_text.logprobs"])

    post, get = server.requests
    assert isinstance(post, RecordedRequest)
    assert (post.method, post.path) == ("POST", "/v1/responses")
    assert post.json == {"model": MODEL, "input": "note", "metadata": {"k": "v"}}
    assert orjson.loads(post.body) == post.json
    assert post.headers["Authorization"] == "Bearer <redacted>"
    assert post.headers["authorization"] == "Bearer <redacted>"
    assert server.api_key is not None and server.api_key not in repr(server.requests)
    assert (get.method, get.path, get.json) == ("GET", f"/v1/responses/{created.id}", None)
    assert get.query == {"include[]": ["message.output_text.logprobs"]}

    server.clear()
    assert server.requests == []
