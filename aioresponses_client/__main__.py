"""Command line: ``python -m aioresponses_client demo`` (more commands arrive with the CLI)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aioresponses-client", description="Async SDK for the OpenAI Responses API."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run a tour of every endpoint against the embedded server")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aioresponses-client`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        import anyio

        from ._demo import demo

        anyio.run(demo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
