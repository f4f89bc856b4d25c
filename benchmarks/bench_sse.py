"""Throughput of our SSE decoder against httpx-sse's, on a realistic Responses API stream.

Run: ``.venv/bin/python benchmarks/bench_sse.py [--mb 5] [--repeat 5]``

The stream is ~5 MB of what ``POST /responses`` with ``stream=true`` sends: a few lifecycle
events around a long run of ``response.output_text.delta`` events. It is decoded with three
chunkings: 16 KiB reads (a busy connection), ~100-byte reads cutting events at arbitrary points,
and one read per event (a server flushing each token as it goes).

httpx-sse decodes ``str`` lines, so its side pays for what ``EventSource.aiter_sse`` pays for in
practice: httpx's incremental UTF-8 ``TextDecoder``, its ``LineDecoder``, then one
``SSEDecoder.decode`` call per line. Each timing is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence

from httpx._decoders import LineDecoder, TextDecoder
from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder

from aioresponses_client._sse import SSEDecoder

_WORDS = [
    " the", " model", " streams", " tokens", ",", " one", " at", " a", " time", ".", " héllo",
    " 🌍", " naïve", " 数据", "\n\n", " `code`", ' "quoted"', " 42", " résumé", " and",
]  # fmt: skip


def _event(kind: str, payload: dict[str, object]) -> bytes:
    body = json.dumps({"type": kind, **payload}, ensure_ascii=False, separators=(",", ":"))
    return f"event: {kind}\ndata: {body}\n\n".encode()


def build_stream(target_bytes: int, seed: int = 0) -> bytes:
    """A Responses stream of about ``target_bytes`` bytes, mostly output_text.delta events."""
    rng = random.Random(seed)
    response = {"id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", "status": "x"}
    item_id = "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b"
    head = [
        _event("response.created", {"sequence_number": 0, "response": response}),
        _event("response.in_progress", {"sequence_number": 1, "response": response}),
        _event(
            "response.output_item.added",
            {"sequence_number": 2, "output_index": 0, "item": {"id": item_id, "type": "message"}},
        ),
    ]
    parts = list(head)
    size = sum(map(len, parts))
    seq = len(parts)
    while size < target_bytes:
        delta = "".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
        event = _event(
            "response.output_text.delta",
            {
                "sequence_number": seq,
                "item_id": item_id,
                "output_index": 0,
                "content_index": 0,
                "delta": delta,
                "logprobs": [],
            },
        )
        parts.append(event)
        size += len(event)
        seq += 1
    parts.append(_event("response.completed", {"sequence_number": seq, "response": response}))
    return b"".join(parts)


def fixed_chunks(stream: bytes, size: int) -> list[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def jittered_chunks(stream: bytes, low: int, high: int, seed: int = 1) -> list[bytes]:
    """Chunks of ``low..high`` bytes, so reads end mid-line, mid-field and mid-character."""
    rng = random.Random(seed)
    chunks, pos = [], 0
    while pos < len(stream):
        step = rng.randint(low, high)
        chunks.append(stream[pos : pos + step])
        pos += step
    return chunks


def event_chunks(stream: bytes) -> list[bytes]:
    return [part + b"\n\n" for part in stream.split(b"\n\n") if part]


def decode_ours(chunks: Sequence[bytes]) -> list[tuple[str, str]]:
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return [(e.event, e.data) for e in events]


def decode_httpx_sse(chunks: Sequence[bytes]) -> list[tuple[str, str]]:
    text_decoder, line_decoder, decoder = TextDecoder("utf-8"), LineDecoder(), HttpxSSEDecoder()
    events = []
    for chunk in chunks:
        for line in line_decoder.decode(text_decoder.decode(chunk)):
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                events.append(sse)
    for line in line_decoder.decode(text_decoder.flush()) + line_decoder.flush():
        sse = decoder.decode(line.rstrip("\n"))
        if sse is not None:
            events.append(sse)
    return [(e.event, e.data) for e in events]


def count_ours(chunks: Sequence[bytes]) -> int:
    decoder = SSEDecoder()
    count = 0
    for chunk in chunks:
        count += len(decoder.feed(chunk))
    return count + len(decoder.close())


def count_httpx_sse(chunks: Sequence[bytes]) -> int:
    text_decoder, line_decoder, decoder = TextDecoder("utf-8"), LineDecoder(), HttpxSSEDecoder()
    count = 0
    for chunk in chunks:
        for line in line_decoder.decode(text_decoder.decode(chunk)):
            if decoder.decode(line.rstrip("\n")) is not None:
                count += 1
    for line in line_decoder.decode(text_decoder.flush()) + line_decoder.flush():
        if decoder.decode(line.rstrip("\n")) is not None:
            count += 1
    return count


def best_time(run: Callable[[Sequence[bytes]], int], chunks: Sequence[bytes], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(chunks)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="stream size in MB (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing, best kept")
    args = parser.parse_args()

    stream = build_stream(int(args.mb * 1_000_000))
    mb = len(stream) / 1_000_000
    chunkings = {
        "16 KiB reads": fixed_chunks(stream, 16 * 1024),
        "~100 B reads": jittered_chunks(stream, 60, 140),
        "1 read/event": event_chunks(stream),
    }
    expected = decode_ours([stream])
    print(f"stream: {mb:.2f} MB, {len(expected)} events, {mb * 1e6 / len(expected):.0f} B/event")
    print()
    header = (
        f"{'chunking':<14} {'chunks':>7} {'decoder':<10} {'events/s':>12} {'MB/s':>8}"
        f" {'speedup':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, chunks in chunkings.items():
        # Both decoders must agree before their speed means anything.
        assert decode_ours(chunks) == expected, label
        assert decode_httpx_sse(chunks) == expected, label
        ours = best_time(count_ours, chunks, args.repeat)
        theirs = best_time(count_httpx_sse, chunks, args.repeat)
        for name, seconds in (("ours", ours), ("httpx-sse", theirs)):
            speedup = f"{theirs / seconds:.1f}x" if name == "ours" else ""
            print(
                f"{label:<14} {len(chunks):>7} {name:<10} {len(expected) / seconds:>12,.0f}"
                f" {mb / seconds:>8.1f} {speedup:>8}"
            )


if __name__ == "__main__":
    main()
