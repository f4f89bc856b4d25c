"""The ``Response`` object and the small objects it carries; compaction and token-count results."""

from typing import Any

import attrs

from .._convert import _structure_factory, _unstructure_factory, converter
from .._model import NULLABLE, model, nullable
from ._hooks import StrOrObject, register_str_or
from .content import OutputText
from .items import InputItem, OutputItem, OutputMessage
from .tools import Tool

__all__ = [
    "CompactedResponse",
    "Conversation",
    "IncompleteDetails",
    "InputTokenCount",
    "InputTokensDetails",
    "OutputTokensDetails",
    "ReasoningConfig",
    "Response",
    "ResponseError",
    "TextConfig",
    "Usage",
]


@model
class InputTokensDetails:
    """How the input tokens split between cache reads and cache writes."""

    cached_tokens: int
    # Newer than the rest of the usage block; optional so older payloads still decode.
    cache_write_tokens: int | None = None
    cache_write_tokens_details: dict[str, Any] | None = None


@model
class OutputTokensDetails:
    """How many output tokens were spent on reasoning."""

    reasoning_tokens: int


@model
class Usage:
    """Token counts of a response."""

    input_tokens: int
    input_tokens_details: InputTokensDetails
    output_tokens: int
    output_tokens_details: OutputTokensDetails
    total_tokens: int


@model
class ResponseError:
    """Why a response failed (``code`` such as ``server_error`` or ``rate_limit_exceeded``)."""

    code: str | None = nullable()
    message: str
    param: str | None = None
    type: str | None = None
    misalignment: dict[str, Any] | None = None


@model
class IncompleteDetails:
    """Why a response is incomplete (``max_output_tokens``, ``content_filter``, ...)."""

    reason: str | None = nullable()


@model
class Conversation:
    """The conversation a response belongs to."""

    id: str


@model
class ReasoningConfig:
    """Reasoning settings: ``effort`` ("low", "medium", ...) and ``summary`` style."""

    effort: str | None = nullable()
    summary: str | None = nullable()
    generate_summary: str | None = None
    context: str | None = None
    mode: str | None = None


@model
class TextConfig:
    """Text output settings: ``format`` (``{"type": "text"}``, a JSON schema, ...) and verbosity."""

    format: dict[str, Any] | None = None
    verbosity: str | None = None


#: ``instructions`` as echoed in a response: a string or the input items it was given as.
Instructions = str | list[InputItem] | None
register_str_or(Instructions, list[InputItem])


@model
class Response:
    """A model response: its status, ``output`` items, usage and the settings it ran with."""

    id: str
    object: str
    created_at: float
    status: str | None = nullable()
    model: str | None = nullable()
    output: list[OutputItem]
    error: ResponseError | None = nullable()
    incomplete_details: IncompleteDetails | None = nullable()
    instructions: Instructions = nullable()
    metadata: dict[str, str] | None = nullable()
    parallel_tool_calls: bool | None = nullable()
    tool_choice: StrOrObject | None = nullable()
    tools: list[Tool] = nullable(default=attrs.Factory(list))
    temperature: float | None = nullable()
    top_p: float | None = nullable()
    background: bool | None = nullable()
    max_output_tokens: int | None = nullable()
    previous_response_id: str | None = nullable()
    reasoning: ReasoningConfig | None = nullable()
    service_tier: str | None = nullable()
    store: bool | None = nullable()
    text: TextConfig | None = nullable()
    truncation: str | None = nullable()
    usage: Usage | None = nullable()
    user: str | None = nullable()
    completed_at: float | None = None
    max_tool_calls: int | None = None
    top_logprobs: int | None = None
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None
    conversation: Conversation | None = None
    prompt: dict[str, Any] | None = None
    prompt_cache_options: dict[str, Any] | None = None
    prompt_cache_retention: str | None = None
    prompt_cache_diagnostics: dict[str, Any] | None = None
    tool_usage: dict[str, Any] | None = None
    access_programs: dict[str, Any] | None = None
    image: dict[str, Any] | None = None
    input_transformations: list[dict[str, Any]] | None = None
    moderation: dict[str, Any] | None = None
    # Optional keys the payload had as an explicit null; see _keep_explicit_nulls below.
    _explicit_nulls: frozenset[str] = attrs.field(
        factory=frozenset, init=False, eq=False, repr=False
    )

    @property
    def output_text(self) -> str:
        """All ``output_text`` parts of all assistant messages, concatenated ("" if none)."""
        return "".join(
            part.text
            for item in self.output
            if isinstance(item, OutputMessage)
            for part in item.content
            if isinstance(part, OutputText)
        )


def _keep_explicit_nulls(cls: type) -> None:
    # Optional fields are omitted from output when None, but the API sends some of them as an
    # explicit null in one payload and leaves them out in another (max_tool_calls, ...). The
    # set of keys that arrived as null is kept aside so that output equals input either way.
    optional = tuple(
        a.name
        for a in attrs.fields(cls)
        if a.default is None and not a.metadata.get(NULLABLE) and a.init
    )

    def structure_factory(_: Any) -> Any:
        base = _structure_factory(cls)

        def structure(obj: Any, t: Any) -> Any:
            result = base(obj, t)
            nulls = frozenset(k for k in optional if k in obj and obj[k] is None)
            if nulls:
                # Frozen class: the field is bookkeeping set once, right after creation.
                object.__setattr__(result, "_explicit_nulls", nulls)
            return result

        return structure

    def unstructure_factory(_: Any) -> Any:
        base = _unstructure_factory(cls)

        def unstructure(obj: Any) -> dict[str, Any]:
            data = base(obj)
            data.pop("_explicit_nulls", None)
            for key in obj._explicit_nulls:
                data.setdefault(key, None)
            return data

        return unstructure

    # Registered as factories so the hooks are still generated on first use, not at import.
    converter.register_structure_hook_factory(lambda t: t is cls, structure_factory)
    converter.register_unstructure_hook_factory(lambda t: t is cls, unstructure_factory)


_keep_explicit_nulls(Response)


@model
class CompactedResponse:
    """The result of compacting a conversation: ``output`` replaces the earlier items."""

    id: str
    object: str
    created_at: float
    output: list[OutputItem]
    usage: Usage | None = nullable()
    image: dict[str, Any] | None = None


@model
class InputTokenCount:
    """How many input tokens a request would use."""

    object: str = "response.input_tokens"
    input_tokens: int
