"""The in-memory response store, conversation chains and cursor pagination of input items."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._items import Item
from ._run import Run
from ._wire import ApiError, not_found

DEFAULT_PAGE_LIMIT = 20
MAX_PAGE_LIMIT = 100


class ResponseStore:
    """Stored responses by id, plus an index of their items for ``item_reference`` lookups."""

    def __init__(self) -> None:
        self._responses: dict[str, Run] = {}
        self._items: dict[str, Item] = {}

    def put(self, stored: Run) -> None:
        """Store (or replace) *stored* and index its input and output items by id."""
        self._responses[stored.id] = stored
        for item in stored.items():
            if isinstance(item.get("id"), str):
                self._items[item["id"]] = item

    def get(self, response_id: str) -> Run:
        """The stored response, or the API's 404."""
        stored = self._responses.get(response_id)
        if stored is None:
            raise not_found("Response", response_id)
        return stored

    def delete(self, response_id: str) -> None:
        """Forget a response and its items, or raise the API's 404."""
        stored = self.get(response_id)
        del self._responses[response_id]
        for item in stored.items():
            if self._items.get(item.get("id", "")) is item:
                del self._items[item["id"]]

    def item(self, item_id: str) -> Item | None:
        """A stored input or output item by id."""
        found = self._items.get(item_id)
        if found is None:
            # Background runs produce their output after they were stored.
            for run in self._responses.values():
                for item in run.response.get("output") or []:
                    if item.get("id") == item_id:
                        return dict(item)
        return found

    def history(self, previous_response_id: str | None) -> list[Item]:
        """Items of the conversation ending at *previous_response_id*, oldest first.

        Each response contributes its input items then its output; instructions are not carried
        over, as in the API. An unknown id is the API's ``previous_response_not_found``.
        """
        if previous_response_id is None:
            return []
        if previous_response_id not in self._responses:
            raise ApiError(
                404,
                f"Previous response with id '{previous_response_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        chain: list[Run] = []
        next_id: str | None = previous_response_id
        # Walk back until the chain ends or reaches a response deleted since.
        while next_id is not None and next_id in self._responses:
            stored = self._responses[next_id]
            chain.append(stored)
            next_id = stored.response.get("previous_response_id")
        items: list[Item] = []
        for stored in reversed(chain):
            items.extend(stored.items())
        return items


def _page_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise ApiError(
            400,
            f"Invalid 'limit': expected an integer, but got '{raw}' instead.",
            param="limit",
            code="invalid_type",
        ) from None
    if limit < 1:
        raise ApiError(
            400,
            f"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got "
            f"{limit} instead.",
            param="limit",
            code="integer_below_min_value",
        )
    if limit > MAX_PAGE_LIMIT:
        raise ApiError(
            400,
            f"Invalid 'limit': integer above maximum value. Expected a value <= "
            f"{MAX_PAGE_LIMIT}, but got {limit} instead.",
            param="limit",
            code="integer_above_max_value",
        )
    return limit


def list_page(items: list[Item], query: Mapping[str, str]) -> dict[str, Any]:
    """One cursor page of *items* (kept oldest first) for an ``after``/``limit``/``order`` query."""
    limit = _page_limit(query.get("limit"))
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise ApiError(
            400,
            f"Invalid value for 'order': expected one of 'asc' or 'desc', but got '{order}'.",
            param="order",
            code="invalid_value",
        )
    ordered = items if order == "asc" else items[::-1]
    start = 0
    after = query.get("after")
    if after:
        ids = [item.get("id") for item in ordered]
        if after not in ids:
            raise ApiError(400, f"Invalid 'after': no item with id '{after}'.", param="after")
        start = ids.index(after) + 1
    page = ordered[start : start + limit]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": start + limit < len(ordered),
    }
