"""The chat example in headless Chromium: streaming, multi-turn, Stop, resume after a drop.

Chromium is Debian's (``.ci/browser-setup.sh`` installs it), driven by the ``playwright`` Python
package with ``executable_path``: no browser download. Without Chromium or playwright the browser
tests skip and say which one is missing; the backend tests at the end run without a browser.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web

from aioresponses_client import AsyncResponsesClient
from aioresponses_client.testing import ResponsesServer, Script

# The examples live beside the package, not in it; plain ``pytest`` does not put the checkout
# on sys.path the way ``python -m pytest`` does.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from examples.chat import CHAT, create_app, demo_responder  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root on this kind of machine Chromium needs --no-sandbox; the rest keep it off the network,
# which is closed here and would otherwise be tried (and refused) at every start.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_api() -> Any:
    """The playwright API, or a skip that says what to install."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or run "
            ".ci/browser-setup.sh; set CHROMIUM to use another binary)"
        )
    return pytest.importorskip(
        "playwright.async_api",
        reason="the playwright Python package is not installed (pip install playwright; no "
        "`playwright install` needed, Debian's Chromium is used)",
    )


PACE = 0.03
LONG = " ".join(f"word{n}" for n in range(60))

# Records the assistant text after every change the page makes, so the test can tell a reply
# that arrived word by word from one that appeared at once.
WATCH_RENDERS = """() => {
  window.__renders = [];
  new MutationObserver(() => {
    const texts = [...document.querySelectorAll('.message.assistant .text')];
    if (texts.length) window.__renders.push(texts[texts.length - 1].textContent);
  }).observe(document.getElementById('log'),
             {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
async def chat_server() -> AsyncIterator[ResponsesServer]:
    async with ResponsesServer(pace=PACE) as server:
        server.respond_with(demo_responder)
        yield server


@pytest.fixture
async def chat_client(chat_server: ResponsesServer) -> AsyncIterator[AsyncResponsesClient]:
    async with AsyncResponsesClient(
        api_key=chat_server.api_key, base_url=chat_server.base_url
    ) as client:
        yield client


@pytest.fixture
async def chat_app(chat_client: AsyncResponsesClient) -> AsyncIterator[tuple[web.Application, str]]:
    app = create_app(chat_client, model="demo-model", abandon_after=30.0)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield app, f"http://127.0.0.1:{runner.addresses[0][1]}/"
    finally:
        await runner.cleanup()


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    playwright_api = _browser_api()
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Playwright gives each launch a new empty profile of its own.
            args=CHROMIUM_FLAGS,
        )
        try:
            context = await browser.new_context(viewport={"width": 900, "height": 640})
            page = await context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            await browser.close()


async def ask(page: Any, text: str) -> Any:
    """Type *text* into the composer, press Enter; return the new assistant message."""
    before = await page.locator(".message.assistant").count()
    await page.fill("#prompt", text)
    await page.press("#prompt", "Enter")
    message = page.locator(".message.assistant").nth(before)
    await message.wait_for()
    return message


async def response_text(client: AsyncResponsesClient, response_id: str) -> str:
    return (await client.responses.retrieve(response_id)).output_text


async def test_a_reply_streams_in_word_by_word_and_the_next_turn_continues_it(
    page: Any,
    chat_app: tuple[web.Application, str],
    chat_server: ResponsesServer,
    chat_client: AsyncResponsesClient,
    tmp_path: Path,
) -> None:
    _, url = chat_app
    await page.goto(url)
    await page.evaluate(WATCH_RENDERS)

    first = await ask(page, "How do streams reach the page?")
    await page.wait_for_selector(".message.assistant[data-state=done]")
    first_id = await first.get_attribute("data-response-id")
    final = await response_text(chat_client, first_id)
    shown = await first.locator(".text").text_content()
    assert shown == final
    assert final.startswith('You said: "How do streams reach the page?". This is the first turn')
    renders: list[str] = await page.evaluate("window.__renders")
    partial = {r for r in renders if r and r != final}
    assert len(partial) >= 3, f"the reply did not arrive incrementally: {renders!r}"
    assert all(final.startswith(r) for r in partial)  # each render extends the previous text

    second = await ask(page, "And the second turn?")
    await page.locator(".message.assistant[data-state=done]").nth(1).wait_for()
    second_id = await second.get_attribute("data-response-id")
    creates = [r for r in chat_server.requests if r.method == "POST" and r.path == "/v1/responses"]
    assert [c.json.get("previous_response_id") for c in creates] == [None, first_id]
    assert all(c.json["background"] is True and c.json["model"] == "demo-model" for c in creates)
    second_text = await second.locator(".text").text_content()
    assert second_text == await response_text(chat_client, second_id)
    assert f"continues from {first_id}" in second_text
    assert await page.locator(".message").count() == 4

    shot = tmp_path / "chat.png"
    await page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    target = os.environ.get("CHAT_UI_SCREENSHOT")
    if target:  # how examples/chat/screenshot.png is made
        await page.screenshot(path=target)


async def test_stop_mid_stream_closes_the_upstream_stream_and_cancels_the_response(
    page: Any,
    chat_app: tuple[web.Application, str],
    chat_server: ResponsesServer,
    tmp_path: Path,
) -> None:
    _, url = chat_app
    chat_server.script(Script(LONG, pace=0.1))
    await page.goto(url)
    message = await ask(page, "Talk for a long time")
    await page.wait_for_function(
        "() => (document.querySelector('.message.assistant .text').textContent"
        ".split(' ').length) >= 4"
    )
    response_id = await message.get_attribute("data-response-id")
    assert chat_server.open_streams == 1

    # Hold the page's cancel request back, so what closes the upstream stream can only be the
    # page closing its EventSource (a cancel would also end the stream, from the server side).
    released = anyio.Event()

    async def hold(route: Any) -> None:
        await released.wait()
        await route.continue_()

    await page.route("**/api/responses/*/cancel", hold)
    await page.click("#stop")
    with anyio.fail_after(1):
        await chat_server.wait_streams_closed()
    assert chat_server.client_disconnects == 1
    assert chat_server.get_response(response_id)["status"] == "in_progress"
    released.set()
    with anyio.fail_after(1):
        await chat_server.wait_status(response_id, "cancelled")
    assert await message.get_attribute("data-state") == "stopped"
    stopped_at = await message.locator(".text").text_content()
    assert stopped_at and len(stopped_at) < len(LONG)
    await anyio.sleep(0.4)  # several paces later: nothing more is written
    assert await message.locator(".text").text_content() == stopped_at
    assert await page.is_enabled("#send") and not await page.is_enabled("#stop")
    await page.screenshot(path=str(tmp_path / "stopped.png"))


async def test_a_dropped_connection_resumes_after_the_last_number_without_repeats(
    page: Any,
    chat_app: tuple[web.Application, str],
    chat_server: ResponsesServer,
    chat_client: AsyncResponsesClient,
) -> None:
    app, url = chat_app
    chat_server.script(Script(LONG, pace=0.03))
    await page.goto(url)
    message = await ask(page, "Keep going through a network drop")
    await page.wait_for_function(
        "() => (document.querySelector('.message.assistant .text').textContent"
        ".split(' ').length) >= 5"
    )
    assert app[CHAT].drop_connections() == 1  # the network drops under the page
    await page.wait_for_selector(".message.assistant[data-state=done]")
    response_id = await message.get_attribute("data-response-id")
    assert await message.locator(".text").text_content() == LONG
    assert LONG == await response_text(chat_client, response_id)
    assert int(await message.get_attribute("data-reconnects")) >= 1
    replays = [
        r
        for r in chat_server.requests
        if r.method == "GET" and r.path == f"/v1/responses/{response_id}"
    ]
    assert len(replays) >= 2
    assert "starting_after" not in replays[0].query
    assert int(replays[1].query["starting_after"][-1]) > 0


# -- the backend alone, without a browser ---------------------------------------------------


@pytest.fixture
async def backend(
    chat_client: AsyncResponsesClient,
) -> AsyncIterator[tuple[aiohttp.ClientSession, web.Application]]:
    app = create_app(chat_client, model="demo-model", abandon_after=0.2)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with aiohttp.ClientSession(base_url=base) as session:
            yield session, app
    finally:
        await runner.cleanup()


async def test_a_turn_nobody_streams_is_cancelled_after_the_abandon_delay(
    backend: tuple[aiohttp.ClientSession, web.Application], chat_server: ResponsesServer
) -> None:
    session, _ = backend
    chat_server.script(Script(LONG, pace=0.1))
    async with session.post("/api/turns", json={"input": "hello"}) as reply:
        assert reply.status == 200
        response_id = (await reply.json())["id"]
    with anyio.fail_after(2):
        await chat_server.wait_status(response_id, "cancelled")


async def test_the_backend_refuses_bad_requests_with_json_errors(
    backend: tuple[aiohttp.ClientSession, web.Application],
) -> None:
    session, _ = backend
    for body in ({"input": ""}, {"input": 3}, {"input": "x", "previous_response_id": 7}):
        async with session.post("/api/turns", json=body) as reply:
            assert reply.status == 400 and "message" in (await reply.json())["error"]
    async with session.post("/api/turns", json={"input": "x", "previous_response_id": "nope"}) as r:
        assert r.status == 404  # the API's previous_response_not_found, passed on
    async with session.get("/api/responses/resp_unknown/events") as reply:
        assert reply.status == 404
    headers = {"Last-Event-ID": "abc"}
    async with session.get("/api/responses/resp_x/events", headers=headers) as reply:
        assert reply.status == 400
    async with session.get("/") as reply:
        assert reply.status == 200 and "<title>Chat" in await reply.text()
    async with session.get("/static/chat.js") as reply:
        assert reply.status == 200 and "EventSource" in await reply.text()


async def test_python_m_examples_chat_serves_the_page_and_stops_on_ctrl_c() -> None:
    import signal
    import subprocess

    async with await anyio.open_process(
        [sys.executable, "-m", "examples.chat", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as proc:
        try:
            assert proc.stderr is not None
            said = b""
            with anyio.fail_after(20):
                while b"\n" not in said:
                    said += await proc.stderr.receive()
            line = said.decode().splitlines()[0]
            assert "Chat UI on http://127.0.0.1:" in line, line
            url = line.split(" on ", 1)[1].split()[0]
            async with aiohttp.ClientSession() as session:
                async with session.post(url + "api/turns", json={"input": "hi there"}) as reply:
                    response_id = (await reply.json())["id"]
                async with session.get(url + f"api/responses/{response_id}/events") as reply:
                    body = await reply.read()
            assert b"event: response.completed\nid: " in body
            assert b'"delta":"You' in body
            proc.send_signal(signal.SIGINT)
            with anyio.fail_after(10):
                assert await proc.wait() == 0
        finally:
            if proc.returncode is None:
                proc.kill()
