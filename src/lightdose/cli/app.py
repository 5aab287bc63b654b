"""The `lightdose` Typer application, its consoles and the one error path every command goes through."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup
from typer.exceptions import Abort

from lightdose import __version__
from lightdose.errors import LightdoseError
from lightdose.model_base import describe_validation_error
from lightdose.provenance import git_revision

R = TypeVar("R")


class OneLineErrors(TyperGroup):
    """The command group whose usage errors (unknown option, missing argument, bad choice) are one line on stderr
    with exit status 2, like every other user error — not a box."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  windows_expand_args=windows_expand_args, **extra)
        except NoArgsIsHelpError:  # `lightdose` or `lightdose ldf` alone: the help was printed
            result = 0
        except ClickException as exc:
            err_console.print(f"[bold red]error:[/] {escape(_usage_message(exc))}", highlight=False, soft_wrap=True)
            result = exc.exit_code
        except Abort:
            err_console.print("[yellow]interrupted[/]", highlight=False)
            result = INTERRUPTED_EXIT
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def _usage_message(exc: ClickException) -> str:
    """A usage error as one line, naming the option it concerns (``--points: ...``)."""
    message = " ".join(exc.format_message().split())
    param = getattr(exc, "param", None)
    if param is None:
        return message
    names = list(getattr(param, "opts", [])) or [str(getattr(param, "name", ""))]
    return message if any(name in message for name in names) else f"{'/'.join(names)}: {message}"


app = typer.Typer(
    name="lightdose",
    help="Light transport, heating and dosimetry for red/near-infrared light therapy. Not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Piped output (CI logs, files) gets a wide fixed width so that tables are not folded.
console = Console(width=None if Console().is_terminal else 160)
err_console = Console(stderr=True, width=None if Console(stderr=True).is_terminal else 160)

INTERRUPTED_EXIT = 130
"""Exit status of a command interrupted by Ctrl-C (128 + SIGINT), also when it printed a partial result."""
INTERNAL_ERROR_EXIT = 1
"""Exit status of an internal error (a bug): not the user's input (that is 2)."""


def _version(value: bool) -> None:
    if value:
        console.print(f"lightdose {__version__} ({git_revision()})")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")) -> None:
    """Light transport, heating and dosimetry for red/near-infrared light therapy. Not a medical device."""


def user_errors_exit_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """The one error path of every command: a user error (bad value, file or name) is a one-line message on stderr
    and exit status 2; Ctrl-C says "interrupted" and exits 130; anything else is a bug, reported on one line with
    the version (the traceback only with LIGHTDOSE_DEBUG=1) and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            message = describe_validation_error(exc)
        except LightdoseError as exc:
            message = str(exc)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]", highlight=False)
            raise typer.Exit(code=INTERRUPTED_EXIT) from None
        except Exception as exc:  # a bug: one line for the user, the traceback on request
            if os.environ.get("LIGHTDOSE_DEBUG"):
                raise
            what = " ".join(str(exc).split())[:300]  # one line, whatever the exception's text holds
            err_console.print(f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(what)} — "
                              f"please report it with the command and lightdose {__version__} ({git_revision()}); "
                              "LIGHTDOSE_DEBUG=1 shows the traceback", highlight=False, soft_wrap=True)
            raise typer.Exit(code=INTERNAL_ERROR_EXIT) from None
        err_console.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)

    return wrapper


def print_warnings(notes: list[str]) -> None:
    """Print each warning on its own line, in yellow."""
    for note in notes:
        console.print(f"[yellow]warning:[/] {escape(note)}")


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to stdout (no rich markup, so it can be piped)."""
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


def show(result: R, *, as_json: Callable[[R], Any], printed: Callable[[R, Console], None], json_output: bool,
         plot: Callable[[R, Path], object] | None = None, png_file: Path | None = None) -> None:
    """What every stage command does with its result: write the plot to `png_file` if one was asked for (the path
    was checked before the run), then print the result as JSON or as text, and say where the plot went."""
    if png_file is not None and plot is not None:
        plot(result, png_file)
    if json_output:
        print_json(as_json(result))
        return
    printed(result, console)
    if png_file is not None:
        console.print(f"Plot written to {png_file}.")



def exit_if_partial(partial: bool) -> None:
    """After printing a result: if it is partial (a Monte Carlo run interrupted by Ctrl-C), say so on stderr and
    exit with :data:`INTERRUPTED_EXIT`."""
    if partial:
        err_console.print("[yellow]interrupted:[/] the result above is partial (fewer photons than asked)",
                          highlight=False)
        raise typer.Exit(code=INTERRUPTED_EXIT)
