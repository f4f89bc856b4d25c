"""``AsyncResponsesClient``: configuration, auth headers, retries and timeouts.

Everything above the transport uses anyio (``fail_after``, ``sleep``) so the same code runs
on whichever event loop the transport runs on.
"""

from __future__ import annotations

import copy
import logging
import os
import platform
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlencode, urlsplit

import anyio
import attrs

from . import _convert
from ._retry import RetryPolicy
from ._transport import HTTPRequest, HTTPResponse, StreamingResponse, Transport, close_reply
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    ConversionError,
    MissingAPIKeyError,
    status_error_class,
)

if TYPE_CHECKING:
    from .resources.responses import Responses

_T = TypeVar("_T")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 600.0
DEFAULT_CONNECT_TIMEOUT = 5.0

logger = logging.getLogger("aioresponses_client")

Query = Mapping[str, Any]

_USER_AGENT = (
    f"aioresponses_client/{__version__} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)


# An HTTP field name (RFC 9110 token) and a value without line breaks, NUL or non-ASCII bytes:
# anything else is either a header injection or something one transport sends and the other
# refuses, so both refuse it up front.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
# Far beyond any real id or cursor, and below what HTTP libraries and servers refuse outright.
MAX_URL_LENGTH = 16 * 1024


def _check_base_url(url: str) -> str:
    if not isinstance(url, str):
        raise TypeError(f"base_url must be a str, not {type(url).__name__}")
    # urlsplit silently drops tabs and line breaks, but the transports would send them.
    if " " in url or not url.isprintable():
        raise ValueError("base_url must not contain spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parts.username is not None or parts.password is not None:
        # Credentials in the URL would be logged and sent everywhere; the key goes in api_key.
        raise ValueError("base_url must not contain credentials; pass api_key instead")
    if "?" in url or "#" in url:
        # Paths are appended to base_url: after a "?" or "#" they would not be the path.
        raise ValueError(f"base_url must not have a query or fragment, got {url!r}")
    try:
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError as exc:
        raise ValueError(f"base_url has an invalid port: {url!r}") from exc
    return url.rstrip("/")


def _check_headers(headers: Mapping[str, str], what: str) -> None:
    if not isinstance(headers, Mapping):
        raise TypeError(f"{what} must be a mapping, not {type(headers).__name__}")
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(
                f"{what} names and values must be str, "
                f"not {type(name).__name__}: {type(value).__name__}"
            )
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"{what}: {name!r} is not a valid header name")
        if not _HEADER_VALUE.fullmatch(value):
            # The value may be a credential: name the header, never echo the value.
            raise ValueError(
                f"{what}: the value of {name!r} has characters a header cannot carry "
                "(line breaks, NUL or non-ASCII)"
            )


def _check_max_retries(value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_retries must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"max_retries must be >= 0, got {value}")


def _check_timeout(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def _encode_query(query: Query) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        if value is None:
            continue  # a query string has no null: None means "not sent"
        if isinstance(value, (list, tuple)):
            # The API reads arrays with bracket keys: include[]=a&include[]=b.
            pairs.extend((f"{key}[]", str(v)) for v in value)
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs)


class AsyncResponsesClient:
    """An async client for the OpenAI Responses API.

    The key comes from ``api_key`` or ``OPENAI_API_KEY``; pass ``api_key=""`` explicitly for a
    server that needs none. Use it as ``async with AsyncResponsesClient() as client:`` or call
    ``await client.aclose()``; the connection pool is created lazily inside the running loop.
    ``transport`` is ``"aiohttp"`` (default), ``"httpx"`` or a transport instance such as
    ``AiohttpTransport(session=my_session)`` (a session you pass is never closed by us).
    ``max_retries`` defaults to 2 (or to ``retry_policy.max_retries`` when a policy is given).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: Transport | Literal["aiohttp", "httpx"] | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY")
        if api_key is None:
            raise MissingAPIKeyError(
                "No API key: pass AsyncResponsesClient(api_key=...) or set OPENAI_API_KEY. "
                'For a local server that needs no key, pass api_key="" explicitly.'
            )
        if not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, not {type(api_key).__name__}")
        if not _HEADER_VALUE.fullmatch(api_key):
            raise ValueError(
                "api_key has characters an HTTP header cannot carry (line breaks, NUL or "
                "non-ASCII); check how the key was loaded"
            )
        self._api_key = api_key
        self.base_url = _check_base_url(
            base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        )
        self.organization = organization or os.environ.get("OPENAI_ORG_ID")
        self.project = project or os.environ.get("OPENAI_PROJECT_ID")
        self.timeout = _check_timeout("timeout", timeout)
        self.connect_timeout = _check_timeout("connect_timeout", connect_timeout)
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise TypeError(
                f"retry_policy must be a RetryPolicy, not {type(retry_policy).__name__}"
            )
        policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        self.retry_policy = policy
        self._transport = self._make_transport(transport)
        self._owns_transport = not isinstance(transport, Transport)
        self._closed = False
        self._headers = self._build_headers(default_headers)
        self._responses: Responses | None = None

    @staticmethod
    def _make_transport(transport: Transport | str | None) -> Transport:
        if transport is None or transport == "aiohttp":
            from ._transport._aiohttp import AiohttpTransport

            return AiohttpTransport()
        if transport == "httpx":
            from ._transport._httpx import HttpxTransport

            return HttpxTransport()
        if isinstance(transport, Transport):
            return transport
        raise TypeError(f"transport must be 'aiohttp', 'httpx' or a Transport, got {transport!r}")

    def _build_headers(self, default_headers: Mapping[str, str] | None) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": _USER_AGENT,
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        if self.project:
            headers["OpenAI-Project"] = self.project
        if default_headers:
            headers.update(default_headers)
        _check_headers(headers, "default_headers")
        return headers

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt (0 disables retrying)."""
        return self.retry_policy.max_retries

    @property
    def transport(self) -> Transport:
        """The transport this client sends through."""
        return self._transport

    @property
    def responses(self) -> Responses:
        """The ``/responses`` endpoints."""
        if self._responses is None:
            from .resources.responses import Responses

            self._responses = Responses(self)
        return self._responses

    def __repr__(self) -> str:
        key = "<redacted>" if self._api_key else "<none>"
        return (
            f"AsyncResponsesClient(base_url={self.base_url!r}, api_key={key}, "
            f"transport={self._transport.name!r}, closed={self._closed})"
        )

    def with_options(
        self, *, timeout: float | None = None, max_retries: int | None = None
    ) -> AsyncResponsesClient:
        """A client sharing this one's connection pool, with other defaults.

        Closing the copy does not close the pool; close the original.
        """
        clone = copy.copy(self)
        clone._owns_transport = False
        clone._responses = None
        if timeout is not None:
            clone.timeout = _check_timeout("timeout", timeout)
        if max_retries is not None:
            clone.retry_policy = attrs.evolve(self.retry_policy, max_retries=max_retries)
        return clone

    async def __aenter__(self) -> AsyncResponsesClient:
        self._check_open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (if this client created it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_transport:
            await self._transport.aclose()

    @property
    def is_closed(self) -> bool:
        """True once ``aclose()`` was called."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                "This AsyncResponsesClient is closed; create a new client "
                "(or keep using it only inside its `async with` block)."
            )

    # -- request pipeline -------------------------------------------------------------

    def _prepare(
        self,
        method: str,
        path: str,
        *,
        query: Query | None,
        body: Any,
        extra_headers: Mapping[str, str] | None,
        timeout: float | None,
    ) -> HTTPRequest:
        self._check_open()
        url = self.base_url + path
        if query:
            url = f"{url}?{_encode_query(query)}"
        if len(url) > MAX_URL_LENGTH:
            raise ValueError(
                f"the request URL would be {len(url)} characters long (at most "
                f"{MAX_URL_LENGTH}): an id or query value is far too long"
            )
        headers = self._headers
        if body is None or extra_headers:
            headers = dict(headers)
            if body is None:
                del headers["Content-Type"]
            if extra_headers:
                _check_headers(extra_headers, "extra_headers")
                headers.update(extra_headers)
        content = None if body is None else _convert.dumps(body)
        read_timeout = self.timeout if timeout is None else _check_timeout("timeout", timeout)
        return HTTPRequest(
            method=method,
            url=url,
            headers=headers,
            content=content,
            connect_timeout=self.connect_timeout,
            read_timeout=read_timeout,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "<redacted>") if self._api_key else text

    def _redact_bytes(self, raw: bytes) -> bytes:
        return raw.replace(self._api_key.encode(), b"<redacted>") if self._api_key else raw

    def _status_error(self, status: int, headers: Mapping[str, str], raw: bytes) -> APIStatusError:
        raw = self._redact_bytes(raw)
        body: dict[str, Any] | None = None
        detail = ""
        try:
            parsed = _convert.loads(raw) if raw else None
        except ConversionError:
            parsed = None
        if isinstance(parsed, dict):
            inner = parsed.get("error", parsed)
            body = inner if isinstance(inner, dict) else parsed
            msg = body.get("message")
            if isinstance(msg, str) and msg:
                detail = f" - {msg}"
        elif raw:
            detail = f" - {raw[:200].decode('utf-8', 'replace').strip()}"
        if 300 <= status < 400:
            # Redirects are never followed: they could carry the key and the prompt elsewhere.
            location = headers.get("location", "")[:200]
            detail = f" - redirect to {location!r} not followed; set base_url to the real API"
        return status_error_class(status)(
            self._redact(f"Error code: {status}{detail}"),
            status_code=status,
            body=body,
            raw_body=raw,
            request_id=headers.get("x-request-id"),
        )

    async def _retrying(
        self, request: HTTPRequest, max_retries: int | None, *, stream: bool
    ) -> HTTPResponse | StreamingResponse:
        _check_max_retries(max_retries)
        policy = self.retry_policy
        retries = policy.max_retries if max_retries is None else max_retries
        taken = 0
        while True:
            started = time.perf_counter()
            delay: float | None
            try:
                if stream:
                    # The read timeout of the transport bounds each read of a stream.
                    reply: HTTPResponse | StreamingResponse = await self._transport.open_stream(
                        request
                    )
                else:
                    with anyio.fail_after(request.read_timeout):
                        reply = await self._transport.send(request)
            except TimeoutError:
                error: APIError = APITimeoutError()
                delay = policy.backoff(taken) if taken < retries else None
            except APIConnectionError as exc:
                error = exc
                delay = policy.backoff(taken) if taken < retries else None
            else:
                status = reply.status
                logger.debug(
                    "%s %s -> %d (request id %s, %.1f ms)",
                    request.method,
                    _path_of(request.url),
                    status,
                    reply.headers.get("x-request-id"),
                    (time.perf_counter() - started) * 1000.0,
                )
                if status < 300:
                    return reply
                if isinstance(reply, HTTPResponse):
                    raw = reply.body
                else:
                    try:
                        raw = await reply.read()
                    finally:
                        await close_reply(reply)
                error = self._status_error(status, reply.headers, raw)
                delay = (
                    policy.delay_after_status(status, reply.headers, taken)
                    if taken < retries
                    else None
                )
            if delay is None:
                raise error
            logger.info(
                "Retrying %s %s in %.3f s (retry %d of %d) after %s",
                request.method,
                _path_of(request.url),
                delay,
                taken + 1,
                retries,
                type(error).__name__,
            )
            await policy.sleep(delay)
            taken += 1

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        body: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> HTTPResponse:
        """Send a request (with retries) and return the successful raw reply.

        ``path`` is relative to ``base_url`` and must already be percent-encoded.
        Error statuses raise the matching :class:`APIStatusError` subclass.
        """
        request = self._prepare(
            method, path, query=query, body=body, extra_headers=extra_headers, timeout=timeout
        )
        reply = await self._retrying(request, max_retries, stream=False)
        assert isinstance(reply, HTTPResponse)
        return reply

    async def request_model(
        self,
        cls: type[_T],
        method: str,
        path: str,
        **kwargs: Any,
    ) -> _T:
        """Like :meth:`request`, then decode the JSON body into ``cls``."""
        reply = await self.request(method, path, **kwargs)
        return self.decode(reply.status, reply.headers, reply.body, cls)

    def decode(self, status: int, headers: Mapping[str, str], raw: bytes, cls: type[_T]) -> _T:
        """Decode a success body into ``cls``; a mismatch raises APIResponseValidationError."""
        try:
            return _convert.structure(_convert.loads(raw), cls)
        except ConversionError as exc:
            message = f"The server's reply could not be read: {exc}"
            safe = self._redact(message)
            error = APIResponseValidationError(
                safe,
                status_code=status,
                raw_body=self._redact_bytes(raw),
                request_id=headers.get("x-request-id"),
            )
            # The cause quotes the value that did not fit; drop it when that value is the key.
            raise error from (None if safe != message else exc)

    async def open_stream(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        body: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> StreamingResponse:
        """Open a streaming reply; only getting its headers is retried, never its body."""
        request = self._prepare(
            method, path, query=query, body=body, extra_headers=extra_headers, timeout=timeout
        )
        reply = await self._retrying(request, max_retries, stream=True)
        assert not isinstance(reply, HTTPResponse)
        return reply


def _path_of(url: str) -> str:
    return urlsplit(url).path
