"""Background responses: wait, the poller, cancellation, on both transports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import anyio
import pytest

from aioresponses_client import (
    AsyncResponsesClient,
    InternalServerError,
    PollingError,
    ResponseFailedError,
    RetryPolicy,
    WaitTimeoutError,
)
from aioresponses_client._transport import HTTPRequest, HTTPResponse, StreamingResponse, Transport
from aioresponses_client.testing import Failed, Fault, ResponsesServer


class CountingTransport:
    """A real transport wrapped to record how many requests are in flight at once."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.name = inner.name
        self.in_flight = 0
        self.peak = 0

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self._inner.send(request)
        finally:
            self.in_flight -= 1

    async def open_stream(self, request: HTTPRequest) -> StreamingResponse:
        return await self._inner.open_stream(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
async def bg_server() -> AsyncIterator[ResponsesServer]:
    async with ResponsesServer(background_duration=0.05) as srv:
        yield srv


@pytest.fixture
async def bg_client(
    bg_server: ResponsesServer, transport_name: str, retry_policy: RetryPolicy
) -> AsyncIterator[AsyncResponsesClient]:
    async with AsyncResponsesClient(
        api_key=bg_server.api_key,
        base_url=bg_server.base_url,
        transport=transport_name,  # type: ignore[arg-type]
        retry_policy=retry_policy,
    ) as c:
        yield c


def _fast() -> dict[str, float]:
    return {"poll_interval": 0.01, "max_poll_interval": 0.05}


async def test_wait_polls_a_background_response_to_completion(
    bg_client: AsyncResponsesClient,
) -> None:
    created = await bg_client.responses.create(model="m", input="later", background=True)
    assert created.status == "queued" and created.background is True
    done = await bg_client.responses.wait(created, **_fast())
    assert done.status == "completed" and done.output_text == "later"
    assert await bg_client.responses.wait(done) is done  # terminal: no request needed


async def test_wait_honours_retry_after_on_a_rate_limited_poll(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer, sleeps: list[float]
) -> None:
    created = await bg_client.responses.create(model="m", input="x", background=True)
    bg_server.inject(Fault(status=429, headers={"retry-after-ms": "700"}, method="GET"))
    done = await bg_client.responses.wait(created.id, **_fast())
    assert done.status == "completed"
    assert sleeps == [0.7]


async def test_wait_timeout_carries_the_last_response_and_can_cancel_it(
    transport_name: str,
) -> None:
    async with ResponsesServer(background_duration=60.0) as srv:
        async with AsyncResponsesClient(
            api_key=srv.api_key,
            base_url=srv.base_url,
            transport=transport_name,  # type: ignore[arg-type]
        ) as c:
            created = await c.responses.create(model="m", input="slow", background=True)
            with pytest.raises(WaitTimeoutError) as info:
                await c.responses.wait(created.id, timeout=0.1, **_fast())
            assert isinstance(info.value, TimeoutError)
            last = info.value.last_response
            assert last is not None and last.status in ("queued", "in_progress")
            with pytest.raises(WaitTimeoutError) as info:
                await c.responses.wait(created.id, timeout=0.1, cancel_on_timeout=True, **_fast())
            assert info.value.last_response is not None
            assert info.value.last_response.status == "cancelled"
            assert (await c.responses.retrieve(created.id)).status == "cancelled"


async def test_cancelling_a_wait_leaves_no_request_behind(transport_name: str) -> None:
    async with ResponsesServer(background_duration=60.0, latency=0.0) as srv:
        transport = CountingTransport(
            AsyncResponsesClient(api_key="", transport=transport_name).transport  # type: ignore[arg-type]
        )
        async with AsyncResponsesClient(
            api_key=srv.api_key, base_url=srv.base_url, transport=transport
        ) as c:
            created = await c.responses.create(model="m", input="x", background=True)
            srv.inject(Fault(delay=30.0, method="GET"))
            with anyio.move_on_after(0.2):
                await c.responses.wait(created.id, **_fast())
            assert transport.in_flight == 0
        await transport.aclose()


async def test_poller_runs_many_within_the_concurrency_limit_in_submission_order(
    bg_server: ResponsesServer, transport_name: str
) -> None:
    inner = AsyncResponsesClient(api_key="", transport=transport_name).transport  # type: ignore[arg-type]
    transport = CountingTransport(inner)
    async with AsyncResponsesClient(
        api_key=bg_server.api_key, base_url=bg_server.base_url, transport=transport
    ) as c:
        async with c.responses.poller(max_concurrency=16, **_fast()) as poller:
            handles = [await poller.submit(model="m", input=f"job {i}") for i in range(200)]
            finished = [r async for r in poller.as_completed()]
            results = await poller.results()
    await transport.aclose()
    assert 8 <= transport.peak <= 16, transport.peak
    assert len(finished) == 200 and {r.id for r in finished} == {h.response_id for h in handles}
    assert [r.output_text for r in results] == [f"job {i}" for i in range(200)]  # type: ignore[union-attr]
    assert all(h.done and h.response and h.response.status == "completed" for h in handles)


async def test_failed_responses_are_delivered_not_raised(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer
) -> None:
    bg_server.script(end=Failed(code="server_error", message="model crashed"))
    async with bg_client.responses.poller(**_fast()) as poller:
        bad = await poller.submit(model="m", input="fails")
        good = await poller.submit(model="m", input="works")
    assert (await bad.result()).status == "failed"
    assert (await good.result()).output_text == "works"


async def test_raise_on_failure_raises_the_failed_response(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer
) -> None:
    bg_server.script(end=Failed(code="server_error", message="model crashed"))
    with pytest.raises(ResponseFailedError) as info:
        async with bg_client.responses.poller(raise_on_failure=True, **_fast()) as poller:
            await poller.submit(model="m", input="fails")
    assert info.value.response.error is not None
    assert info.value.response.error.message == "model crashed"


async def test_a_polling_error_stays_on_its_handle(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer
) -> None:
    async with bg_client.responses.poller(**_fast()) as poller:
        doomed = await poller.submit(model="m", input="doomed")
        bg_server.inject(Fault(status=500, times=50, path=doomed.response_id, method="GET"))
        fine = await poller.submit(model="m", input="fine")
        with pytest.raises(PollingError) as info:
            [r async for r in poller.as_completed()]
    assert info.value.handles == [doomed]
    assert isinstance(doomed.error, InternalServerError)
    assert (await fine.result()).output_text == "fine"
    results = await poller.results(return_exceptions=True)
    assert isinstance(results[0], InternalServerError) and results[1].output_text == "fine"  # type: ignore[union-attr]


async def test_track_adopts_a_response_started_elsewhere(
    bg_client: AsyncResponsesClient,
) -> None:
    created = await bg_client.responses.create(model="m", input="adopted", background=True)
    async with bg_client.responses.poller(**_fast()) as poller:
        handle = poller.track(created.id)
    assert (await handle.result()).output_text == "adopted"


async def test_cancelling_the_scope_cancels_every_running_response(transport_name: str) -> None:
    async with ResponsesServer(background_duration=60.0) as srv:
        async with AsyncResponsesClient(
            api_key=srv.api_key,
            base_url=srv.base_url,
            transport=transport_name,  # type: ignore[arg-type]
        ) as c:
            with anyio.CancelScope() as scope:
                async with c.responses.poller(cancel_on_exit=True, **_fast()) as poller:
                    handles = [await poller.submit(model="m", input=f"j{i}") for i in range(10)]
                    scope.cancel()
            cancels = [r for r in srv.requests if r.path.endswith("/cancel")]
            assert len(cancels) == 10
            for h in handles:
                assert (await c.responses.retrieve(h.response_id)).status == "cancelled"
    assert {t for t in asyncio.all_tasks() if not t.done()} == {asyncio.current_task()}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_background_stream_cut_three_times_yields_every_event_once(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer, seed: int
) -> None:
    import random

    rng = random.Random(seed)
    cuts = [rng.randint(1, 9) for _ in range(3)]
    for k in cuts:
        bg_server.inject(Fault(disconnect_after_events=k))
    text = " ".join(f"w{i}" for i in range(30))
    async with await bg_client.responses.create(
        model="m",
        input=text,
        background=True,
        stream=True,
        stream_options={"include_obfuscation": False},
    ) as s:
        events = [e async for e in s]
        final = await s.final_response()
    assert len(bg_server.requests) == 4  # the create and three resumes
    resumes = bg_server.requests[1:]
    assert all(r.method == "GET" and r.query.get("stream") == ["true"] for r in resumes)
    assert all(r.query.get("include_obfuscation") == ["false"] for r in resumes)
    assert [int(r.query["starting_after"][0]) for r in resumes] == [
        cuts[0] - 1,
        cuts[0] + cuts[1] - 1,
        cuts[0] + cuts[1] + cuts[2] - 1,
    ]
    async with await bg_client.responses.retrieve(
        final.id, stream=True, include_obfuscation=False
    ) as replay:
        full = [e async for e in replay]
    assert [e.sequence_number for e in events] == list(range(len(full)))
    assert events == full
    assert final.output_text == text


async def test_resumed_retrieve_stream_reconnects_too(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer
) -> None:
    created = await bg_client.responses.create(model="m", input="a b c d e f", background=True)
    bg_server.inject(Fault(disconnect_after_events=2))
    async with await bg_client.responses.retrieve(created.id, stream=True, starting_after=1) as s:
        events = [e async for e in s]
    assert events[0].sequence_number == 2
    assert [e.sequence_number for e in events] == list(range(2, 2 + len(events)))
    assert (await s.final_response()).output_text == "a b c d e f"


async def test_resume_gives_up_after_the_retry_budget(
    bg_client: AsyncResponsesClient, bg_server: ResponsesServer
) -> None:
    from aioresponses_client import StreamInterruptedError

    bg_server.inject(Fault(disconnect_after_events=3))
    bg_server.inject(Fault(disconnect_after_events=0, times=5))
    async with await bg_client.responses.create(
        model="m", input="x y z", background=True, stream=True
    ) as s:
        with pytest.raises(StreamInterruptedError) as info:
            async for _ in s:
                pass
    assert info.value.last_sequence_number == 2
    assert len(bg_server.requests) == 1 + bg_client.max_retries
