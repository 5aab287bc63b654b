"""Local skin perfusion as a laser-Doppler probe records it, driven by the local skin temperature over time.

Perfusion P is expressed as a percentage of maximal cutaneous vascular conductance (% CVCmax, the unit of the
local-heating literature); given a resting laser-Doppler reading it converts to perfusion units (PU), assuming
PU ∝ CVC at constant arterial pressure. The model (lightdose's; structure from the physiology reviewed by Johnson
& Kellogg 2010, J Appl Physiol 109:1229, and Roustit & Cracowski 2012, Microcirculation 19:47) adds, to a resting
value P_rest at a thermoneutral local skin temperature of 33 °C, four pathways:

- **axon reflex** (sensory nerves, fast, transient): a drive g·(T − 33 °C)⁺ passed through a band-pass (a rise
  stage with time constant τ_rise and an adaptation stage τ_adapt; the output is their difference, ≥ 0), so it
  answers a *rising* temperature with a peak a few minutes in and fades while the temperature is held; a share
  of it is NO-dependent (NOS inhibition cut the initial peak from 75 to 56 % in Minson, Berry & Joyner 2001,
  J Appl Physiol 91:1619);
- **thermal, NO-independent** (first order, τ_thermal) and **NO-dependent plateau** (three first-order stages in
  series, τ_NO each: NO synthesis lags, so the plateau builds over 20–30 min); both approach a steady value
  (1 − s_NO)·A·h(T) and s_NO·A·h(T), with h(T) = ΔT^n/(ΔT^n + K^n), ΔT = (T − 33 °C)⁺;
- **die-away**: after ~45–60 min of sustained vasodilation the NO pathway slowly fades (Roustit & Cracowski
  2012; NOS-dependent). An accumulator s integrates the NO activation a (the NO output relative to its largest
  value; a ≈ 0.70 at 42 °C), forgetting with τ_recovery (ds/dt = a − s/τ_recovery, in seconds); the NO output is
  scaled by 1 − D·(1 − exp(−(s − s_onset)⁺/s_span)). D, s_onset, s_span and τ_recovery are lightdose assumptions
  chosen so that in the calibration protocol at 42 °C the decline starts after ~55 min (inside Roustit &
  Cracowski's 45–60 min) and has taken ~6 % of max by 90 min (no quantitative source was found) [verify];
- **light-driven NO (optional, off by default)**: a small non-thermal term L_max·E/(E + E_half) with time
  constant τ_light, E the skin irradiance (lightdose assumption, no primary source located: 890 nm at 5 mW/cm²
  raising flow for ≤ 20 min after exposure). Weak evidence: off unless asked for, labelled wherever it is used.

The sum is capped at 100 %. Every stage relaxes to its drive with its rise time constant when the drive is above
it and with its recovery time constant (`*_off_s`) when below, so the recovery after the stimulus ends has its
own explicit time constants.

Modifiers: diabetic neuropathy scales the axon reflex by ``neuropathy.axon_reflex_factor`` (heat-evoked flare area
1.3 vs 5.5 cm², Krishnan & Rayman 2004, Diabetes Care 27:2930) and the thermal and NO pathways by
``neuropathy.plateau_factor`` (peak forearm blood flow during whole-body heating 9.0 vs 13.1 ml/100 ml/min,
Sokolnicki et al. 2009, J Appl Physiol 106:566; used for local heating: lightdose assumption); a local anaesthetic
(EMLA) removes the axon reflex; NOS inhibition
(L-NAME) removes the NO pathway and the NO-dependent share of the axon reflex. Both blocks are modelled as complete
blocks of their pathway; what remains comes from the other pathways (which is how the calibration reproduces the
residual flows of Minson 2001).

Parameters come from the parameter set (``perfusion.*`` and ``neuropathy.*`` keys of
``lightdose/data/parameters/default.yaml``); the fitted ones are calibrated by :mod:`lightdose.physiology.calibration`
(``tools/fit_perfusion_parameters.py`` writes them). Below 33 °C the model stays at P_rest (no cold vasoconstriction).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from numba import njit
from numpy.typing import ArrayLike, NDArray
from pydantic import Field

from lightdose import __version__
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterSet, default_set
from lightdose.units import mw_cm2

THERMONEUTRAL_C = 33.0
"""Local skin temperature [°C] at which perfusion is at rest: the start of the local-heating protocols (Minson 2001)
and the zero of the model's drives."""
MAX_SUBSTEP_S = 5.0
"""Longest internal integration step [s]; longer steps are subdivided (time constants are ≥ ~1 min)."""
N_STATES = 8
"""State variables per site: thermal, NO stages 1–3, axon rise, axon adaptation, die-away accumulator, light NO."""


class PerfusionParameters(FrozenModel):
    """Parameters of the local perfusion model (percentages are % of maximal CVC, times in s); the values come from
    the parameter set (:meth:`from_set`, keys in :data:`PARAMETER_KEYS`)."""

    resting_pct_max: float = Field(gt=0.0, lt=100.0, description="% CVCmax at 33 °C")
    plateau_amplitude_pct_max: float = Field(gt=0.0, le=300.0, description="thermal + NO plateau rise as h → 1")
    plateau_half_rise_k: float = Field(gt=0.0, le=20.0, description="K: ΔT above 33 °C of half the plateau rise")
    plateau_hill: float = Field(ge=1.0, le=30.0, description="Hill exponent n of h(T)")
    no_share: float = Field(ge=0.0, le=1.0, description="NO-dependent share of the plateau rise")
    tau_thermal_s: float = Field(gt=0.0, le=36000.0, description="rise time constant of the NO-independent path")
    tau_thermal_off_s: float = Field(gt=0.0, le=36000.0, description="its recovery time constant")
    tau_no_s: float = Field(gt=0.0, le=36000.0, description="rise time constant of each of the 3 NO stages")
    tau_no_off_s: float = Field(gt=0.0, le=36000.0, description="their recovery time constant")
    axon_gain_pct_max_per_k: float = Field(ge=0.0, le=100.0, description="g: axon-reflex drive per K above 33 °C")
    tau_axon_rise_s: float = Field(gt=0.0, le=3600.0, description="axon-reflex rise time constant")
    tau_axon_adapt_s: float = Field(gt=0.0, le=3600.0, description="axon-reflex adaptation time constant")
    axon_no_share: float = Field(ge=0.0, le=1.0, description="NO-dependent share of the axon reflex")
    die_away_fraction: float = Field(ge=0.0, le=1.0, description="D: largest loss of the NO path")
    die_away_onset_s: float = Field(ge=0.0, description="s_onset: accumulated activation [s]")
    die_away_span_s: float = Field(gt=0.0, description="s_span: e-folding of the die-away [s]")
    die_away_recovery_s: float = Field(gt=0.0, description="τ_recovery of the accumulator")
    light_no_max_pct_max: float = Field(ge=0.0, le=50.0, description="L_max (optional light term)")
    light_no_half_mw_cm2: float = Field(gt=0.0, description="E_half [mW/cm²]")
    tau_light_no_s: float = Field(gt=0.0, description="τ_light, rise and recovery")
    neuropathy_axon_reflex_factor: float = Field(ge=0.0, le=1.0, description="axon reflex with neuropathy / healthy")
    neuropathy_plateau_factor: float = Field(ge=0.0, le=1.0, description=(
        "thermal and NO paths with neuropathy / healthy"))

    @classmethod
    def from_set(cls, parameters: ParameterSet | None = None) -> PerfusionParameters:
        """The model's parameters from a parameter set (default: the default set)."""
        p = parameters or default_set()
        return cls(**{field: p[key] for field, key in PARAMETER_KEYS.items()})

    def as_array(self) -> NDArray[np.float64]:
        """The parameters in field order, for the compiled integrator."""
        return np.array([getattr(self, name) for name in type(self).model_fields], dtype=float)


PARAMETER_KEYS: dict[str, str] = {
    "resting_pct_max": "perfusion.resting [%]",
    "plateau_amplitude_pct_max": "perfusion.plateau_amplitude [%]",
    "plateau_half_rise_k": "perfusion.plateau_half_rise [K]",
    "plateau_hill": "perfusion.plateau_hill [1]",
    "no_share": "perfusion.no_share [1]",
    "tau_thermal_s": "perfusion.tau_thermal [s]",
    "tau_thermal_off_s": "perfusion.tau_thermal_off [s]",
    "tau_no_s": "perfusion.tau_no [s]",
    "tau_no_off_s": "perfusion.tau_no_off [s]",
    "axon_gain_pct_max_per_k": "perfusion.axon_gain [%/K]",
    "tau_axon_rise_s": "perfusion.tau_axon_rise [s]",
    "tau_axon_adapt_s": "perfusion.tau_axon_adapt [s]",
    "axon_no_share": "perfusion.axon_no_share [1]",
    "die_away_fraction": "perfusion.die_away_fraction [1]",
    "die_away_onset_s": "perfusion.die_away_onset [s]",
    "die_away_span_s": "perfusion.die_away_span [s]",
    "die_away_recovery_s": "perfusion.die_away_recovery [s]",
    "light_no_max_pct_max": "perfusion.light_no_max [%]",
    "light_no_half_mw_cm2": "perfusion.light_no_half [mW/cm^2]",
    "tau_light_no_s": "perfusion.tau_light_no [s]",
    "neuropathy_axon_reflex_factor": "neuropathy.axon_reflex_factor [1]",
    "neuropathy_plateau_factor": "neuropathy.plateau_factor [1]",
}
"""The parameter-set key of each field of :class:`PerfusionParameters`."""


class PerfusionModifiers(FrozenModel):
    """Conditions that change the response: disease, pharmacological blocks, the optional light term."""

    neuropathy: bool = Field(default=False, description="diabetic peripheral neuropathy (blunted reflex and plateau)")
    local_anaesthetic: bool = Field(default=False, description="topical anaesthetic (EMLA): no axon reflex")
    nos_inhibition: bool = Field(default=False, description="NO-synthase inhibition (L-NAME): no NO pathway")
    light_no: bool = Field(default=False, description="include the non-thermal light-driven NO term (weak evidence)")

    def gains(self, parameters: PerfusionParameters) -> NDArray[np.float64]:
        """Output multipliers: axon reflex, its NO-dependent share kept, thermal, NO, light."""
        neuro_ar = parameters.neuropathy_axon_reflex_factor if self.neuropathy else 1.0
        neuro_plateau = parameters.neuropathy_plateau_factor if self.neuropathy else 1.0
        no = 0.0 if self.nos_inhibition else 1.0
        return np.array([0.0 if self.local_anaesthetic else neuro_ar, no, neuro_plateau, neuro_plateau * no,
                         no if self.light_no else 0.0])


# Positions in PerfusionParameters.as_array() (field order), for the compiled integrator.
_FIELDS = list(PerfusionParameters.model_fields)
_REST = _FIELDS.index("resting_pct_max")
_AMPLITUDE = _FIELDS.index("plateau_amplitude_pct_max")
_HALF_RISE = _FIELDS.index("plateau_half_rise_k")
_HILL = _FIELDS.index("plateau_hill")
_NO_SHARE = _FIELDS.index("no_share")
_TAU_TH = _FIELDS.index("tau_thermal_s")
_TAU_TH_OFF = _FIELDS.index("tau_thermal_off_s")
_TAU_NO = _FIELDS.index("tau_no_s")
_TAU_NO_OFF = _FIELDS.index("tau_no_off_s")
_AXON_GAIN = _FIELDS.index("axon_gain_pct_max_per_k")
_TAU_AXON_RISE = _FIELDS.index("tau_axon_rise_s")
_TAU_AXON_ADAPT = _FIELDS.index("tau_axon_adapt_s")
_AXON_NO_SHARE = _FIELDS.index("axon_no_share")
_DIE_FRACTION = _FIELDS.index("die_away_fraction")
_DIE_ONSET = _FIELDS.index("die_away_onset_s")
_DIE_SPAN = _FIELDS.index("die_away_span_s")
_DIE_RECOVERY = _FIELDS.index("die_away_recovery_s")
_LIGHT_MAX = _FIELDS.index("light_no_max_pct_max")
_LIGHT_HALF = _FIELDS.index("light_no_half_mw_cm2")
_TAU_LIGHT = _FIELDS.index("tau_light_no_s")


def default_parameters() -> PerfusionParameters:
    """The model's parameters from the default parameter set (the calibrated ones and lightdose's assumptions)."""
    return PerfusionParameters.from_set(default_set())


@njit(cache=True)
def _relax(value: float, target: float, tau_on: float, tau_off: float, step: float) -> float:
    """Exact first-order relaxation towards a held `target` over `step` (rise or recovery time constant)."""
    tau = tau_on if target > value else tau_off
    return target + (value - target) * math.exp(-step / tau)


@njit(cache=True)
def _drives(temperature: float, irradiance: float, p: np.ndarray) -> tuple[float, float, float, float]:
    """Steady targets of the thermal path, the NO path, the axon-reflex drive and the light term."""
    dt = max(0.0, temperature - THERMONEUTRAL_C)
    hill = dt ** p[_HILL] / (dt ** p[_HILL] + p[_HALF_RISE] ** p[_HILL]) if dt > 0.0 else 0.0
    light = p[_LIGHT_MAX] * irradiance / (irradiance + p[_LIGHT_HALF]) if irradiance > 0.0 else 0.0
    return p[_AMPLITUDE] * (1.0 - p[_NO_SHARE]) * hill, p[_AMPLITUDE] * p[_NO_SHARE] * hill, p[_AXON_GAIN] * dt, light


@njit(cache=True)
def _initial_state(temperature: np.ndarray, irradiance: float, p: np.ndarray) -> np.ndarray:
    """The steady state at constant `temperature` [°C] (no die-away history)."""
    state = np.zeros((temperature.size, N_STATES))
    for i in range(temperature.size):
        thermal, no, axon, light = _drives(temperature[i], irradiance, p)
        state[i, 0] = thermal
        state[i, 1:4] = no
        state[i, 4:6] = axon
        state[i, 7] = light
    return state


@njit(cache=True)
def _advance(state: np.ndarray, temperature: np.ndarray, irradiance: float, dt: float, p: np.ndarray) -> None:
    """Advance every site's state in place over `dt` [s] with the drive held (sub-steps ≤ MAX_SUBSTEP_S)."""
    n_sub = max(1, math.ceil(dt / MAX_SUBSTEP_S - 1e-9))
    h = dt / n_sub
    no_full = p[_AMPLITUDE] * p[_NO_SHARE]
    for i in range(temperature.size):
        thermal, no, axon, light = _drives(temperature[i], irradiance, p)
        s = state[i]
        for _ in range(n_sub):
            s[0] = _relax(s[0], thermal, p[_TAU_TH], p[_TAU_TH_OFF], h)
            s[1] = _relax(s[1], no, p[_TAU_NO], p[_TAU_NO_OFF], h)
            s[2] = _relax(s[2], s[1], p[_TAU_NO], p[_TAU_NO_OFF], h)
            s[3] = _relax(s[3], s[2], p[_TAU_NO], p[_TAU_NO_OFF], h)
            s[4] = _relax(s[4], axon, p[_TAU_AXON_RISE], p[_TAU_AXON_RISE], h)
            s[5] = _relax(s[5], s[4], p[_TAU_AXON_ADAPT], p[_TAU_AXON_ADAPT], h)
            activation = s[3] / no_full if no_full > 0.0 else 0.0
            s[6] = _relax(s[6], p[_DIE_RECOVERY] * activation, p[_DIE_RECOVERY], p[_DIE_RECOVERY], h)
            s[7] = _relax(s[7], light, p[_TAU_LIGHT], p[_TAU_LIGHT], h)


@njit(cache=True)
def _components(state: np.ndarray, p: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """Per site: total P (capped at 100 %), axon reflex, thermal, NO (after die-away), light term [% CVCmax]."""
    out = np.empty((state.shape[0], 5))
    for i in range(state.shape[0]):
        s = state[i]
        axon = max(0.0, s[4] - s[5]) * gains[0] * (1.0 - p[_AXON_NO_SHARE] * (1.0 - gains[1]))
        die = p[_DIE_FRACTION] * (1.0 - math.exp(-max(0.0, s[6] - p[_DIE_ONSET]) / p[_DIE_SPAN]))
        no = s[3] * (1.0 - die) * gains[3]
        thermal = s[0] * gains[2]
        light = s[7] * gains[4]
        out[i, 0] = min(100.0, p[_REST] + axon + thermal + no + light)
        out[i, 1] = axon
        out[i, 2] = thermal
        out[i, 3] = no
        out[i, 4] = light
    return out


@njit(cache=True)
def _run(t: np.ndarray, temperature: np.ndarray, irradiance: np.ndarray, p: np.ndarray,
         gains: np.ndarray) -> np.ndarray:
    """Components (time, 5) for one site, from the steady state at temperature[0] without light; the drive over
    each interval is the mean of its end values (exact for piecewise-linear protocols to O(Δt²))."""
    out = np.empty((t.size, 5))
    state = _initial_state(temperature[:1], 0.0, p)
    out[0] = _components(state, p, gains)[0]
    for k in range(t.size - 1):
        mean_t = np.array([0.5 * (temperature[k] + temperature[k + 1])])
        _advance(state, mean_t, 0.5 * (irradiance[k] + irradiance[k + 1]), t[k + 1] - t[k], p)
        out[k + 1] = _components(state, p, gains)[0]
    return out


def steady_state_pct_max(temperature_c: ArrayLike, parameters: PerfusionParameters | None = None,
                         modifiers: PerfusionModifiers | None = None) -> NDArray[np.float64]:
    """Perfusion [% CVCmax] after a long hold at `temperature_c` [°C], before die-away (the plateau curve)."""
    parameters = parameters or default_parameters()
    p = parameters.as_array()
    temps = np.atleast_1d(np.asarray(temperature_c, dtype=float))
    state = _initial_state(temps, 0.0, p)
    gains = (modifiers or PerfusionModifiers()).gains(parameters)
    return _components(state, p, gains)[:, 0].reshape(np.shape(temperature_c))


class LocalPerfusion:
    """The perfusion model for an array of skin sites (e.g. the dermis nodes of a bioheat grid), stepped in time.

    Call it as a bioheat solver's perfusion response: ``model(temperature, irradiance, dt_s)`` (irradiance of the
    skin in W/mm²) returns the
    multiplier ω/ω_rest = P/P_rest for the coming step (from the history so far) and then advances the state over
    the step with the temperature held — a lagged coupling. The first call starts from the steady state at the
    temperatures it is given, without light (the skin before the session).
    """

    def __init__(self, parameters: PerfusionParameters | None = None, modifiers: PerfusionModifiers | None = None):
        self.parameters = parameters or default_parameters()
        self.modifiers = modifiers or PerfusionModifiers()
        self._p = self.parameters.as_array()
        self._gains = self.modifiers.gains(self.parameters)
        self._state: np.ndarray | None = None

    def components(self) -> NDArray[np.float64]:
        """(sites, 5): total, axon reflex, thermal, NO, light [% CVCmax] at the current state."""
        if self._state is None:
            raise RuntimeError("the model has not been started: call it with the initial temperatures first")
        return _components(self._state, self._p, self._gains)

    def __call__(self, temperature_c: np.ndarray, irradiance: float, dt_s: float) -> NDArray[np.float64]:
        temps = np.ascontiguousarray(temperature_c, dtype=float).ravel()
        if self._state is None:
            self._state = _initial_state(temps, 0.0, self._p)  # resting, before any light
        elif temps.size != self._state.shape[0]:
            raise ValueError(f"the model was started with {self._state.shape[0]} sites, got {temps.size}")
        factor = self.components()[:, 0] / self.parameters.resting_pct_max
        _advance(self._state, temps, float(mw_cm2(irradiance)), float(dt_s), self._p)
        return factor.reshape(np.shape(temperature_c))


def _series(value: ArrayLike, n: int, field: str, unit: str) -> NDArray[np.float64]:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        array = np.full(n, float(array))
    if array.shape != (n,) or not np.all(np.isfinite(array)):
        raise InputError(field, f"need one finite value [{unit}] per time point ({n}), got shape {array.shape}")
    return np.ascontiguousarray(array)


def simulate_perfusion(
    t_s: ArrayLike,
    temperature_c: ArrayLike,
    parameters: PerfusionParameters | None = None,
    modifiers: PerfusionModifiers | None = None,
    irradiance_mw_cm2: ArrayLike = 0.0,
) -> xr.Dataset:
    """Perfusion [% CVCmax] over time for a local skin temperature history (one site, one-way: no bioheat).

    `t_s` increasing times [s]; `temperature_c` the local skin temperature [°C] at those times (e.g. the heater
    of a laser-Doppler probe); `irradiance_mw_cm2` the skin irradiance (only used by the optional light term).
    Starts from the steady state at the first temperature, without light.
    """
    t = np.ascontiguousarray(np.asarray(t_s, dtype=float))
    if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise InputError("t_s", "need at least two finite, strictly increasing times [s]")
    temps = _series(temperature_c, t.size, "temperature_c", "°C")
    if temps.min() < 10.0 or temps.max() > 50.0:
        raise InputError("temperature_c", f"local skin temperatures must lie within 10…50 °C, got "
                                          f"{temps.min():.1f}…{temps.max():.1f} °C")
    light = _series(irradiance_mw_cm2, t.size, "irradiance_mw_cm2", "mW/cm²")
    if light.min() < 0:
        raise InputError("irradiance_mw_cm2", "irradiance must be ≥ 0")
    parameters = parameters or default_parameters()
    modifiers = modifiers or PerfusionModifiers()
    out = _run(t, temps, light, parameters.as_array(), modifiers.gains(parameters))
    return perfusion_dataset(t, out, temps, parameters, modifiers)


def perfusion_dataset(t: np.ndarray, components: np.ndarray, temperature: np.ndarray,
                      parameters: PerfusionParameters, modifiers: PerfusionModifiers) -> xr.Dataset:
    """A Dataset of the perfusion components (time, 5) [% CVCmax] with the driving temperature and provenance."""
    pct = {"units": "%", "long_name_suffix": "of maximal cutaneous vascular conductance"}

    def var(i: int, name: str) -> tuple[str, np.ndarray, dict[str, Any]]:
        return ("t", components[:, i], {"units": pct["units"], "long_name": f"{name}, % {pct['long_name_suffix']}"})

    return xr.Dataset(
        {
            "perfusion_pct_max": var(0, "skin perfusion"),
            "axon_reflex_pct_max": var(1, "axon-reflex component"),
            "thermal_pct_max": var(2, "NO-independent thermal component"),
            "no_pct_max": var(3, "NO-dependent component (after die-away)"),
            "light_no_pct_max": var(4, "light-driven NO component (optional, weak evidence)"),
            "temperature": ("t", temperature, {"units": "degC", "long_name": "local skin temperature (drive)"}),
        },
        coords={"t": ("t", t, {"units": "s", "long_name": "time"})},
        attrs={
            "model": "lightdose local skin perfusion (axon reflex, thermal, NO plateau, die-away)",
            "resting_pct_max": parameters.resting_pct_max,
            "parameters": parameters.model_dump_json(),
            "modifiers": modifiers.model_dump_json(),
            "light_no_term": "on (weak evidence)" if modifiers.light_no else "off",
            "lightdose_version": __version__,
        },
    )
