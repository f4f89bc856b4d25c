"""JSON Schema from attrs classes: a catalogue of classes against their expected strict schemas,
the strict-mode invariants on every one, and ``structure`` accepting what the schema describes."""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal, NewType, Optional, Union

import attrs
import pytest

from aioresponses_client import ConversionError, json_schema
from aioresponses_client.schema import structure
from aioresponses_client.testing._schema_answer import schema_answer

# -- the catalogue ----------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


UserId = NewType("UserId", int)


@attrs.frozen
class Scalars:
    """Every scalar type."""

    name: str
    count: int
    ratio: float
    flag: bool


@attrs.frozen
class Described:
    city: str = attrs.field(metadata={"description": "The city, in English."})
    zip_code: Annotated[str, "Postal code."]
    age: int = attrs.field(metadata={"json_schema": {"minimum": 0, "maximum": 150}})
    user: UserId


@attrs.frozen
class Address:
    street: str
    city: str


@attrs.frozen
class Person:
    name: str
    home: Address
    work: Address | None
    previous: list[Address]


@attrs.frozen
class Tree:
    """A node of a tree."""

    label: str
    children: list[Tree]


@attrs.frozen
class Forest:
    trees: list[Tree]
    biggest: Tree | None


@attrs.frozen
class Employee:
    name: str
    manager: Manager | None


@attrs.frozen
class Manager:
    name: str
    reports: list[Employee]


@attrs.frozen
class Choices:
    color: Color
    level: Level
    mode: Literal["fast", "slow"]
    version: Literal[1, 2]
    mixed: Literal["auto", 0]
    maybe_color: Color | None


@attrs.frozen
class Optionals:
    a: Optional[str]  # noqa: UP045 - the spelling under test
    b: int | None
    c: Union[int, str, None]  # noqa: UP007 - the spelling under test
    d: str | int


@attrs.frozen
class Cat:
    kind: Literal["cat"]
    lives: int


@attrs.frozen
class Dog:
    kind: Literal["dog"]
    good: bool


@attrs.frozen
class Pets:
    pets: list[Cat | Dog]
    favourite: Cat | Dog | None


@attrs.frozen
class Collections:
    tags: set[str]
    frozen: frozenset[int]
    seq: Sequence[float]
    tup: tuple[str, ...]
    grid: list[list[int]]
    scores: dict[str, int]
    by_color: dict[Color, Address]


@attrs.frozen
class Defaults:
    required: str
    plain: int = 3
    nothing: str | None = None
    made: list[str] = attrs.Factory(list)
    when: datetime.date = datetime.date(2025, 1, 1)
    hidden: int = attrs.field(default=0, init=False)


@attrs.frozen
class Formats:
    at: datetime.datetime
    day: datetime.date
    clock: datetime.time
    id: uuid.UUID


@attrs.frozen
class DescribedRef:
    home: Address = attrs.field(metadata={"description": "Where they live."})


STR, INT, NUM, BOOL, NULL = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "null"},
)


def obj(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        **extra,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


ADDRESS = obj({"street": STR, "city": STR})

CATALOGUE: list[tuple[type, dict[str, Any]]] = [
    (
        Scalars,
        obj(
            {"name": STR, "count": INT, "ratio": NUM, "flag": BOOL},
            description="Every scalar type.",
        ),
    ),
    (
        Described,
        obj(
            {
                "city": {"type": "string", "description": "The city, in English."},
                "zip_code": {"type": "string", "description": "Postal code."},
                "age": {"type": "integer", "minimum": 0, "maximum": 150},
                "user": INT,
            }
        ),
    ),
    (
        Person,
        {
            **obj(
                {
                    "name": STR,
                    "home": ref("Address"),
                    "work": {"anyOf": [ref("Address"), NULL]},
                    "previous": {"type": "array", "items": ref("Address")},
                }
            ),
            "$defs": {"Address": ADDRESS},
        },
    ),
    (
        Tree,
        obj(
            {"label": STR, "children": {"type": "array", "items": {"$ref": "#"}}},
            description="A node of a tree.",
        ),
    ),
    (
        Forest,
        {
            **obj(
                {
                    "trees": {"type": "array", "items": ref("Tree")},
                    "biggest": {"anyOf": [ref("Tree"), NULL]},
                }
            ),
            "$defs": {
                "Tree": obj(
                    {"label": STR, "children": {"type": "array", "items": ref("Tree")}},
                    description="A node of a tree.",
                )
            },
        },
    ),
    (
        Employee,
        {
            **obj({"name": STR, "manager": {"anyOf": [ref("Manager"), NULL]}}),
            "$defs": {
                "Manager": obj({"name": STR, "reports": {"type": "array", "items": {"$ref": "#"}}})
            },
        },
    ),
    (
        Choices,
        obj(
            {
                "color": {"type": "string", "enum": ["red", "green"]},
                "level": {"type": "integer", "enum": [1, 2]},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "version": {"type": "integer", "enum": [1, 2]},
                "mixed": {
                    "anyOf": [
                        {"type": "string", "enum": ["auto"]},
                        {"type": "integer", "enum": [0]},
                    ]
                },
                "maybe_color": {"anyOf": [{"type": "string", "enum": ["red", "green"]}, NULL]},
            }
        ),
    ),
    (
        Optionals,
        obj(
            {
                "a": {"anyOf": [STR, NULL]},
                "b": {"anyOf": [INT, NULL]},
                "c": {"anyOf": [INT, STR, NULL]},
                "d": {"anyOf": [STR, INT]},
            }
        ),
    ),
    (
        Pets,
        {
            **obj(
                {
                    "pets": {"type": "array", "items": {"anyOf": [ref("Cat"), ref("Dog")]}},
                    "favourite": {"anyOf": [ref("Cat"), ref("Dog"), NULL]},
                }
            ),
            "$defs": {
                "Cat": obj({"kind": {"type": "string", "enum": ["cat"]}, "lives": INT}),
                "Dog": obj({"kind": {"type": "string", "enum": ["dog"]}, "good": BOOL}),
            },
        },
    ),
    (
        Collections,
        {
            **obj(
                {
                    "tags": {"type": "array", "items": STR},
                    "frozen": {"type": "array", "items": INT},
                    "seq": {"type": "array", "items": NUM},
                    "tup": {"type": "array", "items": STR},
                    "grid": {"type": "array", "items": {"type": "array", "items": INT}},
                    "scores": {
                        "type": "array",
                        "items": obj({"key": STR, "value": INT}),
                    },
                    "by_color": {
                        "type": "array",
                        "items": obj(
                            {
                                "key": {"type": "string", "enum": ["red", "green"]},
                                "value": ref("Address"),
                            }
                        ),
                    },
                }
            ),
            "$defs": {"Address": ADDRESS},
        },
    ),
    (
        Defaults,
        obj(
            {
                "required": STR,
                "plain": INT,
                "nothing": {"anyOf": [STR, NULL]},
                "made": {"type": "array", "items": STR},
                "when": {"type": "string", "format": "date"},
            }
        ),
    ),
    (
        Formats,
        obj(
            {
                "at": {"type": "string", "format": "date-time"},
                "day": {"type": "string", "format": "date"},
                "clock": {"type": "string", "format": "time"},
                "id": {"type": "string", "format": "uuid"},
            }
        ),
    ),
    (
        DescribedRef,
        {
            **obj({"home": {"anyOf": [ref("Address")], "description": "Where they live."}}),
            "$defs": {"Address": ADDRESS},
        },
    ),
]


@pytest.mark.parametrize(("cls", "expected"), CATALOGUE, ids=[c.__name__ for c, _ in CATALOGUE])
def test_catalogue_class_gives_its_expected_strict_schema(
    cls: type, expected: dict[str, Any]
) -> None:
    assert json_schema(cls) == expected


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


@pytest.mark.parametrize("cls", [c for c, _ in CATALOGUE], ids=[c.__name__ for c, _ in CATALOGUE])
def test_every_object_is_closed_and_requires_every_property(cls: type) -> None:
    schema = json_schema(cls)
    for node in _objects(schema):
        assert node["additionalProperties"] is False
        assert node["required"] == list(node["properties"])
    # The API rejects keywords beside a $ref, oneOf and allOf.
    text = repr(schema)
    assert "oneOf" not in text and "allOf" not in text and "'default'" not in text

    def check_refs(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                assert list(node) == ["$ref"]
                target = node["$ref"]
                assert target == "#" or target.removeprefix("#/$defs/") in schema["$defs"]
            for value in node.values():
                check_refs(value)
        elif isinstance(node, list):
            for value in node:
                check_refs(value)

    check_refs(schema)


@pytest.mark.parametrize("cls", [c for c, _ in CATALOGUE], ids=[c.__name__ for c, _ in CATALOGUE])
def test_the_embedded_servers_answer_to_each_schema_structures_into_the_class(cls: type) -> None:
    import orjson

    value: object = structure(orjson.loads(schema_answer(json_schema(cls))), cls)
    assert isinstance(value, cls)


def test_schema_generation_is_deterministic_and_does_not_share_state() -> None:
    first = json_schema(Forest)
    first["$defs"]["Tree"]["properties"].clear()
    assert json_schema(Forest) == dict(CATALOGUE)[Forest]


def test_two_classes_with_the_same_name_get_distinct_defs() -> None:
    def make() -> type:
        @attrs.frozen
        class Item:
            x: int

        return Item

    first, second = make(), make()

    both = attrs.make_class("Both", {"a": attrs.field(type=first), "b": attrs.field(type=second)})
    schema = json_schema(both)
    assert schema["properties"] == {"a": ref("Item"), "b": ref("Item2")}
    assert set(schema["$defs"]) == {"Item", "Item2"}


# -- non-strict mode ---------------------------------------------------------------------------


def test_non_strict_schema_makes_defaults_optional_and_dicts_open_objects() -> None:
    schema = json_schema(Defaults, strict=False)
    assert schema["required"] == ["required"]
    props = schema["properties"]
    assert props["plain"] == {"type": "integer", "default": 3}
    assert props["nothing"] == {"anyOf": [STR, NULL], "default": None}
    assert props["made"] == {"type": "array", "items": STR, "default": []}
    assert props["when"] == {"type": "string", "format": "date"}  # no JSON form: no default
    coll = json_schema(Collections, strict=False)["properties"]
    assert coll["scores"] == {"type": "object", "additionalProperties": INT}
    assert coll["by_color"] == {
        "type": "object",
        "additionalProperties": ref("Address"),
        "propertyNames": {"type": "string", "enum": ["red", "green"]},
    }


def test_any_is_allowed_only_when_not_strict() -> None:
    @attrs.frozen
    class Loose:
        anything: Any

    assert json_schema(Loose, strict=False)["properties"]["anything"] == {}
    with pytest.raises(TypeError, match=r"Loose\.anything: Any has no strict JSON schema"):
        json_schema(Loose)


# -- unsupported types -------------------------------------------------------------------------


@attrs.frozen
class BadBytes:
    ok: str
    blob: bytes


@attrs.frozen
class BadTuple:
    pair: tuple[int, str]


@attrs.frozen
class BadBareList:
    items: list  # type: ignore[type-arg]


@attrs.frozen
class BadKeys:
    by_id: dict[int, str]


class NotAttrs:
    pass


@attrs.frozen
class BadNested:
    inner: list[NotAttrs]


@attrs.frozen
class DeepBad:
    person: Person
    broken: BadBytes


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (BadBytes, r"BadBytes\.blob: unsupported type bytes"),
        (BadTuple, r"BadTuple\.pair: .* fixed-length tuple"),
        (BadBareList, r"BadBareList\.items: list needs its item types"),
        (BadKeys, r"BadKeys\.by_id: dict keys must be strings"),
        (BadNested, r"BadNested\.inner: unsupported type NotAttrs \(not an attrs class\)"),
        (DeepBad, r"BadBytes\.blob"),
    ],
)
def test_unsupported_field_types_raise_type_error_naming_class_and_field(
    cls: type, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        json_schema(cls)


def test_the_root_must_be_an_attrs_class() -> None:
    with pytest.raises(TypeError, match="needs an attrs class"):
        json_schema(NotAttrs)
    with pytest.raises(TypeError, match="needs an attrs class"):
        json_schema(list[int])


def test_an_unresolvable_annotation_is_a_clear_type_error() -> None:
    @attrs.frozen
    class Dangling:
        other: NoSuchClass  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(TypeError, match=r"cannot resolve the type hints of .*Dangling"):
        json_schema(Dangling)


def test_json_schema_metadata_must_be_a_dict() -> None:
    @attrs.frozen
    class Wrong:
        x: int = attrs.field(metadata={"json_schema": "minimum 0"})

    with pytest.raises(TypeError, match=r"Wrong\.x: metadata\['json_schema'\] must be a dict"):
        json_schema(Wrong)


# -- structure: the way back -------------------------------------------------------------------


def test_structure_reads_key_value_entries_and_plain_objects_for_dicts() -> None:
    data = {
        "tags": ["a", "b"],
        "frozen": [1],
        "seq": [1, 2.5],
        "tup": ["x"],
        "grid": [[1, 2], []],
        "scores": [{"key": "x", "value": 1}, {"key": "y", "value": 2}],
        "by_color": {"red": {"street": "s", "city": "c"}},
    }
    value: Collections = structure(data, Collections)
    assert value.scores == {"x": 1, "y": 2}
    assert value.by_color == {Color.RED: Address(street="s", city="c")}
    assert value.tags == {"a", "b"} and value.tup == ("x",) and list(value.seq) == [1.0, 2.5]


def test_structure_picks_the_union_member_the_json_is() -> None:
    pets = structure(
        {
            "pets": [{"kind": "dog", "good": True}, {"kind": "cat", "lives": 9}],
            "favourite": {"kind": "cat", "lives": 7},
        },
        Pets,
    )
    assert pets.pets == [Dog(kind="dog", good=True), Cat(kind="cat", lives=9)]
    assert pets.favourite == Cat(kind="cat", lives=7)
    opts = structure({"a": None, "b": 3, "c": "s", "d": 4}, Optionals)
    assert opts == Optionals(a=None, b=3, c="s", d=4)


def test_structure_reads_recursive_classes_formats_enums_and_literals() -> None:
    tree = structure({"label": "a", "children": [{"label": "b", "children": []}]}, Tree)
    assert tree.children[0].label == "b"
    formats = structure(
        {
            "at": "2025-03-04T05:06:07Z",
            "day": "2025-03-04",
            "clock": "05:06",
            "id": "12345678-1234-5678-1234-567812345678",
        },
        Formats,
    )
    assert formats.at == datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
    assert formats.id == uuid.UUID("12345678-1234-5678-1234-567812345678")
    choices = structure(
        {
            "color": "green",
            "level": 2,
            "mode": "slow",
            "version": 1,
            "mixed": 0,
            "maybe_color": None,
        },
        Choices,
    )
    assert choices.color is Color.GREEN and choices.level is Level.HIGH


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"name": "n", "count": "1", "ratio": 1.0, "flag": True}, r"\$\.count"),
        ({"name": "n", "count": True, "ratio": 1.0, "flag": True}, r"\$\.count"),
        ({"name": 1, "count": 1, "ratio": 1.0, "flag": True}, r"\$\.name"),
        ({"name": "n", "count": 1, "ratio": 1.0, "flag": "yes"}, r"\$\.flag"),
        ({"name": "n", "count": 1, "ratio": 1.0}, r"required field missing @ \$\.flag"),
    ],
)
def test_structure_checks_scalars_instead_of_coercing_them(data: Any, where: str) -> None:
    with pytest.raises(ConversionError, match=where):
        structure(data, Scalars)


def test_structure_errors_name_the_nested_path() -> None:
    with pytest.raises(ConversionError, match=r"\$\.previous\[1\]\.city"):
        structure(
            {
                "name": "n",
                "home": {"street": "s", "city": "c"},
                "work": None,
                "previous": [{"street": "s", "city": "c"}, {"street": "s", "city": 5}],
            },
            Person,
        )
    with pytest.raises(ConversionError, match="not in literal"):
        structure({"kind": "cow", "lives": 1}, Cat)


def test_a_literal_with_none_is_nullable() -> None:
    @attrs.frozen
    class Pick:
        side: Literal["left", "right", None]

    assert json_schema(Pick)["properties"]["side"] == {
        "anyOf": [{"type": "string", "enum": ["left", "right"]}, NULL]
    }
    assert structure({"side": None}, Pick) == Pick(side=None)


# -- the embedded server's generator ----------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "exclusiveMinimum": 5}, 6),
        ({"type": "number", "maximum": 1}, 1),
        ({"type": "integer", "exclusiveMaximum": 0}, -1),
        ({"type": "string", "minLength": 8}, "valuexxx"),
        ({"type": "string", "maxLength": 2}, "va"),
        ({"type": "string", "format": "date-time"}, "2025-01-01T00:00:00Z"),
        ({"const": "fixed"}, "fixed"),
        ({"enum": [3, 4]}, 3),
        ({"type": ["null", "boolean"]}, True),
        ({"type": "array", "items": {"type": "integer"}, "minItems": 3}, [1, 1, 1]),
        ({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}, ["value", 1]),
        ({"anyOf": [{"type": "null"}, {"type": "string"}]}, "value"),
        ({"$ref": "#/$defs/missing"}, None),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                "required": ["b"],
            },
            {"b": "b"},
        ),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, {}),
        ({}, None),
    ],
)
def test_server_generator_fits_each_keyword(schema: dict[str, Any], expected: Any) -> None:
    import orjson

    assert orjson.loads(schema_answer(schema)) == expected


def test_server_generator_stops_on_a_schema_that_cannot_end() -> None:
    import orjson

    endless = {
        "type": "object",
        "properties": {"next": {"$ref": "#"}},
        "required": ["next"],
    }
    value = orjson.loads(schema_answer(endless))
    depth = 0
    while isinstance(value, dict):
        value, depth = value["next"], depth + 1
    assert value is None and 30 < depth < 100
