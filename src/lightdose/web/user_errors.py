"""User errors as the web app reports them: the CLI's one-line message (``detail``) and one entry per field
(``errors``), from the same exceptions and the same describers the CLI uses (:mod:`lightdose.errors`,
:func:`lightdose.model_base.describe_validation_error`). Imported by the worker processes: no FastAPI here."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from lightdose.errors import FileFormatError, InputError, LightdoseError
from lightdose.model_base import describe_error, describe_validation_error, field_path

FieldError = dict[str, str]
"""``{"field": "sites[0].site", "message": "..."}``: one problem; the field is "" when the input as a whole is
wrong (a YAML syntax error)."""


def field_errors(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[FieldError]:
    """One entry per problem of a pydantic error, with the field path and the message the CLI prints for it."""
    out = []
    for error in exc.errors(include_url=False):
        if error["type"] == "default_factory_not_called":  # a consequence of another field's error
            continue
        location, message = describe_error(error)
        out.append({"field": field_path(prefix + location), "message": message})
    return out


def describe(exc: Exception) -> tuple[str, list[FieldError]]:
    """The CLI's one-line message for a user error and its field errors. `exc` is a pydantic ValidationError or a
    :class:`~lightdose.errors.LightdoseError`."""
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc), field_errors(exc)
    if isinstance(exc, FileFormatError):
        # scenario_from_text raises it `from None` while handling the ValidationError, which stays the context
        inner = exc.__context__
        if isinstance(inner, ValidationError):
            return str(exc), field_errors(inner)
        return str(exc), [{"field": "", "message": str(exc)}]
    if isinstance(exc, InputError):
        return str(exc), [{"field": exc.field, "message": exc.reason}]
    if isinstance(exc, LightdoseError):
        return str(exc), [{"field": "", "message": str(exc)}]
    raise TypeError(f"not a user error: {type(exc).__name__}")


def is_user_error(exc: BaseException) -> bool:
    """Whether `exc` is the user's (bad input), not the program's."""
    return isinstance(exc, ValidationError | LightdoseError)


class WebLimitError(InputError):
    """A value the CLI accepts but the web app bounds (photons, people, map cells): the message names the web's
    limit and says that the command line takes more."""

    def __init__(self, field: str, value: Any, limit: Any, what: str):
        super().__init__(field, f"{value} is above the web app's limit of {limit} {what}; the command line takes "
                                "more")


__all__ = ["FieldError", "WebLimitError", "describe", "field_errors", "is_user_error"]
