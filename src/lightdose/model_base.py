"""Conventions shared by every input model: frozen pydantic models that round-trip to YAML/JSON.

Validation failures are reported with the path of the offending field (``sites[1].target.depth``) so that a
user can find it in their scenario file. A validator that raises :class:`~lightdose.errors.InputError` names the
field it checked: a model-level validator's field extends pydantic's path (``devices[0]`` + ``distance``), and a
field validator's own name is not repeated (``person.skin_type: 'VII' is not ...``).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from lightdose.errors import InputError


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


def path_parts(path: str) -> tuple[int | str, ...]:
    """'sites[1].target' → ('sites', 1, 'target')."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path))


def describe_error(error: ErrorDetails) -> tuple[tuple[int | str, ...], str]:
    """The location and message of one pydantic error (an item of ``ValidationError.errors()``)."""
    location = tuple(error["loc"])
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, InputError):
        named = path_parts(cause.field)
        if location[-len(named):] != named:
            location += named
        return location, cause.reason
    message = error["msg"].removeprefix("Value error, ")
    got = error.get("input")
    if error["type"] != "value_error" and not isinstance(got, dict | list) and got is not None:
        message += f" (got {got!r})"  # lightdose's own messages name the value themselves
    return location, message


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem: ``field.path: message``, joined with '; '."""
    problems = []
    for error in exc.errors(include_url=False):
        if error["type"] == "default_factory_not_called":  # a consequence of another field's error, not its own
            continue
        location, message = describe_error(error)
        where = field_path(location)
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems)
