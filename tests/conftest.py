"""Shared fixtures: an embedded server on a real socket and a client per transport."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio.lowlevel
import pytest

from aioresponses_client import AsyncResponsesClient, RetryPolicy
from aioresponses_client.testing import ResponsesServer


@pytest.fixture
async def server() -> AsyncIterator[ResponsesServer]:
    async with ResponsesServer() as srv:
        yield srv


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the retry policy asked for, recorded instead of slept."""
    return []


@pytest.fixture
def retry_policy(sleeps: list[float]) -> RetryPolicy:
    async def record(seconds: float) -> None:
        sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()

    return RetryPolicy(sleep=record)


@pytest.fixture(params=["aiohttp", "httpx"])
def transport_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def client(
    server: ResponsesServer, transport_name: str, retry_policy: RetryPolicy
) -> AsyncIterator[AsyncResponsesClient]:
    async with AsyncResponsesClient(
        api_key=server.api_key,
        base_url=server.base_url,
        transport=transport_name,  # type: ignore[arg-type]
        retry_policy=retry_policy,
    ) as c:
        yield c
