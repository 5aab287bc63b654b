"""Conventions shared by every input model: frozen pydantic models that round-trip to YAML/JSON.

Validation failures are reported with the path of the offending field (``sites[1].target.depth``) so that a
user can find it in their scenario file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError


class FrozenModel(BaseModel):
    """Base class of lightdose's input models: immutable, unknown keys rejected, fields settable by alias."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def field_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as ``sites[1].target.depth``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem: ``field.path: message (got value)``, joined with '; '."""
    problems = []
    for error in exc.errors(include_url=False):
        message = error["msg"].removeprefix("Value error, ")
        where = field_path(tuple(error["loc"]))
        got = error.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
        problems.append(f"{where}: {message}{shown}" if where else f"{message}{shown}")
    return "; ".join(problems)
