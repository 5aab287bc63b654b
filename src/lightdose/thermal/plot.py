"""Skin and target temperature over a session, with the 43 °C contact limit."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

CONTACT_LIMIT_C = 43.0
"""Applied parts in skin contact for ≥ 10 min (IEC 60601-1)."""


def plot_session(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a PNG of skin and target temperature [°C] versus time [min] for a :func:`heat_session` result."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=120)
    ax = fig.subplots()
    minutes = ds.t.values / 60.0
    ax.plot(minutes, ds.surface_temperature.values, color="tab:red", lw=2, label="skin surface")
    ax.plot(minutes, ds.basal_epidermis_temperature.values, color="tab:orange", lw=1, label="basal epidermis")
    targets = [name for name in ds.data_vars if str(name).startswith("target_temperature_")]
    for name, colour in zip(targets, ("tab:blue", "tab:green", "tab:purple", "tab:brown"), strict=False):
        ax.plot(minutes, ds[name].values, lw=1.2, color=colour, label=ds[name].attrs["target"])
    ax.axhline(CONTACT_LIMIT_C, color="k", ls="--", lw=0.8, label="43 °C contact limit (IEC 60601-1)")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title(f"{ds.attrs['device']} on {ds.attrs['site']}: CEM43 {ds.attrs['cem43_min']:.2g} min", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.text(0.01, 0.01, "lightdose — not a medical device; 1-D model estimate", fontsize=7, color="0.4")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    return out
