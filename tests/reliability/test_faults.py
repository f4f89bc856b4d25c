"""Every fault a server or the network can cause, on both transports, with its exact outcome.

Each fault is either transient (it hits one attempt: the client retries and succeeds) or
persistent (it hits every attempt: the client gives up after ``max_retries`` with a typed
error). The waits the client asked for are recorded by the policy, never slept, and compared
with the policy's own numbers; the pool must have nothing lent out afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest

from aioresponses_client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncResponsesClient,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
    StreamInterruptedError,
)
from aioresponses_client.testing import Fault, ResponsesServer

from .conftest import backoff, in_use

HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>upstream down</body></html>"
# Only the slow-first-byte cases get this timeout; generous enough that a loaded CI box never
# turns an ordinary reply into a timeout.
SLOW_TIMEOUT = 0.5

# name -> (fault, the waits one hit of it causes). Each fault here is worth a retry.
TRANSIENT: dict[str, tuple[Fault, list[float]]] = {
    "500": (Fault(status=500), [backoff(0)]),
    "502": (Fault(status=502), [backoff(0)]),
    "503": (Fault(status=503), [backoff(0)]),
    "504": (Fault(status=504), [backoff(0)]),
    "429 retry-after": (Fault(status=429, headers={"retry-after": "2"}), [2.0]),
    "429 retry-after-ms": (Fault(status=429, headers={"retry-after-ms": "250"}), [0.25]),
    "429 no hint": (Fault(status=429), [backoff(0)]),
    "reset before headers": (Fault(disconnect=True), [backoff(0)]),
    "reset mid-body": (Fault(disconnect_after_bytes=40), [backoff(0)]),
    "close mid-body": (Fault(truncate_body_at=40), [backoff(0)]),
    "slow first byte": (Fault(delay=3.0), [backoff(0)]),
    "html 502": (Fault(status=502, body=HTML_PAGE, content_type="text/html"), [backoff(0)]),
}

# name -> the error class a fault that never goes away ends in.
PERSISTENT_ERROR: dict[str, type[APIError]] = {
    "500": InternalServerError,
    "502": InternalServerError,
    "503": InternalServerError,
    "504": InternalServerError,
    "429 retry-after": RateLimitError,
    "429 retry-after-ms": RateLimitError,
    "429 no hint": RateLimitError,
    "reset before headers": APIConnectionError,
    "reset mid-body": APIConnectionError,
    "close mid-body": APIConnectionError,
    "slow first byte": APITimeoutError,
    "html 502": InternalServerError,
}

Call = Callable[[AsyncResponsesClient], Awaitable[Any]]


async def _stored(server: ResponsesServer, client: AsyncResponsesClient) -> str:
    """A stored response to retrieve, created before any fault is queued."""
    response = await client.responses.create(model="m", input="stored text")
    server.clear()
    return response.id


def _forever(fault: Fault, path: str | None = None) -> Fault:
    return Fault(
        status=fault.status,
        headers=fault.headers,
        body=fault.body,
        content_type=fault.content_type,
        delay=fault.delay,
        disconnect=fault.disconnect,
        truncate_body_at=fault.truncate_body_at,
        disconnect_after_bytes=fault.disconnect_after_bytes,
        times=None,
        path=path,
    )


@pytest.mark.parametrize("method", ["create", "retrieve"])
@pytest.mark.parametrize("name", list(TRANSIENT))
async def test_transient_fault_is_retried_once_then_succeeds(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    sleeps: list[float],
    name: str,
    method: str,
) -> None:
    fault, waits = TRANSIENT[name]
    timeout = SLOW_TIMEOUT if fault.delay else None
    rid = await _stored(server, client) if method == "retrieve" else ""
    server.inject(fault)
    if method == "create":
        result = await client.responses.create(model="m", input="second try", timeout=timeout)
        assert result.output_text == "second try"
    else:
        result = await client.responses.retrieve(rid, timeout=timeout)
        assert result.id == rid and result.output_text == "stored text"
    if (client.transport.name, method, name) == ("aiohttp", "retrieve", "reset before headers"):
        # aiohttp itself resends an idempotent request at once when a kept-alive connection
        # dies before the reply (RFC 9112 9.3.1): the policy never sees that first failure.
        waits = []
    assert sleeps == waits
    assert len(server.requests) == 2
    assert in_use(client) == 0


@pytest.mark.parametrize("name", list(TRANSIENT))
async def test_persistent_fault_exhausts_the_retries_with_a_typed_error(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float], name: str
) -> None:
    fault, waits = TRANSIENT[name]
    server.inject(_forever(fault))
    with pytest.raises(APIError) as info:
        await client.responses.create(
            model="m", input="x", timeout=SLOW_TIMEOUT if fault.delay else None
        )
    err = info.value
    assert type(err) is PERSISTENT_ERROR[name]
    assert len(server.requests) == 3  # the first attempt and max_retries=2 retries
    server_wait = waits[0] if fault.headers else None
    assert sleeps == ([server_wait] * 2 if server_wait else [backoff(0), backoff(1)])
    if isinstance(err, APIStatusError):
        assert err.status_code == fault.status
        assert err.request_id is not None and err.request_id.startswith("req_")
        if fault.body is None:  # the server's OpenAI-shaped error JSON
            assert err.body is not None and err.body["message"]
            assert orjson.loads(err.raw_body)["error"] == err.body
        else:
            assert err.body is None and err.raw_body == fault.body
            assert "502 Bad Gateway" in str(err)
    assert in_use(client) == 0


async def test_retry_budget_of_zero_gives_up_at_once(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=503))
    with pytest.raises(InternalServerError):
        await client.responses.create(model="m", input="x", max_retries=0)
    assert sleeps == [] and len(server.requests) == 1


async def test_larger_budget_backs_off_exponentially_up_to_the_cap(
    server: ResponsesServer, transport_name: str, sleeps: list[float], retry_policy: RetryPolicy
) -> None:
    async with AsyncResponsesClient(
        api_key=server.api_key,
        base_url=server.base_url,
        transport=transport_name,  # type: ignore[arg-type]
        retry_policy=retry_policy,
        max_retries=6,
    ) as c:
        server.inject(Fault(status=500, times=6))
        assert (await c.responses.create(model="m", input="late")).output_text == "late"
    assert sleeps == [backoff(n) for n in range(6)]
    assert max(sleeps) == 8.0 * (1 - 0.25 * 0.5)  # capped at max_delay


BAD_SUCCESS_BODIES = {
    "invalid json": b"<!doctype html><p>not json",
    "empty 200": b"",
    "json array": b"[1, 2, 3]",
    "json of another shape": b'{"object": "list", "data": []}',
}


@pytest.mark.parametrize("name", list(BAD_SUCCESS_BODIES))
async def test_success_status_with_an_unreadable_body_is_a_validation_error(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float], name: str
) -> None:
    raw = BAD_SUCCESS_BODIES[name]
    server.inject(Fault(status=200, body=raw, content_type="application/json"))
    with pytest.raises(APIResponseValidationError) as info:
        await client.responses.create(model="m", input="x")
    err = info.value
    assert err.status_code == 200 and err.raw_body == raw
    assert err.request_id is not None and err.request_id.startswith("req_")
    # A 2xx may have had effects on the server (a response was created): never resent.
    assert sleeps == [] and len(server.requests) == 1
    assert in_use(client) == 0


async def test_truncated_json_reply_is_a_validation_error_carrying_the_bytes(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(malformed_json=True))
    with pytest.raises(APIResponseValidationError) as info:
        await client.responses.create(model="m", input="cut me in half")
    err = info.value
    assert err.raw_body.startswith(b'{"id":"resp_')
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(err.raw_body)
    assert err.request_id is not None and "invalid JSON" in str(err)
    assert sleeps == [] and len(server.requests) == 1
    assert in_use(client) == 0


async def test_delete_accepts_an_empty_200(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.inject(Fault(status=200, body=b"", content_type="application/json"))
    assert await client.responses.delete("resp_anything") is None


# -- streams --------------------------------------------------------------------------------


STREAM_OPEN_FAULTS = ["503", "429 retry-after-ms", "reset before headers", "slow first byte"]


@pytest.mark.parametrize("name", STREAM_OPEN_FAULTS)
async def test_fault_while_opening_a_stream_is_retried(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float], name: str
) -> None:
    fault, waits = TRANSIENT[name]
    server.inject(fault)
    async with await client.responses.create(
        model="m",
        input="streamed after all",
        stream=True,
        timeout=SLOW_TIMEOUT if fault.delay else None,
    ) as stream:
        final = await stream.final_response()
    assert final.output_text == "streamed after all"
    assert sleeps == waits and len(server.requests) == 2
    assert in_use(client) == 0


async def test_persistent_error_opening_a_stream_raises_after_the_retries(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=502, body=HTML_PAGE, content_type="text/html", times=None))
    with pytest.raises(InternalServerError) as info:
        await client.responses.create(model="m", input="x", stream=True)
    assert info.value.raw_body == HTML_PAGE and info.value.request_id
    assert sleeps == [backoff(0), backoff(1)] and len(server.requests) == 3
    assert in_use(client) == 0


async def test_stream_reply_that_is_not_an_event_stream_is_a_validation_error(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=200, body=b'{"ok": true}', content_type="application/json"))
    with pytest.raises(APIResponseValidationError) as info:
        await client.responses.create(model="m", input="x", stream=True)
    assert info.value.raw_body == b'{"ok": true}' and info.value.request_id
    assert sleeps == [] and in_use(client) == 0


MID_STREAM_CUTS = {
    "reset after 3 events": Fault(disconnect_after_events=3),
    "reset after 3000 bytes": Fault(disconnect_after_bytes=3000),
    "close after 3000 bytes": Fault(truncate_body_at=3000),
}


@pytest.mark.parametrize("name", list(MID_STREAM_CUTS))
async def test_cut_in_the_middle_of_a_stream_raises_interrupted_with_what_arrived(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float], name: str
) -> None:
    server.inject(MID_STREAM_CUTS[name])
    seen: list[int] = []
    with pytest.raises(StreamInterruptedError) as info:
        async with await client.responses.create(
            model="m", input="one two three four five six", stream=True
        ) as stream:
            async for event in stream:
                seen.append(event.sequence_number)  # type: ignore[union-attr]
    err = info.value
    assert seen == list(range(len(seen))) and seen  # in order, nothing skipped
    assert err.last_sequence_number == seen[-1]
    assert err.response_id is not None and err.response_id.startswith("resp_")
    assert err.partial_response is not None and err.partial_response.id == err.response_id
    assert err.request_id is not None
    if name == "reset after 3 events":
        assert seen == [0, 1, 2]
    # The body of a stream that is not a background one is never re-requested.
    assert sleeps == [] and len(server.requests) == 1
    assert stream.closed and in_use(client) == 0


async def test_stream_stalled_past_the_read_timeout_raises_interrupted_by_a_timeout(
    transport_name: str, retry_policy: RetryPolicy, sleeps: list[float]
) -> None:
    async with (
        ResponsesServer(event_delay=1.0) as server,
        AsyncResponsesClient(
            api_key=server.api_key,
            base_url=server.base_url,
            transport=transport_name,  # type: ignore[arg-type]
            retry_policy=retry_policy,
        ) as c,
    ):
        with pytest.raises(StreamInterruptedError) as info:
            async with await c.responses.create(
                model="m", input="slow", stream=True, timeout=SLOW_TIMEOUT
            ) as stream:
                async for _ in stream:
                    pass
        assert isinstance(info.value.__cause__, APITimeoutError)
        assert info.value.last_sequence_number == 0  # the first event comes at once
        assert sleeps == [] and in_use(c) == 0


async def test_background_stream_cut_mid_way_resumes_after_one_backoff(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(disconnect_after_events=4))
    async with await client.responses.create(
        model="m", input="alpha beta gamma delta epsilon", background=True, stream=True
    ) as stream:
        numbers = [e.sequence_number async for e in stream]  # type: ignore[union-attr]
        final = await stream.final_response()
    assert numbers == list(range(len(numbers)))  # exactly once each, in order
    assert final.output_text == "alpha beta gamma delta epsilon"
    assert sleeps == [backoff(0)]
    resumed = server.requests[-1]
    assert resumed.method == "GET" and resumed.query["starting_after"] == ["3"]
    assert in_use(client) == 0
