"""Background runs: server-owned tasks that move a response from queued to done over time."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncGenerator, Callable

from ._items import Item
from ._run import Run
from ._stream import is_delta

# Share of the simulated duration a background response spends queued.
QUEUED_SHARE = 0.25


def schedule(events: list[Item], duration: float, pace: float) -> list[float]:
    """When each event happens, in seconds after creation.

    ``created`` and ``queued`` at once; ``in_progress`` after a quarter of *duration*; the
    other events evenly spread until *duration*, each delta later by *pace* more.
    """
    start = duration * QUEUED_SHARE
    rest = len(events) - 2
    step = (duration - start) / max(rest - 1, 1)
    times = [0.0, 0.0]
    paced = 0.0
    for index, event in enumerate(events[2:]):
        if pace and is_delta(event):
            paced += pace
        times.append(start + step * index + paced)
    return times


class BackgroundRunner:
    """Owns one task per running background response; ``stop`` cancels and awaits them all."""

    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[None], Run] = {}

    def start(self, run: Run, duration: float) -> None:
        """Advance *run* (already showing its opening events) to its end over *duration*."""
        times = schedule(run.events, duration, run.pace)
        task = asyncio.get_running_loop().create_task(self._simulate(run, times))
        self._tasks[task] = run
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    @staticmethod
    async def _simulate(run: Run, times: list[float]) -> None:
        loop = asyncio.get_running_loop()
        began = loop.time()
        while run.shown < len(run.events) and not run.done:
            wait = times[run.shown] - (loop.time() - began)
            if wait > 0:
                await asyncio.sleep(wait)
            # Everything due by now happens together, so tiny steps do not cost a wake-up each.
            due = bisect.bisect_right(times, loop.time() - began)
            run.reveal(min(max(due, run.shown + 1), len(run.events)))

    def cancel(self, run: Run) -> None:
        """Stop advancing *run* (its status is the caller's business)."""
        for task, owned in list(self._tasks.items()):
            if owned is run:
                task.cancel()

    @property
    def running(self) -> int:
        """Background responses still advancing (a cancelled one stops counting at once)."""
        return sum(not run.done for run in self._tasks.values())

    async def stop(self) -> None:
        """Cancel every simulation and wait for it; wake streams following those runs."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for run in self._tasks.values():
            run.changed.notify()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()


async def follow(
    run: Run, index: int, stopping: Callable[[], bool]
) -> AsyncGenerator[list[Item], None]:
    """Batches of *run*'s events from *index* on, as they happen, until it is done.

    A finished run gives what it has in one batch (a replay); a running one is tailed live.
    """
    while True:
        if index < run.shown:
            batch, index = run.events[index : run.shown], run.shown
            yield batch
            continue
        if run.done or stopping():
            return
        await run.changed.wait()


async def wait_status(run: Run, status: str) -> Item:
    """*run*'s Response once it has had *status* (now or earlier).

    Raises ``RuntimeError`` if it finished without ever having it, rather than wait forever.
    """
    while status not in run.statuses:
        if run.done:
            raise RuntimeError(
                f"response {run.id} ended {run.response['status']!r} "
                f"without reaching {status!r} (statuses: {run.statuses})"
            )
        await run.changed.wait()
    return run.response
