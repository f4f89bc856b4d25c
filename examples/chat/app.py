"""A streaming chat page: aiohttp serves one HTML page and relays Responses API events to it.

One turn, as the page and this backend play it::

    page     POST /api/turns {"input", "previous_response_id"}
    backend  client.responses.create(background=True, ...)            -> {"id": ...}
    page     new EventSource("/api/responses/{id}/events")
    backend  client.responses.retrieve(id, stream=True[, starting_after=N]) -> relay_to_aiohttp
    page     Stop: closes the EventSource, POST /api/responses/{id}/cancel

Responses run in background mode because only those can be streamed again by id: when the
page's connection drops, ``EventSource`` reconnects with ``Last-Event-ID`` (the last sequence
number it got) and the relay resumes with ``starting_after`` that number, so no text repeats.
A response that no page has watched for ``abandon_after`` seconds is cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import attrs
from aiohttp import web

from aioresponses_client import (
    NOT_GIVEN,
    APIError,
    APIStatusError,
    AsyncResponsesClient,
    ConversionError,
    NotFoundError,
)
from aioresponses_client.relay import relay_to_aiohttp
from aioresponses_client.streaming import AsyncResponseStream
from aioresponses_client.testing import ResponsesServer, Script

logger = logging.getLogger("examples.chat")

STATIC = Path(__file__).with_name("static")
DEFAULT_MODEL = "gpt-4o-mini"

# What the page listens to; everything else stays on the server.
RELAYED_EVENTS = frozenset(
    {
        "response.queued",
        "response.in_progress",
        "response.output_text.delta",
        "response.refusal.delta",
        "response.completed",
        "response.incomplete",
        "response.failed",
        "error",
    }
)
_FINISHED = frozenset({"completed", "incomplete", "failed", "cancelled"})
# How soon EventSource reconnects after a dropped connection (milliseconds).
RECONNECT_MS = 500
_MAX_INPUT = 32_000


@attrs.define
class _Turn:
    """A background response this app started: who watches it, and since when nobody does."""

    watchers: int = 0
    idle_since: float | None = None


class Chat:
    """The backend of the page: creates turns, relays their events, cancels them."""

    def __init__(
        self, client: AsyncResponsesClient, *, model: str, abandon_after: float = 30.0
    ) -> None:
        self.client = client
        self.model = model
        self.abandon_after = abandon_after
        self._turns: dict[str, _Turn] = {}
        # Requests are mutable mappings, so unhashable: keyed by identity instead.
        self._relays: dict[int, web.Request] = {}

    # -- the HTTP API the page uses ----------------------------------------------------------

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def create_turn(self, request: web.Request) -> web.Response:
        """``POST /api/turns``: start a background response; the page then streams it by id."""
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body must be JSON")
        text = body.get("input") if isinstance(body, dict) else None
        previous = body.get("previous_response_id") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip() or len(text) > _MAX_INPUT:
            return _error(400, f"input must be a non-empty string of at most {_MAX_INPUT} chars")
        if previous is not None and not isinstance(previous, str):
            return _error(400, "previous_response_id must be a string or null")
        try:
            response = await self.client.responses.create(
                model=self.model,
                input=text,
                previous_response_id=previous if previous else NOT_GIVEN,
                background=True,
                store=True,
            )
        except APIError as exc:
            return _upstream_error(exc)
        self._turns[response.id] = _Turn(idle_since=_now())
        return web.json_response({"id": response.id, "status": response.status})

    async def events(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/responses/{id}/events``: the response's events, after ``Last-Event-ID``.

        A fresh ``EventSource`` may pass ``?after=N`` instead; the header wins, because a
        reconnecting ``EventSource`` keeps its URL but sends its newest id in the header.
        """
        response_id = request.match_info["response_id"]
        try:
            after = _after(request)
        except ValueError as exc:
            return _error(400, str(exc))
        try:
            if after is None:
                stream = await self.client.responses.retrieve(response_id, stream=True)
            else:
                stream = await self.client.responses.retrieve(
                    response_id, stream=True, starting_after=after
                )
        except APIError as exc:
            return _upstream_error(exc)
        turn = self._turns.setdefault(response_id, _Turn())
        turn.watchers += 1
        turn.idle_since = None
        self._relays[id(request)] = request
        try:
            # cancel_background=False: a dropped connection is not a Stop. The page comes back
            # and resumes; the abandon timer cancels the response if it never does.
            return await relay_to_aiohttp(
                stream,
                request,
                event_types=RELAYED_EVENTS,
                cancel_background=False,
                retry=RECONNECT_MS,
            )
        finally:
            self._relays.pop(id(request), None)
            turn.watchers -= 1
            if _finished(stream):
                self._turns.pop(response_id, None)
            elif turn.watchers == 0:
                turn.idle_since = _now()

    async def cancel(self, request: web.Request) -> web.Response:
        """``POST /api/responses/{id}/cancel``: the Stop button."""
        response_id = request.match_info["response_id"]
        self._turns.pop(response_id, None)
        try:
            response = await self.client.responses.cancel(response_id)
        except APIError as exc:
            return _upstream_error(exc)
        return web.json_response({"id": response.id, "status": response.status})

    # -- housekeeping ------------------------------------------------------------------------

    def drop_connections(self) -> int:
        """Close every page connection being relayed; returns how many.

        Used at shutdown so open streams do not hold it up; tests use it to play a network drop.
        """
        dropped = 0
        for request in list(self._relays.values()):
            if request.transport is not None:
                request.transport.close()
                dropped += 1
        return dropped

    async def reap_abandoned(self) -> None:
        """Forever: cancel responses no page has watched for ``abandon_after`` seconds."""
        interval = min(max(self.abandon_after / 4, 0.05), 1.0)
        while True:
            await asyncio.sleep(interval)
            now = _now()
            for response_id, turn in list(self._turns.items()):
                idle = turn.idle_since
                if turn.watchers == 0 and idle is not None and now - idle >= self.abandon_after:
                    del self._turns[response_id]
                    logger.info("Cancelling %s: no page watched it for a while", response_id)
                    await self._cancel_quietly(response_id)

    async def cancel_unfinished(self) -> None:
        """Cancel every response this app started that may still run (at shutdown)."""
        turns, self._turns = self._turns, {}
        for response_id in turns:
            await self._cancel_quietly(response_id)

    async def _cancel_quietly(self, response_id: str) -> None:
        try:
            await self.client.responses.cancel(response_id, timeout=5.0, max_retries=0)
        except APIError as exc:
            logger.info("Could not cancel %s: %s", response_id, exc)


CHAT = web.AppKey("chat", Chat)


def create_app(
    client: AsyncResponsesClient, *, model: str = DEFAULT_MODEL, abandon_after: float = 30.0
) -> web.Application:
    """The chat page and its API, talking to the Responses API through *client*.

    The caller owns *client* and closes it after the app stops. ``app[CHAT]`` is the backend.
    """
    chat = Chat(client, model=model, abandon_after=abandon_after)
    app = web.Application()
    app[CHAT] = chat
    app.router.add_get("/", chat.index)
    app.router.add_static("/static/", STATIC)
    app.router.add_post("/api/turns", chat.create_turn)
    app.router.add_get("/api/responses/{response_id}/events", chat.events)
    app.router.add_post("/api/responses/{response_id}/cancel", chat.cancel)
    app.on_shutdown.append(_drop_connections)
    app.cleanup_ctx.append(_housekeeping)
    return app


async def _drop_connections(app: web.Application) -> None:
    app[CHAT].drop_connections()


async def _housekeeping(app: web.Application) -> AsyncIterator[None]:
    chat = app[CHAT]
    # Owned by the app: cancelled and awaited when it stops.
    reaper = asyncio.get_running_loop().create_task(chat.reap_abandoned())
    yield
    reaper.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reaper
    await chat.cancel_unfinished()


def _after(request: web.Request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"not a sequence number: {raw!r}") from None
    if value < -1:
        raise ValueError(f"not a sequence number: {raw!r}")
    return value


def _finished(stream: AsyncResponseStream) -> bool:
    try:
        return stream.snapshot().status in _FINISHED
    except ConversionError:  # nothing that tells the status arrived on this connection
        return False


def _now() -> float:
    return asyncio.get_running_loop().time()


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"message": message}}, status=status)


def _upstream_error(exc: APIError) -> web.Response:
    if isinstance(exc, NotFoundError):
        return _error(404, exc.message)
    if isinstance(exc, APIStatusError) and exc.status_code < 500:
        return _error(exc.status_code, exc.message)
    logger.warning("Upstream error: %s", exc)
    return _error(502, exc.message)


# -- running it ----------------------------------------------------------------------------


async def demo_responder(body: dict[str, Any]) -> Script:
    """What the embedded server answers: the prompt echoed in a few paced sentences."""
    text = body.get("input")
    said = " ".join(text.split()) if isinstance(text, str) else "something"
    if len(said) > 200:
        said = said[:200] + "…"
    previous = body.get("previous_response_id")
    context = (
        "This is the first turn of our conversation."
        if previous is None
        else f"This turn continues from {previous}, so the server has the earlier turns."
    )
    return Script(
        f'You said: "{said}". {context} I am the embedded Responses server, so I only echo, '
        "but I stream it word by word at a readable pace: press Stop to cut me short, or drop "
        "the connection and watch the page pick up where it left off."
    )


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str = DEFAULT_MODEL,
    pace: float = 0.06,
    abandon_after: float = 30.0,
) -> None:
    """Serve the chat page until cancelled (Ctrl-C).

    Without *base_url* the page talks to an embedded Responses server (no network, no key);
    with it, to that API with *api_key*.
    """
    async with contextlib.AsyncExitStack() as stack:
        if base_url is None:
            server = await stack.enter_async_context(ResponsesServer(pace=pace))
            server.respond_with(demo_responder)
            base_url, api_key = server.base_url, server.api_key
            where = "the embedded Responses server (offline)"
        else:
            where = base_url
        client = await stack.enter_async_context(
            AsyncResponsesClient(api_key=api_key, base_url=base_url)
        )
        runner = web.AppRunner(
            create_app(client, model=model, abandon_after=abandon_after),
            access_log=None,
            handle_signals=False,
            shutdown_timeout=2.0,
        )
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        url = f"http://{'[' + host + ']' if ':' in host else host}:{bound}/"
        print(f"Chat UI on {url} talking to {where}; Ctrl-C stops it.", file=sys.stderr)
        await asyncio.Event().wait()


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m examples.chat",
        description="A streaming chat page relaying Responses API events to the browser.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free one)")
    parser.add_argument(
        "--base-url",
        default=env("CHAT_UI_BASE_URL"),
        help="Responses API base URL, e.g. https://api.openai.com/v1 (env CHAT_UI_BASE_URL); "
        "default: an embedded offline server",
    )
    parser.add_argument(
        "--api-key",
        default=env("OPENAI_API_KEY"),
        help="API key for --base-url (env OPENAI_API_KEY)",
    )
    parser.add_argument(
        "--model", default=env("CHAT_UI_MODEL", DEFAULT_MODEL), help="model (env CHAT_UI_MODEL)"
    )
    parser.add_argument(
        "--pace", type=float, default=0.06, help="embedded server: seconds between words"
    )
    parser.add_argument(
        "--abandon-after",
        type=float,
        default=30.0,
        help="cancel a response no page has watched for this many seconds",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m examples.chat [options]``; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(
            serve(
                host=args.host,
                port=args.port,
                base_url=args.base_url,
                api_key=args.api_key,
                model=args.model,
                pace=args.pace,
                abandon_after=args.abandon_after,
            )
        )
    except KeyboardInterrupt:
        return 0
    except OSError as exc:  # the port is taken, most often
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except APIError as exc:  # a missing key, most often
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
