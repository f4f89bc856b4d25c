"""A tour of the endpoints against the embedded server: no network, no key."""

from __future__ import annotations

from ._client import AsyncResponsesClient
from .testing import ResponsesServer


async def demo() -> None:
    """Start the embedded server and walk create -> retrieve -> input_items -> compact -> delete."""
    async with ResponsesServer() as server:
        print(f"embedded Responses API at {server.base_url}")
        async with AsyncResponsesClient(api_key=server.api_key, base_url=server.base_url) as client:
            first = await client.responses.create(
                model="gpt-demo", input="Hello from aioresponses_client!"
            )
            print(f"create       -> {first.id} [{first.status}] {first.output_text!r}")
            second = await client.responses.create(
                model="gpt-demo",
                input=[
                    {"role": "user", "content": "What is the capital of France?"},
                    {"role": "user", "content": "Paris, surely."},
                ],
                previous_response_id=first.id,
            )
            usage = second.usage
            tokens = f"{usage.input_tokens} in / {usage.output_tokens} out" if usage else "?"
            print(f"create       -> {second.id} {second.output_text!r} ({tokens})")
            fetched = await client.responses.retrieve(second.id)
            print(f"retrieve     -> {fetched.id} previous={fetched.previous_response_id}")
            items = [item async for item in client.responses.input_items.list(second.id, limit=1)]
            print(f"input_items  -> {len(items)} items over pages of 1: {[i.type for i in items]}")
            count = await client.responses.input_tokens.count(model="gpt-demo", input="one two")
            print(f"input_tokens -> {count.input_tokens}")
            compacted = await client.responses.compact(second.id, model="gpt-demo")
            print(f"compact      -> {compacted.id}: {[i.type for i in compacted.output]}")
            await client.responses.delete(first.id)
            print(f"delete       -> {first.id} deleted")
