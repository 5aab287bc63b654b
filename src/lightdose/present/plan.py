"""The plan for people and programs: JSON (`plan --json`, reproducible: floats rounded to 6 digits) in minutes,
J/cm² and mW/cm², the terminal table, and the Jenkins & Carroll treatment-parameter table."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lightdose.devices import LightDevice
from lightdose.planning.coverage import Coverage
from lightdose.planning.plan import Plan, person_text
from lightdose.planning.sauna_course import SaunaPlan
from lightdose.planning.scenario import Scenario
from lightdose.present.echo import with_units
from lightdose.present.text import minutes, number
from lightdose.units import j_cm2, mw_cm2

NOT_A_MEDICAL_DEVICE = "lightdose is not a medical device: this plan is a physical model estimate."
VERDICT_TEXT = {"achievable": "achievable", "limited": "achievable, limited", "not achievable": "not achievable"}


def _optional(value: float | None, scale: Any = None) -> float | None:
    if value is None:
        return None
    return scale(value) if scale is not None else value


def coverage_json(coverage: Coverage) -> dict[str, Any]:
    """A site's population coverage (without the per-person arrays); doses in J/cm²."""
    return {"people": coverage.people, "below_window": coverage.below, "in_window": coverage.in_window,
            "above_window": coverage.above, "unsafe": coverage.unsafe,
            "target_dose_percentiles_j_cm2": None if coverage.percentiles is None
            else {k: j_cm2(v) for k, v in coverage.percentiles.items()},
            "thermal_check": coverage.thermal_check}


def jenkins_carroll(plan: Plan, index: int) -> dict[str, Any]:
    """The treatment parameters that Jenkins & Carroll 2011 (Photomed Laser Surg 29:785) ask every report to give,
    for the plan's site number `index` (light plans; empty for a heat-only site)."""
    site = plan.sites[index]
    placement = plan.scenario.devices_by_key()[site.device]
    light = placement.model()
    if not isinstance(light, LightDevice) or site.power_at_skin_w is None or site.surface_irradiance is None:
        return {}
    schedule = plan.scenario.schedule
    total = schedule.total_sessions
    stack = plan.scenario.sites[index].stack()
    return {
        "wavelength_nm": [b.wavelength_nm for b in site.bands],
        "spectral_fwhm_nm": [b.fwhm_nm for b in light.bands()],
        "device_power_w": light.total_power,
        "power_at_skin_w": site.power_at_skin_w,
        "irradiation_time_s": site.exposure_s,
        "beam_area_at_skin_cm2": None if site.beam_area_mm2 is None else site.beam_area_mm2 / 100.0,
        "irradiance_at_skin_mw_cm2": mw_cm2(site.surface_irradiance),
        "pulse_parameters": light.pulsing or "continuous wave",
        "anatomical_site": f"{stack.description}; {site.target} at {site.target_depth_mm[0]:g}–"
                           f"{site.target_depth_mm[1]:g} mm",
        "points": site.points,
        "number_of_treatments": None if total is None else total.text(),
        "interval_days": schedule.interval_days.text(digits=2),
        "energy_per_point_j": site.energy_per_point_j,
        "energy_density_at_skin_j_cm2": _optional(site.surface_fluence, j_cm2),
        "energy_density_at_target_j_cm2": _optional(site.target_fluence, j_cm2),
    }


def site_json(plan: Plan, index: int) -> dict[str, Any]:
    """The plan's site number `index`; times in minutes and seconds, doses in J/cm², irradiances and fluence rates
    in mW/cm²."""
    site = plan.sites[index]
    coverage = site.coverage
    return {
        "site": site.site, "label": site.label, "target": site.target, "target_depth_mm": list(site.target_depth_mm),
        "device": site.device, "kind": site.kind, "distance_mm": site.distance_mm, "points": site.points,
        "exposure_min": site.exposure_s / 60.0, "exposure_s": site.exposure_s,
        "verdict": site.verdict, "achievable": site.achievable, "limiting_factor": site.limiting_factor,
        "reason": site.reason,
        "window_j_cm2": None if site.window is None else [j_cm2(w) for w in site.window],
        "aim_j_cm2": _optional(site.aim, j_cm2),
        "time_for_lower_edge_min": _optional(site.time_for_lower_edge_s, lambda s: s / 60.0),
        "target_fluence_j_cm2": _optional(site.target_fluence, j_cm2),
        "target_fluence_edges_j_cm2": None if site.target_fluence_edges is None
        else [j_cm2(v) for v in site.target_fluence_edges],
        "target_depth_in_window": site.target_depth_in_window,
        "target_fluence_optics_range_j_cm2": None if site.target_fluence_optics_range is None
        else [j_cm2(v) for v in site.target_fluence_optics_range],
        "population_median_j_cm2": None if coverage is None or coverage.percentiles is None
        else j_cm2(coverage.percentiles["p50"]),
        "target_fluence_rate_mw_cm2": _optional(site.target_fluence_rate, mw_cm2),
        "surface_fluence_j_cm2": _optional(site.surface_fluence, j_cm2),
        "surface_irradiance_mw_cm2": _optional(site.surface_irradiance, mw_cm2),
        "bands": [{"wavelength_nm": b.wavelength_nm, "surface_irradiance_mw_cm2": mw_cm2(b.surface_irradiance),
                   "target_fluence_rate_mw_cm2": mw_cm2(b.target_fluence_rate),
                   "skin_mpe_mw_cm2": mw_cm2(b.skin_mpe)} for b in site.bands],
        "skin_mpe_fraction": site.skin_mpe_fraction,
        "j_per_point": site.energy_per_point_j,
        "energy_per_session_j": None if site.energy_per_point_j is None else site.energy_per_point_j * site.points,
        "power_at_skin_w": site.power_at_skin_w,
        "beam_area_cm2": None if site.beam_area_mm2 is None else site.beam_area_mm2 / 100.0,
        "peak_skin_temp_c": site.peak_skin_temp_c, "cem43_min": site.cem43_min, "omega": site.omega,
        "peak_target_temp_c": site.peak_target_temp_c,
        "time_to_thermal_limit_min": _optional(site.time_to_thermal_limit_s, lambda s: s / 60.0),
        "coverage_in_window": None if coverage is None else coverage.in_window,
        "coverage": None if coverage is None else coverage_json(coverage),
        "perfusion": None if site.perfusion is None else {
            "baseline_pct_max": site.perfusion.baseline_pct_max, "peak_pct_max": site.perfusion.peak_pct_max,
            "plateau_pct_max": site.perfusion.plateau_pct_max, "end_pct_max": site.perfusion.end_pct_max,
            "minutes_elevated_after_end": site.perfusion.minutes_elevated_after_end,
            "elevated_at_end_of_run": site.perfusion.elevated_at_end_of_run},
        "jenkins_carroll": jenkins_carroll(plan, index),
        "warnings": list(site.warnings),
    }


def sauna_json(course: SaunaPlan) -> dict[str, Any]:
    """A sauna course; temperatures in °C, session lengths in minutes, sweat in g and % of body mass."""
    return {"device": course.device,
            "sessions": [{"air_temperature_c": s.air_temperature_c, "minutes": s.exposure_s / 60.0,
                          "peak_core_temp_c": s.peak_core_temp_c, "core_rise_c": s.core_rise_c,
                          "sweat_loss_g": s.sweat_loss_g, "sweat_loss_pct_body_mass": 100.0 * s.sweat_loss_fraction,
                          "drink_ml": s.drink_ml} for s in course.sessions],
            "safe_minutes": {f"{air:g} degC": value for air, value in course.safe_minutes.items()},
            "achievable": course.achievable, "limiting_factor": course.limiting_factor, "reason": course.reason,
            "guidance": list(course.guidance), "warnings": list(course.warnings)}


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data, reproducible: the same scenario gives the same dict (floats rounded to 6
    significant digits)."""
    scenario = plan.scenario
    schedule = scenario.schedule
    payload = {
        "name": scenario.name,
        "description": scenario.description,
        "condition": scenario.condition,
        "verdict": plan.verdict,
        "binding": plan.binding,
        "achievable": plan.achievable,
        "not_a_medical_device": NOT_A_MEDICAL_DEVICE,
        "lightdose_version": plan.provenance.lightdose_version,
        "git_revision": plan.provenance.git_revision,
        "scenario_hash": scenario.digest(),
        "parameter_set": plan.provenance.parameter_set,
        "seed": scenario.seed,
        "person": {"made_for": person_text(scenario), **scenario.person.model_dump(mode="json")},
        "sites": [site_json(plan, i) for i in range(len(plan.sites))],
        "saunas": [sauna_json(c) for c in plan.saunas],
        "session_minutes": plan.session_minutes,
        "schedule": {"text": schedule.text, "description": schedule.describe(), "weekly": schedule.weekly(),
                     "sessions_per_week": [schedule.sessions_per_week.low, schedule.sessions_per_week.high],
                     "weeks": None if schedule.weeks is None else [schedule.weeks.low, schedule.weeks.high]},
        "evidence": [e.to_dict() for e in plan.evidence],
        "unverified_parameters": [{"key": key, "value": list(p.value) if isinstance(p.value, tuple) else p.value,
                                   "source": p.source} for key, p in plan.unverified],
        "warnings": list(plan.warnings),
        "scenario": with_units(scenario),
    }
    return _rounded(payload)


def plan_json_text(plan: Plan) -> str:
    """The plan as JSON text."""
    return json.dumps(plan_json(plan), indent=2, ensure_ascii=False)


def validation_json(file: str, scenario: Scenario) -> dict[str, Any]:
    """The JSON of `lightdose validate` for a valid scenario read from `file`."""
    return {"file": file, "valid": True, "name": scenario.name, "devices": len(scenario.devices),
            "sites": len(scenario.sites), "scenario_hash": scenario.digest()}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return value if not math.isfinite(value) or value == 0.0 else float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def headline(plan: Plan) -> str:
    """The plan's verdict in one sentence, naming what binds it."""
    whole = ("every site reaches its aimed dose within every limit" if plan.sites and not plan.saunas else
             "every session stays within the limits" if plan.saunas and not plan.sites else
             "every site reaches its aimed dose and every sauna session stays within the limits")
    text = {"achievable": f"achievable: {whole}", "limited": "achievable, but limited",
            "not achievable": "not achievable as asked"}[plan.verdict]
    return text if plan.binding is None else f"{text} — {plan.binding}"


def print_plan(plan: Plan, console: Console) -> None:
    """The terminal summary: one row per site (narrow enough for 80 columns), the reasons, the sauna courses."""
    scenario = plan.scenario
    style = {"achievable": "green", "limited": "yellow", "not achievable": "red"}[plan.verdict]
    console.print(f"[bold]{escape(scenario.name)}[/]: [{style}]{escape(headline(plan))}[/]")
    if plan.sites:
        table = Table(title="Plan per site: dose at the target for the plan's person", title_justify="left")
        for column, justify in (("site", "left"), ("exposure", "right"), ("target dose [J/cm²]", "right"),
                                ("peak skin [°C]", "right"), ("verdict", "left"), ("in window", "right")):
            table.add_column(escape(column), justify=justify)  # type: ignore[arg-type]
        for s in plan.sites:
            verdict = VERDICT_TEXT[s.verdict] + (f" ({s.limiting_factor})" if s.limiting_factor else "")
            colour = {"achievable": "green", "limited": "yellow", "not achievable": "red"}[s.verdict]
            share = "–" if s.coverage is None or s.coverage.in_window is None else f"{100 * s.coverage.in_window:.0f} %"
            table.add_row(escape(s.label), minutes(s.exposure_s), number(_optional(s.target_fluence, j_cm2)),
                          f"{s.peak_skin_temp_c:.1f}", f"[{colour}]{escape(verdict)}[/]", share)
        console.print(table)
        console.print(f"The plan's person is {escape(person_text(scenario))}. Target dose at the target's mid-depth; "
                      "'in window': share of the virtual population.", highlight=False)
        for s in plan.sites:
            console.print(f"{escape(s.label)} (target {escape(s.target)}): {escape(s.reason)}", highlight=False)
    for c in plan.saunas:
        table = Table(title=f"Sauna course in {escape(c.device)}: {escape(c.reason)}", title_justify="left")
        for column in ("air [°C]", "session [min]", "peak core [°C]", "sweat [g]", "drink [mL]"):
            table.add_column(escape(column), justify="right")
        for r in c.sessions:
            table.add_row(number(r.air_temperature_c), number(r.exposure_s / 60.0), f"{r.peak_core_temp_c:.2f}",
                          number(r.sweat_loss_g), number(r.drink_ml))
        console.print(table)
        for g in c.guidance:
            console.print(f"- {escape(g)}")
    console.print(f"Schedule: {escape(scenario.schedule.describe())}. Evidence: "
                  + "; ".join(f"{escape(e.topic)} ({e.level})" for e in plan.evidence), highlight=False)
    if plan.unverified:
        console.print(f"The plan relies on {len(plan.unverified)} estimated parameters marked \\[verify] (listed in "
                      "the JSON and the report).", highlight=False)
    console.print(NOT_A_MEDICAL_DEVICE)
