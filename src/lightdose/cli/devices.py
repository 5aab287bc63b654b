"""Devices: the catalog and the irradiance a device gives on the skin."""

from __future__ import annotations

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, print_json, print_warnings, user_errors_exit_cleanly
from lightdose.output_files import writable_path


@app.command()
@user_errors_exit_cleanly
def devices(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the preset devices: kind, bands, total power, size and where their numbers come from."""
    from rich.table import Table

    from lightdose import devices as catalog

    rows = [catalog.describe(catalog.get(name)) for name in catalog.names()]
    if json_output:
        print_json({"devices": rows})
        return
    table = Table(title="Preset devices (lightdose/data/devices/*.yaml)")
    for column in ("name", "kind", "bands", "total power", "size [mm]", "source"):
        table.add_column(escape(column), overflow="fold")
    for r in rows:
        if r["bands"]:
            bands = ", ".join(f"{b['wavelength_nm']:g} nm ({100 * b['power_fraction']:.0f} %)" for b in r["bands"])
            power = f"{r['total_power_w']:.3g} W ({r['emitters']} emitters)"
        elif "surface_temperature_c" in r:
            bands, power = "heat only", f"surface {r['surface_temperature_c']:g} °C"
        else:
            bands = f"heat only (far IR, peak {r['emitter_peak_wavelength_um']:.1f} µm)"
            power = f"air {r['air_temperature_c']:g} °C"
        size = "cabin" if r["size_mm"] is None else " × ".join(f"{s:g}" for s in r["size_mm"])
        table.add_row(r["name"], r["kind"], escape(bands), escape(power), size, escape(r["source"]))
    console.print(table)


@app.command()
@user_errors_exit_cleanly
def irradiance(
    device: str = typer.Argument(..., help="Preset device name (see `lightdose devices`)."),
    distance: str = typer.Option(..., "--distance", "-d", help="Skin distance from the emitting face, e.g. 15cm."),
    png: str | None = typer.Option(None, "--png", help="Also write a colour map (mW/cm²) to this PNG file."),
    points: int = typer.Option(201, "--points", min=3, max=1001, help="Grid points per axis."),
    measured: str | None = typer.Option(
        None, "--measured", help="Use your measured irradiance (e.g. '32 mW/cm^2') instead of the model."
    ),
    meter: str = typer.Option("unknown", "--meter", help="What measured it: thermopile, photodiode, solar, unknown."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Irradiance of a device on the skin at a distance (0 = in contact): centre, mean over the footprint, map."""
    from rich.table import Table

    from lightdose import devices as catalog
    from lightdose.devices.irradiance import Grid, parse_distance, summary
    from lightdose.errors import InputError

    light = catalog.get_light_device(device)
    if png and measured is None:
        writable_path(png, "--png")
    if measured is not None:
        if png:
            raise InputError("png", "a measured irradiance is a single value and has no map; drop --png")
        ds = catalog.measured_irradiance(measured, meter, light, distance)
    else:
        grid = Grid.around(light, parse_distance(light, distance), points=points)
        ds = light.irradiance_map(distance, grid)
    if png:
        from lightdose.devices.plot import plot_irradiance

        plot_irradiance(ds, png)
    result = summary(ds)
    if json_output:
        print_json(result)
        return
    source = f"measured ({meter} meter)" if measured is not None else "model"
    table = Table(title=f"{device} at {result['distance_mm']:g} mm from its emitting face, {source} [mW/cm²]")
    for column in ("band", "centre", "mean over footprint"):
        table.add_column(column, justify="right")
    for b in result["bands"]:
        table.add_row(f"{b['wavelength_nm']:g} nm", f"{b['centre_mw_cm2']:.3g}", f"{b['mean_mw_cm2']:.3g}")
    table.add_row("all bands", f"{result['centre_mw_cm2']:.3g}", f"{result['mean_mw_cm2']:.3g}")
    console.print(table)
    if measured is None:
        console.print(f"Maximum on the grid: {result['max_mw_cm2']:.3g} mW/cm².")
    print_warnings(result["warnings"])
    if png:
        console.print(f"Map written to {escape(png)}.")
