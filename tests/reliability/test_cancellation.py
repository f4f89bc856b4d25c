"""Cancelling a task anywhere in create / stream / wait / poller leaks nothing.

A seeded sweep: each seed picks where to cancel (a deadline somewhere in the call's lifetime,
the arrival of the k-th event, or the server receiving the request) and a few circumstances
(a 503 first, so a retry wait is under way; a stream cut, so a resume is under way). After
every cancellation the pool must have nothing lent out; after each sweep the server must be
writing no stream and no task of ours may be left. The loop runs in asyncio debug mode and
warnings are errors, so an unclosed response or a destroyed pending task fails the test.

``RELIABILITY_FULL=1`` sweeps ten times as many seeds.
"""

from __future__ import annotations

import gc
import os
import random
import warnings
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest

from aioresponses_client import AsyncResponsesClient, RetryPolicy
from aioresponses_client.testing import Fault, ResponsesServer, Script, Text

from .conftest import in_use, leak_reports, settle

pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("asyncio_debug")]

SEEDS = range(250 if os.environ.get("RELIABILITY_FULL") == "1" else 20)
WORDS = " ".join(f"w{i}" for i in range(16))
# The warning a Poller that did not close its streams would give.
_POLLER_STREAM = "Unclosed <MemoryObjectReceiveStream"

# An op gets the scope it runs in, so it can cancel it at an exact point of its own.
Op = Callable[
    [AsyncResponsesClient, ResponsesServer, random.Random, anyio.CancelScope], Awaitable[None]
]


@pytest.fixture
async def paced_server() -> AsyncIterator[ResponsesServer]:
    # Every call takes tens of milliseconds, so deadlines drawn in that span land everywhere:
    # before connecting, waiting for headers, between events, in a retry wait, in a poll.
    async with ResponsesServer(latency=0.005, event_delay=0.002, background_duration=0.04) as srv:
        yield srv


@pytest.fixture
async def paced_client(
    paced_server: ResponsesServer, transport_name: str
) -> AsyncIterator[AsyncResponsesClient]:
    # Real (short) retry waits: cancelling inside one is one of the points swept.
    policy = RetryPolicy(initial_delay=0.01, max_delay=0.02)
    async with AsyncResponsesClient(
        api_key=paced_server.api_key,
        base_url=paced_server.base_url,
        transport=transport_name,  # type: ignore[arg-type]
        retry_policy=policy,
    ) as c:
        yield c


def _maybe_fault(server: ResponsesServer, rng: random.Random, path: str = "/responses") -> None:
    roll = rng.random()
    if roll < 0.2:
        server.inject(Fault(status=503, path=path))
    elif roll < 0.3:
        server.inject(Fault(disconnect=True, path=path))


async def _create(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    rng: random.Random,
    scope: anyio.CancelScope,
) -> None:
    _maybe_fault(server, rng)
    response = await client.responses.create(model="m", input="cancel me")
    assert response.output_text == "cancel me"


async def _stream(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    rng: random.Random,
    scope: anyio.CancelScope,
) -> None:
    _maybe_fault(server, rng)
    stop_at = rng.choice([None, None, 0, 1, 5, 12])
    async with await client.responses.create(model="m", input=WORDS, stream=True) as stream:
        async for event in stream:
            if event.sequence_number == stop_at:  # type: ignore[union-attr]
                scope.cancel()  # at an exact event: it lands in the next read
        await stream.final_response()


async def _stream_text(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    rng: random.Random,
    scope: anyio.CancelScope,
) -> None:
    _maybe_fault(server, rng)
    async with client.responses.stream_text(model="m", input=WORDS) as deltas:
        async for _ in deltas:
            pass


async def _background_stream(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    rng: random.Random,
    scope: anyio.CancelScope,
) -> None:
    # A cut the stream resumes from by itself: cancelling during the resume is swept too.
    server.inject(Fault(disconnect_after_events=rng.randint(1, 8)))
    async with await client.responses.create(
        model="m", input=WORDS, background=True, stream=True
    ) as stream:
        await stream.final_response()


async def _wait(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    rng: random.Random,
    scope: anyio.CancelScope,
) -> None:
    job = await client.responses.create(model="m", input="wait for me", background=True)
    _maybe_fault(server, rng, path=job.id)
    done = await client.responses.wait(
        job,
        poll_interval=0.005,
        cancel_on_timeout=rng.random() < 0.5,
        timeout=rng.choice([None, 0.03]),
    )
    assert done.status == "completed"


async def _poller(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    rng: random.Random,
    scope: anyio.CancelScope,
) -> None:
    async with client.responses.poller(
        max_concurrency=3, poll_interval=0.005, cancel_on_exit=rng.random() < 0.5
    ) as poller:
        for i in range(rng.randint(1, 6)):
            await poller.submit(model="m", input=f"job {i}")
        async for response in poller.as_completed():
            assert response.status == "completed"


OPS: dict[str, tuple[Op, float]] = {
    # name -> (the call, the span its deadlines are drawn from: a little over the time the
    # call takes uncancelled here, so that some seeds let it finish)
    "create": (_create, 0.035),
    "stream": (_stream, 0.13),
    "stream_text": (_stream_text, 0.14),
    "background stream": (_background_stream, 0.17),
    "wait": (_wait, 0.09),
    "poller": (_poller, 0.2),
}


async def _run_one(
    op: Op, client: AsyncResponsesClient, server: ResponsesServer, seed: int, span: float
) -> str:
    rng = random.Random(seed)
    server.clear()
    deadline = rng.uniform(0.0, span)
    with anyio.CancelScope() as scope:
        scope.deadline = anyio.current_time() + deadline
        try:
            await op(client, server, rng, scope)
        except TimeoutError:  # wait(timeout=...) may give up first; that is an outcome too
            return "timed out"
    return "cancelled" if scope.cancelled_caught else "completed"


@pytest.mark.parametrize("name", list(OPS))
async def test_cancelling_anywhere_leaves_no_connection_task_or_unclosed_reply(
    paced_client: AsyncResponsesClient,
    paced_server: ResponsesServer,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    op, span = OPS[name]
    outcomes: Counter[str] = Counter()
    for seed in SEEDS:
        outcomes[await _run_one(op, paced_client, paced_server, seed, span)] += 1
        assert in_use(paced_client) == 0, f"{name}, seed {seed}: a connection is in use"
    assert outcomes["cancelled"] >= len(SEEDS) // 5, outcomes  # the sweep did cancel
    # Background jobs the cancelled calls left on the server finish on their own.
    with anyio.fail_after(10):
        while paced_server.background_running:  # noqa: ASYNC110 - no signal to wait on
            await anyio.sleep(0.01)
    await settle(paced_server, paced_client)
    assert leak_reports(caplog) == []  # collects garbage
    # The client is still fully usable after all that.
    assert (await paced_client.responses.create(model="m", input="ok")).output_text == "ok"


async def test_cancelled_when_the_server_receives_the_request(
    paced_client: AsyncResponsesClient,
    paced_server: ResponsesServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for seed in SEEDS:
        rng = random.Random(seed)
        stream = rng.random() < 0.5
        with anyio.CancelScope() as scope:

            async def give_up_now(
                body: dict[str, Any],
                scope: anyio.CancelScope = scope,
                rng: random.Random = rng,
            ) -> Script:
                scope.cancel()  # the client gives up while the server is still answering
                await anyio.sleep(rng.uniform(0.0, 0.01))
                return Script(Text(WORDS))

            paced_server.respond_with(give_up_now)
            if stream:
                async with await paced_client.responses.create(
                    model="m", input="x", stream=True
                ) as s:
                    await s.final_response()
            else:
                await paced_client.responses.create(model="m", input="x")
        assert scope.cancelled_caught
        assert in_use(paced_client) == 0, f"seed {seed}"
    paced_server.respond_with(None)
    await settle(paced_server, paced_client)
    assert leak_reports(caplog) == []


async def test_cancelling_a_stream_the_caller_never_entered_still_frees_it(
    paced_client: AsyncResponsesClient,
    paced_server: ResponsesServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A stream opened, then its task cancelled before `async with` or any read: closing it in
    # a finally (what `async with` does) is enough, however the cancellation arrived.
    for seed in SEEDS:
        rng = random.Random(seed)
        stream = await paced_client.responses.create(model="m", input=WORDS, stream=True)
        try:
            with anyio.move_on_after(rng.uniform(0.0, 0.03)):
                await anyio.sleep(1)
        finally:
            await stream.aclose()
        assert stream.closed and in_use(paced_client) == 0
    await settle(paced_server, paced_client)
    assert leak_reports(caplog) == []


async def test_a_finished_poller_leaves_no_unclosed_stream(
    paced_client: AsyncResponsesClient,
) -> None:
    async with paced_client.responses.poller(poll_interval=0.005) as poller:
        await poller.submit(model="m", input="one")
        assert len(await poller.results()) == 1
    del poller
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    assert [str(w.message) for w in caught if _POLLER_STREAM in str(w.message)] == []
