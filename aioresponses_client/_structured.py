"""Structured outputs: ask for JSON fitting an attrs class, and get the instance back.

``client.responses.parse(text_format=Cls, ...)`` sends ``text.format`` as a strict JSON schema
built by :func:`~aioresponses_client.schema.json_schema` and returns a :class:`ParsedResponse`:
the :class:`Response` itself, plus ``output_parsed`` (a ``Cls``, or ``None`` when the model
refused) and ``refusal``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from ._convert import converter, loads
from ._model import model
from ._sentinel import NOT_GIVEN
from .errors import ConversionError
from .schema import json_schema, structure
from .types import OutputMessage, OutputText, Refusal, Response

if TYPE_CHECKING:
    from .streaming import AsyncResponseStream
    from .types.events import StreamEvent

__all__ = ["ParsedResponse", "ParsedResponseStream", "StructuredOutputError"]

_T = TypeVar("_T")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class StructuredOutputError(ConversionError):
    """The model's output is not valid JSON, or does not fit the requested type.

    ``raw_text`` is the text exactly as received; ``response`` the response it came in (check
    ``response.status``: an ``incomplete`` response is usually cut-off JSON).
    """

    raw_text: str
    response: Response | None

    def __init__(
        self,
        message: str,
        *,
        raw_text: str,
        response: Response | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.raw_text = raw_text
        self.response = response


@model
class ParsedResponse(Response, Generic[_T]):
    """A :class:`Response` whose structured output was parsed.

    ``output_parsed`` is the first assistant message's JSON as the requested type, or ``None``
    when there is none (the model refused, or only called tools); ``refusal`` is the refusal
    text, if the model refused. It converts to JSON exactly as the plain response does.
    """

    output_parsed: _T | None = None
    refusal: str | None = None


_RESPONSE_FIELDS = tuple(a.name for a in attrs.fields(cast(Any, Response)) if a.init)

# Stored or logged, a parsed response is the response as the API sent it.
converter.register_unstructure_hook_factory(
    lambda t: isinstance(t, type) and issubclass(t, ParsedResponse),
    lambda _: converter.get_unstructure_hook(Response),
)


def format_name(cls: type) -> str:
    """The ``text.format.name`` for a class: its name, restricted to what the API allows."""
    return _NAME_UNSAFE.sub("_", cls.__name__)[:64] or "output"


def text_param(text: Any, text_format: type) -> dict[str, Any]:
    """The ``text`` request parameter asking for ``text_format``, merged with ``text``'s keys."""
    if not isinstance(text_format, type):
        raise TypeError(f"text_format must be an attrs class, not {text_format!r}")
    fmt = {
        "type": "json_schema",
        "name": format_name(text_format),
        "schema": json_schema(text_format),
        "strict": True,
    }
    if text is NOT_GIVEN or text is None:
        return {"format": fmt}
    if not isinstance(text, Mapping):
        raise TypeError(f"text must be a mapping, got {type(text).__name__}")
    if "format" in text:
        raise TypeError("pass text_format or text={'format': ...}, not both")
    return {**text, "format": fmt}


def parse_response(
    response: Response, text_format: type[_T], *, request_id: str | None = None
) -> ParsedResponse[_T]:
    """``response`` with its output text parsed as ``text_format``.

    The text is that of the first assistant message with output text or a refusal
    (``commentary`` messages are skipped). JSON that does not fit raises
    :class:`StructuredOutputError`.
    """
    text: str | None = None
    refusal: str | None = None
    for item in response.output:
        if not isinstance(item, OutputMessage) or item.phase == "commentary":
            continue
        texts = [part.text for part in item.content if isinstance(part, OutputText)]
        refusals = [part.refusal for part in item.content if isinstance(part, Refusal)]
        if texts or refusals:
            text = "".join(texts) if texts else None
            refusal = "".join(refusals) if refusals else None
            break
    parsed: _T | None = None
    if text is not None:
        parsed = _parse_text(text, text_format, response, request_id)
    fields = {name: getattr(response, name) for name in _RESPONSE_FIELDS}
    result: ParsedResponse[_T] = ParsedResponse(**fields, output_parsed=parsed, refusal=refusal)
    # Bookkeeping that keeps the JSON form identical to the response's (see Response).
    object.__setattr__(result, "_explicit_nulls", response._explicit_nulls)
    return result


def _parse_text(text: str, text_format: type[_T], response: Response, request_id: str | None) -> _T:
    why = ""
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        why = f" (the response is incomplete: {reason or 'no reason given'})"
    try:
        data = loads(text)
    except ConversionError as exc:
        raise StructuredOutputError(
            f"the output is not valid JSON{why}: {exc.message}",
            raw_text=text,
            response=response,
            request_id=request_id,
        ) from exc
    try:
        return structure(data, text_format)
    except ConversionError as exc:
        raise StructuredOutputError(
            f"{exc.message}{why}", raw_text=text, response=response, request_id=request_id
        ) from exc


class ParsedResponseStream(Generic[_T]):
    """A streamed structured response: the events as they come, then the parsed response.

    It wraps an :class:`~aioresponses_client.AsyncResponseStream` (``.stream``) and behaves
    like it, except that :meth:`final_response` returns a :class:`ParsedResponse`.
    """

    def __init__(self, stream: AsyncResponseStream, text_format: type[_T]) -> None:
        self.stream = stream
        self.text_format = text_format

    def __repr__(self) -> str:
        return f"ParsedResponseStream({self.text_format.__qualname__}, {self.stream!r})"

    async def __aenter__(self) -> ParsedResponseStream[_T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stream.aclose()

    def __aiter__(self) -> ParsedResponseStream[_T]:
        return self

    async def __anext__(self) -> StreamEvent:
        return await self.stream.__anext__()

    async def final_response(self) -> ParsedResponse[_T]:
        """Consume the rest of the stream; the final response with ``output_parsed``."""
        response = await self.stream.final_response()
        return parse_response(response, self.text_format, request_id=self.stream.request_id)

    def text_deltas(self) -> AsyncIterator[str]:
        """Only the output text deltas (the JSON as it is written)."""
        return self.stream.text_deltas()

    def snapshot(self) -> Response:
        """The response as known so far (see ``AsyncResponseStream.snapshot``)."""
        return self.stream.snapshot()

    async def aclose(self) -> None:
        """Release the connection (idempotent)."""
        await self.stream.aclose()

    @property
    def response_id(self) -> str | None:
        """The id of the response being streamed, once known."""
        return self.stream.response_id

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` of the request."""
        return self.stream.request_id
