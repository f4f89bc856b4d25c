"""The marker for "parameter not given": omitted keys are not sent at all."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeVar, Union

_T = TypeVar("_T")


class _NotGiven(enum.Enum):
    # An enum member so mypy can narrow `x is NOT_GIVEN` and so it pickles and compares by identity.
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
NotGiven = Literal[_NotGiven.NOT_GIVEN]
NotGivenOr = Union[_T, NotGiven]  # noqa: UP007 (a generic alias needs Union on 3.10)
