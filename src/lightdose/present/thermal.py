"""The heat session for people and programs: JSON (`heat --json`), the terminal summary and the plot of skin and
target temperature over time with the 43 °C contact limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from rich.console import Console
from rich.markup import escape

from lightdose.limits import CONTACT_SKIN_LIMIT_C
from lightdose.present.figures import new_figure, save_png
from lightdose.present.text import number, print_warnings
from lightdose.thermal.session import HeatResult

MAX_POINTS = 600
"""Most points of a time series in the JSON."""


def heat_json(result: HeatResult) -> dict[str, Any]:
    """The JSON of `lightdose heat`: skin temperature over time, peak, time above 43 °C, burn dose, targets."""
    ds = result.dataset
    step = max(1, ds.sizes["t"] // MAX_POINTS)
    return {
        "device": result.request.placement.name,
        "site": ds.attrs["site"],
        "exposure_s": result.request.exposure,
        "after_s": result.request.after,
        "t_s": ds.t.values[::step].round(3).tolist(),
        "skin_temp_c": ds.surface_temperature.values[::step].round(4).tolist(),
        "peak_skin_temp_c": result.peak_skin_temp_c,
        "time_above_43c_s": result.time_above_43c_s,
        "time_to_43c_s": result.time_to_43c_s,
        "cem43_min": result.cem43_min,
        "omega": result.omega,
        "solver": result.solver,
        "warnings": list(result.warnings),
        "temp_at_targets_c": {t.name: {"start": t.start_c, "end": t.end_c, "peak": t.peak_c} for t in result.targets},
        "provenance": result.provenance.attrs(),
    }


def print_heat(result: HeatResult, console: Console) -> None:
    """The terminal summary of a heat session."""
    ds = result.dataset
    skin = ds.surface_temperature.values
    console.print(f"{escape(result.request.placement.name)} on {escape(ds.attrs['site'])} for "
                  f"{float(ds.t[-1]) / 60:g} min ({escape(result.solver)})")
    reached = "" if result.time_to_43c_s is None else f" (from {result.time_to_43c_s:.0f} s)"
    console.print(f"Skin: {skin[0]:.1f} → {skin[-1]:.1f} °C, peak {result.peak_skin_temp_c:.1f} °C; above "
                  f"{CONTACT_SKIN_LIMIT_C:g} °C for {result.time_above_43c_s:.0f} s{reached}; CEM43 "
                  f"{number(result.cem43_min)} min; Arrhenius Ω {number(result.omega, 2)} (Ω = 1 ≈ a second-degree "
                  "burn)")
    for t in result.targets:
        console.print(f"{escape(t.name)}: {t.start_c:.1f} → {t.end_c:.1f} °C (peak {t.peak_c:.1f} °C)")
    print_warnings(console, result.warnings)
    console.print(f"Contact limit for applied parts ≥ 10 min: {CONTACT_SKIN_LIMIT_C:g} °C (IEC 60601-1); pain is no "
                  "safeguard on an insensate foot. Not a medical device.")


def plot_heat(result: HeatResult, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """A PNG of skin, basal-epidermis and target temperature [°C] versus time [min]."""
    ds = result.dataset
    fig = new_figure(8.0, 4.5)
    ax = fig.subplots()
    minutes = ds.t.values / 60.0
    ax.plot(minutes, ds.surface_temperature.values, color="tab:red", lw=2, label="skin surface")
    ax.plot(minutes, ds.basal_epidermis_temperature.values, color="tab:orange", lw=1, label="basal epidermis")
    for i, colour in zip(range(ds.sizes["target"]), ("tab:blue", "tab:green", "tab:purple", "tab:brown"),
                         strict=False):
        ax.plot(minutes, ds.target_temperature.values[:, i], lw=1.2, color=colour, label=str(ds.target.values[i]))
    ax.axhline(CONTACT_SKIN_LIMIT_C, color="k", ls="--", lw=0.8,
               label=f"{CONTACT_SKIN_LIMIT_C:g} °C contact limit (IEC 60601-1)")
    if result.request.after > 0:
        ax.axvline(result.session_end_s / 60.0, color="0.5", lw=0.8, label="device removed")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title(f"{result.request.placement.name} on {ds.attrs['site']}: CEM43 {number(result.cem43_min, 2)} min",
                 fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return save_png(fig, target)
