"""Laser-Doppler flowmetry recordings: read, analyse, fit."""

from __future__ import annotations

import typer

from lightdose.cli.app import app, console, err_console, print_json, print_warnings, user_errors_exit_cleanly
from lightdose.cli.progress import status_line

ldf_app = typer.Typer(help="Laser-Doppler flowmetry recordings: read exports, analyse, fit the perfusion model.",
                      no_args_is_help=True)
app.add_typer(ldf_app, name="ldf")

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
    with status_line(fit and not json_output, err_console) as line:
        progress = None if line is None else (
            lambda evaluations: line(f"fitting the perfusion model: {evaluations} model evaluations"))
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
