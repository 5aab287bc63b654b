"""Whole-body response to a sauna session: JOS-3 (Takahashi et al. 2021, Energy Build 231:110575) via
pythermalcomfort.

A :class:`SaunaRequest` (cabin air, radiant temperature, humidity, air speed, `exposure` in the cabin, `after` it at
rest, the person) goes in; :func:`simulate_sauna` steps JOS-3 in one-minute steps and returns a :class:`SaunaResult`:
an ``xarray.Dataset`` of core, rectal and mean skin temperature, skin blood flow, cardiac output and cumulative sweat
loss over time, and its summary figures.

JOS-3 is a population model of a healthy adult. It has no upper limit on skin blood flow and overestimates
cardiac output in hot rooms, and it is unvalidated above ~50 °C air (Takahashi et al. 2021 validated it against
indoor climates): the result flags both, and carries the safety cautions that apply in its `warnings`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Annotated, Any, Literal

import numpy as np
import xarray as xr
from pydantic import Field

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
    temperature; :meth:`from_cabin` derives it from a cabin preset's emitters."""

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

    @property
    def radiant_temperature(self) -> float:
        """Mean radiant temperature in the cabin [°C] (the air temperature unless given)."""
        return self.air_temperature if self.mean_radiant_temperature is None else self.mean_radiant_temperature

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
    """The whole body over the session and the rest after it (`dataset` over ``t`` [s]) and its summary figures."""

    request: SaunaRequest
    dataset: xr.Dataset
    peak_core_temp_c: float
    peak_core_rise_c: float
    peak_rectal_temp_c: float
    peak_mean_skin_temp_c: float
    sweat_loss_g: float
    """Evaporated sweat over the whole run [g]."""
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

    The result's Dataset is over time ``t`` [s] with ``core_temp`` (central blood) [°C], ``rectal_temp`` (pelvis
    core) [°C], ``mean_skin_temp`` [°C], ``skin_blood_flow`` and ``cardiac_output`` [L/min] (segmental skin blood
    flow capped at the parameter set's limit unless ``cap_skin_blood_flow`` is false), ``sweat_loss`` (cumulative
    evaporated sweat) [g] and ``in_cabin`` (bool).
    """
    from pythermalcomfort.models import JOS3

    p = session.person
    model = JOS3(height=p.height / 1000.0, weight=p.weight, fat=100.0 * p.body_fat, age=p.age, sex=p.sex)
    model.posture = session.posture
    model.par = 1.2  # physical activity ratio of sitting quietly (pythermalcomfort JOS3.par docstring)
    model.clo = 0.0
    model.v = session.air_speed
    model.tdb = session.air_temperature
    model.tr = session.radiant_temperature
    model.rh = 100.0 * session.relative_humidity
    params = session.parameters.resolve()
    max_flow = params["sauna.max_skin_blood_flow [L/min]"]
    max_output = params["sauna.max_cardiac_output [L/min]"]
    with _skin_blood_flow_cap(max_flow if session.cap_skin_blood_flow else None):
        _run_phase(model, session.exposure)
        if session.after > 0.0:
            model.v = 0.1
            model.to = session.rest_air_temperature
            model.rh = 100.0 * session.rest_relative_humidity
            _run_phase(model, session.after)

    r = model.results()
    t = np.array([step.total_seconds() for step in r.simulation_time])
    step_s = np.diff(t, prepend=0.0)
    sweat_rate_g_s = _whole_body(r.e_sweat) / params["sauna.sweat_latent_heat [J/g]"]
    sweat_rate_g_s[0] = 0.0  # the first record is JOS-3's neutral reference state at t = 0
    sbf = (_whole_body(r.bf_skin) + 2.0 * np.asarray(r.bf_ava_hand) + 2.0 * np.asarray(r.bf_ava_foot)) / 60.0
    co = np.asarray(r.cardiac_output, dtype=float) / 60.0
    core = np.asarray(r.t_cb, dtype=float)
    ds = xr.Dataset(
        {
            "core_temp": ("t", core, {"units": "degC", "long_name": "core (central blood) temperature"}),
            "rectal_temp": ("t", np.asarray(r.t_core.pelvis, dtype=float),
                            {"units": "degC", "long_name": "rectal temperature (JOS-3 pelvis core)"}),
            "mean_skin_temp": ("t", np.asarray(r.t_skin_mean, dtype=float),
                               {"units": "degC", "long_name": "mean skin temperature"}),
            "skin_blood_flow": ("t", sbf, {"units": "L/min", "long_name": "whole-body skin blood flow incl. AVA "
                                           "(JOS-3; segmental flow capped unless cap_skin_blood_flow is false)",
                                           "physiological_limit": max_flow}),
            "cardiac_output": ("t", co, {"units": "L/min", "long_name": "cardiac output (JOS-3)",
                                         "physiological_limit": max_output}),
            "sweat_loss": ("t", np.cumsum(sweat_rate_g_s * step_s),
                           {"units": "g", "long_name": "cumulative evaporated sweat"}),
            "in_cabin": ("t", t <= session.exposure + 1e-9),
        },
        coords={"t": ("t", t, {"units": "s", "long_name": "time since entering the cabin"})},
    )
    exceeds = bool(sbf.max() > max_flow or co.max() > max_output)
    provenance = Provenance.of(session, params.name)
    ds.attrs = {"model": "JOS-3 (Takahashi et al. 2021, Energy Build 231:110575)",
                "pythermalcomfort_version": version("pythermalcomfort"), "dt_s": STEP_S, **provenance.attrs()}
    return SaunaResult(request=session, dataset=ds, peak_core_temp_c=float(core.max()),
                       peak_core_rise_c=float(core.max() - core[0]),
                       peak_rectal_temp_c=float(ds.rectal_temp.max()),
                       peak_mean_skin_temp_c=float(ds.mean_skin_temp.max()),
                       sweat_loss_g=float(ds.sweat_loss.values[-1]), exceeds_physiological_limits=exceeds,
                       warnings=tuple(_warnings(session, ds, exceeds, max_flow, max_output)), provenance=provenance)


def _warnings(session: SaunaRequest, ds: xr.Dataset, exceeds: bool, max_flow: float, max_output: float) -> list[str]:
    notes = []
    hottest = max(session.air_temperature, session.radiant_temperature)
    if hottest > JOS3_VALIDATED_MAX_AIR_C:
        notes.append(f"{hottest:g} °C is outside JOS-3's validated range (air up to ~{JOS3_VALIDATED_MAX_AIR_C:g} °C):"
                     " treat the result as an extrapolation")
    peak = float(ds.core_temp.max())
    if peak > HYPERTHERMIA_CORE_C:
        minute = float(ds.t[int(np.argmax(ds.core_temp.values))]) / 60.0
        notes.append(f"core temperature reaches {peak:.2f} °C (minute {minute:g}): above {HYPERTHERMIA_CORE_C:g} °C "
                     "is significant hyperthermia; shorten the session or lower the temperature")
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


__all__ = ["SaunaPerson", "SaunaRequest", "SaunaResult", "radiant_temperature", "simulate_sauna"]
