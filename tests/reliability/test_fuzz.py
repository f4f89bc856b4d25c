"""Fuzzing the decoders: whatever bytes or JSON arrive, only the package's typed errors escape.

Two kinds of input: arbitrary ones (random bytes, random JSON), and *mutants* of real payloads
recorded from the embedded server, where one subtree is replaced, removed or retyped. Mutants
reach deep into the converters, where arbitrary JSON is turned away at the first field.

``RELIABILITY_FULL=1`` multiplies the examples by twenty (``benchmarks/soak.py`` does that).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioresponses_client import APIError, AsyncResponsesClient
from aioresponses_client._accumulate import ResponseAccumulator
from aioresponses_client._convert import loads, structure, unstructure
from aioresponses_client._sse import ServerSentEvent, SSEDecoder
from aioresponses_client.streaming import AsyncResponseStream
from aioresponses_client.testing import (
    FunctionCall,
    Reasoning,
    Refusal,
    ResponsesServer,
    Text,
    UrlCitation,
    WebSearch,
)
from aioresponses_client.types import (
    CompactedResponse,
    InputItem,
    InputTokenCount,
    OutputItem,
    Response,
)
from aioresponses_client.types.events import EVENT_TYPES, parse_event

FULL = os.environ.get("RELIABILITY_FULL") == "1"
EXAMPLES = 4000 if FULL else 200
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Keys the models read, so random objects hit real fields rather than being ignored.
KEYS = sorted(
    {
        "type", "id", "object", "status", "output", "content", "text", "annotations", "delta",
        "output_index", "content_index", "item_id", "item", "response", "part", "arguments",
        "sequence_number", "summary", "summary_index", "error", "code", "message", "usage",
        "role", "name", "call_id", "logprobs", "incomplete_details", "created_at", "model",
        "input_tokens", "output_tokens", "total_tokens", "refusal", "action", "queries",
        "results", "url", "start_index", "end_index", "title", "tools", "data", "first_id",
        "last_id", "has_more", "partial_image_b64", "outputs", "obfuscation",
    }
)  # fmt: skip
TAGS = [*sorted(EVENT_TYPES), "message", "output_text", "function_call", "reasoning", "x.y"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(TAGS)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=24,
)
json_objects = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), json_values, max_size=8)


# -- real payloads to mutate -----------------------------------------------------------------


async def _record_payloads() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Responses and stream events of every output kind, as the server sends them."""
    async with (
        ResponsesServer() as server,
        AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client,
    ):
        server.script(
            Reasoning("Thinking it over."),
            WebSearch("weather paris"),
            Text("It is sunny.", annotations=(UrlCitation("https://example.com", "Ex"),)),
            FunctionCall("get_weather", {"city": "Paris"}),
        )
        server.script(Refusal("I cannot help with that."))
        responses: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for _ in range(2):
            async with await client.responses.create(model="m", input="x", stream=True) as s:
                async for event in s:
                    events.append(unstructure(event))
                final = await s.final_response()
            responses.append(server.get_response(final.id))
        return responses, events


@pytest.fixture(scope="module")
def recorded() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return anyio.run(_record_payloads)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def mutate(data: st.DataObject, value: Any, rounds: int = 3) -> Any:
    """``value`` with up to ``rounds`` subtrees replaced, removed or retyped."""
    value = orjson.loads(orjson.dumps(value))  # a private deep copy
    for _ in range(data.draw(st.integers(1, rounds))):
        path = data.draw(st.sampled_from(_paths(value)))
        if not path:
            value = data.draw(json_values)
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        action = data.draw(st.sampled_from(["replace", "remove", "wrap", "empty"]))
        if action == "remove" and isinstance(parent, dict):
            del parent[key]
        elif action == "remove":
            parent.pop(key)
        elif action == "wrap":
            parent[key] = [parent[key]]
        elif action == "empty":
            parent[key] = data.draw(st.sampled_from([None, "", 0, [], {}, -1, 2**40]))
        else:
            parent[key] = data.draw(json_values)
    return value


def _use(model: Any) -> None:
    """Touch what a caller reads, so properties and reprs are fuzzed too."""
    repr(model)
    if isinstance(model, Response):
        model.output_text  # noqa: B018
    unstructure(model)


def _structure_or_typed_error(payload: Any, cls: Any) -> None:
    try:
        model = structure(payload, cls)
    except APIError:
        return
    _use(model)


# -- SSE decoder -----------------------------------------------------------------------------


def _sse_lines() -> st.SearchStrategy[bytes]:
    field = st.sampled_from([b"data", b"event", b"id", b"retry", b"", b":", b"dat", b"data "])
    sep = st.sampled_from([b":", b": ", b"", b"::"])
    value = st.binary(max_size=12) | st.sampled_from([b"{}", b"[DONE]", b"123", b"\xff\xfe"])
    end = st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n", b"\r\r", b""])
    return st.tuples(field, sep, value, end).map(b"".join)


sse_bodies = st.lists(_sse_lines(), max_size=30).map(b"".join) | st.binary(max_size=600)


@fuzz
@given(body=sse_bodies, cuts=st.lists(st.integers(0, 600), max_size=12))
def test_sse_decoder_takes_any_bytes_in_any_split(body: bytes, cuts: list[int]) -> None:
    whole = SSEDecoder()
    expected = whole.feed(body) + whole.close()
    split = SSEDecoder()
    got: list[ServerSentEvent] = []
    last = 0
    for cut in sorted({c for c in cuts if 0 < c < len(body)}):
        got += split.feed(body[last:cut])
        last = cut
    got += split.feed(body[last:]) + split.close()
    assert got == expected  # the split never changes the events
    for event in got:
        assert isinstance(event.event, str) and isinstance(event.data, str)
        assert event.retry is None or (isinstance(event.retry, int) and event.retry >= 0)


# -- converters ------------------------------------------------------------------------------


@fuzz
@given(raw=st.binary(max_size=200) | json_values.map(orjson.dumps))
def test_any_bytes_as_a_reply_body_give_a_model_or_a_typed_error(raw: bytes) -> None:
    try:
        payload = loads(raw)
    except APIError:
        return
    for cls in (Response, CompactedResponse, InputTokenCount):
        _structure_or_typed_error(payload, cls)


@fuzz
@given(payload=json_values)
def test_arbitrary_json_structures_or_fails_typed(payload: Any) -> None:
    for cls in (Response, OutputItem, InputItem):
        _structure_or_typed_error(payload, cls)


@fuzz
@given(data=st.data())
def test_mutated_real_responses_structure_or_fail_typed(
    recorded: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject
) -> None:
    responses, _ = recorded
    response = data.draw(st.sampled_from(responses))
    _structure_or_typed_error(mutate(data, response), Response)
    item = data.draw(st.sampled_from([i for r in responses for i in r["output"]]))
    _structure_or_typed_error(mutate(data, item), OutputItem)


@fuzz
@given(data=st.data())
def test_mutated_real_events_parse_or_fail_typed(
    recorded: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject
) -> None:
    _, events = recorded
    event = mutate(data, data.draw(st.sampled_from(events)), rounds=2)
    if not isinstance(event, dict):
        return
    try:
        parsed = parse_event(event)
    except APIError:
        return
    _use(parsed)


@fuzz
@given(tag=st.sampled_from(TAGS), fields=json_objects)
def test_events_of_every_type_with_random_fields_parse_or_fail_typed(
    tag: str, fields: dict[str, Any]
) -> None:
    try:
        parsed = parse_event({**fields, "type": tag})
    except APIError:
        return
    _use(parsed)


@fuzz
@given(data=st.data())
def test_accumulator_never_raises_and_its_snapshot_fails_only_typed(
    recorded: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject
) -> None:
    _, events = recorded
    stream = [
        mutate(data, e, rounds=1) if data.draw(st.booleans()) else e
        for e in events[: data.draw(st.integers(0, len(events)))]
    ]
    stream += data.draw(st.lists(json_objects, max_size=3))
    acc = ResponseAccumulator()
    for event in stream:
        if isinstance(event, dict):
            acc.feed(event)
    try:
        _use(acc.snapshot())
    except APIError:
        pass


# -- the stream object, end to end without a socket ------------------------------------------


class _CannedReply:
    """A StreamingResponse that plays back canned data lines, then ends."""

    status = 200
    headers = {"content-type": "text/event-stream", "x-request-id": "req_fuzz"}

    def __init__(self, batches: Sequence[Sequence[str]]) -> None:
        self._batches = [list(batch) for batch in batches if batch]
        self.closed = False

    async def next_data(self) -> Sequence[str] | None:
        return self._batches.pop(0) if self._batches else None

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        for batch in self._batches:
            for data in batch:
                yield data.encode()

    async def read(self) -> bytes:
        return b""

    async def aclose(self) -> None:
        self.closed = True


async def _drain(batches: list[list[str]]) -> None:
    reply = _CannedReply(batches)
    stream = AsyncResponseStream(reply)
    try:
        async with stream:
            async for event in stream:
                _use(event)
            _use(await stream.final_response())
    except APIError:
        pass
    try:
        _use(stream.snapshot())
    except APIError:
        pass
    assert reply.closed and stream.closed


@fuzz
@given(data=st.data())
def test_a_stream_of_mutated_and_random_data_lines_fails_only_typed(
    recorded: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject
) -> None:
    _, events = recorded
    lines: list[str] = []
    for event in events[: data.draw(st.integers(0, len(events)))]:
        choice = data.draw(st.integers(0, 9))
        if choice == 0:
            mutant = mutate(data, event, rounds=1)
            lines.append(orjson.dumps(mutant).decode())
        elif choice == 1:
            lines.append(data.draw(st.text(max_size=20) | json_values.map(lambda v: str(v))))
        else:
            lines.append(orjson.dumps(event).decode())
    extra = data.draw(st.lists(json_objects, max_size=2))
    lines += [orjson.dumps(o).decode() for o in extra]
    sizes = data.draw(st.lists(st.integers(1, 5), max_size=len(lines)))
    batches: list[list[str]] = []
    for size in [*sizes, len(lines)]:
        batches.append(lines[:size])
        lines = lines[size:]
    asyncio.run(_drain(batches))  # anything but an APIError fails the example


# -- defects the fuzzing found (fixed) -------------------------------------------------------


@pytest.mark.parametrize("tag", [["response.created"], {"a": 1}])
def test_an_event_whose_type_is_a_list_or_object_is_a_conversion_error(tag: Any) -> None:
    with pytest.raises(APIError):
        parse_event({"type": tag, "sequence_number": 1})


async def test_a_streamed_event_whose_type_is_a_list_is_a_typed_error() -> None:
    stream = AsyncResponseStream(_CannedReply([['{"type": ["x"], "sequence_number": 0}']]))
    with pytest.raises(APIError):
        async with stream:
            async for _ in stream:
                pass
