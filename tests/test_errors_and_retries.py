"""Status errors from real replies, the retry policy and timeouts, on both transports."""

from __future__ import annotations

import pytest

from aioresponses_client import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncResponsesClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    UnprocessableEntityError,
)
from aioresponses_client.testing import Fault, ResponsesServer

ERROR_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (418, APIStatusError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (503, InternalServerError),
]


@pytest.mark.parametrize(("status", "cls"), ERROR_CLASSES)
async def test_status_reply_raises_its_class_with_request_id_and_body(
    client: AsyncResponsesClient, server: ResponsesServer, status: int, cls: type[APIStatusError]
) -> None:
    server.inject(Fault(status=status))
    with pytest.raises(cls) as info:
        await client.responses.create(model="m", input="x", max_retries=0)
    err = info.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.request_id and err.request_id.startswith("req_")
    assert err.body is not None and isinstance(err.body.get("message"), str)
    assert err.raw_body.startswith(b"{")
    assert str(err).startswith(f"Error code: {status} - ")


async def test_non_json_error_body_is_kept_raw(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    server.inject(Fault(status=502, body=page, content_type="text/html"))
    with pytest.raises(InternalServerError) as info:
        await client.responses.retrieve("resp_x", max_retries=0)
    assert info.value.body is None and info.value.raw_body == page
    assert "502 Bad Gateway" in str(info.value)


async def test_429_with_retry_after_ms_is_retried_after_that_delay(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=429, headers={"retry-after-ms": "1500"}, times=2))
    r = await client.responses.create(model="m", input="patience")
    assert r.output_text == "patience"
    assert sleeps == [1.5, 1.5]
    assert len(server.requests) == 3


async def test_retry_after_seconds_is_honoured(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=503, headers={"retry-after": "3"}))
    await client.responses.create(model="m", input="x")
    assert sleeps == [3.0]


async def test_no_retry_when_retry_after_exceeds_120_seconds(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=429, headers={"retry-after": "121"}))
    with pytest.raises(RateLimitError):
        await client.responses.create(model="m", input="x")
    assert sleeps == [] and len(server.requests) == 1


async def test_no_retry_on_400(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=400, times=3))
    with pytest.raises(BadRequestError):
        await client.responses.create(model="m", input="x")
    assert sleeps == [] and len(server.requests) == 1


async def test_x_should_retry_overrides_the_status_rule(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=400, headers={"x-should-retry": "true"}))
    assert (await client.responses.create(model="m", input="ok")).output_text == "ok"
    assert len(sleeps) == 1
    server.clear()
    server.inject(Fault(status=503, headers={"x-should-retry": "false"}))
    with pytest.raises(InternalServerError):
        await client.responses.create(model="m", input="x")
    assert len(server.requests) == 1


async def test_server_errors_back_off_exponentially_with_jitter_then_give_up(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(status=500, times=3))
    with pytest.raises(InternalServerError):
        await client.responses.create(model="m", input="x")
    assert len(server.requests) == 3  # the first attempt and max_retries=2 retries
    assert len(sleeps) == 2
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0


def test_backoff_is_capped_and_jitter_is_downward_only() -> None:
    low = RetryPolicy(random=lambda: 1.0)
    high = RetryPolicy(random=lambda: 0.0)
    assert [high.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert [low.backoff(n) for n in range(6)] == [0.375, 0.75, 1.5, 3.0, 6.0, 6.0]


def test_retry_after_http_date_is_read_against_the_clock() -> None:
    policy = RetryPolicy(clock=lambda: 1_700_000_000.0)
    assert policy.server_delay({"retry-after": "Tue, 14 Nov 2023 22:13:30 GMT"}) == 10.0
    assert policy.server_delay({"retry-after": "garbage"}) is None
    assert policy.server_delay({"retry-after-ms": "1e400"}) == float("inf")


def test_max_retries_must_be_a_non_negative_int() -> None:
    with pytest.raises(TypeError):
        RetryPolicy(max_retries=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


async def test_connection_reset_before_headers_is_retried(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    server.inject(Fault(disconnect=True))
    assert (await client.responses.create(model="m", input="again")).output_text == "again"
    assert len(sleeps) == 1 and len(server.requests) == 2


async def test_connection_errors_surface_as_api_connection_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.inject(Fault(disconnect=True, times=5))
    with pytest.raises(APIConnectionError):
        await client.responses.create(model="m", input="x", max_retries=1)


async def test_slow_reply_raises_api_timeout_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.inject(Fault(delay=5.0))
    with pytest.raises(APITimeoutError):
        await client.responses.create(model="m", input="x", timeout=0.2, max_retries=0)


async def test_unreachable_server_is_a_connection_error(transport_name: str) -> None:
    async with AsyncResponsesClient(
        api_key="k",
        base_url="http://127.0.0.1:9/v1",
        transport=transport_name,  # type: ignore[arg-type]
        max_retries=0,
    ) as c:
        with pytest.raises(APIConnectionError):
            await c.responses.retrieve("resp_x")


async def test_success_reply_that_does_not_fit_raises_validation_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.inject(Fault(body=b'{"object": "response"}', content_type="application/json"))
    with pytest.raises(APIResponseValidationError) as info:
        await client.responses.retrieve("resp_x")
    assert info.value.raw_body == b'{"object": "response"}'
    assert info.value.request_id and info.value.status_code == 200


async def test_truncated_success_body_raises_validation_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.inject(Fault(body=b'{"id": "resp_1", "obj', content_type="application/json"))
    with pytest.raises(APIResponseValidationError) as info:
        await client.responses.retrieve("resp_x")
    assert info.value.raw_body == b'{"id": "resp_1", "obj'


async def test_per_client_options_copy_shares_the_pool(
    client: AsyncResponsesClient, server: ResponsesServer, sleeps: list[float]
) -> None:
    strict = client.with_options(max_retries=0)
    server.inject(Fault(status=500))
    with pytest.raises(InternalServerError):
        await strict.responses.create(model="m", input="x")
    await strict.aclose()
    assert (await client.responses.create(model="m", input="still open")).output_text
    assert sleeps == []
