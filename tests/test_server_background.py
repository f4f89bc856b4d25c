"""Background simulation: queued -> in_progress -> done over time, cancel, live streams, resume.

Timing is never slept over: tests wait on ``server.wait_status``. Where a response must stay in
one state while the test acts, its script makes that state last a minute (``pace=60`` holds a
response in progress before its first delta), and cancel or stop ends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from aiohttp import web

from aioresponses_client.testing import Fault, ResponsesServer, Script, StreamError, WebSearch

MODEL = "gpt-test"
HOLD = 60.0
PLAIN: Any = {"include_obfuscation": False}


@pytest.fixture
async def server() -> AsyncIterator[ResponsesServer]:
    async with ResponsesServer(background_duration=0.2) as srv:
        yield srv


@pytest.fixture
def client(openai_client: openai.AsyncOpenAI) -> openai.AsyncOpenAI:
    """These tests drive the official SDK against the server."""
    return openai_client


async def start(client: openai.AsyncOpenAI, text: str = "one two three") -> Any:
    return await client.responses.create(model=MODEL, input=text, background=True)


async def test_create_returns_queued_then_it_completes(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    created = await start(client)
    assert (created.status, created.background, created.output) == ("queued", True, [])
    assert created.usage is None

    done = await server.wait_status(created.id, "completed")
    fetched = await client.responses.retrieve(created.id)
    assert fetched.status == done["status"] == "completed"
    assert fetched.output_text == "one two three" and fetched.background is True
    assert fetched.usage is not None and fetched.usage.output_tokens == 3


async def test_polling_sees_queued_then_in_progress_then_completed(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("slow words here", pace=0.1)
    created = await start(client)
    seen = [created.status]
    await server.wait_status(created.id, "in_progress")
    while seen[-1] != "completed":
        status = (await client.responses.retrieve(created.id)).status
        if status != seen[-1]:
            seen.append(status)
    assert seen == ["queued", "in_progress", "completed"]


async def test_in_progress_shows_the_items_finished_so_far(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    # The search has no deltas, so it finishes at once; the message's first delta waits.
    server.script(WebSearch("q"), "held back", pace=HOLD, background_duration=0)
    created = await start(client)
    await server.wait_status(created.id, "in_progress")
    now = await client.responses.retrieve(created.id)
    assert now.status == "in_progress"
    assert [item.type for item in now.output] == ["web_search_call"]
    await client.responses.cancel(created.id)


async def test_cancel_stops_a_queued_or_running_response_and_is_idempotent(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("a", background_duration=HOLD)  # queued for 15 s
    server.script("b c", pace=HOLD, background_duration=0)  # in progress for a minute
    queued = await start(client)
    running = await start(client)
    await server.wait_status(running.id, "in_progress")
    assert server.background_running == 2

    for response in (queued, running):
        cancelled = await client.responses.cancel(response.id)
        assert cancelled.status == "cancelled"
        assert await client.responses.cancel(response.id) == cancelled
        assert await client.responses.retrieve(response.id) == cancelled
    assert server.get_response(queued.id)["output"] == []
    with pytest.raises(RuntimeError, match="without reaching 'completed'"):
        await server.wait_status(queued.id, "completed")
    assert server.background_running == 0


async def test_failed_and_incomplete_scripts_end_that_way(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script(Script.failed(message="model crashed"))
    server.script(Script.incomplete("cut"))
    failed, incomplete = await start(client), await start(client)

    assert (await server.wait_status(failed.id, "failed"))["error"]["message"] == "model crashed"
    await server.wait_status(incomplete.id, "incomplete")
    fetched = await client.responses.retrieve(incomplete.id)
    assert fetched.incomplete_details is not None
    assert fetched.incomplete_details.reason == "max_output_tokens"


async def test_background_needs_store(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="store"):
        await client.responses.create(model=MODEL, input="x", background=True, store=False)


async def test_background_stream_starts_created_then_queued_and_runs_live(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    stream = await client.responses.create(
        model=MODEL, input="live words", background=True, stream=True, stream_options=PLAIN
    )
    events = [event async for event in stream]

    assert [e.type for e in events[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert events[0].response.status == events[1].response.status == "queued"  # type: ignore[union-attr]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[-1].type == "response.completed"
    response_id = events[0].response.id  # type: ignore[union-attr]
    replay = await client.responses.retrieve(response_id, stream=True, include_obfuscation=False)
    assert [e async for e in replay] == events


async def test_stream_helper_follows_a_background_response(
    client: openai.AsyncOpenAI,
) -> None:
    async with client.responses.stream(
        model=MODEL, input="helper in background", background=True
    ) as stream:
        final = await stream.get_final_response()
    assert final.output_text == "helper in background" and final.status == "completed"


async def test_resume_while_running_continues_live_from_starting_after(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("w1 w2 w3 w4 w5 w6", pace=0.05, background_duration=0)
    stream = await client.responses.create(
        model=MODEL, input="x", background=True, stream=True, stream_options=PLAIN
    )
    first: list[Any] = []
    async for event in stream:
        first.append(event)
        if event.type == "response.output_text.delta":
            break
    await stream.close()
    response_id = first[0].response.id
    assert server.get_response(response_id)["status"] == "in_progress"

    resumed = await client.responses.retrieve(
        response_id,
        stream=True,
        starting_after=first[-1].sequence_number,
        include_obfuscation=False,
    )
    rest = [event async for event in resumed]
    assert rest[0].sequence_number == first[-1].sequence_number + 1
    assert rest[-1].type == "response.completed"
    full = await client.responses.retrieve(response_id, stream=True, include_obfuscation=False)
    assert first + rest == [event async for event in full]


async def test_cancel_ends_a_live_stream_without_a_terminal_event(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("never said", pace=HOLD, background_duration=0)
    stream = await client.responses.create(model=MODEL, input="x", background=True, stream=True)
    seen: list[Any] = []
    async for event in stream:
        seen.append(event)
        if event.type == "response.content_part.added":
            await client.responses.cancel(seen[0].response.id)
    assert seen[-1].type == "response.content_part.added"
    assert (await client.responses.retrieve(seen[0].response.id)).status == "cancelled"


async def test_stream_error_in_the_background_fails_the_response(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("x y", end=StreamError(message="overloaded", after=4))
    stream = await client.responses.create(model=MODEL, input="x", background=True, stream=True)
    events = [event async for event in stream]
    assert events[-1].type == "error" and events[-1].sequence_number == 4
    response_id = events[0].response.id  # type: ignore[union-attr]
    assert (await server.wait_status(response_id, "failed"))["error"]["message"] == "overloaded"


async def test_faults_apply_to_polls(client: openai.AsyncOpenAI, server: ResponsesServer) -> None:
    created = await start(client)
    server.inject(Fault(status=429, headers={"retry-after-ms": "10"}, method="GET"))
    server.inject(Fault(status=500, method="GET"))
    with pytest.raises(openai.RateLimitError):
        await client.responses.retrieve(created.id)
    with pytest.raises(openai.InternalServerError):
        await client.responses.retrieve(created.id)
    async with openai.AsyncOpenAI(
        api_key=server.api_key, base_url=server.base_url, max_retries=1
    ) as retrying:
        server.inject(Fault(status=429, headers={"retry-after-ms": "10"}, method="GET"))
        raw = await retrying.responses.with_raw_response.retrieve(created.id)
    assert raw.retries_taken == 1


async def test_faults_apply_to_resumed_streams(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("a b c d e", pace=0.02, background_duration=0)
    created = await start(client)
    server.inject(Fault(disconnect_after_events=2, method="GET"))
    resumed = await client.responses.retrieve(created.id, stream=True, starting_after=1)
    seen: list[int] = []
    with pytest.raises(openai.APIConnectionError):
        async for event in resumed:
            seen.append(event.sequence_number)
    assert seen == [2, 3]


async def test_stop_cancels_the_simulations_and_leaves_no_tasks() -> None:
    server = ResponsesServer(background_duration=HOLD)
    await server.start()
    async with openai.AsyncOpenAI(api_key=server.api_key, base_url=server.base_url) as client:
        for _ in range(3):
            await start(client)
        assert server.background_running == 3
        before = asyncio.all_tasks()
        await server.stop()
    assert server.background_running == 0
    leftover = [t for t in asyncio.all_tasks() - before if not t.done()]
    assert all("_simulate" not in repr(t.get_coro()) for t in asyncio.all_tasks())
    assert leftover == []


async def test_finished_background_responses_send_webhooks_the_sdk_verifies(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        secret = server.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        assert secret is not None and secret.startswith("whsec_")
        server.script("ok")
        server.script("held", pace=HOLD, background_duration=0)
        done, held = await start(client), await start(client)
        await server.wait_status(done.id, "completed")
        await client.responses.cancel(held.id)
        await server.wait_webhooks()
    finally:
        await runner.cleanup()

    events = {}
    for headers, body in received:
        event = client.webhooks.unwrap(body, headers, secret=secret)
        events[event.type] = event.data.id
    assert events == {"response.completed": done.id, "response.cancelled": held.id}
    assert [d.status for d in server.webhook_deliveries] == [200, 200]
    headers, body = received[0]
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(body.replace(b"response", b"respons3"), headers, secret=secret)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(body, headers, secret="whsec_" + "A" * 32)


async def test_an_unreachable_webhook_receiver_is_recorded_not_raised(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.set_webhook("http://127.0.0.1:9/nobody-listens", "plain-secret")
    created = await start(client)
    await server.wait_status(created.id, "completed")
    await server.wait_webhooks()
    (delivery,) = server.webhook_deliveries
    assert delivery.status is None and delivery.event["data"] == {"id": created.id}
