"""pytest fixtures for an offline Responses API; registered when the package is installed.

Any test can ask for them, with nothing to configure::

    async def test_my_agent(responses_server, responses_client):
        responses_server.script("Hello!")
        response = await responses_client.responses.create(model="gpt-test", input="hi")
        assert response.output_text == "Hello!"

- ``responses_server``: a started :class:`~aioresponses_client.testing.ResponsesServer`, built
  with the keyword arguments of ``responses_server_options`` (override that fixture to set
  e.g. ``background_duration``).
- ``responses_client``: an ``AsyncResponsesClient`` pointed at it; the test runs once per
  transport (``responses_transport``: "aiohttp", then "httpx"; override it to pin one).

The fixtures are async: they run under pytest-asyncio (any mode) and, without it, under anyio's
pytest plugin. Imports happen inside the fixtures, so merely installing the package costs a
pytest session nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from aioresponses_client import AsyncResponsesClient
    from aioresponses_client.testing import ResponsesServer

_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture(function: _F) -> _F:
    """An async fixture under pytest-asyncio when it is installed (so strict mode works too)."""
    try:
        import pytest_asyncio
    except ImportError:  # anyio's plugin (or another) runs plain async fixtures
        return cast(_F, pytest.fixture(function))
    return cast(_F, pytest_asyncio.fixture(function))


@pytest.fixture
def responses_server_options() -> dict[str, Any]:
    """Keyword arguments for the ``responses_server`` fixture's ``ResponsesServer``."""
    return {}


@pytest.fixture(params=["aiohttp", "httpx"])
def responses_transport(request: pytest.FixtureRequest) -> str:
    """The transport ``responses_client`` uses: each test runs with "aiohttp" and "httpx"."""
    return str(request.param)


@_async_fixture
async def responses_server(
    responses_server_options: dict[str, Any],
) -> AsyncIterator[ResponsesServer]:
    """A started embedded Responses API server, stopped after the test."""
    from aioresponses_client.testing import ResponsesServer

    async with ResponsesServer(**responses_server_options) as server:
        yield server


@_async_fixture
async def responses_client(
    responses_server: ResponsesServer, responses_transport: str
) -> AsyncIterator[AsyncResponsesClient]:
    """An ``AsyncResponsesClient`` for ``responses_server`` over ``responses_transport``."""
    from aioresponses_client import AsyncResponsesClient

    async with AsyncResponsesClient(
        api_key=responses_server.api_key or "",
        base_url=responses_server.base_url,
        transport=responses_transport,  # type: ignore[arg-type]
    ) as client:
        yield client
