"""Fixtures and checks shared by the reliability suites.

The retry policy here has a fixed jitter draw, so every wait the client asks for is an exact
number a test can compare with ``==``; nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from aioresponses_client import AsyncResponsesClient, RetryPolicy
from aioresponses_client.testing import ResponsesServer

#: The jitter draw every policy of this suite uses: backoff(n) = 0.5 * 2**n * (1 - 0.25 * 0.5).
JITTER_DRAW = 0.5
#: Log text that means a connection, a reply or a task was dropped without being closed.
LEAK_MARKERS = ("Unclosed", "Task was destroyed", "was never awaited", "Task exception was never")
#: The full sizes and example counts (``RELIABILITY_FULL=1``), as ``benchmarks/soak.py`` runs.
FULL = os.environ.get("RELIABILITY_FULL") == "1"
#: Figures the suites measured, printed at the end of the run (see pytest_terminal_summary).
FIGURES: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "load: the load suite (full size with RELIABILITY_FULL=1)")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def backoff(n: int) -> float:
    """The wait before retry ``n + 1`` under this suite's policy (no server hint)."""
    return min(0.5 * 2.0**n, 8.0) * (1.0 - 0.25 * JITTER_DRAW)


@pytest.fixture
def retry_policy(sleeps: list[float]) -> RetryPolicy:
    async def record(seconds: float) -> None:
        sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()

    return RetryPolicy(sleep=record, random=lambda: JITTER_DRAW)


def in_use(client: AsyncResponsesClient) -> int:
    """Connections the client's pool has lent out right now."""
    return int(client.transport.pool_stats().in_use)  # type: ignore[attr-defined]


def open_fds() -> int:
    """File descriptors this process has open (Linux)."""
    return len(os.listdir("/proc/self/fd"))


def foreign_tasks() -> set[asyncio.Task[object]]:
    """Running tasks other than the current one and the embedded server's idle handlers."""
    current = asyncio.current_task()
    found: set[asyncio.Task[object]] = set()
    for task in asyncio.all_tasks():
        if task is current or task.done():
            continue
        qualname = getattr(task.get_coro(), "__qualname__", "")
        # aiohttp.web keeps one handler task per kept-alive connection; they are the server's.
        if qualname == "RequestHandler.start":
            continue
        found.add(task)
    return found


async def settle(server: ResponsesServer, client: AsyncResponsesClient | None = None) -> None:
    """Wait until the server writes no stream and only its own idle tasks are left."""
    with anyio.fail_after(10):
        await server.wait_streams_closed()
        while foreign_tasks():  # noqa: ASYNC110 - tasks of other libraries signal nothing
            await anyio.sleep(0.01)
    if client is not None:
        assert in_use(client) == 0


def leak_reports(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines (from any logger) reporting an unclosed resource or a lost task."""
    gc.collect()
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and any(m in r.getMessage() for m in LEAK_MARKERS)
    ]


@pytest.fixture
async def asyncio_debug() -> AsyncIterator[None]:
    """Run the test with the asyncio loop in debug mode, restoring it afterwards."""
    loop = asyncio.get_running_loop()
    was = loop.get_debug()
    loop.set_debug(True)
    # Debug mode also reports slow callbacks; loopback I/O on a busy CI box trips the default.
    slow = loop.slow_callback_duration
    loop.slow_callback_duration = 1.0
    try:
        yield
    finally:
        loop.slow_callback_duration = slow
        loop.set_debug(was)
