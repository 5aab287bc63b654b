"""The dose at depth for people and programs: JSON (`depth-dose --json`) in mW/cm² and J/cm², the terminal table,
and the depth–dose plot with the layers, the target depth bands and the dose window."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.present.figures import new_figure, save_png
from lightdose.present.text import number, print_warnings
from lightdose.transport.dose import DoseResult
from lightdose.transport.penetration import PenetrationResult
from lightdose.units import j_cm2, mw_cm2

DOSE_WINDOW_J_CM2 = (1.0, 10.0)
"""Heuristic photobiomodulation window at the target (Huang et al. 2009, Dose-Response 7:358)."""


def light_run_json(result: DoseResult | PenetrationResult) -> dict[str, Any]:
    """The keys that open the JSON of a light-transport run (`depth-dose`, `penetration`): what was placed where,
    for how long, and how it was solved."""
    return {
        "device": result.request.placement.name,
        "site": result.dataset.attrs["site"],
        "distance_mm": result.request.placement.distance,
        "exposure_s": result.request.exposure,
        "solver": result.solver,
        "photons": result.photons,
        "partial": result.partial,
    }


def dose_json(result: DoseResult) -> dict[str, Any]:
    """The JSON of `lightdose depth-dose`: depth profile and targets in mW/cm² and J/cm²."""
    ds = result.dataset
    exposure = result.request.exposure
    return light_run_json(result) | {
        "bands": [{"wavelength_nm": b.wavelength_nm, "surface_irradiance_mw_cm2": mw_cm2(b.irradiance),
                   "beam_radius_mm": b.beam_radius_mm} for b in result.bands],
        "z_mm": ds.z.values.round(4).tolist(),
        "fluence_rate_mw_cm2": mw_cm2(ds.fluence_rate_total.values).tolist(),
        "fluence_j_cm2": j_cm2(ds.fluence_total.values).tolist(),
        "reliable": ds.reliable.values.tolist(),
        "targets": [
            {
                "target": t.name,
                "depth_mm": t.depth_mm,
                "depth_range_mm": [t.depth_min_mm, t.depth_max_mm],
                "fluence_rate_mw_cm2": mw_cm2(t.fluence_rate),
                "fluence_j_cm2": j_cm2(t.fluence),
                "fluence_rate_range_mw_cm2": [mw_cm2(t.fluence_rate_deep), mw_cm2(t.fluence_rate_shallow)],
                "fluence_range_j_cm2": [j_cm2(t.fluence_rate_deep * exposure),
                                        j_cm2(t.fluence_rate_shallow * exposure)],
                "per_band_fluence_rate_mw_cm2": [mw_cm2(v) for v in t.fluence_rate_per_band],
                "fluence_optics_range_j_cm2": (None if t.fluence_optics_range is None
                                               else [j_cm2(v) for v in t.fluence_optics_range]),
            }
            for t in result.targets
        ],
        "warnings": list(result.warnings),
        "provenance": result.provenance.attrs(),
    }


def print_dose(result: DoseResult, console: Console) -> None:
    """The terminal summary: irradiance at the skin per band, then the dose at each target."""
    exposure = result.request.exposure
    bands = ", ".join(f"{b.wavelength_nm:g} nm: {number(mw_cm2(b.irradiance))} mW/cm²" for b in result.bands)
    console.print(f"{escape(result.request.placement.name)} on {escape(result.dataset.attrs['site'])}, "
                  f"{exposure / 60:g} min; irradiance at the skin: {bands}")
    table = Table(title=f"Dose at the targets ({result.solver})")
    for column in ("target", "depth [mm]", "fluence rate [mW/cm²]", "fluence [J/cm²]", "range over depth [J/cm²]",
                   "range over tissue optics [J/cm²]"):
        table.add_column(escape(column), justify="right")
    for t in result.targets:
        low, high = (number(j_cm2(rate * exposure)) for rate in (t.fluence_rate_deep, t.fluence_rate_shallow))
        optics = "–" if t.fluence_optics_range is None else "–".join(
            number(j_cm2(v)) for v in t.fluence_optics_range)
        table.add_row(escape(t.name), f"{number(t.depth_min_mm)}–{number(t.depth_max_mm)}",
                      number(mw_cm2(t.fluence_rate)), number(j_cm2(t.fluence)), f"{low}–{high}", optics)
    console.print(table)
    print_warnings(console, result.warnings)
    console.print("Values at the target's mid-depth; the range over depth spans its shallow and deep edges, the range "
                  "over tissue optics the dermal scattering from in-vivo mean − 1 SD to ex-vivo (docs/optics.md). The "
                  "fluence rate is the light at that depth from all directions, not the irradiance at the skin. "
                  "Heuristic PBM window at the target: 1–10 J/cm² (Huang et al. 2009). Not a medical device.")


def plot_depth_dose(result: DoseResult, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """A PNG of fluence [J/cm²] versus depth [mm], with the layers, the targets' depth bands and the window."""
    ds = result.dataset
    z = ds.z.values
    fig = new_figure(8.0, 5.0)
    ax = fig.subplots()
    ax.axhspan(*DOSE_WINDOW_J_CM2, color="tab:green", alpha=0.12, label="1–10 J/cm² window (heuristic)")
    for t in result.targets:
        ax.axvspan(t.depth_min_mm, t.depth_max_mm, color="tab:orange", alpha=0.15)
        ax.text(t.depth_mm, 0.97, t.name, transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8,
                color="tab:orange")
    for boundary in ds.layer_boundary.values:
        if boundary < z[-1]:
            ax.axvline(float(boundary), color="0.6", lw=0.6, ls=":")
    if ds.sizes["band"] > 1:
        for b in range(ds.sizes["band"]):
            ax.plot(z, j_cm2(ds.fluence.values[b]), lw=1.2, label=f"{float(ds.wavelength_nm[b]):.0f} nm")
    ax.plot(z, j_cm2(ds.fluence_total.values), color="k", lw=2, label="total")
    unreliable = ~ds.reliable.values.astype(bool)
    if unreliable.any():
        ax.axvspan(z[0], z[unreliable][-1], color="0.85", alpha=0.5, label="solver not trusted here")
    ax.set_yscale("log")
    ax.set_xlabel("depth below the skin [mm]")
    ax.set_ylabel("fluence [J/cm²]")
    minutes = result.request.exposure / 60.0
    ax.set_title(f"{result.request.placement.name} on {ds.attrs['site']}, {minutes:.3g} min, "
                 f"{result.request.placement.distance:g} mm gap ({result.solver})", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return save_png(fig, target)
