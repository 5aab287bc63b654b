"""The summary plot of a sweep: the target dose over two chosen axes (a heat map) and the share of the other cells
whose target dose lies in the window. Presentation only: it reads the stored Dataset and computes no physics."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from lightdose.present.figures import new_figure
from lightdose.units import j_cm2, mw_cm2

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PREFERRED = ("target_fluence", "coverage_in_window", "peak_skin_temperature", "perfusion_plateau", "cem43",
             "exposure", "target_fluence_rate", "surface_irradiance", "omega")
"""The output a summary shows, first found first."""


def _shown(da: xr.DataArray) -> tuple[xr.DataArray, str]:
    """`da` in display units (J/cm² for a fluence), with its axis label."""
    units = str(da.attrs.get("units", ""))
    if units == "J/mm^2":
        return j_cm2(da), "J/cm²"
    if units == "W/mm^2":
        return mw_cm2(da), "mW/cm²"
    return da, units


def _coordinate(ds: xr.Dataset, dim: str) -> tuple[list[str], str]:
    """Tick labels along `dim` (the drawn values of a sampled axis rather than draw numbers) and the axis label."""
    values = ds[f"{dim}_value"] if f"{dim}_value" in ds.coords else ds[dim]
    units = values.attrs.get("units")
    labels = [f"{v:.4g}" if isinstance(v, float | np.floating) else str(v) for v in values.values]
    return labels, f"{values.attrs.get('field', dim)}" + (f" [{units}]" if units and units != "1" else "")


def _heat_map(fig: Figure, ax: Axes, grid: xr.DataArray, x: str, y: str, ds: xr.Dataset, title: str,
              colour: str) -> None:
    image = ax.imshow(grid.transpose(y, x).values, origin="lower", aspect="auto", cmap="viridis")
    fig.colorbar(image, ax=ax, label=colour)
    for dim, set_ticks, set_labels, set_name in ((x, ax.set_xticks, ax.set_xticklabels, ax.set_xlabel),
                                                 (y, ax.set_yticks, ax.set_yticklabels, ax.set_ylabel)):
        labels, name = _coordinate(ds, dim)
        step = max(1, len(labels) // 8)
        set_ticks(range(0, len(labels), step))
        set_labels(labels[::step], fontsize=7)
        set_name(name, fontsize=8)
    ax.set_title(title, fontsize=9)


def summary_figure(ds: xr.Dataset, x: str | None = None, y: str | None = None, site: int = 0) -> Figure:
    """The summary plot of the sweep Dataset `ds` over dimensions `x` and `y` (default: the first two): the median
    over the other dimensions of the main output (the target dose when recorded) and, for a target dose, the share
    of the other cells in the window (``attrs["window_low"]`` to ``["window_high"]``). One dimension: a line."""
    name = next((n for n in PREFERRED if n in ds.data_vars), None)
    if name is None:  # only coded outputs: show the share of cells that failed instead
        name = "failed"
    da = ds[name].astype(float)
    if "site" in da.dims:
        da = da.isel(site=site)
    dims = [str(d) for d in da.dims]
    x = x or dims[0]
    y = y or (dims[1] if len(dims) > 1 and dims[1] != x else (dims[0] if len(dims) > 1 and dims[0] != x else None))
    shown, units = _shown(da)
    others = [d for d in dims if d not in (x, y)]
    windowed = name == "target_fluence"
    fig = new_figure(12.0 if windowed else 7.0, 4.8)
    axes = fig.subplots(1, 2 if windowed else 1, squeeze=False)[0]
    label = f"{name} [{units}]" + (" (median over the other axes)" if others else "")
    if y is None:
        axes[0].plot(range(shown.sizes[x]), shown.median(others).values if others else shown.values, marker="o")
        labels, xname = _coordinate(ds, x)
        axes[0].set_xticks(range(len(labels)))
        axes[0].set_xticklabels(labels, fontsize=7)
        axes[0].set_xlabel(xname, fontsize=8)
        axes[0].set_ylabel(label, fontsize=8)
    else:
        _heat_map(fig, axes[0], shown.median(others) if others else shown, x, y, ds, label, units)
    if windowed:
        low, high = float(ds.attrs["window_low"]), float(ds.attrs["window_high"])
        inside = ((da >= low) & (da <= high)).astype(float).where(da.notnull())
        share = inside.mean(others) if others else inside
        title = f"share of cells in the window {j_cm2(low):g}–{j_cm2(high):g} J/cm²"
        if y is None:
            axes[1].plot(range(share.sizes[x]), share.values, marker="o")
            axes[1].set_ylim(-0.02, 1.02)
            axes[1].set_title(title, fontsize=9)
        else:
            _heat_map(fig, axes[1], share, x, y, ds, title, "share in window")
    fig.suptitle(str(ds.attrs.get("title", "sweep")), fontsize=10)
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return fig


__all__ = ["summary_figure"]
