"""The plan as a self-contained HTML report (plots embedded as base64 PNG, no external resources) and as JSON.

The HTML holds: the summary per site, depth–dose with the target band and window, skin temperature over the
session, predicted perfusion, the population histogram, the Jenkins & Carroll 2011 parameter table, sauna course
tables and core temperature, the schedule, the evidence labels with citations, every warning, and the scenario.
"""

from __future__ import annotations

import base64
import io
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from lightdose.output_files import write_output
from lightdose.planning.plan import Plan, SitePlan

FOOTER = "lightdose — not a medical device; model estimate"


def _png(fig: Any) -> str:
    """A matplotlib Figure as a data: URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float = 7.5, height: float = 3.6) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.text(0.01, 0.01, FOOTER, fontsize=7, color="0.4")
    return fig


def depth_dose_png(site: SitePlan) -> str:
    """Fluence versus depth at the planned exposure, with the target's depth band and the dose window."""
    from lightdose.transport.dose_plot import plot_depth_dose

    buffer = io.BytesIO()
    plot_depth_dose(site.dose, buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def skin_temperature_png(site: SitePlan, limit_c: float) -> str:
    """Skin and target temperature over the bioheat run, with the planned exposure and the skin limit."""
    heat = site.heat
    fig = _figure()
    ax = fig.subplots()
    minutes = heat.t.values / 60.0
    ax.plot(minutes, heat.surface_temperature.values, color="tab:red", lw=2, label="skin surface")
    name = f"target_temperature_{site.target}"
    ax.plot(minutes, heat[name].values, color="tab:blue", lw=1.2, label=f"{site.target}")
    ax.axhline(limit_c, color="k", ls="--", lw=0.8, label=f"{limit_c:g} °C limit")
    if site.exposure_s is not None:
        ax.axvline(site.exposure_s / 60.0, color="tab:green", lw=1.2, label="planned exposure")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title(f"{site.label}: {heat.attrs['solver']}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return _png(fig)


def perfusion_png(site: SitePlan) -> str | None:
    """Predicted skin perfusion and skin temperature during the exposure and after it."""
    import tempfile

    from lightdose.physiology.plot import plot_perfusion

    if site.perfusion_run is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = plot_perfusion(site.perfusion_run, Path(folder) / "perfusion.png")
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def population_png(site: SitePlan) -> str | None:
    """Histogram of the virtual people's target dose with the window (light plans with coverage only)."""
    coverage = site.coverage
    if coverage is None or coverage.doses_j_cm2 is None or site.window_j_cm2 is None:
        return None
    doses = np.maximum(coverage.doses_j_cm2, 1e-6)
    fig = _figure()
    ax = fig.subplots()
    bins = np.geomspace(max(doses.min(), 1e-3) / 1.2, doses.max() * 1.2, 40)
    ax.axvspan(*site.window_j_cm2, color="tab:green", alpha=0.12, label="dose window (heuristic)")
    ax.hist(doses, bins=bins, color="tab:blue", alpha=0.8, label=f"{coverage.people} virtual people")
    if coverage.unsafe_people is not None and coverage.unsafe_people.any():
        ax.hist(doses[coverage.unsafe_people], bins=bins, color="tab:red", label="break a safety limit")
    ax.axvline(site.target_fluence_j_cm2, color="k", lw=1.2, label="the plan's person")
    ax.set_xscale("log")
    ax.set_xlabel("target dose [J/cm²]")
    ax.set_ylabel("people")
    ax.set_title(f"{site.label}: {100 * coverage.in_window:.0f} % in the window", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


def sauna_png(runs: dict[str, Any], core_limit_c: float) -> str:
    """Core temperature over the longest session and the rest after it, per cabin temperature."""
    fig = _figure()
    ax = fig.subplots()
    for label, ds in runs.items():
        ax.plot(ds.t.values / 60.0, ds.core_temp.values, lw=2, label=f"core, {label.replace(' degC', ' °C')} air")
        ax.plot(ds.t.values / 60.0, ds.mean_skin_temp.values, lw=1, ls=":", label=f"mean skin, "
                                                                                  f"{label.replace(' degC', ' °C')}")
        end = float(ds.t.values[ds.in_cabin.values][-1]) / 60.0
    ax.axvline(end, color="0.5", lw=0.8, label="leaving the cabin")
    ax.axhline(core_limit_c, color="k", ls="--", lw=0.8, label=f"{core_limit_c:g} °C core limit")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title("Whole-body response (JOS-3) over the longest session and 30 min of rest", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    return _png(fig)


def _figures(plan: Plan) -> list[dict[str, str | None]]:
    limit = plan.scenario.limits.skin_temperature
    figures = []
    for site in plan.sites:
        figures.append({
            "depth_dose": depth_dose_png(site) if site.dose is not None else None,
            "skin": skin_temperature_png(site, limit) if site.heat is not None else None,
            "perfusion": perfusion_png(site),
            "population": population_png(site),
        })
    return figures


def render_html(plan: Plan) -> str:
    """The plan as one self-contained HTML page."""
    import jinja2

    template_text = resources.files("lightdose.planning").joinpath("templates/report.html.j2").read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
    environment.filters["num"] = lambda v, digits=3: "–" if v is None else f"{v:.{digits}g}"
    environment.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.1f} %"
    data = plan.to_dict()
    scenario_yaml = yaml.safe_dump(data["scenario"], sort_keys=False, allow_unicode=True)
    saunas = [{"plan": d, "figure": sauna_png(s.runs, plan.scenario.limits.core_temperature)}
              for d, s in zip(data["saunas"], plan.saunas, strict=True)]
    return environment.from_string(template_text).render(
        plan=data, sites=list(zip(data["sites"], _figures(plan), strict=True)), saunas=saunas,
        scenario_yaml=scenario_yaml)


def write_report(plan: Plan, path: str | Path, option: str = "output") -> Path:
    """Write the HTML report to `path` (and return it); an unwritable path is an :class:`InputError`."""
    return write_output(path, render_html(plan), option)
