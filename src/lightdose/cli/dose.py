"""Dose at depth: fluence rate and fluence versus depth and at the targets."""

from __future__ import annotations

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, print_json, user_errors_exit_cleanly
from lightdose.output_files import writable_path


@app.command("depth-dose")
@user_errors_exit_cleanly
def depth_dose_command(
    device: str = typer.Option(..., "--device", help="Preset device name (see `lightdose devices`)."),
    site: str = typer.Option(..., "--site", help="Body site (see `lightdose sites`)."),
    time: str = typer.Option(..., "--time", help="Exposure time, e.g. 20min."),
    distance: str = typer.Option("0 cm", "--distance", help="Gap between device and skin (0 = contact)."),
    skin_type: str = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI."),
    fat: str | None = typer.Option(None, "--fat", help="Measured subcutaneous fat thickness, e.g. 4mm."),
    bmi: float | None = typer.Option(None, "--bmi", help="Body-mass index [kg/m²] (scales the fat; not with --fat)."),
    neuropathy: bool = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (thinner pad, less blood)."),
    dermal_blood: str | None = typer.Option(None, "--dermal-blood", help="Dermal blood volume fraction, e.g. 1%."),
    solver: str = typer.Option("fast", "--solver", help="fast (δ-P1 diffusion) or mc (Monte Carlo)."),
    photons: int = typer.Option(200_000, "--photons", min=1000, help="Photons per band for --solver mc."),
    seed: int = typer.Option(1, "--seed", help="Random seed for --solver mc."),
    png: str | None = typer.Option(None, "--png", help="Write a depth–dose plot to this PNG file."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Light dose versus depth and at the site's targets: fluence rate [mW/cm²] and fluence [J/cm²]."""
    from rich.table import Table

    from lightdose.anatomy import Person
    from lightdose.transport.dose import depth_dose, summary

    if png:
        writable_path(png, "--png")
    person = Person(skin_type=skin_type, fat_thickness=fat, bmi=bmi, neuropathy=neuropathy, dermal_blood=dermal_blood)
    ds = depth_dose(device, site, person, distance=distance, exposure=time, solver=solver,  # type: ignore[arg-type]
                    photons=photons, seed=seed)
    if png:
        from lightdose.transport.dose_plot import plot_depth_dose

        plot_depth_dose(ds, png)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    bands = ", ".join(
        f"{b['wavelength_nm']:g} nm: {b['surface_irradiance_mw_cm2']:.3g} mW/cm²" for b in result["bands"]
    )
    console.print(f"{device} on {site}, {result['exposure_s'] / 60:g} min; irradiance at the skin: {bands}")
    table = Table(title=f"Dose at the targets ({result['solver']})")
    for column in ("target", "depth [mm]", "fluence rate [mW/cm²]", "fluence [J/cm²]", "range over depth [J/cm²]"):
        table.add_column(escape(column), justify="right")
    for t in result["targets"]:
        lo, hi = (x * result["exposure_s"] / 1000.0 for x in t["fluence_rate_range_mw_cm2"])
        table.add_row(t["target"], "–".join(f"{d:.3g}" for d in t["depth_range_mm"]), f"{t['fluence_rate_mw_cm2']:.3g}",
                      f"{t['fluence_j_cm2']:.3g}", f"{lo:.3g}–{hi:.3g}")
    console.print(table)
    console.print("Values at the target's mid-depth; the range spans its shallow and deep edges. "
                  "Heuristic PBM window at the target: 1–10 J/cm² (Huang et al. 2009). Not a medical device.")
    if png:
        console.print(f"Plot written to {escape(png)}.")
