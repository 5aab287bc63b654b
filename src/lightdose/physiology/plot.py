"""Perfusion plots: one session (perfusion and skin temperature) and the device comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from lightdose.physiology.session import ELEVATION_THRESHOLD
from lightdose.thermal.session import duration_text

FOOTER = "lightdose — not a medical device; model estimate (perfusion calibrated to forearm local-heating data)"


def plot_perfusion(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a PNG of perfusion [% CVCmax] and skin temperature [°C] versus time for a perfusion session."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=120)
    ax = fig.subplots()
    minutes = ds.t.values / 60.0
    end = ds.attrs["session_end_s"] / 60.0
    ax.axvspan(0.0, end, color="tab:orange", alpha=0.1, label="device on")
    ax.plot(minutes, ds.perfusion_pct_max.values, color="tab:red", lw=2, label="perfusion (dermis, centre)")
    ax.axhline(ds.attrs["baseline_pct_max"] * (1 + ELEVATION_THRESHOLD), color="0.4", ls=":", lw=1,
               label=f"baseline + {ELEVATION_THRESHOLD:.0%}")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("perfusion [% of maximal CVC]")
    ax.set_ylim(0, 100)
    skin = ax.twinx()
    skin.plot(minutes, ds.surface_temperature.values, color="tab:blue", lw=1, label="skin temperature")
    skin.set_ylabel("skin temperature [°C]", color="tab:blue")
    ax.set_title(f"{ds.attrs['device']} on {ds.attrs['site']}: elevated "
                 f"{ds.attrs['minutes_elevated_after_end']:.0f} min after the session", fontsize=10)
    ax.grid(True, alpha=0.3)
    handles = ax.get_legend_handles_labels()
    extra = skin.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=8, loc="upper right")
    fig.text(0.01, 0.01, FOOTER, fontsize=7, color="0.4")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    return out


def comparison_figure(result: dict[str, Any]) -> Any:
    """A matplotlib Figure of the comparison (:func:`lightdose.physiology.compare.run_comparison`): one panel per
    person, perfusion [% CVCmax] of each treatment over the session and the time followed after it, with each
    panel's own elevation threshold (its cases' baseline + 20 %) and the end of the time followed."""
    from matplotlib.figure import Figure

    people = list(dict.fromkeys(case["person"] for case in result["cases"]))
    fig = Figure(figsize=(11, 4.2 * len(people)), dpi=110)
    axes = np.atleast_1d(fig.subplots(len(people), 1, sharex=True))
    end = result["session_s"] / 60.0
    followed = result["after_s"] / 60.0
    for ax, person in zip(axes, people, strict=True):
        ax.axvspan(0.0, end, color="tab:orange", alpha=0.08)
        cases = [c for c in result["cases"] if c["person"] == person]
        thresholds = {round(c["baseline_pct_max"] * (1 + ELEVATION_THRESHOLD), 1) for c in cases}
        for case in cases:
            minutes = np.asarray(case["t_s"]) / 60.0
            (line,) = ax.plot(minutes, case["perfusion_pct_max"], lw=1.8,
                              label=f"{case['treatment']}: {case['minutes_elevated_after_end']:.0f} min elevated after")
            if len(thresholds) > 1:  # the cases' baselines differ: each its own threshold, in its colour
                ax.axhline(case["baseline_pct_max"] * (1 + ELEVATION_THRESHOLD), color=line.get_color(), ls=":",
                           lw=1)
        if len(thresholds) == 1:
            ax.axhline(cases[0]["baseline_pct_max"] * (1 + ELEVATION_THRESHOLD), color="0.4", ls=":", lw=1,
                       label=f"baseline + {ELEVATION_THRESHOLD:.0%}")
        if followed > 0:
            ax.axvline(end + followed, color="k", ls="--", lw=0.8)
            ax.text(end + followed, 3, f"{duration_text(result['after_s'])} after the session ", fontsize=8, ha="right",
                    va="bottom")
        ax.set_ylim(0, 100)
        ax.set_ylabel("perfusion [% max CVC]")
        ax.set_title(f"{person}: {result['site']}, {end:g} min session (shaded), then device removed", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
    axes[-1].set_xlabel("time from the start of the session [min]")
    fig.text(0.01, 0.005, FOOTER, fontsize=7, color="0.4")
    fig.tight_layout()
    return fig


def plot_comparison(result: dict[str, Any], path: str | Path) -> Path:
    """Write :func:`comparison_figure` to a PNG."""
    out = Path(path)
    comparison_figure(result).savefig(out)
    return out


def plot_calibration(parameters: Any, path: str | Path) -> Path:
    """Write a PNG of the model's local-heating responses (42 °C control, EMLA, L-NAME, both; 39 and 43.5 °C) with
    the calibration targets (mean ± SD) of :mod:`lightdose.physiology.calibration`."""
    from matplotlib.figure import Figure

    from lightdose.physiology.calibration import PLATEAU_WINDOW_S, TARGETS, Condition, heating_protocol, predict
    from lightdose.physiology.perfusion import PerfusionModifiers, simulate_perfusion

    fig = Figure(figsize=(10, 5), dpi=110)
    ax = fig.subplots()
    runs = {"42 °C": Condition(), "42 °C + EMLA": Condition(local_anaesthetic=True),
            "42 °C + L-NAME": Condition(nos_inhibition=True),
            "42 °C + EMLA + L-NAME": Condition(local_anaesthetic=True, nos_inhibition=True),
            "39 °C": Condition(temperature_c=39.0), "43.5 °C": Condition(temperature_c=43.5)}
    colours = dict(zip(runs, ("tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown"),
                       strict=True))
    for label, condition in runs.items():
        t, temperature = heating_protocol(condition.temperature_c)
        modifiers = PerfusionModifiers(local_anaesthetic=condition.local_anaesthetic,
                                       nos_inhibition=condition.nos_inhibition)
        p = simulate_perfusion(t, temperature, parameters, modifiers).perfusion_pct_max.values
        ax.plot(t / 60.0, p, color=colours[label], lw=1.6, label=label)
    peak_time = next(v for tg, v in predict(parameters) if tg.readout == "peak_time_min")
    for target in TARGETS:
        if target.readout == "peak_time_min":
            continue
        label = next(k for k, c in runs.items() if c == target.condition)
        x = peak_time if target.readout == "peak" else sum(PLATEAU_WINDOW_S) / 120.0
        ax.errorbar(x, target.value, yerr=target.sd, fmt="o", ms=4, capsize=3, color=colours[label])
    ax.set_xlabel("time from the start of heating [min] (33 °C, then 0.1 °C/s to the hold temperature)")
    ax.set_ylabel("perfusion [% of maximal CVC]")
    ax.set_ylim(0, 105)
    ax.set_title("Calibration: model (lines) vs local-heating data (points, mean ± SD; Minson 2001, SCIENCE.md §7)",
                 fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.text(0.01, 0.005, FOOTER, fontsize=7, color="0.4")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    return out
