"""The httpx transport: works under asyncio and trio (through anyio)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
import httpx_sse

from ..errors import APIConnectionError, APITimeoutError
from ._base import HTTPRequest, HTTPResponse, PoolStats

if TYPE_CHECKING:
    import ssl


def _connection_error(exc: BaseException) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError()
    return APIConnectionError(f"Connection error: {type(exc).__name__}: {exc}")


class HttpxStreamingResponse:
    """An open httpx reply read chunk by chunk."""

    __slots__ = ("_events", "_resp", "headers", "status")

    def __init__(self, resp: httpx.Response) -> None:
        self._resp = resp
        self.status = resp.status_code
        self.headers = {k.lower(): v for k, v in resp.headers.items()}
        self._events: AsyncIterator[httpx_sse.ServerSentEvent] | None = None

    async def next_data(self) -> list[str] | None:
        if self._events is None:
            # httpx-sse checks the content type; the stream layer has already checked it.
            self._events = httpx_sse.EventSource(self._resp).aiter_sse()
        try:
            return [(await self._events.__anext__()).data]
        except StopAsyncIteration:
            return None
        except httpx.RequestError as exc:
            raise _connection_error(exc) from exc

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.aiter_bytes():
                yield chunk
        except httpx.RequestError as exc:
            raise _connection_error(exc) from exc

    async def read(self) -> bytes:
        try:
            return await self._resp.aread()
        except httpx.RequestError as exc:
            raise _connection_error(exc) from exc

    async def aclose(self) -> None:
        events, self._events = self._events, None
        if events is not None:
            await events.aclose()  # type: ignore[attr-defined]
        await self._resp.aclose()


class HttpxTransport:
    """Transport over ``httpx.AsyncClient``.

    Pass ``client`` to use your own ``httpx.AsyncClient``; it is then never closed by us.
    ``verify=False`` disables TLS certificate checks and must be asked for explicitly.
    """

    name = "httpx"

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        max_connections: int = 100,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self._client = client
        self._owns_client = client is None
        self._max_connections = max_connections
        self._verify = verify

    def __repr__(self) -> str:
        return f"HttpxTransport(max_connections={self._max_connections})"

    def _get_client(self) -> httpx.AsyncClient:
        client = self._client
        if client is None:
            client = self._client = httpx.AsyncClient(
                limits=httpx.Limits(
                    max_connections=self._max_connections,
                    max_keepalive_connections=self._max_connections,
                ),
                verify=self._verify,
                timeout=None,
            )
        return client

    def _build(self, request: HTTPRequest) -> httpx.Request:
        timeout = httpx.Timeout(request.read_timeout, connect=request.connect_timeout)
        return self._get_client().build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.content,
            extensions={"timeout": timeout.as_dict()},
        )

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        try:
            # Never follow redirects, even with a client of yours that does (see the aiohttp
            # transport): the client reports them as status errors.
            resp = await self._get_client().send(self._build(request), follow_redirects=False)
        except httpx.RequestError as exc:
            raise _connection_error(exc) from exc
        return HTTPResponse(
            status=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=resp.content,
        )

    async def open_stream(self, request: HTTPRequest) -> HttpxStreamingResponse:
        try:
            resp = await self._get_client().send(
                self._build(request), stream=True, follow_redirects=False
            )
        except httpx.RequestError as exc:
            raise _connection_error(exc) from exc
        return HttpxStreamingResponse(resp)

    def pool_stats(self) -> PoolStats:
        """Connections in use and idle right now (zero before the first request)."""
        # httpx exposes the pool only through its transport's private attribute.
        pool = getattr(getattr(self._client, "_transport", None), "_pool", None)
        connections = list(getattr(pool, "connections", ()))
        idle = sum(1 for c in connections if c.is_idle())
        return PoolStats(in_use=len(connections) - idle, idle=idle, limit=self._max_connections)

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
