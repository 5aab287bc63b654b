"""Scenario → Plan: the exposure per site that puts the target dose in the window without breaking a limit.

For a light device the target fluence grows linearly with time (fluence = fluence rate at the target × t), so the
time for a dose is direct: t = D/φ_target. The plan aims at the geometric middle of the window, √(low·high)
(3.2 J/cm² for 1–10 J/cm²: a factor √10 of margin to both edges, as the biphasic response is judged on a log
scale), or at 1.5 × the lower edge (``goal.aim: lower-edge``). The limits then cap the time:

- the scenario's longest session (default 40 min): the time needed beyond it is *too deep* — or *too far* when
  the device sits farther from the skin than its nominal distance (:func:`nominal_distance`) and would deliver the
  aimed dose within the session there;
- the first time the skin reaches its temperature limit or the burn dose its limit, from a bioheat run of the
  person: *too hot*;
- the skin MPE of the surface irradiance, bands summed with their weights: *above the skin MPE*.

If the aimed time is within every cap, the plan uses it. If a cap comes first but after the time for the window's
lower edge, the plan uses the cap (achievable, the cap named as the limiting factor). If a cap comes before the
lower edge, the site is *not achievable*: the plan still reports what the longest allowed exposure delivers, with
the binding reason. A site with a fixed ``exposure`` is evaluated as given.

Heat-only devices (heating pad) have no light dose: their plan is the session's skin temperature and burn dose.
Every site also gets the predicted skin perfusion during the exposure and for :data:`PERFUSION_AFTER_S` after it
(:func:`lightdose.physiology.session.perfusion_session`). Saunas are planned as courses
(:mod:`lightdose.planning.sauna_course`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from lightdose import __version__
from lightdose.anatomy import LayerStack
from lightdose.anatomy.population import VirtualPeople, sample_people
from lightdose.devices import MW_CM2_PER_W_MM2, HeatingPad, InfraredSauna, LightDevice
from lightdose.devices.irradiance import has_point_emitters
from lightdose.physiology.session import perfusion_session
from lightdose.planning.coverage import Coverage, heat_coverage, light_coverage
from lightdose.planning.evidence import EvidenceLabel, evidence_labels
from lightdose.planning.safety import (
    EYE_IR_MIN_NM,
    LARGE_AREA_CM2,
    eye_ir_time_limit,
    heat_within_range,
    session_burn,
    skin_mpe,
    skin_mpe_fraction,
    skin_mpe_time_limit,
    thermal_verdict,
)
from lightdose.planning.sauna_course import SaunaPlan, plan_sauna
from lightdose.planning.scenario import Placement, Scenario, SiteSpec, as_scenario
from lightdose.thermal.burn import T_MAX_C
from lightdose.thermal.session import heat_session
from lightdose.transport.diffusion import log_interp
from lightdose.transport.dose import SkinBeam, depth_dose, skin_beam

MIN_HEAT_RUN_S = 60.0
"""Shortest bioheat run of a plan [s]: a minute, so the temperature plot shows the start of heating."""
SURFACE_INHIBITORY_J_CM2 = 50.0
"""Fluence above which the biphasic-response literature reports inhibition (heuristic; Huang et al. 2009)."""
MM2_PER_CM2 = 100.0
TARGET_DEPTH_SAMPLES = 301
"""Depths sampled evenly across a target's range to find the share of it inside the dose window."""
PERFUSION_AFTER_S = 1800.0
"""How long after the session the perfusion is followed [s] (human data: back to baseline within ~2–20 min)."""


@dataclass
class SitePlan:
    """The plan for one body site: exposure, doses, heating, limits and coverage (see :meth:`to_dict`)."""

    site: str
    label: str
    target: str
    target_depth_mm: tuple[float, float]
    device: str
    kind: str
    distance_mm: float
    points: int
    exposure_s: float | None
    achievable: bool
    limiting_factor: str | None
    reason: str
    window_j_cm2: tuple[float, float] | None = None
    aim_j_cm2: float | None = None
    time_for_lower_edge_s: float | None = None
    target_fluence_j_cm2: float | None = None
    target_fluence_edges_j_cm2: tuple[float, float] | None = None
    target_depth_in_window: float | None = None
    target_irradiance_mw_cm2: float | None = None
    surface_fluence_j_cm2: float | None = None
    surface_irradiance_mw_cm2: float | None = None
    bands: list[dict[str, float]] = field(default_factory=list)
    skin_mpe_fraction: float | None = None
    j_per_point: float | None = None
    power_at_skin_w: float | None = None
    beam_area_cm2: float | None = None
    peak_skin_temp_c: float | None = None
    cem43_min: float | None = None
    omega: float | None = None
    peak_target_temp_c: float | None = None
    time_to_thermal_limit_s: float | None = None
    jenkins_carroll: dict[str, Any] = field(default_factory=dict)
    coverage: Coverage | None = None
    perfusion: dict[str, float] | None = None
    warnings: list[str] = field(default_factory=list)
    dose: xr.Dataset | None = field(default=None, repr=False)
    heat: xr.Dataset | None = field(default=None, repr=False)
    perfusion_run: xr.Dataset | None = field(default=None, repr=False)

    @property
    def coverage_in_window(self) -> float | None:
        """Share of the virtual population whose target dose lands in the window (None without coverage)."""
        return None if self.coverage is None else self.coverage.in_window

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; times in minutes and seconds, doses in J/cm², irradiances in mW/cm²."""
        minutes = None if self.exposure_s is None else self.exposure_s / 60.0
        return {
            "site": self.site, "label": self.label, "target": self.target,
            "target_depth_mm": list(self.target_depth_mm),
            "device": self.device, "kind": self.kind, "distance_mm": self.distance_mm, "points": self.points,
            "exposure_min": minutes, "exposure_s": self.exposure_s,
            "achievable": self.achievable, "limiting_factor": self.limiting_factor, "reason": self.reason,
            "window_j_cm2": None if self.window_j_cm2 is None else list(self.window_j_cm2),
            "aim_j_cm2": self.aim_j_cm2,
            "time_for_lower_edge_min": None if self.time_for_lower_edge_s is None else self.time_for_lower_edge_s / 60,
            "target_fluence_j_cm2": self.target_fluence_j_cm2,
            "target_fluence_edges_j_cm2": None if self.target_fluence_edges_j_cm2 is None
            else list(self.target_fluence_edges_j_cm2),
            "target_depth_in_window": self.target_depth_in_window,
            "population_median_j_cm2": None if self.coverage is None or self.coverage.percentiles_j_cm2 is None
            else self.coverage.percentiles_j_cm2["p50"],
            "target_irradiance_mw_cm2": self.target_irradiance_mw_cm2,
            "surface_fluence_j_cm2": self.surface_fluence_j_cm2,
            "surface_irradiance_mw_cm2": self.surface_irradiance_mw_cm2,
            "bands": self.bands, "skin_mpe_fraction": self.skin_mpe_fraction,
            "j_per_point": self.j_per_point, "energy_per_session_j": None if self.j_per_point is None
            else self.j_per_point * self.points,
            "power_at_skin_w": self.power_at_skin_w, "beam_area_cm2": self.beam_area_cm2,
            "peak_skin_temp_c": self.peak_skin_temp_c, "cem43_min": self.cem43_min, "omega": self.omega,
            "peak_target_temp_c": self.peak_target_temp_c,
            "time_to_thermal_limit_min": None if self.time_to_thermal_limit_s is None
            else self.time_to_thermal_limit_s / 60.0,
            "coverage_in_window": self.coverage_in_window,
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
            "perfusion": self.perfusion,
            "jenkins_carroll": self.jenkins_carroll, "warnings": self.warnings,
        }


@dataclass
class Plan:
    """A treatment plan: per-site plans, sauna courses, the schedule, evidence labels and warnings."""

    scenario: Scenario
    sites: list[SitePlan]
    saunas: list[SaunaPlan]
    evidence: list[EvidenceLabel]
    warnings: list[str]
    people: VirtualPeople | None = field(default=None, repr=False)

    @property
    def achievable(self) -> bool:
        """Whether every site and sauna course is achievable."""
        return all(s.achievable for s in self.sites) and all(s.achievable for s in self.saunas)

    @property
    def session_minutes(self) -> float:
        """Treatment time per session [min]: every site's exposure × its points, one after the other."""
        return sum((s.exposure_s or 0.0) * s.points for s in self.sites) / 60.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, reproducible: the same scenario gives the same dict (floats rounded to 6 digits)."""
        schedule = self.scenario.schedule
        payload = {
            "name": self.scenario.name,
            "description": self.scenario.description,
            "condition": self.scenario.condition,
            "achievable": self.achievable,
            "not_a_medical_device": "lightdose is not a medical device: this plan is a physical model estimate.",
            "lightdose_version": __version__,
            "scenario_hash": self.scenario.digest(),
            "seed": self.scenario.seed,
            "person": {"made_for": person_text(self.scenario), **self.scenario.person.model_dump(mode="json")},
            "sites": [s.to_dict() for s in self.sites],
            "saunas": [s.to_dict() for s in self.saunas],
            "session_minutes": self.session_minutes,
            "schedule": {"text": schedule.text, "description": schedule.describe(), "weekly": schedule.weekly(),
                         "sessions_per_week": [schedule.sessions_per_week.low, schedule.sessions_per_week.high],
                         "weeks": None if schedule.weeks is None else [schedule.weeks.low, schedule.weeks.high]},
            "evidence": [e.to_dict() for e in self.evidence],
            "warnings": self.warnings,
            "scenario": self.scenario.model_dump(mode="json"),
        }
        return _rounded(payload)

    def to_json(self) -> str:
        """The plan as JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def person_text(scenario: Scenario) -> str:
    """Who the plan is made for, in words: the scenario's person or the population's median person."""
    person = scenario.person
    fat = (f"{person.fat_thickness:g} mm of fat" if person.fat_thickness is not None
           else f"BMI {person.bmi:.3g} kg/m²" if person.bmi is not None else "the sites' preset fat")
    blood = ("the preset dermal blood" if person.dermal_blood is None
             else f"dermal blood {100 * person.dermal_blood:.2g} %")
    parts = [f"skin type {person.skin_type}", fat, blood, "neuropathy" if person.neuropathy else "no neuropathy"]
    if person.plantar_pad_scale != 1.0:
        parts.append(f"plantar pads × {person.plantar_pad_scale:g}")
    who = "the population's median person" if scenario.person_is_median else "the scenario's person"
    return f"{who}: {', '.join(parts)}"


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return value if not math.isfinite(value) or value == 0.0 else float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _site_warnings(scenario: Scenario, placement: Placement, contact: bool) -> list[str]:
    notes = []
    insensate = scenario.person.neuropathy or "insensate-skin" in scenario.health
    if insensate and contact:
        notes.append("insensate skin: heat pain is no safeguard on a neuropathic foot; check the skin after every "
                     "session and stop at any redness")
    model = placement.model()
    if placement.pad_heat == 0.0 and contact and isinstance(model, LightDevice) and model.kind == "contact-pad":
        notes.append("the pad's own electrical waste heat is not known for this device and is taken as zero; give "
                     "`pad_heat` when it has been measured")
    return notes


def _perfusion(device: Any, stack: LayerStack, scenario: Scenario, exposure_s: float,
               distance_mm: float) -> tuple[dict[str, float] | None, xr.Dataset | None]:
    """Predicted skin perfusion [% of maximal CVC] for the exposure and :data:`PERFUSION_AFTER_S` after it."""
    if exposure_s <= 0:
        return None, None
    run = perfusion_session(device, stack, scenario.person, time=exposure_s, distance=distance_mm,
                            after=PERFUSION_AFTER_S)
    keys = ("baseline_pct_max", "peak_pct_max", "plateau_pct_max", "end_pct_max", "minutes_elevated_after_end")
    summary = {k: float(run.attrs[k]) for k in keys}
    summary["elevated_at_end_of_run"] = bool(run.attrs["elevated_at_end_of_run"])
    return summary, run


def _eye_warning(beam: SkinBeam, exposure_s: float) -> str | None:
    nir = float(beam.peak_irradiance[beam.wavelength_nm >= EYE_IR_MIN_NM].sum())
    if nir <= 0.0:
        return None
    limit_s = eye_ir_time_limit(nir)
    mw = nir * MW_CM2_PER_W_MM2
    if exposure_s <= limit_s:
        return (f"the panel faces the head: near-infrared {mw:.3g} mW/cm² at the eyes stays within the ICNIRP/IEC "
                f"62471 eye limit for this {exposure_s / 60:.3g} min exposure; still do not look into it")
    return (f"the panel faces the head: near-infrared {mw:.3g} mW/cm² at the eyes exceeds the ICNIRP/IEC 62471 eye "
            f"limit after {limit_s:.0f} s (the exposure is {exposure_s:.0f} s): wear infrared-blocking goggles and "
            "keep the eyes closed; near-infrared is invisible and does not trigger the blink reflex")


def _jenkins_carroll(light: LightDevice, beam: SkinBeam, spec: SiteSpec, stack: LayerStack, exposure_s: float,
                     scenario: Scenario, surface_j_cm2: float, target_j_cm2: float) -> dict[str, Any]:
    """The treatment parameters that Jenkins & Carroll 2011 (Photomed Laser Surg 29:785) ask every report to give."""
    schedule = scenario.schedule
    power = float(beam.power.sum())
    target = stack.targets[0]
    total = schedule.total_sessions
    return {
        "wavelength_nm": [float(w) for w in beam.wavelength_nm],
        "spectral_fwhm_nm": [b.fwhm_nm for b in light.bands()],
        "device_power_w": light.total_power,
        "power_at_skin_w": power,
        "irradiation_time_s": exposure_s,
        "beam_area_at_skin_cm2": power / float(beam.centre_irradiance.sum()) / MM2_PER_CM2,
        "irradiance_at_skin_mw_cm2": float(beam.centre_irradiance.sum()) * MW_CM2_PER_W_MM2,
        "pulse_parameters": light.pulsing or "continuous wave",
        "anatomical_site": f"{stack.description}; {target.name} at {target.depth_min:g}–{target.depth_max:g} mm",
        "points": spec.points,
        "number_of_treatments": None if total is None else total.text(),
        "interval_days": schedule.interval_days.text(digits=2),
        "energy_per_point_j": power * exposure_s,
        "energy_density_at_skin_j_cm2": surface_j_cm2,
        "energy_density_at_target_j_cm2": target_j_cm2,
    }


def _choose_time(t_aim: float, t_low: float, caps: list[tuple[float, str, str]]) -> tuple[float, bool, str | None, str]:
    """Apply the aiming rule (module docstring): exposure [s], achievable, limiting factor, reason."""
    cap_s, factor, why = min(caps)
    if t_aim <= cap_s:
        return t_aim, True, None, f"aimed dose reached in {t_aim / 60:.3g} min, within every limit"
    if t_low <= cap_s:
        return cap_s, True, factor, (f"the aimed dose needs {t_aim / 60:.3g} min but {why} at {cap_s / 60:.3g} min; "
                                     "the exposure is capped there, still inside the window")
    return cap_s, False, factor, (f"the window's lower edge needs {t_low / 60:.3g} min, but {why} at "
                                  f"{cap_s / 60:.3g} min: not achievable")


def nominal_distance(light: LightDevice) -> float | None:
    """The distance a device is meant to be used at [mm]: its preset's reference distance, else 0 when it can touch
    the skin (no point emitters), else None."""
    if light.reference is not None:
        return light.reference.distance
    return None if has_point_emitters(light) else 0.0


def _too_far(light: LightDevice, beam: SkinBeam, stack: LayerStack, person: Any, aim: float, t_aim: float,
             max_session: float) -> str | None:
    """When the session length caps a device used farther away than its :func:`nominal_distance`, and at that
    distance the aimed dose would fit in the session, the distance is the cause: the reason, naming the irradiance
    at the skin and what would help. Else None (the target is too deep for this device)."""
    nominal = nominal_distance(light)
    if nominal is None or beam.distance_mm <= nominal:
        return None
    near = skin_beam(light, nominal)
    rate = float(depth_dose(near, stack, person, distance=nominal, exposure=1.0).target_fluence_rate_total[0])
    t_near = aim * 1000.0 / rate
    if t_near > max_session:
        return None
    here, there = (float(b.centre_irradiance.sum()) * MW_CM2_PER_W_MM2 for b in (beam, near))
    return (f"at {beam.distance_mm / 10:.3g} cm the skin receives only {here:.3g} mW/cm² "
                       f"({there:.3g} mW/cm² at {nominal / 10:.3g} cm, the device's nominal distance): the aimed "
                       f"{aim:.3g} J/cm² needs {t_aim / 60:.3g} min, longer than the {max_session / 60:g}-min session; "
                       f"bring the device to {nominal / 10:.3g} cm, where it needs {t_near / 60:.3g} min")


def _fixed_verdict(exposure_s: float, dose: float, window: tuple[float, float],
                   caps: list[tuple[float, str, str]]) -> tuple[bool, str | None, str]:
    for cap_s, factor, why in sorted(caps):
        if exposure_s > cap_s:
            factor = "too long" if factor == "too deep" else factor
            return False, factor, f"the fixed {exposure_s / 60:.3g} min exposure goes past where {why} " \
                                  f"({cap_s / 60:.3g} min)"
    if dose < window[0]:
        return False, "below the window", f"{dose:.3g} J/cm² at the target is below the window {window[0]:g}–" \
                                          f"{window[1]:g} J/cm²"
    if dose > window[1]:
        return False, "above the window", f"{dose:.3g} J/cm² at the target is above the window {window[0]:g}–" \
                                          f"{window[1]:g} J/cm²"
    return True, None, f"the fixed {exposure_s / 60:.3g} min exposure puts the target dose in the window"


def _dose_across_target(dose: xr.Dataset, window: tuple[float, float]) -> tuple[tuple[float, float], float, str | None]:
    """The target dose [J/cm²] at its shallow and deep edge, the share of its depth range whose dose lies in the
    window, and a warning naming the depths outside the window (None when the whole range is inside)."""
    shallow, deep = float(dose.target_depth_min[0]), float(dose.target_depth_max[0])
    exposure_s = float(dose.attrs["exposure_s"])
    edges = (float(dose.target_fluence_rate_total_shallow[0]) * exposure_s / 1000.0,
             float(dose.target_fluence_rate_total_deep[0]) * exposure_s / 1000.0)
    if deep <= shallow:
        return edges, float(window[0] <= edges[0] <= window[1]), None
    z = np.linspace(shallow, deep, TARGET_DEPTH_SAMPLES)
    fluence = log_interp(z, dose.z.values, dose.fluence_total.values)
    inside = (fluence >= window[0]) & (fluence <= window[1])
    share = float(inside.mean())
    if share == 1.0:
        return edges, share, None
    parts = []
    if (below := fluence < window[0]).any():
        parts.append(f"below the window deeper than {z[below].min():.3g} mm")
    if (above := fluence > window[1]).any():
        parts.append(f"above it shallower than {z[above].max():.3g} mm")
    return edges, share, (f"across the target's depth range the dose runs from {edges[0]:.3g} J/cm² at "
                          f"{shallow:.3g} mm to {edges[1]:.3g} J/cm² at {deep:.3g} mm: {' and '.join(parts)} "
                          f"({100 * (1 - share):.0f} % of the range outside the window)")


def _plan_light_site(scenario: Scenario, spec: SiteSpec, placement: Placement, beam: SkinBeam,
                     people: VirtualPeople | None) -> SitePlan:
    light = placement.model()
    assert isinstance(light, LightDevice)
    person, limits = scenario.person, scenario.limits
    stack = spec.stack()
    own = person.apply(stack)
    target = own.targets[0]
    window = spec.window or scenario.goal.window
    aim = scenario.goal.aim_j_cm2(window)
    probe = depth_dose(beam, stack, person, distance=placement.distance, exposure=1.0)
    rate = float(probe.target_fluence_rate_total[0])  # mW/cm² at the target's mid-depth
    surface = float(beam.centre_irradiance.sum()) * MW_CM2_PER_W_MM2  # mW/cm² at the centre of the treated skin
    t_aim, t_low, t_high = (dose * 1000.0 / rate for dose in (aim, window[0], window[1]))
    fixed = spec.exposure
    horizon = fixed if fixed is not None else min(limits.max_session, max(t_high, MIN_HEAT_RUN_S))
    heat = heat_within_range(beam, stack, person, horizon, distance=placement.distance,
                             pad_heat_flux=placement.pad_heat)
    verdict = thermal_verdict(heat, limits)
    caps = [(limits.max_session, "too deep", f"the longest session ({limits.max_session / 60:g} min) ends")]
    if math.isfinite(verdict.time_s):
        caps.append((verdict.time_s, "too hot", str(verdict.reason)))
    mpe_s = skin_mpe_time_limit(beam.peak_irradiance, beam.wavelength_nm) if limits.skin_mpe else math.inf
    if math.isfinite(mpe_s):
        caps.append((mpe_s, "above the skin MPE", "the skin irradiance exceeds the skin MPE (ICNIRP 2013)"))
    if fixed is None:
        exposure, achievable, factor, reason = _choose_time(t_aim, t_low, caps)
        if factor == "too deep":
            far = _too_far(light, beam, stack, person, aim, t_aim, limits.max_session)
            if far is not None:
                factor, reason = "too far", far + ("; the exposure is capped at the session's end, still inside the "
                                                   "window" if achievable else "; not achievable at this distance")
            else:
                reason += (f" ({surface:.3g} mW/cm² at the skin reach the target as {rate:.3g} mW/cm²: a stronger "
                           "source or a shallower target is needed for the aimed dose)")
    else:
        exposure = fixed
        achievable, factor, reason = _fixed_verdict(fixed, rate * fixed / 1000.0, window, caps)
    dose = depth_dose(beam, stack, person, distance=placement.distance, exposure=max(exposure, 1e-3))
    target_dose = rate * exposure / 1000.0
    edges, depth_in_window, across = _dose_across_target(dose, window)
    surface_dose = surface * exposure / 1000.0
    burn = session_burn(heat, exposure)
    target_temp = heat[f"target_temperature_{target.name}"]
    mpe_fraction = skin_mpe_fraction(beam.peak_irradiance, beam.wavelength_nm, max(exposure, 1e-7))
    power = float(beam.power.sum())
    area_cm2 = power / float(beam.centre_irradiance.sum()) / MM2_PER_CM2
    warnings = list(beam.warnings) + _site_warnings(scenario, placement, beam.contact)
    if across is not None:
        warnings.append(across)
    if float(heat.t.values[-1]) < horizon:
        warnings.append(f"the skin would pass {T_MAX_C:g} °C, the end of the bioheat model's range, within "
                        f"{horizon / 60:.3g} min: its run stops at {float(heat.t.values[-1]) / 60:.3g} min")
    if rate > scenario.goal.max_target_irradiance * MW_CM2_PER_W_MM2:
        warnings.append(f"target irradiance {rate:.3g} mW/cm² is above the "
                        f"{scenario.goal.max_target_irradiance * MW_CM2_PER_W_MM2:g} mW/cm² of the heuristic "
                        "window (Huang et al. 2009): irradiance and time are not interchangeable")
    if surface_dose > SURFACE_INHIBITORY_J_CM2:
        warnings.append(f"the skin above the target receives {surface_dose:.3g} J/cm²: above ~50 J/cm² the "
                        "biphasic-response literature reports inhibition (heuristic, Huang et al. 2009)")
    if area_cm2 > LARGE_AREA_CM2 and limits.skin_mpe:
        warnings.append("the irradiated area exceeds 100 cm²: the standards reduce the skin MPE for large areas, "
                        "which lightdose does not apply [verify against ICNIRP 2013]")
    if placement.faces_head and (eye := _eye_warning(beam, max(exposure, 1e-3))):
        warnings.append(eye)
    if scenario.condition == "carpal-tunnel":
        warnings.append(f"WALT 2010 (780–860 nm lasers, carpal tunnel): 2–3 points, ≥ 4 J per point, 8 J in total; "
                        f"this plan: {power * exposure:.3g} J per point, {power * exposure * spec.points:.3g} J over "
                        f"{spec.points} point(s)")
    coverage = None
    if people is not None and exposure > 0:
        coverage = light_coverage(people, stack, beam, exposure, window, limits, placement.pad_heat)
    perfusion, perfusion_run = _perfusion(beam, stack, scenario, exposure, placement.distance)
    if placement.pad_heat > 0:
        warnings.append("the perfusion prediction leaves out the pad's waste heat (`pad_heat`); the skin temperature "
                        "and burn dose include it")
    bands = [{"wavelength_nm": float(w), "surface_irradiance_mw_cm2": float(e) * MW_CM2_PER_W_MM2,
              "target_irradiance_mw_cm2": float(probe.target_fluence_rate[b, 0]),
              "skin_mpe_mw_cm2": skin_mpe(float(w), max(exposure, 1e-7)) * MW_CM2_PER_W_MM2}
             for b, (w, e) in enumerate(zip(beam.wavelength_nm, beam.centre_irradiance, strict=True))]
    return SitePlan(
        site=spec.site, label=spec.title, target=target.name, target_depth_mm=(target.depth_min, target.depth_max),
        device=placement.key, kind=light.kind, distance_mm=placement.distance, points=spec.points,
        exposure_s=exposure, achievable=achievable, limiting_factor=factor, reason=reason, window_j_cm2=window,
        aim_j_cm2=aim, time_for_lower_edge_s=t_low, target_fluence_j_cm2=target_dose,
        target_fluence_edges_j_cm2=edges, target_depth_in_window=depth_in_window,
        target_irradiance_mw_cm2=rate, surface_fluence_j_cm2=surface_dose, surface_irradiance_mw_cm2=surface,
        bands=bands, skin_mpe_fraction=mpe_fraction, j_per_point=power * exposure, power_at_skin_w=power,
        beam_area_cm2=area_cm2,
        peak_skin_temp_c=burn["peak_skin_temp_c"], cem43_min=burn["cem43_min"], omega=burn["omega"],
        peak_target_temp_c=float(target_temp.values[heat.t.values <= exposure + 1e-9].max()),
        time_to_thermal_limit_s=None if math.isinf(verdict.time_s) else verdict.time_s,
        jenkins_carroll=_jenkins_carroll(light, beam, spec, own, exposure, scenario, surface_dose, target_dose),
        coverage=coverage, perfusion=perfusion, warnings=warnings, dose=dose, heat=heat, perfusion_run=perfusion_run)


def _plan_heat_site(scenario: Scenario, spec: SiteSpec, placement: Placement, people: VirtualPeople | None) -> SitePlan:
    pad = placement.model()
    assert isinstance(pad, HeatingPad)
    limits = scenario.limits
    stack = spec.stack()
    own = scenario.person.apply(stack)
    target = own.targets[0]
    exposure = spec.exposure or scenario.schedule.longest_session_s
    assert exposure is not None
    heat = heat_session(pad, stack, scenario.person, time=exposure)
    verdict = thermal_verdict(heat, limits)
    burn = session_burn(heat, exposure)
    if verdict.time_s <= exposure:
        achievable, factor = False, "too hot"
        reason = (f"{verdict.reason} after {verdict.time_s / 60:.3g} min of the {exposure / 60:g} min session: "
                  "shorten it or lower the pad temperature")
    else:
        achievable, factor = True, None
        reason = f"the {exposure / 60:g} min session stays within the skin-temperature and burn-dose limits"
    coverage = heat_coverage(people, stack, pad, exposure, limits) if people is not None else None
    perfusion, perfusion_run = _perfusion(pad, stack, scenario, exposure, 0.0)
    return SitePlan(
        site=spec.site, label=spec.title, target=target.name, target_depth_mm=(target.depth_min, target.depth_max),
        device=placement.key, kind=pad.kind, distance_mm=0.0, points=spec.points, exposure_s=exposure,
        achievable=achievable, limiting_factor=factor, reason=reason, peak_skin_temp_c=burn["peak_skin_temp_c"],
        cem43_min=burn["cem43_min"], omega=burn["omega"],
        peak_target_temp_c=float(heat[f"target_temperature_{target.name}"].values.max()),
        time_to_thermal_limit_s=None if math.isinf(verdict.time_s) else verdict.time_s, coverage=coverage,
        perfusion=perfusion, perfusion_run=perfusion_run, heat=heat,
        warnings=[f"heat only: a {pad.surface_temperature:g} °C heating pad emits no therapeutic light (no light "
                  "dose at the target)"] + _site_warnings(scenario, placement, True))


def plan(scenario: Scenario | dict | str) -> Plan:
    """Make the plan for `scenario` (a :class:`Scenario`, a dict, or the path of a YAML/JSON file).

    Reproducible: the same scenario (and seed) gives the same plan. lightdose is not a medical device.
    """
    scenario = as_scenario(scenario)
    spec = scenario.coverage
    people = (sample_people(spec.model_for(scenario.person), spec.people, scenario.seed) if spec.people > 0
              else None)
    beams: dict[str, SkinBeam] = {}
    sites = []
    for site in scenario.sites:
        placement = scenario.placement(site)
        model = placement.model()
        if isinstance(model, LightDevice):
            if placement.key not in beams:
                beams[placement.key] = skin_beam(model, placement.distance)
            sites.append(_plan_light_site(scenario, site, placement, beams[placement.key], people))
        else:
            sites.append(_plan_heat_site(scenario, site, placement, people))
    saunas = []
    for placement in scenario.saunas:
        cabin = placement.model()
        assert isinstance(cabin, InfraredSauna)
        saunas.append(plan_sauna(cabin, placement.air_temperature or [cabin.air_temperature],
                                 placement.emitter_view_factor, scenario.schedule, scenario.body, scenario.limits,
                                 scenario.health, scenario.person.neuropathy))
    light = any(s.kind in ("contact-pad", "panel", "probe") for s in sites)
    warnings = ["lightdose is not a medical device: this plan is a physical model estimate, not medical advice"]
    if light and scenario.schedule.session_start is not None:
        warnings.append("the schedule's session lengths do not set light exposures: each site's exposure comes from "
                        "its dose")
    evidence = evidence_labels(scenario.condition, light=light, heat=bool(sites), sauna=bool(saunas))
    per_device: dict[str, float] = {}
    for s in sites:
        per_device[s.device] = per_device.get(s.device, 0.0) + (s.exposure_s or 0.0) * s.points
    for device, seconds in per_device.items():
        if seconds > scenario.limits.max_session:
            warnings.append(f"moving the {device} from site to site takes {seconds / 60:.3g} min per session, more "
                            f"than the {scenario.limits.max_session / 60:g}-min limit per exposure: use several "
                            "devices at once (as in the 890 nm pad trials) or spread the sites over sessions")
    return Plan(scenario=scenario, sites=sites, saunas=saunas, evidence=evidence, warnings=warnings, people=people)


__all__ = ["Plan", "SitePlan", "plan"]
