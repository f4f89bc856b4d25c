"""Fan-out of background responses: this SDK's poller vs a hand-written gather loop on openai.

Both sides start N background responses on the same embedded server (run in its own process,
each response taking --duration seconds) with at most --concurrency requests in flight, and
poll until every one is terminal. Reported: wall time, and polls sent per completed response.

    .venv/bin/python benchmarks/fanout.py --n 2000
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from typing import Any

SERVER = """
import asyncio, sys
from aioresponses_client.testing import ResponsesServer

async def main():
    async with ResponsesServer(api_key="sk-bench", background_duration=float(sys.argv[1])) as s:
        print(s.base_url, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""

TERMINAL = {"completed", "failed", "cancelled", "incomplete"}


async def run_ours(url: str, n: int, concurrency: int, interval: float) -> dict[str, Any]:
    from aioresponses_client import AsyncResponsesClient
    from aioresponses_client._transport import HTTPRequest, HTTPResponse, StreamingResponse

    class Counting:
        def __init__(self, inner: Any) -> None:
            self.inner, self.name, self.gets = inner, inner.name, 0

        async def send(self, request: HTTPRequest) -> HTTPResponse:
            self.gets += request.method == "GET"
            return await self.inner.send(request)  # type: ignore[no-any-return]

        async def open_stream(self, request: HTTPRequest) -> StreamingResponse:
            return await self.inner.open_stream(request)  # type: ignore[no-any-return]

        async def aclose(self) -> None:
            await self.inner.aclose()

    from aioresponses_client import AiohttpTransport

    transport = Counting(AiohttpTransport(max_connections=concurrency))
    started = time.perf_counter()
    async with AsyncResponsesClient(api_key="sk-bench", base_url=url, transport=transport) as c:
        async with c.responses.poller(
            max_concurrency=concurrency, poll_interval=interval, max_poll_interval=8 * interval
        ) as poller:
            for i in range(n):
                await poller.submit(model="m", input=f"job {i}")
            results = await poller.results()
    await transport.aclose()
    wall = time.perf_counter() - started
    done = sum(1 for r in results if getattr(r, "status", None) in TERMINAL)
    return {"wall": wall, "done": done, "polls": transport.gets}


async def run_openai(url: str, n: int, concurrency: int, interval: float) -> dict[str, Any]:
    import httpx
    import openai

    polls = 0

    async def count(request: httpx.Request) -> None:
        nonlocal polls
        polls += request.method == "GET"

    http = httpx.AsyncClient(
        event_hooks={"request": [count]},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )
    client = openai.AsyncOpenAI(api_key="sk-bench", base_url=url, http_client=http)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Any:
        async with gate:
            r = await client.responses.create(model="m", input=f"job {i}", background=True)
        while r.status not in TERMINAL:
            await asyncio.sleep(interval)
            async with gate:
                r = await client.responses.retrieve(r.id)
        return r

    started = time.perf_counter()
    results = await asyncio.gather(*(one(i) for i in range(n)))
    wall = time.perf_counter() - started
    await client.close()
    return {"wall": wall, "done": sum(1 for r in results if r.status in TERMINAL), "polls": polls}


def child(which: str, url: str, n: int, concurrency: int, interval: float) -> None:
    runner = run_ours if which == "ours" else run_openai
    result = asyncio.run(runner(url, n, concurrency, interval))
    print(f"{result['wall']} {result['done']} {result['polls']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per background run")
    parser.add_argument("--interval", type=float, default=0.25, help="first poll interval")
    parser.add_argument("--child", choices=["ours", "openai"])
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.n, args.concurrency, args.interval)
        return
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(args.duration)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        rows = []
        for which, label in (("ours", "aioresponses_client poller"), ("openai", "openai + gather")):
            argv = [sys.executable, __file__, "--child", which, "--url", url, "--n", str(args.n)]
            argv += ["--concurrency", str(args.concurrency), "--interval", str(args.interval)]
            out = subprocess.run(
                argv,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            wall, done, polls = float(out[0]), int(out[1]), int(out[2])
            rows.append((label, wall, done, polls))
    finally:
        server.terminate()
        server.wait()
    print(
        f"{args.n} background responses, {args.duration} s each, concurrency "
        f"{args.concurrency}, first poll interval {args.interval} s\n"
    )
    print("| contender | wall s | completed | polls | polls per response |")
    print("|---|---|---|---|---|")
    for label, wall, done, polls in rows:
        print(f"| {label} | {wall:.2f} | {done} | {polls} | {polls / max(done, 1):.2f} |")
    (_, w0, _, p0), (_, w1, _, p1) = rows
    print(f"\nratios (ours / openai): wall {w0 / w1:.2f}, polls {p0 / max(p1, 1):.2f}")


if __name__ == "__main__":
    main()
