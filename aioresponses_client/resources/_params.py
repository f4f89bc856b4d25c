"""Checks and encoding shared by the endpoint methods: bad input fails before any request."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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
    try:
        return quote(value, safe="").replace(".", "%2E")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not valid text (it holds a lone surrogate)") from None


def body(**params: Any) -> dict[str, Any]:
    """The JSON body (or query): every parameter that was given, ``None`` sent as ``null``.

    Each value of a known name is checked here, so every endpoint checks its parameters the
    same way, before anything is sent.
    """
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is NOT_GIVEN:
            continue
        if value is not None:
            check = _CHECKS.get(name)
            if check is not None:
                check(name, value)
        out[name] = value
    return out


def _type_error(name: str, wanted: str, value: object) -> TypeError:
    return TypeError(f"{name} must be {wanted}, not {type(value).__name__}")


def _is_object(value: object) -> bool:
    # A JSON object: a mapping, or a typed (attrs) model the converter turns into one.
    return isinstance(value, Mapping) or attrs.has(type(value))


def _want_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)


def _want_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise _type_error(name, "a bool", value)


def _want_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(name, "a number", value)
    if not math.isfinite(value):
        # JSON has no NaN or infinity: the encoder would quietly send null instead.
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def _want_object(name: str, value: object) -> None:
    if not _is_object(value):
        raise _type_error(name, "a mapping", value)


def _want_str_or_object(name: str, value: object) -> None:
    if not isinstance(value, str) and not _is_object(value):
        raise _type_error(name, "a str or a mapping", value)


def _want_str_list(name: str, value: object) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise _type_error(name, "a list of str", value)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _type_error(f"{name}[{i}]", "a str", item)


def _want_mapping(name: str, value: object) -> None:
    # What is inside is left to the encoder, which refuses what JSON cannot carry.
    if not isinstance(value, Mapping):
        raise _type_error(name, "a mapping", value)


# What each known parameter must be when it is given and not None. Values are not checked
# against the API's current vocabulary (effort levels, tiers...): new ones must go through.
_CHECKS: dict[str, Callable[[str, Any], None]] = {
    "instructions": _want_str,
    "tool_choice": _want_str_or_object,
    "background": _want_bool,
    "reasoning": _want_object,
    "temperature": _want_number,
    "top_p": _want_number,
    "metadata": _want_mapping,
    "store": _want_bool,
    "include": _want_str_list,
    "text": _want_object,
    "parallel_tool_calls": _want_bool,
    "truncation": _want_str,
    "conversation": _want_str_or_object,
    "service_tier": _want_str,
    "safety_identifier": _want_str,
    "prompt_cache_key": _want_str,
    "stream_options": _want_object,
    "include_obfuscation": _want_bool,
    "order": _want_str,
}


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


def check_bool(name: str, value: Any) -> None:
    """A flag that changes what is sent or returned must really be a bool (``"no"`` is truthy)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> None:
    if value is NOT_GIVEN or value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
