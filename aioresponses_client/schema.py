"""JSON Schema from attrs classes, fit for the API's strict mode, and the way back from JSON.

``json_schema(cls)`` describes an attrs class; ``structure(data, tp)`` turns JSON that fits such a
schema into instances. Both follow the same rules, so what one describes the other accepts:

==========================================  ====================================================
Python                                      JSON Schema
==========================================  ====================================================
``str``, ``int``, ``float``, ``bool``       ``string``, ``integer``, ``number``, ``boolean``
``None``                                    ``null``
``datetime``, ``date``, ``time``, ``UUID``  ``string`` with ``format`` (ISO 8601 / uuid)
``Literal[...]``, ``Enum`` subclasses       ``enum`` of the values (with their JSON ``type``)
``X | None``, ``Optional[X]``, ``X | Y``    ``anyOf`` (``null`` last)
``list[X]``, ``set[X]``, ``tuple[X, ...]``  ``array`` of ``X``
``dict[str, X]``                            strict: ``array`` of ``{key, value}`` entries;
                                            otherwise ``object`` with ``additionalProperties: X``
attrs classes                               ``object`` in ``$defs`` (``$ref``); the root is ``#``
``Annotated[X, ...]``, ``NewType``          as ``X`` (a string in ``Annotated`` is a description)
==========================================  ====================================================

Strict mode (the default) follows the API's rules: every object has ``additionalProperties:
false`` and lists every property as required, so a default value is not expressed (the model
always writes the field; an optional field should be typed ``X | None``). Strict mode has no way
to say "any keys", so a ``dict`` becomes a list of key/value entries, which ``structure`` turns
back into the dict. With ``strict=False``, fields with a JSON-representable default are optional
and carry ``default``, and a ``dict`` is an object with ``additionalProperties``.

Field metadata adds to a property's schema: ``attrs.field(metadata={"description": "..."})`` and
``attrs.field(metadata={"json_schema": {"minimum": 0}})`` (keywords merged in as given). A class
docstring becomes its object's ``description``. Anything else (``Any``, ``bytes``, a tuple of
fixed length, a class that is not attrs...) raises ``TypeError`` naming the class and field.
"""

from __future__ import annotations

import collections.abc
import datetime
import enum
import inspect
import re
import sys
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_mapping_structure_fn

from . import types as _types  # noqa: F401 - their union hooks must exist before the copy below
from ._convert import converter as _package_converter
from .errors import ConversionError

__all__ = ["DESCRIPTION", "JSON_SCHEMA", "json_schema", "structure"]

_T = TypeVar("_T")

#: Field metadata key whose value is the property's ``description``.
DESCRIPTION = "description"
#: Field metadata key whose value (a dict) is merged into the property's schema.
JSON_SCHEMA = "json_schema"

_PRIMITIVES: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    datetime.time: {"type": "string", "format": "time"},
    uuid.UUID: {"type": "string", "format": "uuid"},
}
_ARRAYS = {
    list,
    set,
    frozenset,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Set,
    collections.abc.MutableSet,
}
_MAPPINGS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}
_UNIONS: set[Any] = {Union, types.UnionType}
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def json_schema(cls: type, *, strict: bool = True) -> dict[str, Any]:
    """The JSON Schema of an attrs class: an ``object``, nested classes under ``$defs``.

    ``strict=True`` (the default) gives a schema the API accepts with ``strict: true``; see the
    module documentation for what each type becomes. An unsupported field type raises
    ``TypeError`` naming the class and field.
    """
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise TypeError(f"json_schema() needs an attrs class, got {cls!r}")
    builder = _Builder(cls, strict=strict)
    schema = builder.object_schema(cls)
    if builder.defs:
        schema["$defs"] = builder.defs
    return schema


class _Builder:
    """Walks the types reachable from one root class, collecting ``$defs`` on the way."""

    def __init__(self, root: type, *, strict: bool, label: str | None = None) -> None:
        self.root = root
        self.strict = strict
        self.defs: dict[str, dict[str, Any]] = {}
        self._names: dict[type, str] = {}
        # How errors name the root's fields: "Order.items", or e.g. "get_weather() parameter".
        self._label = label

    def object_schema(self, cls: type) -> dict[str, Any]:
        labelled = cls is self.root and self._label is not None
        owner = self._label if labelled else cls.__qualname__
        try:
            attrs.resolve_types(cls)
        except Exception as exc:
            raise TypeError(f"cannot resolve the type hints of {owner}: {exc}") from exc
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue  # not set from data, so not part of it
            where = f"{owner} {field.name!r}" if labelled else f"{owner}.{field.name}"
            prop = self.field_schema(field.type, where, field.metadata)
            if self.strict or field.default is attrs.NOTHING:
                required.append(field.name)
            else:
                default = _json_default(field.default)
                if default is not attrs.NOTHING:
                    prop = {**prop, "default": default}
            properties[field.name] = prop
        schema: dict[str, Any] = {"type": "object"}
        doc = cls.__dict__.get("__doc__")
        if isinstance(doc, str) and doc.strip():
            schema["description"] = inspect.cleandoc(doc)
        schema.update(properties=properties, required=required, additionalProperties=False)
        return schema

    def field_schema(self, tp: Any, where: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """The schema of one property: its type's, plus description and extra keywords."""
        description = metadata.get(DESCRIPTION)
        tp, note = _unwrap(tp)
        schema = self.schema(tp, where)
        extra: dict[str, Any] = {}
        if description is not None or note is not None:
            extra["description"] = str(description if description is not None else note)
        more = metadata.get(JSON_SCHEMA)
        if more is not None:
            if not isinstance(more, Mapping):
                raise TypeError(f"{where}: metadata[{JSON_SCHEMA!r}] must be a dict, got {more!r}")
            extra.update(more)
        if not extra:
            return schema
        if "$ref" in schema:
            # The API rejects keywords beside a $ref; a one-branch anyOf can carry them.
            schema = {"anyOf": [schema]}
        return {**schema, **extra}

    def schema(self, tp: Any, where: str) -> dict[str, Any]:
        tp, _ = _unwrap(tp)
        if tp is None:
            tp = type(None)
        primitive = _PRIMITIVES.get(tp)
        if primitive is not None:
            return dict(primitive)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return _enum_schema([m.value for m in tp], where, tp.__name__)
        if isinstance(tp, type) and attrs.has(tp):
            return self._ref(tp)
        origin, args = get_origin(tp), get_args(tp)
        if origin is Literal:
            return _enum_schema(list(args), where, "Literal")
        if origin in _UNIONS:
            return self._union(args, where)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.schema(args[0], where)}
        if origin in _ARRAYS and len(args) == 1:
            return {"type": "array", "items": self.schema(args[0], where)}
        if origin in _MAPPINGS and len(args) == 2:
            return self._mapping(args[0], args[1], where)
        if tp is Any and not self.strict:
            return {}
        raise TypeError(f"cannot build a JSON schema for {where}: {_why(tp)}")

    def _ref(self, cls: type) -> dict[str, Any]:
        if cls is self.root:
            return {"$ref": "#"}
        name = self._names.get(cls)
        if name is None:
            name = _NAME_UNSAFE.sub("_", cls.__name__)
            if name in self.defs:
                count = 2
                while f"{name}{count}" in self.defs:
                    count += 1
                name = f"{name}{count}"
            self._names[cls] = name
            self.defs[name] = {}  # reserved first, so a recursive reference finds the name
            self.defs[name] = self.object_schema(cls)
        return {"$ref": f"#/$defs/{name}"}

    def _union(self, members: tuple[Any, ...], where: str) -> dict[str, Any]:
        branches: list[dict[str, Any]] = []
        nullable = False
        for member in members:
            if member is type(None) or member is None:
                nullable = True
                continue
            schema = self.schema(member, where)
            # Flatten nested unions (e.g. an alias of a union inside another union).
            for branch in schema["anyOf"] if list(schema) == ["anyOf"] else [schema]:
                if branch == {"type": "null"}:
                    nullable = True
                elif branch not in branches:
                    branches.append(branch)
        if nullable:
            branches.append({"type": "null"})
        return branches[0] if len(branches) == 1 else {"anyOf": branches}

    def _mapping(self, key: Any, value: Any, where: str) -> dict[str, Any]:
        key_schema = self.schema(key, where)
        if key_schema.get("type") != "string":
            raise TypeError(
                f"cannot build a JSON schema for {where}: dict keys must be strings "
                f"(str, a string Literal or a string Enum), got {_why(key)}"
            )
        value_schema = self.schema(value, where)
        if self.strict:
            entry = {
                "type": "object",
                "properties": {"key": key_schema, "value": value_schema},
                "required": ["key", "value"],
                "additionalProperties": False,
            }
            return {"type": "array", "items": entry}
        schema: dict[str, Any] = {"type": "object", "additionalProperties": value_schema}
        if key_schema != {"type": "string"}:
            schema["propertyNames"] = key_schema
        return schema


def _unwrap(tp: Any) -> tuple[Any, str | None]:
    """Strip ``Annotated``, ``NewType`` and ``type X = ...`` aliases; keep a description."""
    note: str | None = None
    while True:
        if get_origin(tp) is typing.Annotated:
            args = get_args(tp)
            note = next((m for m in args[1:] if isinstance(m, str)), note)
            tp = args[0]
        elif isinstance(tp, typing.NewType):
            tp = tp.__supertype__
        elif sys.version_info >= (3, 12) and isinstance(tp, typing.TypeAliasType):
            tp = tp.__value__
        else:
            return tp, note


def _enum_schema(values: list[Any], where: str, what: str) -> dict[str, Any]:
    kinds: dict[str, list[Any]] = {}
    for value in values:
        kind = _json_type(value)
        if kind is None:
            raise TypeError(
                f"cannot build a JSON schema for {where}: {what} value {value!r} is not a "
                "string, number, boolean or None"
            )
        kinds.setdefault(kind, []).append(value)
    branches = [
        {"type": kind} if kind == "null" else {"type": kind, "enum": members}
        for kind, members in kinds.items()
    ]
    return branches[0] if len(branches) == 1 else {"anyOf": branches}


def _json_type(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _json_default(default: Any) -> Any:
    """The default as JSON, or ``attrs.NOTHING`` if there is none or it has no JSON form."""
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:
            return attrs.NOTHING
        default = default.factory()
    if default is attrs.NOTHING:
        return attrs.NOTHING
    try:
        value = _package_converter.unstructure(default)
    except Exception:
        return attrs.NOTHING
    return value if _is_json(value) else attrs.NOTHING


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def _why(tp: Any) -> str:
    if tp is Any:
        return "Any has no strict JSON schema; name the type (or use strict=False)"
    if tp in _ARRAYS or tp in _MAPPINGS or tp is tuple:
        return f"{tp.__name__} needs its item types, e.g. list[str] or dict[str, int]"
    if get_origin(tp) is tuple:
        return f"{tp} is a fixed-length tuple; use tuple[X, ...], list[X] or an attrs class"
    if isinstance(tp, type):
        return f"unsupported type {tp.__qualname__} (not an attrs class)"
    return f"unsupported type {tp!r}"


# -- structuring: JSON that fits a schema -> instances --------------------------------------

# A copy of the package converter: the same configuration, plus rules that mirror the schema
# (strict scalars, dicts sent as key/value entries, unions of anything) and precise errors.
_converter = _package_converter.copy(detailed_validation=True)


def _strict_scalar(kind: type, accepts: tuple[type, ...]) -> Callable[[Any, Any], Any]:
    def structure(value: Any, target: Any) -> Any:
        # bool is an int in Python, never in JSON.
        if isinstance(value, bool) and kind is not bool:
            raise ValueError(f"expected {kind.__name__}, got a boolean")
        if not isinstance(value, accepts):
            raise ValueError(f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        # Subclasses dispatch here too: an IntEnum or StrEnum is made from its value.
        return kind(value) if target is kind or target is None else target(value)

    return structure


for _kind, _accepts in ((str, (str,)), (int, (int,)), (float, (int, float)), (bool, (bool,))):
    _converter.register_structure_hook(_kind, _strict_scalar(_kind, _accepts))


def _from_iso(kind: Any) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"expected an ISO 8601 string, got {value!r}")
        if kind is datetime.datetime and value.endswith(("Z", "z")) and sys.version_info < (3, 11):
            value = value[:-1] + "+00:00"  # pragma: no cover - 3.10 only
        return kind.fromisoformat(value)

    return structure


for _time_kind in (datetime.datetime, datetime.date, datetime.time):
    _converter.register_structure_hook(_time_kind, _from_iso(_time_kind))
_converter.register_structure_hook(uuid.UUID, lambda value, _: uuid.UUID(str(value)))


def _is_mapping(tp: Any) -> bool:
    return get_origin(tp) in _MAPPINGS


def _mapping_hook(tp: Any) -> Callable[[Any, Any], Any]:
    base = make_mapping_structure_fn(tp, _converter)

    def structure(value: Any, _: Any) -> Any:
        if isinstance(value, list):  # strict mode's key/value entries
            entries: dict[Any, Any] = {}
            for entry in value:
                if not isinstance(entry, dict) or set(entry) != {"key", "value"}:
                    raise ValueError(f"expected a {{key, value}} entry, got {entry!r}")
                entries[entry["key"]] = entry["value"]
            value = entries
        elif not isinstance(value, dict):
            raise ValueError(f"expected an object or a list of entries, got {value!r}")
        return base(value, tp)

    return structure


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in _UNIONS


def _union_hook(tp: Any) -> Callable[[Any, Any], Any]:
    members = get_args(tp)
    hooks: dict[Any, Callable[[Any, Any], Any]] = {}  # filled on first use: members may recurse

    def affinity(member: Any, value: Any) -> int:
        # Try the member the JSON obviously is first: same scalar type, or an attrs class
        # with exactly the keys present (strict mode writes every property).
        if type(value) is member:
            return 0
        if isinstance(value, dict) and attrs.has(member):
            names = {a.name for a in attrs.fields(member) if a.init}
            return 0 if names == set(value) else 1
        return 1

    def structure(value: Any, _: Any) -> Any:
        if value is None and type(None) in members:
            return None
        errors: list[Exception] = []
        for member in sorted(members, key=lambda m: affinity(m, value)):
            if member is type(None):
                continue
            hook = hooks.get(member)
            if hook is None:
                hook = hooks[member] = _converter.get_structure_hook(member)
            try:
                return hook(value, member)
            except Exception as exc:
                errors.append(exc)
        raise ValueError(f"{value!r} fits none of {tp}: " + "; ".join(map(_message, errors)))

    return structure


_converter.register_structure_hook_factory(_is_mapping, _mapping_hook)
_converter.register_structure_hook_factory(_is_union, _union_hook)


def _message(exc: BaseException) -> str:
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        return ", ".join(cattrs.transform_error(exc))
    return str(exc) or type(exc).__name__


def structure(data: Any, tp: type[_T]) -> _T:
    """Turn decoded JSON that fits ``json_schema(tp)`` into a ``tp``.

    Scalars are checked, not coerced (``"1"`` is not an ``int``); a mismatch raises
    :class:`~aioresponses_client.ConversionError` saying where (``$.items[0].price``).
    """
    try:
        return _converter.structure(data, tp)
    except Exception as exc:
        name = getattr(tp, "__qualname__", repr(tp))
        raise ConversionError(f"the data does not fit {name}: {_message(exc)}") from exc
