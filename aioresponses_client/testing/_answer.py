"""The deterministic stand-in model: it answers with the last user message.

The server calls an ``AnswerFn`` with the request body and the conversation so far and sends
back whatever output items it returns, so a scripted model can replace ``echo_answer``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._items import Item, last_user_text
from ._wire import new_id

AnswerFn = Callable[[Mapping[str, Any], Sequence[Mapping[str, Any]]], list[Item]]
"""``(request_body, history) -> output items``; history is the previous responses' items."""

_WORD = re.compile(r"\S+")


def truncate_words(text: str, limit: int) -> str:
    """*text* cut after its *limit*-th whitespace-separated word, original spacing kept."""
    if limit <= 0:
        return ""
    for count, match in enumerate(_WORD.finditer(text), start=1):
        if count == limit:
            return text[: match.end()]
    return text


def message_item(text: str, *, status: str = "completed") -> Item:
    """An assistant ``message`` output item holding one ``output_text`` part."""
    return {
        "id": new_id("msg"),
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


def echo_answer(body: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> list[Item]:
    """Answer with the text of the last user message in ``input``, or ``"OK"`` if there is none.

    ``max_output_tokens`` below the answer's word count truncates it and marks the message
    ``incomplete``, which the server reports as an incomplete response.
    """
    raw_input = body.get("input")
    if isinstance(raw_input, str):
        user_text: str | None = raw_input
    else:
        user_text = last_user_text(raw_input if isinstance(raw_input, list) else [])
    text = "OK" if user_text is None else user_text
    limit = body.get("max_output_tokens")
    if isinstance(limit, int) and limit < len(text.split()):
        return [message_item(truncate_words(text, limit), status="incomplete")]
    return [message_item(text)]
