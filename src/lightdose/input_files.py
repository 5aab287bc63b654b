"""Text files users give lightdose (scenarios, comparisons, parameter sets): read whatever encoding a text editor or a
spreadsheet saved them in, refuse what is not text, and parse YAML/JSON without the ways it can fail far from the
user's mistake (deep nesting, escaped surrogates). Every refusal is a one-line
:class:`~lightdose.errors.FileFormatError` naming the file."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml

from lightdose.errors import FileFormatError, InputError

MAX_TEXT_BYTES = 10_000_000
"""Largest input text file [bytes] (10 MB): a scenario is a few kB; more is not a scenario."""
MAX_NESTING = 64
"""Deepest nesting of lists and mappings in an input file: scenarios nest four or five levels."""

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes, where: str) -> str:
    """`data` as text: by its byte-order mark (UTF-8, UTF-16, UTF-32), else UTF-8, else Windows-1252 (which reads
    Latin-1 files too); binary data (control characters other than tab and line ends) is refused."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        if encoding is not None:
            raise FileFormatError(where, None, f"not valid {encoding.upper()} text despite its byte-order "
                                               "mark") from None
        text = data.decode("cp1252", errors="replace")
    if (bad := _CONTROL.search(text)) is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise FileFormatError(where, line, f"not a text file (control character {bad.group()!r}); save it as text "
                                           "(UTF-8)")
    return text


def read_text(path: str | Path, field: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text of the file at `path` (see :func:`decode_text`); a missing, unreadable or too large file is an
    :class:`InputError` naming `field`."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise InputError(field, f"{str(path)!r} is {size / 1e6:.3g} MB; allowed: at most {max_bytes / 1e6:g} MB")
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(field, f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    return decode_text(data, str(path))


def _depth(node: yaml.Node, limit: int) -> int:
    """The nesting depth of a composed YAML node, stopping at `limit` + 1."""
    stack, deepest = [(node, 1)], 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend((value, depth + 1) for _, value in current.value)
    return deepest


def _fix_surrogates(value: Any, where: str) -> Any:
    """Strings with UTF-16 surrogate pairs (JSON's escapes for characters beyond U+FFFF, e.g. an emoji written
    ``"\\ud83d\\udd25"``) as the characters they encode; a lone surrogate is an error."""
    if isinstance(value, str):
        if not any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            return value
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise FileFormatError(where, None, f"{value[:40]!r} holds an unpaired UTF-16 surrogate escape; write the "
                                               "character itself") from None
    if isinstance(value, list):
        return [_fix_surrogates(v, where) for v in value]
    if isinstance(value, dict):
        return {_fix_surrogates(k, where): _fix_surrogates(v, where) for k, v in value.items()}
    return value


def load_yaml(text: str, where: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """YAML (or JSON, which is YAML) `text` as plain data; syntax errors name the line, nesting deeper than
    :data:`MAX_NESTING` is refused before it is built."""
    try:
        node = yaml.compose(text, Loader=loader)
        if node is not None and _depth(node, MAX_NESTING) > MAX_NESTING:
            raise FileFormatError(where, node.start_mark.line + 1, f"nested more than {MAX_NESTING} levels deep")
        data = yaml.load(text, Loader=loader)  # noqa: S506 (a SafeLoader or a subclass of it)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FileFormatError(where, None if mark is None else mark.line + 1, f"syntax error: {problem}") from None
    except RecursionError:
        raise FileFormatError(where, None, f"nested more than {MAX_NESTING} levels deep") from None
    return _fix_surrogates(data, where)


def yaml_line_of(text: str, location: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at `location` in `text` (keys matched exactly, so a key may contain dots;
    the deepest node that exists), or None if the text is not YAML."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
