"""Skin perfusion during and after a session, and the device comparison."""

from __future__ import annotations

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly
from lightdose.output_files import writable_path


@app.command()
@user_errors_exit_cleanly
def perfusion(
    device: str = typer.Option(..., "--device", help="Light device or heating-pad-42 (see `lightdose devices`)."),
    site: str = typer.Option(..., "--site", help="Body site (see `lightdose sites`)."),
    time: str = typer.Option(..., "--time", help="Session length, e.g. 30min."),
    after: str = typer.Option("60 min", "--after", help="Time followed after the device is removed, e.g. 4h."),
    distance: str = typer.Option("0 cm", "--distance", help="Gap between device and skin (0 = contact)."),
    skin_type: str = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI."),
    neuropathy: bool = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (blunted reflex and plateau)."),
    light_no: bool = typer.Option(False, "--light-no", help="Add the optional light-driven NO term (weak evidence)."),
    png: str | None = typer.Option(None, "--png", help="Write perfusion and skin temperature over time to this PNG."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a summary."),
) -> None:
    """Skin perfusion (laser-Doppler, % of maximal CVC) during and after a session, coupled with bioheat."""
    from lightdose.anatomy import Person
    from lightdose.physiology.session import elevation_verdict, perfusion_session, summary

    png_path = writable_path(png, "--png") if png else None
    ds = perfusion_session(device, site, Person(skin_type=skin_type, neuropathy=neuropathy), time=time,
                           distance=distance, after=after, light_no=light_no)
    if png_path:
        from lightdose.physiology.plot import plot_perfusion

        plot_perfusion(ds, png_path)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    lasting = f"{result['minutes_elevated_after_end']:.0f} min"
    if result["elevated_at_end_of_run"]:
        lasting = f"at least {lasting} (still elevated at the end of --after)"
    console.print(f"{device} on {site}, {result['session_s'] / 60:g} min session, followed "
                  f"{result['after_s'] / 60:g} min after ({result['solver']}; light-driven NO term "
                  f"{result['light_no_term']})")
    console.print(f"Perfusion [% of maximal CVC]: baseline {result['baseline_pct_max']:.1f}, peak "
                  f"{result['peak_pct_max']:.1f}, plateau {result['plateau_pct_max']:.1f}, at removal "
                  f"{result['end_pct_max']:.1f}; above baseline + 20 % for {lasting} after the session. "
                  f"Peak skin temperature {result['peak_skin_temp_c']:.1f} °C.")
    verdict = elevation_verdict(result["minutes_elevated_after_end"], result["elevated_at_end_of_run"],
                                result["after_s"])
    console.print(f"Perfusion {escape(verdict)}. Model calibrated to forearm local-heating data (Minson 2001). "
                  "Not a medical device.")
    if png:
        console.print(f"Plot written to {escape(png)}.")


@app.command()
@user_errors_exit_cleanly
def compare(
    file: str = typer.Argument(..., help="Comparison YAML, e.g. examples/microcirculation-comparison.yaml."),
    png: str | None = typer.Option(None, "--png", help="Write the perfusion curves to this PNG."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Compare devices on one site: perfusion during and after each session, healthy and neuropathic."""
    from rich.table import Table

    from lightdose.physiology.compare import load_comparison, run_comparison

    png_path = writable_path(png, "--png") if png else None
    result = run_comparison(load_comparison(file))
    if png_path:
        from lightdose.physiology.plot import plot_comparison

        plot_comparison(result, png_path)
    if json_output:
        print_json(result)
        return
    table = Table(title=f"{result['site']}: {result['session_s'] / 60:g} min sessions, followed "
                        f"{result['after_s'] / 3600:g} h after (perfusion in % of maximal CVC)")
    for column in ("treatment", "person", "skin irradiance [mW/cm²]", "peak skin [°C]", "baseline", "peak",
                   "plateau", "elevated after [min]"):
        table.add_column(escape(column), justify="left" if column in ("treatment", "person") else "right")
    for c in result["cases"]:
        irradiance = "–" if c["skin_irradiance_mw_cm2"] is None else f"{c['skin_irradiance_mw_cm2']:.3g}"
        table.add_row(c["treatment"], c["person"], irradiance, f"{c['peak_skin_temp_c']:.1f}",
                      f"{c['baseline_pct_max']:.1f}", f"{c['peak_pct_max']:.1f}", f"{c['plateau_pct_max']:.1f}",
                      f"{c['minutes_elevated_after_end']:.0f}")
    console.print(table)
    console.print(f"Elevated: {result['elevation_rule']}. Not a medical device.")
    if png:
        console.print(f"Plot written to {escape(png)}.")
