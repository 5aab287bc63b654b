"""How deep the light goes, for people and programs: JSON (`penetration --json`, depths in mm, fluence rates in
mW/cm², fluences in J/cm²), the terminal table and the plot of the fluence rate relative to its value just under the
skin versus depth, with the levels, the layers and the zone where the solver is not trusted."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.present.dose import light_run_json
from lightdose.present.figures import new_figure, save_png
from lightdose.present.text import number, print_warnings
from lightdose.transport.penetration import LEVELS, BandPenetration, PenetrationResult
from lightdose.units import j_cm2, mw_cm2


def _percent(level: float) -> float:
    return round(level * 100.0, 6)


def _band_json(item: BandPenetration, exposure: float) -> dict[str, Any]:
    return {
        **({"wavelength_nm": item.wavelength_nm} if item.wavelength_nm is not None else {}),
        "surface_irradiance_mw_cm2": mw_cm2(item.surface_irradiance),
        "surface_fluence_rate_mw_cm2": mw_cm2(item.surface_fluence_rate),
        "peak_fluence_rate_mw_cm2": mw_cm2(item.peak_fluence_rate),
        "peak_depth_mm": round(item.peak_depth_mm, 4),
        "surface_fluence_j_cm2": j_cm2(item.surface_fluence_rate * exposure),
        "levels": [{"percent": _percent(lv.level), "depth_mm": lv.depth_mm, "reliable": lv.reliable}
                   for lv in item.levels],
        "dose_depth_mm": item.dose_depth_mm,
        "dose_depth_reliable": item.dose_depth_reliable,
        **({"deep_mueff_per_mm": item.deep_mueff_per_mm, "deep_e_folding_mm": 1.0 / item.deep_mueff_per_mm}
           if item.deep_mueff_per_mm else {}),
    }


def penetration_json(result: PenetrationResult) -> dict[str, Any]:
    """The JSON of `lightdose penetration`: depths [mm] per band and for all bands, the layers and the profiles.

    Every number is finite: a depth that is not reached within the profile is ``null``."""
    ds = result.dataset
    exposure = result.request.exposure
    return light_run_json(result) | {
        "max_depth_mm": result.request.max_depth,
        "reference": "fluence rate on the axis just under the skin (z = 0.05 mm)",
        "levels_percent": [_percent(level) for level in LEVELS],
        "dose_threshold_j_cm2": j_cm2(result.request.dose_threshold),
        "bands": [_band_json(b, exposure) for b in result.bands],
        "total": _band_json(result.total, exposure),
        "layers": [{"name": layer.name, "top_mm": layer.top_mm, "bottom_mm": layer.bottom_mm}
                   for layer in result.layers],
        "fast_solver_reliable_mm": [result.reliable_from_mm, result.reliable_to_mm],
        "z_mm": ds.z.values.round(4).tolist(),
        "relative_fluence_rate": [row.tolist() for row in ds.relative_fluence_rate.values],
        "relative_fluence_rate_total": ds.relative_fluence_rate_total.values.tolist(),
        "fluence_j_cm2": j_cm2(ds.fluence_total.values).tolist(),
        "reliable": ds.reliable.values.astype(bool).tolist(),
        "warnings": list(result.warnings),
        "provenance": result.provenance.attrs(),
    }


def _short(name: str, width: int = 40) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def _depth_text(depth: float | None, reliable: bool | None, max_depth: float) -> str:
    if depth is None:
        return f"> {number(max_depth)}"
    return number(depth) + ("" if reliable else "*")


def print_penetration(result: PenetrationResult, console: Console) -> None:
    """The terminal summary: per band and for all bands, the depths of the levels and of the dose threshold."""
    request = result.request
    max_depth = request.max_depth
    threshold = number(j_cm2(request.dose_threshold))
    gap = f"{request.placement.distance / 10:g} cm gap" if request.placement.distance > 0 else "in contact"
    console.print(f"{escape(request.placement.name)} on {escape(result.dataset.attrs['site'])}, {gap}, "
                  f"{request.exposure / 60:g} min ({result.solver})")
    table = Table(title="How deep the light goes (depth in mm below the skin, on the beam axis)")
    columns = ["band", "at the skin [mW/cm²]", "just under it [mW/cm²]",
               *(f"{_percent(level):g} %" for level in LEVELS), f"dose < {threshold} J/cm² from"]
    for column in columns:
        table.add_column(escape(column), justify="right")
    rows = (*result.bands, result.total) if len(result.bands) > 1 else result.bands
    for item in rows:
        label = f"{item.wavelength_nm:g} nm" if item.wavelength_nm is not None else "all bands"
        table.add_row(label, number(mw_cm2(item.surface_irradiance)), number(mw_cm2(item.surface_fluence_rate)),
                      *(_depth_text(lv.depth_mm, lv.reliable, max_depth) for lv in item.levels),
                      _depth_text(item.dose_depth_mm, item.dose_depth_reliable, max_depth))
    console.print(table)
    layers = "; ".join(f"{layer.name} {number(layer.top_mm)}–{number(layer.bottom_mm) if layer.bottom_mm else ''}"
                       for layer in result.layers)
    console.print(escape(f"Layers [mm]: {layers}"))
    deep = ", ".join(f"{b.wavelength_nm:g} nm every {number(1.0 / b.deep_mueff_per_mm)} mm" for b in result.bands
                     if b.wavelength_nm is not None and b.deep_mueff_per_mm)
    if deep:
        console.print(f"Deep in the last layer a broad beam falls by e (to 37 %) {deep} (1/μeff); a narrow beam "
                      "falls faster.")
    print_warnings(console, result.warnings)
    trusted = (f"{number(result.reliable_from_mm)}–{number(result.reliable_to_mm)} mm" if result.solver !=
               "Monte Carlo" else "where its standard error is at most 10 %")
    console.print(f"Percentages are of the fluence rate just under the skin (z = 0.05 mm), which light scattered back "
                  f"up makes larger than the irradiance at the skin. '> {number(max_depth)}': not reached within the "
                  f"profile. *: outside the depths where the solver is trusted ({trusted}). The dose is the fluence "
                  f"(all directions) for {request.exposure / 60:g} min. The layers are modelled as going on for ever: "
                  "depths beyond the limb's own thickness are not physical. Not a medical device.")


def plot_penetration(result: PenetrationResult, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """A PNG of the fluence rate relative to its value just under the skin versus depth (log axis), per band and
    for all bands, with the levels, the layers, the dose-threshold depth and the zone where the solver is not
    trusted."""
    ds = result.dataset
    z = ds.z.values
    fig = new_figure(8.0, 5.0)
    ax = fig.subplots()
    rel_total = ds.relative_fluence_rate_total.values
    floor = 1e-14
    for b, item in enumerate(result.bands):
        if ds.sizes["band"] > 1:
            ax.plot(z, ds.relative_fluence_rate.values[b].clip(floor), lw=1.2, label=f"{item.wavelength_nm:g} nm")
    ax.plot(z, rel_total.clip(floor), color="k", lw=2, label="all bands" if ds.sizes["band"] > 1 else
            f"{result.bands[0].wavelength_nm:g} nm")
    for level, lv in zip(LEVELS, result.total.levels, strict=True):
        ax.axhline(level, color="tab:blue", lw=0.6, ls="--", alpha=0.6)
        text = f"{_percent(level):g} %" + (f" at {number(lv.depth_mm)} mm" if lv.depth_mm is not None else "")
        ax.text(0.6 * z[-1], level, text, ha="right", va="bottom", fontsize=7, color="tab:blue")
    for layer in result.layers[1:]:
        if layer.top_mm < z[-1]:
            ax.axvline(layer.top_mm, color="0.6", lw=0.6, ls=":")
    listing = "\n".join(f"{_short(layer.name)}: {number(layer.top_mm)}–"
                         f"{number(layer.bottom_mm) + ' mm' if layer.bottom_mm is not None else ''}"
                         for layer in result.layers if layer.top_mm < z[-1])
    ax.text(0.99, 0.98, "layers (dotted lines)\n" + listing, transform=ax.transAxes, ha="right", va="top", fontsize=6.5,
            color="0.3", bbox={"facecolor": "white", "edgecolor": "0.8", "alpha": 0.85})
    dose_depth = result.total.dose_depth_mm
    if dose_depth:
        ax.axvline(dose_depth, color="tab:red", lw=1.0, ls="--",
                   label=f"< {number(j_cm2(result.request.dose_threshold))} J/cm² below {number(dose_depth)} mm "
                         f"({result.request.exposure / 60:g} min)")
    unreliable = ~ds.reliable.values.astype(bool)
    if unreliable.any():
        shallow = unreliable & (z < 0.5 * z[-1])
        if shallow.any():
            ax.axvspan(z[0], z[shallow][-1], color="0.85", alpha=0.5, label="solver not trusted here")
        deep = unreliable & (z >= 0.5 * z[-1])
        if deep.any():
            ax.axvspan(z[deep][0], z[-1], color="0.85", alpha=0.5)
    ax.set_yscale("log")
    lowest = float(rel_total[rel_total > 0].min()) if (rel_total > 0).any() else floor
    ax.set_ylim(max(floor, min(lowest, min(LEVELS)) / 3.0), 5.0 * max(1.0, float(rel_total.max())))
    ax.set_xlim(0.0, z[-1])
    ax.set_xlabel("depth below the skin [mm]")
    ax.set_ylabel("fluence rate / fluence rate just under the skin")
    request = result.request
    ax.set_title(f"{request.placement.name} on {ds.attrs['site']}, {request.placement.distance:g} mm gap "
                 f"({result.solver})", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return save_png(fig, target)


__all__ = ["penetration_json", "plot_penetration", "print_penetration"]
