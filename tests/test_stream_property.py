"""Property: however a stream's bytes are split, both transports yield the same typed events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioresponses_client import AsyncResponsesClient
from aioresponses_client._sse import SSEDecoder
from aioresponses_client.types.events import StreamEvent, parse_event

_RESPONSE = {"id": "resp_p", "object": "response", "created_at": 1, "output": []}


def _delta(seq: int, text: str) -> dict[str, object]:
    return {
        "type": "response.output_text.delta",
        "sequence_number": seq,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": text,
        "logprobs": [],
    }


def _render(payloads: list[dict[str, object]], newline: bytes, keepalive: bool) -> bytes:
    out = []
    for payload in payloads:
        if keepalive:
            out.append(b": keep-alive" + newline)
        out.append(b"event: " + str(payload["type"]).encode() + newline)
        out.append(b"data: " + orjson.dumps(payload) + newline + newline)
    return b"".join(out)


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, list[bytes]]:
    texts = draw(st.lists(st.text(max_size=12), max_size=12))
    payloads: list[dict[str, object]] = [
        {"type": "response.created", "sequence_number": 0, "response": _RESPONSE}
    ]
    for text in texts:
        if draw(st.booleans()) and text:
            payloads.append({"type": "response.brand_new", "sequence_number": 0, "x": text})
        payloads.append(_delta(0, text))
    payloads.append(
        {
            "type": "response.completed",
            "sequence_number": 0,
            "response": {**_RESPONSE, "status": "completed"},
        }
    )
    for i, payload in enumerate(payloads):
        payload["sequence_number"] = i
    newline = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    body = _render(payloads, newline, draw(st.booleans()))
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(body) - 1)), max_size=40))))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True) if body[a:b]]
    return body, chunks


def _whole(body: bytes) -> list[StreamEvent]:
    return [parse_event(orjson.loads(sse.data)) for sse in SSEDecoder().feed(body)]


@pytest.fixture
async def chunk_server() -> AsyncIterator[tuple[str, dict[str, list[bytes]]]]:
    plan: dict[str, list[bytes]] = {"chunks": []}

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        for chunk in plan["chunks"]:
            await resp.write(chunk)
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_post("/v1/responses", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1", plan
    finally:
        await runner.cleanup()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stream=streams())
async def test_any_split_yields_the_same_events_on_both_transports(
    chunk_server: tuple[str, dict[str, list[bytes]]], stream: tuple[bytes, list[bytes]]
) -> None:
    url, plan = chunk_server
    body, chunks = stream
    plan["chunks"] = chunks
    expected = _whole(body)
    for transport in ("aiohttp", "httpx"):
        async with AsyncResponsesClient(api_key="", base_url=url, transport=transport) as c:
            async with await c.responses.create(model="m", input="x", stream=True) as s:
                got = [event async for event in s]
        assert got == expected, transport
