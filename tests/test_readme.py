"""The README's runnable examples run as written, against the embedded server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def _first_python_block(heading: str) -> str:
    section = README.read_text(encoding="utf-8").split(heading, 1)[1]
    return re.findall(r"```python\n(.*?)```", section, re.S)[0]


def test_background_jobs_example_runs() -> None:
    code = _first_python_block("## Background jobs")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["completed slow thought", "100 job 0", "stream me"]


def test_the_two_fresh_machine_commands_are_at_the_top() -> None:
    top = README.read_text(encoding="utf-8")[:1500]
    assert "python -m aioresponses_client demo" in top
    assert "python -m pytest -q" in top
    assert "python -m pytest -q" in (README.parent / ".ci" / "run").read_text(encoding="utf-8")
