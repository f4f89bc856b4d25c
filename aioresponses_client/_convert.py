"""The package's one cattrs converter, configured once, with orjson for bytes <-> dict.

Hooks for model classes are generated on first use from the field metadata declared in
``_model.py``; tagged unions dispatch on the JSON ``type`` through a dict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs
import cattrs
import orjson
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._model import NULLABLE, WIRE_NAME, UnknownModel
from .errors import ConversionError

_T = TypeVar("_T")

converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


def _is_model(cls: Any) -> bool:
    return attrs.has(cls) and cls.__module__.startswith("aioresponses_client.")


def _unstructure_factory(cls: Any) -> Callable[[Any], dict[str, Any]]:
    overrides: dict[str, Any] = {}
    for a in attrs.fields(cls):
        kw: dict[str, Any] = {}
        wire_name = a.metadata.get(WIRE_NAME)
        if wire_name:
            kw["rename"] = wire_name
        # Optional fields absent on the wire stay absent; "always sent" ones keep their null.
        if a.default is None and not a.metadata.get(NULLABLE):
            kw["omit_if_default"] = True
        if kw:
            overrides[a.name] = override(**kw)
    return make_dict_unstructure_fn(cls, converter, **overrides)


def _structure_factory(cls: Any) -> Callable[[Any, Any], Any]:
    overrides = {
        a.name: override(rename=a.metadata[WIRE_NAME])
        for a in attrs.fields(cls)
        if a.metadata.get(WIRE_NAME)
    }
    return make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]


converter.register_unstructure_hook_factory(_is_model, _unstructure_factory)
converter.register_structure_hook_factory(_is_model, _structure_factory)
converter.register_unstructure_hook(UnknownModel, lambda obj: obj.raw)


def register_tagged_union(
    union: Any, members: Iterable[type], unknown: type[UnknownModel]
) -> dict[str, type]:
    """Structure ``union`` by the ``type`` key; an unknown tag becomes ``unknown(type, raw)``.

    Returns the tag -> class mapping. Member hooks are looked up lazily, on first use of a tag,
    so importing the types costs no hook generation.
    """
    by_tag: dict[str, type] = {}
    for cls in members:
        tag = attrs.fields_dict(cls)["type"].default
        if not isinstance(tag, str):
            raise TypeError(f"{cls.__name__}.type needs a string default to be a union member")
        by_tag[tag] = cls
    hooks: dict[str, Callable[[Any, Any], Any]] = {}

    def structure(obj: Any, _: Any) -> Any:
        if not isinstance(obj, dict):
            raise ConversionError(f"expected an object with a 'type', got {type(obj).__name__}")
        tag = obj.get("type")
        if tag is not None and not isinstance(tag, str):
            raise ConversionError(f"'type' must be a string, got {type(tag).__name__}")
        hook = hooks.get(tag)  # type: ignore[arg-type]
        if hook is None:
            if tag not in by_tag:
                return unknown(type=str(tag), raw=obj)
            hook = hooks[tag] = converter.get_structure_hook(by_tag[tag])
        return hook(obj, None)

    converter.register_structure_hook(union, structure)
    converter.register_unstructure_hook(union, lambda obj: converter.unstructure(obj, type(obj)))
    return by_tag


def structure(data: Any, cls: type[_T]) -> _T:
    """Convert decoded JSON into ``cls``; any mismatch raises :class:`ConversionError`."""
    try:
        return converter.structure(data, cls)
    except ConversionError:
        raise
    except Exception as exc:  # cattrs raises many kinds; callers need one typed error
        name = getattr(cls, "__name__", repr(cls))
        raise ConversionError(f"payload does not fit {name}: {exc!r}") from exc


def unstructure(obj: Any) -> Any:
    """Convert a model (or containers of models) to plain JSON-ready data."""
    return converter.unstructure(obj)


def loads(data: bytes | str) -> Any:
    """Decode JSON; invalid JSON raises :class:`ConversionError`."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ConversionError(f"invalid JSON: {exc}") from exc


def dumps(data: Any) -> bytes:
    """Encode models and plain data as compact JSON; unencodable values raise ConversionError."""
    try:
        return orjson.dumps(data, default=_default)
    except TypeError as exc:
        raise ConversionError(f"value is not JSON-serialisable: {exc}") from exc


def _default(obj: Any) -> Any:
    if attrs.has(type(obj)):
        return converter.unstructure(obj)
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")
