"""Stream event models: the official SDK as an oracle, the reference SSE examples, naming."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

# The reference SSE transcripts live next to the other wire examples.
from test_types import FUNCTION_CALL_STREAM, TEXT_STREAM, official_members, sse_payloads

from aioresponses_client._convert import structure, unstructure
from aioresponses_client._model import WIRE_NAME
from aioresponses_client.errors import ConversionError
from aioresponses_client.types import FunctionCall, OutputMessage, OutputText, UrlCitation
from aioresponses_client.types.events import (
    EVENT_TYPES,
    ErrorEvent,
    ResponseCompletedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputTextAnnotationAddedEvent,
    ResponseOutputTextDeltaEvent,
    ResponseOutputTextDoneEvent,
    StreamEvent,
    UnknownEvent,
    parse_event,
)

ALL_PAYLOADS = sse_payloads(TEXT_STREAM) + sse_payloads(FUNCTION_CALL_STREAM)


def naming_rule(event_type: str) -> str:
    return "".join(word.capitalize() for word in re.split(r"[._]", event_type)) + "Event"


def official_event_classes() -> list[Any]:
    from openai.types.responses import ResponseStreamEvent

    return official_members(ResponseStreamEvent)


def official_type(cls: Any) -> str:
    (tag,) = cls.model_fields["type"].annotation.__args__
    return str(tag)


# -- the official SDK as an oracle ---------------------------------------------------------


def test_every_official_event_type_is_known() -> None:
    official = {official_type(cls) for cls in official_event_classes()}
    missing = sorted(official - EVENT_TYPES.keys())
    assert not missing, f"stream event types missing from EVENT_TYPES: {missing}"
    assert len(official) == 59 and official == EVENT_TYPES.keys()


def test_every_official_event_field_is_modelled() -> None:
    gaps = {}
    for cls in official_event_classes():
        ours = {
            a.metadata.get(WIRE_NAME, a.name) for a in attrs.fields(EVENT_TYPES[official_type(cls)])
        }
        missing = {f.alias or name for name, f in cls.model_fields.items()} - ours
        if missing:
            gaps[official_type(cls)] = sorted(missing)
    assert not gaps


# -- shape rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_class_name_follows_the_naming_rule(event_type: str) -> None:
    assert EVENT_TYPES[event_type].__name__ == naming_rule(event_type)


def test_naming_rule_examples() -> None:
    assert EVENT_TYPES["response.output_text.delta"] is ResponseOutputTextDeltaEvent
    assert EVENT_TYPES["error"] is ErrorEvent
    assert naming_rule("response.code_interpreter_call_code.delta") == (
        "ResponseCodeInterpreterCallCodeDeltaEvent"
    )


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_has_a_required_sequence_number(event_type: str) -> None:
    fields = attrs.fields_dict(EVENT_TYPES[event_type])
    assert fields["sequence_number"].default is attrs.NOTHING
    assert attrs.fields(EVENT_TYPES[event_type])[0].name == "type"
    if event_type.endswith(".delta"):
        assert fields["obfuscation"].default is None


# -- the reference SSE examples ------------------------------------------------------------


@pytest.mark.parametrize(
    "payload", ALL_PAYLOADS, ids=lambda p: f"{p['sequence_number']}-{p['type']}"
)
def test_each_example_event_parses_to_its_class_and_round_trips(payload: dict[str, Any]) -> None:
    event = parse_event(payload)
    assert type(event) is EVENT_TYPES[payload["type"]]
    assert event.sequence_number == payload["sequence_number"]
    assert unstructure(event) == payload
    assert structure(payload, StreamEvent) == event


def test_text_stream_fields() -> None:
    events = [parse_event(p) for p in sse_payloads(TEXT_STREAM)]
    deltas = [e for e in events if isinstance(e, ResponseOutputTextDeltaEvent)]
    assert "".join(d.delta for d in deltas) == "Hi there!"
    assert [d.obfuscation for d in deltas] == ["Qx7", "k", "Zp2m9"]
    assert all(d.item_id == "msg_68af3c1f4d9881909a8b7c6d5e4f3a21" for d in deltas)
    assert all(d.output_index == 0 and d.content_index == 0 and d.logprobs == [] for d in deltas)
    (done,) = [e for e in events if isinstance(e, ResponseOutputTextDoneEvent)]
    assert done.text == "Hi there!"
    added = events[2]
    assert isinstance(added, ResponseOutputItemAddedEvent)
    assert isinstance(added.item, OutputMessage) and added.item.status == "in_progress"
    part_done = events[8]
    assert isinstance(part_done.part, OutputText) and part_done.part.text == "Hi there!"
    completed = events[-1]
    assert isinstance(completed, ResponseCompletedEvent)
    assert completed.response.output_text == "Hi there!"
    assert completed.response.usage is not None and completed.response.usage.total_tokens == 15


def test_function_call_stream_fields() -> None:
    events = [parse_event(p) for p in sse_payloads(FUNCTION_CALL_STREAM)]
    deltas = [e for e in events if isinstance(e, ResponseFunctionCallArgumentsDeltaEvent)]
    assert "".join(d.delta for d in deltas) == '{"city":"Paris"}'
    (args_done,) = [e for e in events if isinstance(e, ResponseFunctionCallArgumentsDoneEvent)]
    assert args_done.arguments == '{"city":"Paris"}'
    item_done = events[-2]
    assert isinstance(item_done, ResponseOutputItemDoneEvent)
    assert isinstance(item_done.item, FunctionCall)
    assert item_done.item.call_id == "call_Xk3vQ9pL2mN8rT5w"
    assert item_done.item.parse_arguments() == {"city": "Paris"}


def test_error_event_from_the_reference() -> None:
    payload = {
        "type": "error",
        "sequence_number": 4,
        "code": "server_error",
        "message": "boom",
        "param": None,
    }
    event = parse_event(payload)
    assert event == ErrorEvent(sequence_number=4, code="server_error", message="boom")
    assert unstructure(event) == payload


def test_annotation_event_carries_a_typed_annotation_or_none() -> None:
    base = {
        "type": "response.output_text.annotation.added",
        "sequence_number": 5,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "annotation_index": 0,
    }
    citation = {
        "type": "url_citation",
        "url": "https://x",
        "title": "X",
        "start_index": 0,
        "end_index": 3,
    }
    event = parse_event({**base, "annotation": citation})
    assert isinstance(event, ResponseOutputTextAnnotationAddedEvent)
    assert isinstance(event.annotation, UrlCitation)
    empty = parse_event({**base, "annotation": None})
    assert isinstance(empty, ResponseOutputTextAnnotationAddedEvent) and empty.annotation is None


# -- forward compatibility and errors ------------------------------------------------------


def test_unknown_event_is_kept_raw_and_round_trips() -> None:
    payload = {"type": "response.hologram.projected", "sequence_number": 9, "beam": 2}
    event = parse_event(payload)
    assert isinstance(event, UnknownEvent)
    assert event.type == "response.hologram.projected" and event.raw == payload
    assert event.sequence_number == 9
    assert unstructure(event) == payload
    assert structure(payload, StreamEvent) == event


def test_unknown_fields_on_known_events_are_ignored() -> None:
    payload = {
        "type": "response.refusal.delta",
        "sequence_number": 3,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "no",
        "stream_id": "s_1",
    }
    event = parse_event(payload)
    assert unstructure(event) == {k: v for k, v in payload.items() if k != "stream_id"}


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "response.output_text.delta", "sequence_number": 1, "delta": "x"},
        {"type": "response.created", "sequence_number": 0, "response": {"object": "response"}},
        {"type": "response.audio.done"},
        ["not", "an", "object"],
    ],
    ids=["missing-fields", "bad-response", "no-sequence-number", "not-an-object"],
)
def test_bad_shapes_raise_conversion_error(payload: Any) -> None:
    with pytest.raises(ConversionError):
        parse_event(payload)


def test_importing_types_does_not_import_events() -> None:
    # A fresh interpreter: in this one, other tests have imported the events module already.
    code = (
        "import sys, aioresponses_client.types as t; print(t.__name__ + '.events' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"
