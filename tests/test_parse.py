"""``client.responses.parse``: the request it sends, and the parsed response it returns, on the
embedded server over both transports (the ``client`` fixture of conftest is parametrized)."""

from __future__ import annotations

import enum
from typing import Any, Literal

import attrs
import orjson
import pytest

from aioresponses_client import (
    APIError,
    AsyncResponsesClient,
    ConversionError,
    ParsedResponse,
    ParsedResponseStream,
    StructuredOutputError,
    json_schema,
)
from aioresponses_client._convert import unstructure
from aioresponses_client.testing import Message, RawItem, Refusal, ResponsesServer, Script, Text
from aioresponses_client.types import Response
from aioresponses_client.types.events import ResponseOutputTextDeltaEvent

MODEL = "gpt-test"


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


@attrs.frozen
class Reading:
    """One temperature reading."""

    celsius: float
    unit: Unit


@attrs.frozen
class Forecast:
    city: str = attrs.field(metadata={"description": "City name"})
    days: int
    sky: Literal["sunny", "cloudy", "rain"]
    readings: list[Reading]
    alert: str | None
    by_hour: dict[str, float]


FORECAST = {
    "city": "Paris",
    "days": 2,
    "sky": "rain",
    "readings": [{"celsius": 21.5, "unit": "celsius"}],
    "alert": None,
    "by_hour": [{"key": "09", "value": 18.0}],
}
EXPECTED = Forecast(
    city="Paris",
    days=2,
    sky="rain",
    readings=[Reading(celsius=21.5, unit=Unit.CELSIUS)],
    alert=None,
    by_hour={"09": 18.0},
)


async def test_parse_sends_a_strict_json_schema_format_merged_with_other_text_keys(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    await client.responses.parse(
        model=MODEL, input="forecast?", text_format=Forecast, text={"verbosity": "low"}
    )
    body = server.requests[-1].json
    assert body is not None
    assert body["text"] == {
        "verbosity": "low",
        "format": {
            "type": "json_schema",
            "name": "Forecast",
            "schema": json_schema(Forecast),
            "strict": True,
        },
    }
    assert body["model"] == MODEL and body["input"] == "forecast?"


async def test_parse_round_trips_the_servers_schema_answer(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    parsed = await client.responses.parse(model=MODEL, input="forecast?", text_format=Forecast)
    assert isinstance(parsed, ParsedResponse) and isinstance(parsed, Response)
    # The embedded model fills each field with the simplest value the schema allows.
    assert parsed.output_parsed == Forecast(
        city="city",
        days=1,
        sky="sunny",
        readings=[Reading(celsius=1.5, unit=Unit.CELSIUS)],
        alert="alert",
        by_hour={"key": 1.5},
    )
    assert parsed.refusal is None
    assert parsed.status == "completed" and parsed.id.startswith("resp_")
    assert orjson.loads(parsed.output_text) is not None


async def test_parse_structures_scripted_json_into_the_class(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script(orjson.dumps(FORECAST).decode())
    parsed = await client.responses.parse(model=MODEL, input="forecast?", text_format=Forecast)
    assert parsed.output_parsed == EXPECTED


async def test_a_parsed_response_converts_to_the_same_json_as_the_plain_one(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    parsed = await client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    plain = await client.responses.retrieve(parsed.id)
    assert unstructure(parsed) == unstructure(plain)
    assert "output_parsed" not in unstructure(parsed)


async def test_a_refusal_gives_no_parsed_output_and_exposes_the_refusal(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script(Refusal("I can't help with that."))
    parsed = await client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    assert parsed.output_parsed is None
    assert parsed.refusal == "I can't help with that."


async def test_commentary_messages_are_skipped_for_the_final_answer(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    commentary: dict[str, Any] = {
        "type": "message",
        "id": "msg_commentary",
        "role": "assistant",
        "status": "completed",
        "phase": "commentary",
        "content": [{"type": "output_text", "text": "Let me think.", "annotations": []}],
    }
    server.script(RawItem(commentary), orjson.dumps(FORECAST).decode())
    parsed = await client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    assert parsed.output_parsed == EXPECTED


async def test_a_message_split_in_parts_is_parsed_whole(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    text = orjson.dumps(FORECAST).decode()
    server.script(Message(Text(text[:10]), Text(text[10:])))
    parsed = await client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    assert parsed.output_parsed == EXPECTED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"city": "Paris", "days": ', "not valid JSON"),
        ('{"city": "Paris"}', r"required field missing @ \$\.days"),
        (orjson.dumps({**FORECAST, "days": "two"}).decode(), r"\$\.days"),
        (orjson.dumps({**FORECAST, "sky": "snow"}).decode(), r"\$\.sky"),
    ],
)
async def test_output_that_does_not_fit_raises_a_typed_error_with_the_raw_text(
    client: AsyncResponsesClient, server: ResponsesServer, text: str, message: str
) -> None:
    server.script(text)
    with pytest.raises(StructuredOutputError, match=message) as caught:
        await client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    error = caught.value
    assert isinstance(error, ConversionError) and isinstance(error, APIError)
    assert error.raw_text == text
    assert error.response is not None and error.response.status == "completed"


async def test_a_truncated_answer_says_the_response_is_incomplete(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script(Script.incomplete('{"city": "Par', reason="max_output_tokens"))
    with pytest.raises(StructuredOutputError, match="incomplete: max_output_tokens") as caught:
        await client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    assert caught.value.response is not None
    assert caught.value.response.status == "incomplete"


async def test_text_format_with_text_format_key_is_a_type_error_before_sending(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(TypeError, match="not both"):
        await client.responses.parse(
            model=MODEL, input="x", text_format=Forecast, text={"format": {"type": "text"}}
        )
    with pytest.raises(TypeError, match="needs an attrs class"):
        await client.responses.parse(model=MODEL, input="x", text_format=dict)
    assert server.requests == []


async def test_stream_parse_yields_events_and_a_parsed_final_response(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script(Script(orjson.dumps(FORECAST).decode(), delta_size=7))
    stream = await client.responses.parse(model=MODEL, input="x", text_format=Forecast, stream=True)
    assert isinstance(stream, ParsedResponseStream)
    async with stream:
        deltas = [e.delta async for e in stream if isinstance(e, ResponseOutputTextDeltaEvent)]
        final = await stream.final_response()
    assert "".join(deltas) == orjson.dumps(FORECAST).decode() and len(deltas) > 5
    assert final.output_parsed == EXPECTED and final.refusal is None
    assert stream.stream.closed
    body = server.requests[-1].json
    assert body is not None and body["stream"] is True
    assert body["text"]["format"]["schema"] == json_schema(Forecast)


async def test_stream_parse_of_a_refusal_and_of_bad_json(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.script(Refusal("No."))
    async with await client.responses.parse(
        model=MODEL, input="x", text_format=Forecast, stream=True
    ) as stream:
        final = await stream.final_response()
    assert final.output_parsed is None and final.refusal == "No."
    server.script("[1, 2]")
    async with await client.responses.parse(
        model=MODEL, input="x", text_format=Forecast, stream=True
    ) as stream:
        with pytest.raises(StructuredOutputError) as caught:
            await stream.final_response()
    assert caught.value.raw_text == "[1, 2]"
    assert caught.value.request_id == stream.request_id


async def test_the_official_sdk_reads_our_schema_answers(server: ResponsesServer) -> None:
    """The request our parse() sends, replayed through the official SDK, gets valid JSON back."""
    import openai

    async with openai.AsyncOpenAI(
        api_key=server.api_key, base_url=server.base_url, max_retries=0
    ) as oracle:
        response = await oracle.responses.create(
            model=MODEL,
            input="x",
            text={
                "format": {
                    "type": "json_schema",
                    "name": "Forecast",
                    "schema": json_schema(Forecast),
                    "strict": True,
                }
            },
        )
    from aioresponses_client.schema import structure

    assert isinstance(structure(orjson.loads(response.output_text), Forecast), Forecast)


def test_the_documented_example_runs() -> None:
    """The README's structured-outputs example runs as written, against the embedded server."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = Path(__file__).parent.parent / "README.md"
    section = readme.read_text(encoding="utf-8").split("## Structured outputs and function tools")[
        1
    ]
    code = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "get_time -> Error: get_time raised RuntimeError" in done.stdout
