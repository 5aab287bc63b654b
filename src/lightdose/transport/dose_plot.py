"""Depth–dose plot: fluence versus depth with the layers, the target depth bands and the dose window."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import xarray as xr

DOSE_WINDOW_J_CM2 = (1.0, 10.0)
"""Heuristic photobiomodulation window at the target (Huang et al. 2009, Dose-Response 7:358)."""


def plot_depth_dose(ds: xr.Dataset, path: str | Path | BinaryIO) -> Path | BinaryIO:
    """Write a PNG of fluence [J/cm²] versus depth [mm] for `ds` from :func:`~lightdose.transport.dose.depth_dose`
    to a file path or a binary file object (the planner's report embeds it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    z = ds.z.values
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.axhspan(*DOSE_WINDOW_J_CM2, color="tab:green", alpha=0.12, label="1–10 J/cm² window (heuristic)")
    for i, name in enumerate(ds.target.values):
        ax.axvspan(float(ds.target_depth_min[i]), float(ds.target_depth_max[i]), color="tab:orange", alpha=0.15)
        ax.text(float(ds.target_depth_mid[i]), 0.97, str(name), transform=ax.get_xaxis_transform(), ha="center",
                va="top", fontsize=8, color="tab:orange")
    for boundary in np.atleast_1d(ds.attrs["layer_boundaries_mm"])[1:]:
        if boundary < z[-1]:
            ax.axvline(float(boundary), color="0.6", lw=0.6, ls=":")
    if ds.sizes["band"] > 1:
        for b in range(ds.sizes["band"]):
            ax.plot(z, ds.fluence.values[b], lw=1.2, label=f"{float(ds.wavelength_nm[b]):.0f} nm")
    ax.plot(z, ds.fluence_total.values, color="k", lw=2, label="total")
    unreliable = ~ds.reliable.values.astype(bool)
    if unreliable.any():
        ax.axvspan(z[0], z[unreliable][-1], color="0.85", alpha=0.5, label="solver not trusted here")
    ax.set_yscale("log")
    ax.set_xlabel("depth below the skin [mm]")
    ax.set_ylabel("fluence [J/cm²]")
    minutes = float(ds.attrs["exposure_s"]) / 60.0
    ax.set_title(f"{ds.attrs['device']} on {ds.attrs['site']}, {minutes:.3g} min, "
                 f"{float(ds.attrs['distance_mm']):g} mm gap ({ds.attrs['solver']})", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.text(0.01, 0.01, "lightdose — not a medical device; model estimate", fontsize=7, color="0.4")
    fig.tight_layout()
    out = path if hasattr(path, "write") else Path(path)
    fig.savefig(out, format="png")
    plt.close(fig)
    return out
