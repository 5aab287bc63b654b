"""A labelled colour map of an irradiance result, in mW/cm², with the device's outline."""

from __future__ import annotations

from pathlib import Path

import xarray as xr
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lightdose.devices.irradiance import in_mw_cm2


def plot_irradiance(ds: xr.Dataset, path: str | Path) -> Path:
    """Write the all-band irradiance map of `ds` (from :func:`irradiance_map`) to an image file; returns its path."""
    path = Path(path)
    fig = Figure(figsize=(7.0, 5.0), layout="constrained")  # no pyplot: no global backend state
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(ds.x, ds.y, in_mw_cm2(ds.irradiance_total.values), shading="auto", cmap="inferno")
    fig.colorbar(mesh, ax=ax, label="irradiance [mW/cm²]")
    width, height = ds.attrs["footprint_width_mm"], ds.attrs["footprint_height_mm"]
    ax.add_patch(Rectangle((-width / 2, -height / 2), width, height, fill=False, edgecolor="cyan", linestyle="--"))
    bands = " + ".join(f"{wl:g} nm" for wl in ds.wavelength_nm.values)
    ax.set_title(
        f"{ds.attrs['device']} ({bands}) at {ds.attrs['distance_mm']:g} mm\n"
        f"centre {in_mw_cm2(ds.attrs['centre_total']):.3g}, mean over outline {in_mw_cm2(ds.attrs['mean_total']):.3g}, "
        f"max {in_mw_cm2(ds.attrs['max_total']):.3g} mW/cm²"
    )
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    ax.set_aspect("equal")
    fig.savefig(path, dpi=120)
    return path
