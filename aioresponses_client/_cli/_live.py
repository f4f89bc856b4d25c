"""What runs while the user watches: streamed text, and the status line of a background job.

Both stop cleanly when the command is cancelled (Ctrl-C): the stream's connection is closed,
and a background response this command created is cancelled on the server too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio

from .._client import AsyncResponsesClient
from ..background import TERMINAL_STATUSES
from ..errors import APIError
from ..streaming import AsyncResponseStream
from ..types import Response
from ..types.events import (
    ResponseOutputItemDoneEvent,
    ResponseOutputTextDeltaEvent,
    ResponseRefusalDeltaEvent,
)
from ._errors import describe
from ._render import describe_item
from ._term import StatusLine, Terminal

# How long an interrupted command may spend cancelling its background response.
_CANCEL_BUDGET = 3.0
# Polling: start quick so short jobs feel instant, then back off to spare the server.
_FIRST_POLL = 0.2
_MAX_POLL = 2.0
_SPIN_EVERY = 0.1


@asynccontextmanager
async def cancel_remote_on_interrupt(
    client: AsyncResponsesClient, term: Terminal, response_id: Callable[[], str | None]
) -> AsyncIterator[None]:
    """If the block is cancelled, cancel the background response ``response_id()`` names.

    The remote cancel runs shielded, within a short budget, then the cancellation goes on.
    """
    try:
        yield
    except anyio.get_cancelled_exc_class():
        rid = response_id()
        if rid is not None:
            with anyio.move_on_after(_CANCEL_BUDGET, shield=True):
                try:
                    response = await client.responses.cancel(rid, max_retries=0)
                    term.note(f"{rid} {response.status} on the server")
                except APIError as exc:
                    term.note(f"could not cancel {rid}: {describe(exc)}")
        raise


async def show_stream(
    client: AsyncResponsesClient,
    term: Terminal,
    stream: AsyncResponseStream,
    *,
    as_json: bool,
    cancel_on_interrupt: bool,
) -> Response:
    """Print a stream as it arrives and return the final Response.

    Text and refusal deltas go to stdout the moment they arrive; other finished output items
    get a line on stderr. With *as_json*, every event is printed as one JSON line instead.
    A ``failed`` response raises ``ResponseFailedError``.
    """
    remote = (lambda: stream.response_id) if cancel_on_interrupt else (lambda: None)
    async with stream, cancel_remote_on_interrupt(client, term, remote):
        try:
            async for event in stream:
                if as_json:
                    term.json(event, indent=False)
                elif isinstance(event, (ResponseOutputTextDeltaEvent, ResponseRefusalDeltaEvent)):
                    term.write(event.delta)
                elif isinstance(event, ResponseOutputItemDoneEvent):
                    if event.item.type != "message":
                        term.end_line()
                        term.note(describe_item(event.item))
                    elif term.has_open_line:
                        # Two messages in a row should not run together.
                        term.end_line()
            return await stream.final_response()
        finally:
            term.end_line()


async def wait_with_status(
    client: AsyncResponsesClient, term: Terminal, response: Response
) -> Response:
    """Poll a background response until it is terminal, showing its status on stderr.

    If interrupted, the response is cancelled on the server before the cancellation goes on.
    """
    status = StatusLine(term.err)
    try:
        async with cancel_remote_on_interrupt(client, term, lambda: response.id):
            async with anyio.create_task_group() as tg:
                if status.live:
                    tg.start_soon(_spin, status)
                final = await _poll(client, response, status)
                tg.cancel_scope.cancel()
    finally:
        status.clear()
    return final


async def _poll(client: AsyncResponsesClient, response: Response, status: StatusLine) -> Response:
    delay = _FIRST_POLL
    while response.status not in TERMINAL_STATUSES:
        status.set(f"{response.id} {response.status}")
        await anyio.sleep(delay)
        delay = min(delay * 1.5, _MAX_POLL)
        response = await client.responses.retrieve(response.id)
    return response


async def _spin(status: StatusLine) -> None:
    while True:
        await anyio.sleep(_SPIN_EVERY)
        status.tick()
