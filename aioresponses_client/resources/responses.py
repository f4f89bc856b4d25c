"""The ``/responses`` endpoints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from .._pagination import AsyncPaginator, Page
from .._sentinel import NOT_GIVEN, NotGivenOr
from ..streaming import AsyncResponseStream, TextStream, open_stream
from ..types import CompactedResponse, InputItem, InputTokenCount, Response
from . import _params as p

if TYPE_CHECKING:
    from .._client import AsyncResponsesClient
    from .._structured import ParsedResponse, ParsedResponseStream
    from ..background import Poller
    from ..tools import ToolRunResult, ToolRunStream

_T = TypeVar("_T")

#: What ``input`` accepts: a string, or a list of item dicts / typed input items.
ResponseInput = str | Sequence[Mapping[str, Any] | Any]


class Responses:
    """``client.responses``: create, retrieve, delete, cancel and compact responses."""

    def __init__(self, client: AsyncResponsesClient) -> None:
        self._client = client
        self.input_items = InputItems(client)
        self.input_tokens = InputTokens(client)

    @overload
    async def create(
        self,
        *,
        model: str,
        input: NotGivenOr[ResponseInput] = NOT_GIVEN,
        instructions: NotGivenOr[str | None] = NOT_GIVEN,
        previous_response_id: NotGivenOr[str | None] = NOT_GIVEN,
        tools: NotGivenOr[Iterable[Any] | None] = NOT_GIVEN,
        tool_choice: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        background: NotGivenOr[bool | None] = NOT_GIVEN,
        reasoning: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        max_output_tokens: NotGivenOr[int | None] = NOT_GIVEN,
        temperature: NotGivenOr[float | None] = NOT_GIVEN,
        top_p: NotGivenOr[float | None] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str] | None] = NOT_GIVEN,
        store: NotGivenOr[bool | None] = NOT_GIVEN,
        include: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
        text: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        parallel_tool_calls: NotGivenOr[bool | None] = NOT_GIVEN,
        truncation: NotGivenOr[Literal["auto", "disabled"] | None] = NOT_GIVEN,
        conversation: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        service_tier: NotGivenOr[str | None] = NOT_GIVEN,
        safety_identifier: NotGivenOr[str | None] = NOT_GIVEN,
        prompt_cache_key: NotGivenOr[str | None] = NOT_GIVEN,
        stream_options: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        stream: Literal[False] = False,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        input: NotGivenOr[ResponseInput] = NOT_GIVEN,
        instructions: NotGivenOr[str | None] = NOT_GIVEN,
        previous_response_id: NotGivenOr[str | None] = NOT_GIVEN,
        tools: NotGivenOr[Iterable[Any] | None] = NOT_GIVEN,
        tool_choice: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        background: NotGivenOr[bool | None] = NOT_GIVEN,
        reasoning: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        max_output_tokens: NotGivenOr[int | None] = NOT_GIVEN,
        temperature: NotGivenOr[float | None] = NOT_GIVEN,
        top_p: NotGivenOr[float | None] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str] | None] = NOT_GIVEN,
        store: NotGivenOr[bool | None] = NOT_GIVEN,
        include: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
        text: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        parallel_tool_calls: NotGivenOr[bool | None] = NOT_GIVEN,
        truncation: NotGivenOr[Literal["auto", "disabled"] | None] = NOT_GIVEN,
        conversation: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        service_tier: NotGivenOr[str | None] = NOT_GIVEN,
        safety_identifier: NotGivenOr[str | None] = NOT_GIVEN,
        prompt_cache_key: NotGivenOr[str | None] = NOT_GIVEN,
        stream_options: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        stream: Literal[True],
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncResponseStream: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        input: NotGivenOr[ResponseInput] = NOT_GIVEN,
        instructions: NotGivenOr[str | None] = NOT_GIVEN,
        previous_response_id: NotGivenOr[str | None] = NOT_GIVEN,
        tools: NotGivenOr[Iterable[Any] | None] = NOT_GIVEN,
        tool_choice: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        background: NotGivenOr[bool | None] = NOT_GIVEN,
        reasoning: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        max_output_tokens: NotGivenOr[int | None] = NOT_GIVEN,
        temperature: NotGivenOr[float | None] = NOT_GIVEN,
        top_p: NotGivenOr[float | None] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str] | None] = NOT_GIVEN,
        store: NotGivenOr[bool | None] = NOT_GIVEN,
        include: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
        text: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        parallel_tool_calls: NotGivenOr[bool | None] = NOT_GIVEN,
        truncation: NotGivenOr[Literal["auto", "disabled"] | None] = NOT_GIVEN,
        conversation: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        service_tier: NotGivenOr[str | None] = NOT_GIVEN,
        safety_identifier: NotGivenOr[str | None] = NOT_GIVEN,
        prompt_cache_key: NotGivenOr[str | None] = NOT_GIVEN,
        stream_options: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        stream: bool,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response | AsyncResponseStream: ...

    async def create(
        self,
        *,
        model: str,
        input: NotGivenOr[ResponseInput] = NOT_GIVEN,
        instructions: NotGivenOr[str | None] = NOT_GIVEN,
        previous_response_id: NotGivenOr[str | None] = NOT_GIVEN,
        tools: NotGivenOr[Iterable[Any] | None] = NOT_GIVEN,
        tool_choice: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        background: NotGivenOr[bool | None] = NOT_GIVEN,
        reasoning: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        max_output_tokens: NotGivenOr[int | None] = NOT_GIVEN,
        temperature: NotGivenOr[float | None] = NOT_GIVEN,
        top_p: NotGivenOr[float | None] = NOT_GIVEN,
        metadata: NotGivenOr[Mapping[str, str] | None] = NOT_GIVEN,
        store: NotGivenOr[bool | None] = NOT_GIVEN,
        include: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
        text: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        parallel_tool_calls: NotGivenOr[bool | None] = NOT_GIVEN,
        truncation: NotGivenOr[Literal["auto", "disabled"] | None] = NOT_GIVEN,
        conversation: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        service_tier: NotGivenOr[str | None] = NOT_GIVEN,
        safety_identifier: NotGivenOr[str | None] = NOT_GIVEN,
        prompt_cache_key: NotGivenOr[str | None] = NOT_GIVEN,
        stream_options: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        stream: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response | AsyncResponseStream:
        """Create a response (``POST /responses``).

        Parameters left out are not sent; ``None`` is sent as JSON ``null``.
        ``input`` is a string, or a list of message dicts / typed input items.
        With ``stream=True`` it returns an :class:`AsyncResponseStream` (use ``async with``).
        """
        p.check_str("model", model, optional=False)
        p.check_input(input)
        p.check_str("previous_response_id", previous_response_id)
        p.check_list("tools", tools)
        p.check_list("include", include)
        p.check_int("max_output_tokens", max_output_tokens, low=1)
        p.check_bool("stream", stream)
        if previous_response_id and conversation:
            raise ValueError("pass either previous_response_id or conversation, not both")
        payload = p.body(
            model=model,
            input=input,
            instructions=instructions,
            previous_response_id=previous_response_id,
            tools=tools if tools is NOT_GIVEN or tools is None else list(tools),
            tool_choice=tool_choice,
            background=background,
            reasoning=reasoning,
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            top_p=top_p,
            metadata=metadata,
            store=store,
            include=include,
            text=text,
            parallel_tool_calls=parallel_tool_calls,
            truncation=truncation,
            conversation=conversation,
            service_tier=service_tier,
            safety_identifier=safety_identifier,
            prompt_cache_key=prompt_cache_key,
            stream_options=stream_options,
        )
        p.merge_extra(payload, extra_body)
        if stream:
            payload["stream"] = True
            return await open_stream(
                self._client,
                "POST",
                "/responses",
                resume_query=_resume_query(include, stream_options),
                body=payload,
                extra_headers=extra_headers,
                timeout=timeout,
                max_retries=max_retries,
            )
        if stream_options is not NOT_GIVEN:
            raise ValueError("stream_options is only valid with stream=True")
        return await self._client.request_model(
            Response,
            "POST",
            "/responses",
            body=payload,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )

    def stream_text(self, **params: Any) -> TextStream:
        """Start a streamed response and iterate only its output text deltas.

        Takes the parameters of :meth:`create` (without ``stream``). Use it as
        ``async with client.responses.stream_text(...) as deltas: async for d in deltas``
        so the connection is released even if you stop early.
        """
        if "stream" in params:
            raise TypeError("stream_text() always streams; do not pass stream=")

        async def opener() -> AsyncResponseStream:
            stream: AsyncResponseStream = await self.create(stream=True, **params)
            return stream

        return TextStream(opener)

    @overload
    async def parse(
        self, *, text_format: type[_T], stream: Literal[False] = False, **params: Any
    ) -> ParsedResponse[_T]: ...

    @overload
    async def parse(
        self, *, text_format: type[_T], stream: Literal[True], **params: Any
    ) -> ParsedResponseStream[_T]: ...

    async def parse(
        self, *, text_format: type[_T], stream: bool = False, **params: Any
    ) -> ParsedResponse[_T] | ParsedResponseStream[_T]:
        """Create a response whose output is JSON fitting the attrs class ``text_format``.

        Takes the parameters of :meth:`create`; ``text.format`` is set to the class's strict
        JSON schema (other ``text`` keys are kept). Returns a ``ParsedResponse`` whose
        ``output_parsed`` is a ``text_format`` instance (``None`` with ``refusal`` set when the
        model refused); output that does not fit raises ``StructuredOutputError``. With
        ``stream=True``, a ``ParsedResponseStream`` whose ``final_response()`` is parsed.
        """
        from .._structured import ParsedResponseStream, parse_response, text_param

        params["text"] = text_param(params.get("text", NOT_GIVEN), text_format)
        if stream:
            raw: AsyncResponseStream = await self.create(stream=True, **params)
            return ParsedResponseStream(raw, text_format)
        response: Response = await self.create(**params)
        return parse_response(response, text_format)

    @overload
    async def run_tools(
        self,
        *,
        tools: Sequence[Any],
        max_turns: int = 10,
        tool_timeout: float | None = None,
        text_format: None = None,
        **params: Any,
    ) -> ToolRunResult[None]: ...

    @overload
    async def run_tools(
        self,
        *,
        tools: Sequence[Any],
        max_turns: int = 10,
        tool_timeout: float | None = None,
        text_format: type[_T],
        **params: Any,
    ) -> ToolRunResult[_T]: ...

    async def run_tools(
        self,
        *,
        tools: Sequence[Any],
        max_turns: int = 10,
        tool_timeout: float | None = None,
        text_format: type[_T] | None = None,
        **params: Any,
    ) -> ToolRunResult[_T] | ToolRunResult[None]:
        """Let the model call Python functions until it answers; a ``ToolRunResult``.

        ``tools`` holds functions (or ``function_tool(...)`` objects), and any other tool
        definitions to pass on. Each turn's function calls run concurrently; a tool that
        raises, times out (``tool_timeout`` seconds each) or is unknown tells the model so in
        its output. Turns are chained with ``previous_response_id`` (``conversation`` when
        given; the whole history when ``store=False``). More than ``max_turns`` responses
        raises ``MaxTurnsExceededError``. ``text_format`` parses the final answer as in
        :meth:`parse`. The other parameters are those of :meth:`create`.
        """
        from ..tools import ToolRunner

        runner = ToolRunner(
            self,
            tools=tools,
            max_turns=max_turns,
            tool_timeout=tool_timeout,
            text_format=text_format,
            params=params,
        )
        return await runner.run()

    @overload
    def stream_tools(
        self,
        *,
        tools: Sequence[Any],
        max_turns: int = 10,
        tool_timeout: float | None = None,
        text_format: None = None,
        **params: Any,
    ) -> ToolRunStream[None]: ...

    @overload
    def stream_tools(
        self,
        *,
        tools: Sequence[Any],
        max_turns: int = 10,
        tool_timeout: float | None = None,
        text_format: type[_T],
        **params: Any,
    ) -> ToolRunStream[_T]: ...

    def stream_tools(
        self,
        *,
        tools: Sequence[Any],
        max_turns: int = 10,
        tool_timeout: float | None = None,
        text_format: type[_T] | None = None,
        **params: Any,
    ) -> ToolRunStream[_T] | ToolRunStream[None]:
        """:meth:`run_tools`, streaming: the events of every turn, in order.

        Use it as ``async with client.responses.stream_tools(...) as run: async for event in
        run: ...``, then ``await run.final_result()``.
        """
        from ..tools import ToolRunner, ToolRunStream

        runner = ToolRunner(
            self,
            tools=tools,
            max_turns=max_turns,
            tool_timeout=tool_timeout,
            text_format=text_format,
            params=params,
        )
        return ToolRunStream(runner)

    @overload
    async def retrieve(
        self,
        response_id: str,
        *,
        include: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        starting_after: NotGivenOr[int] = NOT_GIVEN,
        include_obfuscation: NotGivenOr[bool] = NOT_GIVEN,
        stream: Literal[False] = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response: ...

    @overload
    async def retrieve(
        self,
        response_id: str,
        *,
        include: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        starting_after: NotGivenOr[int] = NOT_GIVEN,
        include_obfuscation: NotGivenOr[bool] = NOT_GIVEN,
        stream: Literal[True],
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> AsyncResponseStream: ...

    @overload
    async def retrieve(
        self,
        response_id: str,
        *,
        include: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        starting_after: NotGivenOr[int] = NOT_GIVEN,
        include_obfuscation: NotGivenOr[bool] = NOT_GIVEN,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response | AsyncResponseStream: ...

    async def retrieve(
        self,
        response_id: str,
        *,
        include: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        starting_after: NotGivenOr[int] = NOT_GIVEN,
        include_obfuscation: NotGivenOr[bool] = NOT_GIVEN,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response | AsyncResponseStream:
        """Fetch a stored response (``GET /responses/{id}``).

        With ``stream=True`` it replays the response's events as an :class:`AsyncResponseStream`;
        ``starting_after=N`` resumes after sequence number ``N`` (e.g. a dropped stream's
        ``last_sequence_number``).
        """
        path = f"/responses/{p.path_id(response_id)}"
        p.check_list("include", include)
        p.check_int("starting_after", starting_after, low=-1)
        p.check_bool("stream", stream)
        if not stream and (starting_after is not NOT_GIVEN or include_obfuscation is not NOT_GIVEN):
            raise ValueError("starting_after and include_obfuscation need stream=True")
        query = p.body(
            include=include,
            stream=True if stream else NOT_GIVEN,
            starting_after=starting_after,
            include_obfuscation=include_obfuscation,
        )
        if stream:
            return await open_stream(
                self._client,
                "GET",
                path,
                response_id=response_id,
                resume_query=p.body(include=include, include_obfuscation=include_obfuscation),
                query=query,
                extra_headers=extra_headers,
                timeout=timeout,
                max_retries=max_retries,
            )
        return await self._client.request_model(
            Response,
            "GET",
            path,
            query=query,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def delete(
        self,
        response_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Delete a stored response (``DELETE /responses/{id}``)."""
        await self._client.request(
            "DELETE",
            f"/responses/{p.path_id(response_id)}",
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def cancel(
        self,
        response_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Response:
        """Cancel a background response (``POST /responses/{id}/cancel``).

        Only responses created with ``background=True`` can be cancelled; others give a
        :class:`BadRequestError`. Cancelling a finished response returns it unchanged.
        """
        return await self._client.request_model(
            Response,
            "POST",
            f"/responses/{p.path_id(response_id)}/cancel",
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def compact(
        self,
        response_id: str | None = None,
        *,
        model: str,
        input: NotGivenOr[ResponseInput | None] = NOT_GIVEN,
        previous_response_id: NotGivenOr[str | None] = NOT_GIVEN,
        instructions: NotGivenOr[str | None] = NOT_GIVEN,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> CompactedResponse:
        """Compact a conversation (``POST /responses/compact``).

        A positional ``response_id`` is shorthand for ``previous_response_id=``.
        """
        if response_id is not None:
            if previous_response_id is not NOT_GIVEN:
                raise ValueError("pass response_id or previous_response_id, not both")
            p.path_id(response_id)
            previous_response_id = response_id
        p.check_str("model", model, optional=False)
        p.check_input(input)
        p.check_str("previous_response_id", previous_response_id)
        payload = p.body(
            model=model,
            input=input,
            previous_response_id=previous_response_id,
            instructions=instructions,
        )
        return await self._client.request_model(
            CompactedResponse,
            "POST",
            "/responses/compact",
            body=p.merge_extra(payload, extra_body),
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def wait(
        self,
        response_or_id: Response | str,
        *,
        poll_interval: float = 0.5,
        max_poll_interval: float = 5.0,
        timeout: float | None = None,
        cancel_on_timeout: bool = False,
    ) -> Response:
        """Poll a background response until it is completed, failed, cancelled or incomplete.

        See :func:`aioresponses_client.background.wait`.
        """
        from ..background import wait

        return await wait(
            self._client,
            response_or_id,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timeout=timeout,
            cancel_on_timeout=cancel_on_timeout,
        )

    def poller(
        self,
        *,
        max_concurrency: int = 64,
        poll_interval: float = 0.5,
        max_poll_interval: float = 5.0,
        raise_on_failure: bool = False,
        cancel_on_exit: bool = False,
    ) -> Poller:
        """A :class:`~aioresponses_client.background.Poller` for many background responses."""
        from ..background import Poller

        return Poller(
            self._client,
            max_concurrency=max_concurrency,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            raise_on_failure=raise_on_failure,
            cancel_on_exit=cancel_on_exit,
        )


_InputItemPage = Page[InputItem]


def _resume_query(include: Any, stream_options: Any) -> dict[str, Any]:
    """What a reconnect of a background stream must ask for to get the same events."""
    query: dict[str, Any] = {}
    if include:
        query["include"] = include
    if isinstance(stream_options, Mapping) and "include_obfuscation" in stream_options:
        query["include_obfuscation"] = bool(stream_options["include_obfuscation"])
    return query


class InputItems:
    """``client.responses.input_items``."""

    def __init__(self, client: AsyncResponsesClient) -> None:
        self._client = client

    def list(
        self,
        response_id: str,
        *,
        after: NotGivenOr[str] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        order: NotGivenOr[Literal["asc", "desc"]] = NOT_GIVEN,
        include: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> AsyncPaginator[InputItem]:
        """The items that made up a response's input (``GET /responses/{id}/input_items``).

        ``await`` it for the first page, or ``async for item in ...`` to walk every page.
        """
        path = f"/responses/{p.path_id(response_id)}/input_items"
        p.check_str("after", after)
        p.check_int("limit", limit, low=1, high=100)
        p.check_list("include", include)
        if order is not NOT_GIVEN and order not in ("asc", "desc"):
            raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")
        base_query = p.body(limit=limit, order=order, include=include)
        client = self._client

        async def fetch(cursor: str | None) -> Page[InputItem]:
            query = dict(base_query)
            start = cursor if cursor is not None else after
            if start is not NOT_GIVEN:
                query["after"] = start
            reply = await client.request(
                "GET", path, query=query, extra_headers=extra_headers, timeout=timeout
            )
            return client.decode(reply.status, reply.headers, reply.body, _InputItemPage)

        return AsyncPaginator(fetch)


class InputTokens:
    """``client.responses.input_tokens``."""

    def __init__(self, client: AsyncResponsesClient) -> None:
        self._client = client

    async def count(
        self,
        *,
        model: str,
        input: NotGivenOr[ResponseInput | None] = NOT_GIVEN,
        instructions: NotGivenOr[str | None] = NOT_GIVEN,
        previous_response_id: NotGivenOr[str | None] = NOT_GIVEN,
        tools: NotGivenOr[Iterable[Any] | None] = NOT_GIVEN,
        tool_choice: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        reasoning: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        text: NotGivenOr[Mapping[str, Any] | None] = NOT_GIVEN,
        truncation: NotGivenOr[Literal["auto", "disabled"] | None] = NOT_GIVEN,
        parallel_tool_calls: NotGivenOr[bool | None] = NOT_GIVEN,
        conversation: NotGivenOr[str | Mapping[str, Any] | None] = NOT_GIVEN,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> InputTokenCount:
        """Count the input tokens a request would use (``POST /responses/input_tokens``)."""
        p.check_str("model", model, optional=False)
        p.check_input(input)
        p.check_str("previous_response_id", previous_response_id)
        p.check_list("tools", tools)
        payload = p.body(
            model=model,
            input=input,
            instructions=instructions,
            previous_response_id=previous_response_id,
            tools=tools if tools is NOT_GIVEN or tools is None else list(tools),
            tool_choice=tool_choice,
            reasoning=reasoning,
            text=text,
            truncation=truncation,
            parallel_tool_calls=parallel_tool_calls,
            conversation=conversation,
        )
        return await self._client.request_model(
            InputTokenCount,
            "POST",
            "/responses/input_tokens",
            body=p.merge_extra(payload, extra_body),
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
