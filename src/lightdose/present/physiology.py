"""Skin perfusion for people and programs: the perfusion session (`perfusion --json`, summary, plot) and the device
comparison (`compare --json`, table, plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.physiology.compare import ComparisonResult
from lightdose.physiology.session import ELEVATION_THRESHOLD, PerfusionResult
from lightdose.present.figures import new_figure, save_png
from lightdose.present.text import duration, number, print_warnings
from lightdose.units import mw_cm2

FOOTER = "lightdose — not a medical device; model estimate (perfusion calibrated to forearm local-heating data)"
MAX_POINTS = 600
"""Most points of a time series in the JSON."""


def perfusion_json(result: PerfusionResult) -> dict[str, Any]:
    """The JSON of `lightdose perfusion`: the time series (thinned) and the summary figures."""
    ds = result.dataset
    step = max(1, int(np.ceil(ds.sizes["t"] / MAX_POINTS)))
    return {
        "device": result.request.placement.name,
        "site": ds.attrs["site"],
        "session_s": result.request.exposure,
        "after_s": result.request.after,
        "t_s": ds.t.values[::step].round(3).tolist(),
        "perfusion_pct_max": ds.perfusion_pct_max.values[::step].round(3).tolist(),
        "skin_temp_c": ds.surface_temperature.values[::step].round(3).tolist(),
        "baseline_pct_max": result.baseline_pct_max,
        "peak_pct_max": result.peak_pct_max,
        "plateau_pct_max": result.plateau_pct_max,
        "end_pct_max": result.end_pct_max,
        "minutes_elevated_after_end": result.minutes_elevated_after_end,
        "elevated_at_end_of_run": result.elevated_at_end_of_run,
        "verdict": result.verdict,
        "peak_skin_temp_c": result.heat.peak_skin_temp_c,
        "light_no_term": ds.attrs["light_no_term"],
        "solver": result.heat.solver,
        "warnings": list(result.heat.warnings),
        "provenance": result.provenance.attrs(),
    }


def print_perfusion(result: PerfusionResult, console: Console) -> None:
    """The terminal summary of a perfusion session."""
    request = result.request
    lasting = f"{result.minutes_elevated_after_end:.0f} min"
    if result.elevated_at_end_of_run:
        lasting = f"at least {lasting} (still elevated at the end of --after)"
    console.print(f"{escape(request.placement.name)} on {escape(result.dataset.attrs['site'])}, "
                  f"{request.exposure / 60:g} min session, followed {request.after / 60:g} min after "
                  f"({escape(result.heat.solver)}; light-driven NO term {result.dataset.attrs['light_no_term']})")
    console.print(f"Perfusion [% of maximal CVC]: baseline {result.baseline_pct_max:.1f}, peak "
                  f"{result.peak_pct_max:.1f}, plateau {result.plateau_pct_max:.1f}, at removal "
                  f"{result.end_pct_max:.1f}; above baseline + 20 % for {lasting} after the session. "
                  f"Peak skin temperature {result.heat.peak_skin_temp_c:.1f} °C.")
    print_warnings(console, result.heat.warnings)
    console.print(f"Perfusion {escape(result.verdict)}. Model calibrated to forearm local-heating data (Minson 2001). "
                  "Not a medical device.")


def plot_perfusion(result: PerfusionResult, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """A PNG of perfusion [% CVCmax] and skin temperature [°C] versus time."""
    ds = result.dataset
    fig = new_figure(8.0, 4.5, footer=FOOTER)
    ax = fig.subplots()
    minutes = ds.t.values / 60.0
    end = result.request.exposure / 60.0
    ax.axvspan(0.0, end, color="tab:orange", alpha=0.1, label="device on")
    ax.plot(minutes, ds.perfusion_pct_max.values, color="tab:red", lw=2, label="perfusion (dermis, centre)")
    ax.axhline(result.baseline_pct_max * (1 + ELEVATION_THRESHOLD), color="0.4", ls=":", lw=1,
               label=f"baseline + {ELEVATION_THRESHOLD:.0%}")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("perfusion [% of maximal CVC]")
    ax.set_ylim(0, 100)
    skin = ax.twinx()
    skin.plot(minutes, ds.surface_temperature.values, color="tab:blue", lw=1, label="skin temperature")
    skin.set_ylabel("skin temperature [°C]", color="tab:blue")
    low = min(30.0, float(ds.surface_temperature.min()))
    skin.set_ylim(low, max(45.0, float(ds.surface_temperature.max()) + 1.0))
    ax.set_title(f"{result.request.placement.name} on {ds.attrs['site']}: elevated "
                 f"{result.minutes_elevated_after_end:.0f} min after the session", fontsize=10)
    ax.grid(True, alpha=0.3)
    handles = ax.get_legend_handles_labels()
    extra = skin.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=8, loc="upper right")
    fig.tight_layout()
    return save_png(fig, target)


def comparison_json(result: ComparisonResult) -> dict[str, Any]:
    """The JSON of `lightdose compare`: one case per treatment and person."""
    request = result.request
    return {
        "site": request.site if isinstance(request.site, str) else request.site.name,
        "session_s": request.exposure,
        "after_s": request.after,
        "elevation_rule": result.elevation_rule,
        "cases": [{"treatment": c.treatment, "device": c.placement.name, "person": c.person,
                   "distance_mm": c.placement.distance,
                   "skin_irradiance_mw_cm2": None if c.skin_irradiance is None else mw_cm2(c.skin_irradiance),
                   **perfusion_json(c.result)} for c in result.cases],
        "provenance": result.provenance.attrs(),
    }


def print_comparison(result: ComparisonResult, console: Console) -> None:
    """The comparison table."""
    request = result.request
    site = request.site if isinstance(request.site, str) else request.site.name
    table = Table(title=f"{site}: {request.exposure / 60:g} min sessions, followed {duration(request.after)} after "
                        "(perfusion in % of maximal CVC)")
    for column in ("treatment", "person", "skin irradiance [mW/cm²]", "peak skin [°C]", "baseline [%]", "peak [%]",
                   "plateau [%]", "elevated after [min]"):
        table.add_column(escape(column), justify="left" if column in ("treatment", "person") else "right")
    for c in result.cases:
        r = c.result
        irradiance = "–" if c.skin_irradiance is None else number(mw_cm2(c.skin_irradiance))
        table.add_row(escape(c.treatment), escape(c.person), irradiance, f"{r.heat.peak_skin_temp_c:.1f}",
                      f"{r.baseline_pct_max:.1f}", f"{r.peak_pct_max:.1f}", f"{r.plateau_pct_max:.1f}",
                      f"{r.minutes_elevated_after_end:.0f}")
    console.print(table)
    console.print(f"Elevated: {escape(result.elevation_rule)}. Not a medical device.")


def plot_comparison(result: ComparisonResult, target: str | Path | BinaryIO) -> str | Path | BinaryIO:
    """A PNG of the comparison: one panel per person, perfusion of each treatment over the session and the time
    followed after it, with each panel's own elevation threshold and the end of the time followed."""
    request = result.request
    people = list(dict.fromkeys(c.person for c in result.cases))
    fig = new_figure(11.0, 4.2 * len(people), footer=FOOTER, dpi=110)
    axes = np.atleast_1d(fig.subplots(len(people), 1, sharex=True))
    end = request.exposure / 60.0
    followed = request.after / 60.0
    site = request.site if isinstance(request.site, str) else request.site.name
    for ax, person in zip(axes, people, strict=True):
        ax.axvspan(0.0, end, color="tab:orange", alpha=0.08)
        cases = [c for c in result.cases if c.person == person]
        thresholds = {round(c.result.baseline_pct_max * (1 + ELEVATION_THRESHOLD), 1) for c in cases}
        for case in cases:
            ds = case.result.dataset
            (line,) = ax.plot(ds.t.values / 60.0, ds.perfusion_pct_max.values, lw=1.8,
                              label=f"{case.treatment}: {case.result.minutes_elevated_after_end:.0f} min elevated "
                                    "after")
            if len(thresholds) > 1:  # the cases' baselines differ: each its own threshold, in its colour
                ax.axhline(case.result.baseline_pct_max * (1 + ELEVATION_THRESHOLD), color=line.get_color(), ls=":",
                           lw=1)
        if len(thresholds) == 1:
            ax.axhline(cases[0].result.baseline_pct_max * (1 + ELEVATION_THRESHOLD), color="0.4", ls=":", lw=1,
                       label=f"baseline + {ELEVATION_THRESHOLD:.0%}")
        if followed > 0:
            ax.axvline(end + followed, color="k", ls="--", lw=0.8)
            ax.text(end + followed, 3, f"{duration(request.after)} after the session ", fontsize=8, ha="right",
                    va="bottom")
        ax.set_ylim(0, 100)
        ax.set_ylabel("perfusion [% max CVC]")
        ax.set_title(f"{person}: {site}, {end:g} min session (shaded), then device removed", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
    axes[-1].set_xlabel("time from the start of the session [min]")
    fig.tight_layout()
    return save_png(fig, target)
