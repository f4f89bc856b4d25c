"""Stream events: one class per server-sent event ``type`` of a streamed response.

Naming rule: split the ``type`` on ``.`` and ``_``, capitalize each word, join them and append
``Event``: ``response.output_text.delta`` -> ``ResponseOutputTextDeltaEvent``, ``error`` ->
``ErrorEvent``. (Some differ from the official SDK's names, e.g. its ``ResponseTextDeltaEvent``.)

Every event has ``sequence_number``; delta events may also carry ``obfuscation``, random padding
that hides the length of each chunk. A ``type`` this version does not know becomes
:class:`UnknownEvent`. This module is imported only when streaming, not by ``types/__init__``.
"""

from collections.abc import Callable
from typing import Any, Literal, get_args

from .._convert import converter, register_tagged_union
from .._model import UnknownModel, event_model, model, nullable
from ..errors import ConversionError
from ._fast_hooks import make_fast_hook
from .content import Annotation, ContentPart, Logprob, SummaryText
from .items import OutputItem
from .response import Response


@event_model
class ResponseCreatedEvent:
    """The response was created (first event of a stream)."""

    type: Literal["response.created"] = "response.created"
    sequence_number: int
    response: Response


@event_model
class ResponseQueuedEvent:
    """A background response is waiting to start."""

    type: Literal["response.queued"] = "response.queued"
    sequence_number: int
    response: Response


@event_model
class ResponseInProgressEvent:
    """The response started generating."""

    type: Literal["response.in_progress"] = "response.in_progress"
    sequence_number: int
    response: Response


@event_model
class ResponseCompletedEvent:
    """The response finished; ``response`` is the final object."""

    type: Literal["response.completed"] = "response.completed"
    sequence_number: int
    response: Response


@event_model
class ResponseFailedEvent:
    """The response failed; ``response.error`` says why."""

    type: Literal["response.failed"] = "response.failed"
    sequence_number: int
    response: Response


@event_model
class ResponseIncompleteEvent:
    """The response stopped early; see ``response.incomplete_details``."""

    type: Literal["response.incomplete"] = "response.incomplete"
    sequence_number: int
    response: Response


@event_model
class ErrorEvent:
    """The stream failed mid-way (sent instead of a final lifecycle event)."""

    type: Literal["error"] = "error"
    sequence_number: int
    code: str | None = nullable()
    message: str
    param: str | None = nullable()


@event_model
class ResponseAudioDeltaEvent:
    """A chunk of base64 audio."""

    type: Literal["response.audio.delta"] = "response.audio.delta"
    sequence_number: int
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseAudioDoneEvent:
    """The audio is complete."""

    type: Literal["response.audio.done"] = "response.audio.done"
    sequence_number: int


@event_model
class ResponseAudioTranscriptDeltaEvent:
    """A chunk of the audio transcript."""

    type: Literal["response.audio.transcript.delta"] = "response.audio.transcript.delta"
    sequence_number: int
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseAudioTranscriptDoneEvent:
    """The audio transcript is complete."""

    type: Literal["response.audio.transcript.done"] = "response.audio.transcript.done"
    sequence_number: int


@event_model
class ResponseCodeInterpreterCallCompletedEvent:
    """A code interpreter call finished."""

    type: Literal["response.code_interpreter_call.completed"] = (
        "response.code_interpreter_call.completed"
    )
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseCodeInterpreterCallInProgressEvent:
    """A code interpreter call started."""

    type: Literal["response.code_interpreter_call.in_progress"] = (
        "response.code_interpreter_call.in_progress"
    )
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseCodeInterpreterCallInterpretingEvent:
    """A code interpreter call is running its code."""

    type: Literal["response.code_interpreter_call.interpreting"] = (
        "response.code_interpreter_call.interpreting"
    )
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseCodeInterpreterCallCodeDeltaEvent:
    """A chunk of the code a code interpreter call runs."""

    type: Literal["response.code_interpreter_call_code.delta"] = (
        "response.code_interpreter_call_code.delta"
    )
    sequence_number: int
    output_index: int
    item_id: str
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseCodeInterpreterCallCodeDoneEvent:
    """The code of a code interpreter call is complete."""

    type: Literal["response.code_interpreter_call_code.done"] = (
        "response.code_interpreter_call_code.done"
    )
    sequence_number: int
    output_index: int
    item_id: str
    code: str


@event_model
class ResponseCompactionCompactingEvent:
    """A compaction item is being produced."""

    type: Literal["response.compaction.compacting"] = "response.compaction.compacting"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseContentPartAddedEvent:
    """A content part was added to a message or reasoning item."""

    type: Literal["response.content_part.added"] = "response.content_part.added"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    part: ContentPart


@event_model
class ResponseContentPartDoneEvent:
    """A content part is complete."""

    type: Literal["response.content_part.done"] = "response.content_part.done"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    part: ContentPart


@event_model
class ResponseCustomToolCallInputDeltaEvent:
    """A chunk of a custom tool call's input."""

    type: Literal["response.custom_tool_call_input.delta"] = "response.custom_tool_call_input.delta"
    sequence_number: int
    output_index: int
    item_id: str
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseCustomToolCallInputDoneEvent:
    """A custom tool call's input is complete."""

    type: Literal["response.custom_tool_call_input.done"] = "response.custom_tool_call_input.done"
    sequence_number: int
    output_index: int
    item_id: str
    input: str


@event_model
class ResponseFileSearchCallCompletedEvent:
    """A file search call finished."""

    type: Literal["response.file_search_call.completed"] = "response.file_search_call.completed"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseFileSearchCallInProgressEvent:
    """A file search call started."""

    type: Literal["response.file_search_call.in_progress"] = "response.file_search_call.in_progress"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseFileSearchCallSearchingEvent:
    """A file search call is searching."""

    type: Literal["response.file_search_call.searching"] = "response.file_search_call.searching"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseFunctionCallArgumentsDeltaEvent:
    """A chunk of a function call's JSON arguments."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    sequence_number: int
    output_index: int
    item_id: str
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseFunctionCallArgumentsDoneEvent:
    """A function call's arguments are complete."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    sequence_number: int
    output_index: int
    item_id: str
    arguments: str


@event_model
class ResponseImageGenerationCallCompletedEvent:
    """An image generation call finished."""

    type: Literal["response.image_generation_call.completed"] = (
        "response.image_generation_call.completed"
    )
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseImageGenerationCallGeneratingEvent:
    """An image generation call is generating."""

    type: Literal["response.image_generation_call.generating"] = (
        "response.image_generation_call.generating"
    )
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseImageGenerationCallInProgressEvent:
    """An image generation call started."""

    type: Literal["response.image_generation_call.in_progress"] = (
        "response.image_generation_call.in_progress"
    )
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseImageGenerationCallPartialImageEvent:
    """A partial image (base64) while an image is generated."""

    type: Literal["response.image_generation_call.partial_image"] = (
        "response.image_generation_call.partial_image"
    )
    sequence_number: int
    output_index: int
    item_id: str
    partial_image_index: int
    partial_image_b64: str
    background: str | None = None
    output_format: str | None = None
    quality: str | None = None
    size: str | None = None


@event_model
class ResponseMcpCallCompletedEvent:
    """An MCP tool call finished."""

    type: Literal["response.mcp_call.completed"] = "response.mcp_call.completed"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseMcpCallFailedEvent:
    """An MCP tool call failed."""

    type: Literal["response.mcp_call.failed"] = "response.mcp_call.failed"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseMcpCallInProgressEvent:
    """An MCP tool call started."""

    type: Literal["response.mcp_call.in_progress"] = "response.mcp_call.in_progress"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseMcpCallArgumentsDeltaEvent:
    """A chunk of an MCP tool call's JSON arguments."""

    type: Literal["response.mcp_call_arguments.delta"] = "response.mcp_call_arguments.delta"
    sequence_number: int
    output_index: int
    item_id: str
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseMcpCallArgumentsDoneEvent:
    """An MCP tool call's arguments are complete."""

    type: Literal["response.mcp_call_arguments.done"] = "response.mcp_call_arguments.done"
    sequence_number: int
    output_index: int
    item_id: str
    arguments: str


@event_model
class ResponseMcpListToolsCompletedEvent:
    """Listing an MCP server's tools finished."""

    type: Literal["response.mcp_list_tools.completed"] = "response.mcp_list_tools.completed"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseMcpListToolsFailedEvent:
    """Listing an MCP server's tools failed."""

    type: Literal["response.mcp_list_tools.failed"] = "response.mcp_list_tools.failed"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseMcpListToolsInProgressEvent:
    """Listing an MCP server's tools started."""

    type: Literal["response.mcp_list_tools.in_progress"] = "response.mcp_list_tools.in_progress"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseOutputItemAddedEvent:
    """An output item was added (``item`` is its initial state)."""

    type: Literal["response.output_item.added"] = "response.output_item.added"
    sequence_number: int
    output_index: int
    item: OutputItem


@event_model
class ResponseOutputItemDoneEvent:
    """An output item is complete (``item`` is its final state)."""

    type: Literal["response.output_item.done"] = "response.output_item.done"
    sequence_number: int
    output_index: int
    item: OutputItem


@event_model
class ResponseOutputTextAnnotationAddedEvent:
    """An annotation was added to an output text part."""

    type: Literal["response.output_text.annotation.added"] = "response.output_text.annotation.added"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    annotation_index: int
    annotation: Annotation | None = None


@event_model
class ResponseOutputTextDeltaEvent:
    """A chunk of output text."""

    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    delta: str
    logprobs: list[Logprob]
    obfuscation: str | None = None


@event_model
class ResponseOutputTextDoneEvent:
    """An output text part is complete; ``text`` is all of it."""

    type: Literal["response.output_text.done"] = "response.output_text.done"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    text: str
    logprobs: list[Logprob]


@event_model
class ResponseReasoningSummaryPartAddedEvent:
    """A reasoning summary part was added."""

    type: Literal["response.reasoning_summary_part.added"] = "response.reasoning_summary_part.added"
    sequence_number: int
    output_index: int
    item_id: str
    summary_index: int
    part: SummaryText


@event_model
class ResponseReasoningSummaryPartDoneEvent:
    """A reasoning summary part is complete."""

    type: Literal["response.reasoning_summary_part.done"] = "response.reasoning_summary_part.done"
    sequence_number: int
    output_index: int
    item_id: str
    summary_index: int
    part: SummaryText
    status: str | None = None


@event_model
class ResponseReasoningSummaryTextDeltaEvent:
    """A chunk of reasoning summary text."""

    type: Literal["response.reasoning_summary_text.delta"] = "response.reasoning_summary_text.delta"
    sequence_number: int
    output_index: int
    item_id: str
    summary_index: int
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseReasoningSummaryTextDoneEvent:
    """A reasoning summary text is complete."""

    type: Literal["response.reasoning_summary_text.done"] = "response.reasoning_summary_text.done"
    sequence_number: int
    output_index: int
    item_id: str
    summary_index: int
    text: str


@event_model
class ResponseReasoningTextDeltaEvent:
    """A chunk of reasoning text."""

    type: Literal["response.reasoning_text.delta"] = "response.reasoning_text.delta"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseReasoningTextDoneEvent:
    """A reasoning text is complete."""

    type: Literal["response.reasoning_text.done"] = "response.reasoning_text.done"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    text: str


@event_model
class ResponseRefusalDeltaEvent:
    """A chunk of refusal text."""

    type: Literal["response.refusal.delta"] = "response.refusal.delta"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseRefusalDoneEvent:
    """A refusal is complete."""

    type: Literal["response.refusal.done"] = "response.refusal.done"
    sequence_number: int
    output_index: int
    item_id: str
    content_index: int
    refusal: str


@event_model
class ResponseShellCallCommandAddedEvent:
    """A command was added to a shell call."""

    type: Literal["response.shell_call_command.added"] = "response.shell_call_command.added"
    sequence_number: int
    output_index: int
    command_index: int
    command: str


@event_model
class ResponseShellCallCommandDeltaEvent:
    """A chunk of a shell call command."""

    type: Literal["response.shell_call_command.delta"] = "response.shell_call_command.delta"
    sequence_number: int
    output_index: int
    command_index: int
    delta: str
    obfuscation: str | None = None


@event_model
class ResponseShellCallCommandDoneEvent:
    """A shell call command is complete."""

    type: Literal["response.shell_call_command.done"] = "response.shell_call_command.done"
    sequence_number: int
    output_index: int
    command_index: int
    command: str


@event_model
class ResponseShellCallOutputContentDeltaEvent:
    """A chunk of a shell command's output (``{"stdout": ..., "stderr": ...}``)."""

    type: Literal["response.shell_call_output_content.delta"] = (
        "response.shell_call_output_content.delta"
    )
    sequence_number: int
    output_index: int
    item_id: str
    command_index: int
    delta: dict[str, Any]
    obfuscation: str | None = None


@event_model
class ResponseShellCallOutputContentDoneEvent:
    """A shell command's output is complete."""

    type: Literal["response.shell_call_output_content.done"] = (
        "response.shell_call_output_content.done"
    )
    sequence_number: int
    output_index: int
    item_id: str
    command_index: int
    output: list[dict[str, Any]]


@event_model
class ResponseWebSearchCallCompletedEvent:
    """A web search call finished."""

    type: Literal["response.web_search_call.completed"] = "response.web_search_call.completed"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseWebSearchCallInProgressEvent:
    """A web search call started."""

    type: Literal["response.web_search_call.in_progress"] = "response.web_search_call.in_progress"
    sequence_number: int
    output_index: int
    item_id: str


@event_model
class ResponseWebSearchCallSearchingEvent:
    """A web search call is searching."""

    type: Literal["response.web_search_call.searching"] = "response.web_search_call.searching"
    sequence_number: int
    output_index: int
    item_id: str


@model
class UnknownEvent(UnknownModel):
    """An event whose ``type`` this version does not know; ``raw`` keeps it intact."""


StreamEvent = (
    ResponseCreatedEvent
    | ResponseQueuedEvent
    | ResponseInProgressEvent
    | ResponseCompletedEvent
    | ResponseFailedEvent
    | ResponseIncompleteEvent
    | ErrorEvent
    | ResponseAudioDeltaEvent
    | ResponseAudioDoneEvent
    | ResponseAudioTranscriptDeltaEvent
    | ResponseAudioTranscriptDoneEvent
    | ResponseCodeInterpreterCallCompletedEvent
    | ResponseCodeInterpreterCallInProgressEvent
    | ResponseCodeInterpreterCallInterpretingEvent
    | ResponseCodeInterpreterCallCodeDeltaEvent
    | ResponseCodeInterpreterCallCodeDoneEvent
    | ResponseCompactionCompactingEvent
    | ResponseContentPartAddedEvent
    | ResponseContentPartDoneEvent
    | ResponseCustomToolCallInputDeltaEvent
    | ResponseCustomToolCallInputDoneEvent
    | ResponseFileSearchCallCompletedEvent
    | ResponseFileSearchCallInProgressEvent
    | ResponseFileSearchCallSearchingEvent
    | ResponseFunctionCallArgumentsDeltaEvent
    | ResponseFunctionCallArgumentsDoneEvent
    | ResponseImageGenerationCallCompletedEvent
    | ResponseImageGenerationCallGeneratingEvent
    | ResponseImageGenerationCallInProgressEvent
    | ResponseImageGenerationCallPartialImageEvent
    | ResponseMcpCallCompletedEvent
    | ResponseMcpCallFailedEvent
    | ResponseMcpCallInProgressEvent
    | ResponseMcpCallArgumentsDeltaEvent
    | ResponseMcpCallArgumentsDoneEvent
    | ResponseMcpListToolsCompletedEvent
    | ResponseMcpListToolsFailedEvent
    | ResponseMcpListToolsInProgressEvent
    | ResponseOutputItemAddedEvent
    | ResponseOutputItemDoneEvent
    | ResponseOutputTextAnnotationAddedEvent
    | ResponseOutputTextDeltaEvent
    | ResponseOutputTextDoneEvent
    | ResponseReasoningSummaryPartAddedEvent
    | ResponseReasoningSummaryPartDoneEvent
    | ResponseReasoningSummaryTextDeltaEvent
    | ResponseReasoningSummaryTextDoneEvent
    | ResponseReasoningTextDeltaEvent
    | ResponseReasoningTextDoneEvent
    | ResponseRefusalDeltaEvent
    | ResponseRefusalDoneEvent
    | ResponseShellCallCommandAddedEvent
    | ResponseShellCallCommandDeltaEvent
    | ResponseShellCallCommandDoneEvent
    | ResponseShellCallOutputContentDeltaEvent
    | ResponseShellCallOutputContentDoneEvent
    | ResponseWebSearchCallCompletedEvent
    | ResponseWebSearchCallInProgressEvent
    | ResponseWebSearchCallSearchingEvent
    | UnknownEvent
)

#: ``type`` string -> event class.
EVENT_TYPES: dict[str, type] = register_tagged_union(
    StreamEvent, get_args(StreamEvent)[:-1], UnknownEvent
)

__all__ = [
    "EVENT_TYPES",
    "StreamEvent",
    "UnknownEvent",
    "parse_event",
    *sorted(cls.__name__ for cls in EVENT_TYPES.values()),
]

# -- parse_event: the per-event hot path ---------------------------------------------------------
#
# Events made of plain JSON scalars -- every delta and progress event -- are structured by a
# function generated from their fields (``_fast_hooks.py``), four times faster than cattrs's
# generic hook and identical in results and errors; the others keep the cattrs hook.

# ``type`` -> a one-argument structure function; filled on first sight of each type.
_hooks: dict[str, Callable[[dict[str, Any]], Any]] = {}
_structure_any_event = converter.get_structure_hook(StreamEvent)


# The generated hooks among them, for the stream's own fast path.
_fast_hooks: dict[str, Callable[[dict[str, Any]], Any]] = {}


def fast_hook(tag: str) -> Callable[[dict[str, Any]], Any] | None:
    """The generated structure function of a plain-scalar event type, else None.

    It takes a payload whose ``type`` is ``tag`` and returns the event, or raises as cattrs does.
    """
    if tag not in _hooks and tag in EVENT_TYPES:
        _hook_for(tag)
    return _fast_hooks.get(tag)


def _hook_for(tag: str) -> Callable[[dict[str, Any]], Any]:
    cls = EVENT_TYPES[tag]
    hook = make_fast_hook(cls)
    if hook is not None:
        _fast_hooks[tag] = hook
    else:
        cattrs_hook = converter.get_structure_hook(cls)

        def hook(data: dict[str, Any]) -> Any:
            return cattrs_hook(data, cls)

    _hooks[tag] = hook
    return hook


def parse_event(data: dict[str, Any]) -> StreamEvent:
    """Decode one event's JSON object; a shape that does not fit raises :class:`ConversionError`.

    Same result as ``structure(data, StreamEvent)`` without the converter's generic dispatch,
    since it runs once per streamed chunk.
    """
    # The common case first: a plain dict (what orjson returns) with a type seen before.
    hook = None
    tag: Any = None
    if type(data) is dict:
        try:
            tag = data["type"]
            hook = _hooks[tag]
        except (KeyError, TypeError):  # no type, an unhashable one, or not seen yet
            pass
    if hook is None:
        tag = data.get("type") if isinstance(data, dict) else None
        if not isinstance(tag, str) or tag not in EVENT_TYPES:
            # Not a dict, or a tag we do not know: the union hook raises or makes an UnknownEvent.
            unknown: StreamEvent = _structure_any_event(data, StreamEvent)
            return unknown
        hook = _hook_for(tag)
    try:
        event: StreamEvent = hook(data)
    except ConversionError:
        raise
    except Exception as exc:  # cattrs raises many kinds; callers need one typed error
        name = EVENT_TYPES[tag].__name__
        raise ConversionError(f"{tag} event does not fit {name}: {exc!r}") from exc
    return event
