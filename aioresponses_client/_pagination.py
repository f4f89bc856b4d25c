"""Cursor pagination: await the first page, or ``async for`` over every item of every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

import attrs

_T = TypeVar("_T")


@attrs.frozen(kw_only=True)
class Page(Generic[_T]):
    """One page of a list endpoint."""

    data: list[_T]
    has_more: bool
    first_id: str | None = None
    last_id: str | None = None

    @property
    def next_cursor(self) -> str | None:
        """The ``after`` value for the next page, or None when this is the last one."""
        if not self.has_more or not self.data:
            return None
        if self.last_id:
            return self.last_id
        last_id = getattr(self.data[-1], "id", None)
        return last_id if isinstance(last_id, str) and last_id else None


class AsyncPaginator(Generic[_T]):
    """What ``input_items.list()`` returns.

    ``await paginator`` gives the first page only; ``async for item in paginator`` follows
    ``has_more``/``last_id`` across pages; ``paginator.pages()`` iterates page by page.
    """

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[_T]]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[Any, None, Page[_T]]:
        return self._fetch(None).__await__()

    async def pages(self) -> AsyncIterator[Page[_T]]:
        """Every page, fetched one at a time as you iterate."""
        cursor: str | None = None
        while True:
            page = await self._fetch(cursor)
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return

    async def __aiter__(self) -> AsyncIterator[_T]:
        async for page in self.pages():
            for item in page.data:
                yield item
