"""Content parts: what messages are made of, reasoning text and output-text annotations."""

from typing import Any, Literal

from .._convert import register_tagged_union
from .._model import UnknownModel, model
from ._hooks import register_optional

__all__ = [
    "Annotation",
    "ContainerFileCitation",
    "ContentPart",
    "FileCitation",
    "FilePath",
    "InputAudio",
    "InputContent",
    "InputFile",
    "InputImage",
    "InputText",
    "Logprob",
    "OutputContent",
    "OutputText",
    "ReasoningText",
    "Refusal",
    "SummaryText",
    "TopLogprob",
    "UnknownAnnotation",
    "UnknownContent",
    "UrlCitation",
]


# -- input parts ---------------------------------------------------------------------------


@model
class InputText:
    """A text part of an input message."""

    type: Literal["input_text"] = "input_text"
    text: str
    prompt_cache_breakpoint: dict[str, Any] | None = None


@model
class InputImage:
    """An image part, by URL (or data URL) or uploaded ``file_id``."""

    type: Literal["input_image"] = "input_image"
    # The API requires ``detail``; "auto" is its documented default, so builders may skip it.
    detail: str = "auto"
    image_url: str | None = None
    file_id: str | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


@model
class InputFile:
    """A file part, by ``file_id``, ``file_url`` or inline base64 ``file_data``."""

    type: Literal["input_file"] = "input_file"
    file_id: str | None = None
    file_url: str | None = None
    file_data: str | None = None
    filename: str | None = None
    detail: str | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


@model
class InputAudio:
    """An audio part; ``input_audio`` is ``{"data": <base64>, "format": "mp3" | "wav"}``."""

    type: Literal["input_audio"] = "input_audio"
    input_audio: dict[str, Any]


@model
class UnknownContent(UnknownModel):
    """A content part whose ``type`` this version does not know; ``raw`` keeps it intact."""


InputContent = InputText | InputImage | InputFile | InputAudio | UnknownContent


# -- annotations ---------------------------------------------------------------------------


@model
class FileCitation:
    """A citation of an uploaded file (file search)."""

    type: Literal["file_citation"] = "file_citation"
    file_id: str
    filename: str
    index: int


@model
class UrlCitation:
    """A citation of a web page (web search); indexes are into the part's text."""

    type: Literal["url_citation"] = "url_citation"
    url: str
    title: str
    start_index: int
    end_index: int


@model
class ContainerFileCitation:
    """A citation of a file in a code-interpreter container."""

    type: Literal["container_file_citation"] = "container_file_citation"
    container_id: str
    file_id: str
    filename: str
    start_index: int
    end_index: int


@model
class FilePath:
    """A path to a file the model generated."""

    type: Literal["file_path"] = "file_path"
    file_id: str
    index: int


@model
class UnknownAnnotation(UnknownModel):
    """An annotation whose ``type`` this version does not know; ``raw`` keeps it intact."""


Annotation = FileCitation | UrlCitation | ContainerFileCitation | FilePath | UnknownAnnotation


# -- output parts --------------------------------------------------------------------------


@model
class TopLogprob:
    """One of the most likely alternatives at a token position."""

    token: str
    logprob: float
    bytes: list[int] | None = None


@model
class Logprob:
    """The log probability of one output token (``bytes`` is absent on stream events)."""

    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] | None = None


@model
class OutputText:
    """Text written by the model, with its annotations."""

    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[Annotation]
    logprobs: list[Logprob] | None = None


@model
class Refusal:
    """The model's refusal to answer."""

    type: Literal["refusal"] = "refusal"
    refusal: str


@model
class SummaryText:
    """A piece of a reasoning summary."""

    type: Literal["summary_text"] = "summary_text"
    text: str


@model
class ReasoningText:
    """Raw reasoning text (only for models that expose it)."""

    type: Literal["reasoning_text"] = "reasoning_text"
    text: str


OutputContent = OutputText | Refusal | UnknownContent
#: What ``response.content_part.added`` / ``.done`` events carry.
ContentPart = OutputText | Refusal | ReasoningText | UnknownContent

register_tagged_union(InputContent, [InputText, InputImage, InputFile, InputAudio], UnknownContent)
register_tagged_union(
    Annotation, [FileCitation, UrlCitation, ContainerFileCitation, FilePath], UnknownAnnotation
)
register_optional(Annotation)
register_tagged_union(OutputContent, [OutputText, Refusal], UnknownContent)
register_tagged_union(ContentPart, [OutputText, Refusal, ReasoningText], UnknownContent)
