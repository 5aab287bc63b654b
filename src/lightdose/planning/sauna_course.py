"""Sauna courses: core temperature, sweat loss and hydration for each session length and cabin temperature of a
schedule ("start 10–15 min, build to 30–40 min, 2–4 times a week"), with the cautions that apply to the person.

One JOS-3 run per cabin temperature covers the longest session (:func:`lightdose.thermal.sauna.simulate_sauna`);
a shorter session is read off its first minutes (the cooling after leaving the cabin is not part of the limits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lightdose.devices import InfraredSauna
from lightdose.limits import HYPERTHERMIA_CORE_C
from lightdose.parameters import ParameterChoice
from lightdose.planning.safety import Limits
from lightdose.planning.schedule import Schedule
from lightdose.thermal.sauna import SaunaPerson, SaunaRequest, SaunaResult, radiant_temperature, simulate_sauna

REST_S = 1800.0
"""Rest simulated after the longest session [s] (Waon therapy rests 30 min; Tei et al. 1995)."""

HEALTH_CAUTIONS = {
    "cardiovascular-disease": "cardiovascular disease is listed: sauna use needs medical advice first; Waon therapy "
                              "for heart failure used 60 °C for 15 min under supervision (Tei et al. 1995)",
    "autonomic-neuropathy": "autonomic neuropathy is listed: impaired sweating lets the core warm faster than this "
                            "model of a healthy adult predicts; keep sessions short and supervised",
    "insensate-skin": "insensate skin is listed: heat pain is no safeguard; keep the skin off benches, emitters and "
                      "hot surfaces, and check the feet after each session",
}


@dataclass(frozen=True)
class SaunaSessionPlan:
    """One session length at one cabin temperature: the core (rectal) temperature and the sweat it costs (secreted:
    evaporated and dripped)."""

    air_temperature_c: float
    exposure_s: float
    peak_core_temp_c: float
    core_rise_c: float
    sweat_loss_g: float
    sweat_loss_fraction: float
    """Sweat lost as a fraction of body mass."""
    drink_ml: float


@dataclass(frozen=True)
class SaunaPlan:
    """A sauna course: per cabin temperature and session length, core temperature and sweat; the longest session
    that keeps within the core-temperature and sweat limits [min per cabin temperature, None when every session
    does]; guidance and warnings; and the whole-body runs (one per cabin temperature, over the longest session and
    the rest after it)."""

    device: str
    sessions: tuple[SaunaSessionPlan, ...]
    safe_minutes: dict[float, float | None]
    achievable: bool
    limiting_factor: str | None
    reason: str
    guidance: tuple[str, ...]
    warnings: tuple[str, ...]
    runs: dict[float, SaunaResult] = field(repr=False)


def _first_time(t: np.ndarray, values: np.ndarray, limit: float) -> float:
    """First time [s] at which `values` reach `limit` (linear interpolation), inf if never."""
    above = np.nonzero(values >= limit)[0]
    if not above.size:
        return math.inf
    k = int(above[0])
    if k == 0:
        return 0.0
    return float(t[k - 1] + (limit - values[k - 1]) / (values[k] - values[k - 1]) * (t[k] - t[k - 1]))


def plan_sauna(cabin: InfraredSauna, air_temperatures: list[float], view_factor: float | None, schedule: Schedule,
               body: SaunaPerson, limits: Limits, health: Sequence[str], neuropathy: bool,
               parameters: ParameterChoice) -> SaunaPlan:
    """Plan a sauna course in `cabin` at each of `air_temperatures` [°C] for the schedule's session lengths."""
    lengths, longest = schedule.session_lengths_s, schedule.longest_session_s
    assert longest is not None, "a sauna course needs session lengths (checked by the scenario)"
    sweat_limit_g = limits.sweat_loss * body.weight * 1000.0
    drink_per_sweat = parameters.resolve()["sauna.drink_per_sweat [1]"]
    sessions: list[SaunaSessionPlan] = []
    safe: dict[float, float | None] = {}
    runs: dict[float, SaunaResult] = {}
    warnings: list[str] = []
    binding: tuple[float, str, float] | None = None
    for air in air_temperatures:
        tr = None if view_factor is None else radiant_temperature(air, cabin.emitter_temperature,
                                                                  cabin.emitter_emissivity, view_factor)
        run = simulate_sauna(SaunaRequest(air_temperature=air, mean_radiant_temperature=tr,
                                          relative_humidity=cabin.relative_humidity, exposure=longest, after=REST_S,
                                          person=body, parameters=parameters))
        runs[air] = run
        ds = run.dataset
        t = ds.t.values
        inside = ds.in_cabin.values
        core, sweat = ds.core_temp.values, ds.sweat_loss.values
        t_core = _first_time(t[inside], core[inside], limits.core_temperature)
        t_sweat = _first_time(t[inside], sweat[inside], sweat_limit_g)
        limit_s = min(t_core, t_sweat)
        safe[air] = None if math.isinf(limit_s) else round(limit_s / 60.0, 1)
        if limit_s < longest and (binding is None or limit_s < binding[0]):
            which = (f"the core reaches {limits.core_temperature:g} °C" if t_core <= t_sweat
                     else f"sweat loss reaches {100 * limits.sweat_loss:g} % of body mass")
            binding = (limit_s, which, air)
        for length in lengths:
            upto = t <= length + 1e-9
            sweat_g = float(np.interp(length, t, sweat))
            sessions.append(SaunaSessionPlan(
                air_temperature_c=air, exposure_s=length, peak_core_temp_c=float(core[upto].max()),
                core_rise_c=float(core[upto].max() - core[0]), sweat_loss_g=sweat_g,
                sweat_loss_fraction=sweat_g / (body.weight * 1000.0), drink_ml=drink_per_sweat * sweat_g))
        warnings += [w for w in run.warnings if w not in warnings]
    warnings += [HEALTH_CAUTIONS[h] for h in health]
    if neuropathy and "insensate-skin" not in health:
        warnings.append(HEALTH_CAUTIONS["insensate-skin"].replace("is listed", "comes with neuropathy"))
    if binding is None:
        achievable, factor = True, None
        reason = (f"every session up to {longest / 60:g} min stays below a core temperature of "
                  f"{limits.core_temperature:g} °C and a sweat loss of {100 * limits.sweat_loss:g} % of body mass")
    else:
        achievable, factor = False, "too hot"
        reason = (f"at {binding[2]:g} °C {binding[1]} after {binding[0] / 60:.1f} min: keep sessions shorter than "
                  f"that (the schedule builds to {longest / 60:g} min)")
    safe_sessions = [s for s in sessions if s.sweat_loss_g <= sweat_limit_g
                     and s.peak_core_temp_c <= limits.core_temperature]
    if safe_sessions:
        most = max(s.sweat_loss_g for s in safe_sessions)
        drink = (f"Drink about {drink_per_sweat * most / 1000:.1f} L after the longest session within the limits: "
                 f"~{drink_per_sweat:g} L per kg of sweat lost (model: up to {most:.0f} g of sweat, evaporated and "
                 "dripped). Sawka et al. 2007.")
    else:  # no advice for sessions that should not happen
        drink = (f"No session of this schedule stays within the limits, so there is no amount to drink for it: "
                 f"replace ~{drink_per_sweat:g} L per kg of sweat lost after shorter sessions (Sawka et al. 2007).")
    guidance = [
        drink,
        f"Weigh yourself before and after: a loss above {100 * limits.sweat_loss:g} % of body mass means the session "
        "was too long or too hot.",
        "Start at the shortest session and lengthen it only when the previous one was well tolerated; leave the "
        "cabin at once if dizzy, faint, nauseous or unwell.",
        f"Core temperature above {HYPERTHERMIA_CORE_C:g} °C is significant hyperthermia.",
    ]
    return SaunaPlan(device=cabin.name, sessions=tuple(sessions), safe_minutes=safe, achievable=achievable,
                     limiting_factor=factor, reason=reason, guidance=tuple(guidance), warnings=tuple(warnings),
                     runs=runs)
