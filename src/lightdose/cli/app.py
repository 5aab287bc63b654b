"""The `lightdose` Typer application, its consoles and the one error path every command goes through."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from lightdose.errors import LightdoseError
from lightdose.model_base import describe_validation_error

app = typer.Typer(
    name="lightdose",
    help="Light transport, heating and dosimetry for red/near-infrared light therapy. Not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (CI logs, files) gets a wide fixed width so that tables are not folded.
console = Console(width=None if Console().is_terminal else 160)
err_console = Console(stderr=True, width=None if Console(stderr=True).is_terminal else 160)


def user_errors_exit_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a user error (bad value, file or name) into a one-line message on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            message = describe_validation_error(exc)
        except LightdoseError as exc:
            message = str(exc)
        err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)

    return wrapper


def print_warnings(notes: list[str]) -> None:
    """Print each warning on its own line, in yellow."""
    for note in notes:
        console.print(f"[yellow]warning:[/] {escape(note)}")


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to stdout (no rich markup, so it can be piped)."""
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


USER_INPUT = {"units": "required"}
"""Validation context of requests built from what a user typed: a number without a unit is refused where people
mean other units than lightdose's canonical ones (see :mod:`lightdose.units`)."""

INTERRUPTED_EXIT = 130
"""Exit status of a command interrupted by Ctrl-C (128 + SIGINT), also when it printed a partial result."""


def exit_if_partial(partial: bool) -> None:
    """After printing a result: if it is partial (a Monte Carlo run interrupted by Ctrl-C), say so on stderr and
    exit with :data:`INTERRUPTED_EXIT`."""
    if partial:
        err_console.print("[yellow]interrupted:[/] the result above is partial (fewer photons than asked)",
                          highlight=False)
        raise typer.Exit(code=INTERRUPTED_EXIT)
