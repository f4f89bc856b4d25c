"""Import cost of this SDK against the official ``openai`` package, each in a fresh process.

Run: ``.venv/bin/python benchmarks/import_time.py [--runs 7]``

For every module the time is the median wall time of ``python -c "import MODULE"`` minus the
median of ``python -c pass`` (the interpreter's own start-up), runs interleaved so that drift in
the machine's load hits every row alike. Peak RSS is the child's ``ru_maxrss`` as reported by
``wait4``, the largest of its runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

MODULES = ("aioresponses_client", "openai")
TARGET_MS = 150.0


def run_once(code: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one ``python -c code``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0:
        raise SystemExit(f"python -c {code!r} failed with exit code {proc.returncode}")
    return seconds, usage.ru_maxrss  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per row, median kept")
    args = parser.parse_args()

    codes = {"(python -c pass)": "pass", **{m: f"import {m}" for m in MODULES}}
    times: dict[str, list[float]] = {name: [] for name in codes}
    rss: dict[str, int] = dict.fromkeys(codes, 0)
    for code in codes.values():
        run_once(code)  # warm the OS file cache; not counted
    for _ in range(args.runs):
        for name, code in codes.items():
            seconds, peak = run_once(code)
            times[name].append(seconds)
            rss[name] = max(rss[name], peak)

    base = statistics.median(times["(python -c pass)"])
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    print(f"median of {args.runs} fresh processes each; import = wall time minus python -c pass")
    print()
    header = (
        f"{'module':<20} {'import ms':>10} {'wall ms':>9} {'min..max ms':>15} {'peak RSS MiB':>13}"
    )
    print(header)
    print("-" * len(header))
    for name in codes:
        median = statistics.median(times[name])
        spread = f"{min(times[name]) * 1e3:.0f}..{max(times[name]) * 1e3:.0f}"
        cost = "" if name.startswith("(") else f"{(median - base) * 1e3:.0f}"
        print(f"{name:<20} {cost:>10} {median * 1e3:>9.0f} {spread:>15} {rss[name] / 1024:>13.1f}")
    ours = statistics.median(times[MODULES[0]]) - base
    theirs = statistics.median(times[MODULES[1]]) - base
    print()
    print(f"openai / aioresponses_client import time: {theirs / ours:.1f}x")
    verdict = "met" if ours * 1e3 < TARGET_MS else "NOT met"
    print(f"target: import aioresponses_client < {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
