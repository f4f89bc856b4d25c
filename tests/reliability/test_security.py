"""The key stays secret, TLS is verified, and requests only ever go where base_url says.

The key used here is distinctive, so finding it anywhere (a log line, a repr, an exception, a
traceback, the server's request log) is unambiguous.
"""

from __future__ import annotations

import logging
import shutil
import socket
import ssl
import subprocess
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web

from aioresponses_client import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AsyncResponsesClient,
    RetryPolicy,
)
from aioresponses_client._transport._aiohttp import AiohttpTransport
from aioresponses_client._transport._httpx import HttpxTransport
from aioresponses_client.testing import Fault, RawEvent, ResponsesServer, Script, Text

from .conftest import in_use

KEY = "sk-proj-SECRET-KEY-9f8e7d6c5b4a3f2e1d0c"


@pytest.fixture
async def secret_server() -> AsyncIterator[ResponsesServer]:
    async with ResponsesServer(api_key=KEY) as srv:
        yield srv


@pytest.fixture
async def secret_client(
    secret_server: ResponsesServer, transport_name: str, retry_policy: RetryPolicy
) -> AsyncIterator[AsyncResponsesClient]:
    async with AsyncResponsesClient(
        api_key=KEY,
        base_url=secret_server.base_url,
        transport=transport_name,  # type: ignore[arg-type]
        retry_policy=retry_policy,
    ) as c:
        yield c


def _everything_about(exc: BaseException) -> str:
    """Every text an exception can end up as: str, repr, attributes, the full traceback."""
    parts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for name in ("raw_body", "body", "raw_data", "message", "args", "partial_response"):
        value = getattr(exc, name, None)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        parts.append(repr(value))
    return "\n".join(parts)


async def _provoke_everything(client: AsyncResponsesClient, server: ResponsesServer) -> list[str]:
    """Successes, retries and every kind of failure; returns what each failure looked like."""
    seen: list[str] = []

    async def expect_error(call: Any) -> None:
        with pytest.raises(APIError) as info:
            await call
        seen.append(_everything_about(info.value))

    await client.responses.create(model="m", input="plain")
    async with await client.responses.create(model="m", input="streamed", stream=True) as s:
        await s.final_response()
    server.inject(Fault(status=429, headers={"retry-after-ms": "1"}))
    server.inject(Fault(status=500))
    await client.responses.create(model="m", input="after retries")
    # Servers (and proxies) sometimes echo what they received: the key must not come back out.
    echo = f'{{"error": {{"message": "Incorrect API key provided: {KEY}", "code": "x"}}}}'
    server.inject(Fault(status=401, body=echo.encode()))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0))
    server.inject(Fault(status=502, body=f"<html>bad gateway for {KEY}</html>".encode()))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0))
    server.inject(Fault(status=200, body=f'{{"id": "{KEY}", "object": 7}}'.encode()))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0))
    server.inject(Fault(status=200, body=f'{{"id": "r", "created_at": "{KEY}"}}'.encode()))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0))
    server.inject(Fault(status=200, body=f"not json {KEY}".encode()))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0))
    server.inject(Fault(disconnect=True))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0))
    server.inject(Fault(delay=2.0))
    await expect_error(client.responses.retrieve("resp_x", max_retries=0, timeout=0.1))
    return seen


async def test_key_never_appears_in_debug_logs_reprs_or_exceptions(
    secret_client: AsyncResponsesClient,
    secret_server: ResponsesServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, aiohttp, httpx, httpcore, asyncio
    failures = await _provoke_everything(secret_client, secret_server)
    assert len(failures) == 7
    assert any("Retrying" in r.getMessage() for r in caplog.records)  # logging did happen
    for text in failures:
        assert KEY not in text
    assert KEY not in caplog.text
    for record in caplog.records:
        assert KEY not in record.getMessage() and KEY not in repr(record.args)
    for obj in (
        secret_client,
        secret_client.transport,
        secret_client.retry_policy,
        secret_client.with_options(timeout=3),
    ):
        assert KEY not in repr(obj) and KEY not in str(obj)


async def test_key_never_appears_in_the_server_request_log(
    secret_client: AsyncResponsesClient, secret_server: ResponsesServer
) -> None:
    await _provoke_everything(secret_client, secret_server)
    # The key may even turn up in what a user sends; the log must still not show it.
    await secret_client.responses.create(model="m", input=f"my key is {KEY}")
    assert len(secret_server.requests) > 8
    assert KEY not in repr(secret_server.requests) and KEY not in str(secret_server.requests)
    for request in secret_server.requests:
        assert request.headers["authorization"] == "Bearer <redacted>"
        assert KEY.encode() not in request.body


STREAM_ECHOES = {
    "error event": RawEvent({"type": "error", "code": "bad_key", "message": f"key {KEY} revoked"}),
    "undecodable event": RawEvent(f"data: {{not json {KEY}\n\n".encode()),
}


@pytest.mark.parametrize("echo", list(STREAM_ECHOES))
async def test_key_echoed_inside_a_stream_is_redacted_from_the_error(
    secret_client: AsyncResponsesClient, secret_server: ResponsesServer, echo: str
) -> None:
    secret_server.script(Script(Text("hello"), STREAM_ECHOES[echo]))
    with pytest.raises(APIError) as info:
        async with await secret_client.responses.create(model="m", input="x", stream=True) as s:
            await s.final_response()
    assert KEY not in _everything_about(info.value)


# -- base_url --------------------------------------------------------------------------------

BAD_BASE_URLS = [
    "http://user:pass@api.example.com/v1",
    "https://sk-abc@api.example.com/v1",
    "https://:pw@api.example.com/v1",
    "ftp://api.example.com/v1",
    "file:///etc/passwd",
    "ws://api.example.com/v1",
    "javascript:alert(1)",
    "unix:///var/run/api.sock",
    "api.example.com/v1",
    "//api.example.com/v1",
    "https://",
    "https:///v1",
    "https://api.example.com/v1?key=1",
    "https://api.example.com/v1#frag",
    "https://api.example.com/v1\r\nX-Injected: 1",
    "https://api.exa mple.com/v1",
    "https://api.example.com:99999/v1",
]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_base_url_with_credentials_another_scheme_or_junk_is_rejected(url: str) -> None:
    with pytest.raises(ValueError) as info:
        AsyncResponsesClient(api_key=KEY, base_url=url)
    assert KEY not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.openai.com/v1",
        "http://127.0.0.1:8080/v1/",
        "http://[::1]:8080/v1",
        "https://my-resource.openai.azure.com/openai/v1",
    ],
)
def test_ordinary_base_urls_are_accepted(url: str) -> None:
    assert AsyncResponsesClient(api_key=KEY, base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "key", ["sk-abc\r\nX-Injected: 1", "sk-abc\n", "sk-\x00abc", "sk-\u00e9\u20ac"]
)
def test_api_key_that_would_break_the_header_is_rejected_without_echoing_it(key: str) -> None:
    with pytest.raises(ValueError) as info:
        AsyncResponsesClient(api_key=key, base_url="https://api.example.com/v1")
    assert key not in str(info.value)


# -- redirects -------------------------------------------------------------------------------


def _can_bind(host: str) -> bool:
    try:
        with socket.socket() as sock:
            sock.bind((host, 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("other_host", ["127.0.0.1", "127.0.0.2", "localhost"])
async def test_redirect_never_takes_the_request_or_its_credentials_elsewhere(
    transport_name: str, status: int, other_host: str
) -> None:
    # "Elsewhere" is any other origin: another port on the same address counts, so does
    # another loopback address, so does another name for the same machine.
    bind = "127.0.0.2" if other_host == "127.0.0.2" else "127.0.0.1"
    if not _can_bind(bind):
        pytest.skip(f"cannot bind {bind} here")
    async with (
        ResponsesServer(api_key=KEY) as origin,
        ResponsesServer(api_key=None, host=bind) as elsewhere,
        AsyncResponsesClient(
            api_key=KEY,
            base_url=origin.base_url,
            transport=transport_name,  # type: ignore[arg-type]
            max_retries=0,
            project="proj_1",
            default_headers={"api-key": KEY},  # an Azure-style credential header
        ) as c,
    ):
        target = f"http://{other_host}:{elsewhere.port}/v1/responses"
        origin.inject(Fault(status=status, body=b"", headers={"Location": target}))
        with pytest.raises(APIStatusError) as info:
            await c.responses.create(model="m", input="private prompt")
        assert info.value.status_code == status
        assert elsewhere.requests == []  # nothing at all was sent there
        assert len(origin.requests) == 1
        assert in_use(c) == 0


async def test_a_session_of_our_own_that_follows_redirects_does_not_follow_ours(
    transport_name: str,
) -> None:
    import aiohttp
    import httpx

    async with (
        ResponsesServer(api_key=KEY) as origin,
        ResponsesServer(api_key=None) as elsewhere,
    ):
        session: Any = None
        transport: Any
        if transport_name == "aiohttp":
            session = aiohttp.ClientSession()
            transport = AiohttpTransport(session=session)
        else:
            session = httpx.AsyncClient(follow_redirects=True)
            transport = HttpxTransport(session)
        try:
            async with AsyncResponsesClient(
                api_key=KEY, base_url=origin.base_url, transport=transport, max_retries=0
            ) as c:
                origin.inject(Fault(status=307, body=b"", headers={"Location": elsewhere.base_url}))
                with pytest.raises(APIStatusError):
                    await c.responses.create(model="m", input="x")
            assert elsewhere.requests == []
        finally:
            if transport_name == "aiohttp":
                await session.close()
            else:
                await session.aclose()


# -- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A throwaway certificate for 127.0.0.1 and its key, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    yield cert, key


@pytest.fixture
async def tls_url(self_signed: tuple[Path, Path], server: ResponsesServer) -> AsyncIterator[str]:
    """An HTTPS endpoint with the self-signed certificate, answering one stored Response."""
    plain = AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url)
    async with plain:
        stored = server.get_response((await plain.responses.create(model="m", input="tls")).id)

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(stored)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*self_signed)
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield f"https://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


def _transport(name: str, **kwargs: Any) -> Any:
    return AiohttpTransport(**kwargs) if name == "aiohttp" else HttpxTransport(**kwargs)


async def test_tls_is_verified_by_default(tls_url: str, transport_name: str) -> None:
    for transport in (transport_name, _transport(transport_name)):
        async with AsyncResponsesClient(
            api_key=KEY,
            base_url=tls_url,
            transport=transport,
            max_retries=0,
        ) as c:
            with pytest.raises(APIConnectionError) as info:
                await c.responses.retrieve("resp_1")
            assert "certificate" in str(info.value).lower()
            await c.transport.aclose()


async def test_skipping_tls_verification_takes_an_explicit_argument(
    tls_url: str, transport_name: str, self_signed: tuple[Path, Path]
) -> None:
    trusting = ssl.create_default_context(cafile=str(self_signed[0]))
    for verify in (False, trusting):
        transport = _transport(transport_name, verify=verify)
        async with AsyncResponsesClient(
            api_key=KEY, base_url=tls_url, transport=transport, max_retries=0
        ) as c:
            assert (await c.responses.retrieve("resp_1")).output_text == "tls"
        await transport.aclose()


@pytest.mark.parametrize("cls", [AiohttpTransport, HttpxTransport])
def test_verify_is_keyword_only_and_on_by_default(cls: type[Any]) -> None:
    with pytest.raises(TypeError):
        cls(None, False)
    assert cls()._verify is True


async def test_tls_default_survives_the_environment(
    tls_url: str, transport_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Variables some stacks read to turn verification off must not do so here.
    for name in ("PYTHONHTTPSVERIFY", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, "" if name != "PYTHONHTTPSVERIFY" else "0")
    async with AsyncResponsesClient(
        api_key=KEY, base_url=tls_url, transport=transport_name, max_retries=0
    ) as c:
        with anyio.fail_after(10), pytest.raises(APIConnectionError):
            await c.responses.retrieve("resp_1")
