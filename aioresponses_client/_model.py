"""Conventions shared by every model: frozen, slotted, keyword-only attrs classes.

Field helpers carry metadata that the package converter (``_convert.py``) reads when it
builds the (un)structure hooks, so each class states its wire rules once, declaratively.
"""

from __future__ import annotations

import sys
from typing import Any, TypeVar

import attrs

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover
    from typing_extensions import dataclass_transform

_C = TypeVar("_C", bound=type)

#: The field is always present on the wire, possibly as ``null``: emit ``None`` as ``null``.
NULLABLE = "aioresponses_client.nullable"
#: The JSON key differs from the attribute name (e.g. ``async`` is a Python keyword).
WIRE_NAME = "aioresponses_client.wire_name"


def nullable(*, default: Any = None) -> Any:
    """A field the API always sends, ``null`` when it has no value (kept as ``null`` on output)."""
    return attrs.field(default=default, metadata={NULLABLE: True})


def wire(name: str, *, default: Any = attrs.NOTHING) -> Any:
    """A field whose JSON key is ``name`` (used when the key is not a valid identifier)."""
    return attrs.field(default=default, metadata={WIRE_NAME: name})


# nullable()/wire() are deliberately not listed as field specifiers: to a type checker they
# are then plain defaults, which is what they are for every field that uses them.
@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field,))
def model(cls: _C) -> _C:
    """Make ``cls`` a frozen, slotted, keyword-only attrs class."""
    return attrs.frozen(kw_only=True)(cls)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field,))
def event_model(cls: _C) -> _C:
    """Make ``cls`` a frozen, keyword-only attrs class whose instances keep a ``__dict__``.

    For stream events: a payload whose keys and value types are exactly the class's fields can
    then become the instance's ``__dict__`` as it is, one step instead of a write per field, on
    the path every streamed token takes (see ``types/events.py``).
    """
    return attrs.frozen(kw_only=True, slots=False)(cls)


@model
class UnknownModel:
    """Base of the generic objects that stand in for a ``type`` this version does not know.

    ``raw`` is the payload exactly as received; it is what converts back to JSON.
    """

    type: str
    raw: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        # Lets forward-compatible code read new fields (``item.status``) without a KeyError.
        try:
            return self.raw[name]
        except KeyError:
            raise AttributeError(name) from None
