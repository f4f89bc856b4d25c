"""``python -m aioresponses_client``: the ``aioresponses-client`` command line.

``python -m aioresponses_client demo`` is a guided tour that needs no key and no network;
``--help`` lists the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aioresponses-client`` console script; returns the exit code."""
    from ._cli import main as run

    return run(None if argv is None else list(argv))


if __name__ == "__main__":
    sys.exit(main())
