"""The default transport: one pooled ``aiohttp.ClientSession``, created inside the running loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING

import aiohttp
import anyio
from yarl import URL

from .._sse import SSEDecoder
from ..errors import APIConnectionError, APITimeoutError
from ._base import HTTPRequest, HTTPResponse, PoolStats

if TYPE_CHECKING:
    import ssl


def _connection_error(exc: BaseException) -> APIConnectionError:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return APITimeoutError()
    return APIConnectionError(f"Connection error: {type(exc).__name__}: {exc}")


def _headers(raw: Mapping[str, str]) -> dict[str, str]:
    # Lower-case once here so every lookup above the transport is a plain dict get.
    return {k.lower(): v for k, v in raw.items()}


class AiohttpStreamingResponse:
    """An open aiohttp reply read chunk by chunk."""

    __slots__ = ("_decoder", "_resp", "headers", "status")

    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self._resp = resp
        self.status = resp.status
        self.headers = _headers(resp.headers)
        self._decoder = SSEDecoder()

    async def next_data(self) -> list[bytes] | None:
        content = self._resp.content
        decoder = self._decoder
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    decoder.close()
                    return None
                found = decoder.feed_data(chunk)
                if found:
                    return found
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise _connection_error(exc) from exc

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise _connection_error(exc) from exc

    async def read(self) -> bytes:
        try:
            return await self._resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise _connection_error(exc) from exc

    async def aclose(self) -> None:
        # A body read to the end can go back to the pool; otherwise the socket must be closed,
        # or the next request on it would read the rest of this stream.
        if self._resp.content.at_eof():
            self._resp.release()
        else:
            self._resp.close()


class AiohttpTransport:
    """Transport over aiohttp (asyncio only).

    Pass ``session`` to use your own ``aiohttp.ClientSession``; it is then never closed by us.
    ``verify=False`` disables TLS certificate checks and must be asked for explicitly.
    """

    name = "aiohttp"

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        max_connections: int = 100,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._max_connections = max_connections
        self._verify = verify
        self._timeouts: dict[tuple[float, float], aiohttp.ClientTimeout] = {}
        # The session the gate was sized for, and the gate (None: the pool has no limit).
        self._gated: tuple[aiohttp.ClientSession, anyio.CapacityLimiter | None] | None = None

    def __repr__(self) -> str:
        return f"AiohttpTransport(max_connections={self._max_connections})"

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or (session.closed and self._owns_session):
            connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=self._verify)
            session = self._session = aiohttp.ClientSession(connector=connector)
        return session

    def _timeout(self, request: HTTPRequest) -> aiohttp.ClientTimeout:
        key = (request.connect_timeout, request.read_timeout)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, sock_connect=key[0], sock_read=key[1]
            )
        return timeout

    def _gate(self, session: aiohttp.ClientSession) -> anyio.CapacityLimiter | None:
        # aiohttp hands a freed connection to whichever request asks next, ahead of those
        # already waiting for one: with more requests than connections, a waiter can starve for
        # seconds (spurious timeouts). Admitting requests in FIFO order, no more at a time than
        # the pool has connections, means no request ever waits inside aiohttp.
        if self._gated is None or self._gated[0] is not session:
            limit = session.connector.limit if session.connector is not None else 0
            self._gated = (session, anyio.CapacityLimiter(limit) if limit else None)
        return self._gated[1]

    async def _open(self, request: HTTPRequest) -> aiohttp.ClientResponse:
        session = self._get_session()
        gate = self._gate(session)
        ticket = object()
        if gate is not None:
            await gate.acquire_on_behalf_of(ticket)
        try:
            resp = await session.request(
                request.method,
                URL(request.url, encoded=True),
                headers=request.headers,
                data=request.content,
                timeout=self._timeout(request),
                # A redirect would carry the body and every header but Authorization (custom
                # credential headers included) to another origin: the client reports it instead.
                allow_redirects=False,
            )
        except BaseException as exc:
            if gate is not None:
                gate.release_on_behalf_of(ticket)
            if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
                raise _connection_error(exc) from exc
            raise
        if gate is not None:
            # The place in the queue lasts exactly as long as the connection: aiohttp calls
            # this when it is released or closed, by us, at the body's end or on collection.
            connection = resp.connection
            if connection is None:  # the whole body came at once and freed it already
                gate.release_on_behalf_of(ticket)
            else:
                connection.add_callback(lambda: gate.release_on_behalf_of(ticket))
        return resp

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        resp = await self._open(request)
        try:
            body = await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise _connection_error(exc) from exc
        finally:
            resp.release()
        return HTTPResponse(status=resp.status, headers=_headers(resp.headers), body=body)

    async def open_stream(self, request: HTTPRequest) -> AiohttpStreamingResponse:
        return AiohttpStreamingResponse(await self._open(request))

    def pool_stats(self) -> PoolStats:
        """Connections in use and idle right now (zero before the first request)."""
        connector = self._session.connector if self._session is not None else None
        if connector is None:
            return PoolStats(in_use=0, idle=0, limit=self._max_connections)
        # aiohttp keeps no public count of lent-out connections; these are its own fields.
        in_use = len(getattr(connector, "_acquired", ()))
        idle = sum(len(v) for v in getattr(connector, "_conns", {}).values())
        return PoolStats(in_use=in_use, idle=idle, limit=connector.limit)

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()
