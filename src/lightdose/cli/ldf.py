"""Laser-Doppler flowmetry recordings: read, analyse, fit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.status import Status

from lightdose.cli.app import app, console, err_console, print_json, print_warnings, user_errors_exit_cleanly

ldf_app = typer.Typer(help="Laser-Doppler flowmetry recordings: read exports, analyse, fit the perfusion model.",
                      no_args_is_help=True)
app.add_typer(ldf_app, name="ldf")

PROGRESS_AFTER_S = 2.0
"""A fit shows its progress once it has run this long [s] (on a terminal only)."""
PROGRESS_EVERY_S = 0.1
"""How often the progress line is updated [s]."""


class _FitProgress:
    """The model evaluations of a running fit, on one status line of `terminal` once it has taken
    :data:`PROGRESS_AFTER_S`."""

    def __init__(self, terminal: Console):
        self.terminal = terminal
        self.started = self.shown = time.monotonic()
        self.status: Status | None = None

    def __call__(self, evaluations: int) -> None:
        now = time.monotonic()
        if now - self.started < PROGRESS_AFTER_S or now - self.shown < PROGRESS_EVERY_S:
            return
        self.shown = now
        text = f"fitting the perfusion model: {evaluations} model evaluations, {now - self.started:.0f} s"
        if self.status is None:
            self.status = self.terminal.status(text)
            self.status.start()
        else:
            self.status.update(text)

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()


@contextmanager
def _fit_progress(show: bool) -> Iterator[_FitProgress | None]:
    """A progress callback for the fit when `show` and stderr is a terminal, else None (quiet)."""
    if not (show and err_console.is_terminal):
        yield None
        return
    progress = _FitProgress(err_console)
    try:
        yield progress
    finally:
        progress.stop()


@ldf_app.command("analyse")
@user_errors_exit_cleanly
def ldf_analyse(
    file: str = typer.Argument(..., help="Delimited-text LDF export (decimal commas and clock times are fine)."),
    channel: str | None = typer.Option(None, "--channel", help="Analyse only this channel (default: every PU one)."),
    on: str | None = typer.Option(None, "--on", help="Stimulus start, e.g. 10min (default: the 'heat on' marker)."),
    off: str | None = typer.Option(None, "--off", help="Stimulus end, e.g. 45min (default: the 'heat off' marker)."),
    fit: bool = typer.Option(False, "--fit", help="Also fit the perfusion model's time constants (needs a "
                                                  "temperature channel)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Baseline, peak, plateau, area under the curve, % of maximum, time back to baseline (and a model fit)."""
    from lightdose.physiology.ldf_analysis import LdfRequest, analyse_recording
    from lightdose.present.ldf import analysis_table, fit_notes, fit_table, ldf_json
    from lightdose.units import USER_INPUT

    request = LdfRequest.model_validate({"file": file, "channel": channel, "stimulus_on": on, "stimulus_off": off,
                                         "fit": fit}, context=USER_INPUT)
    with _fit_progress(fit and not json_output) as progress:
        result = analyse_recording(request, progress=progress)
    if json_output:
        print_json(ldf_json(result))
        return
    console.print(analysis_table(result))
    if result.fit is not None:
        console.print(fit_table(result.fit))
        for note in fit_notes(result.fit):
            console.print(note)
    print_warnings(list(result.warnings))
