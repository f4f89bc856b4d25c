"""``ResponsesServer``: an aiohttp app speaking the Responses API wire format, for tests."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from aiohttp import web

from .._version import __version__
from ._answer import Responder
from ._background import wait_status
from ._chunks import Chunking
from ._faults import Fault, FaultQueue, active_fault
from ._record import RecordedRequest, record_request
from ._routes import ResponsesApi, Settings, is_stream_request
from ._run import Run
from ._script import Output, Script
from ._stream import StreamTracker, reset_connection
from ._webhooks import WebhookDelivery, WebhookSender, new_secret
from ._wire import ApiError, error_body, json_reply, new_id, status_error_body

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# The id of the request being handled (see ``active_fault`` for why a context variable).
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# How long stop() lets in-flight handlers finish before aiohttp cancels them. Delays and
# streams are told to stop at once, so this only bounds odd cases.
_SHUTDOWN_TIMEOUT = 0.5
_BACKLOG = 4096
_MAX_BODY = 64 * 1024 * 1024


class ResponsesServer:
    """A local OpenAI Responses API for tests: real HTTP on a free port, scripted answers.

    ``async with ResponsesServer() as server`` starts it; point a client at ``server.base_url``
    with ``server.api_key``. By default each reply echoes the last user message; ``script``
    queues what the next responses produce and ``respond_with`` installs a responder for
    input-dependent answers. Every request is recorded on ``requests``; ``inject`` queues
    faults (errors, delays, resets, cut or malformed replies).

    *latency* delays the first byte of every reply; *delta_size* splits streamed text into
    chunks of that many characters (default: word by word); *event_delay* pauses between all SSE
    events and *pace* between deltas (demo UIs at human speed); *chunking* cuts every stream's
    bytes into small pieces (see ``Chunking``); *background_duration* is how long a
    ``background=true`` response takes from queued to done. A falsy *api_key* accepts any or no
    credential. *webhook_url* (see ``set_webhook``) receives signed events when background
    responses finish.

    Background responses are advanced by tasks the server owns (cancelled by ``stop``): create
    returns ``queued`` at once, a quarter of the duration later it is ``in_progress``, and its
    events happen evenly until it ends (``pace`` adds to each delta). Their streams open with
    ``response.created`` (status queued), then ``response.queued``, then
    ``response.in_progress``: created first, because the official SDK's stream helper requires
    it. ``retrieve(stream=true, starting_after=N)`` replays from N+1 and then follows a running
    response live. ``cancel`` stops it as ``cancelled``; the API has no ``response.cancelled``
    event, so streams following it simply end. Tests await ``wait_status`` instead of sleeping.
    """

    def __init__(
        self,
        api_key: str | None = "sk-test-local",
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        delta_size: int | None = None,
        *,
        event_delay: float = 0.0,
        pace: float = 0.0,
        chunking: Chunking | None = None,
        background_duration: float = 0.1,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        if delta_size is not None and delta_size < 1:
            raise ValueError(f"delta_size must be None or >= 1, got {delta_size}")
        for name, seconds in (
            ("latency", latency),
            ("event_delay", event_delay),
            ("pace", pace),
            ("background_duration", background_duration),
        ):
            if seconds < 0:
                raise ValueError(f"{name} must be >= 0, got {seconds}")
        self._api_key = api_key
        self._host = host
        self._port = port
        self._latency = latency
        self._requests: list[RecordedRequest] = []
        self._faults = FaultQueue()
        self._streams = StreamTracker()
        settings = Settings(
            delta_size=delta_size,
            event_delay=event_delay,
            pace=pace,
            chunking=chunking,
            background_duration=background_duration,
        )
        self._api = ResponsesApi(settings=settings, tracker=self._streams)
        self._runner: web.AppRunner | None = None
        self._senders: list[WebhookSender] = []
        if webhook_url is not None:
            self.set_webhook(webhook_url, webhook_secret)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving; with port 0 the OS picks a free port."""
        if self._runner is not None:
            raise RuntimeError("ResponsesServer is already running")
        # Requests may carry long conversations or images; aiohttp's default cap is 1 MiB.
        app = web.Application(middlewares=[self._pipeline], client_max_size=_MAX_BODY)
        app.on_response_prepare.append(self._stamp_headers)
        self._api.add_routes(app.router)
        # No access log: tests run many requests and the log would drown their output.
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        # A deep accept queue: load tests open a thousand connections at once, and aiohttp's
        # default backlog (128) would have the kernel reset most of them.
        site = web.TCPSite(runner, self._host, self._port, backlog=_BACKLOG)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = runner.addresses[0][1]
        self._streams.reopen()
        self._runner = runner

    async def stop(self) -> None:
        """Stop background runs, close open streams and connections and stop listening.

        Safe to call twice. Background responses still running stay as they were (queued or
        in progress): their tasks belong to the server and end with it.
        """
        runner, self._runner = self._runner, None
        if runner is not None:
            self._streams.shut_down()
            await self._api.background.stop()
            senders, self._senders = self._senders, []
            if self._api.webhooks is not None:
                senders.append(self._api.webhooks)
            for sender in senders:
                await sender.stop()
            await runner.cleanup()

    async def __aenter__(self) -> ResponsesServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- what tests use --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/v1``, the client's base URL (only while running)."""
        if self._runner is None:
            raise RuntimeError("ResponsesServer is not running; use `async with server:`")
        host = f"[{self._host}]" if ":" in self._host else self._host  # IPv6 literal
        return f"http://{host}:{self._port}/v1"

    @property
    def port(self) -> int:
        """The bound port (the requested one until started)."""
        return self._port

    @property
    def api_key(self) -> str | None:
        """The key the server accepts; falsy means any or no ``Authorization`` is fine."""
        return self._api_key

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (including faulted and rejected ones)."""
        return self._requests

    @property
    def open_streams(self) -> int:
        """SSE replies currently being written."""
        return self._streams.open

    @property
    def client_disconnects(self) -> int:
        """SSE replies the client closed before the last event."""
        return self._streams.client_disconnects

    async def wait_streams_closed(self) -> None:
        """Return once no SSE reply is being written (use under a timeout)."""
        await self._streams.wait_idle()

    def inject(self, fault: Fault) -> Fault:
        """Queue *fault* for the next matching request(s); returns it."""
        self._faults.push(fault)
        return fault

    def remove_fault(self, fault: Fault) -> None:
        """Withdraw *fault* if it is still pending (e.g. one injected with ``times=None``)."""
        self._faults.remove(fault)

    def clear(self) -> None:
        """Forget recorded requests, pending faults and queued scripts; stored responses and
        the responder stay."""
        self._requests.clear()
        self._faults.clear()
        self._api.source.queued.clear()

    # -- scripting the model ---------------------------------------------------------------

    def script(self, *outputs: Output | str | Script, **options: Any) -> Script:
        """Queue what the next response produces; returns the (last) script queued.

        ``server.script("Hi", FunctionCall("f", {"a": 1}), pace=0.05)`` queues one
        ``Script(*outputs, **options)``; ``server.script(Script(...), Script(...))`` queues
        ready-made scripts, one response each. Scripts are used in FIFO order, one per created
        response, before the responder and the echo.
        """
        if outputs and all(isinstance(o, Script) for o in outputs):
            if options:
                raise TypeError("options go on each Script when queueing ready-made scripts")
            scripts = [o for o in outputs if isinstance(o, Script)]
        elif any(isinstance(o, Script) for o in outputs):
            raise TypeError("pass either outputs for one Script or ready-made Scripts, not both")
        else:
            scripts = [Script(*(o for o in outputs if not isinstance(o, Script)), **options)]
        self._api.source.queued.extend(scripts)
        return scripts[-1]

    def enqueue(self, *scripts: Script) -> None:
        """Queue ready-made scripts, in order, behind those already queued."""
        for script in scripts:
            if not isinstance(script, Script):
                raise TypeError(f"not a Script: {script!r}")
        self._api.source.queued.extend(scripts)

    @property
    def pending_scripts(self) -> int:
        """Queued scripts not used yet."""
        return len(self._api.source.queued)

    def respond_with(self, responder: Responder | None) -> None:
        """Answer with ``await responder(request_body)`` when no script is queued.

        It gets a copy of the JSON body the client sent and returns a ``Script``, or None to let
        the echo answer. None removes the responder.
        """
        self._api.source.responder = responder

    @property
    def chunking(self) -> Chunking | None:
        """How every stream's bytes are cut (a script's own ``chunking`` wins); settable."""
        return self._api.settings.chunking

    @chunking.setter
    def chunking(self, value: Chunking | None) -> None:
        self._api.settings.chunking = value

    # -- responses as the server holds them ------------------------------------------------

    def get_response(self, response_id: str) -> dict[str, Any]:
        """The stored Response as ``retrieve`` would return it now (KeyError if unknown)."""
        return dict(self._run(response_id).response)

    def _run(self, response_id: str) -> Run:
        try:
            return self._api.store.get(response_id)
        except ApiError:
            raise KeyError(response_id) from None

    async def wait_status(
        self, response_id: str, status: str, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait until the response has had *status* (now or earlier); return it as it is now.

        Use instead of sleeping: ``await server.wait_status(resp.id, "in_progress")``. Raises
        ``RuntimeError`` if it ends without that status, ``TimeoutError`` after *timeout*.
        """
        run = self._run(response_id)
        try:
            found = await asyncio.wait_for(wait_status(run, status), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(
                f"response {response_id} did not reach {status!r} within {timeout} s "
                f"(statuses so far: {run.statuses})"
            ) from None
        return dict(found)

    # -- webhooks ---------------------------------------------------------------------------

    def set_webhook(self, url: str | None, secret: str | None = None) -> str | None:
        """POST a signed event to *url* whenever a background response finishes; returns the
        secret (a fresh ``whsec_`` one unless given). None stops sending.

        Events are ``response.completed|failed|incomplete|cancelled`` with ``data.id``, signed
        the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``).
        """
        if self._api.webhooks is not None:
            # Its deliveries in flight still finish; stop() closes it.
            self._senders.append(self._api.webhooks)
        self._api.webhooks = None if url is None else WebhookSender(url, secret or new_secret())
        return None if self._api.webhooks is None else self._api.webhooks.secret

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook sent so far, with the receiver's status."""
        return [] if self._api.webhooks is None else self._api.webhooks.deliveries

    async def wait_webhooks(self) -> None:
        """Return once every webhook started so far has been delivered (or failed)."""
        if self._api.webhooks is not None:
            await self._api.webhooks.wait_idle()

    @property
    def background_running(self) -> int:
        """Background responses still advancing (owned by the server's own tasks)."""
        return self._api.background.running

    # -- request pipeline ------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        if not self._api_key:
            return True
        received = request.headers.get("Authorization", "").encode()
        # compare_digest even here: credential checks should never be the example of a leak.
        return hmac.compare_digest(received, f"Bearer {self._api_key}".encode())

    @web.middleware
    async def _pipeline(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Record, then fault/latency, then auth, then the route; errors become API JSON."""
        _request_id.set(new_id("req"))
        active_fault.set(None)
        record = record_request(request, await request.read(), secret=self._api_key)
        self._requests.append(record)
        fault = self._faults.take(record.method, record.path, is_stream_request(record))
        delay = self._latency + (fault.delay if fault is not None else 0.0)
        if delay > 0 and await self._streams.pause(delay):
            # The server is stopping: drop the request rather than hold up shutdown.
            reset_connection(request)
            return web.Response()
        if fault is not None:
            active_fault.set(fault)
            if fault.disconnect:
                reset_connection(request)
                # Nothing reaches the client; aiohttp drops this reply on the closed transport.
                return web.Response()
            if fault.replaces_reply:
                return await fault.spoil(request, fault.reply())
        if not self._authorized(request):
            # Never echo the key received: error bodies end up in logs.
            return json_reply(
                error_body("Incorrect API key provided.", code="invalid_api_key"), status=401
            )
        reply = await self._handle(request, handler, record)
        if fault is not None and isinstance(reply, web.Response) and not reply.prepared:
            return await fault.spoil(request, reply)
        return reply

    async def _handle(
        self, request: web.Request, handler: _Handler, record: RecordedRequest
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            return error.reply()
        except web.HTTPException as error:
            if error.status in (404, 405):
                message = f"Invalid URL ({request.method} {record.path})"
                return json_reply(error_body(message), status=404)
            return json_reply(status_error_body(error.status), status=error.status)

    async def _stamp_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """Headers every reply carries, plus the ones an injected fault adds."""
        response.headers["x-request-id"] = _request_id.get() or new_id("req")
        response.headers["openai-version"] = "2020-10-01"
        response.headers["Server"] = f"aioresponses-client-testing/{__version__}"
        fault = active_fault.get()
        if fault is not None:
            response.headers.update(fault.headers)
