"""Tool configurations, tagged by ``type``: what a request offers the model and a response echoes.

Class names are the CamelCase of the ``type`` plus ``Tool`` (``web_search_preview`` ->
``WebSearchPreviewTool``). Dated aliases of a tool get their own class with the same fields, so
every ``type`` string maps to exactly one class and round-trips unchanged.
"""

from typing import Any, Literal, get_args

from .._convert import register_tagged_union
from .._model import UnknownModel, model, nullable, wire
from ._hooks import StrOrObject

__all__ = [
    "TOOL_TYPES",
    "ApplyPatchTool",
    "CodeInterpreterTool",
    "ComputerTool",
    "ComputerUsePreviewTool",
    "CustomTool",
    "FileSearchTool",
    "FunctionTool",
    "ImageGenerationTool",
    "LocalShellTool",
    "McpTool",
    "NamespaceMember",
    "NamespaceTool",
    "ProgrammaticToolCallingTool",
    "ShellTool",
    "Tool",
    "ToolSearchTool",
    "UnknownTool",
    "WebSearch20250826Tool",
    "WebSearchPreview20250311Tool",
    "WebSearchPreviewTool",
    "WebSearchTool",
]


@model
class FunctionTool:
    """A function the model may call; ``parameters`` is its JSON schema."""

    type: Literal["function"] = "function"
    name: str
    parameters: dict[str, Any] | None = nullable()
    strict: bool | None = nullable()
    description: str | None = None
    defer_loading: bool | None = None
    output_schema: dict[str, Any] | None = None
    allowed_callers: list[str] | None = None
    async_: bool | None = wire("async", default=None)


@model
class CustomTool:
    """A free-form tool whose input is plain text, optionally constrained by a grammar."""

    type: Literal["custom"] = "custom"
    name: str
    description: str | None = None
    format: dict[str, Any] | None = None
    defer_loading: bool | None = None
    allowed_callers: list[str] | None = None
    async_: bool | None = wire("async", default=None)


@model
class UnknownTool(UnknownModel):
    """A tool whose ``type`` this version does not know; ``raw`` keeps it intact."""


#: What a ``namespace`` tool may group.
NamespaceMember = FunctionTool | CustomTool | UnknownTool


@model
class NamespaceTool:
    """A named group of function and custom tools."""

    type: Literal["namespace"] = "namespace"
    name: str
    description: str
    tools: list[NamespaceMember]


@model
class FileSearchTool:
    """Search the given vector stores."""

    type: Literal["file_search"] = "file_search"
    vector_store_ids: list[str]
    filters: dict[str, Any] | None = None
    max_num_results: int | None = None
    ranking_options: dict[str, Any] | None = None


@model
class WebSearchTool:
    """Search the web."""

    type: Literal["web_search"] = "web_search"
    filters: dict[str, Any] | None = None
    search_context_size: str | None = None
    user_location: dict[str, Any] | None = None
    external_web_access: bool | None = None


@model
class WebSearch20250826Tool:
    """The dated ``web_search_2025_08_26`` version of :class:`WebSearchTool`."""

    type: Literal["web_search_2025_08_26"] = "web_search_2025_08_26"
    filters: dict[str, Any] | None = None
    search_context_size: str | None = None
    user_location: dict[str, Any] | None = None
    external_web_access: bool | None = None


@model
class WebSearchPreviewTool:
    """The preview web search tool."""

    type: Literal["web_search_preview"] = "web_search_preview"
    search_context_size: str | None = None
    user_location: dict[str, Any] | None = None
    search_content_types: list[str] | None = None


@model
class WebSearchPreview20250311Tool:
    """The dated ``web_search_preview_2025_03_11`` version of :class:`WebSearchPreviewTool`."""

    type: Literal["web_search_preview_2025_03_11"] = "web_search_preview_2025_03_11"
    search_context_size: str | None = None
    user_location: dict[str, Any] | None = None
    search_content_types: list[str] | None = None


@model
class ComputerTool:
    """Let the model operate a computer (GA tool)."""

    type: Literal["computer"] = "computer"


@model
class ComputerUsePreviewTool:
    """Let the model operate a virtual computer of the given size (preview tool)."""

    type: Literal["computer_use_preview"] = "computer_use_preview"
    display_width: int
    display_height: int
    environment: str


@model
class McpTool:
    """A remote MCP server (``server_url``) or built-in connector (``connector_id``)."""

    type: Literal["mcp"] = "mcp"
    server_label: str
    server_url: str | None = None
    connector_id: str | None = None
    server_description: str | None = None
    # Each is a plain value (names list / "always" | "never") or a filter object; callers
    # pass them through, so they stay untyped rather than costing a union hook each.
    allowed_tools: Any = None
    require_approval: Any = None
    headers: dict[str, str] | None = None
    authorization: str | None = None
    tunnel_id: str | None = None
    defer_loading: bool | None = None
    allowed_callers: list[str] | None = None


@model
class CodeInterpreterTool:
    """Run Python in a container: a container id, or ``{"type": "auto", ...}``."""

    type: Literal["code_interpreter"] = "code_interpreter"
    container: StrOrObject
    allowed_callers: list[str] | None = None


@model
class ImageGenerationTool:
    """Generate or edit images."""

    type: Literal["image_generation"] = "image_generation"
    action: str | None = None
    background: str | None = None
    complexity: str | None = None
    frame_count: int | None = None
    frame_duration_ms: int | None = None
    input_fidelity: str | None = None
    input_image_mask: dict[str, Any] | None = None
    model: str | None = None
    moderation: str | None = None
    output_compression: int | None = None
    output_format: str | None = None
    partial_images: int | None = None
    quality: str | None = None
    size: str | None = None
    svg: dict[str, Any] | None = None


@model
class LocalShellTool:
    """Run shell commands on the caller's machine (the caller executes them)."""

    type: Literal["local_shell"] = "local_shell"


@model
class ShellTool:
    """Run shell commands, in a hosted container or a local environment."""

    type: Literal["shell"] = "shell"
    environment: dict[str, Any] | None = None
    allowed_callers: list[str] | None = None


@model
class ToolSearchTool:
    """Let the model search deferred tools."""

    type: Literal["tool_search"] = "tool_search"
    description: str | None = None
    execution: str | None = None
    parameters: Any = None


@model
class ApplyPatchTool:
    """Let the model propose file patches (the caller applies them)."""

    type: Literal["apply_patch"] = "apply_patch"
    allowed_callers: list[str] | None = None


@model
class ProgrammaticToolCallingTool:
    """Let the model call tools from generated programs."""

    type: Literal["programmatic_tool_calling"] = "programmatic_tool_calling"


Tool = (
    FunctionTool
    | FileSearchTool
    | WebSearchTool
    | WebSearch20250826Tool
    | WebSearchPreviewTool
    | WebSearchPreview20250311Tool
    | ComputerTool
    | ComputerUsePreviewTool
    | McpTool
    | CodeInterpreterTool
    | ImageGenerationTool
    | LocalShellTool
    | ShellTool
    | CustomTool
    | NamespaceTool
    | ToolSearchTool
    | ApplyPatchTool
    | ProgrammaticToolCallingTool
    | UnknownTool
)

register_tagged_union(NamespaceMember, [FunctionTool, CustomTool], UnknownTool)
#: ``type`` string -> tool class.
TOOL_TYPES: dict[str, type] = register_tagged_union(Tool, get_args(Tool)[:-1], UnknownTool)
