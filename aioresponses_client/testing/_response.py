"""Building the Response object: request config echoed back the way the API does, plus usage."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from ._items import Item, count_item_tokens
from ._script import End, Failed, Incomplete, StreamError

# Request fields the API echoes on the Response, with the value it reports when a field is
# unset (or sent as null). Order follows the API's own JSON so dumps read naturally.
_ECHOED: tuple[tuple[str, Any], ...] = (
    ("background", False),
    ("conversation", None),
    ("instructions", None),
    ("max_output_tokens", None),
    ("max_tool_calls", None),
    ("parallel_tool_calls", True),
    ("previous_response_id", None),
    ("prompt", None),
    ("prompt_cache_key", None),
    ("prompt_cache_options", None),
    ("prompt_cache_retention", None),
    ("reasoning", None),
    ("safety_identifier", None),
    ("service_tier", "default"),
    ("store", True),
    ("temperature", 1.0),
    ("text", None),
    ("tool_choice", "auto"),
    ("tools", []),
    ("top_logprobs", 0),
    ("top_p", 1.0),
    ("truncation", "disabled"),
    ("user", None),
    ("metadata", {}),
    ("access_programs", None),
    ("image", None),
    ("moderation", None),
)
# Fields only the server fills in; present and null so every Response has the full key set.
_SERVER_ONLY = ("prompt_cache_diagnostics", "tool_usage", "input_transformations")


def _echo(name: str, value: Any, default: Any) -> Any:
    if name == "reasoning":
        reasoning = dict(value) if isinstance(value, Mapping) else {}
        return {
            "effort": reasoning.pop("effort", None),
            "summary": reasoning.pop("summary", None),
        } | reasoning
    if name == "text":
        text = dict(value) if isinstance(value, Mapping) else {}
        return {
            "format": text.pop("format", None) or {"type": "text"},
            "verbosity": text.pop("verbosity", None) or "medium",
        } | text
    if name == "conversation" and isinstance(value, str):
        return {"id": value}
    if value is None:
        # Mutable defaults are copied so stored responses never share a list or dict.
        return type(default)() if isinstance(default, (list, dict)) else default
    return value


def new_response(body: Mapping[str, Any], *, response_id: str, status: str = "in_progress") -> Item:
    """A Response for *body* before the model ran: no output, no usage, not completed."""
    response: Item = {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "completed_at": None,
        "error": None,
        "incomplete_details": None,
        "model": body["model"],
        "output": [],
        "usage": None,
    }
    for name, default in _ECHOED:
        response[name] = _echo(name, body.get(name), default)
    for name in _SERVER_ONLY:
        response[name] = None
    return response


def usage(input_tokens: int, output_tokens: int, reasoning_tokens: int = 0) -> Item:
    """A ``ResponseUsage`` object with the detail fields the API always sends."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def finish_response(
    response: Item, output: Sequence[Item], input_tokens: int, end: End | None = None
) -> Item:
    """*response* with the model's *output*: usage, terminal status and completion time set.

    *end* makes it ``incomplete`` (with its reason) or ``failed`` (with its error).
    """
    finished = dict(response)
    finished["output"] = list(output)
    output_tokens = count_item_tokens(output)
    reasoning = count_item_tokens(item for item in output if item.get("type") == "reasoning")
    finished["usage"] = usage(input_tokens, output_tokens, reasoning)
    if isinstance(end, Incomplete):
        finished["status"] = "incomplete"
        finished["incomplete_details"] = {"reason": end.reason}
    elif isinstance(end, (Failed, StreamError)):
        finished["status"] = "failed"
        finished["error"] = {"code": end.code, "message": end.message}
    else:
        finished["status"] = "completed"
        finished["completed_at"] = int(time.time())
    return finished


def opening_view(response: Item, status: str = "in_progress") -> Item:
    """The snapshot a stream's opening events carry: nothing produced yet."""
    view = dict(response)
    view.update(
        status=status,
        output=[],
        usage=None,
        completed_at=None,
        incomplete_details=None,
        error=None,
    )
    return view
