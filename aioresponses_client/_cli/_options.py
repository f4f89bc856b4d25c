"""The argument parser: global options, then one sub-command each with its own options."""

from __future__ import annotations

import argparse
import math

from .._version import __version__

PROG = "aioresponses-client"
DEFAULT_MODEL = "gpt-4o-mini"
# The embedded server (`serve`, `--local`) runs background responses slowly enough to watch
# the status line and to cancel them.
BACKGROUND_DURATION = 2.0

_DESCRIPTION = "Talk to the OpenAI Responses API, or run a local one."
_EPILOG = """\
examples:
  aioresponses-client demo                           a guided tour, offline
  aioresponses-client serve --port 8000              a local Responses API for any client
  aioresponses-client create "Hi" --stream           uses OPENAI_API_KEY / OPENAI_BASE_URL
  aioresponses-client --local create "Hi" --stream   no key: an embedded server in-process

exit codes: 0 ok, 1 API error, 2 usage error, 130 interrupted (Ctrl-C)
"""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {value}")
    return value


def _sequence_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a sequence number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _add_global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default,
        help="API base URL (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)",
    )
    group.add_argument(
        "--api-key", metavar="KEY", default=default, help="API key (default: $OPENAI_API_KEY)"
    )
    group.add_argument(
        "--local",
        action="store_true",
        default=default,
        help="start the embedded server in this process and use it: no key, no network",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="log every request and show tracebacks",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``aioresponses-client`` parser. Global options go before or after the command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, default=None)
    # The same options on every command, with SUPPRESS so an absent one never overwrites a
    # value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, default=argparse.SUPPRESS)

    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=help, parents=[common])

    serve = command("serve", "run the embedded Responses API server until Ctrl-C")
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="port; 0 picks a free one (default: %(default)s)"
    )
    serve.add_argument(
        "--latency", type=_seconds, default=0.0, metavar="S", help="delay before every reply"
    )
    serve.add_argument(
        "--pace", type=_seconds, default=0.0, metavar="S", help="pause between streamed deltas"
    )
    serve.add_argument(
        "--background-duration",
        type=_seconds,
        default=BACKGROUND_DURATION,
        metavar="S",
        help="how long a background response runs (default: %(default)s)",
    )

    create = command("create", "create a response and print its text")
    create.add_argument("prompt", help='the user input; "-" reads it from stdin')
    create.add_argument("--model", default=DEFAULT_MODEL, help="model (default: %(default)s)")
    create.add_argument("--instructions", help="system/developer instructions")
    create.add_argument("--stream", action="store_true", help="print the text as it is written")
    create.add_argument(
        "--background", action="store_true", help="run in the background and poll until done"
    )
    create.add_argument(
        "--previous", metavar="ID", help="continue from this response (previous_response_id)"
    )
    create.add_argument(
        "--json",
        action="store_true",
        help="print the final Response as JSON (with --stream: every event, one per line)",
    )

    get = command("get", "print a stored response, or replay its events")
    get.add_argument("id", help="response id")
    get.add_argument("--stream", action="store_true", help="replay the response's events")
    get.add_argument(
        "--after",
        type=_sequence_number,
        metavar="N",
        help="with --stream: start after sequence number N (resume a dropped stream)",
    )
    get.add_argument("--json", action="store_true", help="print JSON instead of text")

    cancel = command("cancel", "cancel a background response")
    cancel.add_argument("id", help="response id")
    cancel.add_argument("--json", action="store_true", help="print the Response as JSON")

    delete = command("delete", "delete a stored response")
    delete.add_argument("id", help="response id")

    items = command("items", "list the input items of a response, oldest first")
    items.add_argument("id", help="response id")
    items.add_argument("--json", action="store_true", help="print one JSON item per line")

    tokens = command("tokens", "count the input tokens a prompt would use")
    tokens.add_argument("prompt", help='the user input; "-" reads it from stdin')
    tokens.add_argument("--model", default=DEFAULT_MODEL, help="model (default: %(default)s)")

    command("demo", "a guided tour of the SDK on the embedded server (no key, no network)")
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse *argv*; a bad command line prints usage and exits with code 2 (argparse's way)."""
    return build_parser().parse_args(argv)
