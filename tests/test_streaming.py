"""Streams over real sockets on both transports: order, final response, errors, release."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from aioresponses_client import (
    APIConnectionError,
    AsyncResponsesClient,
    AuthenticationError,
    NotFoundError,
    ResponseStreamError,
    StreamDecodeError,
    StreamInterruptedError,
)
from aioresponses_client.streaming import AsyncResponseStream
from aioresponses_client.testing import Fault, ResponsesServer
from aioresponses_client.types import Response
from aioresponses_client.types.events import (
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseOutputTextDeltaEvent,
    UnknownEvent,
)

TEXT_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


def _sse(*payloads: bytes) -> bytes:
    return b"".join(b"data: " + p + b"\n\n" for p in payloads)


async def test_stream_yields_typed_events_in_order_and_final_response(
    client: AsyncResponsesClient,
) -> None:
    async with await client.responses.create(
        model="m", input="the quick brown fox", stream=True
    ) as stream:
        assert isinstance(stream, AsyncResponseStream)
        events = [event async for event in stream]
        final = await stream.final_response()
    kinds = [e.type for e in events]
    assert [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]] == TEXT_ORDER
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert isinstance(events[0], ResponseCreatedEvent)
    assert isinstance(events[-1], ResponseCompletedEvent)
    deltas = [e.delta for e in events if isinstance(e, ResponseOutputTextDeltaEvent)]
    assert len(deltas) == 4 and "".join(deltas) == "the quick brown fox"
    assert isinstance(final, Response) and final.output_text == "the quick brown fox"
    assert final == events[-1].response
    assert stream.response_id == final.id
    assert stream.last_sequence_number == len(events) - 1
    assert stream.request_id and stream.request_id.startswith("req_")
    assert stream.closed
    assert await client.responses.retrieve(final.id) == final


async def test_final_response_without_iterating(client: AsyncResponsesClient) -> None:
    async with await client.responses.create(model="m", input="just the end", stream=True) as s:
        final = await s.final_response()
    assert final.output_text == "just the end" and final.status == "completed"


async def test_incomplete_stream_returns_incomplete_response(client: AsyncResponsesClient) -> None:
    async with await client.responses.create(
        model="m", input="one two three four", max_output_tokens=2, stream=True
    ) as s:
        final = await s.final_response()
    assert final.status == "incomplete" and final.output_text == "one two"
    assert final.incomplete_details is not None
    assert final.incomplete_details.reason == "max_output_tokens"


async def test_text_deltas_and_stream_text(client: AsyncResponsesClient) -> None:
    async with await client.responses.create(model="m", input="a b c", stream=True) as s:
        assert [d async for d in s.text_deltas()] == ["a", " b", " c"]
    async with client.responses.stream_text(model="m", input="x y") as deltas:
        assert "".join([d async for d in deltas]) == "x y"
        assert deltas.stream is not None and deltas.stream.response_id
    assert "".join([d async for d in client.responses.stream_text(model="m", input="p q")]) == (
        "p q"
    )


async def test_resume_with_starting_after(client: AsyncResponsesClient) -> None:
    async with await client.responses.create(model="m", input="resume me please", stream=True) as s:
        first = [e async for e in s]
    async with await client.responses.retrieve(
        s.response_id or "", stream=True, starting_after=4
    ) as r:
        rest = [e async for e in r]
        final = await r.final_response()
    assert [e.sequence_number for e in rest] == list(range(5, len(first)))
    assert [e.type for e in rest] == [e.type for e in first[5:]]
    assert final.output_text == "resume me please"


async def test_status_error_on_stream_request_is_raised_with_body(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.responses.retrieve("resp_missing", stream=True)
    assert info.value.request_id and info.value.body
    server.inject(Fault(status=401))
    with pytest.raises(AuthenticationError):
        await client.responses.create(model="m", input="x", stream=True, max_retries=0)
    assert server.open_streams == 0


async def test_stream_open_is_retried_on_429(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=429, headers={"retry-after-ms": "250"}))
    async with await client.responses.create(model="m", input="retry", stream=True) as s:
        assert (await s.final_response()).output_text == "retry"
    assert sleeps == [0.25]


async def test_cut_stream_raises_connection_error_with_partial_response(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(disconnect_after_events=6))
    async with await client.responses.create(model="m", input="w1 w2 w3 w4 w5", stream=True) as s:
        seen = []
        with pytest.raises(APIConnectionError) as info:
            async for event in s:
                seen.append(event)
    assert len(seen) == 6
    err = info.value
    assert isinstance(err, StreamInterruptedError)
    assert err.partial_response is not None and err.partial_response.output_text == "w1 w2"
    assert (err.response_id, err.last_sequence_number) == (s.response_id, 5)
    assert sleeps == []  # a stream body is never retried
    assert s.last_sequence_number == 5


async def test_error_event_raises_typed_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    body = _sse(
        b'{"type":"response.created","sequence_number":0,"response":{"id":"resp_e",'
        b'"object":"response","created_at":1,"status":"in_progress","output":[]}}',
        b'{"type":"error","sequence_number":1,"code":"server_error","message":"boom","param":null}',
    )
    server.inject(Fault(body=body, content_type="text/event-stream"))
    async with await client.responses.create(model="m", input="x", stream=True) as s:
        with pytest.raises(ResponseStreamError) as info:
            async for _ in s:
                pass
    err = info.value
    assert (err.code, err.message, err.sequence_number) == ("server_error", "boom", 1)
    assert err.request_id and s.closed


async def test_nothing_is_yielded_after_an_error_or_aclose_even_with_events_buffered(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    # One body, so the events after the failure arrive in the same read as the failure itself.
    delta = (
        b'{"type":"response.output_text.delta","sequence_number":%d,"item_id":"msg_a",'
        b'"output_index":0,"content_index":0,"delta":"w","logprobs":[]}'
    )
    created = (
        b'{"type":"response.created","sequence_number":0,"response":{"id":"resp_a",'
        b'"object":"response","created_at":1,"status":"in_progress","output":[]}}'
    )
    error = b'{"type":"error","sequence_number":2,"code":"server_error","message":"boom"}'
    bodies = [  # (body, the error its third event raises, last_sequence_number then)
        (_sse(created, delta % 1, error, delta % 3, delta % 4), ResponseStreamError, 2),
        (_sse(created, delta % 1, b"{not json", delta % 3, delta % 4), StreamDecodeError, 1),
        (_sse(created, delta % 1, delta % 2, delta % 3, delta % 4), None, 1),
    ]
    for body, failure, last in bodies:
        server.inject(Fault(body=body, content_type="text/event-stream"))
        s = await client.responses.create(model="m", input="x", stream=True)
        seen = [await s.__anext__(), await s.__anext__()]
        if failure is None:
            await s.aclose()
        else:
            with pytest.raises(failure):
                await s.__anext__()
        assert [e async for e in s] == []
        assert s.closed and s.last_sequence_number == last and len(seen) == 2


async def test_non_json_data_raises_decode_error_with_raw_line(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.inject(Fault(body=_sse(b"{not json"), content_type="text/event-stream"))
    async with await client.responses.create(model="m", input="x", stream=True) as s:
        with pytest.raises(StreamDecodeError) as info:
            await s.final_response()
    assert info.value.raw_data == "{not json" and info.value.request_id


async def test_invalid_utf8_in_event_data_reads_as_replacement_characters(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    # The aiohttp transport hands raw bytes to the JSON parser, httpx-sse decodes text first:
    # both must give the same events, the bad bytes as U+FFFD like any text decoder.
    created = (
        b'{"type":"response.created","sequence_number":0,"response":{"id":"resp_b",'
        b'"object":"response","created_at":1,"status":"in_progress","output":[]}}'
    )
    delta = (
        b'{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_b",'
        b'"output_index":0,"content_index":0,"delta":"caf\xc3\xa9 \xff\xfe!","logprobs":[]}'
    )
    server.inject(
        Fault(body=_sse(created, delta, b"{not json \xff"), content_type="text/event-stream")
    )
    async with await client.responses.create(model="m", input="x", stream=True) as s:
        events = []
        with pytest.raises(StreamDecodeError) as info:
            async for event in s:
                events.append(event)
    assert [type(e) for e in events] == [ResponseCreatedEvent, ResponseOutputTextDeltaEvent]
    assert events[1].delta == "caf\u00e9 \ufffd\ufffd!"
    assert info.value.raw_data == "{not json \ufffd"
    assert s.last_sequence_number == 1


async def test_non_stream_content_type_is_a_validation_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    from aioresponses_client import APIResponseValidationError

    server.inject(Fault(body=b'{"id": "x"}', content_type="application/json"))
    with pytest.raises(APIResponseValidationError) as info:
        await client.responses.create(model="m", input="x", stream=True)
    assert info.value.raw_body == b'{"id": "x"}'


async def test_unknown_event_type_is_kept_and_stream_goes_on(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    body = _sse(
        b'{"type":"response.created","sequence_number":0,"response":{"id":"resp_u",'
        b'"object":"response","created_at":1,"status":"in_progress","output":[]}}',
        b'{"type":"response.future_thing","sequence_number":1,"shiny":true}',
        b'{"type":"response.completed","sequence_number":2,"response":{"id":"resp_u",'
        b'"object":"response","created_at":1,"status":"completed","output":[]}}',
    )
    server.inject(Fault(body=body, content_type="text/event-stream"))
    async with await client.responses.create(model="m", input="x", stream=True) as s:
        events = [e async for e in s]
    assert isinstance(events[1], UnknownEvent)
    assert events[1].type == "response.future_thing" and events[1].raw["shiny"] is True
    assert (await s.final_response()).id == "resp_u"


async def test_done_sentinel_ends_a_stream_and_final_response_is_rebuilt(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    body = _sse(
        b'{"type":"response.created","sequence_number":0,"response":{"id":"resp_d",'
        b'"object":"response","created_at":1,"status":"in_progress","output":[]}}',
        b'{"type":"response.output_item.added","sequence_number":1,"output_index":0,'
        b'"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant",'
        b'"content":[]}}',
        b'{"type":"response.content_part.added","sequence_number":2,"item_id":"msg_1",'
        b'"output_index":0,"content_index":0,"part":{"type":"output_text","text":"",'
        b'"annotations":[]}}',
        b'{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1",'
        b'"output_index":0,"content_index":0,"delta":"partial","logprobs":[]}',
        b"[DONE]",
    )
    server.inject(Fault(body=body, content_type="text/event-stream"))
    async with await client.responses.create(model="m", input="x", stream=True) as s:
        final = await s.final_response()
    assert final.id == "resp_d" and final.output_text == "partial"


@pytest.mark.parametrize("how", ["break", "exception", "cancel", "aclose-unread"])
async def test_leaving_a_stream_early_releases_the_connection(
    how: str, transport_name: str
) -> None:
    async with ResponsesServer(event_delay=0.01) as srv:
        async with AsyncResponsesClient(
            api_key=srv.api_key,
            base_url=srv.base_url,
            transport=transport_name,  # type: ignore[arg-type]
        ) as c:
            long_text = " ".join(f"w{i}" for i in range(200))
            if how == "break":
                async with await c.responses.create(model="m", input=long_text, stream=True) as s:
                    async for _ in s:
                        break
            elif how == "exception":
                with pytest.raises(RuntimeError):
                    async with await c.responses.create(
                        model="m", input=long_text, stream=True
                    ) as s:
                        async for _ in s:
                            raise RuntimeError("consumer failed")
            elif how == "cancel":
                with anyio.CancelScope() as scope:
                    async with await c.responses.create(
                        model="m", input=long_text, stream=True
                    ) as s:
                        async for _ in s:
                            scope.cancel()
            else:
                s = await c.responses.create(model="m", input=long_text, stream=True)
                await s.aclose()
                await s.aclose()
            assert s.closed
            with anyio.fail_after(5):
                await srv.wait_streams_closed()
            assert srv.open_streams == 0
            # The pool still works after an abandoned stream.
            assert (await c.responses.create(model="m", input="next")).output_text == "next"
    assert {t for t in asyncio.all_tasks() if not t.done()} == {asyncio.current_task()}


def test_full_stream_under_trio_with_the_httpx_transport() -> None:
    import trio
    from conftest import server_in_thread

    with server_in_thread() as (url, key):

        async def run() -> tuple[str, str]:
            async with AsyncResponsesClient(api_key=key, base_url=url, transport="httpx") as c:
                async with await c.responses.create(
                    model="m", input="hello trio", stream=True
                ) as s:
                    text = "".join([d async for d in s.text_deltas()])
                    final = await s.final_response()
                return text, final.output_text

        assert trio.run(run) == ("hello trio", "hello trio")


async def test_500_abandoned_streams_leave_no_connection_or_task(transport_name: str) -> None:
    # Paced events keep every stream running when it is abandoned, so an unreleased connection
    # stays visibly in use (a finished body would be returned to the pool by aiohttp itself).
    async with (
        ResponsesServer(event_delay=0.005) as server,
        AsyncResponsesClient(
            api_key=server.api_key,
            base_url=server.base_url,
            transport=transport_name,  # type: ignore[arg-type]
        ) as c,
    ):
        text = " ".join(f"w{i}" for i in range(400))
        limiter = anyio.CapacityLimiter(50)
        # Kept alive so garbage collection cannot hide a stream that was never released.
        opened: list[AsyncResponseStream] = []

        async def abandon(i: int) -> None:
            async with limiter:
                how = i % 4
                s = await c.responses.create(model="m", input=text, stream=True)
                opened.append(s)
                if how == 3:  # closed without reading a single event
                    await s.aclose()
                    return
                with anyio.CancelScope() as scope:
                    try:
                        async with s:
                            async for _ in s:
                                if how == 0:
                                    break
                                if how == 1:
                                    raise LookupError
                                scope.cancel()
                    except LookupError:
                        pass
                assert s.closed

        with anyio.fail_after(60):  # a leak would exhaust the pool and hang, not fail
            async with anyio.create_task_group() as tg:
                for i in range(500):
                    tg.start_soon(abandon, i)
        assert len(opened) == 500
        stats = c.transport.pool_stats()  # type: ignore[attr-defined]
        assert stats.in_use == 0
        with anyio.fail_after(10):
            await server.wait_streams_closed()
        assert server.open_streams == 0
    # Only the embedded server's own keep-alive handlers may remain: no task of ours.
    ours = {
        t
        for t in asyncio.all_tasks()
        if not t.done() and t.get_coro().__qualname__ != "RequestHandler.start"  # type: ignore[union-attr]
    }
    assert ours == {asyncio.current_task()}


@pytest.mark.parametrize("bad_type", [b"[]", b"{}", b"5"])
async def test_event_with_a_non_string_type_is_a_decode_error(
    client: AsyncResponsesClient, server: ResponsesServer, bad_type: bytes
) -> None:
    server.inject(
        Fault(
            body=_sse(b'{"type":' + bad_type + b',"sequence_number":0}'),
            content_type="text/event-stream",
        )
    )
    async with await client.responses.create(model="m", input="x", stream=True) as s:
        with pytest.raises(StreamDecodeError) as info:
            await s.final_response()
    assert info.value.raw_data.startswith('{"type":')
