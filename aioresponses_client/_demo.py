"""The guided tour behind ``python -m aioresponses_client demo``: no network, no key.

It starts the embedded server in-process, scripts its model, and walks the SDK step by step,
printing the call each step makes and what came back. The whole tour takes a few seconds.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from ._cli._errors import describe
from ._cli._term import Terminal
from ._client import AsyncResponsesClient
from .errors import NotFoundError
from .testing import FunctionCall, ResponsesServer, Script
from .types import FunctionCall as FunctionCallItem
from .types import FunctionCallOutput, Response

MODEL = "gpt-4o-mini"
_STEPS = 8
_INDENT = "      "
# Seconds between streamed deltas: slow enough to watch, quick enough for a short tour.
_PACE = 0.06

_WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def get_weather(city: str) -> dict[str, Any]:
    """The "tool": a local function the model asks us to run."""
    return {"city": city, "temp_c": 18, "sky": "sunny"}


async def weather_model(body: dict[str, Any]) -> Script | None:
    """A responder standing in for the model: ask for the tool, then answer from its output.

    The server calls it with each request body when no script is queued.
    """
    items = body.get("input")
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and item.get("type") == "function_call_output":
                weather = orjson.loads(item["output"])
                return Script(
                    f"It is {weather['temp_c']} °C and {weather['sky']} in {weather['city']}."
                )
    if body.get("tools"):
        return Script(FunctionCall("get_weather", {"city": "Paris"}))
    return None  # the default echo answers


class _Tour:
    def __init__(self, term: Terminal, server: ResponsesServer, client: AsyncResponsesClient):
        self.term = term
        self.server = server
        self.client = client
        self.step = 0

    # -- printing --------------------------------------------------------------------------

    def title(self, text: str) -> None:
        self.step += 1
        self.term.print()
        self.term.print(self.term.bold(f"[{self.step}/{_STEPS}] {text}"))

    def code(self, text: str) -> None:
        self.term.print(_INDENT + self.term.dim(text))

    def say(self, text: str) -> None:
        self.term.print(_INDENT + text)

    def result(self, response: Response, extra: str = "") -> None:
        usage = response.usage
        tokens = f" ({usage.input_tokens} in / {usage.output_tokens} out tokens)" if usage else ""
        text = f" {_quote(response.output_text)}" if response.output_text else ""
        self.say(f"-> {_short(response.id)} {response.status}{text}{tokens}{extra}")

    # -- the steps -------------------------------------------------------------------------

    async def create(self) -> Response:
        self.title("create: one request, one Response")
        self.code(f'r = await client.responses.create(model="{MODEL}", input="Hello!")')
        response = await self.client.responses.create(model=MODEL, input="Hello!")
        self.result(response, "  <- the default model echoes you")
        return response

    async def stream(self) -> Response:
        self.title("stream: text deltas printed as they arrive")
        self.code("async with await client.responses.create(..., stream=True) as stream:")
        self.code("    async for event in stream: ...  # typed events")
        text = "Streams are async iterators of typed events, so text shows up word by word."
        self.server.script(text, pace=_PACE)
        started = time.monotonic()
        deltas = 0
        self.term.write(_INDENT + "> ")
        async with await self.client.responses.create(
            model=MODEL, input="Tell me about streams", stream=True
        ) as stream:
            async for delta in stream.text_deltas():
                deltas += 1
                self.term.write(delta)
            final = await stream.final_response()
        self.term.end_line()
        self.say(f"{deltas} deltas in {time.monotonic() - started:.1f} s; stream.final_response():")
        self.result(final)
        return final

    async def multi_turn(self) -> Response:
        self.title("multi-turn: previous_response_id chains responses")
        self.server.script("Nice to meet you, Ada.")
        self.server.script("Your name is Ada.")
        self.code('first = await client.responses.create(model=..., input="Hi, I am Ada.")')
        first = await self.client.responses.create(model=MODEL, input="Hi, I am Ada.")
        self.result(first)
        self.code('second = await client.responses.create(model=..., input="What is my name?",')
        self.code("                                       previous_response_id=first.id)")
        second = await self.client.responses.create(
            model=MODEL, input="What is my name?", previous_response_id=first.id
        )
        self.result(second, "  <- input tokens include turn one")
        return second

    async def tool_call(self) -> None:
        self.title("tools: a function-call round trip")
        self.server.respond_with(weather_model)
        try:
            self.code(
                "r = await client.responses.create(model=..., input=..., tools=[get_weather])"
            )
            asked = await self.client.responses.create(
                model=MODEL, input="What is the weather in Paris?", tools=[_WEATHER_TOOL]
            )
            call = next(item for item in asked.output if isinstance(item, FunctionCallItem))
            self.say(
                f"-> the model asks for {call.name}({call.arguments}) [{_short(call.call_id)}]"
            )
            result = get_weather(**call.parse_arguments())
            self.say(f"we run get_weather locally: {orjson.dumps(result).decode()}")
            self.code("await client.responses.create(model=..., previous_response_id=r.id,")
            self.code("    input=[FunctionCallOutput(call_id=call.call_id, output=json)])")
            answer = await self.client.responses.create(
                model=MODEL,
                previous_response_id=asked.id,
                input=[
                    FunctionCallOutput(call_id=call.call_id, output=orjson.dumps(result).decode())
                ],
                tools=[_WEATHER_TOOL],
            )
            self.result(answer)
        finally:
            self.server.respond_with(None)

    async def background(self) -> None:
        self.title("background: three jobs polled together")
        self.code("async with client.responses.poller() as poller:")
        self.code("    for job in jobs: await poller.submit(model=..., input=job)")
        self.code("    async for done in poller.as_completed(): ...")
        jobs = [("Summarise the report", 0.6), ("Translate the FAQ", 0.2), ("Draft a reply", 0.4)]
        for _, seconds in jobs:
            self.server.enqueue(Script("Done.", background_duration=seconds))
        started = time.monotonic()
        async with self.client.responses.poller(
            poll_interval=0.05, max_poll_interval=0.1
        ) as poller:
            for prompt, _ in jobs:
                handle = await poller.submit(model=MODEL, input=prompt)
                status = handle.response.status if handle.response else None
                self.say(f"submitted {_short(handle.response_id)} {status}: {_quote(prompt)}")
            async for done in poller.as_completed():
                elapsed = time.monotonic() - started
                self.say(f"finished  {_short(done.id)} {done.status} after {elapsed:.1f} s")

    async def cancel(self) -> None:
        self.title("cancel: stop a background job")
        self.server.script("This would take a minute.", background_duration=60)
        self.code("job = await client.responses.create(..., background=True)")
        job = await self.client.responses.create(model=MODEL, input="A long job", background=True)
        self.say(f"-> {_short(job.id)} {job.status}")
        self.code("await client.responses.cancel(job.id)")
        cancelled = await self.client.responses.cancel(job.id)
        self.say(f"-> {_short(cancelled.id)} {cancelled.status}")

    async def compact(self, conversation: Response) -> None:
        self.title("compact: fold a conversation into fewer items")
        self.code("c = await client.responses.compact(second.id, model=...)")
        compacted = await self.client.responses.compact(conversation.id, model=MODEL)
        kinds = ", ".join(item.type for item in compacted.output)
        self.say(f"-> {len(compacted.output)} items: {kinds}")

    async def delete(self, response: Response) -> None:
        self.title("delete: remove a stored response")
        self.code("await client.responses.delete(r.id)  # r from step 1")
        await self.client.responses.delete(response.id)
        try:
            await self.client.responses.retrieve(response.id)
        except NotFoundError as exc:
            self.say(
                f"-> deleted; retrieving it now gives NotFoundError:\n{_INDENT}   {describe(exc)}"
            )


async def tour(term: Terminal) -> None:
    """Run the guided tour, printing each step to *term*."""
    started = time.monotonic()
    term.print(term.bold("aioresponses_client demo") + ": a tour of the async Responses API SDK.")
    term.print("Everything runs against the embedded server, in this process: no network, no key.")
    async with ResponsesServer() as server:
        term.print(f"Embedded Responses API at {server.base_url} (key {server.api_key})")
        async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
            tour = _Tour(term, server, client)
            first = await tour.create()
            await tour.stream()
            conversation = await tour.multi_turn()
            await tour.tool_call()
            await tour.background()
            await tour.cancel()
            await tour.compact(conversation)
            await tour.delete(first)
    term.print()
    term.print(f"Done in {time.monotonic() - started:.1f} s. Next:")
    term.print("  aioresponses-client serve     # this server on :8000, for any OpenAI client")
    term.print('  aioresponses-client --local create "Hi" --stream')


async def demo() -> None:
    """Run the tour on stdout (what ``python -m aioresponses_client demo`` does)."""
    import sys

    await tour(Terminal(sys.stdout, sys.stderr))


def _short(response_id: str) -> str:
    # Ids are 32 hex digits; a prefix is enough to tell them apart on screen.
    prefix, _, rest = response_id.partition("_")
    return f"{prefix}_{rest[:8]}" if rest else response_id


def _quote(text: str) -> str:
    return orjson.dumps(text).decode()
