"""The `lightdose` command line: one verb per stage, each with --json for machine-readable output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from lightdose.errors import LightdoseError

app = typer.Typer(
    name="lightdose",
    help="Light transport, heating and dosimetry for red/near-infrared light therapy. Not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def user_errors_exit_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`LightdoseError` into a one-line message on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LightdoseError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None

    return wrapper


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to stdout (no rich markup, so it can be piped)."""
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")
