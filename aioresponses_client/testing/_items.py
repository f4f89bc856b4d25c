"""Input items: normalising what a request sends into stored items, and reading text out of them."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._wire import ApiError, new_id

Item = dict[str, Any]

# Id prefixes the API uses per item type; anything else gets a generic one.
_ID_PREFIXES = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "reasoning": "rs",
    "compaction": "cmp",
}
# Item types whose listed form always carries a status (see the SDK's ResponseItem union).
_STATUS_TYPES = frozenset(
    {"message", "function_call", "function_call_output", "custom_tool_call_output"}
)


def _content_parts(role: str, content: Any) -> Any:
    """Message content as a list of parts; a bare string becomes one text part."""
    if not isinstance(content, str):
        return copy.deepcopy(content)
    if role == "assistant":
        return [{"type": "output_text", "text": content, "annotations": []}]
    return [{"type": "input_text", "text": content}]


def normalize_item(raw: Mapping[str, Any]) -> Item:
    """One request input item in the shape ``input_items`` lists it: typed, with id and status."""
    if not isinstance(raw, Mapping):
        raise ApiError(400, "Invalid input item: expected an object.", param="input")
    item_type = raw.get("type", "message")
    if item_type == "message":
        role = raw.get("role", "user")
        item: Item = {
            "id": raw.get("id") or new_id("msg"),
            "type": "message",
            "role": role,
            "content": _content_parts(role, raw.get("content", "")),
            "status": raw.get("status") or "completed",
        }
        return item
    item = copy.deepcopy(dict(raw))
    item.setdefault("id", new_id(_ID_PREFIXES.get(item_type, "item")))
    if item_type in _STATUS_TYPES:
        item.setdefault("status", "completed")
    return item


def normalize_input(raw_input: Any, lookup: Callable[[str], Item | None]) -> list[Item]:
    """The request's ``input`` (string, list of items, or absent) as normalised items.

    ``item_reference`` entries are replaced by the stored item *lookup* finds for their id.
    """
    if raw_input is None:
        return []
    if isinstance(raw_input, str):
        return [normalize_item({"role": "user", "content": raw_input})]
    if isinstance(raw_input, list):
        return [_resolve(raw, lookup) for raw in raw_input]
    raise ApiError(
        400,
        "Invalid type for 'input': expected a string or an array of input items.",
        param="input",
        code="invalid_type",
    )


def _resolve(raw: Any, lookup: Callable[[str], Item | None]) -> Item:
    if isinstance(raw, Mapping) and raw.get("type") == "item_reference":
        ident = raw.get("id")
        found = lookup(ident) if isinstance(ident, str) else None
        if found is None:
            raise ApiError(404, f"Item with id '{ident}' not found.", param="input")
        return copy.deepcopy(found)
    return normalize_item(raw)


def _part_texts(parts: Any) -> list[str]:
    if isinstance(parts, str):
        return [parts]
    texts: list[str] = []
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, Mapping):
                text = part.get("text", part.get("refusal"))
                if isinstance(text, str):
                    texts.append(text)
    return texts


def item_texts(item: Mapping[str, Any]) -> list[str]:
    """Every piece of model-visible text in *item* (what the token count is taken over)."""
    item_type = item.get("type", "message")
    if item_type == "message":
        return _part_texts(item.get("content"))
    if item_type in ("function_call_output", "custom_tool_call_output"):
        return _part_texts(item.get("output"))
    if item_type == "function_call":
        return [str(item.get("arguments", ""))]
    if item_type == "custom_tool_call":
        return [str(item.get("input", ""))]
    if item_type == "reasoning":
        return _part_texts(item.get("summary"))
    return []


def count_tokens(texts: Iterable[str]) -> int:
    """The server's stand-in tokenizer: whitespace-separated words."""
    return sum(len(text.split()) for text in texts)


def count_item_tokens(items: Iterable[Mapping[str, Any]]) -> int:
    """Tokens over all text in *items*."""
    return count_tokens(text for item in items for text in item_texts(item))


def instruction_texts(instructions: Any) -> list[str]:
    """Text of ``instructions``, which is a string or (on stored prompts) a list of items."""
    if isinstance(instructions, str):
        return [instructions]
    if isinstance(instructions, list):
        return [
            text for item in instructions if isinstance(item, Mapping) for text in item_texts(item)
        ]
    return []


def last_user_text(items: Iterable[Any]) -> str | None:
    """Text of the last user message, its ``input_text`` parts joined; None if there is none."""
    found: str | None = None
    for item in items:
        if not isinstance(item, Mapping):
            continue
        if item.get("type", "message") == "message" and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                found = content
            elif isinstance(content, list):
                found = "".join(
                    part["text"]
                    for part in content
                    if isinstance(part, Mapping)
                    and part.get("type") == "input_text"
                    and isinstance(part.get("text"), str)
                )
    return found
