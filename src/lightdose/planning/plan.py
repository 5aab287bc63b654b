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

If the aimed time is within every cap, the plan uses it: the site is *achievable*. If a cap comes first but after
the time for the window's lower edge, the plan uses the cap: the site is *limited* (the dose at the target's
mid-depth is in the window, below the aim, and the cap is named). If a cap comes before the lower edge, the site is
*not achievable*: the plan still reports what the longest allowed exposure delivers, with the binding reason. A site
with a fixed ``exposure`` is evaluated as given. The plan's headline verdict is the worst of its sites' and sauna
courses' verdicts and of the course-level limit (moving one device from site to site must fit in the longest
session), and names the one that binds.

Heat-only devices (heating pad) have no light dose: their plan is the session's skin temperature and burn dose.
Every site also gets the predicted skin perfusion during the exposure and for :data:`PERFUSION_AFTER_S` after it
(:func:`lightdose.physiology.session.perfusion_session`). Saunas are planned as courses
(:mod:`lightdose.planning.sauna_course`). Quantities are canonical (s, W/mm², J/mm²); :mod:`lightdose.present.plan`
shows them in minutes, mW/cm² and J/cm².
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy.population import VirtualPeople, sample_people
from lightdose.devices import HeatingPad, InfraredSauna, LightDevice
from lightdose.devices.irradiance import has_point_emitters
from lightdose.devices.placement import Placement
from lightdose.limits import EYE_IR_MIN_NM, SKIN_MPE_LARGE_AREA_CM2
from lightdose.parameters import Parameter, recording
from lightdose.physiology.session import PerfusionRequest, PerfusionResult, perfusion_session
from lightdose.planning.coverage import Coverage, PeopleDoses, doses_here, heat_coverage, light_coverage
from lightdose.planning.evidence import EvidenceLabel, evidence_labels
from lightdose.planning.safety import (
    eye_ir_time_limit,
    heat_within_range,
    session_burn,
    skin_mpe,
    skin_mpe_fraction,
    skin_mpe_time_limit,
    thermal_verdict,
)
from lightdose.planning.sauna_course import SaunaPlan, plan_sauna
from lightdose.planning.scenario import Scenario, SiteSpec, as_scenario
from lightdose.provenance import Provenance
from lightdose.thermal.burn import T_MAX_C
from lightdose.thermal.session import HeatRequest, HeatResult
from lightdose.transport.diffusion import log_interp
from lightdose.transport.dose import DoseRequest, DoseResult, depth_dose
from lightdose.transport.skin_beam import SkinBeam, skin_beam
from lightdose.units import from_j_cm2, j_cm2, mw_cm2

MIN_HEAT_RUN_S = 60.0
"""Shortest bioheat run of a plan [s]: a minute, so the temperature plot shows the start of heating."""
SURFACE_INHIBITORY_J_CM2 = 50.0
"""Fluence above which the biphasic-response literature reports inhibition [J/cm²] (heuristic; Huang et al.
2009)."""
TARGET_DEPTH_SAMPLES = 301
"""Depths sampled evenly across a target's range to find the share of it inside the dose window."""
PERFUSION_AFTER_S = 1800.0
"""How long after the session the perfusion is followed [s] (human data: back to baseline within ~2–20 min)."""
MM2_PER_CM2 = 100.0

LimitingFactor = Literal["too deep", "too far", "too hot", "above the skin MPE", "too long", "below the window",
                         "above the window"]
Verdict = Literal["achievable", "limited", "not achievable"]
VERDICT_ORDER: tuple[Verdict, ...] = ("achievable", "limited", "not achievable")
"""Verdicts from best to worst."""


@dataclass(frozen=True)
class BandPlan:
    """One spectral band of a light plan: irradiance at the skin, fluence rate at the target and the skin MPE."""

    wavelength_nm: float
    surface_irradiance: float
    """Irradiance at the centre of the treated area [W/mm²]."""
    target_fluence_rate: float
    """Fluence rate at the target's mid-depth [W/mm²]."""
    skin_mpe: float
    """Skin MPE for this band and the exposure [W/mm²]."""


@dataclass(frozen=True)
class SitePlan:
    """The plan for one body site: exposure, doses, heating, limits and coverage (canonical units)."""

    site: str
    label: str
    target: str
    target_depth_mm: tuple[float, float]
    device: str
    """The placement's id (the device's name unless the scenario names the placement)."""
    kind: str
    distance_mm: float
    points: int
    exposure_s: float
    verdict: Verdict
    limiting_factor: LimitingFactor | None
    reason: str
    peak_skin_temp_c: float
    cem43_min: float
    omega: float
    peak_target_temp_c: float
    time_to_thermal_limit_s: float | None
    heat: HeatResult
    perfusion: PerfusionResult | None
    coverage: Coverage | None
    warnings: tuple[str, ...]
    window: tuple[float, float] | None = None
    """Dose window at the target [J/mm²] (light plans)."""
    aim: float | None = None
    """Dose aimed at [J/mm²]."""
    time_for_lower_edge_s: float | None = None
    target_fluence: float | None = None
    """Dose at the target's mid-depth [J/mm²]."""
    target_fluence_edges: tuple[float, float] | None = None
    """Dose at the target's shallow and deep edges [J/mm²]."""
    target_fluence_optics_range: tuple[float, float] | None = None
    """Dose at the target's mid-depth with the lowest and the highest tissue-optics variant [J/mm²]
    (:attr:`lightdose.transport.dose.TargetDose.fluence_optics_range`)."""
    target_depth_in_window: float | None = None
    """Share of the target's depth range whose dose lies in the window."""
    target_fluence_rate: float | None = None
    """Fluence rate at the target's mid-depth [W/mm²] (light from all directions, not the irradiance at the skin)."""
    surface_fluence: float | None = None
    """Radiant exposure at the centre of the treated skin [J/mm²]."""
    surface_irradiance: float | None = None
    """Irradiance at the centre of the treated skin [W/mm²]."""
    bands: tuple[BandPlan, ...] = ()
    skin_mpe_fraction: float | None = None
    power_at_skin_w: float | None = None
    beam_area_mm2: float | None = None
    dose: DoseResult | None = None

    @property
    def achievable(self) -> bool:
        """Whether the target dose is in the window within every limit ("achievable" or "limited")."""
        return self.verdict != "not achievable"

    @property
    def energy_per_point_j(self) -> float | None:
        """Radiant energy delivered to the skin per treated point [J] (light plans)."""
        return None if self.power_at_skin_w is None else self.power_at_skin_w * self.exposure_s


@dataclass(frozen=True)
class Plan:
    """A treatment plan: per-site plans, sauna courses, the headline verdict and what binds it, evidence labels,
    warnings, the [verify] parameters it relied on and its provenance."""

    scenario: Scenario
    sites: tuple[SitePlan, ...]
    saunas: tuple[SaunaPlan, ...]
    verdict: Verdict
    binding: str | None
    """What sets the headline verdict when it is not "achievable"."""
    evidence: tuple[EvidenceLabel, ...]
    warnings: tuple[str, ...]
    unverified: tuple[tuple[str, Parameter], ...]
    """The [verify] parameters (estimates) the plan relied on, by key."""
    people: VirtualPeople | None
    provenance: Provenance

    @property
    def achievable(self) -> bool:
        """Whether every site and course is achievable (possibly limited)."""
        return self.verdict != "not achievable"

    @property
    def session_minutes(self) -> float:
        """Treatment time per session [min]: every site's exposure × its points, one after the other."""
        return sum(s.exposure_s * s.points for s in self.sites) / 60.0


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


def _perfusion(placement: Placement, stack: LayerStack, scenario: Scenario, exposure_s: float) -> PerfusionResult:
    """Predicted skin perfusion [% of maximal CVC] for the exposure and :data:`PERFUSION_AFTER_S` after it."""
    return perfusion_session(PerfusionRequest(placement=placement.model_copy(update={"pad_heat": 0.0}), site=stack,
                                              person=scenario.person, exposure=exposure_s, after=PERFUSION_AFTER_S,
                                              parameters=scenario.parameters))


def _eye_warning(beam: SkinBeam, exposure_s: float) -> str | None:
    nir = float(beam.peak_irradiance[beam.wavelength_nm >= EYE_IR_MIN_NM].sum())
    if nir <= 0.0:
        return None
    limit_s = eye_ir_time_limit(nir)
    mw = mw_cm2(nir)
    if exposure_s <= limit_s:
        return (f"the panel faces the head: near-infrared {mw:.3g} mW/cm² at the eyes stays within the ICNIRP/IEC "
                f"62471 eye limit for this {exposure_s / 60:.3g} min exposure; still do not look into it")
    return (f"the panel faces the head: near-infrared {mw:.3g} mW/cm² at the eyes exceeds the ICNIRP/IEC 62471 eye "
            f"limit after {limit_s:.0f} s (the exposure is {exposure_s:.0f} s): wear infrared-blocking goggles and "
            "keep the eyes closed; near-infrared is invisible and does not trigger the blink reflex")


Cap = tuple[float, LimitingFactor, str]
"""A limit on the exposure: when it binds [s], its limiting factor and why."""


def _choose_time(t_aim: float, t_low: float, caps: list[Cap]) -> tuple[float, Verdict, LimitingFactor | None, str]:
    """Apply the aiming rule (module docstring): exposure [s], verdict, limiting factor, reason."""
    cap_s, factor, why = min(caps)
    if t_aim <= cap_s:
        return t_aim, "achievable", None, f"aimed dose reached in {t_aim / 60:.3g} min, within every limit"
    if t_low <= cap_s:
        return cap_s, "limited", factor, (f"the aimed dose needs {t_aim / 60:.3g} min but {why} at "
                                          f"{cap_s / 60:.3g} min; the exposure is capped there, still inside the "
                                          "window")
    return cap_s, "not achievable", factor, (f"the window's lower edge needs {t_low / 60:.3g} min, but {why} at "
                                             f"{cap_s / 60:.3g} min: not achievable")


def nominal_distance(light: LightDevice) -> float | None:
    """The distance a device is meant to be used at [mm]: its preset's reference distance, else 0 when it can touch
    the skin (no point emitters), else None."""
    if light.reference is not None:
        return light.reference.distance
    return None if has_point_emitters(light) else 0.0


def _target_rate(placement: Placement, stack: LayerStack, scenario: Scenario) -> DoseResult:
    """The dose per second of exposure at the site's target (a 1-s dose)."""
    return depth_dose(DoseRequest(placement=placement, site=stack, person=scenario.person, exposure=1.0,
                                  parameters=scenario.parameters))


def _too_far(light: LightDevice, placement: Placement, beam: SkinBeam, stack: LayerStack, scenario: Scenario,
             aim: float, t_aim: float) -> str | None:
    """When the session length caps a device used farther away than its :func:`nominal_distance`, and at that
    distance the aimed dose would fit in the session, the distance is the cause: the reason, naming the irradiance
    at the skin and what would help. Else None (the target is too deep for this device)."""
    nominal = nominal_distance(light)
    max_session = scenario.limits.max_session
    if nominal is None or placement.distance <= nominal:
        return None
    near_placement = placement.model_copy(update={"distance": nominal})
    t_near = aim / _target_rate(near_placement, stack, scenario).target().fluence_rate
    if t_near > max_session:
        return None
    near = skin_beam(near_placement)
    here, there = (mw_cm2(float(b.centre_irradiance.sum())) for b in (beam, near))
    return (f"at {placement.distance / 10:.3g} cm the skin receives only {here:.3g} mW/cm² "
            f"({there:.3g} mW/cm² at {nominal / 10:.3g} cm, the device's nominal distance): the aimed "
            f"{j_cm2(aim):.3g} J/cm² needs {t_aim / 60:.3g} min, longer than the {max_session / 60:g}-min session; "
            f"bring the device to {nominal / 10:.3g} cm, where it needs {t_near / 60:.3g} min")


def _fixed_verdict(exposure_s: float, dose: float, window: tuple[float, float],
                   caps: list[Cap]) -> tuple[Verdict, LimitingFactor | None, str]:
    for cap_s, factor, why in sorted(caps):
        if exposure_s > cap_s:
            fixed_factor: LimitingFactor = "too long" if factor == "too deep" else factor
            return "not achievable", fixed_factor, (f"the fixed {exposure_s / 60:.3g} min exposure goes past where "
                                                    f"{why} ({cap_s / 60:.3g} min)")
    low, high = (j_cm2(w) for w in window)
    if dose < window[0]:
        return "not achievable", "below the window", (f"{j_cm2(dose):.3g} J/cm² at the target is below the window "
                                                      f"{low:g}–{high:g} J/cm²")
    if dose > window[1]:
        return "not achievable", "above the window", (f"{j_cm2(dose):.3g} J/cm² at the target is above the window "
                                                      f"{low:g}–{high:g} J/cm²")
    return "achievable", None, f"the fixed {exposure_s / 60:.3g} min exposure puts the target dose in the window"


def _dose_across_target(dose: DoseResult, window: tuple[float, float]) -> tuple[tuple[float, float], float, str | None]:
    """The target dose [J/mm²] at its shallow and deep edge, the share of its depth range whose dose lies in the
    window, and a warning naming the depths outside the window (None when the whole range is inside)."""
    target = dose.target()
    shallow, deep = target.depth_min_mm, target.depth_max_mm
    exposure_s = dose.request.exposure
    edges = (target.fluence_rate_shallow * exposure_s, target.fluence_rate_deep * exposure_s)
    if deep <= shallow:
        return edges, float(window[0] <= edges[0] <= window[1]), None
    z = np.linspace(shallow, deep, TARGET_DEPTH_SAMPLES)
    fluence = log_interp(z, dose.dataset.z.values, dose.dataset.fluence_total.values)
    inside = (fluence >= window[0]) & (fluence <= window[1])
    share = float(inside.mean())
    if share == 1.0:
        return edges, share, None
    parts = []
    if (below := fluence < window[0]).any():
        parts.append(f"below the window deeper than {z[below].min():.3g} mm")
    if (above := fluence > window[1]).any():
        parts.append(f"above it shallower than {z[above].max():.3g} mm")
    return edges, share, (f"across the target's depth range the dose runs from {j_cm2(edges[0]):.3g} J/cm² at "
                          f"{shallow:.3g} mm to {j_cm2(edges[1]):.3g} J/cm² at {deep:.3g} mm: {' and '.join(parts)} "
                          f"({100 * (1 - share):.0f} % of the range outside the window)")


def _heat(placement: Placement, stack: LayerStack, person: Person, scenario: Scenario, time_s: float) -> HeatResult:
    return heat_within_range(HeatRequest(placement=placement, site=stack, person=person, exposure=time_s,
                                         parameters=scenario.parameters))


def _plan_light_site(scenario: Scenario, spec: SiteSpec, key: str, placement: Placement,
                     people: VirtualPeople | None, progress: Progress | None = None,
                     people_doses: PeopleDoses = doses_here) -> SitePlan:
    light = placement.light_device()
    beam = skin_beam(placement)
    person, limits = scenario.person, scenario.limits
    stack = spec.stack()
    target = person.apply(stack, scenario.parameter_set()).targets[0]
    window = spec.window or scenario.goal.window
    aim = scenario.goal.aimed_dose(window)
    probe = _target_rate(placement, stack, scenario)
    rate = probe.target().fluence_rate  # W/mm² at the target's mid-depth
    surface = float(beam.centre_irradiance.sum())  # W/mm² at the centre of the treated skin
    t_aim, t_low, t_high = (dose / rate for dose in (aim, window[0], window[1]))
    fixed = spec.exposure
    horizon = fixed if fixed is not None else min(limits.max_session, max(t_high, MIN_HEAT_RUN_S))
    heat = _heat(placement, stack, person, scenario, horizon)
    thermal = thermal_verdict(heat, limits)
    caps: list[Cap] = [(limits.max_session, "too deep", f"the longest session ({limits.max_session / 60:g} min) ends")]
    if math.isfinite(thermal.time_s):
        caps.append((thermal.time_s, "too hot", str(thermal.reason)))
    mpe_s = skin_mpe_time_limit(beam.peak_irradiance, beam.wavelength_nm) if limits.skin_mpe else math.inf
    if math.isfinite(mpe_s):
        caps.append((mpe_s, "above the skin MPE", "the skin irradiance exceeds the skin MPE (ICNIRP 2013)"))
    factor: LimitingFactor | None
    if fixed is None:
        exposure, verdict, factor, reason = _choose_time(t_aim, t_low, caps)
        if factor == "too deep":
            far = _too_far(light, placement, beam, stack, scenario, aim, t_aim)
            if far is not None:
                factor, reason = "too far", far + ("; the exposure is capped at the session's end, still inside the "
                                                   "window" if verdict != "not achievable" else
                                                   "; not achievable at this distance")
            else:
                reason += (f" ({mw_cm2(surface):.3g} mW/cm² at the skin reach the target as a fluence rate of "
                           f"{mw_cm2(rate):.3g} mW/cm²: a stronger source or a shallower target is needed for the "
                           "aimed dose)")
    else:
        exposure = fixed
        verdict, factor, reason = _fixed_verdict(fixed, rate * fixed, window, caps)
    dose = depth_dose(DoseRequest(placement=placement, site=stack, person=person, exposure=max(exposure, 1e-3),
                                  max_depth=spec.max_depth, parameters=scenario.parameters))
    target_dose = rate * exposure
    edges, depth_in_window, across = _dose_across_target(dose, window)
    surface_dose = surface * exposure
    peak_skin, cem, omega = session_burn(heat, exposure)
    power = float(beam.power.sum())
    area_mm2 = power / surface
    warnings = list(beam.warnings) + _site_warnings(scenario, placement, beam.contact)
    if across is not None:
        warnings.append(across)
    if float(heat.dataset.t.values[-1]) < horizon:
        warnings.append(f"the skin would pass {T_MAX_C:g} °C, the end of the bioheat model's range, within "
                        f"{horizon / 60:.3g} min: its run stops at {float(heat.dataset.t.values[-1]) / 60:.3g} min")
    if rate > scenario.goal.max_target_irradiance:
        warnings.append(f"the fluence rate at the target, {mw_cm2(rate):.3g} mW/cm², is above the "
                        f"{mw_cm2(scenario.goal.max_target_irradiance):g} mW/cm² of the heuristic window (Huang et "
                        "al. 2009): irradiance and time are not interchangeable")
    if surface_dose > from_j_cm2(SURFACE_INHIBITORY_J_CM2):
        warnings.append(f"the skin above the target receives {j_cm2(surface_dose):.3g} J/cm²: above "
                        f"~{SURFACE_INHIBITORY_J_CM2:g} J/cm² the biphasic-response literature reports inhibition "
                        "(heuristic, Huang et al. 2009)")
    if area_mm2 > SKIN_MPE_LARGE_AREA_CM2 * MM2_PER_CM2 and limits.skin_mpe:
        warnings.append(f"the irradiated area exceeds {SKIN_MPE_LARGE_AREA_CM2:g} cm²: the standards reduce the skin "
                        "MPE for large areas, which lightdose does not apply [verify against ICNIRP 2013]")
    if scenario.devices_by_key()[key].faces_head:
        if eye := _eye_warning(beam, max(exposure, 1e-3)):
            warnings.append(eye)
    elif beam.eye_warning is not None:
        warnings.append(beam.eye_warning)
    if scenario.condition == "carpal-tunnel":
        warnings.append(f"WALT 2010 (780–860 nm lasers, carpal tunnel): 2–3 points, ≥ 4 J per point, 8 J in total; "
                        f"this plan: {power * exposure:.3g} J per point, {power * exposure * spec.points:.3g} J over "
                        f"{spec.points} point(s)")
    coverage = None
    if people is not None and exposure > 0:
        coverage = light_coverage(people, stack, placement, beam, exposure, window, limits, scenario.parameters,
                                  None if progress is None else lambda done, total: progress(spec.title, done / total),
                                  people_doses)
    perfusion = _perfusion(placement, stack, scenario, exposure)
    if placement.pad_heat > 0:
        warnings.append("the perfusion prediction leaves out the pad's waste heat (`pad_heat`); the skin temperature "
                        "and burn dose include it")
    exposure_for_mpe = max(exposure, 1e-7)
    bands = tuple(BandPlan(wavelength_nm=float(w), surface_irradiance=float(e),
                           target_fluence_rate=probe.target().fluence_rate_per_band[b],
                           skin_mpe=skin_mpe(float(w), exposure_for_mpe))
                  for b, (w, e) in enumerate(zip(beam.wavelength_nm, beam.centre_irradiance, strict=True)))
    return SitePlan(
        site=spec.site, label=spec.title, target=target.name, target_depth_mm=(target.depth_min, target.depth_max),
        device=key, kind=light.kind, distance_mm=placement.distance, points=spec.points, exposure_s=exposure,
        verdict=verdict, limiting_factor=factor, reason=reason, peak_skin_temp_c=peak_skin, cem43_min=cem,
        omega=omega,
        peak_target_temp_c=float(heat.dataset.target_temperature.values[heat.dataset.t.values <= exposure + 1e-9,
                                                                        0].max()),
        time_to_thermal_limit_s=None if math.isinf(thermal.time_s) else thermal.time_s, heat=heat,
        perfusion=perfusion, coverage=coverage, warnings=tuple(warnings), window=window, aim=aim,
        time_for_lower_edge_s=t_low, target_fluence=target_dose, target_fluence_edges=edges,
        target_fluence_optics_range=dose.target(target.name).fluence_optics_range,
        target_depth_in_window=depth_in_window, target_fluence_rate=rate, surface_fluence=surface_dose,
        surface_irradiance=surface, bands=bands,
        skin_mpe_fraction=skin_mpe_fraction(beam.peak_irradiance, beam.wavelength_nm, exposure_for_mpe),
        power_at_skin_w=power, beam_area_mm2=area_mm2, dose=dose)


def _plan_heat_site(scenario: Scenario, spec: SiteSpec, key: str, placement: Placement,
                    people: VirtualPeople | None, progress: Progress | None = None) -> SitePlan:
    pad = placement.model()
    assert isinstance(pad, HeatingPad)
    limits = scenario.limits
    stack = spec.stack()
    target = scenario.person.apply(stack, scenario.parameter_set()).targets[0]
    exposure = spec.exposure or scenario.schedule.longest_session_s
    assert exposure is not None
    heat = _heat(placement, stack, scenario.person, scenario, exposure)
    thermal = thermal_verdict(heat, limits)
    peak_skin, cem, omega = session_burn(heat, exposure)
    verdict: Verdict
    factor: LimitingFactor | None
    if thermal.time_s <= exposure:
        verdict, factor = "not achievable", "too hot"
        reason = (f"{thermal.reason} after {thermal.time_s / 60:.3g} min of the {exposure / 60:g} min session: "
                  "shorten it or lower the pad temperature")
    else:
        verdict, factor = "achievable", None
        reason = f"the {exposure / 60:g} min session stays within the skin-temperature and burn-dose limits"
    coverage = heat_coverage(people, stack, placement, exposure, limits, scenario.parameters) if people else None
    return SitePlan(
        site=spec.site, label=spec.title, target=target.name, target_depth_mm=(target.depth_min, target.depth_max),
        device=key, kind=pad.kind, distance_mm=0.0, points=spec.points, exposure_s=exposure, verdict=verdict,
        limiting_factor=factor, reason=reason, peak_skin_temp_c=peak_skin, cem43_min=cem, omega=omega,
        peak_target_temp_c=float(heat.dataset.target_temperature.values[:, 0].max()),
        time_to_thermal_limit_s=None if math.isinf(thermal.time_s) else thermal.time_s, heat=heat,
        perfusion=_perfusion(placement, stack, scenario, exposure), coverage=coverage,
        warnings=tuple([f"heat only: a {pad.surface_temperature:g} °C heating pad emits no therapeutic light (no "
                        "light dose at the target)"] + _site_warnings(scenario, placement, True)))


def _headline(sites: list[SitePlan], saunas: list[SaunaPlan], course_limit: str | None) -> tuple[Verdict, str | None]:
    """The worst verdict of the sites, the sauna courses and the course-level limit, and what sets it."""
    candidates: list[tuple[Verdict, str]] = [] if course_limit is None else [("limited", course_limit)]
    candidates += [(s.verdict, f"{s.label}: {s.reason}") for s in sites]
    candidates += [("achievable" if c.achievable else "not achievable", f"sauna: {c.reason}") for c in saunas]
    worst = max(candidates, key=lambda c: VERDICT_ORDER.index(c[0]), default=("achievable", ""))  # the first worst
    return worst[0], (None if worst[0] == "achievable" else worst[1])


Progress = Callable[[str, float], None]
"""Called with (what is being planned, the share of the plan done, 0–1) while a plan is made (a progress display)."""


def plan(scenario: Scenario | dict[str, Any] | str, *, progress: Progress | None = None,
         people_doses: PeopleDoses = doses_here) -> Plan:
    """Make the plan for `scenario` (a :class:`Scenario`, a dict, or the path of a YAML/JSON file); `progress`, if
    given, is told how far the plan is (the population coverage takes seconds). `people_doses` computes the virtual
    people's target doses (in this process by default; :func:`lightdose.sweep.coverage.dask_people_doses` on a Dask
    cluster, with the same result to the bit).

    Reproducible: the same scenario (and seed) gives the same plan. lightdose is not a medical device.
    """
    scenario = as_scenario(scenario)
    params = scenario.parameter_set()
    with recording() as used:
        spec = scenario.coverage
        people = (sample_people(spec.model_for(scenario.person), spec.people, scenario.seed, params)
                  if spec.people > 0 else None)
        sites = []
        steps = len(scenario.sites) + len(scenario.saunas)
        for i, site in enumerate(scenario.sites):
            key, placement = scenario.placement_for(site)
            step = None if progress is None else (
                lambda what, share, i=i: progress(what, (i + share) / steps))
            if isinstance(placement.model(), LightDevice):
                sites.append(_plan_light_site(scenario, site, key, placement, people, step, people_doses))
            else:
                sites.append(_plan_heat_site(scenario, site, key, placement, people, step))
        saunas = []
        for j, cabin_placement in enumerate(scenario.saunas):
            if progress is not None:
                progress(f"the sauna course in {cabin_placement.key}", (len(sites) + j) / steps)
            cabin = cabin_placement.model()
            assert isinstance(cabin, InfraredSauna)
            saunas.append(plan_sauna(cabin, cabin_placement.air_temperature or [cabin.air_temperature],
                                     cabin_placement.emitter_view_factor, scenario.schedule, scenario.body,
                                     scenario.limits, scenario.health, scenario.person.neuropathy,
                                     scenario.parameters))
    light = any(s.kind in ("contact-pad", "panel", "probe") for s in sites)
    warnings = ["lightdose is not a medical device: this plan is a physical model estimate, not medical advice"]
    if light and scenario.schedule.session_start is not None:
        warnings.append("the schedule's session lengths do not set light exposures: each site's exposure comes from "
                        "its dose")
    evidence = evidence_labels(scenario.condition, light=light, heat=bool(sites), sauna=bool(saunas))
    per_device: dict[str, float] = {}
    for s in sites:
        per_device[s.device] = per_device.get(s.device, 0.0) + s.exposure_s * s.points
    course_limit = None
    for device, seconds in per_device.items():
        if seconds > scenario.limits.max_session:
            course_limit = (f"moving the {device} from site to site takes {seconds / 60:.3g} min per session, more "
                            f"than the {scenario.limits.max_session / 60:g}-min limit per exposure: use several "
                            "devices at once (as in the 890 nm pad trials) or spread the sites over sessions")
            warnings.append(course_limit)
    verdict, binding = _headline(sites, saunas, course_limit)
    return Plan(scenario=scenario, sites=tuple(sites), saunas=tuple(saunas), verdict=verdict, binding=binding,
                evidence=tuple(evidence), warnings=tuple(warnings), unverified=tuple(params.unverified(used)),
                people=people, provenance=Provenance.of(scenario, params.name))


__all__ = ["BandPlan", "LimitingFactor", "Plan", "SitePlan", "Verdict", "nominal_distance", "person_text", "plan"]
