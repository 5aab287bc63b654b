"""`lightdose penetration`: how deep the light goes — the depths where the fluence rate falls to 50, 10, 1 and 0.1 %
of its value just under the skin, and where the session's fluence drops below 1 J/cm²."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, err_console, exit_if_partial, show, user_errors_exit_cleanly
from lightdose.cli.progress import status_line
from lightdose.units import USER_INPUT


@app.command("penetration")
@user_errors_exit_cleanly
def penetration_command(
    device: str = options.DEVICE,
    site: str = options.SITE,
    time: str = options.TIME,
    distance: str = options.DISTANCE,
    skin_type: str = options.SKIN_TYPE,
    fat: str | None = options.FAT,
    bmi: float | None = options.BMI,
    neuropathy: bool = options.NEUROPATHY,
    dermal_blood: str | None = options.DERMAL_BLOOD,
    dose_threshold: str = typer.Option("1 J/cm^2", "--dose-threshold",
                                       help="Fluence whose depth is reported, with its unit, e.g. 1J/cm2."),
    solver: str = typer.Option("fast", "--solver", help="fast (δ-P1 diffusion) or mc (Monte Carlo)."),
    photons: int = typer.Option(200_000, "--photons", help="Photons per band for --solver mc (1000–1e9)."),
    seed: int = typer.Option(1, "--seed", help="Random seed for --solver mc."),
    max_depth: str = typer.Option("100 mm", "--max-depth", help="Deepest depth followed, e.g. 60mm (up to 100 mm)."),
    parameters: str = options.PARAMETERS,
    png: str | None = options.PNG,
    json_output: bool = options.JSON,
) -> None:
    """How deep the light goes: per band, the depths [mm] where the fluence rate on the beam axis falls to 50, 10, 1
    and 0.1 % of its value just under the skin, and below which the session's fluence stays under 1 J/cm²."""
    from lightdose.present.figures import png_path
    from lightdose.present.penetration import penetration_json, plot_penetration, print_penetration
    from lightdose.transport.penetration import PenetrationRequest, penetration

    png_file = png_path(png) if png else None
    fields = options.placed_on_person(device, distance, site, time, parameters, skin_type, fat, bmi, neuropathy,
                                      dermal_blood)
    request = PenetrationRequest.model_validate(
        fields | {"dose_threshold": dose_threshold, "solver": solver, "photons": photons, "seed": seed,
                  "max_depth": max_depth}, context=USER_INPUT)
    with status_line(not json_output, err_console) as line:
        progress = None if line is None else (lambda done: line("Monte Carlo", done))
        result = penetration(request, progress=progress)
    show(result, as_json=penetration_json, printed=print_penetration, plot=plot_penetration, png_file=png_file,
         json_output=json_output)
    exit_if_partial(result.partial)
