"""Every public method fed bad input: a clear TypeError/ValueError before anything is sent,
or an id escaped into exactly one path segment. The server's request log is the witness.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote

import attrs
import pytest

from aioresponses_client import (
    APIError,
    AsyncResponsesClient,
    ConversionError,
    NotFoundError,
)
from aioresponses_client.testing import ResponsesServer

Call = Callable[[AsyncResponsesClient], Awaitable[Any]]


async def _first_page(c: AsyncResponsesClient, rid: Any) -> Any:
    return await c.responses.input_items.list(rid)


async def _stream(c: AsyncResponsesClient, rid: Any) -> Any:
    stream = await c.responses.retrieve(rid, stream=True)
    await stream.aclose()
    return stream


# Every method that puts an id in the path, and the path suffix after the id.
ID_METHODS: dict[str, tuple[Callable[[AsyncResponsesClient, Any], Awaitable[Any]], str]] = {
    "retrieve": (lambda c, rid: c.responses.retrieve(rid), ""),
    "retrieve stream": (_stream, ""),
    "delete": (lambda c, rid: c.responses.delete(rid), ""),
    "cancel": (lambda c, rid: c.responses.cancel(rid), "/cancel"),
    "input_items.list": (_first_page, "/input_items"),
    "wait": (lambda c, rid: c.responses.wait(rid, poll_interval=0.01), ""),
}

WRONG_ID_TYPES = [None, 123, 1.5, b"resp_1", ["resp_1"], {"id": "resp_1"}, object()]
EMPTY_IDS = ["", " ", "\t\n"]
# Ids that would change the path if they were pasted into it as they are.
HOSTILE_IDS = [
    "..",
    ".",
    "../../v1/files",
    "resp_1/../../admin",
    "resp_1/cancel",
    "a/b",
    "%2e%2e",
    "%2F",
    "resp?stream=true",
    "resp#fragment",
    "resp;param",
    "resp 1",
    "\\..\\windows",
    "r\u00e9sp_\u4e2d\u6587",
    "resp\x00nul",
    "resp\r\nX-Injected: 1",
    "x" * 5000,
]


@pytest.mark.parametrize("method", list(ID_METHODS))
@pytest.mark.parametrize("bad", WRONG_ID_TYPES, ids=lambda v: type(v).__name__)
async def test_an_id_of_the_wrong_type_is_a_type_error_before_sending(
    client: AsyncResponsesClient, server: ResponsesServer, method: str, bad: Any
) -> None:
    call, _ = ID_METHODS[method]
    with pytest.raises(TypeError):
        await call(client, bad)
    assert server.requests == []


@pytest.mark.parametrize("method", list(ID_METHODS))
@pytest.mark.parametrize("bad", [*EMPTY_IDS, "\ud800", "x" * 100_000], ids=repr)
async def test_an_empty_unencodable_or_huge_id_is_a_value_error_before_sending(
    client: AsyncResponsesClient, server: ResponsesServer, method: str, bad: str
) -> None:
    call, _ = ID_METHODS[method]
    with pytest.raises(ValueError) as info:
        await call(client, bad)
    assert "response_id" in str(info.value) or "URL" in str(info.value)
    assert server.requests == []


@pytest.mark.parametrize("method", list(ID_METHODS))
@pytest.mark.parametrize("rid", HOSTILE_IDS, ids=lambda v: repr(v)[:30])
async def test_a_hostile_id_stays_one_escaped_path_segment(
    client: AsyncResponsesClient, server: ResponsesServer, method: str, rid: str
) -> None:
    call, suffix = ID_METHODS[method]
    with pytest.raises(APIError) as info:
        await call(client, rid)
    # The id reached the server as the one segment it is, and named nothing else.
    assert isinstance(info.value, NotFoundError), info.value
    assert len(server.requests) == 1
    path = server.requests[0].path
    segment = quote(rid, safe="").replace(".", "%2E")
    assert path == f"/v1/responses/{segment}{suffix}"
    assert path.count("/") == 3 + suffix.count("/")
    assert unquote(path.split("/")[3]) == rid
    assert server.requests[0].query.get("stream", ["true"]) == ["true"]  # no injected query


async def test_compact_takes_a_hostile_id_into_the_body_not_the_path(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(APIError):
        await client.responses.compact("../admin", model="m")
    assert server.requests[0].path == "/v1/responses/compact"
    assert server.requests[0].json["previous_response_id"] == "../admin"


# -- parameters ------------------------------------------------------------------------------


async def _create(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", **kwargs}
    return await c.responses.create(**params)


async def _create_stream(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", **kwargs}
    stream = await c.responses.create(stream=True, **params)
    await stream.aclose()


async def _count(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", **kwargs}
    return await c.responses.input_tokens.count(**params)


async def _compact(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", **kwargs}
    return await c.responses.compact(**params)


async def _retrieve(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    return await c.responses.retrieve("resp_1", **kwargs)


async def _retrieve_stream(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    stream = await c.responses.retrieve("resp_1", stream=True, **kwargs)
    await stream.aclose()


async def _list(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    return await c.responses.input_items.list("resp_1", **kwargs)


async def _delete(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    return await c.responses.delete("resp_1", **kwargs)


async def _cancel(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    return await c.responses.cancel("resp_1", **kwargs)


async def _wait(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    return await c.responses.wait("resp_1", **kwargs)


_NAN, _INF = math.nan, math.inf

# (method, the bad keyword arguments, the error expected) - all raised before sending.
BAD_PARAMETERS: list[tuple[Callable[..., Awaitable[Any]], dict[str, Any], type[Exception]]] = [
    (_create, {"model": None}, TypeError),
    (_create, {"model": 4}, TypeError),
    (_create, {"model": ""}, ValueError),
    (_create, {"input": 42}, TypeError),
    (_create, {"input": b"bytes"}, TypeError),
    (_create, {"input": {"role": "user"}}, TypeError),
    (_create, {"input": ["not an item"]}, TypeError),
    (_create, {"instructions": 3}, TypeError),
    (_create, {"instructions": ["a"]}, TypeError),
    (_create, {"previous_response_id": 5}, TypeError),
    (_create, {"previous_response_id": ""}, ValueError),
    (_create, {"previous_response_id": "r", "conversation": "c"}, ValueError),
    (_create, {"tools": "web_search"}, TypeError),
    (_create, {"tools": {"type": "web_search"}}, TypeError),
    (_create, {"tool_choice": 1}, TypeError),
    (_create, {"background": "yes"}, TypeError),
    (_create, {"background": 1}, TypeError),
    (_create, {"reasoning": "high"}, TypeError),
    (_create, {"max_output_tokens": "100"}, TypeError),
    (_create, {"max_output_tokens": 0}, ValueError),
    (_create, {"max_output_tokens": True}, TypeError),
    (_create, {"max_output_tokens": 10.5}, TypeError),
    (_create, {"temperature": "hot"}, TypeError),
    (_create, {"temperature": _NAN}, ValueError),
    (_create, {"temperature": _INF}, ValueError),
    (_create, {"top_p": -_INF}, ValueError),
    (_create, {"top_p": True}, TypeError),
    (_create, {"metadata": ["k", "v"]}, TypeError),
    (_create, {"metadata": {1: "v"}}, ConversionError),
    (_create, {"store": "false"}, TypeError),
    (_create, {"include": "reasoning.encrypted_content"}, TypeError),
    (_create, {"include": [1]}, TypeError),
    (_create, {"text": "json"}, TypeError),
    (_create, {"parallel_tool_calls": 0}, TypeError),
    (_create, {"truncation": True}, TypeError),
    (_create, {"conversation": 7}, TypeError),
    (_create, {"service_tier": 1}, TypeError),
    (_create, {"safety_identifier": object()}, TypeError),
    (_create, {"prompt_cache_key": b"k"}, TypeError),
    (_create, {"stream_options": {"include_obfuscation": False}}, ValueError),
    (_create_stream, {"stream_options": True}, TypeError),
    (_create, {"extra_body": ["a", 1]}, TypeError),
    (_create, {"extra_headers": ["X-A", "1"]}, TypeError),
    (_create, {"extra_headers": {"X-A": 1}}, TypeError),
    (_create, {"extra_headers": {"X-A": "v\r\nX-Injected: 1"}}, ValueError),
    (_create, {"extra_headers": {"X-A\r\nX-Injected": "1"}}, ValueError),
    (_create, {"extra_headers": {"X A": "1"}}, ValueError),
    (_create, {"extra_headers": {"X-A": "caf\u00e9"}}, ValueError),
    (_create, {"timeout": "5"}, TypeError),
    (_create, {"timeout": 0}, ValueError),
    (_create, {"timeout": -1}, ValueError),
    (_create, {"timeout": _NAN}, ValueError),
    (_create, {"max_retries": "3"}, TypeError),
    (_create, {"max_retries": -1}, ValueError),
    (_create, {"max_retries": 1.0}, TypeError),
    (_create, {"max_retries": True}, TypeError),
    (_create, {"unknown_parameter": 1}, TypeError),
    (_count, {"model": None}, TypeError),
    (_count, {"input": 3}, TypeError),
    (_count, {"tools": "x"}, TypeError),
    (_count, {"reasoning": 1}, TypeError),
    (_count, {"parallel_tool_calls": "no"}, TypeError),
    (_count, {"max_retries": "x"}, TypeError),
    (_compact, {"model": ""}, ValueError),
    (_compact, {"input": 1}, TypeError),
    (_compact, {"instructions": 1}, TypeError),
    (_compact, {"previous_response_id": "r", "response_id": "r"}, ValueError),
    (_retrieve, {"include": "x"}, TypeError),
    (_retrieve, {"include": [None]}, TypeError),
    (_retrieve, {"starting_after": 1}, ValueError),
    (_retrieve_stream, {"starting_after": "1"}, TypeError),
    (_retrieve_stream, {"starting_after": -2}, ValueError),
    (_retrieve_stream, {"include_obfuscation": "yes"}, TypeError),
    (_retrieve, {"timeout": []}, TypeError),
    (_list, {"limit": 0}, ValueError),
    (_list, {"limit": 101}, ValueError),
    (_list, {"limit": "10"}, TypeError),
    (_list, {"order": "up"}, ValueError),
    (_list, {"after": 1}, TypeError),
    (_list, {"after": ""}, ValueError),
    (_list, {"include": [b"x"]}, TypeError),
    (_delete, {"extra_headers": {"X-A": None}}, TypeError),
    (_cancel, {"max_retries": None, "timeout": "1"}, TypeError),
    (_wait, {"poll_interval": 0}, ValueError),
    (_wait, {"poll_interval": "1"}, ValueError),
    (_wait, {"max_poll_interval": -1}, ValueError),
]


@pytest.mark.parametrize(
    ("call", "kwargs", "error"),
    BAD_PARAMETERS,
    ids=[f"{c.__name__[1:]}-{next(iter(k))}-{i}" for i, (c, k, _) in enumerate(BAD_PARAMETERS)],
)
async def test_a_bad_parameter_is_a_clear_error_before_anything_is_sent(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    call: Callable[..., Awaitable[Any]],
    kwargs: dict[str, Any],
    error: type[Exception],
) -> None:
    with pytest.raises(error) as info:
        await call(client, **kwargs)
    assert type(info.value) is error or isinstance(info.value, error)
    assert str(info.value)  # says what is wrong
    assert server.requests == []


class _Unserialisable:
    pass


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"nested": value}
    return value


def _circular() -> Any:
    loop: list[Any] = []
    loop.append(loop)
    return loop


UNENCODABLE = {
    "object": _Unserialisable(),
    "set": {1, 2},
    "bytes": b"\x00\x01",
    "complex": 1j,
    "decimal": decimal.Decimal("1.5"),
    "int past 64 bits": 2**70,
    "lone surrogate": "\ud800",
    "non-str dict key": {1: "x"},
    "tuple dict key": {(1, 2): "x"},
    "too deep": _deep(300),
    "circular": _circular(),
    "function": print,
}


@pytest.mark.parametrize("name", list(UNENCODABLE))
@pytest.mark.parametrize("where", ["extra_body", "input item", "tool", "reasoning"])
async def test_a_value_json_cannot_carry_is_a_conversion_error_before_sending(
    client: AsyncResponsesClient, server: ResponsesServer, name: str, where: str
) -> None:
    value = UNENCODABLE[name]
    kwargs: dict[str, Any] = {
        "extra_body": {"extra_body": {"custom": value}},
        "input item": {"input": [{"role": "user", "content": value}]},
        "tool": {"tools": [{"type": "function", "name": "f", "parameters": value}]},
        "reasoning": {"reasoning": {"effort": value}},
    }[where]
    with pytest.raises(ConversionError) as info:
        await _create(client, **kwargs)
    assert isinstance(info.value, ValueError)  # ConversionError is a ValueError too
    assert server.requests == []


async def test_dates_are_sent_as_iso_strings_not_rejected(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    when = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    await _create(client, extra_body={"when": when})
    assert server.requests[0].json["when"] == "2025-01-02T03:04:05+00:00"


# -- huge inputs -----------------------------------------------------------------------------


async def test_an_eight_megabyte_input_goes_through_intact(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    text = "w" * (8 * 1024 * 1024)  # one word: the echo streams word by word
    response = await client.responses.create(model="m", input=text, timeout=60)
    assert response.output_text == text
    assert len(server.requests[0].body) > 8_000_000


async def test_ten_thousand_input_items_go_through(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    items = [{"role": "user", "content": f"message {i}"} for i in range(10_000)]
    response = await client.responses.create(model="m", input=items, timeout=60)
    assert response.output_text == "message 9999"
    assert len(server.requests[0].json["input"]) == 10_000


async def test_a_huge_query_value_is_refused_before_sending(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(ValueError):
        await client.responses.input_items.list("resp_1", after="c" * 50_000)
    with pytest.raises(ValueError):
        await client.responses.retrieve("resp_1", include=["i" * 1000] * 40)
    assert server.requests == []


async def test_none_in_a_query_parameter_is_left_out_not_sent_as_text(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(NotFoundError):
        await client.responses.retrieve("resp_1", include=None)  # type: ignore[arg-type]
    assert server.requests[0].query == {}


# -- the client itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"api_key": 123}, TypeError),
        ({"api_key": b"sk-bytes"}, TypeError),
        ({"base_url": 8080}, TypeError),
        ({"timeout": "600"}, TypeError),
        ({"timeout": 0}, ValueError),
        ({"connect_timeout": -5}, ValueError),
        ({"max_retries": "2"}, TypeError),
        ({"max_retries": -1}, ValueError),
        ({"transport": "curl"}, TypeError),
        ({"transport": object()}, TypeError),
        ({"retry_policy": "aggressive"}, TypeError),
        ({"organization": 5}, TypeError),
        ({"project": "p\r\nX: y"}, ValueError),
        ({"default_headers": {"X-A": 1}}, TypeError),
        ({"default_headers": {"X-A": "\x00"}}, ValueError),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_a_client_with_bad_settings_is_refused_at_construction(
    kwargs: dict[str, Any], error: type[Exception]
) -> None:
    settings: dict[str, Any] = {"api_key": "k", "base_url": "http://127.0.0.1:9/v1", **kwargs}
    with pytest.raises(error):
        AsyncResponsesClient(**settings)


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": "5"}, {"timeout": -1}, {"max_retries": "x"}, {"max_retries": -2}],
    ids=repr,
)
def test_with_options_checks_its_values(
    client: AsyncResponsesClient, kwargs: dict[str, Any]
) -> None:
    with pytest.raises((TypeError, ValueError)):
        client.with_options(**kwargs)


async def test_poller_refuses_bad_settings_and_bad_submissions(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    for kwargs, error in (
        ({"max_concurrency": 0}, ValueError),
        ({"max_concurrency": "8"}, TypeError),
        ({"poll_interval": -1}, ValueError),
    ):
        with pytest.raises(error):
            client.responses.poller(**kwargs)
    async with client.responses.poller() as poller:
        with pytest.raises(TypeError):
            await poller.submit(model=None)
        with pytest.raises(ValueError):
            await poller.submit(model="m", stream=True)
        with pytest.raises(TypeError):
            poller.track(42)  # type: ignore[arg-type]
    assert server.requests == []


async def test_poller_track_refuses_an_empty_id_up_front(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    async with client.responses.poller() as poller:
        with pytest.raises(ValueError):
            poller.track("")
    assert server.requests == []


async def test_stream_flag_must_be_a_bool(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(TypeError):
        await client.responses.create(model="m", input="x", stream="no")  # type: ignore[call-overload]
    assert server.requests == []


@attrs.frozen
class _Weather:
    city: str


async def _parse(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", "text_format": _Weather, **kwargs}
    return await c.responses.parse(**params)


async def _stream_text(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", **kwargs}
    async with c.responses.stream_text(**params) as deltas:
        return [d async for d in deltas]


async def _run_tools(c: AsyncResponsesClient, **kwargs: Any) -> Any:
    params: dict[str, Any] = {"model": "m", "input": "x", "tools": [], **kwargs}
    return await c.responses.run_tools(**params)


HELPER_PARAMETERS: list[tuple[Callable[..., Awaitable[Any]], dict[str, Any], type[Exception]]] = [
    (_parse, {"text_format": int}, TypeError),
    (_parse, {"model": None}, TypeError),
    (_parse, {"text": "json"}, TypeError),
    (_parse, {"temperature": "warm"}, TypeError),
    (_stream_text, {"model": None}, TypeError),
    (_stream_text, {"stream": True}, TypeError),
    (_stream_text, {"include": "x"}, TypeError),
    (_run_tools, {"model": ""}, ValueError),
    (_run_tools, {"max_turns": 0}, ValueError),
]


@pytest.mark.parametrize(
    ("call", "kwargs", "error"),
    HELPER_PARAMETERS,
    ids=[f"{c.__name__[1:]}-{next(iter(k))}" for c, k, _ in HELPER_PARAMETERS],
)
async def test_the_helpers_over_create_refuse_bad_parameters_before_sending(
    client: AsyncResponsesClient,
    server: ResponsesServer,
    call: Callable[..., Awaitable[Any]],
    kwargs: dict[str, Any],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await call(client, **kwargs)
    assert server.requests == []


async def test_run_tools_refuses_tools_that_are_not_a_list(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(TypeError):
        await _run_tools(client, tools="get_weather")
    assert server.requests == []


async def test_parse_refuses_a_missing_text_format_with_a_type_error(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(TypeError):
        await _parse(client, text_format=None)
    assert server.requests == []
