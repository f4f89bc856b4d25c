"""Soak: one client under mixed load and random faults for minutes; prints its figures.

The embedded server runs in its own process, so the file descriptors and memory measured are
the client's alone. It injects one random fault (5xx, 429 with retry-after, HTML 502, resets
before/mid body and mid-stream, clean cuts, a slow first byte past the client's timeout,
truncated JSON) every ``1 / --fault-rate`` requests. ``--workers`` tasks loop over creates,
streams, retrieves and background waits until ``--seconds`` have passed.

Every call must end in a result or a typed ``APIError`` (a mid-stream cut of a plain stream, or
a fault on every attempt, is a typed error by design); anything else, a connection left in
use, a file descriptor not given back, a pool above its limit or memory still growing in the
second half of the run makes the exit status 1.

    .venv/bin/python benchmarks/soak.py --seconds 300 --transport aiohttp
    .venv/bin/python benchmarks/soak.py --seconds 60 --transport httpx --workers 100
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import anyio

SERVER = """
import asyncio, logging, random, sys
from aioresponses_client.testing import Fault, ResponsesServer

# A client that times out mid-request makes aiohttp log a traceback; that is the test working.
logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)

HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
FAULTS = {
    "500": Fault(status=500), "502": Fault(status=502), "503": Fault(status=503),
    "504": Fault(status=504), "429": Fault(status=429),
    "429-retry-after": Fault(status=429, headers={"retry-after-ms": "30"}),
    "html-502": Fault(status=502, body=HTML, content_type="text/html"),
    "reset": Fault(disconnect=True), "reset-mid-body": Fault(disconnect_after_bytes=300),
    "close-mid-body": Fault(truncate_body_at=300), "cut-stream": Fault(disconnect_after_events=4),
    "slow": Fault(delay=1.5 * float(sys.argv[4])), "truncated-json": Fault(malformed_json=True),
}

async def main():
    rate, seed = float(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3].split(",") if sys.argv[3] else list(FAULTS)
    kinds = [FAULTS[name] for name in names]
    rng = random.Random(seed)
    async with ResponsesServer(api_key="sk-soak", background_duration=0.2) as server:
        print(server.base_url, flush=True)
        seen, next_fault, every = 0, 0, max(1, round(1 / rate)) if rate > 0 else None
        while True:
            await asyncio.sleep(0.005)
            seen += len(server.requests)
            server.requests.clear()  # the log would grow for the whole run
            if every is not None and seen >= next_fault:
                server.inject(rng.choice(kinds))
                next_fault = seen + every

asyncio.run(main())
"""


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class Stats:
    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.untyped: list[str] = []
        self.peak_in_use = 0
        self.limit = 0
        self.over_limit = False
        self.rss: list[tuple[float, float]] = []


async def worker(client: Any, rng: random.Random, stats: Stats, until: float) -> None:
    from aioresponses_client import APIError

    while time.monotonic() < until:
        roll = rng.random()
        kind = "create" if roll < 0.65 else "stream" if roll < 0.85 else "other"
        try:
            if roll < 0.65:
                text = f"soak {rng.random()}"
                response = await client.responses.create(model="m", input=text, store=False)
                assert response.output_text == text
            elif roll < 0.85:
                async with await client.responses.create(
                    model="m", input="a few words to stream back", stream=True
                ) as stream:
                    if rng.random() < 0.2:  # walk away early now and then
                        async for _ in stream:
                            break
                    else:
                        final = await stream.final_response()
                        assert final.output_text == "a few words to stream back"
            elif roll < 0.95:
                kind = "retrieve"
                created = await client.responses.create(model="m", input="keep me")
                fetched = await client.responses.retrieve(created.id)
                assert fetched.id == created.id
            else:
                kind = "wait"
                job = await client.responses.create(model="m", input="later", background=True)
                done = await client.responses.wait(job, poll_interval=0.05, timeout=30)
                assert done.status == "completed"
            stats.outcomes[f"{kind}: ok"] += 1
        except APIError as exc:
            stats.outcomes[f"{kind}: {type(exc).__name__}"] += 1
        except Exception as exc:  # the one thing a soak must never see
            stats.untyped.append(repr(exc))
            stats.outcomes[f"UNTYPED: {type(exc).__name__}"] += 1


async def sampler(client: Any, stats: Stats, started: float, every: float) -> None:
    last_total, last_time = 0, started
    while True:
        await anyio.sleep(0.01)
        pool = client.transport.pool_stats()
        stats.limit = pool.limit
        stats.peak_in_use = max(stats.peak_in_use, pool.in_use)
        stats.over_limit |= pool.in_use > pool.limit
        now = time.monotonic()
        if now - last_time < every:
            continue
        total = sum(stats.outcomes.values())
        rss = rss_mb()
        stats.rss.append((now - started, rss))
        errors = sum(v for k, v in stats.outcomes.items() if not k.endswith("ok"))
        rate = (total - last_total) / (now - last_time)
        print(
            f"{now - started:7.1f} s  calls {total:8d}  {rate:7.0f}/s"
            f"  errors {errors:6d}  untyped {len(stats.untyped)}  fds {open_fds():5d}"
            f"  rss {rss:6.1f} MiB  pool {pool.in_use}/{pool.limit} (idle {pool.idle})",
            flush=True,
        )
        last_total, last_time = total, now


async def soak(args: argparse.Namespace, base_url: str) -> int:
    from aioresponses_client import AsyncResponsesClient, RetryPolicy

    gc.collect()
    fds_before, rss_before = open_fds(), rss_mb()
    stats = Stats()
    policy = RetryPolicy(initial_delay=0.05, max_delay=0.2)
    started = time.monotonic()
    client = AsyncResponsesClient(
        api_key="sk-soak",
        base_url=base_url,
        transport=args.transport,
        retry_policy=policy,
        timeout=args.timeout,  # the server's slow-first-byte fault waits 1.5 times this
    )
    async with client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(sampler, client, stats, started, args.report)
            async with anyio.create_task_group() as workers:
                for i in range(args.workers):
                    rng = random.Random(args.seed * 100_003 + i)
                    workers.start_soon(worker, client, rng, stats, started + args.seconds)
            tg.cancel_scope.cancel()
        in_use_at_end = client.transport.pool_stats().in_use
    elapsed = time.monotonic() - started
    with anyio.move_on_after(10):
        while open_fds() > fds_before:  # noqa: ASYNC110 - the kernel signals nothing here
            await anyio.sleep(0.05)
    gc.collect()
    fds_after, rss_after = open_fds(), rss_mb()
    total = sum(stats.outcomes.values())
    half = [rss for t, rss in stats.rss if t >= elapsed / 2]
    growth = (half[-1] - half[0]) if len(half) > 1 else 0.0

    print()
    print(
        f"transport {args.transport}, {args.workers} workers, {elapsed:.0f} s, seed {args.seed},"
        f" timeout {args.timeout} s"
    )
    print(
        f"calls {total} ({total / elapsed:.0f}/s); faults injected ~1 per {1 / args.fault_rate:.0f}"
        " requests"
        if args.fault_rate > 0
        else f"calls {total} ({total / elapsed:.0f}/s); no faults"
    )
    for name, count in sorted(stats.outcomes.items()):
        print(f"  {name:45s} {count:8d}")
    print(f"pool peak {stats.peak_in_use}/{stats.limit} in use; in use at the end: {in_use_at_end}")
    print(f"fds before {fds_before}, after {fds_after}")
    ru_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RSS before {rss_before:.1f} MiB, after {rss_after:.1f} MiB, peak {ru_peak:.1f} MiB;"
        f" second-half growth {growth:+.1f} MiB"
    )
    failures = []
    if stats.untyped:
        failures.append(f"{len(stats.untyped)} untyped errors, e.g. {stats.untyped[0]}")
    if stats.over_limit:
        failures.append("the pool went above its limit")
    if in_use_at_end:
        failures.append(f"{in_use_at_end} connections still in use")
    if fds_after > fds_before:
        failures.append(f"{fds_after - fds_before} file descriptors not given back")
    if growth > max(8.0, 0.1 * rss_before):
        failures.append(f"memory still growing in the second half ({growth:+.1f} MiB)")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("OK" if not failures else "FAILED")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--transport", choices=["aiohttp", "httpx"], default="aiohttp")
    parser.add_argument("--workers", type=int, default=200, help="concurrent calls")
    parser.add_argument("--fault-rate", type=float, default=0.02, help="faults per request")
    parser.add_argument("--report", type=float, default=5.0, help="seconds between lines")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=2.0, help="client timeout, seconds")
    parser.add_argument(
        "--faults",
        default="",
        help="comma-separated fault names to draw from (default: all): 500, 502, 503, 504, "
        "429-retry-after, 429, html-502, reset, reset-mid-body, close-mid-body, cut-stream, "
        "slow, truncated-json",
    )
    args = parser.parse_args()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVER,
            str(args.fault_rate),
            str(args.seed),
            args.faults,
            str(args.timeout),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        return asyncio.run(soak(args, base_url))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
