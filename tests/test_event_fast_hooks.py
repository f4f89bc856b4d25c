"""The generated fast structure hooks for stream events agree with cattrs on every payload."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioresponses_client._convert import converter
from aioresponses_client.errors import ConversionError
from aioresponses_client.types.events import EVENT_TYPES, parse_event

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=5),
    st.just([]),
    st.lists(st.integers(), min_size=1, max_size=2),
    st.just({}),
)


@st.composite
def payloads(draw: st.DrawFn) -> tuple[type, dict[str, Any]]:
    tag = draw(st.sampled_from(sorted(EVENT_TYPES)))
    cls = EVENT_TYPES[tag]
    data: dict[str, Any] = {"type": tag}
    for field in attrs.fields(cls):
        if field.name == "type" or draw(st.integers(0, 9)) == 0:
            continue  # sometimes leave a key out
        if field.type in (int, str) and draw(st.booleans()):
            data[field.name] = 1 if field.type is int else "x"  # mostly well-typed values
        else:
            data[field.name] = draw(_VALUES)
    if draw(st.integers(0, 9)) == 0:
        data["field_from_a_newer_api"] = draw(_VALUES)  # unknown keys are dropped
    return cls, data


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception:
        return ("error",)


@settings(max_examples=3000, deadline=None)
@given(payloads())
def test_parse_event_matches_cattrs(case: tuple[type, dict[str, Any]]) -> None:
    cls, data = case
    expected = _outcome(converter.structure, data, cls)
    sent = dict(data)
    got = _outcome(parse_event, data)
    assert got == expected
    assert data == sent  # the payload is not changed, whether or not the event adopted it
    if got[0] == "ok":
        # Equality compares fields only: the instance must also hold nothing else.
        assert vars(got[1]) == vars(expected[1])
        assert all(type(vars(got[1])[k]) is type(v) for k, v in vars(expected[1]).items())
    if got[0] == "error":
        with pytest.raises(ConversionError):
            parse_event(data)


def test_a_well_formed_plain_event_adopts_its_payload_and_stays_frozen() -> None:
    data = {
        "type": "response.output_text.delta",
        "sequence_number": 7,
        "output_index": 0,
        "item_id": "msg_1",
        "content_index": 0,
        "delta": "Hi",
        "logprobs": [],
    }
    event = parse_event(data)
    assert vars(event) == {**data, "obfuscation": None}  # the missing optional field filled in
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.delta = "changed"  # type: ignore[misc]
    assert "obfuscation" not in data  # filled in on a copy
