"""Calibration of the perfusion model to published local-heating data (Minson, Berry & Joyner 2001; Brunt et al.
2016; Johnson & Kellogg 2010; Roustit & Cracowski 2012).

Protocol of the data: a laser-Doppler probe holder heats forearm skin from 33 °C at 0.1 °C/s to the target
temperature and holds it (Minson, Berry & Joyner 2001, J Appl Physiol 91:1619). Read-outs of a simulated run:
the **initial peak** (maximum in the first 10 min, and its time; with a block, the value at the time of the
unblocked run's peak), the **nadir** (minimum between the peak and 20 min) and the **plateau** (mean over
25–35 min). Targets, as mean ± SD [% CVCmax]:

==========================  ============  ===========================================================
read-out                    target        source
==========================  ============  ===========================================================
42 °C initial peak          75 ± 3        Minson 2001
42 °C plateau               87 ± 4        Minson 2001
EMLA, initial peak          32 ± 2        Minson 2001 (axon-reflex block)
EMLA, plateau               87 ± 4        Minson 2001 ("did not affect the plateau")
L-NAME, initial peak        56 ± 3        Minson 2001 (NOS inhibition)
L-NAME, plateau             40 ± 5        Minson 2001
EMLA + L-NAME, peak         32 ± 2        Minson 2001 ("not further reduced" compared with EMLA alone)
time of the initial peak    4 ± 1 min     Minson 2001; Roustit & Cracowski 2012 (peak within ~3–5 min)
39 °C plateau               45 ± 5        Brunt et al. 2016 (42 ± 6 %; 45 ± 5 is lightdose's reading)
43.5 °C plateau             100 ± 5       Johnson & Kellogg 2010 (near maximal at 42–44 °C; ± 5 lightdose's)
==========================  ============  ===========================================================

plus two shape conditions from Minson's description ("a brief nadir, and a secondary, progressive rise to a
plateau"): the nadir lies at least :data:`MIN_NADIR_DEPTH` below the initial peak, and the 25–35 min mean is
within :data:`PLATEAU_SETTLED` of the model's steady state at 42 °C (the plateau is reached, not still rising).

The fit (:func:`fit`, weighted least squares, residual/SD) adjusts the ten parameters of the plateau curve, the
pathway shares and the rise time constants; recovery time constants are set equal to the rise ones (no recovery
data in these studies), and the die-away and light-term parameters
keep their documented assumptions.
``tools/fit_perfusion_parameters.py`` runs it and writes the fitted values into the default parameter set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import least_squares

from lightdose.physiology.perfusion import (
    THERMONEUTRAL_C,
    PerfusionModifiers,
    PerfusionParameters,
    simulate_perfusion,
    steady_state_pct_max,
)

Readout = Literal["peak", "peak_time_min", "plateau"]

RAMP_C_PER_S = 0.1
"""Heating rate of the standard local-heating protocol [°C/s]."""
PROTOCOL_S = 40 * 60.0
"""Length of a simulated protocol [s]."""
STEP_S = 5.0
PLATEAU_WINDOW_S = (25 * 60.0, 35 * 60.0)
PEAK_WINDOW_S = 10 * 60.0
NADIR_END_S = 20 * 60.0
MIN_NADIR_DEPTH = 5.0
"""Least drop [% CVCmax] from the initial peak to the nadir (the nadir must be visible)."""
PLATEAU_SETTLED = 1.0
"""Largest gap [% CVCmax] between the 25–35 min mean and the steady state at 42 °C (the plateau is reached)."""

FITTED = ("plateau_amplitude_pct_max", "plateau_half_rise_k", "plateau_hill", "no_share", "tau_thermal_s",
          "tau_no_s", "axon_gain_pct_max_per_k", "tau_axon_rise_s", "tau_axon_adapt_s", "axon_no_share")
"""Parameters adjusted by :func:`fit`."""
RECOVERY_EQUALS_RISE = {"tau_thermal_off_s": "tau_thermal_s", "tau_no_off_s": "tau_no_s"}


@dataclass(frozen=True)
class Condition:
    """A local-heating experiment: hold temperature [°C] and the blocks applied."""

    temperature_c: float = 42.0
    local_anaesthetic: bool = False
    nos_inhibition: bool = False


@dataclass(frozen=True)
class Target:
    """A published read-out of a local-heating experiment, mean ± SD."""

    name: str
    condition: Condition
    readout: Readout
    value: float
    sd: float
    source: str


MINSON = "Minson, Berry & Joyner 2001, J Appl Physiol 91:1619"
EMLA = Condition(local_anaesthetic=True)
LNAME = Condition(nos_inhibition=True)
TARGETS = (
    Target("42 °C initial peak", Condition(), "peak", 75.0, 3.0, MINSON),
    Target("42 °C plateau", Condition(), "plateau", 87.0, 4.0, MINSON),
    Target("EMLA initial peak", EMLA, "peak", 32.0, 2.0, MINSON),
    Target("EMLA plateau", EMLA, "plateau", 87.0, 4.0, MINSON),
    Target("L-NAME initial peak", LNAME, "peak", 56.0, 3.0, MINSON),
    Target("L-NAME plateau", LNAME, "plateau", 40.0, 5.0, MINSON),
    Target("EMLA + L-NAME initial peak", Condition(local_anaesthetic=True, nos_inhibition=True), "peak", 32.0, 2.0,
           MINSON),
    Target("time of the initial peak [min]", Condition(), "peak_time_min", 4.0, 1.0,
           "Minson 2001; Roustit & Cracowski 2012, Microcirculation 19:47"),
    Target("39 °C plateau", Condition(temperature_c=39.0), "plateau", 45.0, 5.0,
           "Brunt et al. 2016, J Appl Physiol 121:716 (42 ± 6 %; 45 ± 5: lightdose)"),
    Target("43.5 °C plateau", Condition(temperature_c=43.5), "plateau", 100.0, 5.0,
           "Johnson & Kellogg 2010, J Appl Physiol 109:1229 (SD: lightdose)"),
)


def heating_protocol(temperature_c: float, duration_s: float = PROTOCOL_S,
                     step_s: float = STEP_S) -> tuple[np.ndarray, np.ndarray]:
    """Times [s] and heater temperature [°C]: 33 °C, then a 0.1 °C/s ramp to `temperature_c`, held."""
    t = np.arange(0.0, duration_s + step_s / 2, step_s)
    return t, np.minimum(THERMONEUTRAL_C + RAMP_C_PER_S * t, temperature_c)


def readouts(t: np.ndarray, perfusion: np.ndarray, peak_time_s: float | None = None) -> dict[str, float]:
    """Initial peak, its time [min], nadir and plateau [% CVCmax] of a local-heating response.

    The initial peak is the maximum in the first 10 min, or, given `peak_time_s`, the value at that time (how
    the "initial peak" of a blocked axon reflex is read: at the time of the control's peak).
    """
    if peak_time_s is None:
        i_peak = int(np.argmax(np.where(t <= PEAK_WINDOW_S, perfusion, -np.inf)))
    else:
        i_peak = int(np.argmin(np.abs(t - peak_time_s)))
    after_peak = (t >= t[i_peak]) & (t <= NADIR_END_S)
    window = (t >= PLATEAU_WINDOW_S[0]) & (t <= PLATEAU_WINDOW_S[1])
    return {"peak": float(perfusion[i_peak]), "peak_time_min": float(t[i_peak] / 60.0),
            "nadir": float(perfusion[after_peak].min()), "plateau": float(perfusion[window].mean())}


def simulate_condition(parameters: PerfusionParameters, condition: Condition) -> dict[str, float]:
    """The read-outs of the model for one experiment (blocked runs read at the unblocked run's peak time)."""
    t, temperature = heating_protocol(condition.temperature_c)

    def run(local_anaesthetic: bool, nos_inhibition: bool) -> np.ndarray:
        modifiers = PerfusionModifiers(local_anaesthetic=local_anaesthetic, nos_inhibition=nos_inhibition)
        perfusion: np.ndarray = simulate_perfusion(t, temperature, parameters, modifiers).perfusion_pct_max.values
        return perfusion

    control = readouts(t, run(False, False))
    if not (condition.local_anaesthetic or condition.nos_inhibition):
        return control
    return readouts(t, run(condition.local_anaesthetic, condition.nos_inhibition),
                    peak_time_s=60.0 * control["peak_time_min"])


def predict(parameters: PerfusionParameters) -> list[tuple[Target, float]]:
    """Each calibration target with the model's value."""
    cache: dict[Condition, dict[str, float]] = {}
    out = []
    for target in TARGETS:
        if target.condition not in cache:
            cache[target.condition] = simulate_condition(parameters, target.condition)
        out.append((target, cache[target.condition][target.readout]))
    return out


def shape_checks(parameters: PerfusionParameters) -> dict[str, float]:
    """At 42 °C: the drop from the initial peak to the nadir, and steady state − 25–35 min mean [% CVCmax]."""
    r = simulate_condition(parameters, Condition())
    steady = float(steady_state_pct_max(42.0, parameters))
    return {"nadir_depth": r["peak"] - r["nadir"], "plateau_unsettled": steady - r["plateau"]}


def with_values(parameters: PerfusionParameters, values: dict[str, float]) -> PerfusionParameters:
    """`parameters` with `values` set, recovery time constants following the rise ones."""
    update = dict(values)
    for off, on in RECOVERY_EQUALS_RISE.items():
        update[off] = update.get(on, getattr(parameters, on))
    return parameters.model_copy(update=update)


def _residuals(log_values: np.ndarray, start: PerfusionParameters) -> np.ndarray:
    params = with_values(start, dict(zip(FITTED, np.exp(log_values), strict=True)))
    res = [(value - target.value) / target.sd for target, value in predict(params)]
    shape = shape_checks(params)
    res.append(max(0.0, MIN_NADIR_DEPTH - shape["nadir_depth"]))
    res.append(max(0.0, abs(shape["plateau_unsettled"]) - PLATEAU_SETTLED))
    return np.array(res)


def cost(parameters: PerfusionParameters) -> float:
    """The fit's cost Σr²/2 of `parameters` (residuals: each target's deviation in SDs, and the shape conditions)."""
    x = np.log([getattr(parameters, name) for name in FITTED])
    return 0.5 * float(np.sum(_residuals(x, parameters) ** 2))


def fit(start: PerfusionParameters) -> tuple[PerfusionParameters, float]:
    """Weighted least-squares fit of :data:`FITTED` from `start` (in log space, each within a factor 100 of its
    start, shares ≤ 1); returns the parameters and the cost Σr²/2."""
    x0 = np.log([getattr(start, name) for name in FITTED])
    shares = np.array([name.endswith("share") for name in FITTED])
    lo, hi = x0 - np.log(100.0), np.where(shares, 0.0, x0 + np.log(100.0))  # within ×100 of the start; shares ≤ 1
    result = least_squares(_residuals, np.minimum(x0, hi), args=(start,), bounds=(lo, hi), x_scale=1.0,
                           diff_step=1e-3)  # type: ignore[arg-type]  # scipy-stubs want an array; scipy takes a scalar
    return with_values(start, dict(zip(FITTED, np.exp(result.x), strict=True))), float(result.cost)
