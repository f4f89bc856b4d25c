"""Choosing what a response produces: queued scripts, the responder, then the echo model.

A request asking for ``text.format`` json_schema gets JSON fitting the schema instead of the echo.
"""

from __future__ import annotations

import copy
import re
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ._items import Item, last_user_text
from ._schema_answer import requested_schema, schema_answer
from ._script import Incomplete, Script

Responder = Callable[[dict[str, Any]], Awaitable[Script | None]]
"""``async def respond(request_body) -> Script | None``; None lets the echo model answer."""

_WORD = re.compile(r"\S+")


def truncate_words(text: str, limit: int) -> str:
    """*text* cut after its *limit*-th whitespace-separated word, original spacing kept."""
    if limit <= 0:
        return ""
    for count, match in enumerate(_WORD.finditer(text), start=1):
        if count == limit:
            return text[: match.end()]
    return text


def echo_script(body: Mapping[str, Any]) -> Script:
    """Answer with the text of the last user message in ``input``, or ``"OK"`` if there is none.

    ``max_output_tokens`` below the answer's word count truncates it and ends the response
    ``incomplete``, as the API does when the model runs out of tokens.
    """
    raw_input = body.get("input")
    if isinstance(raw_input, str):
        user_text: str | None = raw_input
    else:
        user_text = last_user_text(raw_input if isinstance(raw_input, list) else [])
    text = "OK" if user_text is None else user_text
    limit = body.get("max_output_tokens")
    if isinstance(limit, int) and limit < len(text.split()):
        return Script(truncate_words(text, limit), end=Incomplete())
    return Script(text)


class ScriptSource:
    """The model behind the server: scripts queued by the test, a responder, the echo."""

    def __init__(self) -> None:
        self.queued: deque[Script] = deque()
        self.responder: Responder | None = None

    async def next(self, body: Mapping[str, Any], items: list[Item]) -> Script:
        """The script for a request with this JSON *body* (as the client sent it).

        The echo reads *items*, the input normalised (item references resolved).
        """
        if self.queued:
            return self.queued.popleft()
        if self.responder is not None:
            # A copy: the responder may keep or change what it is given.
            script = await self.responder(copy.deepcopy(dict(body)))
            if script is not None:
                if not isinstance(script, Script):
                    raise TypeError(f"a responder must return a Script or None, not {script!r}")
                return script
        schema = requested_schema(body)
        if schema is not None:
            return Script(schema_answer(schema))
        return echo_script({**body, "input": items})
