"""Chart specifications for the pages' interactive charts: plain data that static/app.js draws with the vendored
uPlot (lines with hover read-out and drag-to-zoom; shaded bands for targets, windows and "device on") or on a canvas
(irradiance maps). Built from the presenters' JSON — the same numbers the CLI's ``--json`` prints; no physics here.

A line chart: ``{"type": "lines", "x": [...], "xLabel": ..., "yLabel": ..., "y2Label": ..., "log": bool,
"series": [{"label", "values", "axis": "y"|"y2"}], "xBands": [{"from", "to", "label"}], "yBands": [...],
"xMarks": [{"at", "label"}]}``. A map: ``{"type": "map", "x": [...], "y": [...], "z": [[...]], "unit",
"outline": [width, height]}``.
"""

from __future__ import annotations

import math
from typing import Any

from lightdose.present.dose import DOSE_WINDOW_J_CM2

SPECTRUM_POINTS = 241


def depth_dose(dose: dict[str, Any], site: dict[str, Any] | None) -> dict[str, Any]:
    """Fluence [J/cm²] versus depth [mm] (log scale) with the target bands, the 1–10 J/cm² window and the layer
    boundaries of the site (a row of ``lightdose sites --json``)."""
    marks = []
    if site is not None:
        depth = 0.0
        for layer in site["layers"][:-1]:
            depth += layer["thickness_mm"] or 0.0
            marks.append({"at": depth, "label": f"{layer['tissue']} ends"})
    return {
        "type": "lines", "x": dose["z_mm"], "xLabel": "depth below the skin [mm]", "yLabel": "fluence [J/cm²]",
        "log": True,
        "series": [{"label": "fluence [J/cm²]", "values": [v if v > 0 else None for v in dose["fluence_j_cm2"]]}],
        "xBands": [{"from": t["depth_range_mm"][0], "to": t["depth_range_mm"][1], "label": t["target"]}
                   for t in dose["targets"]],
        "yBands": [{"from": DOSE_WINDOW_J_CM2[0], "to": DOSE_WINDOW_J_CM2[1], "label": "1–10 J/cm² window"}],
        "xMarks": [m for m in marks if m["at"] <= dose["z_mm"][-1]],
    }


def session(perfusion: dict[str, Any]) -> dict[str, Any]:
    """Perfusion [% of maximal CVC] and skin temperature [°C] versus time [min], the session shaded."""
    return {
        "type": "lines", "x": [t / 60.0 for t in perfusion["t_s"]], "xLabel": "time [min]",
        "yLabel": "perfusion [% max CVC]", "y2Label": "skin temperature [°C]", "log": False,
        "series": [{"label": "perfusion [% max CVC]", "values": perfusion["perfusion_pct_max"]},
                   {"label": "skin temperature [°C]", "values": perfusion["skin_temp_c"], "axis": "y2"}],
        "xBands": [{"from": 0.0, "to": perfusion["session_s"] / 60.0, "label": "device on"}],
        "yBands": [], "xMarks": [],
    }


def comparison(cases: list[dict[str, Any]], person: str) -> dict[str, Any]:
    """Perfusion of every treatment on one person of a comparison."""
    mine = [c for c in cases if c["person"] == person]
    session_min = mine[0]["session_s"] / 60.0
    return {
        "type": "lines", "x": [t / 60.0 for t in mine[0]["t_s"]], "xLabel": "time from the start [min]",
        "yLabel": "perfusion [% max CVC]", "log": False,
        "series": [{"label": c["treatment"], "values": c["perfusion_pct_max"]} for c in mine],
        "xBands": [{"from": 0.0, "to": session_min, "label": "session"}], "yBands": [], "xMarks": [],
    }


def tissue(records: list[dict[str, Any]]) -> dict[str, Any]:
    """μa, μs′ [1/mm] and δ [mm] of a tissue versus wavelength [nm], on a log scale."""
    return {
        "type": "lines", "x": [r["wavelength_nm"] for r in records], "xLabel": "wavelength [nm]",
        "yLabel": "μa, μs′ [1/mm]; δ [mm]", "log": True,
        "series": [{"label": "μa [1/mm]", "values": [r["mua_per_mm"] for r in records]},
                   {"label": "μs′ [1/mm]", "values": [r["musp_per_mm"] for r in records]},
                   {"label": "δ [mm]", "values": [r["delta_mm"] for r in records]}],
        "xBands": [], "yBands": [], "xMarks": [],
    }


def spectrum(bands: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A device's emission spectrum, each band drawn as a Gaussian of its FWHM scaled to its share of the power
    (relative units); None for a heat-only device."""
    if not bands:
        return None
    low = min(b["wavelength_nm"] - 2 * max(b["fwhm_nm"], 5.0) for b in bands)
    high = max(b["wavelength_nm"] + 2 * max(b["fwhm_nm"], 5.0) for b in bands)
    x = [low + (high - low) * i / (SPECTRUM_POINTS - 1) for i in range(SPECTRUM_POINTS)]

    def shape(wl: float, band: dict[str, Any]) -> float:
        sigma = max(band["fwhm_nm"], 1.0) / (2.0 * math.sqrt(2.0 * math.log(2.0)))
        return float(band["power_fraction"]) * math.exp(-0.5 * ((wl - band["wavelength_nm"]) / sigma) ** 2)

    return {"type": "lines", "x": x, "xLabel": "wavelength [nm]", "yLabel": "relative power", "log": False,
            "series": [{"label": "emission", "values": [sum(shape(wl, b) for b in bands) for wl in x]}],
            "xBands": [], "yBands": [], "xMarks": []}


def irradiance_map(result: dict[str, Any], outline: tuple[float, float] | None = None) -> dict[str, Any]:
    """The all-band irradiance map [mW/cm²] of ``lightdose irradiance --json`` with the device's outline."""
    width, height = outline or tuple(result["footprint_mm"])
    return {"type": "map", "x": result["x_mm"], "y": result["y_mm"], "z": result["irradiance_mw_cm2"],
            "unit": "mW/cm²", "outline": [width, height]}


__all__ = ["comparison", "depth_dose", "irradiance_map", "session", "spectrum", "tissue"]
