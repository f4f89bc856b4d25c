"""Events per second through a streamed response: this SDK, the official ``openai`` SDK, a floor.

Run: ``.venv/bin/python benchmarks/stream_throughput.py [--events 100000] [--repeat 3]``

A tiny aiohttp.web server, running in this (parent) process on its own thread, answers
``POST /v1/responses`` with one pre-rendered ``text/event-stream`` body in 64 KiB writes: the
events the API sends for a long text answer (created, in_progress, output_item.added,
content_part.added, ``--events`` output_text.delta events with ``logprobs`` and
``obfuscation``, the .done events and response.completed). Rendering is done once, up front, so
the server costs next to nothing per event and the numbers are the client's.

Each contender runs in a fresh Python process (``--contender NAME``), which streams the body
``--repeat`` times on one connection pool and reports the best wall time of request-to-last-event;
the SDK contenders also time ``final_response()`` after the loop, the official SDK the read of
``response.completed``'s ``response`` that plays the same part. Contenders:

``sdk-aiohttp``, ``sdk-httpx``
    ``AsyncResponsesClient(transport=...)``: ``async with await client.responses.create(...,
    stream=True) as s: async for ev in s`` (typed events, the accumulator, sequence tracking).
``openai``
    The official SDK: ``AsyncOpenAI(...).responses.create(..., stream=True)``, ``async for``.
``floor``
    aiohttp, a ``bytes.split(b"\\n\\n")`` of each read and ``orjson.loads`` of each data line:
    what any Python client pays at the least, with no typed objects.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

ITEM_ID = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b"
RESPONSE_ID = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b"
MODEL = "gpt-4.1-2025-04-14"
WRITE_SIZE = 64 * 1024
CONTENDERS = ("sdk-aiohttp", "sdk-httpx", "openai", "floor")

_WORDS = [
    " the", " model", " streams", " tokens", ",", " one", " at", " a", " time", ".", " héllo",
    " 🌍", " naïve", " 数据", "\n\n", " `code`", ' "quoted"', " 42", " résumé", " and",
]  # fmt: skip
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


# -- the stream ---------------------------------------------------------------------------------


def _response(status: str, output: list[Any], usage: Any) -> dict[str, Any]:
    """A Response object shaped like the API's, all the usual keys included."""
    return {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1741476542,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": MODEL,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "prompt_cache_key": None,
        "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None,
        "service_tier": "auto",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": {},
    }


def _sse(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"event: {payload['type']}\ndata: {body}\n\n".encode()


def build_body(deltas: int, seed: int = 0) -> tuple[bytes, int, str]:
    """The SSE body, its number of events and the text the deltas add up to."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []

    def add(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    item = {
        "id": ITEM_ID,
        "type": "message",
        "status": "in_progress",
        "content": [],
        "role": "assistant",
    }
    add("response.created", response=_response("in_progress", [], None))
    add("response.in_progress", response=_response("in_progress", [], None))
    add("response.output_item.added", output_index=0, item=item)
    add("response.content_part.added", item_id=ITEM_ID, output_index=0, content_index=0, part=part)
    pieces = []
    for _ in range(deltas):
        delta = "".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 2)))
        pieces.append(delta)
        # The API pads each delta with random characters so the size leaks nothing.
        obfuscation = "".join(rng.choice(_ALNUM) for _ in range(rng.randint(2, 14)))
        add(
            "response.output_text.delta",
            item_id=ITEM_ID,
            output_index=0,
            content_index=0,
            delta=delta,
            logprobs=[],
            obfuscation=obfuscation,
        )
    text = "".join(pieces)
    done_part = {**part, "text": text}
    done_item = {**item, "status": "completed", "content": [done_part]}
    add(
        "response.output_text.done",
        item_id=ITEM_ID,
        output_index=0,
        content_index=0,
        text=text,
        logprobs=[],
    )
    add(
        "response.content_part.done",
        item_id=ITEM_ID,
        output_index=0,
        content_index=0,
        part=done_part,
    )
    add("response.output_item.done", output_index=0, item=done_item)
    usage = {
        "input_tokens": 37,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": deltas,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 37 + deltas,
    }
    add("response.completed", response=_response("completed", [done_item], usage))
    return b"".join(map(_sse, events)), len(events), text


class Server:
    """An aiohttp.web server on a thread of its own, replaying one pre-rendered body."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),))

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        await request.read()
        reply = web.StreamResponse(
            headers={"content-type": "text/event-stream", "x-request-id": "req_bench"}
        )
        await reply.prepare(request)
        body = memoryview(self.body)
        for start in range(0, len(body), WRITE_SIZE):
            await reply.write(body[start : start + WRITE_SIZE])
        await reply.write_eof()
        return reply

    async def _main(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/v1/responses", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = runner.addresses[0][1]
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    def __enter__(self) -> Server:
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()


# -- contenders: each returns (events seen, final text) ------------------------------------------

Run = Callable[[], Coroutine[Any, Any, tuple[int, str, float]]]


async def _timed_final(get: Callable[[], Coroutine[Any, Any, str]]) -> tuple[str, float]:
    start = time.perf_counter()
    text = await get()
    return text, time.perf_counter() - start


def sdk(transport: str, base_url: str) -> tuple[Run, Callable[[], Coroutine[Any, Any, None]]]:
    from aioresponses_client import AsyncResponsesClient

    client = AsyncResponsesClient(api_key="sk-bench", base_url=base_url, transport=transport)  # type: ignore[arg-type]

    async def run() -> tuple[int, str, float]:
        count = 0
        async with await client.responses.create(model=MODEL, input="hi", stream=True) as s:
            async for _ in s:
                count += 1

            async def final() -> str:
                return (await s.final_response()).output_text

            text, final_seconds = await _timed_final(final)
        return count, text, final_seconds

    return run, client.aclose


def official(base_url: str) -> tuple[Run, Callable[[], Coroutine[Any, Any, None]]]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)

    async def run() -> tuple[int, str, float]:
        count = 0
        last: Any = None
        stream = await client.responses.create(model=MODEL, input="hi", stream=True)
        async with stream:
            async for event in stream:
                count += 1
                last = event

        async def final() -> str:
            return str(last.response.output_text)

        text, final_seconds = await _timed_final(final)
        return count, text, final_seconds

    return run, client.close


def floor(base_url: str) -> tuple[Run, Callable[[], Coroutine[Any, Any, None]]]:
    import aiohttp
    import orjson

    session: aiohttp.ClientSession | None = None

    async def run() -> tuple[int, str, float]:
        nonlocal session
        if session is None:
            session = aiohttp.ClientSession()
        count = 0
        last: Any = None
        loads = orjson.loads
        rest = b""
        async with session.post(f"{base_url}/responses", json={"model": MODEL}) as resp:
            async for chunk in resp.content.iter_any():
                blocks = (rest + chunk).split(b"\n\n")
                rest = blocks.pop()
                for block in blocks:
                    last = loads(block[block.index(b"data: ") + 6 :])
                    count += 1
        text = last["response"]["output"][0]["content"][0]["text"]
        return count, text, 0.0

    async def close() -> None:
        if session is not None:
            await session.close()

    return run, close


async def contend(name: str, base_url: str, repeat: int) -> dict[str, Any]:
    if name == "openai":
        run, close = official(base_url)
    elif name == "floor":
        run, close = floor(base_url)
    else:
        run, close = sdk(name.removeprefix("sdk-"), base_url)
    best = best_cpu = best_final = float("inf")
    result: tuple[int, str, float] = (0, "", 0.0)
    try:
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = await run()
            seconds = time.perf_counter() - start - result[2]
            cpu = time.process_time() - start_cpu - result[2]
            best, best_cpu = min(best, seconds), min(best_cpu, cpu)
            best_final = min(best_final, result[2])
    finally:
        await close()
    count, text, _ = result
    return {
        "events": count,
        "seconds": best,
        "cpu": best_cpu,
        "final": best_final,
        "text_len": len(text),
    }


# -- the parent: server, subprocesses, table -----------------------------------------------------


def measure(name: str, port: int, repeat: int) -> dict[str, Any]:
    cmd = [sys.executable, os.path.abspath(__file__), "--contender", name]
    cmd += ["--port", str(port), "--repeat", str(repeat)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="output_text.delta events")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender, best kept")
    parser.add_argument(
        "--only", nargs="+", choices=CONTENDERS, default=list(CONTENDERS), help="contenders to run"
    )
    parser.add_argument("--contender", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.contender:  # a child: run one contender against the parent's server
        base_url = f"http://127.0.0.1:{args.port}/v1"
        print(json.dumps(asyncio.run(contend(args.contender, base_url, args.repeat))))
        return

    body, total, text = build_body(args.events)
    print(
        f"stream: {total:,} events ({args.events:,} output_text.delta), {len(body) / 1e6:.1f} MB,"
        f" {WRITE_SIZE // 1024} KiB writes; best of {args.repeat}, one fresh process per contender"
    )
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    results: dict[str, dict[str, Any]] = {}
    with Server(body) as server:
        for name in args.only:
            results[name] = result = measure(name, server.port, args.repeat)
            if result["events"] != total or result["text_len"] != len(text):
                raise SystemExit(f"{name} saw {result['events']} events: expected {total}")

    print()
    header = (
        f"{'contender':<12} {'events/s':>11} {'us/event':>9} {'cpu us/ev':>10} {'stream s':>9}"
        f" {'final ms':>9} {'x official':>11} {'x floor':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        rate = total / r["seconds"]
        vs_official = vs_floor = ""
        if "openai" in results:
            vs_official = f"{results['openai']['seconds'] / r['seconds']:.1f}x"
        if "floor" in results:
            vs_floor = f"{results['floor']['seconds'] / r['seconds']:.2f}x"
        print(
            f"{name:<12} {rate:>11,.0f} {1e6 / rate:>9.2f} {r['cpu'] * 1e6 / total:>10.2f}"
            f" {r['seconds']:>9.3f} {r['final'] * 1e3:>9.1f} {vs_official:>11} {vs_floor:>8}"
        )
    print()
    print("events/s, us/event: wall time from sending the request to the last event (best run);")
    print("cpu us/ev: the client process's CPU time over the same span (less sensitive to load);")
    print("final ms: final_response() after the loop (official SDK: reading the completed event);")
    print("x official / x floor: events/s over the official SDK's / over the raw floor's.")
    ours = results.get("sdk-aiohttp")
    if ours and "openai" in results and "floor" in results:
        speedup = results["openai"]["seconds"] / ours["seconds"]
        slowdown = ours["seconds"] / results["floor"]["seconds"]
        print()
        print(
            f"targets (sdk-aiohttp): >= 10x the official SDK: {speedup:.1f}x"
            f" ({'met' if speedup >= 10 else 'NOT met'}); within 2x of the floor:"
            f" {slowdown:.2f}x its time per event ({'met' if slowdown <= 2 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
