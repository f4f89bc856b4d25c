"""The ``aioresponses-client`` command line, driven as a subprocess against a live server.

Most tests run the embedded server in the test's own event loop and point the CLI at it, so
they can script the model and check what the server saw. Tests that interrupt the CLI wait for
its output (never for a fixed time) before sending SIGINT.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from typing import Any

import anyio
import attrs
import openai
import pytest
from anyio.abc import ByteReceiveStream, Process

from aioresponses_client import AsyncResponsesClient
from aioresponses_client.testing import Failed, RecordedRequest, ResponsesServer, Text

CLI = [sys.executable, "-m", "aioresponses_client"]
RESPONSE_ID = re.compile(r"resp_[0-9a-f]+")
REQUEST_ID = re.compile(r"\(request req_[0-9a-f]+\)$")
# Generous: a CLI process imports the package before doing anything.
TIMEOUT = 20

unix_signals = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without any OpenAI settings, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(extra)
    return env


def server_env(server: ResponsesServer) -> dict[str, str]:
    assert server.api_key
    return clean_env(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=server.api_key)


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


async def cli(*args: str, env: Mapping[str, str], stdin: bytes | None = None) -> Result:
    """Run the CLI to completion (the server keeps serving: this awaits, it does not block)."""
    with anyio.fail_after(TIMEOUT):
        done = await anyio.run_process([*CLI, *args], input=stdin, env=env, check=False)
    assert done.returncode is not None
    return Result(done.returncode, done.stdout.decode(), done.stderr.decode())


class Reader:
    """Accumulates what a running process writes to one pipe, read on demand."""

    def __init__(self, stream: ByteReceiveStream | None) -> None:
        assert stream is not None
        self._stream = stream
        self.text = ""

    async def until(self, pattern: str) -> re.Match[str]:
        """Read until *pattern* matches what was written so far; return the match."""
        with anyio.fail_after(TIMEOUT):
            while (found := re.search(pattern, self.text)) is None:
                self.text += (await self._stream.receive()).decode()
        return found

    async def rest(self) -> str:
        """Read to the end of the pipe."""
        with anyio.fail_after(TIMEOUT):
            async for chunk in self._stream:
                self.text += chunk.decode()
        return self.text


@pytest.fixture
async def running() -> AsyncIterator[list[Process]]:
    """Processes a test starts; any still running at the end are killed (by their handle)."""
    processes: list[Process] = []
    yield processes
    for process in processes:
        if process.returncode is None:
            process.kill()
        with anyio.move_on_after(5):
            await process.wait()
        await process.aclose()


async def start(running: list[Process], *args: str, env: Mapping[str, str]) -> Process:
    process = await anyio.open_process([*CLI, *args], env=env)
    running.append(process)
    return process


async def wait_exit(process: Process) -> int:
    with anyio.fail_after(TIMEOUT):
        return await process.wait()


def body_of(request: RecordedRequest) -> dict[str, Any]:
    assert isinstance(request.json, dict)
    return request.json


def one_error_line(result: Result) -> str:
    """The only line on stderr, which must be an error line and no traceback."""
    assert "Traceback" not in result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("error: ")
    return line


# -- create ------------------------------------------------------------------------------------


async def test_create_prints_the_text_on_stdout_and_a_summary_on_stderr(
    server: ResponsesServer,
) -> None:
    result = await cli("create", "hello there", env=server_env(server))

    assert result.code == 0
    assert result.out == "hello there\n"
    (summary,) = result.err_lines
    assert RESPONSE_ID.match(summary)
    assert " completed · gpt-4o-mini · " in summary
    sent = body_of(server.requests[-1])
    assert sent == {"model": "gpt-4o-mini", "input": "hello there"}


async def test_create_sends_model_instructions_and_previous_response(
    server: ResponsesServer,
) -> None:
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        first = await client.responses.create(model="m", input="turn one")

    result = await cli(
        "create",
        "turn two",
        "--model",
        "gpt-test",
        "--instructions",
        "Be brief.",
        "--previous",
        first.id,
        env=server_env(server),
    )

    assert result.code == 0
    sent = body_of(server.requests[-1])
    assert sent["model"] == "gpt-test"
    assert sent["instructions"] == "Be brief."
    assert sent["previous_response_id"] == first.id


async def test_create_reads_the_prompt_from_stdin_with_a_dash(server: ResponsesServer) -> None:
    result = await cli("create", "-", env=server_env(server), stdin=b"piped prompt\n")

    assert result.code == 0
    assert result.out.strip() == "piped prompt"


@unix_signals
async def test_create_stream_writes_each_delta_while_the_stream_is_open(
    server: ResponsesServer, running: list[Process]
) -> None:
    server.script(Text(["first ", "second ", "third"]), pace=0.3)
    process = await start(running, "create", "x", "--stream", env=server_env(server))
    out = Reader(process.stdout)

    await out.until("first ")
    # Flushed per delta: the text arrived while the server was still writing the stream.
    assert server.open_streams == 1
    assert "third" not in out.text

    assert await wait_exit(process) == 0
    assert await out.rest() == "first second third\n"
    assert body_of(server.requests[-1])["stream"] is True


async def test_create_stream_json_prints_every_event_on_its_own_line(
    server: ResponsesServer,
) -> None:
    result = await cli("create", "two words", "--stream", "--json", env=server_env(server))

    assert result.code == 0
    events = [json.loads(line) for line in result.out.splitlines()]
    assert events[0]["type"] == "response.created"
    assert events[-1]["type"] == "response.completed"
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert "".join(deltas) == "two words"


async def test_create_json_prints_the_response_object(server: ResponsesServer) -> None:
    result = await cli("create", "as json", "--json", env=server_env(server))

    assert result.code == 0
    assert result.err == ""
    body = json.loads(result.out)
    assert body["object"] == "response"
    assert body["status"] == "completed"
    assert body["output"][0]["content"][0]["text"] == "as json"
    assert server.get_response(body["id"])["status"] == "completed"


async def test_create_background_shows_each_status_then_the_text(
    server: ResponsesServer,
) -> None:
    server.script("done in the background", background_duration=0.8)

    result = await cli("create", "x", "--background", env=server_env(server))

    assert result.code == 0
    assert result.out == "done in the background\n"
    # Not a terminal: one status line per change, then the summary.
    assert re.fullmatch(r"resp_[0-9a-f]+ queued", result.err_lines[0])
    assert " completed · " in result.err_lines[-1]
    assert body_of(server.requests[0])["background"] is True
    polls = [r for r in server.requests if r.method == "GET"]
    assert polls, "the CLI polls retrieve until the response is done"


async def test_create_of_a_failed_response_exits_1_with_the_reason(
    server: ResponsesServer,
) -> None:
    server.script("partial", end=Failed(code="server_error", message="The model broke."))
    result = await cli("create", "x", env=server_env(server))

    assert result.code == 1
    assert result.err_lines[-1].startswith("error: Response resp_")
    assert "server_error: The model broke." in result.err_lines[-1]


# -- get / cancel / delete / items / tokens ----------------------------------------------------


async def test_get_prints_a_stored_response(server: ResponsesServer) -> None:
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        stored = await client.responses.create(model="m", input="kept on the server")

    result = await cli("get", stored.id, env=server_env(server))

    assert result.code == 0
    assert result.out == "kept on the server\n"
    assert result.err_lines[0].startswith(f"{stored.id} completed")


async def test_get_stream_after_replays_only_the_later_events(server: ResponsesServer) -> None:
    server.script(Text(["alpha ", "beta ", "gamma"]))
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        stored = await client.responses.create(model="m", input="x")
    env = server_env(server)

    replay = await cli("get", stored.id, "--stream", "--json", env=env)
    events = [json.loads(line) for line in replay.out.splitlines()]
    first_delta = next(e for e in events if e["type"] == "response.output_text.delta")
    assert first_delta["delta"] == "alpha "

    whole = await cli("get", stored.id, "--stream", env=env)
    resumed = await cli(
        "get", stored.id, "--stream", "--after", str(first_delta["sequence_number"]), env=env
    )

    assert whole.code == resumed.code == 0
    assert whole.out == "alpha beta gamma\n"
    assert resumed.out == "beta gamma\n"
    assert server.requests[-1].query["starting_after"] == [str(first_delta["sequence_number"])]


async def test_get_after_without_stream_is_a_usage_error(server: ResponsesServer) -> None:
    result = await cli("get", "resp_1", "--after", "3", env=server_env(server))

    assert result.code == 2
    assert one_error_line(result) == "error: --after needs --stream"


async def test_cancel_of_a_background_response_prints_cancelled(server: ResponsesServer) -> None:
    server.script("slow", background_duration=60)
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        job = await client.responses.create(model="m", input="x", background=True)

    result = await cli("cancel", job.id, env=server_env(server))

    assert result.code == 0
    assert result.out == f"{job.id} cancelled\n"
    assert server.get_response(job.id)["status"] == "cancelled"


async def test_cancel_of_a_foreground_response_is_one_error_line_with_the_request_id(
    server: ResponsesServer,
) -> None:
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        done = await client.responses.create(model="m", input="x")

    result = await cli("cancel", done.id, env=server_env(server))

    assert result.code == 1
    assert result.out == ""
    line = one_error_line(result)
    assert line.startswith("error: 400 ")
    assert "background" in line
    assert REQUEST_ID.search(line)


async def test_delete_removes_the_response_and_get_then_fails_with_404(
    server: ResponsesServer,
) -> None:
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        stored = await client.responses.create(model="m", input="x")
    env = server_env(server)

    deleted = await cli("delete", stored.id, env=env)
    missing = await cli("get", stored.id, env=env)

    assert deleted.code == 0
    assert deleted.out == f"{stored.id} deleted\n"
    with pytest.raises(KeyError):
        server.get_response(stored.id)
    assert missing.code == 1
    assert one_error_line(missing).startswith("error: 404 ")


async def test_items_lists_the_input_items_in_order(server: ResponsesServer) -> None:
    async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
        stored = await client.responses.create(
            model="m",
            input=[
                {"role": "user", "content": "first question"},
                {"role": "user", "content": "second question"},
            ],
        )
    env = server_env(server)

    listed = await cli("items", stored.id, env=env)
    as_json = await cli("items", stored.id, "--json", env=env)

    assert listed.code == as_json.code == 0
    lines = listed.out.splitlines()
    assert [line.split(" [")[0] for line in lines] == [
        'message user: "first question"',
        'message user: "second question"',
    ]
    assert listed.err_lines == ["2 input items"]
    items = [json.loads(line) for line in as_json.out.splitlines()]
    assert [item["content"][0]["text"] for item in items] == ["first question", "second question"]


async def test_tokens_prints_the_count(server: ResponsesServer) -> None:
    result = await cli("tokens", "one two three", "--model", "gpt-test", env=server_env(server))

    assert result.code == 0
    assert result.out == "3\n"
    assert server.requests[-1].path.endswith("/responses/input_tokens")


# -- connection settings and errors ------------------------------------------------------------


async def test_wrong_key_exits_1_with_one_line_and_never_shows_the_key(
    server: ResponsesServer,
) -> None:
    result = await cli("--api-key", "sk-wrong-key", "create", "hi", env=server_env(server))

    assert result.code == 1
    line = one_error_line(result)
    assert line.startswith("error: 401 invalid_api_key: ")
    assert REQUEST_ID.search(line)
    assert "sk-wrong-key" not in result.err


async def test_global_options_may_also_follow_the_command(server: ResponsesServer) -> None:
    assert server.api_key
    result = await cli(
        "create",
        "after the command",
        "--base-url",
        server.base_url,
        "--api-key",
        server.api_key,
        env=clean_env(),
    )

    assert result.code == 0
    assert result.out == "after the command\n"


async def test_a_missing_argument_is_a_usage_error() -> None:
    result = await cli("create", env=clean_env(OPENAI_API_KEY="sk-x"))

    assert result.code == 2
    assert "the following arguments are required: prompt" in result.err


async def test_an_unknown_command_is_a_usage_error() -> None:
    result = await cli("launch", env=clean_env())

    assert result.code == 2
    assert "invalid choice: 'launch'" in result.err


async def test_no_key_and_no_local_exits_2_with_a_hint() -> None:
    result = await cli("create", "hi", env=clean_env())

    assert result.code == 2
    line = one_error_line(result)
    assert "OPENAI_API_KEY" in line
    assert "--local" in line


async def test_local_with_base_url_is_a_usage_error() -> None:
    result = await cli("--local", "--base-url", "http://x/v1", "create", "hi", env=clean_env())

    assert result.code == 2
    assert "--local" in one_error_line(result)


async def test_local_runs_on_an_embedded_server_without_a_key() -> None:
    result = await cli("--local", "create", "offline", "--stream", env=clean_env())

    assert result.code == 0
    assert result.out == "offline\n"


async def test_unreachable_server_exits_1_with_one_line() -> None:
    # Port 9 (discard) on localhost: nothing listens there in a test environment.
    env = clean_env(OPENAI_API_KEY="sk-x", OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    result = await cli("get", "resp_1", env=env)

    assert result.code == 1
    assert "onnect" in one_error_line(result)


async def test_debug_adds_the_traceback(server: ResponsesServer) -> None:
    result = await cli("--debug", "--api-key", "wrong", "get", "resp_1", env=server_env(server))

    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err
    assert result.err_lines[-1].startswith("error: 401 ")


# -- Ctrl-C ------------------------------------------------------------------------------------


@unix_signals
async def test_ctrl_c_during_a_stream_exits_130_and_closes_the_connection(
    server: ResponsesServer, running: list[Process]
) -> None:
    server.script(" ".join(f"word{i}" for i in range(50)), pace=0.2)
    process = await start(running, "create", "x", "--stream", env=server_env(server))
    out, err = Reader(process.stdout), Reader(process.stderr)
    await out.until("word1 ")
    assert server.open_streams == 1

    process.send_signal(signal.SIGINT)

    assert await wait_exit(process) == 130
    with anyio.fail_after(5):
        await server.wait_streams_closed()
    assert server.client_disconnects == 1
    assert (await err.rest()).splitlines() == ["interrupted"]
    assert (await out.rest()).endswith("\n")  # the partial line was ended


@unix_signals
async def test_ctrl_c_while_waiting_on_a_background_response_cancels_it_on_the_server(
    server: ResponsesServer, running: list[Process]
) -> None:
    server.script("never finishes in time", background_duration=60)
    process = await start(running, "create", "x", "--background", env=server_env(server))
    err = Reader(process.stderr)
    rid = (await err.until(r"(resp_[0-9a-f]+) queued\n")).group(1)

    process.send_signal(signal.SIGINT)

    assert await wait_exit(process) == 130
    assert server.get_response(rid)["status"] == "cancelled"
    lines = (await err.rest()).splitlines()
    assert lines[-2:] == [f"{rid} cancelled on the server", "interrupted"]


@unix_signals
async def test_ctrl_c_during_a_background_stream_cancels_it_on_the_server(
    server: ResponsesServer, running: list[Process]
) -> None:
    server.script(Text([f"w{i} " for i in range(40)]), pace=0.2)
    process = await start(
        running, "create", "x", "--stream", "--background", "--json", env=server_env(server)
    )
    out, err = Reader(process.stdout), Reader(process.stderr)
    created = json.loads((await out.until(r"^[^\n]*\n")).group(0))
    rid = created["response"]["id"]
    await out.until("response.output_text.delta")

    process.send_signal(signal.SIGINT)

    assert await wait_exit(process) == 130
    assert server.get_response(rid)["status"] == "cancelled"
    assert f"{rid} cancelled on the server" in await err.rest()


# -- serve and demo ----------------------------------------------------------------------------


@pytest.fixture
async def served(running: list[Process]) -> AsyncIterator[tuple[str, str, Process]]:
    """``aioresponses-client serve --port 0`` as a subprocess: (base URL, key, process)."""
    process = await start(running, "serve", "--port", "0", env=clean_env())
    out = Reader(process.stdout)
    url = (await out.until(r"OPENAI_BASE_URL=(\S+)\n")).group(1)
    key = (await out.until(r"OPENAI_API_KEY=(\S+)\n")).group(1)
    yield url, key, process


@unix_signals
async def test_serve_prints_the_url_and_key_and_stops_cleanly_on_ctrl_c(
    served: tuple[str, str, Process],
) -> None:
    url, key, process = served
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url)
    assert not url.endswith(":0/v1")
    result = await cli(
        "create", "via serve", env=clean_env(OPENAI_BASE_URL=url, OPENAI_API_KEY=key)
    )
    assert result.out == "via serve\n"

    process.send_signal(signal.SIGINT)

    assert await wait_exit(process) == 0
    err = Reader(process.stderr)
    assert (await err.rest()).splitlines()[-1] == "server stopped"


async def test_serve_on_a_busy_port_exits_1(served: tuple[str, str, Process]) -> None:
    url, _, _ = served
    port = url.rsplit(":", 1)[1].split("/")[0]

    result = await cli("serve", "--port", port, env=clean_env())

    assert result.code == 1
    assert one_error_line(result).startswith(f"error: cannot listen on 127.0.0.1:{port}")


async def test_the_official_sdk_works_against_serve(served: tuple[str, str, Process]) -> None:
    """``serve`` is a drop-in local endpoint: the openai SDK runs every endpoint unchanged."""
    url, key, _ = served
    async with openai.AsyncOpenAI(base_url=url, api_key=key, max_retries=0) as sdk:
        created = await sdk.responses.create(model="gpt-test", input="hello sdk")
        assert created.output_text == "hello sdk"

        async with sdk.responses.stream(model="gpt-test", input="streamed via the sdk") as stream:
            deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
            final = await stream.get_final_response()
        assert "".join(deltas) == final.output_text == "streamed via the sdk"

        fetched = await sdk.responses.retrieve(final.id)
        assert fetched.output_text == "streamed via the sdk"

        job = await sdk.responses.create(model="gpt-test", input="long job", background=True)
        assert job.status in ("queued", "in_progress")
        cancelled = await sdk.responses.cancel(job.id)
        assert cancelled.status == "cancelled"

        turn = await sdk.responses.create(
            model="gpt-test", input="second turn", previous_response_id=created.id
        )
        items = [item async for item in sdk.responses.input_items.list(turn.id)]
        assert items and items[0].type == "message"

        compacted = await sdk.responses.compact(model="gpt-test", previous_response_id=turn.id)
        assert compacted.output[-1].type == "compaction"

        await sdk.responses.delete(created.id)
        with pytest.raises(openai.NotFoundError):
            await sdk.responses.retrieve(created.id)


async def test_demo_runs_every_step_and_exits_0() -> None:
    result = await cli("demo", env=clean_env())

    assert result.code == 0, result.err
    assert result.err == ""
    steps = re.findall(r"^\[(\d)/8\] (\w[\w-]*)", result.out, flags=re.MULTILINE)
    assert steps == [
        ("1", "create"),
        ("2", "stream"),
        ("3", "multi-turn"),
        ("4", "tools"),
        ("5", "background"),
        ("6", "cancel"),
        ("7", "compact"),
        ("8", "delete"),
    ]
    assert "It is 18 °C and sunny in Paris." in result.out
    assert "cancelled" in result.out
    assert "Done in" in result.out
