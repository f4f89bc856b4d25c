"""Function tools from typed functions, and the tool loop on the embedded server.

The loop tests script the server with a responder: a request without ``function_call_output``
gets function calls, one with outputs gets a final text quoting them. Each loop's requests are
then read back from ``server.requests``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated, Any, Literal

import anyio
import attrs
import orjson
import pytest

from aioresponses_client import (
    APIError,
    AsyncResponsesClient,
    CallableTool,
    ConversionError,
    MaxTurnsExceededError,
    ParsedResponse,
    ToolRunResult,
    function_tool,
)
from aioresponses_client._docstring import parse_docstring
from aioresponses_client.testing import FunctionCall, ResponsesServer, Script, Text
from aioresponses_client.types import FunctionCall as FunctionCallItem

MODEL = "gpt-test"


@attrs.frozen
class Location:
    city: str
    country: str | None


@attrs.frozen
class Weather:
    city: str
    celsius: float


async def get_weather(location: Location, unit: Literal["c", "f"] = "c") -> Weather:
    """Current weather at a location.

    Args:
        location: Where to look.
        unit: Temperature unit,
            Celsius or Fahrenheit.
    """
    return Weather(city=location.city, celsius=21.0 if unit == "c" else 69.8)


def get_time(city: str) -> str:
    """The local time in a city."""
    raise RuntimeError(f"no clock in {city}")


# -- function_tool -----------------------------------------------------------------------------


def test_function_tool_builds_a_strict_definition_from_signature_and_docstring() -> None:
    tool = function_tool(get_weather)
    assert isinstance(tool, CallableTool) and tool.name == "get_weather"
    from aioresponses_client._convert import unstructure

    assert unstructure(tool) == {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather at a location.",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {
                "location": {
                    "anyOf": [{"$ref": "#/$defs/Location"}],
                    "description": "Where to look.",
                },
                "unit": {
                    "type": "string",
                    "enum": ["c", "f"],
                    "description": "Temperature unit, Celsius or Fahrenheit.",
                },
            },
            "required": ["location", "unit"],
            "additionalProperties": False,
            "$defs": {
                "Location": {
                    "type": "object",
                    "properties": {
                        "city": {"type": "string"},
                        "country": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    },
                    "required": ["city", "country"],
                    "additionalProperties": False,
                }
            },
        },
    }


def test_function_tool_as_a_decorator_with_options_keeps_the_function_callable() -> None:
    @function_tool(name="add-numbers", description="Add two numbers.", strict=False, timeout=2)
    def add(a: int, b: Annotated[int, "The second one."] = 1) -> int:
        return a + b

    assert add(2, 3) == 5
    assert add.timeout == 2
    definition = add.definition
    assert definition.name == "add-numbers" and definition.description == "Add two numbers."
    assert definition.strict is False
    assert definition.parameters == {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "integer", "description": "The second one.", "default": 1},
        },
        "required": ["a"],
        "additionalProperties": False,
    }


def test_a_function_without_docstring_has_no_description() -> None:
    async def ping() -> str:
        return "pong"

    definition = function_tool(ping).definition
    assert definition.description is None
    assert definition.parameters == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }


def _untyped(city):  # type: ignore[no-untyped-def]
    return city


def _star(*cities: str) -> None:
    pass


def _kwargs(**options: str) -> None:
    pass


def _positional(city: str, /) -> None:
    pass


def _bytes(blob: bytes) -> None:
    pass


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (_untyped, r"_untyped\(\) parameter 'city' needs a type annotation"),
        (_star, r"_star\(\) parameter 'cities': \*args/\*\*kwargs"),
        (_kwargs, r"_kwargs\(\) parameter 'options': \*args/\*\*kwargs"),
        (_positional, r"_positional\(\) parameter 'city': positional-only"),
        (_bytes, r"_bytes\(\) parameter 'blob': unsupported type bytes"),
        ("not a function", "needs a function"),
    ],
)
def test_function_tool_rejects_what_it_cannot_describe(fn: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        function_tool(fn)


def test_tool_names_must_be_what_the_api_accepts() -> None:
    with pytest.raises(ValueError, match="tool name must match"):
        function_tool(get_time, name="get time")
    with pytest.raises(ValueError, match="tool name must match"):
        function_tool(lambda: None)


def test_parse_arguments_structures_into_the_parameter_types() -> None:
    tool = function_tool(get_weather)
    call = FunctionCallItem(
        call_id="call_1",
        name="get_weather",
        arguments='{"location": {"city": "Paris", "country": null}, "unit": "f"}',
    )
    expected = {"location": Location(city="Paris", country=None), "unit": "f"}
    assert tool.parse_arguments(call) == expected
    assert tool.parse_arguments(call.arguments) == expected
    assert tool.parse_arguments(orjson.loads(call.arguments)) == expected
    with pytest.raises(ConversionError, match=r"\$\.location\.city"):
        tool.parse_arguments('{"location": {"city": 5, "country": null}, "unit": "c"}')
    with pytest.raises(ConversionError, match="invalid JSON"):
        tool.parse_arguments("{not json")


def test_parse_arguments_fills_defaults_of_a_non_strict_tool() -> None:
    tool = function_tool(get_weather, strict=False)
    assert tool.parse_arguments('{"location": {"city": "Oslo", "country": "NO"}}') == {
        "location": Location(city="Oslo", country="NO"),
        "unit": "c",
    }


@pytest.mark.parametrize(
    "doc",
    [
        """Look up a city.

        Args:
            city (str): The city
                to look up.
            limit: At most this many.

        Returns:
            The matches.
        """,
        """Look up a city.

        Parameters
        ----------
        city : str
            The city
            to look up.
        limit : int
            At most this many.

        Returns
        -------
        list
        """,
        """Look up a city.

        :param str city: The city
            to look up.
        :param limit: At most this many.
        :returns: The matches.
        """,
    ],
    ids=["google", "numpy", "rest"],
)
def test_docstrings_in_google_numpy_and_rest_style_give_parameter_descriptions(doc: str) -> None:
    summary, params = parse_docstring(doc)
    assert summary == "Look up a city."
    assert params == {"city": "The city to look up.", "limit": "At most this many."}


def test_a_docstring_without_sections_is_all_summary() -> None:
    assert parse_docstring("One line.\n\nAnd a second paragraph.") == (
        "One line.\n\nAnd a second paragraph.",
        {},
    )
    assert parse_docstring(None) == (None, {})


async def test_create_accepts_a_callable_tool_and_sends_its_definition(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    tool = function_tool(get_weather)
    await client.responses.create(model=MODEL, input="hi", tools=[tool])
    body = server.requests[-1].json
    assert body is not None
    assert body["tools"] == [orjson.loads(orjson.dumps(tool.definition, default=_attrs_json))]


def _attrs_json(obj: Any) -> Any:
    from aioresponses_client._convert import unstructure

    return unstructure(obj)


# -- the loop ----------------------------------------------------------------------------------


def _outputs(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("input")
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]


def two_tool_responder(*calls: FunctionCall) -> Any:
    """First turn: the given calls. Then: a final text listing the outputs it was sent."""

    async def respond(body: dict[str, Any]) -> Script:
        outputs = _outputs(body)
        if not outputs:
            return Script(*calls)
        return Script(Text(" | ".join(f"{o['call_id']}={o['output']}" for o in outputs)))

    return respond


async def test_two_tool_loop_with_one_tool_raising(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(
        two_tool_responder(
            FunctionCall(
                "get_weather", {"location": {"city": "Paris", "country": "FR"}, "unit": "c"}
            ),
            FunctionCall("get_time", {"city": "Paris"}),
        )
    )
    result = await client.responses.run_tools(
        model=MODEL,
        input="Weather and time in Paris?",
        instructions="Be brief.",
        tools=[get_weather, function_tool(get_time)],
    )
    assert isinstance(result, ToolRunResult)
    first, final = result.responses
    assert result.response is final
    calls = [item for item in first.output if isinstance(item, FunctionCallItem)]
    assert [c.name for c in calls] == ["get_weather", "get_time"]

    weather, clock = result.tool_results
    assert weather.call == calls[0] and weather.error is None
    assert orjson.loads(weather.output) == {"city": "Paris", "celsius": 21.0}
    assert clock.call == calls[1] and isinstance(clock.error, RuntimeError)
    assert clock.output == "Error: get_time raised RuntimeError: no clock in Paris"
    assert result.output_text == (
        f"{calls[0].call_id}={weather.output} | {calls[1].call_id}={clock.output}"
    )

    # What went over the wire: the tools each turn, then the outputs chained to the first.
    assert len(server.requests) == 2
    one, two = (r.json for r in server.requests)
    assert one is not None and two is not None
    assert one["input"] == "Weather and time in Paris?"
    assert "previous_response_id" not in one
    assert [t["name"] for t in one["tools"]] == ["get_weather", "get_time"]
    assert two["previous_response_id"] == first.id
    assert two["tools"] == one["tools"]
    assert two["instructions"] == "Be brief." and two["model"] == MODEL
    assert two["input"] == [
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": weather.output},
        {"type": "function_call_output", "call_id": calls[1].call_id, "output": clock.output},
    ]


async def test_calls_of_one_turn_run_concurrently(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    a_started, b_started = anyio.Event(), anyio.Event()

    async def tool_a() -> str:
        """A."""
        a_started.set()
        with anyio.fail_after(5):
            await b_started.wait()  # only returns if tool_b runs at the same time
        return "a"

    async def tool_b() -> str:
        """B."""
        b_started.set()
        with anyio.fail_after(5):
            await a_started.wait()
        return "b"

    server.respond_with(two_tool_responder(FunctionCall("tool_a"), FunctionCall("tool_b")))
    result = await client.responses.run_tools(model=MODEL, input="x", tools=[tool_a, tool_b])
    assert [r.output for r in result.tool_results] == ["a", "b"]


async def test_sync_tools_run_in_worker_threads(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    threads: list[int] = []

    def where() -> int:
        """Which thread."""
        threads.append(threading.get_ident())
        return 1

    server.respond_with(two_tool_responder(FunctionCall("where")))
    await client.responses.run_tools(model=MODEL, input="x", tools=[where])
    assert threads and threads[0] != threading.get_ident()


async def test_a_tool_that_times_out_tells_the_model_and_the_loop_goes_on(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    async def slow() -> str:
        """Slow async."""
        await anyio.sleep(30)
        return "never"

    def slow_sync() -> str:
        """Slow sync."""
        time.sleep(0.5)
        return "too late"

    @function_tool(timeout=5)
    async def quick() -> str:
        """Quick, with its own timeout."""
        await anyio.sleep(0.2)
        return "made it"

    server.respond_with(
        two_tool_responder(FunctionCall("slow"), FunctionCall("slow_sync"), FunctionCall("quick"))
    )
    started = time.monotonic()
    result = await client.responses.run_tools(
        model=MODEL, input="x", tools=[slow, slow_sync, quick], tool_timeout=0.05
    )
    assert time.monotonic() - started < 0.45  # the sync thread was not waited for
    slow_result, sync_result, quick_result = result.tool_results
    assert slow_result.output == "Error: slow did not finish within 0.05 seconds."
    assert isinstance(slow_result.error, TimeoutError)
    assert sync_result.output == "Error: slow_sync did not finish within 0.05 seconds."
    assert quick_result.output == "made it" and quick_result.error is None


async def test_a_tool_raising_timeout_error_itself_is_reported_as_raised(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    async def flaky() -> str:
        """Raises TimeoutError on its own."""
        raise TimeoutError("upstream timed out")

    server.respond_with(two_tool_responder(FunctionCall("flaky")))
    result = await client.responses.run_tools(
        model=MODEL, input="x", tools=[flaky], tool_timeout=10
    )
    assert result.tool_results[0].output == "Error: flaky raised TimeoutError: upstream timed out"


async def test_unknown_tools_and_bad_arguments_become_error_outputs(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(
        two_tool_responder(
            FunctionCall("launch_rockets", {}),
            FunctionCall("get_weather", {"location": {"city": 7, "country": None}, "unit": "c"}),
            FunctionCall("get_weather", "{broken"),
        )
    )
    result = await client.responses.run_tools(model=MODEL, input="x", tools=[get_weather])
    unknown, bad, broken = result.tool_results
    assert unknown.output == (
        "Error: there is no tool named 'launch_rockets' (available: get_weather)."
    )
    assert isinstance(unknown.error, LookupError)
    assert bad.output.startswith("Error: invalid arguments for get_weather:")
    assert "$.location.city" in bad.output and isinstance(bad.error, ConversionError)
    assert broken.output.startswith("Error: invalid arguments for get_weather: invalid JSON")
    assert len(server.requests) == 2


async def test_tool_failures_are_logged_at_info_with_their_traceback(
    client: AsyncResponsesClient, server: ResponsesServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.respond_with(two_tool_responder(FunctionCall("get_time", {"city": "Rome"})))
    with caplog.at_level(logging.INFO, logger="aioresponses_client"):
        await client.responses.run_tools(model=MODEL, input="x", tools=[get_time])
    record = next(r for r in caplog.records if "get_time" in r.getMessage())
    assert record.levelno == logging.INFO
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


async def test_max_turns_raises_with_the_last_response(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    async def always_call(body: dict[str, Any]) -> Script:
        return Script(FunctionCall("get_weather", {"location": {"city": "X", "country": None}}))

    server.respond_with(always_call)
    with pytest.raises(MaxTurnsExceededError, match="after 3 responses") as caught:
        await client.responses.run_tools(
            model=MODEL, input="x", tools=[function_tool(get_weather, strict=False)], max_turns=3
        )
    error = caught.value
    assert isinstance(error, APIError)
    assert len(error.responses) == 3 and error.response is error.responses[-1]
    assert len(error.tool_results) == 2  # the last turn's calls were not run
    assert len(server.requests) == 3
    ids = [r.id for r in error.responses]
    assert [r.json.get("previous_response_id") for r in server.requests if r.json] == [
        None,
        ids[0],
        ids[1],
    ]


async def test_a_forced_tool_choice_applies_to_the_first_turn_only(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(two_tool_responder(FunctionCall("get_time", {"city": "Rome"})))
    await client.responses.run_tools(
        model=MODEL, input="x", tools=[get_time], tool_choice="required"
    )
    one, two = (r.json for r in server.requests)
    assert one is not None and two is not None
    assert one["tool_choice"] == "required" and "tool_choice" not in two


async def test_without_storage_the_loop_resends_the_whole_history(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(two_tool_responder(FunctionCall("get_time", {"city": "Rome"})))
    result = await client.responses.run_tools(
        model=MODEL, input="What time is it?", tools=[get_time], store=False
    )
    _, two = (r.json for r in server.requests)
    assert two is not None and "previous_response_id" not in two and two["store"] is False
    call = result.tool_results[0].call
    assert [item.get("type") for item in two["input"]] == [
        None,
        "function_call",
        "function_call_output",
    ]
    assert two["input"][0] == {"role": "user", "content": "What time is it?"}
    assert two["input"][1]["call_id"] == call.call_id
    assert two["input"][2]["call_id"] == call.call_id


async def test_a_previous_response_id_given_starts_the_chain(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    earlier = await client.responses.create(model=MODEL, input="Remember Rome.")
    server.respond_with(two_tool_responder(FunctionCall("get_time", {"city": "Rome"})))
    result = await client.responses.run_tools(
        model=MODEL, input="Time?", previous_response_id=earlier.id, tools=[get_time]
    )
    one, two = (r.json for r in server.requests[1:])
    assert one is not None and two is not None
    assert one["previous_response_id"] == earlier.id
    assert two["previous_response_id"] == result.responses[0].id


async def test_run_tools_can_parse_the_final_answer(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    async def respond(body: dict[str, Any]) -> Script | None:
        if not _outputs(body):
            return Script(
                FunctionCall(
                    "get_weather", {"location": {"city": "Oslo", "country": None}, "unit": "c"}
                )
            )
        return None  # the server answers the json_schema format itself

    server.respond_with(respond)
    result = await client.responses.run_tools(
        model=MODEL, input="x", tools=[get_weather], text_format=Weather
    )
    assert isinstance(result.response, ParsedResponse)
    assert result.output_parsed == Weather(city="city", celsius=1.5)
    assert all(r.json and r.json["text"]["format"]["name"] == "Weather" for r in server.requests)


async def test_a_final_answer_without_calls_takes_one_turn(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    result = await client.responses.run_tools(model=MODEL, input="just talk", tools=[get_time])
    assert result.output_text == "just talk"
    assert result.tool_results == () and len(result.responses) == 1
    assert result.output_parsed is None


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"max_turns": 0}, ValueError, "max_turns"),
        ({"tool_timeout": 0}, ValueError, "tool_timeout"),
        ({"stream": True}, TypeError, "stream_tools"),
        ({"tools": [get_time, get_time]}, ValueError, "two tools are named 'get_time'"),
    ],
)
async def test_bad_loop_options_fail_before_sending(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    options: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    params: dict[str, Any] = {"model": MODEL, "input": "x", "tools": [get_time], **options}
    with pytest.raises(error, match=message):
        await client.responses.run_tools(**params)
    assert server.requests == []


async def test_cancelling_the_loop_cancels_running_tools(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    cancelled = anyio.Event()

    async def forever() -> str:
        """Never returns."""
        try:
            await anyio.sleep(60)
        finally:
            cancelled.set()
        return "unreachable"

    server.respond_with(two_tool_responder(FunctionCall("forever")))
    with anyio.move_on_after(0.3) as scope:
        await client.responses.run_tools(model=MODEL, input="x", tools=[forever])
    assert scope.cancelled_caught and cancelled.is_set()
    assert len(server.requests) == 1


async def test_other_tool_definitions_are_passed_on(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    await client.responses.run_tools(
        model=MODEL, input="x", tools=[get_time, {"type": "web_search"}]
    )
    body = server.requests[-1].json
    assert body is not None
    assert [t["type"] for t in body["tools"]] == ["function", "web_search"]


# -- streaming ---------------------------------------------------------------------------------


async def test_stream_tools_yields_the_events_of_every_turn(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(
        two_tool_responder(
            FunctionCall(
                "get_weather", {"location": {"city": "Nice", "country": None}, "unit": "c"}
            ),
            FunctionCall("get_time", {"city": "Nice"}),
        )
    )
    async with client.responses.stream_tools(
        model=MODEL, input="x", tools=[get_weather, get_time]
    ) as run:
        types = [event.type async for event in run]
        result = await run.final_result()
    assert types.count("response.created") == 2 and types.count("response.completed") == 2
    assert types.count("response.function_call_arguments.done") == 2
    assert "response.output_text.delta" in types
    assert len(result.responses) == 2 and len(result.tool_results) == 2
    assert isinstance(result.tool_results[1].error, RuntimeError)
    assert result.output_text.count("call_") == 2
    assert (await run.final_response()) is result.response
    one, two = (r.json for r in server.requests)
    assert one is not None and two is not None
    assert one["stream"] is True and two["stream"] is True
    assert two["previous_response_id"] == result.responses[0].id
    assert [o["call_id"] for o in _outputs(two)] == [r.call.call_id for r in result.tool_results]


async def test_leaving_stream_tools_early_releases_the_connection(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(two_tool_responder(FunctionCall("get_time", {"city": "Nice"})))
    async with client.responses.stream_tools(model=MODEL, input="x", tools=[get_time]) as run:
        async for event in run:
            if event.type == "response.created":
                break
    with anyio.fail_after(5):
        await server.wait_streams_closed()
    assert server.open_streams == 0
    with pytest.raises(RuntimeError, match="closed before its final response"):
        await run.final_result()
    assert len(server.requests) == 1


async def test_stream_tools_raises_max_turns_too(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    async def always_call(body: dict[str, Any]) -> Script:
        return Script(FunctionCall("get_time", {"city": "X"}))

    server.respond_with(always_call)
    with pytest.raises(MaxTurnsExceededError):
        async with client.responses.stream_tools(
            model=MODEL, input="x", tools=[get_time], max_turns=2
        ) as run:
            async for _ in run:
                pass
    assert len(server.requests) == 2


async def test_a_conversation_carries_the_outputs_without_previous_response_id(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    server.respond_with(two_tool_responder(FunctionCall("get_time", {"city": "Rome"})))
    await client.responses.run_tools(
        model=MODEL, input="x", tools=[get_time], conversation="conv_123"
    )
    one, two = (r.json for r in server.requests)
    assert one is not None and two is not None
    assert one["conversation"] == two["conversation"] == "conv_123"
    assert "previous_response_id" not in two
    assert [o["type"] for o in two["input"]] == ["function_call_output"]
