"""`lightdose depth-dose`: fluence rate and fluence versus depth and at the targets."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, err_console, exit_if_partial, show, user_errors_exit_cleanly
from lightdose.cli.progress import status_line
from lightdose.errors import InputError
from lightdose.units import USER_INPUT


@app.command("depth-dose")
@user_errors_exit_cleanly
def depth_dose_command(
    device: str = options.DEVICE,
    site: str = options.SITE,
    time: str = options.TIME,
    distance: str = options.DISTANCE,
    skin_type: str = options.SKIN_TYPE,
    fat: str | None = options.FAT,
    bmi: float | None = options.BMI,
    neuropathy: bool = options.NEUROPATHY,
    dermal_blood: str | None = options.DERMAL_BLOOD,
    solver: str = typer.Option("fast", "--solver", help="fast (δ-P1 diffusion) or mc (Monte Carlo)."),
    photons: int = typer.Option(200_000, "--photons", help="Photons per band for --solver mc (1000–1e9)."),
    seed: int = typer.Option(1, "--seed", help="Random seed for --solver mc and for --uncertainty."),
    max_depth: str | None = typer.Option(None, "--max-depth", help="Deepest depth of the profile, e.g. 60mm "
                                                                   "(up to 100 mm)."),
    parameters: str = options.PARAMETERS,
    uncertainty: int = options.UNCERTAINTY,
    png: str | None = options.PNG,
    json_output: bool = options.JSON,
) -> None:
    """Light dose versus depth and at the site's targets: fluence rate [mW/cm²] and fluence [J/cm²]."""
    from lightdose.present.dose import dose_json, plot_depth_dose, print_dose
    from lightdose.present.figures import png_path
    from lightdose.transport.dose import DoseRequest, depth_dose
    from lightdose.transport.skin_beam import skin_beam

    png_file = png_path(png) if png else None
    options.check_spread(uncertainty)
    fields = options.placed_on_person(device, distance, site, time, parameters, skin_type, fat, bmi, neuropathy,
                                      dermal_blood)
    request = DoseRequest.model_validate(
        fields | {"solver": solver, "photons": photons, "seed": seed, "max_depth": max_depth}, context=USER_INPUT)
    if uncertainty and request.solver != "fast":
        raise InputError("--uncertainty", "re-runs the fast solver only: leave out --solver mc")
    bands = len(skin_beam(request.placement).wavelength_nm) if request.solver == "mc" else 0
    with status_line(request.solver == "mc" and not json_output, err_console) as line:
        progress = None if line is None else (
            lambda band, index, done, total: line(f"Monte Carlo, {band} (band {index + 1} of {bands}): {done:,} of "
                                                  f"{total:,} photons", (index + done / total) / bands)
            if total else line(f"Monte Carlo, {band}: {done:,} photons"))
        result = depth_dose(request, progress=progress)
    spread = options.spread(request, uncertainty, seed, json_output)
    show(result, as_json=lambda r: dose_json(r) | options.spread_json(spread), printed=print_dose,
         plot=plot_depth_dose, png_file=png_file, json_output=json_output)
    options.print_spread(spread, json_output)
    exit_if_partial(result.partial)
