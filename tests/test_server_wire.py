"""Byte-level delivery: chunked streams, keep-alives, line endings, and faults that cut or spoil
replies. Decoding is checked with the official SDK (strict) and with raw aiohttp."""

from __future__ import annotations

from typing import Any

import aiohttp
import openai
import orjson
import pytest

from aioresponses_client.testing import (
    Chunking,
    Fault,
    FunctionCall,
    Reasoning,
    ResponsesServer,
    Script,
)

MODEL = "gpt-test"
RICH = Script(Reasoning("Thinking é ü 😀 in UTF-8."), FunctionCall("f", {"q": "ß"}), "Answer ✓.")


@pytest.fixture
def client(openai_client: openai.AsyncOpenAI) -> openai.AsyncOpenAI:
    """These tests drive the official SDK against the server."""
    return openai_client


def auth(server: ResponsesServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.api_key}"}


async def raw_get(server: ResponsesServer, path: str) -> bytes:
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.base_url + path, headers=auth(server)) as reply,
    ):
        return await reply.read()


async def sdk_replay(client: openai.AsyncOpenAI, response_id: str) -> list[Any]:
    stream = await client.responses.retrieve(response_id, stream=True, include_obfuscation=False)
    return [event async for event in stream]


# -- chunking -------------------------------------------------------------------------------


def test_chunker_cuts_into_seeded_pieces_of_1_to_n_bytes() -> None:
    data = bytes(range(256)) * 4
    cuts = []
    for _ in range(2):
        chunker = Chunking(max_bytes=5, seed=3).chunker()
        pieces = chunker.feed(data[:500]) + chunker.feed(data[500:])
        rest = chunker.flush()
        assert b"".join(pieces) + rest == data
        assert all(1 <= len(piece) <= 5 for piece in pieces)
        cuts.append([len(piece) for piece in pieces])
    assert cuts[0] == cuts[1]
    assert len(set(cuts[0])) == 5
    other = Chunking(max_bytes=5, seed=4).chunker().feed(data)
    assert [len(piece) for piece in other] != cuts[0]


@pytest.mark.parametrize("line_ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
async def test_chunked_stream_decodes_to_the_same_events(
    client: openai.AsyncOpenAI, server: ResponsesServer, line_ending: Any
) -> None:
    server.script(RICH)
    created = await client.responses.create(model=MODEL, input="x")
    path = f"/responses/{created.id}?stream=true&include_obfuscation=false"
    whole_bytes = await raw_get(server, path)
    whole = await sdk_replay(client, created.id)

    server.chunking = Chunking(max_bytes=3, seed=11, keep_alive=True, line_ending=line_ending)
    chunked_bytes = await raw_get(server, path)
    chunked = await sdk_replay(client, created.id)

    assert chunked == whole and whole[-1].response == created
    ending = line_ending.encode()
    assert chunked_bytes.count(b": keep-alive" + ending * 2) == len(whole) - 1
    normalised = chunked_bytes.replace(b": keep-alive" + ending * 2, b"").replace(ending, b"\n")
    assert normalised == whole_bytes


async def test_a_script_chunks_its_own_stream(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    server.script("split me into tiny pieces", chunking=Chunking(max_bytes=1))
    stream = await client.responses.create(model=MODEL, input="x", stream=True)
    events = [event async for event in stream]
    assert events[-1].response.output_text == "split me into tiny pieces"  # type: ignore[union-attr]


def test_chunking_options_are_checked() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        Chunking(max_bytes=0)
    with pytest.raises(ValueError, match="line_ending"):
        Chunking(line_ending="\n\n")  # type: ignore[arg-type]


# -- byte faults ----------------------------------------------------------------------------


async def test_malformed_json_is_a_complete_reply_that_does_not_parse(
    server: ResponsesServer,
) -> None:
    server.inject(Fault(malformed_json=True))
    body = {"model": MODEL, "input": "x"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/responses", json=body, headers=auth(server)) as reply,
    ):
        raw = await reply.read()
        assert reply.status == 200 and int(reply.headers["Content-Length"]) == len(raw)
    assert raw.startswith(b'{"id":"resp_')
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(raw)


async def test_truncated_body_promises_more_than_it_sends(server: ResponsesServer) -> None:
    server.inject(Fault(truncate_body_at=10))
    body = {"model": MODEL, "input": "x"}
    received = b""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/responses", json=body, headers=auth(server)) as reply,
    ):
        assert int(reply.headers["Content-Length"]) > 10
        with pytest.raises(aiohttp.ClientPayloadError):
            async for chunk in reply.content.iter_any():
                received += chunk
    assert received == b'{"id":"res'


async def test_truncated_stream_stops_at_that_byte(server: ResponsesServer) -> None:
    server.inject(Fault(truncate_body_at=100))
    body = {"model": MODEL, "input": "x", "stream": True}
    received = b""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/responses", json=body, headers=auth(server)) as reply,
    ):
        with pytest.raises(aiohttp.ClientPayloadError):
            async for chunk in reply.content.iter_any():
                received += chunk
    assert len(received) == 100 and received.startswith(b"event: response.created\n")


@pytest.mark.parametrize("fault", [Fault(truncate_body_at=50), Fault(disconnect_after_bytes=50)])
async def test_cut_replies_are_connection_errors_for_the_sdk(
    client: openai.AsyncOpenAI, server: ResponsesServer, fault: Fault
) -> None:
    server.inject(fault)
    with pytest.raises(openai.APIConnectionError):
        await client.responses.create(model=MODEL, input="x")
    server.inject(fault)
    stream = await client.responses.create(model=MODEL, input="x", stream=True)
    with pytest.raises(openai.APIConnectionError):
        async for _ in stream:
            pass
    assert (await client.responses.create(model=MODEL, input="fine")).output_text == "fine"


async def test_byte_fault_on_an_error_reply(server: ResponsesServer) -> None:
    server.inject(Fault(status=503, truncate_body_at=5))
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}/responses/resp_x", headers=auth(server)) as reply,
    ):
        assert reply.status == 503
        with pytest.raises(aiohttp.ClientPayloadError):
            await reply.read()


async def test_unlimited_path_fault_lasts_until_removed(
    client: openai.AsyncOpenAI, server: ResponsesServer
) -> None:
    created = await client.responses.create(model=MODEL, input="x")
    fault = server.inject(Fault(status=500, path="/input_items", times=None))
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            await client.responses.input_items.list(created.id)
    assert (await client.responses.retrieve(created.id)).id == created.id
    server.remove_fault(fault)
    assert len((await client.responses.input_items.list(created.id)).data) == 1


def test_fault_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="times"):
        Fault(times=0)
    with pytest.raises(ValueError, match="truncate_body_at"):
        Fault(truncate_body_at=-1)


# -- recording ------------------------------------------------------------------------------


async def test_the_key_never_appears_in_the_recorded_log(server: ResponsesServer) -> None:
    key = server.api_key
    assert key
    headers = {"Authorization": f"Bearer {key}", "x-api-key": key, "x-note": f"copy {key}"}
    body = {"model": MODEL, "input": f"my key is {key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.base_url}/responses?api-key={key}", json=body, headers=headers
        ) as reply,
    ):
        assert reply.status == 200

    record = server.requests[-1]
    for text in (repr(server.requests), str(server.requests), repr(record), str(record)):
        assert key not in text
    assert record.headers["x-api-key"] == "<redacted>"
    assert record.headers["x-note"] == "copy <redacted>"
    assert record.query == {"api-key": ["<redacted>"]}
    assert record.json == {"model": MODEL, "input": "my key is <redacted>"}
