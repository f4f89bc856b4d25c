"""Short human-readable descriptions of responses and items."""

from __future__ import annotations

from typing import Any

import orjson

from ..types import Response

_PREVIEW = 60


def summary(response: Response) -> str:
    """``resp_... completed · gpt-4o · 12 in / 5 out tokens``, plus why when it did not finish."""
    parts = [f"{response.id} {response.status or 'unknown'}"]
    if response.status == "incomplete" and response.incomplete_details is not None:
        parts[0] += f" ({response.incomplete_details.reason})"
    if response.status == "failed" and response.error is not None:
        parts[0] += f" ({response.error.code}: {response.error.message})"
    if response.model:
        parts.append(response.model)
    usage = response.usage
    if usage is not None:
        parts.append(f"{usage.input_tokens} in / {usage.output_tokens} out tokens")
    return " · ".join(parts)


def other_outputs(response: Response) -> list[str]:
    """One line per output item that is not an assistant message (tool calls, reasoning...)."""
    return [describe_item(item) for item in response.output if item.type != "message"]


def describe_item(item: Any) -> str:
    """``function_call get_weather({"city": "Paris"}) call_1``, ``message user: "hi"``..."""
    kind = item.type
    ident = getattr(item, "id", None)
    if kind == "function_call":
        text = f"function_call {item.name}({item.arguments}) call_id={item.call_id}"
    elif kind == "function_call_output":
        text = f"function_call_output call_id={item.call_id}: {_preview(str(item.output))}"
    elif kind == "message":
        text = f"message {item.role}: {_preview(message_text(item))}"
    else:
        text = kind
    return f"{text} [{ident}]" if ident else text


def message_text(item: Any) -> str:
    """The text of a message's content, whatever its shape (a string or a list of parts)."""
    content = getattr(item, "content", "")
    if isinstance(content, str):
        return content
    texts = []
    for part in content:
        text = getattr(part, "text", None) or getattr(part, "refusal", None)
        if isinstance(text, str):
            texts.append(text)
    return " ".join(texts)


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    short = flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"
    return orjson.dumps(short).decode()
