"""The parts of a docstring a function tool needs: its summary and its parameters' descriptions."""

from __future__ import annotations

import inspect
import re

_ARG_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
_OTHER_SECTIONS = {
    "returns", "return", "yields", "yield", "raises", "examples", "example", "notes", "note",
    "see also", "warnings", "warning", "references", "attributes", "todo",
}  # fmt: skip
_REST_FIELD = re.compile(r"^:(\w+)(?:\s+[^:]*?)?\s*(\w*)\s*:\s*(.*)$")
_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\(.*\))?\s*:(?:\s+(.*)|\s*$)")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")


def parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """The summary of a docstring (the text before its first section) and its parameter docs.

    Understands Google (``Args:``), NumPy (``Parameters`` over dashes) and reST (``:param x:``).
    """
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None  # None: still in the summary
    style = ""
    current: str | None = None
    entry_indent = -1
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        header = stripped.rstrip(":").lower()
        if indent == 0 and following and set(following) == {"-"} and stripped:
            section, style, current = header, "numpy", None  # NumPy: a title over dashes
            index += 2
            continue
        if indent == 0 and stripped.endswith(":") and header in _ARG_SECTIONS | _OTHER_SECTIONS:
            section, style, current, entry_indent = header, "google", None, -1
        elif stripped.startswith(":"):
            section, style, current = "rest", "rest", None
            match = _REST_FIELD.match(stripped)
            if match and match.group(1) in ("param", "parameter", "arg", "argument", "key"):
                current = match.group(2)
                params[current] = match.group(3)
        elif section is None:
            summary.append(line)
        elif section in _ARG_SECTIONS and style == "google" and stripped:
            match = _ENTRY.match(stripped)
            if match and (entry_indent < 0 or indent <= entry_indent):
                entry_indent = indent
                current = match.group(1)
                params[current] = match.group(2) or ""
            elif current is not None:
                params[current] = f"{params[current]} {stripped}".strip()
        elif section in _ARG_SECTIONS and style == "numpy" and stripped:
            match = _NUMPY_ENTRY.match(stripped)
            if indent == 0 and match:
                current = match.group(1)
                params[current] = ""
            elif current is not None:
                params[current] = f"{params[current]} {stripped}".strip()
        elif style == "rest" and stripped and current is not None and indent > 0:
            params[current] = f"{params[current]} {stripped}".strip()
        index += 1
    text = "\n".join(summary).strip()
    return (text or None), {k: v for k, v in params.items() if v}
