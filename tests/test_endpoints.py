"""Every endpoint over a real socket against the embedded server, on both transports."""

from __future__ import annotations

import pytest

from aioresponses_client import AsyncResponsesClient, BadRequestError, NotFoundError, Page
from aioresponses_client.testing import ResponsesServer
from aioresponses_client.types import InputMessage, OutputMessage, Response


async def test_create_with_string_input_echoes_text(client: AsyncResponsesClient) -> None:
    r = await client.responses.create(model="gpt-test", input="hello there world")
    assert isinstance(r, Response)
    assert r.id.startswith("resp_")
    assert r.status == "completed"
    assert r.output_text == "hello there world"
    assert isinstance(r.output[0], OutputMessage)
    assert r.usage is not None and r.usage.output_tokens == 3


async def test_create_with_message_dicts_and_typed_items(client: AsyncResponsesClient) -> None:
    r = await client.responses.create(
        model="gpt-test",
        input=[
            {"role": "user", "content": "first"},
            InputMessage(role="user", content="second message"),
        ],
    )
    assert r.output_text == "second message"


async def test_omitted_parameters_are_not_sent_and_none_is_null(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    await client.responses.create(model="gpt-test", input="hi", temperature=None)
    assert server.requests[-1].json == {"model": "gpt-test", "input": "hi", "temperature": None}


async def test_create_sends_every_given_parameter(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    r = await client.responses.create(
        model="gpt-test",
        input="hi",
        instructions="be brief",
        metadata={"k": "v"},
        temperature=0.5,
        top_p=0.9,
        store=True,
        parallel_tool_calls=False,
        truncation="auto",
        extra_body={"custom": 1},
    )
    sent = server.requests[-1].json
    assert sent["instructions"] == "be brief" and sent["custom"] == 1
    assert sent["metadata"] == {"k": "v"} and sent["truncation"] == "auto"
    assert r.instructions == "be brief" and r.metadata == {"k": "v"}
    assert r.temperature == 0.5 and r.top_p == 0.9


async def test_previous_response_id_chains(client: AsyncResponsesClient) -> None:
    first = await client.responses.create(model="gpt-test", input="one")
    second = await client.responses.create(
        model="gpt-test", input="two", previous_response_id=first.id
    )
    assert second.previous_response_id == first.id
    with pytest.raises(NotFoundError) as info:
        await client.responses.create(model="gpt-test", input="x", previous_response_id="resp_no")
    assert info.value.param == "previous_response_id"


async def test_retrieve_returns_the_stored_response(client: AsyncResponsesClient) -> None:
    created = await client.responses.create(model="gpt-test", input="keep me")
    fetched = await client.responses.retrieve(created.id, include=["message.output_text.logprobs"])
    assert fetched == created


async def test_store_false_is_not_retrievable(client: AsyncResponsesClient) -> None:
    created = await client.responses.create(model="gpt-test", input="forget", store=False)
    with pytest.raises(NotFoundError):
        await client.responses.retrieve(created.id)


async def test_delete_then_retrieve_is_not_found(client: AsyncResponsesClient) -> None:
    created = await client.responses.create(model="gpt-test", input="bye")
    assert await client.responses.delete(created.id) is None
    with pytest.raises(NotFoundError) as info:
        await client.responses.retrieve(created.id)
    assert info.value.status_code == 404 and info.value.request_id


async def test_cancel_non_background_is_bad_request(client: AsyncResponsesClient) -> None:
    created = await client.responses.create(model="gpt-test", input="x")
    with pytest.raises(BadRequestError, match="background"):
        await client.responses.cancel(created.id)


async def test_cancel_finished_background_response_returns_it(
    client: AsyncResponsesClient,
) -> None:
    created = await client.responses.create(model="gpt-test", input="x", background=True)
    cancelled = await client.responses.cancel(created.id)
    assert cancelled.id == created.id and cancelled.background is True


async def test_compact_by_positional_id_and_keyword(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    created = await client.responses.create(model="gpt-test", input="long story")
    compacted = await client.responses.compact(created.id, model="gpt-test")
    assert compacted.object == "response.compaction"
    assert compacted.output and compacted.output[-1].type == "compaction"
    assert server.requests[-1].path == "/v1/responses/compact"
    assert server.requests[-1].json == {"model": "gpt-test", "previous_response_id": created.id}
    again = await client.responses.compact(model="gpt-test", input="plain text")
    assert again.id
    with pytest.raises(ValueError):
        await client.responses.compact(created.id, model="m", previous_response_id=created.id)


async def test_input_tokens_count(client: AsyncResponsesClient, server: ResponsesServer) -> None:
    count = await client.responses.input_tokens.count(
        model="gpt-test", input="one two three", instructions="four"
    )
    assert count.input_tokens == 4
    assert server.requests[-1].path == "/v1/responses/input_tokens"


async def test_input_items_paginate_across_pages(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    r = await client.responses.create(
        model="gpt-test", input=[{"role": "user", "content": w} for w in words]
    )
    first = await client.responses.input_items.list(r.id, limit=2, order="asc")
    assert isinstance(first, Page) and len(first.data) == 2 and first.has_more
    server.clear()
    items = [item async for item in client.responses.input_items.list(r.id, limit=2, order="asc")]
    texts = [item.content[0].text for item in items]  # type: ignore[union-attr,index]
    assert texts == words
    pages = [req for req in server.requests if req.path.endswith("/input_items")]
    assert len(pages) == 3
    assert "after" not in pages[0].query and pages[1].query["after"] == [items[1].id]


async def test_input_items_default_order_is_newest_first(client: AsyncResponsesClient) -> None:
    r = await client.responses.create(
        model="gpt-test", input=[{"role": "user", "content": w} for w in ["a", "b", "c"]]
    )
    items = [i async for i in client.responses.input_items.list(r.id, limit=1)]
    assert [i.content[0].text for i in items] == ["c", "b", "a"]  # type: ignore[union-attr,index]


async def test_own_aiohttp_session_is_not_closed(server: ResponsesServer) -> None:
    import aiohttp

    from aioresponses_client import AiohttpTransport

    async with aiohttp.ClientSession() as session:
        async with AsyncResponsesClient(
            api_key=server.api_key,
            base_url=server.base_url,
            transport=AiohttpTransport(session=session),
        ) as c:
            assert (await c.responses.create(model="m", input="mine")).output_text == "mine"
        assert not session.closed


async def test_own_httpx_client_is_not_closed(server: ResponsesServer) -> None:
    import httpx

    from aioresponses_client import HttpxTransport

    async with httpx.AsyncClient() as http:
        async with AsyncResponsesClient(
            api_key=server.api_key, base_url=server.base_url, transport=HttpxTransport(http)
        ) as c:
            assert (await c.responses.create(model="m", input="mine")).output_text == "mine"
        assert not http.is_closed
