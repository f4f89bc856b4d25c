"""The Responses API endpoints, over plain dicts: the server's wire-level behaviour lives here."""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any

import attrs
import orjson
from aiohttp import web

from ._answer import ScriptSource
from ._background import BackgroundRunner, follow
from ._chunks import Chunking
from ._faults import active_fault
from ._items import (
    Item,
    count_item_tokens,
    count_tokens,
    instruction_texts,
    normalize_input,
)
from ._record import RecordedRequest
from ._render import render_outputs
from ._response import finish_response, new_response, usage
from ._run import Run, plan_events, snapshot
from ._script import Incomplete, Script, StreamError
from ._store import ResponseStore, list_page
from ._stream import StreamTracker, reset_connection, send_events
from ._webhooks import WebhookSender
from ._wire import ApiError, error_body, json_reply, new_id

_TRUE = ("true", "1", "True")


def is_stream_request(record: RecordedRequest) -> bool:
    """Whether the request asks for an SSE reply (create with stream, or retrieve with stream)."""
    path = record.path.rstrip("/")
    if record.method == "POST" and path.endswith("/responses"):
        return isinstance(record.json, Mapping) and record.json.get("stream") is True
    if record.method == "GET":
        return record.query.get("stream", [""])[-1] in _TRUE
    return False


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise ApiError(
            400,
            "We could not parse the JSON body of your request. The OpenAI API expects a JSON "
            "payload, but what was sent was not valid JSON.",
        ) from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def _require_model(body: Mapping[str, Any]) -> None:
    model = body.get("model")
    if model is None:
        raise ApiError(
            400,
            "Missing required parameter: 'model'.",
            param="model",
            code="missing_required_parameter",
        )
    if not isinstance(model, str):
        raise ApiError(
            400,
            f"Invalid type for 'model': expected a string, but got {type(model).__name__}.",
            param="model",
            code="invalid_type",
        )


def _optional_str(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ApiError(
        400, f"Invalid type for '{name}': expected a string.", param=name, code="invalid_type"
    )


def _input_tokens(body: Mapping[str, Any], history: list[Item], items: list[Item]) -> int:
    # Instructions of earlier turns are not in history: the API does not carry them over.
    instructions = count_tokens(instruction_texts(body.get("instructions")))
    return instructions + count_item_tokens(history) + count_item_tokens(items)


@attrs.define(kw_only=True)
class Settings:
    """Server-wide defaults a script can override (see ``ResponsesServer``)."""

    delta_size: int | None = None
    event_delay: float = 0.0
    pace: float = 0.0
    chunking: Chunking | None = None
    background_duration: float = 0.1


def _obfuscate(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options")
    return not (isinstance(options, Mapping) and options.get("include_obfuscation") is False)


def _starting_after(query: Mapping[str, str]) -> int:
    raw = query.get("starting_after", "-1")
    try:
        return int(raw)
    except ValueError:
        raise ApiError(
            400,
            f"Invalid 'starting_after': expected an integer, but got '{raw}'.",
            param="starting_after",
            code="invalid_type",
        ) from None


class ResponsesApi:
    """Handlers for ``/v1/responses`` and its sub-resources, sharing one store.

    What a response produces comes from ``source``: queued scripts, the responder, or the echo.
    """

    def __init__(self, *, settings: Settings, tracker: StreamTracker) -> None:
        self.store = ResponseStore()
        self.source = ScriptSource()
        self.background = BackgroundRunner()
        self.settings = settings
        self.webhooks: WebhookSender | None = None
        self._tracker = tracker

    def _finished(self, response: Item) -> None:
        # Looked up when the run ends, so a webhook configured meanwhile still gets it.
        if self.webhooks is not None:
            self.webhooks.finished(response)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register every endpoint; fixed paths before the ``{response_id}`` patterns."""
        router.add_post("/v1/responses", self.create)
        router.add_post("/v1/responses/compact", self.compact)
        router.add_post("/v1/responses/input_tokens", self.input_tokens)
        router.add_get("/v1/responses/{response_id}", self.retrieve, allow_head=False)
        router.add_delete("/v1/responses/{response_id}", self.delete)
        router.add_post("/v1/responses/{response_id}/cancel", self.cancel)
        router.add_get(
            "/v1/responses/{response_id}/input_items", self.input_items, allow_head=False
        )

    def _plan(
        self, body: dict[str, Any], script: Script, items: list[Item], history: list[Item]
    ) -> Run:
        """Plan the whole run of *script* for *body*: its final Response and every event."""
        background = body.get("background") is True
        response = new_response(body, response_id=new_id("resp"))
        size = script.delta_size or self.settings.delta_size
        cut_short = isinstance(script.end, Incomplete)
        output, item_events = render_outputs(script.outputs, body, size, cut_short=cut_short)
        tokens = _input_tokens(body, history, items)
        final = finish_response(response, output, tokens, script.end)
        events, final = plan_events(response, final, item_events, script.end, background=background)
        shown = 2 if background else len(events)
        return Run(
            response=snapshot(events, shown, final),
            final=final,
            input_items=items,
            events=events,
            shown=shown,
            pace=self.settings.pace if script.pace is None else script.pace,
            chunking=script.chunking,
        )

    async def _stream(
        self,
        request: web.Request,
        run: Run,
        index: int,
        *,
        obfuscate: bool,
    ) -> web.StreamResponse:
        fault = active_fault.get()
        tracker = self._tracker
        return await send_events(
            request,
            follow(run, index, lambda: tracker.stopping),
            tracker=tracker,
            obfuscate=obfuscate,
            event_delay=self.settings.event_delay,
            # A background run is paced by its simulation, not by the stream.
            pace=0.0 if run.background else run.pace,
            chunking=run.chunking or self.settings.chunking,
            cut=None if fault is None else fault.cut(),
        )

    async def create(self, request: web.Request) -> web.StreamResponse:
        """``POST /v1/responses``: run the model; JSON reply, or SSE with ``stream: true``."""
        body = await _json_object(request)
        _require_model(body)
        background = body.get("background") is True
        if background and body.get("store") is False:
            raise ApiError(400, "Background mode requires store=true.", param="store")
        history = self.store.history(_optional_str(body, "previous_response_id"))
        items = normalize_input(body.get("input"), self.store.item)
        script = await self.source.next(body, items)
        run = self._plan(body, script, items, history)
        if run.final["store"]:
            self.store.put(run)
        if await self._tracker.pause(script.latency):
            reset_connection(request)
            return web.Response()
        if background:
            duration = script.background_duration
            if duration is None:
                duration = self.settings.background_duration
            run.on_done = self._finished
            self.background.start(run, duration)
        if body.get("stream") is True:
            return await self._stream(request, run, 0, obfuscate=_obfuscate(body))
        if isinstance(script.end, StreamError) and not background:
            error = error_body(
                script.end.message,
                type_="server_error",
                param=script.end.param,
                code=script.end.code,
            )
            return json_reply(error, status=500)
        return json_reply(run.response)

    async def retrieve(self, request: web.Request) -> web.StreamResponse:
        """``GET /v1/responses/{id}``: the response as it is now, or its events.

        With ``stream=true`` the events after ``starting_after`` are replayed, then, while a
        background response is still running, followed live until it ends.
        """
        run = self.store.get(request.match_info["response_id"])
        query = request.query
        if query.get("stream", "") not in _TRUE:
            return json_reply(run.response)
        index = run.first_after(_starting_after(query))
        obfuscate = query.get("include_obfuscation", "true") in _TRUE
        return await self._stream(request, run, index, obfuscate=obfuscate)

    async def delete(self, request: web.Request) -> web.Response:
        """``DELETE /v1/responses/{id}``; a running background response stops first."""
        response_id = request.match_info["response_id"]
        run = self.store.get(response_id)
        self.background.cancel(run)
        run.cancel()  # so streams following it end
        self.store.delete(response_id)
        return json_reply({"id": response_id, "object": "response.deleted", "deleted": True})

    async def cancel(self, request: web.Request) -> web.Response:
        """``POST /v1/responses/{id}/cancel``: background only; a finished one is returned as is."""
        run = self.store.get(request.match_info["response_id"])
        if not run.background:
            raise ApiError(400, "Only responses created with background=true can be cancelled.")
        self.background.cancel(run)
        run.cancel()
        return json_reply(run.response)

    async def input_items(self, request: web.Request) -> web.Response:
        """``GET /v1/responses/{id}/input_items``: cursor pages of the response's own input."""
        run = self.store.get(request.match_info["response_id"])
        return json_reply(list_page(run.input_items, request.query))

    async def input_tokens(self, request: web.Request) -> web.Response:
        """``POST /v1/responses/input_tokens``: what a create with this body would count."""
        body = await _json_object(request)
        history = self.store.history(_optional_str(body, "previous_response_id"))
        items = normalize_input(body.get("input"), self.store.item)
        count = _input_tokens(body, history, items)
        return json_reply({"object": "response.input_tokens", "input_tokens": count})

    async def compact(self, request: web.Request) -> web.Response:
        """``POST /v1/responses/compact``: keep user messages, fold the rest into one item.

        The compaction item's ``encrypted_content`` is base64 of the folded items' JSON: opaque
        to clients, deterministic for tests.
        """
        body = await _json_object(request)
        _require_model(body)
        history = self.store.history(_optional_str(body, "previous_response_id"))
        items = history + normalize_input(body.get("input"), self.store.item)
        kept = [i for i in items if i.get("type") == "message" and i.get("role") == "user"]
        folded = [i for i in items if not (i.get("type") == "message" and i.get("role") == "user")]
        compaction = {
            "id": new_id("cmp"),
            "type": "compaction",
            "encrypted_content": base64.b64encode(orjson.dumps(folded)).decode("ascii"),
        }
        return json_reply(
            {
                "id": new_id("resp"),
                "object": "response.compaction",
                "created_at": int(time.time()),
                "output": [*kept, compaction],
                "usage": usage(_input_tokens(body, [], items), count_item_tokens(kept)),
            }
        )
