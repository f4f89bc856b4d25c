"""The sub-commands. Each takes a ``Context`` and returns an exit code; API errors propagate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import attrs

from .._client import AsyncResponsesClient
from .._sentinel import NOT_GIVEN, NotGivenOr
from ..errors import ResponseFailedError
from ..types import Response
from ._errors import API_ERROR, OK, UsageError, describe
from ._live import show_stream, wait_with_status
from ._render import describe_item, other_outputs, summary
from ._term import Terminal

_T = TypeVar("_T")
# The key `serve` accepts unless --api-key says otherwise (never the user's real key).
SERVE_API_KEY = "sk-local"


@attrs.define
class Context:
    """What a command works with: its arguments, the terminal and (if it needs one) a client."""

    args: argparse.Namespace
    term: Terminal
    client: AsyncResponsesClient | None = None

    @property
    def api(self) -> AsyncResponsesClient:
        assert self.client is not None, "this command was declared without a client"
        return self.client


def _given(value: _T | None) -> NotGivenOr[_T]:
    """Options left out are not sent at all (rather than sent as null)."""
    return NOT_GIVEN if value is None else value


def read_prompt(args: argparse.Namespace) -> None:
    """Replace a ``-`` prompt by stdin's text (before the event loop: reading blocks)."""
    if getattr(args, "prompt", None) != "-":
        return
    args.prompt = sys.stdin.read()
    if not args.prompt.strip():
        raise UsageError("the prompt read from stdin is empty")


def _print_response(ctx: Context, response: Response) -> None:
    if ctx.args.json:
        ctx.term.json(response)
        return
    if response.output_text:
        ctx.term.print(response.output_text)
    for line in other_outputs(response):
        ctx.term.note(line)
    ctx.term.note(summary(response))


def _finished(ctx: Context, response: Response) -> int:
    """Print a response this command created; a failed one is an API error (exit 1)."""
    _print_response(ctx, response)
    if response.status == "failed":
        ctx.term.note(describe_failure(response))
        return API_ERROR
    return OK


def describe_failure(response: Response) -> str:
    """The error line for a response that ended ``failed``."""
    return describe(ResponseFailedError(response, request_id=None))


async def create(ctx: Context) -> int:
    args = ctx.args
    client = ctx.api
    prompt = args.prompt
    instructions = _given(args.instructions)
    previous = _given(args.previous)
    background: NotGivenOr[bool] = True if args.background else NOT_GIVEN
    if args.stream:
        stream = await client.responses.create(
            model=args.model,
            input=prompt,
            instructions=instructions,
            previous_response_id=previous,
            background=background,
            stream=True,
        )
        final = await show_stream(
            client, ctx.term, stream, as_json=args.json, cancel_on_interrupt=args.background
        )
        if not args.json:
            ctx.term.note(summary(final))
        return OK
    response = await client.responses.create(
        model=args.model,
        input=prompt,
        instructions=instructions,
        previous_response_id=previous,
        background=background,
    )
    if args.background:
        response = await wait_with_status(client, ctx.term, response)
    return _finished(ctx, response)


async def get(ctx: Context) -> int:
    args = ctx.args
    client = ctx.api
    if args.after is not None and not args.stream:
        raise UsageError("--after needs --stream")
    if args.stream:
        stream = await client.responses.retrieve(
            args.id, stream=True, starting_after=_given(args.after)
        )
        final = await show_stream(
            client, ctx.term, stream, as_json=args.json, cancel_on_interrupt=False
        )
        if not args.json:
            ctx.term.note(summary(final))
        return OK
    _print_response(ctx, await client.responses.retrieve(args.id))
    return OK


async def cancel(ctx: Context) -> int:
    response = await ctx.api.responses.cancel(ctx.args.id)
    if ctx.args.json:
        ctx.term.json(response)
    else:
        ctx.term.print(f"{response.id} {response.status}")
    return OK


async def delete(ctx: Context) -> int:
    await ctx.api.responses.delete(ctx.args.id)
    ctx.term.print(f"{ctx.args.id} deleted")
    return OK


async def items(ctx: Context) -> int:
    count = 0
    async for item in ctx.api.responses.input_items.list(ctx.args.id, order="asc"):
        count += 1
        if ctx.args.json:
            ctx.term.json(item, indent=False)
        else:
            ctx.term.print(describe_item(item))
    if not ctx.args.json:
        ctx.term.note(f"{count} input item{'s' if count != 1 else ''}")
    return OK


async def tokens(ctx: Context) -> int:
    count = await ctx.api.responses.input_tokens.count(model=ctx.args.model, input=ctx.args.prompt)
    ctx.term.print(str(count.input_tokens))
    return OK


async def serve(ctx: Context) -> int:
    from ..testing import ResponsesServer

    args = ctx.args
    # Only a key given on the command line: a real OPENAI_API_KEY is never served or printed.
    key = args.api_key if args.api_key is not None else SERVE_API_KEY
    server = ResponsesServer(
        api_key=key,
        host=args.host,
        port=args.port,
        latency=args.latency,
        pace=args.pace,
        background_duration=args.background_duration,
    )
    try:
        await server.start()
    except OSError as exc:
        ctx.term.note(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return API_ERROR
    try:
        ctx.term.print(f"Responses API listening on {server.base_url}")
        ctx.term.print(f"  export OPENAI_BASE_URL={server.base_url}")
        ctx.term.print(f"  export OPENAI_API_KEY={key or 'anything'}")
        ctx.term.note("Press Ctrl-C to stop.")
        await anyio.sleep_forever()
    finally:
        with anyio.move_on_after(5, shield=True):
            await server.stop()
        ctx.term.note("server stopped")
    return OK  # not reached: only a signal ends `serve`


async def demo(ctx: Context) -> int:
    from .._demo import tour

    await tour(ctx.term)
    return OK


@attrs.frozen
class Command:
    """How to run a sub-command."""

    run: Callable[[Context], Awaitable[int]]
    needs_client: bool = True
    # The exit code when Ctrl-C ends it: `serve` has no other way to stop, so that is success.
    on_interrupt: int = 130


COMMANDS: dict[str, Command] = {
    "create": Command(create),
    "get": Command(get),
    "cancel": Command(cancel),
    "delete": Command(delete),
    "items": Command(items),
    "tokens": Command(tokens),
    "serve": Command(serve, needs_client=False, on_interrupt=OK),
    "demo": Command(demo, needs_client=False),
}
