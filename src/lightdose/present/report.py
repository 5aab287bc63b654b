"""The plan as a self-contained HTML report (plots embedded as base64 PNG, no external resources).

The HTML holds: the headline verdict and what binds it, the summary per site, depth–dose with the target band and
window, skin temperature over the session, predicted perfusion, the population histogram, the Jenkins & Carroll 2011
parameter table, sauna course tables and core temperature, the schedule, the evidence labels with citations, the
[verify] parameters the plan relied on, every warning, and the scenario with its units.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from lightdose.output_files import write_output
from lightdose.planning.plan import Plan, SitePlan
from lightdose.planning.sauna_course import SaunaPlan
from lightdose.present.dose import plot_depth_dose
from lightdose.present.figures import data_uri, new_figure
from lightdose.present.physiology import plot_perfusion
from lightdose.present.plan import headline, plan_json
from lightdose.present.text import number
from lightdose.units import j_cm2


def _png_uri(plot: Any, result: Any) -> str:
    """A stage presenter's plot of `result` as a data URI."""
    import base64

    buffer = io.BytesIO()
    plot(result, buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def skin_temperature_png(site: SitePlan, limit_c: float) -> str:
    """Skin and target temperature over the bioheat run, with the planned exposure and the skin limit."""
    ds = site.heat.dataset
    fig = new_figure(7.5, 3.6, dpi=100)
    ax = fig.subplots()
    minutes = ds.t.values / 60.0
    ax.plot(minutes, ds.surface_temperature.values, color="tab:red", lw=2, label="skin surface")
    ax.plot(minutes, ds.target_temperature.values[:, 0], color="tab:blue", lw=1.2, label=site.target)
    ax.axhline(limit_c, color="k", ls="--", lw=0.8, label=f"{limit_c:g} °C limit")
    ax.axvline(site.exposure_s / 60.0, color="tab:green", lw=1.2, label="planned exposure")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title(f"{site.label}: {site.heat.solver}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return data_uri(fig)


def population_png(site: SitePlan) -> str | None:
    """Histogram of the virtual people's target dose with the window (light plans with coverage only)."""
    coverage = site.coverage
    if coverage is None or coverage.doses is None or site.window is None or site.target_fluence is None:
        return None
    doses = np.maximum(j_cm2(coverage.doses), 1e-6)
    fig = new_figure(7.5, 3.6, dpi=100)
    ax = fig.subplots()
    bins = np.geomspace(max(doses.min(), 1e-3) / 1.2, doses.max() * 1.2, 40)
    ax.axvspan(*(j_cm2(w) for w in site.window), color="tab:green", alpha=0.12, label="dose window (heuristic)")
    ax.hist(doses, bins=list(bins), color="tab:blue", alpha=0.8, label=f"{coverage.people} virtual people")
    if coverage.unsafe_people is not None and coverage.unsafe_people.any():
        ax.hist(doses[coverage.unsafe_people], bins=list(bins), color="tab:red", label="break a safety limit")
    ax.axvline(j_cm2(site.target_fluence), color="k", lw=1.2, label="the plan's person")
    ax.set_xscale("log")
    ax.set_xlabel("target dose [J/cm²]")
    ax.set_ylabel("people")
    in_window = 0.0 if coverage.in_window is None else coverage.in_window
    ax.set_title(f"{site.label}: {100 * in_window:.1f} % in the window", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return data_uri(fig)


def sauna_png(course: SaunaPlan, core_limit_c: float) -> str:
    """Core temperature over the longest session and the rest after it, per cabin temperature."""
    fig = new_figure(7.5, 3.6, dpi=100)
    ax = fig.subplots()
    end = 0.0
    for air, run in course.runs.items():
        ds = run.dataset
        ax.plot(ds.t.values / 60.0, ds.core_temp.values, lw=2, label=f"core, {air:g} °C air")
        ax.plot(ds.t.values / 60.0, ds.mean_skin_temp.values, lw=1, ls=":", label=f"mean skin, {air:g} °C")
        end = float(ds.t.values[ds.in_cabin.values][-1]) / 60.0
    ax.axvline(end, color="0.5", lw=0.8, label="leaving the cabin")
    ax.axhline(core_limit_c, color="k", ls="--", lw=0.8, label=f"{core_limit_c:g} °C core limit")
    ax.set_xlabel("time [min]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title("Whole-body response (JOS-3) over the longest session and 30 min of rest", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    return data_uri(fig)


def _figures(plan: Plan) -> list[dict[str, str | None]]:
    limit = plan.scenario.limits.skin_temperature
    return [{"depth_dose": _png_uri(plot_depth_dose, site.dose) if site.dose is not None else None,
             "skin": skin_temperature_png(site, limit),
             "perfusion": _png_uri(plot_perfusion, site.perfusion) if site.perfusion is not None else None,
             "population": population_png(site)}
            for site in plan.sites]


def render_html(plan: Plan) -> str:
    """The plan as one self-contained HTML page."""
    import jinja2

    template_text = resources.files("lightdose.present").joinpath("templates/report.html.j2").read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
    environment.filters["num"] = lambda v, digits=3: number(v, digits)
    environment.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.1f} %"
    data = plan_json(plan)
    scenario_yaml = yaml.safe_dump(data["scenario"], sort_keys=False, allow_unicode=True)
    saunas = [{"plan": d, "figure": sauna_png(c, plan.scenario.limits.core_temperature)}
              for d, c in zip(data["saunas"], plan.saunas, strict=True)]
    return environment.from_string(template_text).render(
        plan=data, headline=headline(plan), sites=list(zip(data["sites"], _figures(plan), strict=True)),
        saunas=saunas, scenario_yaml=scenario_yaml)


def write_report(plan: Plan, path: str | Path, option: str = "output") -> Path:
    """Write the HTML report to `path` (and return it); an unwritable path is an :class:`InputError`."""
    return write_output(path, render_html(plan), option)
