"""Shared fixtures: an embedded server on a real socket and a client per transport."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio.lowlevel
import pytest

from aioresponses_client import AsyncResponsesClient, RetryPolicy
from aioresponses_client.testing import ResponsesServer


@pytest.fixture
async def server() -> AsyncIterator[ResponsesServer]:
    async with ResponsesServer() as srv:
        yield srv


@pytest.fixture
async def openai_client(server: ResponsesServer) -> AsyncIterator[Any]:
    """The official SDK with strict validation, on ``server``: the wire-format oracle."""
    import openai

    async with openai.AsyncOpenAI(
        api_key=server.api_key,
        base_url=server.base_url,
        max_retries=0,
        _strict_response_validation=True,
    ) as c:
        yield c


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


@contextlib.contextmanager
def server_in_thread() -> Iterator[tuple[str, str]]:
    """An embedded server on its own asyncio loop in a thread: (base_url, api_key).

    For tests whose client runs under another event loop, such as trio.
    """
    started, stop = threading.Event(), threading.Event()
    info: dict[str, str] = {}

    async def main() -> None:
        async with ResponsesServer() as srv:
            info["url"], info["key"] = srv.base_url, srv.api_key or ""
            started.set()
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(10), "the embedded server did not start"
    try:
        yield info["url"], info["key"]
    finally:
        stop.set()
        thread.join(10)
