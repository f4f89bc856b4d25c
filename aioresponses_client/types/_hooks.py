"""Structure hooks for the few unions in the models that are not tagged by ``type``.

cattrs has no default for ``str | list[...]`` and, for ``Tagged | None``, it would guess among
the members instead of using the registered ``type`` dispatch; these helpers say what to do.
"""

from typing import Any, get_args

from .._convert import converter
from ..errors import ConversionError

#: A value that is either a plain string or a JSON object (``tool_choice``, ``container``).
StrOrObject = str | dict[str, Any]


def register_optional(tagged: Any) -> None:
    """Make ``tagged | None`` use the ``type`` dispatch registered for ``tagged``."""

    def structure(obj: Any, _: Any) -> Any:
        if obj is None:
            return None
        return converter.get_structure_hook(tagged)(obj, tagged)

    converter.register_structure_hook(tagged | None, structure)


def register_str_or(union: Any, other: Any) -> None:
    """Structure ``union`` (``str | other``, maybe ``| None``): a string is kept as is.

    Anything else must be a JSON value of ``other``'s container kind (list or object).
    """
    allow_none = type(None) in get_args(union)
    container = getattr(other, "__origin__", other)

    def structure(obj: Any, _: Any) -> Any:
        if isinstance(obj, str) or (obj is None and allow_none):
            return obj
        if not isinstance(obj, container):
            raise ConversionError(f"expected a string or {container.__name__}, got {obj!r:.80}")
        return converter.get_structure_hook(other)(obj, other)

    converter.register_structure_hook(union, structure)


register_str_or(StrOrObject, dict[str, Any])
register_str_or(StrOrObject | None, dict[str, Any])
