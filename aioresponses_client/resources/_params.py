"""Checks and encoding shared by the endpoint methods: bad input fails before any request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

from .._sentinel import NOT_GIVEN


def path_id(value: object, name: str = "response_id") -> str:
    """Validate an id and percent-encode it as one path segment.

    ``/`` and ``.`` are escaped too, so no id can change the path (``..`` included).
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value or value.isspace():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value, safe="").replace(".", "%2E")


def body(**params: Any) -> dict[str, Any]:
    """The JSON body: every parameter that was given, ``None`` sent as ``null``."""
    return {k: v for k, v in params.items() if v is not NOT_GIVEN}


def merge_extra(payload: dict[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise TypeError(f"extra_body must be a mapping, not {type(extra_body).__name__}")
        payload.update(extra_body)
    return payload


def check_str(name: str, value: Any, *, optional: bool = True) -> None:
    """A string parameter: ``NOT_GIVEN`` (and ``None`` when optional) pass; empty fails."""
    if value is NOT_GIVEN or (optional and value is None):
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string")


def check_input(value: Any, name: str = "input") -> None:
    """``input`` is a string or a sequence of item dicts / typed input items."""
    if value is NOT_GIVEN or value is None or isinstance(value, str):
        return
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{name} must be a str or a list of input items, not {type(value).__name__}"
        )
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) and not attrs.has(type(item)):
            raise TypeError(
                f"{name}[{i}] must be a dict or a typed input item, not {type(item).__name__}"
            )


def check_list(name: str, value: Any) -> None:
    if value is NOT_GIVEN or value is None:
        return
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list, not {type(value).__name__}")


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> None:
    if value is NOT_GIVEN or value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
