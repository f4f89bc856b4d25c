"""Answers for ``text.format`` of type ``json_schema``: a deterministic value that fits the schema.

The embedded model has no opinions, so it fills every field with the simplest value the schema
allows: the first ``enum``/``const`` choice, the lower bound of a number, one element per array,
the property name for a string. Recursion stops by preferring ``null`` branches, empty arrays
and empty objects once the value is nested deeply enough.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

_MAX_DEPTH = 4
# A schema that cannot end (a required recursive field with no null branch) stops here.
_GIVE_UP_DEPTH = 64
_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "duration": "P1D",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
}


def requested_schema(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON schema the request asks the answer to fit, if ``text.format`` names one."""
    text = body.get("text")
    if not isinstance(text, Mapping):
        return None
    fmt = text.get("format")
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        return None
    schema = fmt.get("schema")
    return dict(schema) if isinstance(schema, Mapping) else {}


def schema_answer(schema: Mapping[str, Any]) -> str:
    """JSON text that fits *schema* (the same text every time for the same schema)."""
    return orjson.dumps(_Generator(schema).value(schema, "value", 0)).decode()


class _Generator:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root

    def _resolve(self, ref: Any) -> Any:
        # Only local references ("#/$defs/Node"); anything else resolves to no schema.
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        node: Any = self._root
        for part in ref[1:].split("/"):
            if part:
                if not isinstance(node, Mapping):
                    return None
                node = node.get(part.replace("~1", "/").replace("~0", "~"))
        return node

    def value(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, Mapping) or depth > _GIVE_UP_DEPTH:
            return None
        if "$ref" in schema:
            return self.value(self._resolve(schema["$ref"]), name, depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                return self.value(self._pick(branches, depth), name, depth)
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(part if isinstance(part, Mapping) else {})
            return self.value(merged, name, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            prefer_null = not non_null or (depth >= _MAX_DEPTH and "null" in kind)
            kind = "null" if prefer_null else non_null[0]
        if kind is None:
            kind = "object" if "properties" in schema else None
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "string":
            return self._string(schema, name)
        if kind == "integer":
            return int(_number(schema, 1))
        if kind == "number":
            return float(_number(schema, 1.5))
        if kind == "boolean":
            return True
        return None

    def _pick(self, branches: list[Any], depth: int) -> Any:
        nulls = [b for b in branches if isinstance(b, Mapping) and b.get("type") == "null"]
        others = [b for b in branches if b not in nulls]
        if nulls and (depth >= _MAX_DEPTH or not others):
            return nulls[0]
        return others[0] if others else branches[0]

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        required = schema.get("required")
        names = list(properties) if required is None else [n for n in properties if n in required]
        return {n: self.value(properties[n], n, depth + 1) for n in names}

    def _array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        low = schema.get("minItems")
        count = low if isinstance(low, int) else (1 if depth < _MAX_DEPTH else 0)
        items = schema.get("items")
        if isinstance(schema.get("prefixItems"), list):
            prefix = schema["prefixItems"]
            return [self.value(s, name, depth + 1) for s in prefix]
        return [self.value(items, name, depth + 1) for _ in range(count)]

    def _string(self, schema: Mapping[str, Any], name: str) -> str:
        fmt = schema.get("format")
        text = _FORMATS.get(fmt, name) if isinstance(fmt, str) else name
        low, high = schema.get("minLength"), schema.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text


def _number(schema: Mapping[str, Any], fallback: float) -> float:
    value = fallback
    low, xlow = schema.get("minimum"), schema.get("exclusiveMinimum")
    high, xhigh = schema.get("maximum"), schema.get("exclusiveMaximum")
    if isinstance(low, (int, float)) and value < low:
        value = low
    if isinstance(xlow, (int, float)) and value <= xlow:
        value = xlow + 1
    if isinstance(high, (int, float)) and value > high:
        value = high
    if isinstance(xhigh, (int, float)) and value >= xhigh:
        value = xhigh - 1
    return value
