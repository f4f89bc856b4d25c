"""Function tools from typed Python functions, and the loop that lets the model call them.

``function_tool(fn)`` describes ``fn`` to the model: its name, the docstring's summary, and a
strict JSON schema of its typed parameters (attrs classes, scalars, lists, Literals... see
:mod:`aioresponses_client.schema`). ``client.responses.run_tools(tools=[...], ...)`` then runs the
conversation: each function call the model makes is executed (concurrently within a turn) and
its result sent back, until the model answers without calling anything.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import typing
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import anyio
import anyio.to_thread
import attrs

from ._convert import converter, dumps, loads, unstructure
from ._docstring import parse_docstring
from ._sentinel import NOT_GIVEN
from .errors import APIError, ConversionError
from .resources._params import check_list
from .schema import _Builder, structure
from .types import FunctionCall, FunctionCallOutput, FunctionTool, Response

if TYPE_CHECKING:
    from .resources.responses import Responses
    from .types.events import StreamEvent

__all__ = [
    "CallableTool",
    "MaxTurnsExceededError",
    "ToolResult",
    "ToolRunResult",
    "ToolRunStream",
    "function_tool",
]

logger = logging.getLogger("aioresponses_client")

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@attrs.frozen(kw_only=True, eq=False)
class CallableTool:
    """A Python function offered to the model as a strict function tool.

    ``definition`` is what the request carries (passing the tool itself in ``tools=`` to
    ``create`` sends just that). Calling the object calls the function.
    """

    fn: Callable[..., Any]
    definition: FunctionTool
    timeout: float | None = None
    _arguments: type = attrs.field(alias="arguments_class", repr=False)

    @property
    def name(self) -> str:
        """The name the model calls the tool by."""
        return self.definition.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def parse_arguments(self, call: FunctionCall | str | Mapping[str, Any]) -> dict[str, Any]:
        """The call's arguments as keyword arguments of the function, in their declared types.

        Takes a :class:`~aioresponses_client.types.FunctionCall`, its ``arguments`` JSON, or
        the decoded dict. Arguments that do not fit raise :class:`ConversionError`.
        """
        data: Any = call
        if isinstance(call, FunctionCall):
            data = call.arguments
        if isinstance(data, str):
            data = loads(data) if data.strip() else {}
        instance: Any = structure(data, self._arguments)
        return {a.name: getattr(instance, a.name) for a in attrs.fields(self._arguments)}

    async def invoke(self, arguments: Mapping[str, Any]) -> Any:
        """Run the function with these keyword arguments (a sync one in a worker thread)."""
        if inspect.iscoroutinefunction(self.fn):
            return await self.fn(**arguments)
        # A sync function runs in a thread; if the caller stops waiting (a timeout), the thread
        # finishes on its own and its result is dropped.
        call = functools.partial(self.fn, **arguments)
        result = await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        if inspect.isawaitable(result):  # e.g. a functools.partial of an async function
            return await result
        return result


# ``create(tools=[tool])`` sends the definition.
converter.register_unstructure_hook(CallableTool, lambda tool: unstructure(tool.definition))


@overload
def function_tool(
    fn: _F,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
    timeout: float | None = None,
) -> CallableTool: ...


@overload
def function_tool(
    fn: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
    timeout: float | None = None,
) -> Callable[[_F], CallableTool]: ...


def function_tool(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
    timeout: float | None = None,
) -> CallableTool | Callable[[Callable[..., Any]], CallableTool]:
    """A strict function tool from a typed function (sync or async); also a decorator.

    The name defaults to the function's, the description to its docstring's text before any
    ``Args:``/``Parameters``/``:param`` section; parameter descriptions come from that section
    (Google, NumPy or reST style) or ``Annotated[T, "description"]``. Every parameter needs a
    type annotation; ``*args``/``**kwargs`` are not allowed. ``timeout`` (seconds) overrides
    ``run_tools``'s ``tool_timeout`` for this tool.
    """
    if fn is None:
        return lambda f: function_tool(
            f, name=name, description=description, strict=strict, timeout=timeout
        )
    if not callable(fn):
        raise TypeError(f"function_tool() needs a function, got {fn!r}")
    tool_name = name if name is not None else getattr(fn, "__name__", "")
    if not _NAME.match(tool_name):
        raise ValueError(f"tool name must match [A-Za-z0-9_-]{{1,64}}, got {tool_name!r}")
    summary, param_docs = parse_docstring(inspect.getdoc(fn))
    arguments = _arguments_class(fn, tool_name, param_docs)
    builder = _Builder(arguments, strict=strict, label=f"{tool_name}() parameter")
    parameters = builder.object_schema(arguments)
    parameters.pop("description", None)
    if builder.defs:
        parameters["$defs"] = builder.defs
    definition = FunctionTool(
        name=tool_name,
        parameters=parameters,
        strict=strict,
        description=description if description is not None else summary,
    )
    return CallableTool(fn=fn, definition=definition, timeout=timeout, arguments_class=arguments)


def _arguments_class(fn: Callable[..., Any], name: str, docs: Mapping[str, str]) -> type:
    """An attrs class with one field per parameter: what the schema describes and parses into."""
    try:
        signature = inspect.signature(fn)
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise TypeError(f"cannot read the parameters of {name}(): {exc}") from exc
    fields: dict[str, Any] = {}
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{name}() parameter {param.name!r}: *args/**kwargs are not allowed")
        if param.kind is param.POSITIONAL_ONLY:
            raise TypeError(f"{name}() parameter {param.name!r}: positional-only is not allowed")
        if param.name not in hints:
            raise TypeError(f"{name}() parameter {param.name!r} needs a type annotation")
        metadata = {"description": docs[param.name]} if param.name in docs else {}
        default = attrs.NOTHING if param.default is param.empty else param.default
        fields[param.name] = attrs.field(type=hints[param.name], default=default, metadata=metadata)
    cls = attrs.make_class(f"{name}_arguments", fields, frozen=True, kw_only=True)
    # Not a module of this package: the converter would take it for one of the API's models.
    module = getattr(fn, "__module__", None)
    if not isinstance(module, str) or module.startswith("aioresponses_client"):
        module = "tool_arguments"
    cls.__module__ = module
    return cls


# -- the loop -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ToolResult:
    """One function call the loop ran: the call, the output sent back, and any failure.

    ``error`` is the exception the tool raised (``TimeoutError`` when it ran out of time,
    ``LookupError`` for an unknown tool, ``ConversionError`` for arguments that do not fit),
    or ``None``; in every case ``output`` is what the model was told.
    """

    call: FunctionCall
    output: str
    error: BaseException | None = None


@attrs.frozen(kw_only=True)
class ToolRunResult(Generic[_T]):
    """The outcome of ``run_tools``: the final response, every turn's, every tool call's."""

    response: Response
    responses: tuple[Response, ...]
    tool_results: tuple[ToolResult, ...]

    @property
    def output_text(self) -> str:
        """The final answer's text."""
        return self.response.output_text

    @property
    def output_parsed(self) -> _T | None:
        """The final answer as ``text_format`` (when one was given and the model did not refuse)."""
        return getattr(self.response, "output_parsed", None)


class MaxTurnsExceededError(APIError):
    """The model still called tools after ``max_turns`` responses.

    ``response`` is the last response (its function calls were not run); ``responses`` and
    ``tool_results`` are everything that happened before.
    """

    response: Response
    responses: tuple[Response, ...]
    tool_results: tuple[ToolResult, ...]

    def __init__(
        self,
        max_turns: int,
        *,
        responses: tuple[Response, ...],
        tool_results: tuple[ToolResult, ...],
    ) -> None:
        super().__init__(
            f"the model was still calling tools after {max_turns} responses "
            f"(raise max_turns, or look at .response)"
        )
        self.max_turns = max_turns
        self.response = responses[-1]
        self.responses = responses
        self.tool_results = tool_results


class ToolRunner(Generic[_T]):
    """One tool loop's state: the next request's parameters, what happened so far."""

    def __init__(
        self,
        responses: Responses,
        *,
        tools: Sequence[Any],
        max_turns: int,
        tool_timeout: float | None,
        text_format: type[_T] | None,
        params: Mapping[str, Any],
    ) -> None:
        if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be an int >= 1, got {max_turns!r}")
        if tool_timeout is not None and tool_timeout <= 0:
            raise ValueError(f"tool_timeout must be None or > 0, got {tool_timeout!r}")
        if "stream" in params:
            raise TypeError("use stream_tools() to stream a tool loop; do not pass stream=")
        check_list("tools", tools)
        self._responses = responses
        self.max_turns = max_turns
        self.tool_timeout = tool_timeout
        self.text_format = text_format
        self.callables: dict[str, CallableTool] = {}
        definitions: list[Any] = []
        for tool in tools:
            if not isinstance(tool, CallableTool) and inspect.isroutine(tool):
                tool = function_tool(tool)
            if isinstance(tool, CallableTool):
                if tool.name in self.callables:
                    raise ValueError(f"two tools are named {tool.name!r}")
                self.callables[tool.name] = tool
                definitions.append(tool.definition)
            else:
                definitions.append(tool)  # a hosted tool or a definition we only pass on
        base = dict(params)
        base["tools"] = definitions
        if text_format is not None:
            from ._structured import text_param

            base["text"] = text_param(base.get("text", NOT_GIVEN), text_format)
        self._first_input = base.pop("input", NOT_GIVEN)
        self._previous_id = base.pop("previous_response_id", NOT_GIVEN)
        self._base = base
        # Without storage, previous_response_id cannot work: send the whole history instead.
        self._stateless = base.get("store") is False
        self._conversation = base.get("conversation") not in (None, NOT_GIVEN)
        self._history: list[Any] = _as_items(self._first_input) if self._stateless else []
        self._next_input: Any = self._first_input
        self.responses: list[Response] = []
        self.tool_results: list[ToolResult] = []
        self.finished = False  # the last response had no function calls

    def request(self) -> dict[str, Any]:
        """The parameters of the next ``create`` call."""
        params = dict(self._base)
        if self.responses:
            choice = params.get("tool_choice")
            if choice not in (NOT_GIVEN, None, "auto", "none"):
                # A forced choice would force a call every turn; it applies to the first one.
                params.pop("tool_choice")
        elif self._previous_id is not NOT_GIVEN:
            params["previous_response_id"] = self._previous_id
        if self._next_input is not NOT_GIVEN:
            params["input"] = self._next_input
        return params

    def calls(self, response: Response) -> list[FunctionCall]:
        """Record a turn's response; the function calls to run (none: it is the final one)."""
        self.responses.append(response)
        calls = [item for item in response.output if isinstance(item, FunctionCall)]
        self.finished = not calls
        if calls and len(self.responses) >= self.max_turns:
            raise MaxTurnsExceededError(
                self.max_turns,
                responses=tuple(self.responses),
                tool_results=tuple(self.tool_results),
            )
        return calls

    async def run_calls(self, calls: Sequence[FunctionCall]) -> None:
        """Run the calls concurrently and make their outputs the next turn's input."""
        results: list[ToolResult | None] = [None] * len(calls)

        async def run(index: int, call: FunctionCall) -> None:
            results[index] = await self.run_call(call)

        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
        done = [r for r in results if r is not None]
        self.tool_results.extend(done)
        outputs = [FunctionCallOutput(call_id=r.call.call_id, output=r.output) for r in done]
        previous = self.responses[-1]
        if self._stateless:
            self._history.extend(previous.output)
            self._history.extend(outputs)
            self._next_input = list(self._history)
        else:
            if not self._conversation:
                self._base["previous_response_id"] = previous.id
            self._next_input = outputs

    async def run_call(self, call: FunctionCall) -> ToolResult:
        """Run one call; a failure becomes the output the model reads, not an exception."""
        tool = self.callables.get(call.name)
        if tool is None:
            known = ", ".join(sorted(self.callables)) or "none"
            message = f"Error: there is no tool named {call.name!r} (available: {known})."
            return ToolResult(call=call, output=message, error=LookupError(call.name))
        try:
            arguments = tool.parse_arguments(call)
        except ConversionError as exc:
            message = f"Error: invalid arguments for {call.name}: {exc.message}"
            return ToolResult(call=call, output=message, error=exc)
        timeout = tool.timeout if tool.timeout is not None else self.tool_timeout
        scope: anyio.CancelScope | None = None
        try:
            with anyio.fail_after(timeout) as scope:
                value = await tool.invoke(arguments)
        except Exception as exc:
            if isinstance(exc, TimeoutError) and scope is not None and scope.cancelled_caught:
                message = f"Error: {call.name} did not finish within {timeout} seconds."
                logger.info("Tool %s (call %s) timed out", call.name, call.call_id)
            else:
                message = f"Error: {call.name} raised {type(exc).__name__}: {exc}"
                # Handled (the model is told), so not a warning; the traceback is kept for
                # whoever turns the logs up, and ToolResult.error has the exception.
                logger.info("Tool %s (call %s) raised", call.name, call.call_id, exc_info=exc)
            return ToolResult(call=call, output=message, error=exc)
        return ToolResult(call=call, output=_output_text(value))

    def result(self) -> ToolRunResult[_T]:
        """The outcome, once the last response had no function calls."""
        final = self.responses[-1]
        if self.text_format is not None:
            from ._structured import parse_response

            final = parse_response(final, self.text_format)
            self.responses[-1] = final
        return ToolRunResult(
            response=final,
            responses=tuple(self.responses),
            tool_results=tuple(self.tool_results),
        )

    async def run(self) -> ToolRunResult[_T]:
        """Run the loop to its final response."""
        while True:
            response: Response = await self._responses.create(**self.request())
            calls = self.calls(response)
            if not calls:
                return self.result()
            await self.run_calls(calls)

    async def events(self) -> AsyncGenerator[StreamEvent, None]:
        """Run the loop streaming every turn, yielding the events of each."""
        while True:
            async with await self._responses.create(stream=True, **self.request()) as stream:
                async for event in stream:
                    yield event
                response = await stream.final_response()
            calls = self.calls(response)
            if not calls:
                return
            await self.run_calls(calls)


def _as_items(value: Any) -> list[Any]:
    if value is NOT_GIVEN or value is None:
        return []
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    return list(value)


def _output_text(value: Any) -> str:
    """What a tool's return value tells the model: a string as is, anything else as JSON."""
    if isinstance(value, str):
        return value
    try:
        return dumps(value).decode()
    except ConversionError:
        return str(value)


class ToolRunStream(Generic[_T]):
    """``client.responses.stream_tools(...)``: the events of every turn of a tool loop.

    Iterate it inside ``async with`` (the current turn's connection is released however the
    block is left); between turns the tools run. Afterwards :meth:`final_result` gives the
    same :class:`ToolRunResult` as ``run_tools``.
    """

    def __init__(self, runner: ToolRunner[_T]) -> None:
        self.runner = runner
        self._events = runner.events()
        self._result: ToolRunResult[_T] | None = None

    async def __aenter__(self) -> ToolRunStream[_T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> ToolRunStream[_T]:
        return self

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop the loop and release the current connection (idempotent)."""
        await self._events.aclose()

    async def final_result(self) -> ToolRunResult[_T]:
        """Consume the remaining events; the loop's outcome."""
        async for _ in self:
            pass
        if not self.runner.finished:
            raise RuntimeError("the tool loop was closed before its final response")
        if self._result is None:
            self._result = self.runner.result()
        return self._result

    async def final_response(self) -> Response:
        """Consume the remaining events; the final response."""
        return (await self.final_result()).response
