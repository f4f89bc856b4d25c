"""Client construction, headers, lifecycle, bad input and key redaction."""

from __future__ import annotations

import logging

import pytest

from aioresponses_client import (
    AsyncResponsesClient,
    AuthenticationError,
    ClientClosedError,
    MissingAPIKeyError,
)
from aioresponses_client.testing import ResponsesServer

SECRET = "sk-very-secret-key-0123456789"


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_missing_key_fails_at_construction_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        AsyncResponsesClient()


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:1234/v1/")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-1")
    c = AsyncResponsesClient()
    assert c.base_url == "http://localhost:1234/v1"
    assert (c.organization, c.project) == ("org-1", "proj-1")
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert AsyncResponsesClient().base_url == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/v1", "http://user:pw@example.com/v1", "example.com", "http://"]
)
def test_bad_base_url_is_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        AsyncResponsesClient(api_key="k", base_url=url)


@pytest.mark.parametrize("kwargs", [{"timeout": 0}, {"timeout": "5"}, {"connect_timeout": -1}])
def test_bad_timeouts_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises((TypeError, ValueError)):
        AsyncResponsesClient(api_key="k", **kwargs)  # type: ignore[arg-type]


async def test_headers_sent(server: ResponsesServer, transport_name: str) -> None:
    async with AsyncResponsesClient(
        api_key=server.api_key,
        base_url=server.base_url,
        organization="org-9",
        project="proj-9",
        default_headers={"X-Default": "d"},
        transport=transport_name,  # type: ignore[arg-type]
    ) as c:
        r = await c.responses.create(model="m", input="x", extra_headers={"X-Call": "c"})
        await c.responses.retrieve(r.id)
    post = _lower(server.requests[0].headers)
    assert post["openai-organization"] == "org-9" and post["openai-project"] == "proj-9"
    assert post["user-agent"].startswith("aioresponses_client/")
    assert post["x-default"] == "d" and post["x-call"] == "c"
    assert post["content-type"] == "application/json"
    get = _lower(server.requests[-1].headers)
    assert "x-call" not in get and "content-type" not in get
    assert get["authorization"] == "Bearer <redacted>"


async def test_empty_key_sends_no_authorization(transport_name: str) -> None:
    async with ResponsesServer(api_key="") as srv:
        async with AsyncResponsesClient(
            api_key="",
            base_url=srv.base_url,
            transport=transport_name,  # type: ignore[arg-type]
        ) as c:
            assert (await c.responses.create(model="m", input="open")).output_text == "open"
        assert "authorization" not in _lower(srv.requests[0].headers)


async def test_closed_client_raises_and_close_is_idempotent(client: AsyncResponsesClient) -> None:
    await client.responses.create(model="m", input="x")
    await client.aclose()
    await client.aclose()
    assert client.is_closed
    with pytest.raises(ClientClosedError, match="closed"):
        await client.responses.create(model="m", input="x")
    with pytest.raises(ClientClosedError):
        async with client:
            pass


async def test_key_never_appears_in_repr_exceptions_or_logs(
    server: ResponsesServer, transport_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with AsyncResponsesClient(
        api_key=SECRET,
        base_url=server.base_url,
        transport=transport_name,  # type: ignore[arg-type]
        max_retries=0,
    ) as c:
        assert SECRET not in repr(c) and "<redacted>" in repr(c)
        with pytest.raises(AuthenticationError) as info:
            await c.responses.create(model="m", input="x")
    err = info.value
    for text in (str(err), repr(err), repr(err.body), err.raw_body.decode()):
        assert SECRET not in text
    assert caplog.records, "the client should log its requests at DEBUG"
    for record in caplog.records:
        assert SECRET not in record.getMessage()
    for req in server.requests:
        assert SECRET not in repr(req)


@pytest.mark.parametrize(("bad", "exc"), [("", ValueError), ("  ", ValueError), (None, TypeError)])
async def test_bad_ids_fail_before_any_request(
    client: AsyncResponsesClient, server: ResponsesServer, bad: object, exc: type[Exception]
) -> None:
    for call in (
        client.responses.retrieve,
        client.responses.delete,
        client.responses.cancel,
    ):
        with pytest.raises(exc):
            await call(bad)  # type: ignore[arg-type]
    with pytest.raises(exc):
        await client.responses.input_items.list(bad)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.parametrize("evil", ["a/b", "..", "../responses", "x?y=1", "#frag", "a b"])
async def test_ids_are_escaped_into_one_path_segment(
    client: AsyncResponsesClient, server: ResponsesServer, evil: str
) -> None:
    from aioresponses_client import NotFoundError

    with pytest.raises(NotFoundError):
        await client.responses.retrieve(evil)
    path = server.requests[-1].path
    assert path.startswith("/v1/responses/") and path.count("/") == 3
    assert server.requests[-1].query == {}


async def test_bad_create_arguments_fail_before_any_request(
    client: AsyncResponsesClient, server: ResponsesServer
) -> None:
    with pytest.raises(ValueError):
        await client.responses.create(model="", input="x")
    with pytest.raises(TypeError):
        await client.responses.create(model="m", input=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await client.responses.create(model="m", input=[1])
    with pytest.raises(TypeError):
        await client.responses.create(model="m", input="x", tools="web_search")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await client.responses.input_items.list("resp_1", limit=0)
    from aioresponses_client import ConversionError

    with pytest.raises(ConversionError):
        await client.responses.create(model="m", input="x", metadata={"k": object()})  # type: ignore[dict-item]
    assert server.requests == []
