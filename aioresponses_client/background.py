"""Background responses: wait for one, or poll many at once under an anyio task group.

Background responses are durable on the server, so nothing here holds state another worker
would need: any process can ``wait`` for or ``track`` a response from its id alone.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup

from .errors import APIError, APITimeoutError, ResponseFailedError
from .resources._params import path_id

if TYPE_CHECKING:
    from ._client import AsyncResponsesClient
    from .types import Response

__all__ = [
    "TERMINAL_STATUSES",
    "BackgroundHandle",
    "Poller",
    "PollingError",
    "WaitTimeoutError",
    "wait",
]

logger = logging.getLogger("aioresponses_client")

#: Statuses after which a response never changes again.
TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "incomplete"})
# How long the shielded clean-up may spend cancelling remote responses.
_CANCEL_BUDGET = 5.0


class WaitTimeoutError(APITimeoutError):
    """``wait`` gave up before the response finished; ``last_response`` is what it last saw."""

    last_response: Response | None

    def __init__(self, message: str, *, last_response: Response | None) -> None:
        super().__init__(message)
        self.last_response = last_response


def _check_interval(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


class _Backoff:
    """Poll delays: ``interval`` x 2^n capped at ``cap``, with up to 20 % downward jitter."""

    __slots__ = ("_cap", "_next")

    def __init__(self, interval: float, cap: float) -> None:
        self._next = interval
        self._cap = max(cap, interval)

    def __call__(self) -> float:
        delay = self._next
        self._next = min(delay * 2.0, self._cap)
        # Jitter keeps thousands of pollers started together from hitting the server in step.
        return delay * (1.0 - 0.2 * random.random())


def _response_id(response_or_id: Response | str) -> str:
    if isinstance(response_or_id, str):
        return response_or_id
    rid = getattr(response_or_id, "id", None)
    if not isinstance(rid, str):
        raise TypeError(
            f"expected a Response or a response id, got {type(response_or_id).__name__}"
        )
    return rid


async def wait(
    client: AsyncResponsesClient,
    response_or_id: Response | str,
    *,
    poll_interval: float = 0.5,
    max_poll_interval: float = 5.0,
    timeout: float | None = None,
    cancel_on_timeout: bool = False,
) -> Response:
    """Poll ``retrieve`` until the response reaches a terminal status and return it.

    Polls back off exponentially from ``poll_interval`` to ``max_poll_interval`` with jitter;
    rate limits and transient errors are retried by the client's retry policy (which honours
    ``retry-after``). After ``timeout`` seconds it raises :class:`WaitTimeoutError` carrying the
    last response seen, first cancelling the remote response if ``cancel_on_timeout``.
    """
    rid = _response_id(response_or_id)
    backoff = _Backoff(
        _check_interval("poll_interval", poll_interval),
        _check_interval("max_poll_interval", max_poll_interval),
    )
    last: Response | None = None if isinstance(response_or_id, str) else response_or_id
    if last is not None and last.status in TERMINAL_STATUSES:
        return last
    with anyio.move_on_after(math.inf if timeout is None else timeout) as scope:
        while True:
            last = await client.responses.retrieve(rid)
            if last.status in TERMINAL_STATUSES:
                return last
            await anyio.sleep(backoff())
    assert scope.cancelled_caught
    if cancel_on_timeout:
        last = await _cancel_quietly(client, rid) or last
    raise WaitTimeoutError(
        f"response {rid} did not finish within {timeout} s (last status: "
        f"{last.status if last else 'unknown'})",
        last_response=last,
    )


async def _cancel_quietly(client: AsyncResponsesClient, rid: str) -> Response | None:
    """Best-effort remote cancel that runs even from a cancelled scope, within a short budget."""
    with anyio.move_on_after(_CANCEL_BUDGET, shield=True):
        try:
            return await client.responses.cancel(rid, max_retries=0)
        except APIError as exc:
            logger.warning("could not cancel background response %s: %s", rid, exc)
    return None


class BackgroundHandle:
    """One background response tracked by a :class:`Poller`."""

    __slots__ = ("_done", "_error", "index", "response", "response_id")

    def __init__(self, response_id: str, index: int, response: Response | None) -> None:
        self.response_id = response_id
        #: Position in submission order.
        self.index = index
        #: The latest state seen (the terminal one once ``done``).
        self.response = response
        self._error: BaseException | None = None
        self._done = anyio.Event()

    def __repr__(self) -> str:
        status = self.response.status if self.response else None
        return f"BackgroundHandle({self.response_id!r}, status={status!r}, done={self.done})"

    @property
    def done(self) -> bool:
        """True once the response is terminal or polling it failed for good."""
        return self._done.is_set()

    @property
    def error(self) -> BaseException | None:
        """Why polling this response failed (after the client's retries), if it did."""
        return self._error

    async def result(self) -> Response:
        """Wait for this response; raises the error that ended its polling, if any."""
        await self._done.wait()
        if self._error is not None:
            raise self._error
        assert self.response is not None
        return self.response


class Poller:
    """Create and poll many background responses at once (``client.responses.poller()``).

    Use it as ``async with client.responses.poller(max_concurrency=64) as poller:``. At most
    ``max_concurrency`` creates and polls are in flight at any time. Leaving the block normally
    waits for every response; leaving it on an exception or cancellation stops polling and, with
    ``cancel_on_exit=True``, cancels every response still running on the server.
    """

    def __init__(
        self,
        client: AsyncResponsesClient,
        *,
        max_concurrency: int = 64,
        poll_interval: float = 0.5,
        max_poll_interval: float = 5.0,
        raise_on_failure: bool = False,
        cancel_on_exit: bool = False,
    ) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise TypeError("max_concurrency must be an int")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")
        self._client = client
        self._limiter = anyio.CapacityLimiter(max_concurrency)
        self._interval = _check_interval("poll_interval", poll_interval)
        self._cap = _check_interval("max_poll_interval", max_poll_interval)
        self._raise_on_failure = raise_on_failure
        self._cancel_on_exit = cancel_on_exit
        self._handles: list[BackgroundHandle] = []
        self._finished_send, self._finished_recv = anyio.create_memory_object_stream[
            BackgroundHandle
        ](math.inf)
        self._tg: TaskGroup | None = None

    @property
    def handles(self) -> list[BackgroundHandle]:
        """Every tracked response, in submission order."""
        return list(self._handles)

    async def __aenter__(self) -> Poller:
        if self._tg is not None:
            raise RuntimeError("a Poller can be entered only once")
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._tg is not None
        if exc is not None:
            self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(exc_type, exc, tb)
        except BaseException as group:
            # raise_on_failure: surface the ResponseFailedError itself, not a one-item group.
            inner = getattr(group, "exceptions", None)
            if inner and len(inner) == 1 and isinstance(inner[0], ResponseFailedError):
                raise inner[0] from None
            raise
        finally:
            if self._cancel_on_exit and (exc is not None or self._tg.cancel_scope.cancel_called):
                await self._cancel_running()
            self._finished_send.close()
            self._finished_recv.close()

    def _group(self) -> TaskGroup:
        if self._tg is None:
            raise RuntimeError("use the Poller inside `async with client.responses.poller():`")
        return self._tg

    async def submit(self, **create_params: Any) -> BackgroundHandle:
        """Create a background response (``background=True`` is set for you) and track it."""
        group = self._group()
        if create_params.get("stream"):
            raise ValueError("submit() polls; use create(background=True, stream=True) to stream")
        create_params["background"] = True
        async with self._limiter:
            response = await self._client.responses.create(**create_params)
        handle = BackgroundHandle(response.id, len(self._handles), response)
        self._handles.append(handle)
        group.start_soon(self._poll, handle)
        return handle

    def track(self, response_or_id: Response | str) -> BackgroundHandle:
        """Adopt an existing background response (started elsewhere) and poll it."""
        group = self._group()
        response = None if isinstance(response_or_id, str) else response_or_id
        response_id = _response_id(response_or_id)
        path_id(response_id)  # a bad id fails here, not later inside the task group
        handle = BackgroundHandle(response_id, len(self._handles), response)
        self._handles.append(handle)
        group.start_soon(self._poll, handle)
        return handle

    async def _poll(self, handle: BackgroundHandle) -> None:
        backoff = _Backoff(self._interval, self._cap)
        try:
            response = handle.response
            while response is None or response.status not in TERMINAL_STATUSES:
                if response is not None:
                    await anyio.sleep(backoff())
                async with self._limiter:
                    response = await self._client.responses.retrieve(handle.response_id)
                handle.response = response
        except APIError as exc:
            # Reported on this handle only: one bad response never kills its siblings.
            handle._error = exc
        else:
            if self._raise_on_failure and response.status == "failed":
                handle._error = ResponseFailedError(response, request_id=None)
                handle._done.set()
                raise handle._error
        handle._done.set()
        self._finished_send.send_nowait(handle)

    async def as_completed(self) -> AsyncIterator[Response]:
        """Each terminal Response as it finishes (failed ones included).

        Responses whose polling failed are not yielded; once every tracked response is done, a
        :class:`PollingError` lists them so none is silently lost.
        """
        failed: list[BackgroundHandle] = []
        seen = 0
        while seen < len(self._handles):
            handle = await self._finished_recv.receive()
            seen += 1
            if handle.error is not None:
                failed.append(handle)
            else:
                assert handle.response is not None
                yield handle.response
        if failed:
            raise PollingError(failed)

    async def results(self, *, return_exceptions: bool = False) -> list[Response | BaseException]:
        """Every response, in submission order, once all are done.

        A response whose polling failed raises its error (after all others finished), or with
        ``return_exceptions=True`` takes its place in the list.
        """
        out: list[Response | BaseException] = []
        for handle in list(self._handles):
            try:
                out.append(await handle.result())
            except APIError as exc:
                if not return_exceptions:
                    for other in self._handles:
                        await other._done.wait()
                    raise
                out.append(exc)
        return out

    async def _cancel_running(self) -> None:
        running = [h for h in self._handles if not h.done]
        if not running:
            return
        with anyio.move_on_after(_CANCEL_BUDGET, shield=True):
            async with anyio.create_task_group() as tg:
                for handle in running:
                    tg.start_soon(self._cancel_one, handle)

    async def _cancel_one(self, handle: BackgroundHandle) -> None:
        async with self._limiter:
            response = await _cancel_quietly(self._client, handle.response_id)
        if response is not None:
            handle.response = response


class PollingError(APIError):
    """Polling some responses failed for good; ``handles`` says which and ``handle.error`` why."""

    handles: list[BackgroundHandle]

    def __init__(self, handles: list[BackgroundHandle]) -> None:
        ids = ", ".join(h.response_id for h in handles[:5])
        more = f" and {len(handles) - 5} more" if len(handles) > 5 else ""
        super().__init__(f"polling failed for {len(handles)} response(s): {ids}{more}")
        self.handles = handles
