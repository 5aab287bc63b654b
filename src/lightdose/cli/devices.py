"""`lightdose devices` (the preset catalog) and `lightdose irradiance` (a device's irradiance on the skin)."""

from __future__ import annotations

import typer

from lightdose.cli import options
from lightdose.cli.app import app, console, print_json, print_warnings, user_errors_exit_cleanly
from lightdose.units import USER_INPUT


@app.command()
@user_errors_exit_cleanly
def devices(json_output: bool = options.JSON) -> None:
    """List the preset devices: kind, bands, total power, size and where their numbers come from."""
    from lightdose.present.devices import catalog_json, catalog_table

    payload = catalog_json()
    if json_output:
        print_json(payload)
    else:
        console.print(catalog_table(payload["devices"]))


@app.command()
@user_errors_exit_cleanly
def irradiance(
    device: str = typer.Argument(..., help="Preset device name (see `lightdose devices`)."),
    distance: str = typer.Option(..., "--distance", "-d", help="Gap between the emitting face and the skin, with its "
                                                               "unit, e.g. 15cm (0 = contact)."),
    png: str | None = typer.Option(None, "--png", help="Also write a colour map (mW/cm²) to this .png file."),
    points: int = typer.Option(201, "--points", help="Map cells per axis (3–1001)."),
    measured: str | None = typer.Option(
        None, "--measured", help="Use your measured irradiance (e.g. '32 mW/cm^2') instead of the model."
    ),
    meter: str | None = typer.Option(None, "--meter", help="What measured it (with --measured): thermopile, "
                                                           "photodiode, solar, unknown."),
    json_output: bool = options.JSON,
) -> None:
    """Irradiance of a device on the skin at a distance (0 = in contact): centre, mean over the footprint, map."""
    from lightdose.devices import IrradianceRequest
    from lightdose.devices import irradiance as irradiance_stage
    from lightdose.errors import InputError
    from lightdose.present.devices import irradiance_json, plot_irradiance, print_irradiance
    from lightdose.present.figures import png_path

    png_file = png_path(png) if png else None
    if png_file and measured is not None:
        raise InputError("--png", "a measured irradiance is a single value and has no map; drop --png")
    request = IrradianceRequest.model_validate(
        {"placement": {"device": device, "distance": distance}, "points": points, "measured": measured,
         "meter": meter}, context=USER_INPUT)
    result = irradiance_stage(request)
    if png_file:
        plot_irradiance(result, png_file)
    if json_output:
        print_json(irradiance_json(result))
        return
    print_irradiance(result, console)
    print_warnings(list(result.warnings))
    if png_file:
        console.print(f"Map written to {png_file}.")
