"""The entry point: parse, check the connection settings, run the command under anyio.

Ctrl-C is received as a signal by the event loop (not as ``KeyboardInterrupt`` at an arbitrary
line): it cancels the command's task group, so streams close and background responses are
cancelled on the server by the normal cancellation path before the process exits with 130.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager

import anyio
import attrs

from .._client import AsyncResponsesClient
from ._commands import COMMANDS, Command, Context, read_prompt
from ._errors import OK, USAGE, UsageError, describe, exit_code
from ._options import BACKGROUND_DURATION, parse
from ._term import Terminal

# Shutting down the client and the --local server must finish even after Ctrl-C.
_CLOSE_BUDGET = 5.0


@attrs.define
class _Outcome:
    code: int = OK
    signal: int | None = None


def main(argv: list[str] | None = None) -> int:
    """Run ``aioresponses-client`` with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    args = parse(argv)
    command = COMMANDS[args.command]
    term = Terminal(sys.stdout, sys.stderr)
    if args.debug:
        logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("aioresponses_client").setLevel(logging.DEBUG)
    try:
        connection = _connection(args) if command.needs_client else None
        read_prompt(args)
    except UsageError as exc:
        term.note(describe(exc))
        return USAGE
    try:
        return anyio.run(_run, command, args, term, connection)
    except KeyboardInterrupt:
        # Ctrl-C before the signal handler was installed, or where the loop cannot take it.
        term.end_line()
        term.note("interrupted")
        return command.on_interrupt


@attrs.frozen
class _Connection:
    api_key: str | None = None
    base_url: str | None = None
    local: bool = False


def _connection(args: argparse.Namespace) -> _Connection:
    if args.local:
        if args.base_url is not None or args.api_key is not None:
            raise UsageError("--local starts its own server: drop --base-url and --api-key")
        return _Connection(local=True)
    key = args.api_key if args.api_key is not None else os.environ.get("OPENAI_API_KEY") or None
    if key is None:
        raise UsageError(
            "no API key: pass --api-key or set OPENAI_API_KEY, "
            "or add --local to use an embedded server (no key, no network)"
        )
    return _Connection(api_key=key, base_url=args.base_url)


async def _run(
    command: Command, args: argparse.Namespace, term: Terminal, connection: _Connection | None
) -> int:
    outcome = _Outcome()
    with _signals() as signals:
        async with anyio.create_task_group() as tg:
            if signals is not None:
                tg.start_soon(_watch, signals, tg.cancel_scope, outcome)
            outcome.code = await _guarded(command, args, term, connection)
            tg.cancel_scope.cancel()  # stop watching
    if outcome.signal is None:
        return outcome.code
    term.end_line()
    if command.on_interrupt == OK:  # `serve`: a signal is how it is meant to stop
        return OK
    if outcome.signal == signal.SIGINT:
        term.note("interrupted")
        return command.on_interrupt
    term.note(f"terminated by {signal.Signals(outcome.signal).name}")
    return 128 + outcome.signal


@contextmanager
def _signals() -> Iterator[AsyncIterator[signal.Signals] | None]:
    with ExitStack() as stack:
        try:
            receiver = anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM)
            signals: AsyncIterator[signal.Signals] | None = stack.enter_context(receiver)
        except NotImplementedError:  # Windows: Ctrl-C arrives as KeyboardInterrupt instead
            signals = None
        yield signals


async def _watch(
    signals: AsyncIterator[signal.Signals], scope: anyio.CancelScope, outcome: _Outcome
) -> None:
    async for signum in signals:
        outcome.signal = int(signum)
        scope.cancel()
        return


async def _guarded(
    command: Command, args: argparse.Namespace, term: Terminal, connection: _Connection | None
) -> int:
    """Run the command; an error becomes its one line on stderr and an exit code."""
    try:
        async with _client(connection) as client:
            return await command.run(Context(args=args, term=term, client=client))
    except Exception as raised:
        exc = _unwrap(raised)
        if isinstance(exc, BrokenPipeError):
            # The reader went away (`... | head`): stop quietly, and keep Python's final flush
            # of stdout from complaining too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        term.end_line()
        if args.debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__)
        term.note(describe(exc))
        return exit_code(exc)


def _unwrap(exc: BaseException) -> BaseException:
    # A task group reports one failure as a group of one: show the failure itself.
    while True:
        inner = getattr(exc, "exceptions", None)
        if not inner or len(inner) != 1:
            return exc
        exc = inner[0]


@asynccontextmanager
async def _client(connection: _Connection | None) -> AsyncIterator[AsyncResponsesClient | None]:
    if connection is None:
        yield None
        return
    stack = AsyncExitStack()
    base_url: str | None
    try:
        if connection.local:
            from ..testing import ResponsesServer

            server = await stack.enter_async_context(
                ResponsesServer(background_duration=BACKGROUND_DURATION)
            )
            api_key, base_url = server.api_key or "", server.base_url
        else:
            api_key, base_url = connection.api_key or "", connection.base_url
        yield await stack.enter_async_context(
            AsyncResponsesClient(api_key=api_key, base_url=base_url)
        )
    finally:
        with anyio.move_on_after(_CLOSE_BUDGET, shield=True):
            await stack.aclose()
