"""Devices and the irradiance on the skin for people and programs: the catalog's rows (`lightdose devices`), the
irradiance JSON (`lightdose irradiance --json`) and table in mW/cm², and the colour map of the irradiance."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.devices import HeatingPad, InfraredSauna, IrradianceResult, LightDevice
from lightdose.present.figures import new_figure, save_png
from lightdose.present.text import number
from lightdose.units import mw_cm2

SMALLEST_SHOWN_MW_CM2 = 0.001
"""Irradiance [mW/cm²] below which a table says "< 0.001" instead of a number in scientific notation."""


def catalog_row(device: LightDevice | HeatingPad | InfraredSauna) -> dict[str, Any]:
    """A catalog row: name, kind, bands, total power [W], size [mm] and source (`lightdose devices --json`)."""
    row: dict[str, Any] = {"name": device.name, "kind": device.kind, "source": device.source,
                           "description": device.description}
    if isinstance(device, LightDevice):
        row["bands"] = [b.model_dump() for b in device.bands()]
        row["total_power_w"] = device.total_power
        row["emitters"] = device.emitter_count
        row["size_mm"] = [device.width, device.height]
        row["contact"] = device.contact
    elif isinstance(device, HeatingPad):
        row["bands"] = []
        row["surface_temperature_c"] = device.surface_temperature
        row["size_mm"] = [device.width, device.height]
    else:
        row["bands"] = []
        row["air_temperature_c"] = device.air_temperature
        row["emitter_temperature_c"] = device.emitter_temperature
        row["emitter_peak_wavelength_um"] = device.emitter_peak_wavelength_um
        row["size_mm"] = None
    return row


def catalog_json() -> dict[str, Any]:
    """The JSON of `lightdose devices`: one :func:`catalog_row` per preset, alphabetical."""
    from lightdose.devices import get, names

    return {"devices": [catalog_row(get(name)) for name in names()]}


def catalog_table(rows: list[dict[str, Any]]) -> Table:
    """The `lightdose devices` table of :func:`catalog_row` rows."""
    table = Table(title="Preset devices (lightdose/data/devices/*.yaml)")
    for column in ("name", "kind", "bands", "total power", "size [mm]", "source"):
        table.add_column(escape(column), overflow="fold")
    for r in rows:
        if r["bands"]:
            bands = ", ".join(f"{b['wavelength_nm']:g} nm ({100 * b['power_fraction']:.0f} %)" for b in r["bands"])
            count = r["emitters"]
            power = f"{number(r['total_power_w'])} W ({count} emitter{'' if count == 1 else 's'})"
        elif "surface_temperature_c" in r:
            bands, power = "heat only", f"surface {r['surface_temperature_c']:g} °C"
        else:
            bands = f"heat only (far IR, peak {r['emitter_peak_wavelength_um']:.1f} µm)"
            power = f"air {r['air_temperature_c']:g} °C"
        size = "cabin" if r["size_mm"] is None else " × ".join(f"{s:g}" for s in r["size_mm"])
        table.add_row(r["name"], r["kind"], escape(bands), escape(power), size, escape(r["source"]))
    return table


def irradiance_json(result: IrradianceResult) -> dict[str, Any]:
    """The JSON of `lightdose irradiance`: centre, mean over the footprint and maximum in mW/cm², per band and in
    all, and the map (mean over each cell)."""
    ds = result.dataset
    return {
        "device": ds.attrs["device"],
        "kind": ds.attrs["kind"],
        "distance_mm": ds.attrs["distance_mm"],
        "centre_mw_cm2": mw_cm2(ds.attrs["centre_total"]),
        "mean_mw_cm2": mw_cm2(ds.attrs["mean_total"]),
        "max_mw_cm2": mw_cm2(ds.attrs["max_total"]),
        "footprint_mm": [ds.attrs.get("footprint_width_mm"), ds.attrs.get("footprint_height_mm")],
        "bands": [
            {
                "wavelength_nm": float(ds.wavelength_nm[i]),
                "fwhm_nm": float(ds.fwhm_nm[i]),
                "power_fraction": float(ds.power_fraction[i]),
                "centre_mw_cm2": float(mw_cm2(result.centre_irradiance[i])),
                "mean_mw_cm2": float(mw_cm2(result.mean_irradiance[i])),
                "max_mw_cm2": float(mw_cm2(result.max_irradiance[i])),
            }
            for i in range(ds.sizes["band"])
        ],
        "x_mm": ds.x.values.tolist(),
        "y_mm": ds.y.values.tolist(),
        "irradiance_mw_cm2": mw_cm2(ds.irradiance_total.values).tolist(),
        "warnings": list(result.warnings),
        "provenance": result.provenance.attrs(),
    }


def _irradiance(value_w_mm2: float) -> str:
    """An irradiance [W/mm²] in mW/cm² for a clinical table: plain digits, "< 0.001" below that."""
    value = float(mw_cm2(value_w_mm2))
    return number(value) if value == 0.0 or value >= SMALLEST_SHOWN_MW_CM2 else f"< {SMALLEST_SHOWN_MW_CM2:g}"


def print_irradiance(result: IrradianceResult, console: Console) -> None:
    """The terminal summary: per band and in all, the centre, the mean over the footprint and the maximum."""
    ds = result.dataset
    source = f"measured ({result.request.meter or 'unknown'} meter)" if result.measured else "model"
    table = Table(title=f"{escape(ds.attrs['device'])} at {ds.attrs['distance_mm']:g} mm from its emitting "
                        f"face, {source}")
    for column in ("band", "centre [mW/cm²]", "mean over footprint [mW/cm²]", "max [mW/cm²]"):
        table.add_column(escape(column), justify="right")
    for i in range(ds.sizes["band"]):
        table.add_row(f"{float(ds.wavelength_nm[i]):g} nm", _irradiance(result.centre_irradiance[i]),
                      _irradiance(result.mean_irradiance[i]), _irradiance(result.max_irradiance[i]))
    table.add_row("all bands", _irradiance(ds.attrs["centre_total"]), _irradiance(ds.attrs["mean_total"]),
                  _irradiance(ds.attrs["max_total"]))
    console.print(table)
    if not result.measured:
        console.print("Centre: at the skin under the middle of the device. Mean: over the device's footprint "
                      f"({number(ds.attrs['footprint_width_mm'])} × {number(ds.attrs['footprint_height_mm'])} mm). "
                      "Max: the highest mean over one map cell "
                      f"({number(float(ds.x[1] - ds.x[0]))} × {number(float(ds.y[1] - ds.y[0]))} mm).")


def plot_irradiance(result: IrradianceResult, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """A PNG colour map of the all-band irradiance [mW/cm²] (mean over each cell), with the device's outline."""
    from matplotlib.patches import Rectangle

    ds = result.dataset
    fig = new_figure(7.0, 5.5)
    ax = fig.subplots()
    mesh = ax.pcolormesh(ds.x, ds.y, mw_cm2(ds.irradiance_total.values), shading="nearest", cmap="inferno")
    fig.colorbar(mesh, ax=ax, label="irradiance [mW/cm²]")
    width, height = ds.attrs["footprint_width_mm"], ds.attrs["footprint_height_mm"]
    ax.add_patch(Rectangle((-width / 2, -height / 2), width, height, fill=False, edgecolor="cyan", linestyle="--"))
    bands = " + ".join(f"{wl:g} nm" for wl in ds.wavelength_nm.values)
    ax.set_title(
        f"{ds.attrs['device']} ({bands}) at {ds.attrs['distance_mm']:g} mm\n"
        f"centre {_irradiance(ds.attrs['centre_total'])}, mean over outline {_irradiance(ds.attrs['mean_total'])}, "
        f"max {_irradiance(ds.attrs['max_total'])} mW/cm²",
        fontsize=10,
    )
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    ax.set_aspect("equal")
    fig.tight_layout()
    return save_png(fig, target)
