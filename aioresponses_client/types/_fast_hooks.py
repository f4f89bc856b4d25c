"""Generated structure functions for stream events made of plain JSON scalars.

A cattrs hook for an event class calls the class's attrs ``__init__`` with keyword arguments and
passes every field through a conversion function (``str(v)``, ``int(v)``, ...): about 2 us per
event, most of a stream's cost. Events whose fields are all plain JSON scalars -- every delta
and progress event -- get a fast hook generated from their attrs fields instead. When the
payload's keys are exactly the class's fields and each value already has exactly the field's
type (so the conversions would return it unchanged), the payload dict itself becomes the new
instance's ``__dict__`` (events are not slotted for this reason); a missing optional field is
filled in from its default on a copy. Anything else -- a value that would need converting, a
missing required key, an unknown key, a non-empty list -- goes to the cattrs hook, so the result
and the errors are the same as ``converter.structure(data, cls)`` in every case.
"""

from __future__ import annotations

from collections.abc import Callable
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from .._convert import converter
from .._model import WIRE_NAME

__all__ = ["make_fast_hook"]

_SCALARS = (str, int, float, bool)
_NONE = type(None)


def _fast_field(index: int, field: Any, ns: dict[str, Any]) -> tuple[str, str]:
    """(read statement, check expression) for one field other than the ``type`` tag.

    Raises TypeError when the field is not one the fast hook handles.
    """
    var, name, kind = f"v{index}", field.name, field.type
    args = get_args(kind)
    read = f"{var} = o[{name!r}]"
    if get_origin(kind) is Literal:
        ns[f"l{index}"] = args
        return read, f"{var} in l{index}"
    if kind in _SCALARS:
        ns[f"t{index}"] = kind
        return read, f"type({var}) is t{index}"
    if get_origin(kind) in (Union, UnionType) and len(args) == 2 and args[1] is _NONE:
        if args[0] in _SCALARS:
            ns[f"t{index}"] = args[0]
            return read, f"({var} is None or type({var}) is t{index})"
    if get_origin(kind) is list:
        # Only the usual empty list (logprobs); anything in it needs structuring.
        return read, f"(type({var}) is list and not {var})"
    raise TypeError(f"{name}: {kind!r} is not a plain JSON scalar")


def make_fast_hook(cls: type) -> Callable[[dict[str, Any]], Any] | None:
    """A structure function for ``cls`` equivalent to its cattrs hook, or None if not eligible.

    Only for payloads whose ``type`` is the class's tag, as ``parse_event`` ensures.
    """
    set_dict: Any = vars(cls).get("__dict__")
    if set_dict is None:
        return None
    if hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "__attrs_post_init__"):
        return None
    ns: dict[str, Any] = {"cls": cls, "new": object.__new__, "set_dict": set_dict.__set__}
    ns["slow"] = converter.structure
    fields = attrs.fields(cls)
    defaults: dict[str, Any] = {}
    reads, checks = [], []
    try:
        for index, field in enumerate(fields):
            if field.metadata.get(WIRE_NAME) or field.validator or field.converter:
                return None
            if not field.init or field.alias != field.name:
                return None
            kind = field.type
            if field.name == "type" and get_origin(kind) is Literal and len(get_args(kind)) == 1:
                continue  # parse_event found the hook by this very tag
            if field.default is not attrs.NOTHING:
                if field.default is not None and type(field.default) not in _SCALARS:
                    return None
                defaults[field.name] = field.default
            read, check = _fast_field(index, field, ns)
            reads.append(f"        {read}")
            checks.append(check)
    except TypeError:
        return None
    ns["defaults"] = defaults
    # Once every field has been read, the key count rules out unknown keys.
    count = f"len(o) != {len(fields)}"
    if defaults:
        complete = [f"    if {count}:", "        o = {**defaults, **o}", f"        if {count}:"]
        complete.append("            return slow(payload, cls)")
    else:
        complete = [f"    if {count}:", "        return slow(payload, cls)"]
    name = f"structure_{cls.__name__}"
    source = "\n".join(
        [
            f"def {name}(payload):",
            "    o = payload",
            *complete,
            "    try:",
            *(reads or ["        pass"]),
            "    except KeyError:",
            "        return slow(payload, cls)",
            f"    if {' and '.join(checks) or 'True'}:",
            "        self = new(cls)",
            "        set_dict(self, o)",
            "        return self",
            "    return slow(payload, cls)",
        ]
    )
    exec(compile(source, f"<fast structure hook {cls.__qualname__}>", "exec"), ns)
    hook: Callable[[dict[str, Any]], Any] = ns[name]
    return hook
