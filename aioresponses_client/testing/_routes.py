"""The Responses API endpoints, over plain dicts: the server's wire-level behaviour lives here."""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from ._answer import AnswerFn, echo_answer
from ._faults import active_fault
from ._items import (
    Item,
    count_item_tokens,
    count_tokens,
    instruction_texts,
    normalize_input,
)
from ._record import RecordedRequest
from ._response import finish_response, new_response, usage
from ._store import ResponseStore, StoredResponse, list_page
from ._stream import StreamTracker, response_events, send_events
from ._wire import ApiError, json_reply, new_id

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


class ResponsesApi:
    """Handlers for ``/v1/responses`` and its sub-resources, sharing one store.

    ``answer`` is the model: swap it to script what responses contain. It gets the request body
    with ``input`` normalised to a list of items (item references resolved) and the history.
    """

    def __init__(
        self, *, delta_size: int | None, event_delay: float, tracker: StreamTracker
    ) -> None:
        self.store = ResponseStore()
        self.answer: AnswerFn = echo_answer
        self._delta_size = delta_size
        self._event_delay = event_delay
        self._tracker = tracker

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

    def _run(self, body: dict[str, Any]) -> StoredResponse:
        """Create a response for *body*, run the model on it and store it if asked to."""
        _require_model(body)
        history = self.store.history(_optional_str(body, "previous_response_id"))
        items = normalize_input(body.get("input"), self.store.item)
        response = new_response(body, response_id=new_id("resp"))
        # Every run finishes before the reply today. A background simulation slots in here:
        # store the response queued and let a server-owned task advance it to completed.
        output = self.answer({**body, "input": items}, history)
        finished = finish_response(response, output, _input_tokens(body, history, items))
        run = StoredResponse(response=finished, input_items=items)
        if finished["store"]:
            self.store.put(run)
        return run

    def _events(self, run: StoredResponse) -> list[Item]:
        if run.events is None:
            run.events = response_events(run.response, self._delta_size)
        return run.events

    async def _stream(
        self, request: web.Request, events: list[Item], *, obfuscate: bool
    ) -> web.StreamResponse:
        fault = active_fault.get()
        return await send_events(
            request,
            events,
            tracker=self._tracker,
            obfuscate=obfuscate,
            event_delay=self._event_delay,
            abort_after=None if fault is None else fault.disconnect_after_events,
        )

    async def create(self, request: web.Request) -> web.StreamResponse:
        """``POST /v1/responses``: run the model; JSON reply, or SSE with ``stream: true``."""
        body = await _json_object(request)
        run = self._run(body)
        if body.get("stream") is True:
            options = body.get("stream_options")
            obfuscate = not (
                isinstance(options, Mapping) and options.get("include_obfuscation") is False
            )
            return await self._stream(request, self._events(run), obfuscate=obfuscate)
        return json_reply(run.response)

    async def retrieve(self, request: web.Request) -> web.StreamResponse:
        """``GET /v1/responses/{id}``: the stored response, or its event stream replayed."""
        run = self.store.get(request.match_info["response_id"])
        query = request.query
        if query.get("stream", "") not in _TRUE:
            return json_reply(run.response)
        raw_after = query.get("starting_after", "-1")
        try:
            starting_after = int(raw_after)
        except ValueError:
            raise ApiError(
                400,
                f"Invalid 'starting_after': expected an integer, but got '{raw_after}'.",
                param="starting_after",
                code="invalid_type",
            ) from None
        events = [e for e in self._events(run) if e["sequence_number"] > starting_after]
        obfuscate = query.get("include_obfuscation", "true") in _TRUE
        return await self._stream(request, events, obfuscate=obfuscate)

    async def delete(self, request: web.Request) -> web.Response:
        """``DELETE /v1/responses/{id}``."""
        response_id = request.match_info["response_id"]
        self.store.delete(response_id)
        return json_reply({"id": response_id, "object": "response.deleted", "deleted": True})

    async def cancel(self, request: web.Request) -> web.Response:
        """``POST /v1/responses/{id}/cancel``: background responses only; finished ones as-is."""
        run = self.store.get(request.match_info["response_id"])
        if not run.background:
            raise ApiError(400, "Only responses created with background=true can be cancelled.")
        if run.response["status"] in ("queued", "in_progress"):
            run.response = {**run.response, "status": "cancelled"}
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
