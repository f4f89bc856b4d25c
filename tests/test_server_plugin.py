"""The pytest plugin the package registers: fixtures for an offline Responses API."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from aioresponses_client import AsyncResponsesClient
from aioresponses_client.testing import FunctionCall, ResponsesServer, Script


async def test_fixtures_give_a_client_on_the_server(
    responses_server: ResponsesServer,
    responses_client: AsyncResponsesClient,
    responses_transport: str,
    request: pytest.FixtureRequest,
) -> None:
    # One run per transport, named after it.
    assert request.node.name.endswith(f"[{responses_transport}]")
    assert responses_client.transport.name == responses_transport
    responses_server.script("scripted hello")
    response = await responses_client.responses.create(model="gpt-test", input="hi")
    assert response.output_text == "scripted hello"
    assert responses_server.requests[-1].json == {"model": "gpt-test", "input": "hi"}


async def test_a_tool_loop_through_the_sdk(
    responses_server: ResponsesServer, responses_client: AsyncResponsesClient
) -> None:
    async def respond(body: dict[str, Any]) -> Script | None:
        if any(item.get("type") == "function_call_output" for item in body["input"]):
            return Script("It is sunny.")
        return Script(FunctionCall("weather", {"city": "Oslo"}, call_id="call_7"))

    responses_server.respond_with(respond)
    first = await responses_client.responses.create(
        model="m", input=[{"role": "user", "content": "?"}]
    )
    call: Any = first.output[0]
    assert (call.type, call.name, call.call_id) == ("function_call", "weather", "call_7")
    second = await responses_client.responses.create(
        model="m",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
    )
    assert second.output_text == "It is sunny."


@pytest.fixture
def responses_server_options() -> dict[str, Any]:
    return {"background_duration": 0.0, "delta_size": 2}


async def test_server_options_can_be_overridden(
    responses_server: ResponsesServer, responses_client: AsyncResponsesClient
) -> None:
    created = await responses_client.responses.create(model="m", input="abcd", background=True)
    assert created.status == "queued"
    await responses_server.wait_status(created.id, "completed")
    stream = await responses_client.responses.retrieve(created.id, stream=True)
    deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
    assert deltas == ["ab", "cd"]


def test_fixtures_work_in_a_fresh_project_in_strict_mode(tmp_path: Path) -> None:
    # A user's suite: nothing but the installed package, pytest-asyncio in strict mode.
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = strict\n")
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.asyncio
            async def test_offline(responses_server, responses_client):
                response = await responses_client.responses.create(model="m", input="echo me")
                assert response.output_text == "echo me"
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout  # once per transport
