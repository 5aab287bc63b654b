"""Whole-body response to a sauna session: JOS-3 (Takahashi et al. 2021, Energy Build 231:110575) via
pythermalcomfort, with the skin's evaporation bounded by the water-vapour pressures.

A :class:`SaunaRequest` (cabin air, radiant temperature, humidity, air speed, `exposure` in the cabin, `after` it at
rest, the person) goes in; :func:`simulate_sauna` steps JOS-3 in one-minute steps and returns a :class:`SaunaResult`:
an ``xarray.Dataset`` of core (rectal), central blood and mean skin temperature, skin blood flow, cardiac output,
the skin's latent heat flow and cumulative sweat (secreted and evaporated) over time, and its summary figures.

Evaporation. JOS-3 computes the skin's evaporative heat loss as wettedness × E_max with E_max = (p_sk,s − p_a)/R_e
(the Lewis relation) and wettedness = 0.06 + 0.94·E_sweat/E_max. Where the cabin's water-vapour pressure p_a exceeds
the saturation pressure p_sk,s at the skin, E_max is negative and its wettedness goes negative, so that it removes
the whole regulatory sweat output as evaporation — 500–800 W in a Finnish sauna where no sweat can evaporate. For the
duration of our run lightdose replaces that one function: where p_a ≥ p_sk,s the skin is wet (sweat and condensate),
nothing evaporates and vapour condenses on it, releasing E_max (< 0: a heat gain) into the skin node of JOS-3's
own heat balance; elsewhere JOS-3's formula is unchanged. The secreted sweat then drips off: ``sweat_loss`` counts
it (body water lost), ``sweat_evaporated`` only the part that evaporated.

Validity. A request whose cabin vapour pressure is at or above that of wet skin at 41 °C — the top of the 40–41 °C
mean skin temperature measured in Finnish saunas (Leppäluoto 1988, Ann Clin Res 20:240) — is refused: sweat could
not evaporate at any skin temperature bathers reach, and JOS-3's skin and core would climb far past every measured
value. Below that limit JOS-3 still takes up more heat than bathers in hot cabins (docs/sauna.md, "Validation"): every
run at 70 °C air or above, and every run whose mean skin temperature passes 41 °C, says so in its warnings. JOS-3
is a population model of a healthy adult without an upper limit on skin blood flow (lightdose caps it), unvalidated
above ~50 °C air (Takahashi et al. 2021).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Annotated, Any, Literal

import numpy as np
import xarray as xr
from pydantic import Field, model_validator

from lightdose.devices.heat_sources import InfraredSauna
from lightdose.errors import InputError
from lightdose.limits import HYPERTHERMIA_CORE_C, MAX_SESSION_S
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterChoice, Parameters
from lightdose.provenance import Provenance
from lightdose.units import Bounded

STEP_S = 60.0
"""JOS-3 time step [s] (one minute, the step of Takahashi et al. 2021)."""

JOS3_VALIDATED_MAX_AIR_C = 50.0
"""Air temperature above which JOS-3 is unvalidated [°C]: its validation used indoor and moderately hot climates
(Takahashi et al. 2021)."""
SAUNA_CAUTIONS_FROM_C = 40.0
"""Cabin (air or radiant) temperature from which the health cautions of a sauna apply [°C]: infrared cabins run at
40–60 °C."""
FINNISH_SAUNA_FROM_C = 70.0
"""Cabin air temperature [°C] from which the Finnish-sauna comparisons of docs/sauna.md apply (they cover 73–100 °C
air): JOS-3 overestimated the measured rise of rectal temperature there 1.2–4.4 times, and the result says so."""
MEASURED_MAX_SKIN_C = 41.0
"""Highest mean skin temperature measured in Finnish saunas at 80–100 °C air [°C]: 40–41 °C (Leppäluoto 1988, Ann
Clin Res 20:240). A cabin whose water-vapour pressure reaches that of wet skin at this temperature is refused, and a
run whose mean skin temperature passes it is flagged."""

BODY_PARTS = ("head", "neck", "chest", "back", "pelvis", "left_shoulder", "left_arm", "left_hand", "right_shoulder",
              "right_arm", "right_hand", "left_thigh", "left_leg", "left_foot", "right_thigh", "right_leg",
              "right_foot")
"""JOS-3's 17 body segments."""

CAUTIONS = (
    "cardiovascular disease: heat raises heart rate and cardiac output and lowers blood pressure; "
    "seek medical advice before sauna use",
    "autonomic neuropathy (e.g. diabetic): sweating and skin blood flow may be impaired, so the core warms "
    "faster than this healthy-adult model predicts",
    "insensate skin (neuropathic feet): heat pain is no safeguard; keep feet and skin off hot surfaces and "
    "emitters",
)

_ANTOINE_A, _ANTOINE_B, _ANTOINE_C = 16.6536, 4030.183, 235.0
"""Antoine equation of water, p_s = exp(A − B/(T + C)) kPa with T in °C: the constants JOS-3 uses for skin and air
(pythermalcomfort.psychrometrics.antoine), within 0.5 % of the IAPWS saturation pressure at 20–100 °C."""
_NO_RESISTANCE = 1e-6
"""Evaporative resistance [m²·kPa/W] with which JOS-3's evaporation function is asked for the sweat it secretes:
small enough that the skin's evaporative capacity is never the limit."""
_JOS3_PATCH_LOCK = threading.Lock()
"""Held while JOS-3's functions are replaced (:func:`simulate_sauna`), so that concurrent runs do not interleave."""


def saturation_vapour_pressure(temperature_c: float) -> float:
    """Saturation pressure of water vapour [kPa] at `temperature_c` [°C] (Antoine, JOS-3's constants)."""
    return math.exp(_ANTOINE_A - _ANTOINE_B / (temperature_c + _ANTOINE_C))


def dew_point(vapour_pressure_kpa: float) -> float:
    """Temperature [°C] at which water vapour of `vapour_pressure_kpa` [kPa] saturates (the Antoine equation
    inverted)."""
    return _ANTOINE_B / (_ANTOINE_A - math.log(vapour_pressure_kpa)) - _ANTOINE_C


def max_relative_humidity(air_temperature_c: float) -> float:
    """The highest relative humidity (fraction) :class:`SaunaRequest` accepts at `air_temperature_c` [°C]: below the
    vapour pressure of wet skin at :data:`MEASURED_MAX_SKIN_C`, rounded down to 0.1 %."""
    ratio = saturation_vapour_pressure(MEASURED_MAX_SKIN_C) / saturation_vapour_pressure(air_temperature_c)
    return min(1.0, math.floor(1000.0 * ratio - 1e-9) / 1000.0)


def _range(kind: str, low: float, high: float, open_low: bool = False) -> Bounded:
    return Bounded(kind, gt=low, le=high) if open_low else Bounded(kind, ge=low, le=high)


class SaunaPerson(FrozenModel):
    """The person in the cabin. Defaults: a 40-year-old man, 1.72 m, 70 kg, 15 % body fat — lightdose's choice,
    close to JOS-3's standard man (1.72 m, 74.43 kg, 15 % fat; Takahashi et al. 2021). JOS-3 lowers sweating and
    vasodilation from age 60 on."""

    age: int = Field(40, ge=18, le=100, description="age [years]")
    sex: Literal["male", "female"] = "male"
    height: Annotated[float, _range("length", 1000.0, 2500.0)] = Field(1720.0, description="height [mm]")
    weight: Annotated[float, _range("mass", 20.0, 200.0)] = Field(70.0, description="body mass [kg]")
    body_fat: Annotated[float, _range("dimensionless", 0.03, 0.6)] = Field(0.15, description="body fat fraction")


class SaunaRequest(FrozenModel):
    """One sauna session: `exposure` [s] in the cabin, then `after` [s] at rest in a room. Temperatures in °C,
    humidities as fractions (0.2 = 20 %), air speed in m/s. The mean radiant temperature defaults to the air
    temperature; :meth:`from_cabin` derives it from a cabin preset's emitters.

    The cabin's water-vapour pressure must stay below that of wet skin at 41 °C (:func:`max_relative_humidity`: at
    most 24.9 % at 70 °C, 16.4 % at 80 °C, 11.0 % at 90 °C, 7.6 % at 100 °C); the default 20 % holds up to 75 °C."""

    air_temperature: Annotated[float, _range("temperature", 10.0, 100.0)]
    mean_radiant_temperature: Annotated[float, _range("temperature", 10.0, 150.0)] | None = None
    relative_humidity: Annotated[float, _range("dimensionless", 0.0, 1.0)] = 0.2
    air_speed: Annotated[float, _range("speed", 0.0, 5.0)] = 0.1
    exposure: Annotated[float, _range("time", 0.0, MAX_SESSION_S, open_low=True)]
    after: Annotated[float, _range("time", 0.0, MAX_SESSION_S)] = 0.0
    rest_air_temperature: Annotated[float, _range("temperature", 10.0, 40.0)] = 24.0
    rest_relative_humidity: Annotated[float, _range("dimensionless", 0.0, 1.0)] = 0.5
    posture: Literal["sitting", "lying"] = "sitting"
    cap_skin_blood_flow: bool = Field(default=True, description="limit JOS-3's skin blood flow to ~7 L/min")
    person: SaunaPerson = SaunaPerson()
    parameters: Parameters = Field(default_factory=ParameterChoice)

    @model_validator(mode="after")
    def _sweat_can_evaporate(self) -> SaunaRequest:
        """Refuse a cabin so humid that sweat cannot evaporate from skin at 41 °C (the module's docstring says
        why). The rest room (at most 40 °C) always passes."""
        air, humidity = self.air_temperature, self.relative_humidity
        skin_kpa = saturation_vapour_pressure(MEASURED_MAX_SKIN_C)
        cabin_kpa = humidity * saturation_vapour_pressure(air)
        if cabin_kpa >= skin_kpa:
            default = "" if "relative_humidity" in self.model_fields_set else " (the default)"
            raise InputError("relative_humidity", (
                f"{100 * humidity:g} %{default} at {air:g} °C air gives a water-vapour pressure of "
                f"{cabin_kpa:.2f} kPa, at or above wet skin's {skin_kpa:.2f} kPa at {MEASURED_MAX_SKIN_C:g} °C: the "
                "whole-body model (JOS-3) cannot represent a sauna where sweat cannot evaporate; allowed at "
                f"{air:g} °C: at most "
                f"{100 * max_relative_humidity(air):.1f} %"))
        return self

    @property
    def radiant_temperature(self) -> float:
        """Mean radiant temperature in the cabin [°C] (the air temperature unless given)."""
        return self.air_temperature if self.mean_radiant_temperature is None else self.mean_radiant_temperature

    @property
    def vapour_pressure(self) -> float:
        """Water-vapour pressure of the cabin air [kPa]."""
        return self.relative_humidity * saturation_vapour_pressure(self.air_temperature)

    @classmethod
    def from_cabin(cls, cabin: InfraredSauna, emitter_view_factor: float, **overrides: Any) -> SaunaRequest:
        """A session in a cabin preset: its air temperature, humidity and session length, and a mean radiant
        temperature from its emitters (:func:`radiant_temperature`) seen over `emitter_view_factor` of the
        body's view (no preset gives it: measure or estimate it for the cabin)."""
        tr = radiant_temperature(cabin.air_temperature, cabin.emitter_temperature, cabin.emitter_emissivity,
                                 emitter_view_factor)
        fields = {"air_temperature": cabin.air_temperature, "relative_humidity": cabin.relative_humidity,
                  "exposure": cabin.session_duration, "mean_radiant_temperature": tr}
        return cls(**(fields | overrides))


@dataclass(frozen=True)
class SaunaResult:
    """The whole body over the session and the rest after it (`dataset` over ``t`` [s]) and its summary figures.
    Core temperature is rectal temperature (JOS-3's pelvis core), what the sauna studies measured."""

    request: SaunaRequest
    dataset: xr.Dataset
    peak_core_temp_c: float
    """Highest rectal temperature [°C] over the run (cabin and rest)."""
    peak_core_rise_c: float
    """Its rise above the start [°C]."""
    peak_mean_skin_temp_c: float
    sweat_loss_g: float
    """Sweat secreted over the whole run [g]: evaporated and dripped, the body water lost to sweating."""
    sweat_evaporated_g: float
    """The part of it that evaporated [g]."""
    exceeds_physiological_limits: bool
    """Skin blood flow or cardiac output above the limits of the parameter set (JOS-3 has no cap of its own)."""
    warnings: tuple[str, ...]
    provenance: Provenance


def radiant_temperature(air_c: float, emitter_c: float, emissivity: float, view_factor: float) -> float:
    """Mean radiant temperature [°C] of a cabin whose walls are at the air temperature `air_c` [°C] except for
    emitters at `emitter_c` [°C] with `emissivity` over `view_factor` of the view: T_r⁴ = F·ε·T_e⁴ + (1 − F·ε)·T_a⁴
    in kelvin (a grey-body average, ASHRAE Handbook Fundamentals 2017, ch. 9)."""
    if not 0.0 <= view_factor <= 1.0:
        raise InputError("emitter_view_factor", f"{view_factor:g} is outside the allowed range 0–1")
    weight = view_factor * emissivity
    t4 = weight * (emitter_c + 273.15) ** 4 + (1.0 - weight) * (air_c + 273.15) ** 4
    return float(t4**0.25) - 273.15


def _whole_body(parts: Any) -> np.ndarray:
    """Sum a JOS-3 per-segment time series over the 17 segments."""
    total: np.ndarray = np.sum([np.asarray(getattr(parts, name), dtype=float) for name in BODY_PARTS], axis=0)
    return total


@contextmanager
def _skin_blood_flow_cap(limit_l_min: float | None) -> Iterator[None]:
    """Within the block, scale JOS-3's segmental skin blood flow down so that its total stays ≤ `limit_l_min`.

    JOS-3 has no cap (its skin blood flow grows without bound in hot rooms, overestimating cardiac output and
    the heat carried from hot skin to the core); pythermalcomfort offers no hook, so its thermoregulation
    function is wrapped for the duration of our simulation only. AVA flows of hands and feet are not capped.
    """
    if limit_l_min is None:
        yield
        return
    from pythermalcomfort.models import jos3

    original = jos3.threg.skin_blood_flow
    limit_l_h = 60.0 * limit_l_min

    def capped(*args: Any, **kwargs: Any) -> np.ndarray:
        flow = np.asarray(original(*args, **kwargs), dtype=float)
        total = float(flow.sum())
        return flow * (limit_l_h / total) if total > limit_l_h else flow

    jos3.threg.skin_blood_flow = capped
    try:
        yield
    finally:
        jos3.threg.skin_blood_flow = original


@contextmanager
def _evaporation_bounded_by_vapour_pressure(secreted: list[np.ndarray]) -> Iterator[None]:
    """Within the block, JOS-3's skin evaporation obeys the vapour pressures, and the sweat secreted in each step
    [W per segment, as latent heat] is appended to `secreted`.

    Per segment, with p_a the air's vapour pressure and p_sk,s the saturation pressure at the skin:

    - p_sk,s > p_a: JOS-3's own formula, unchanged (evaporation up to E_max = (p_sk,s − p_a)/R_e·A, wettedness ≤ 1);
    - p_sk,s ≤ p_a: the skin is wet (wettedness 1), no sweat evaporates, and the latent heat flow is E_max ≤ 0:
      vapour condensing on the skin at the rate the same mass-transfer coefficient allows, its latent heat gained
      by the skin node. JOS-3's heat balance then carries that gain like any other flow; nothing is corrected
      afterwards.

    The secreted sweat is JOS-3's own regulatory output (its evaporation function asked with an evaporative
    resistance too small to limit it); a step where the two calls disagree about it stops the run, since that
    would mean pythermalcomfort's formula has changed.
    """
    from pythermalcomfort.models import jos3

    original = jos3.threg.evaporation

    def bounded(err_cr: Any, err_sk: Any, t_skin: Any, tdb: Any, rh: Any, ret: Any, height: float, weight: float,
                bsa_equation: str, age: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        wet, e_sk, e_max, e_sweat = (np.asarray(a, dtype=float) for a in
                                     original(err_cr, err_sk, t_skin, tdb, rh, ret, height, weight, bsa_equation, age))
        unlimited = original(err_cr, err_sk, t_skin, tdb, np.zeros_like(np.asarray(rh, dtype=float)),
                             np.full_like(np.asarray(ret, dtype=float), _NO_RESISTANCE), height, weight,
                             bsa_equation, age)
        secretion = np.asarray(unlimited[3], dtype=float)
        p_air = np.exp(_ANTOINE_A - _ANTOINE_B / (np.asarray(tdb, dtype=float) + _ANTOINE_C)) * np.asarray(rh) / 100.0
        p_skin = np.exp(_ANTOINE_A - _ANTOINE_B / (np.asarray(t_skin, dtype=float) + _ANTOINE_C))
        condensing = p_skin <= p_air
        below_capacity = ~condensing & (wet < 1.0)
        if not np.allclose(secretion[below_capacity], e_sweat[below_capacity], rtol=1e-6, atol=1e-6):
            raise RuntimeError("pythermalcomfort's JOS-3 evaporation no longer matches lightdose's reading of it")
        secreted.append(secretion)
        wet = np.where(condensing, 1.0, wet)
        e_sk = np.where(condensing, np.minimum(e_max, 0.0), e_sk)
        e_sweat = np.where(condensing, 0.0, e_sweat)
        return wet, e_sk, e_max, e_sweat

    jos3.threg.evaporation = bounded
    try:
        yield
    finally:
        jos3.threg.evaporation = original


def _run_phase(model: Any, seconds: float) -> None:
    """Step `model` through `seconds` [s] in one-minute steps, the last one shorter if needed."""
    whole = int(seconds // STEP_S)
    if whole:
        model.simulate(times=whole, dtime=STEP_S)
    remainder = seconds - whole * STEP_S
    if remainder > 1e-9:
        model.simulate(times=1, dtime=remainder)


def simulate_sauna(session: SaunaRequest) -> SaunaResult:
    """Simulate `session` with JOS-3 in one-minute steps, from thermal neutrality at t = 0.

    The result's Dataset is over time ``t`` [s] with ``core_temp`` (rectal: JOS-3's pelvis core) [°C],
    ``central_blood_temp`` (JOS-3's central blood pool) [°C], ``mean_skin_temp`` [°C], ``skin_blood_flow`` and
    ``cardiac_output`` [L/min] (segmental skin blood flow capped at the parameter set's limit unless
    ``cap_skin_blood_flow`` is false), ``skin_latent_heat_loss`` (evaporation minus condensation) [W],
    ``sweat_loss`` (cumulative secreted sweat) and ``sweat_evaporated`` [g], and ``in_cabin`` (bool).
    """
    from pythermalcomfort.models import JOS3

    p = session.person
    params = session.parameters.resolve()
    max_flow = params["sauna.max_skin_blood_flow [L/min]"]
    max_output = params["sauna.max_cardiac_output [L/min]"]
    secreted: list[np.ndarray] = []
    with _JOS3_PATCH_LOCK:
        model = JOS3(height=p.height / 1000.0, weight=p.weight, fat=100.0 * p.body_fat, age=p.age, sex=p.sex)
        model.posture = session.posture
        model.par = 1.2  # physical activity ratio of sitting quietly (pythermalcomfort JOS3.par docstring)
        model.clo = 0.0
        model.v = session.air_speed
        model.tdb = session.air_temperature
        model.tr = session.radiant_temperature
        model.rh = 100.0 * session.relative_humidity
        with (_skin_blood_flow_cap(max_flow if session.cap_skin_blood_flow else None),
              _evaporation_bounded_by_vapour_pressure(secreted)):
            _run_phase(model, session.exposure)
            if session.after > 0.0:
                model.v = 0.1
                model.to = session.rest_air_temperature
                model.rh = 100.0 * session.rest_relative_humidity
                _run_phase(model, session.after)

    r = model.results()
    t = np.array([step.total_seconds() for step in r.simulation_time])
    if len(secreted) != t.size - 1:
        raise RuntimeError(f"JOS-3 evaluated its evaporation {len(secreted)} times in {t.size - 1} steps")
    step_s = np.diff(t, prepend=0.0)
    latent_heat = params["sauna.sweat_latent_heat [J/g]"]
    evaporated_g_s = _whole_body(r.e_sweat) / latent_heat
    evaporated_g_s[0] = 0.0  # the first record is JOS-3's neutral reference state at t = 0
    secreted_g_s = np.concatenate([[0.0], np.sum(secreted, axis=1)]) / latent_heat
    latent_w = _whole_body(r.q_skin2env_latent)
    latent_w[0] = 0.0
    sbf = (_whole_body(r.bf_skin) + 2.0 * np.asarray(r.bf_ava_hand) + 2.0 * np.asarray(r.bf_ava_foot)) / 60.0
    co = np.asarray(r.cardiac_output, dtype=float) / 60.0
    core = np.asarray(r.t_core.pelvis, dtype=float)
    ds = xr.Dataset(
        {
            "core_temp": ("t", core, {"units": "degC", "long_name": "core temperature: rectal (JOS-3 pelvis core)"}),
            "central_blood_temp": ("t", np.asarray(r.t_cb, dtype=float),
                                   {"units": "degC", "long_name": "central blood temperature (JOS-3 blood pool; "
                                    "not what the sauna studies measured)"}),
            "mean_skin_temp": ("t", np.asarray(r.t_skin_mean, dtype=float),
                               {"units": "degC", "long_name": "mean skin temperature"}),
            "skin_blood_flow": ("t", sbf, {"units": "L/min", "long_name": "whole-body skin blood flow incl. AVA "
                                           "(JOS-3; segmental flow capped unless cap_skin_blood_flow is false)",
                                           "physiological_limit": max_flow}),
            "cardiac_output": ("t", co, {"units": "L/min", "long_name": "cardiac output (JOS-3)",
                                         "physiological_limit": max_output}),
            "skin_latent_heat_loss": ("t", latent_w, {"units": "W", "long_name": "latent heat leaving the skin: "
                                                      "evaporation, negative where vapour condenses on it"}),
            "sweat_loss": ("t", np.cumsum(secreted_g_s * step_s),
                           {"units": "g", "long_name": "cumulative secreted sweat (evaporated and dripped)"}),
            "sweat_evaporated": ("t", np.cumsum(evaporated_g_s * step_s),
                                 {"units": "g", "long_name": "cumulative evaporated sweat"}),
            "in_cabin": ("t", t <= session.exposure + 1e-9),
        },
        coords={"t": ("t", t, {"units": "s", "long_name": "time since entering the cabin"})},
    )
    exceeds = bool(sbf.max() > max_flow or co.max() > max_output)
    provenance = Provenance.of(session, params.name)
    ds.attrs = {"model": "JOS-3 (Takahashi et al. 2021, Energy Build 231:110575), evaporation bounded by the vapour "
                         "pressures (lightdose)",
                "pythermalcomfort_version": version("pythermalcomfort"), "dt_s": STEP_S, **provenance.attrs()}
    return SaunaResult(request=session, dataset=ds, peak_core_temp_c=float(core.max()),
                       peak_core_rise_c=float(core.max() - core[0]),
                       peak_mean_skin_temp_c=float(ds.mean_skin_temp.max()),
                       sweat_loss_g=float(ds.sweat_loss.values[-1]),
                       sweat_evaporated_g=float(ds.sweat_evaporated.values[-1]), exceeds_physiological_limits=exceeds,
                       warnings=tuple(_warnings(session, ds, exceeds, max_flow, max_output)), provenance=provenance)


def _warnings(session: SaunaRequest, ds: xr.Dataset, exceeds: bool, max_flow: float, max_output: float) -> list[str]:
    notes = []
    hottest = max(session.air_temperature, session.radiant_temperature)
    if hottest > JOS3_VALIDATED_MAX_AIR_C:
        notes.append(f"{hottest:g} °C is outside JOS-3's validated range (air up to ~{JOS3_VALIDATED_MAX_AIR_C:g} °C):"
                     " treat the result as an extrapolation")
    if session.air_temperature >= FINNISH_SAUNA_FROM_C:
        notes.append("against Finnish-sauna measurements at 73–100 °C, JOS-3 overestimated the rise of rectal "
                     "temperature 1.2–4.4 times and the sweat rate up to 3 times (docs/sauna.md, Validation): treat "
                     "core temperature and sweat as upper estimates")
    cabin = ds.isel(t=ds.in_cabin.values)
    condensing_min = float(cabin.t.values[cabin.skin_latent_heat_loss.values < 0.0].size * STEP_S / 60.0)
    if condensing_min > 0.0 and session.vapour_pressure > 0.0:
        notes.append(f"for {condensing_min:g} min in the cabin the skin was below the air's dew point "
                     f"({dew_point(session.vapour_pressure):.1f} °C): vapour condensed on it, heating it, and no sweat "
                     "evaporated")
    skin = cabin.mean_skin_temp.values
    if skin.max() > MEASURED_MAX_SKIN_C:
        minute = float(cabin.t.values[int(np.argmax(skin > MEASURED_MAX_SKIN_C))]) / 60.0
        notes.append(f"mean skin temperature passes {MEASURED_MAX_SKIN_C:g} °C (minute {minute:g}; peak "
                     f"{skin.max():.1f} °C), above the 40–41 °C measured in Finnish saunas (Leppäluoto 1988): JOS-3 "
                     "takes up more heat than bathers do here, so its core temperature and sweat are upper estimates")
    peak = float(ds.core_temp.max())
    if peak > HYPERTHERMIA_CORE_C:
        minute = float(ds.t[int(np.argmax(ds.core_temp.values))]) / 60.0
        notes.append(f"core (rectal) temperature reaches {peak:.2f} °C (minute {minute:g}): above "
                     f"{HYPERTHERMIA_CORE_C:g} °C is significant hyperthermia; shorten the session or lower the "
                     "temperature")
    if exceeds:
        notes.append(
            f"JOS-3 skin blood flow (peak {float(ds.skin_blood_flow.max()):.1f} L/min) or cardiac output (peak "
            f"{float(ds.cardiac_output.max()):.1f} L/min) exceeds physiological limits (~{max_flow:g} and "
            f"~{max_output:g} L/min, Rowell)"
            + (": lightdose caps the segmental skin blood flow; the cardiovascular load is at its limit"
               if session.cap_skin_blood_flow else
               ": uncapped JOS-3 overestimates the heat carried by the skin and the cardiovascular load"))
    if hottest >= SAUNA_CAUTIONS_FROM_C:
        notes.extend(CAUTIONS)
    return notes


__all__ = ["MEASURED_MAX_SKIN_C", "SaunaPerson", "SaunaRequest", "SaunaResult", "dew_point", "max_relative_humidity",
           "radiant_temperature", "saturation_vapour_pressure", "simulate_sauna"]
