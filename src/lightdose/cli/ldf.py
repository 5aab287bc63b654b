"""Laser-Doppler flowmetry recordings: read, analyse, fit."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly

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
    from rich.table import Table

    from lightdose.errors import InputError
    from lightdose.physiology.ldf import analyse, analyse_all, read_ldf

    ds = read_ldf(file)
    if (on is None) != (off is None):
        raise InputError("--on/--off", "give both stimulus times, or neither (the file's markers are used)")
    options = {"stimulus": (on, off)} if on is not None else {}
    results = {channel: analyse(ds, channel, **options)} if channel else analyse_all(ds, **options)
    fitted = None
    if fit:
        from lightdose.physiology.ldf_fit import fit_recording

        fitted = fit_recording(ds, flux_channel=channel or next(iter(results)))
    if json_output:
        payload: dict[str, Any] = {"file": file, "channels": {k: v.model_dump() for k, v in results.items()}}
        if fitted is not None:
            payload["fit"] = fitted.model_dump(exclude={"parameters", "correlation"})
        print_json(payload)
        return
    table = Table(title=f"{file}: local-heating analysis")
    table.add_column("quantity")
    for name in results:
        table.add_column(escape(f"{name} [{results[name].units}]"), justify="right")
    rows = (("baseline", "baseline_pu"), ("peak", "peak_pu"), ("peak time [s]", "peak_time_s"),
            ("nadir", "nadir_pu"), ("plateau", "plateau_pu"), ("maximum", "maximum_pu"),
            ("peak [% max]", "peak_pct_max"), ("plateau [% max]", "plateau_pct_max"),
            ("area above baseline [·s]", "auc_pu_s"), ("back to baseline after [s]", "time_to_baseline_s"))
    for label, key in rows:
        values = [getattr(r, key) for r in results.values()]
        table.add_row(escape(label), *("–" if v is None else f"{v:.4g}" for v in values))
    console.print(table)
    if fitted is not None:
        fit_table = Table(title=f"Perfusion model fitted to {fitted.flux_channel} (temperature: "
                                f"{fitted.temperature_channel}); R² {fitted.r_squared:.3f}")
        for column in ("parameter", "value", "standard error", "units"):
            fit_table.add_column(column, justify="left" if column == "parameter" else "right")
        for p in fitted.fitted:
            se = "undetermined" if p.standard_error is None else f"{p.standard_error:.3g}"
            fit_table.add_row(p.name, f"{p.value:.4g}", se, p.units)
        console.print(fit_table)
        console.print("Standard errors assume independent residuals; the residuals' lag-1 autocorrelation is "
                      f"{fitted.residual_lag1_autocorrelation:.2f}: multiply them by about "
                      f"{fitted.se_inflation_ar1:.2g} (AR(1) inflation, se_inflation_ar1 in the JSON).")
