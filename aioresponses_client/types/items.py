"""Items: what a response outputs, and what a request (or the input-items listing) contains.

Class names are the CamelCase of the ``type`` (``function_call_output`` ->
``FunctionCallOutput``), except ``message``: :class:`OutputMessage` is the assistant's, and
:class:`InputMessage` is a user/system/developer one. Output items double as input items (send
them back to continue a conversation statelessly), so fields the API does not require on input
(``id``, ``status`` on tool outputs) default to ``None``.
"""

from typing import Any, Literal, get_args

from .._convert import converter, loads, register_tagged_union
from .._model import UnknownModel, model, nullable, wire
from ._hooks import register_str_or
from .content import InputContent, OutputContent, ReasoningText, SummaryText
from .tools import Tool

__all__ = [
    "INPUT_ITEM_TYPES",
    "OUTPUT_ITEM_TYPES",
    "AdditionalTools",
    "ApplyPatchCall",
    "ApplyPatchCallOutput",
    "CodeInterpreterCall",
    "Compaction",
    "CompactionTrigger",
    "ComputerCall",
    "ComputerCallOutput",
    "ConfigurationUpdate",
    "CustomToolCall",
    "CustomToolCallOutput",
    "FileSearchCall",
    "FunctionCall",
    "FunctionCallOutput",
    "ImageGenerationCall",
    "InputItem",
    "InputMessage",
    "ItemReference",
    "LocalShellCall",
    "LocalShellCallOutput",
    "McpApprovalRequest",
    "McpApprovalResponse",
    "McpCall",
    "McpListTools",
    "OutputItem",
    "OutputMessage",
    "Program",
    "ProgramOutput",
    "Reasoning",
    "ShellCall",
    "ShellCallOutput",
    "ToolSearchCall",
    "ToolSearchOutput",
    "UnknownItem",
    "WebSearchCall",
]

#: A tool output: plain text, or a list of input parts (text, images, files).
ToolOutput = str | list[InputContent]
register_str_or(ToolOutput, list[InputContent])


@model
class OutputMessage:
    """A message written by the assistant."""

    type: Literal["message"] = "message"
    id: str
    role: str = "assistant"
    status: str
    content: list[OutputContent]
    phase: str | None = None


@model
class FunctionCall:
    """A call of a function tool; ``arguments`` is a JSON string."""

    type: Literal["function_call"] = "function_call"
    call_id: str
    name: str
    arguments: str
    id: str | None = None
    status: str | None = None
    namespace: str | None = None
    async_: bool | None = wire("async", default=None)
    caller: dict[str, Any] | None = None
    created_by: str | None = None

    def parse_arguments(self) -> Any:
        """Decode ``arguments``; invalid JSON raises :class:`ConversionError`."""
        return loads(self.arguments)


@model
class FunctionCallOutput:
    """The result of a function call, sent back by the caller."""

    type: Literal["function_call_output"] = "function_call_output"
    call_id: str | None = None
    output: ToolOutput
    id: str | None = None
    status: str | None = None
    name: str | None = None
    namespace: str | None = None
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class CustomToolCall:
    """A call of a custom tool; ``input`` is free text."""

    type: Literal["custom_tool_call"] = "custom_tool_call"
    call_id: str
    name: str
    input: str
    id: str | None = None
    status: str | None = None
    namespace: str | None = None
    async_: bool | None = wire("async", default=None)
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class CustomToolCallOutput:
    """The result of a custom tool call, sent back by the caller."""

    type: Literal["custom_tool_call_output"] = "custom_tool_call_output"
    call_id: str
    output: ToolOutput
    id: str | None = None
    status: str | None = None
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class Reasoning:
    """The model's reasoning: a summary, and an encrypted blob to pass back when not stored."""

    type: Literal["reasoning"] = "reasoning"
    id: str
    summary: list[SummaryText]
    content: list[ReasoningText] | None = None
    encrypted_content: str | None = None
    status: str | None = None


@model
class FileSearchCall:
    """A file search run by the server."""

    type: Literal["file_search_call"] = "file_search_call"
    id: str
    queries: list[str]
    status: str
    results: list[dict[str, Any]] | None = None


@model
class WebSearchCall:
    """A web search run by the server; ``action`` says what it did (search, open_page, ...)."""

    type: Literal["web_search_call"] = "web_search_call"
    id: str
    status: str
    action: dict[str, Any] | None = None


@model
class ComputerCall:
    """A computer action (or batch of ``actions``) for the caller to perform."""

    type: Literal["computer_call"] = "computer_call"
    id: str
    call_id: str
    status: str
    pending_safety_checks: list[dict[str, Any]]
    action: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = None


@model
class ComputerCallOutput:
    """A screenshot after a computer call, sent back by the caller."""

    type: Literal["computer_call_output"] = "computer_call_output"
    call_id: str
    output: dict[str, Any]
    id: str | None = None
    status: str | None = None
    acknowledged_safety_checks: list[dict[str, Any]] | None = None
    created_by: str | None = None


@model
class ImageGenerationCall:
    """An image generation; ``result`` is the base64 image once done."""

    type: Literal["image_generation_call"] = "image_generation_call"
    id: str
    status: str
    result: str | None = nullable()
    action: str | None = None
    background: str | None = None
    output_format: str | None = None
    quality: str | None = None
    size: str | None = None
    revised_prompt: str | None = None
    error: dict[str, Any] | None = None
    svg_usage: dict[str, Any] | None = None


@model
class CodeInterpreterCall:
    """Code run in a container; ``outputs`` holds its logs and images."""

    type: Literal["code_interpreter_call"] = "code_interpreter_call"
    id: str
    container_id: str
    status: str
    code: str | None = nullable()
    outputs: list[dict[str, Any]] | None = nullable()


@model
class LocalShellCall:
    """A command for the caller to run with the local shell tool."""

    type: Literal["local_shell_call"] = "local_shell_call"
    id: str
    call_id: str
    status: str
    action: dict[str, Any]


@model
class LocalShellCallOutput:
    """The output of a local shell command, sent back by the caller."""

    type: Literal["local_shell_call_output"] = "local_shell_call_output"
    id: str
    output: str
    status: str | None = None


@model
class ShellCall:
    """Commands for the shell tool; ``action`` holds ``commands`` and limits."""

    type: Literal["shell_call"] = "shell_call"
    call_id: str
    action: dict[str, Any]
    id: str | None = None
    status: str | None = None
    environment: dict[str, Any] | None = None
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class ShellCallOutput:
    """The outputs of shell commands, one entry per command."""

    type: Literal["shell_call_output"] = "shell_call_output"
    call_id: str
    output: list[dict[str, Any]]
    id: str | None = None
    status: str | None = None
    max_output_length: int | None = None
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class ApplyPatchCall:
    """A file operation (create/update/delete with a diff) for the caller to apply."""

    type: Literal["apply_patch_call"] = "apply_patch_call"
    call_id: str
    status: str
    operation: dict[str, Any]
    id: str | None = None
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class ApplyPatchCallOutput:
    """Whether a patch applied, sent back by the caller."""

    type: Literal["apply_patch_call_output"] = "apply_patch_call_output"
    call_id: str
    status: str
    id: str | None = None
    output: str | None = None
    caller: dict[str, Any] | None = None
    created_by: str | None = None


@model
class McpCall:
    """A tool call on an MCP server; ``error`` is a message or an error object."""

    type: Literal["mcp_call"] = "mcp_call"
    id: str
    server_label: str
    name: str
    arguments: str
    output: str | None = None
    error: Any = None
    status: str | None = None
    approval_request_id: str | None = None


@model
class McpListTools:
    """The tools an MCP server offers."""

    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    id: str
    server_label: str
    tools: list[dict[str, Any]]
    error: str | None = None


@model
class McpApprovalRequest:
    """The model asks the caller to approve an MCP tool call."""

    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    id: str
    server_label: str
    name: str
    arguments: str


@model
class McpApprovalResponse:
    """The caller's answer to an :class:`McpApprovalRequest`."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    approval_request_id: str
    approve: bool
    id: str | None = None
    reason: str | None = None


@model
class ToolSearchCall:
    """A search among deferred tools."""

    type: Literal["tool_search_call"] = "tool_search_call"
    arguments: Any
    id: str | None = None
    call_id: str | None = None
    execution: str | None = None
    status: str | None = None
    created_by: str | None = None


@model
class ToolSearchOutput:
    """The tools a tool search found."""

    type: Literal["tool_search_output"] = "tool_search_output"
    tools: list[Tool]
    id: str | None = None
    call_id: str | None = None
    execution: str | None = None
    status: str | None = None
    created_by: str | None = None


@model
class AdditionalTools:
    """Tools added to the conversation mid-way."""

    type: Literal["additional_tools"] = "additional_tools"
    role: str
    tools: list[Tool]
    id: str | None = None


@model
class Compaction:
    """Earlier conversation state, compacted into an encrypted blob."""

    type: Literal["compaction"] = "compaction"
    encrypted_content: str
    id: str | None = None
    created_by: str | None = None


@model
class Program:
    """A program the model wrote to call tools (programmatic tool calling)."""

    type: Literal["program"] = "program"
    id: str
    call_id: str
    code: str
    fingerprint: str


@model
class ProgramOutput:
    """The result of a :class:`Program`."""

    type: Literal["program_output"] = "program_output"
    id: str
    call_id: str
    result: str
    status: str


@model
class UnknownItem(UnknownModel):
    """An item whose ``type`` this version does not know; ``raw`` keeps it intact."""


OutputItem = (
    OutputMessage
    | FunctionCall
    | FunctionCallOutput
    | CustomToolCall
    | CustomToolCallOutput
    | Reasoning
    | FileSearchCall
    | WebSearchCall
    | ComputerCall
    | ComputerCallOutput
    | ImageGenerationCall
    | CodeInterpreterCall
    | LocalShellCall
    | LocalShellCallOutput
    | ShellCall
    | ShellCallOutput
    | ApplyPatchCall
    | ApplyPatchCallOutput
    | McpCall
    | McpListTools
    | McpApprovalRequest
    | McpApprovalResponse
    | ToolSearchCall
    | ToolSearchOutput
    | AdditionalTools
    | Compaction
    | Program
    | ProgramOutput
    | UnknownItem
)
_OUTPUT_MEMBERS = get_args(OutputItem)[:-1]
#: ``type`` string -> output item class.
OUTPUT_ITEM_TYPES: dict[str, type] = register_tagged_union(OutputItem, _OUTPUT_MEMBERS, UnknownItem)


# -- input-only items ----------------------------------------------------------------------

#: A message's content: plain text, or a list of input parts.
MessageContent = str | list[InputContent]
register_str_or(MessageContent, list[InputContent])


@model
class InputMessage:
    """A user/system/developer message (``role``); ``content`` is text or input parts."""

    type: Literal["message"] = "message"
    role: str
    content: MessageContent
    id: str | None = None
    status: str | None = None
    phase: str | None = None


@model
class ItemReference:
    """A stored item, by id."""

    type: Literal["item_reference"] = "item_reference"
    id: str


@model
class ConfigurationUpdate:
    """A change of reasoning or text settings within a conversation."""

    type: Literal["configuration_update"] = "configuration_update"
    id: str | None = None
    reasoning: dict[str, Any] | None = None
    text: dict[str, Any] | None = None


@model
class CompactionTrigger:
    """Asks the server to compact the conversation at this point."""

    type: Literal["compaction_trigger"] = "compaction_trigger"
    id: str | None = None


InputItem = (
    InputMessage
    | OutputMessage
    | ItemReference
    | ConfigurationUpdate
    | CompactionTrigger
    | FunctionCall
    | FunctionCallOutput
    | CustomToolCall
    | CustomToolCallOutput
    | Reasoning
    | FileSearchCall
    | WebSearchCall
    | ComputerCall
    | ComputerCallOutput
    | ImageGenerationCall
    | CodeInterpreterCall
    | LocalShellCall
    | LocalShellCallOutput
    | ShellCall
    | ShellCallOutput
    | ApplyPatchCall
    | ApplyPatchCallOutput
    | McpCall
    | McpListTools
    | McpApprovalRequest
    | McpApprovalResponse
    | ToolSearchCall
    | ToolSearchOutput
    | AdditionalTools
    | Compaction
    | Program
    | ProgramOutput
    | UnknownItem
)
#: ``type`` string -> input item class. ``message`` maps to :class:`InputMessage`; an
#: assistant message with an ``id`` (as the input-items listing returns) is an OutputMessage.
INPUT_ITEM_TYPES: dict[str, type] = register_tagged_union(
    InputItem, [m for m in get_args(InputItem)[:-1] if m is not OutputMessage], UnknownItem
)
_structure_tagged_input = converter.get_structure_hook(InputItem)


def _structure_input_item(obj: Any, _: Any) -> Any:
    # Two classes share the "message" tag, and request bodies may leave ``type`` out of
    # messages and item references, so those cases are settled before the tag dispatch.
    if isinstance(obj, dict):
        tag = obj.get("type")
        if tag == "message" or (tag is None and "role" in obj):
            assistant = obj.get("role") == "assistant" and "id" in obj
            cls: type = OutputMessage if assistant else InputMessage
            return converter.get_structure_hook(cls)(obj, cls)
        if tag is None and "id" in obj:
            return converter.get_structure_hook(ItemReference)(obj, ItemReference)
    return _structure_tagged_input(obj, InputItem)


converter.register_structure_hook(InputItem, _structure_input_item)
