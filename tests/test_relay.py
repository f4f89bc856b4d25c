"""Relaying streams to a browser: SSE framing, filtering, and letting go when the browser leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import anyio
import orjson
import pytest
from aiohttp import web

from aioresponses_client import AsyncResponsesClient
from aioresponses_client._convert import unstructure
from aioresponses_client.relay import relay_to_aiohttp, sse_frame, to_sse
from aioresponses_client.streaming import AsyncResponseStream
from aioresponses_client.testing import RawEvent, ResponsesServer, StreamError
from aioresponses_client.types.events import ResponseOutputTextDeltaEvent

TEXT = "one two three four five six seven eight"


def frames(body: bytes) -> list[dict[str, Any]]:
    """Each SSE frame of *body* as {field: value}; ``data`` lines joined as a reader would."""
    out = []
    for block in body.split(b"\n\n"):
        if not block:
            continue
        fields: dict[str, Any] = {}
        for line in block.decode().split("\n"):
            name, _, value = line.partition(": ")
            if name == "data" and "data" in fields:
                value = fields["data"] + "\n" + value
            fields[name] = value
        out.append(fields)
    return out


async def relayed(stream: AsyncResponseStream, **kwargs: Any) -> bytes:
    return b"".join([frame async for frame in stream.to_sse(**kwargs)])


async def raw_upstream(server: ResponsesServer, response_id: str) -> bytes:
    """The server's own bytes for a replay of *response_id*, without obfuscation noise."""
    url = f"{server.base_url}/responses/{response_id}?stream=true&include_obfuscation=false"
    headers = {"Authorization": f"Bearer {server.api_key}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as reply:
        return await reply.read()


# -- to_sse: the frames ---------------------------------------------------------------------


async def test_to_sse_is_the_upstream_bytes_with_an_id_line_per_event(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    first = await client.responses.create(model="m", input=TEXT)
    upstream = await raw_upstream(server, first.id)
    async with await client.responses.retrieve(
        first.id, stream=True, include_obfuscation=False
    ) as stream:
        body = await relayed(stream)
    expected = b"".join(
        sse_frame(f["event"], f["data"], orjson.loads(f["data"])["sequence_number"])
        for f in frames(upstream)
    )
    assert body == expected
    parsed = frames(body)
    assert [f["id"] for f in parsed] == [str(n) for n in range(len(parsed))]
    assert all(orjson.loads(f["data"])["type"] == f["event"] for f in parsed)
    assert body.startswith(b"event: response.created\nid: 0\ndata: {")


async def test_to_sse_keeps_obfuscation_unknown_fields_and_unknown_events(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script(
        "hello there",
        RawEvent({"type": "response.brand_new", "extra": [1, 2]}),
        RawEvent({"type": "response.output_text.done", "output_index": 0, "content_index": 0,
                  "item_id": "msg_x", "text": "hello there", "logprobs": [], "future": True}),
    )  # fmt: skip
    async with await client.responses.create(model="m", input="x", stream=True) as stream:
        parsed = frames(await relayed(stream))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for f in parsed:
        by_type.setdefault(f["event"], []).append(orjson.loads(f["data"]))
    assert all("obfuscation" in d for d in by_type["response.output_text.delta"])
    assert by_type["response.brand_new"][0]["extra"] == [1, 2]
    assert any(d.get("future") is True for d in by_type["response.output_text.done"])
    assert stream.closed


async def test_event_types_keeps_only_the_chosen_events_with_their_numbers(
    client: AsyncResponsesClient,
) -> None:
    chosen = {"response.output_text.delta", "response.completed"}
    async with await client.responses.create(model="m", input=TEXT, stream=True) as stream:
        parsed = frames(await relayed(stream, event_types=chosen))
    assert {f["event"] for f in parsed} == chosen
    assert parsed[-1]["event"] == "response.completed"
    ids = [int(f["id"]) for f in parsed]
    assert ids == sorted(ids) and ids[0] > 0  # the numbers of the upstream, gaps and all
    deltas = [orjson.loads(f["data"])["delta"] for f in parsed[:-1]]
    assert "".join(deltas) == TEXT
    assert orjson.loads(parsed[-1]["data"])["response"]["output"][0]["content"][0]["text"] == TEXT


async def test_an_error_event_is_relayed_as_a_frame_and_ends_the_frames(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script("partial answer", end=StreamError(code="overloaded", message="try later"))
    async with await client.responses.create(model="m", input="x", stream=True) as stream:
        parsed = frames(await relayed(stream))
    last = parsed[-1]
    assert last["event"] == "error"
    error = orjson.loads(last["data"])
    assert (error["code"], error["message"]) == ("overloaded", "try later")
    assert last["id"] == str(error["sequence_number"])
    server.script("again", end=StreamError(code="overloaded"))
    async with await client.responses.create(model="m", input="x", stream=True) as stream:
        filtered = frames(await relayed(stream, event_types={"response.output_text.delta"}))
    assert {f["event"] for f in filtered} == {"response.output_text.delta"}


async def test_closing_the_frames_early_closes_the_stream(client: AsyncResponsesClient) -> None:
    stream = await client.responses.create(model="m", input=TEXT, stream=True)
    sse = stream.to_sse()
    assert (await sse.__anext__()).startswith(b"event: response.created\n")
    await sse.aclose()  # type: ignore[attr-defined]
    assert stream.closed


class _NoWireText:
    """Typed events without the SSE messages behind them, as a wrapper around a stream gives."""

    def __init__(self, events: list[Any]) -> None:
        self._events = iter(events)
        self.closed = False

    def __aiter__(self) -> _NoWireText:
        return self

    async def __anext__(self) -> Any:
        try:
            return next(self._events)
        except StopIteration:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self.closed = True


async def test_events_are_re_encoded_when_the_wire_text_is_out_of_reach() -> None:
    event = ResponseOutputTextDeltaEvent(
        item_id="msg_1",
        output_index=0,
        content_index=0,
        delta="hé\nllo",
        sequence_number=7,
        logprobs=[],
    )
    stream = _NoWireText([event])
    out = [frame async for frame in to_sse(stream)]  # type: ignore[arg-type]
    (parsed,) = frames(b"".join(out))
    assert parsed["event"] == "response.output_text.delta" and parsed["id"] == "7"
    assert orjson.loads(parsed["data"]) == unstructure(event)
    assert stream.closed


def test_sse_frame_splits_multi_line_payloads_and_keeps_the_event_name_on_its_line() -> None:
    assert sse_frame("x", "a\nb", 3) == b"event: x\nid: 3\ndata: a\ndata: b\n\n"
    assert sse_frame("x", b"{}") == b"event: x\ndata: {}\n\n"
    assert sse_frame("x", "a\r\nb\rc") == b"event: x\ndata: a\ndata: b\ndata: c\n\n"
    assert sse_frame("x\nid: 99\r", "{}") == b"event: x id: 99 \ndata: {}\n\n"


def test_to_sse_runs_under_trio_with_the_httpx_transport() -> None:
    import trio
    from conftest import server_in_thread

    with server_in_thread() as (url, key):

        async def run() -> list[dict[str, Any]]:
            async with AsyncResponsesClient(api_key=key, base_url=url, transport="httpx") as c:
                stream = await c.responses.create(model="m", input="hello trio", stream=True)
                return frames(await relayed(stream, event_types={"response.output_text.delta"}))

        parsed = trio.run(run)
    assert "".join(orjson.loads(f["data"])["delta"] for f in parsed) == "hello trio"


# -- relay_to_aiohttp: a browser that leaves ------------------------------------------------

Opener = Callable[[web.Request], Awaitable[AsyncResponseStream]]


@pytest.fixture
async def relay_site() -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """Start a tiny backend whose ``/relay`` relays what *opener* opens; returns its URL."""
    runners: list[web.AppRunner] = []

    async def start(opener: Opener, *, handler_cancellation: bool = False, **relay: Any) -> str:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await relay_to_aiohttp(await opener(request), request, **relay)

        app = web.Application()
        app.router.add_get("/relay", handle)
        runner = web.AppRunner(app, handler_cancellation=handler_cancellation)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/relay"

    yield start
    for runner in runners:
        await runner.cleanup()


async def browse_then_leave(url: str, *, frames_before_leaving: int = 3) -> list[bytes]:
    """Read a few SSE frames like a browser tab would, then close the connection."""
    got: list[bytes] = []
    async with aiohttp.ClientSession() as session:
        reply = await session.get(url)
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        assert reply.headers["Cache-Control"] == "no-cache"
        buffer = b""
        while len(got) < frames_before_leaving:
            buffer += await reply.content.readany()
            *done, buffer = buffer.split(b"\n\n")
            got.extend(done)
        reply.close()  # the tab is closed: the socket goes away mid-stream
    return got


async def test_a_browser_leaving_closes_the_upstream_stream_within_a_second(
    client: AsyncResponsesClient, server: ResponsesServer, relay_site: Any
) -> None:
    server.script(TEXT, pace=0.05)

    async def opener(request: web.Request) -> AsyncResponseStream:
        return await client.responses.create(model="m", input="x", stream=True)

    url = await relay_site(opener)
    got = await browse_then_leave(url)
    assert got[0].startswith(b"event: response.created\nid: 0\n")
    with anyio.fail_after(1):
        await server.wait_streams_closed()
    assert server.open_streams == 0
    assert server.client_disconnects == 1


async def test_a_browser_leaving_a_silent_stream_is_noticed_without_a_write(
    client: AsyncResponsesClient, server: ResponsesServer, relay_site: Any
) -> None:
    server.script(TEXT, pace=30.0)  # after the first delta, nothing for 30 s
    opened: list[AsyncResponseStream] = []
    relay_done = anyio.Event()

    async def opener(request: web.Request) -> AsyncResponseStream:
        stream = await client.responses.create(model="m", input="x", stream=True)
        opened.append(stream)
        return stream

    async def relay_opener(request: web.Request) -> AsyncResponseStream:
        request.task.add_done_callback(lambda _: relay_done.set())
        return await opener(request)

    url = await relay_site(relay_opener)
    await browse_then_leave(url, frames_before_leaving=5)
    # The embedded server only notices when it next writes, 30 s on; our side lets go at once.
    with anyio.fail_after(1):
        await relay_done.wait()
    assert opened[0].closed
    assert client.transport.pool_stats().in_use == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("handler_cancellation", [False, True])
async def test_a_browser_leaving_cancels_a_background_response(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    relay_site: Any,
    handler_cancellation: bool,
) -> None:
    server.script(TEXT, pace=0.2, background_duration=0.1)
    opened: list[AsyncResponseStream] = []

    async def opener(request: web.Request) -> AsyncResponseStream:
        stream = await client.responses.create(model="m", input="x", stream=True, background=True)
        opened.append(stream)
        return stream

    url = await relay_site(opener, handler_cancellation=handler_cancellation)
    await browse_then_leave(url, frames_before_leaving=4)
    response_id = opened[0].response_id
    assert response_id is not None
    with anyio.fail_after(1):
        await server.wait_streams_closed()
        await server.wait_status(response_id, "cancelled")
    assert server.client_disconnects == 1
    assert opened[0].closed


async def test_cancel_background_false_leaves_the_response_running_for_a_resume(
    client: AsyncResponsesClient, server: ResponsesServer, relay_site: Any
) -> None:
    server.script(TEXT, pace=0.1, background_duration=0.1)
    created = await client.responses.create(model="m", input="x", background=True)

    async def opener(request: web.Request) -> AsyncResponseStream:
        after = request.headers.get("Last-Event-ID")
        if after is None:
            return await client.responses.retrieve(created.id, stream=True)
        return await client.responses.retrieve(created.id, stream=True, starting_after=int(after))

    url = await relay_site(opener, cancel_background=False, retry=100)
    first = await browse_then_leave(url, frames_before_leaving=5)
    assert first[0] == b"retry: 100"
    with anyio.fail_after(1):
        await server.wait_streams_closed()
    assert server.get_response(created.id)["status"] in ("queued", "in_progress")

    # The browser comes back with the last id it saw; the rest follows without repeats.
    last_id = frames(b"\n\n".join(first) + b"\n\n")[-1]["id"]
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers={"Last-Event-ID": last_id}) as reply:
            rest = frames(await reply.read())
    seen = [f for f in frames(b"\n\n".join(first) + b"\n\n") if "event" in f] + rest[1:]
    ids = [int(f["id"]) for f in seen]
    assert ids == list(range(len(ids)))
    text = "".join(
        orjson.loads(f["data"])["delta"] for f in seen if f["event"] == "response.output_text.delta"
    )
    assert text == TEXT
    assert seen[-1]["event"] == "response.completed"
    assert server.get_response(created.id)["status"] == "completed"


async def test_an_upstream_that_breaks_ends_the_reply_cleanly(
    client: AsyncResponsesClient, server: ResponsesServer, relay_site: Any
) -> None:
    from aioresponses_client.testing import Fault

    server.inject(Fault(disconnect_after_events=3))

    async def opener(request: web.Request) -> AsyncResponseStream:
        return await client.responses.create(model="m", input=TEXT, stream=True)

    url = await relay_site(opener)
    async with aiohttp.ClientSession() as session, session.get(url) as reply:
        assert reply.status == 200
        parsed = frames(await reply.read())
    assert [f["id"] for f in parsed] == ["0", "1", "2"]


def test_importing_the_relay_module_loads_no_http_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, aioresponses_client.relay; "
        "print(sorted(m for m in ('aiohttp', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
