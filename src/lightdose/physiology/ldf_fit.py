"""Fit lightdose's local perfusion model to a laser-Doppler recording and report the fitted parameters (time
constants, gains) with their standard errors.

The model (:func:`lightdose.physiology.perfusion.simulate_perfusion`) gives perfusion P(t) in % of maximal
cutaneous vascular conductance from the local skin temperature history, here the recorded probe temperature. A
laser-Doppler reading in perfusion units is taken to be proportional to it, with the resting reading as scale:

    flux(t) = baseline_PU · P(t) / P_rest,

P_rest the model's resting value (``resting_pct_max``). The chosen model parameters and ``baseline_pu`` are fitted
by nonlinear least squares (:func:`scipy.optimize.least_squares`, trust-region reflective, within the bounds of
:class:`~lightdose.physiology.perfusion.PerfusionParameters`) to the valid flux samples; every other parameter
keeps its value in `initial` (default: the calibrated set). Parameters that must be positive are fitted as their
logarithm (so they stay positive and their scale does not matter), the others as they are. The axon-reflex
time constants are interchangeable (with the gain rescaled, see :func:`_canonical_axon`); the fit reports the
branch τ_rise ≤ τ_adapt.

Uncertainty: with the Jacobian J of the residuals with respect to the fitted variables at the solution (central
differences), the covariance is s²·(JᵀJ)⁻¹, s² = RSS/(n − k) the residual variance (n valid samples, k fitted
values); a log-fitted parameter p gets SE(p) = p·SE(log p) (delta method). These are the usual asymptotic
standard errors: they assume independent residuals of equal variance and a model that is right. Real LDF noise
is autocorrelated (vasomotion, heart beat), which makes them too small; the result reports the lag-1
autocorrelation ρ of the residuals and the AR(1) inflation factor √((1 + ρ)/(1 − ρ)) to multiply them by.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import annotated_types
import numpy as np
import xarray as xr
from pydantic import computed_field
from scipy.optimize import least_squares

from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.physiology.ldf_import import PERFUSION_UNITS, pick_channel
from lightdose.physiology.perfusion import (
    PerfusionModifiers,
    PerfusionParameters,
    default_parameters,
    simulate_perfusion,
)
from lightdose.units import parse_quantity

DEFAULT_FIT = ("tau_axon_rise_s", "tau_axon_adapt_s", "tau_no_s", "tau_no_off_s", "axon_gain_pct_max_per_k",
               "plateau_amplitude_pct_max")
"""Parameters fitted by default: the time constants of the axon reflex, of the NO plateau and of its recovery,
and the two amplitudes (with ``baseline_pu``). The plateau curve's shape (half-rise, Hill exponent) needs several
hold temperatures and stays at its calibrated value unless named."""
NOT_FITTABLE = {"resting_pct_max": "only P/P_rest enters the PU scale; fit the amplitudes and baseline_pu instead"}
JACOBIAN_STEP = 1e-4
"""Step of the central differences of the final Jacobian, in the fitted variable (log p or p)."""
MIN_TEMPERATURE_C, MAX_TEMPERATURE_C = 10.0, 50.0
"""Local skin temperatures the perfusion model accepts [°C]."""
SMALLEST_POSITIVE = 1e-300
"""Floor of a log-fitted parameter's value [its unit]: the optimiser may drive log(value) far below zero, but the
model never sees a value that underflowed to 0 (a time constant of 0 divides by zero)."""
MAX_RELATIVE_SE = 1.0
"""A fitted value whose standard error exceeds this fraction of it is *undetermined*: one SE either way spans more
than the value itself (for a log-fitted parameter, more than a factor e), so the recording does not pin it down."""


class FittedParameter(FrozenModel):
    """One fitted value with its asymptotic standard error (None when the data cannot determine it at all: a
    direction of the fit the data do not constrain)."""

    name: str
    value: float
    standard_error: float | None
    units: str
    initial: float
    log_scale: bool
    """Fitted as log(value) (positive parameters); the SE is then value·SE(log value)."""

    @property
    def relative_standard_error(self) -> float | None:
        """SE / |value| (None without an SE; infinite for a value of 0)."""
        if self.standard_error is None:
            return None
        return self.standard_error / abs(self.value) if self.value else math.inf

    @computed_field  # type: ignore[prop-decorator]
    @property
    def determined(self) -> bool:
        """Whether the recording determines the value: it has a standard error of at most
        :data:`MAX_RELATIVE_SE` times the value. Otherwise the value is no estimate ("undetermined")."""
        relative = self.relative_standard_error
        return relative is not None and relative <= MAX_RELATIVE_SE


class LdfFit(FrozenModel):
    """A fit of the perfusion model to one flux channel of a recording."""

    flux_channel: str
    temperature_channel: str
    window_start_s: float
    window_end_s: float
    fitted: list[FittedParameter]
    """``baseline_pu`` (unless held) and then the model parameters, in the order asked for."""
    parameters: PerfusionParameters
    """The full parameter set: the fitted values and the held ones."""
    modifiers: PerfusionModifiers
    baseline_pu: float
    n_samples: int
    degrees_of_freedom: int
    residual_sd_pu: float
    r_squared: float
    residual_lag1_autocorrelation: float
    se_inflation_ar1: float
    correlation: list[list[float]]
    """Correlation matrix of the fitted values (order of `fitted`); |r| near 1 flags parameters that trade off."""
    success: bool
    message: str
    n_evaluations: int

    def value(self, name: str) -> float:
        return self._get(name).value

    def standard_error(self, name: str) -> float | None:
        return self._get(name).standard_error

    def _get(self, name: str) -> FittedParameter:
        for item in self.fitted:
            if item.name == name:
                return item
        raise InputError("name", f"{name!r} was not fitted; fitted: {', '.join(f.name for f in self.fitted)}")


def parameter_units(name: str) -> str:
    """The unit of a model parameter or of ``baseline_pu``, from its name."""
    for suffix, unit in (("_pct_max_per_k", "%/K"), ("_pct_max", "%"), ("_mw_cm2", "mW/cm^2"), ("_pu", "PU"),
                         ("_k", "K"), ("_s", "s")):
        if name.endswith(suffix):
            return unit
    return "1"


def _bounds(name: str) -> tuple[float, float]:
    lower, upper = -math.inf, math.inf
    for item in PerfusionParameters.model_fields[name].metadata:
        if isinstance(item, annotated_types.Gt | annotated_types.Ge):
            lower = float(item.gt if isinstance(item, annotated_types.Gt) else item.ge)
        if isinstance(item, annotated_types.Lt | annotated_types.Le):
            upper = float(item.lt if isinstance(item, annotated_types.Lt) else item.le)
            if isinstance(item, annotated_types.Lt):
                upper = math.nextafter(upper, -math.inf)
    return lower, upper


def model_flux(t_s: Any, temperature_c: Any, parameters: PerfusionParameters, baseline_pu: float,
               modifiers: PerfusionModifiers | None = None) -> np.ndarray:
    """flux(t) = baseline_pu · P(t)/P_rest [PU] for a local temperature history (the fit's model)."""
    ds = simulate_perfusion(t_s, temperature_c, parameters, modifiers)
    return baseline_pu * ds.perfusion_pct_max.values / parameters.resting_pct_max


def fit_recording(ds: xr.Dataset, flux_channel: str | None = None, temperature_channel: str | None = None,
                  parameters: Sequence[str] = DEFAULT_FIT, *, initial: PerfusionParameters | None = None,
                  modifiers: PerfusionModifiers | None = None, baseline_pu: float | None = None,
                  window: Any = None, max_evaluations: int = 2000,
                  progress: Callable[[int], None] | None = None) -> LdfFit:
    """Fit the perfusion model to a recording: flux(t) = baseline_pu · P(t)/P_rest, P driven by the temperature.

    - `flux_channel`: the laser-Doppler channel (default: the first in PU/AU); its missing samples are skipped.
    - `temperature_channel`: the local skin (probe) temperature (default: the first in degC); missing samples
      are interpolated linearly from their neighbours.
    - `parameters`: names of :class:`PerfusionParameters` fields to fit (default :data:`DEFAULT_FIT`).
    - `initial`: starting values and held values (default :func:`default_parameters`); `modifiers`: e.g.
      ``PerfusionModifiers(neuropathy=True)``.
    - `baseline_pu`: hold the resting flux at this value instead of fitting it (fitted by default, starting from
      the mean flux while the model rests).
    - `window`: ``(start, end)`` in s (or with units) of the samples to fit; default: the whole recording. The
      model starts from its steady state at the window's first temperature.
    - `progress`: called with the number of model evaluations so far after each one (a progress display).

    Returns an :class:`LdfFit`: each fitted value with its standard error (module docstring), the residual SD,
    R², the residuals' lag-1 autocorrelation and AR(1) SE inflation, and the correlation matrix.
    """
    flux_name = pick_channel(ds, flux_channel, "flux_channel", PERFUSION_UNITS, "perfusion")
    temp_name = pick_channel(ds, temperature_channel, "temperature_channel", frozenset({"degC"}), "temperature")
    names = _fitted_names(parameters)
    start = initial or default_parameters()
    modifiers = modifiers or PerfusionModifiers()
    t, flux, temperature = _fit_samples(ds, flux_name, temp_name, window)
    valid = np.isfinite(flux)
    y = flux[valid]
    k_total = len(names) + (baseline_pu is None)
    if y.size <= k_total + 1:
        raise InputError("flux_channel", f"{flux_name!r} has {y.size} valid samples; need more than {k_total + 1}")

    log_scale, lower, upper, x0, initial_values = _variables(names, start)
    if baseline_pu is None:
        resting = simulate_perfusion(t, temperature, start, modifiers).perfusion_pct_max.values
        at_rest = valid & (resting <= 1.01 * start.resting_pct_max)
        guess = float(np.mean(flux[at_rest])) if at_rest.any() else float(np.min(y))
        if not guess > 0.0:
            raise InputError("flux_channel", f"the resting flux of {flux_name!r} is {guess:g}; it must be positive")
        names_all = ["baseline_pu", *names]
        log_scale, lower, upper = [True, *log_scale], [-math.inf, *lower], [math.inf, *upper]
        x0, initial_values = [math.log(guess), *x0], [guess, *initial_values]
    else:
        if not (isinstance(baseline_pu, int | float) and math.isfinite(baseline_pu) and baseline_pu > 0):
            raise InputError("baseline_pu", f"must be a positive number of PU, got {baseline_pu!r}")
        names_all = names
    is_log = np.array(log_scale)
    lo_arr, hi_arr = np.array(lower), np.array(upper)
    x_start = np.clip(np.array(x0), lo_arr, hi_arr)

    def natural(x: np.ndarray) -> np.ndarray:
        """The parameters' values from the fitted variables (log value or value)."""
        return np.where(is_log, np.maximum(np.exp(x), SMALLEST_POSITIVE), x)

    def unpack(x: np.ndarray) -> tuple[PerfusionParameters, float]:
        update = dict(zip(names_all, natural(x).tolist(), strict=True))
        base = update.pop("baseline_pu", baseline_pu)
        return start.model_copy(update=update), float(base)

    evaluations = 0

    def residuals(x: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        p, base = unpack(x)
        residual = model_flux(t, temperature, p, base, modifiers)[valid] - y
        evaluations += 1
        if progress is not None:
            progress(evaluations)
        return residual

    def solve(x_init: np.ndarray) -> Any:
        return least_squares(residuals, x_init, bounds=(lo_arr, hi_arr), method="trf", x_scale="jac",
                             max_nfev=max_evaluations)

    solution = solve(x_start)
    solver_evaluations = int(solution.nfev)
    swapped = _canonical_axon(solution.x, names_all, lo_arr, hi_arr)
    if swapped is not None:  # the mirror-image minimum, polished: the convention τ_rise ≤ τ_adapt
        solution = solve(swapped)
        solver_evaluations += int(solution.nfev)
    x = solution.x
    r = residuals(x)
    n, k = y.size, x.size
    dof = n - k
    rss = float(r @ r)
    s2 = rss / dof

    jac = np.empty((n, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = JACOBIAN_STEP
        jac[:, j] = (residuals(x + step) - residuals(x - step)) / (2.0 * JACOBIAN_STEP)
    se_x, undetermined, correlation = _uncertainty(jac, s2)

    values = natural(x)
    se = np.where(is_log, values * se_x, se_x)
    fitted = [FittedParameter(name=name, value=float(values[j]),
                              standard_error=None if undetermined[j] or not math.isfinite(se[j]) else float(se[j]),
                              units=parameter_units(name), initial=float(initial_values[j]),
                              log_scale=bool(is_log[j]))
              for j, name in enumerate(names_all)]
    best, base = unpack(x)
    rho = float(np.sum(r[1:] * r[:-1]) / rss) if rss > 0 else 0.0
    inflation = math.sqrt((1.0 + rho) / (1.0 - rho)) if 0.0 < rho < 1.0 else 1.0
    total = float(np.sum((y - y.mean()) ** 2))
    return LdfFit(
        flux_channel=flux_name, temperature_channel=temp_name, window_start_s=float(t[0]), window_end_s=float(t[-1]),
        fitted=fitted, parameters=PerfusionParameters(**best.model_dump()), modifiers=modifiers, baseline_pu=base,
        n_samples=n, degrees_of_freedom=dof, residual_sd_pu=math.sqrt(s2),
        r_squared=1.0 - rss / total if total > 0 else 0.0, residual_lag1_autocorrelation=rho,
        se_inflation_ar1=inflation, correlation=correlation.tolist(), success=bool(solution.success),
        message=str(solution.message), n_evaluations=solver_evaluations,
    )


def _fitted_names(parameters: Sequence[str]) -> list[str]:
    """The names of the parameters to fit, checked: fittable fields of PerfusionParameters, each once."""
    names = list(parameters)
    for name in names:
        if name in NOT_FITTABLE:
            raise InputError("parameters", f"{name}: {NOT_FITTABLE[name]}")
        if name not in PerfusionParameters.model_fields:
            fittable = ", ".join(n for n in PerfusionParameters.model_fields if n not in NOT_FITTABLE)
            raise InputError("parameters", f"unknown parameter {name!r}; fittable: {fittable}")
    if len(set(names)) != len(names):
        raise InputError("parameters", f"names repeat in {names}")
    return names


def _fit_samples(ds: xr.Dataset, flux_name: str, temp_name: str, window: Any
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times [s], flux (NaN where missing) and temperature [°C] (gaps interpolated) inside the fit window."""
    t = np.asarray(ds["t"].values, dtype=float)
    flux = np.asarray(ds[flux_name].values, dtype=float)
    temperature = np.asarray(ds[temp_name].values, dtype=float)
    if window is not None:
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise InputError("window", f"expected a (start, end) pair of times, got {window!r}")
        w0, w1 = parse_quantity(window[0], "time", "window[0]"), parse_quantity(window[1], "time", "window[1]")
        if w1 <= w0:
            raise InputError("window", f"end {w1:g} s must come after start {w0:g} s")
        inside = (t >= w0) & (t <= w1)
        t, flux, temperature = t[inside], flux[inside], temperature[inside]
    known = np.isfinite(temperature)
    if known.sum() < 2:
        raise InputError("temperature_channel", f"{temp_name!r} has {int(known.sum())} valid samples in the window")
    temperature = np.interp(t, t[known], temperature[known])
    if temperature.min() < MIN_TEMPERATURE_C or temperature.max() > MAX_TEMPERATURE_C:
        raise InputError("temperature_channel", f"{temp_name!r} spans {temperature.min():.1f}…{temperature.max():.1f}"
                                                f" °C; the model needs {MIN_TEMPERATURE_C:g}…{MAX_TEMPERATURE_C:g} °C")
    return t, flux, temperature


def _variables(names: list[str], start: PerfusionParameters
               ) -> tuple[list[bool], list[float], list[float], list[float], list[float]]:
    """Per parameter: fitted as its log?, the bounds and the start of the fitted variable, and the start value.
    Parameters bounded below by ≥ 0 are fitted as log p, the others as p."""
    log_scale, lower, upper, x0, initial_values = [], [], [], [], []
    for name in names:
        lo, hi = _bounds(name)
        value = float(getattr(start, name))
        positive = lo >= 0.0
        if positive and value <= 0.0:
            raise InputError("initial", f"{name} starts at {value:g}; a positive start is needed to fit it")
        log_scale.append(positive)
        lower.append(math.log(lo) if positive and lo > 0 else (-math.inf if positive else lo))
        upper.append(math.log(hi) if positive else hi)
        x0.append(math.log(value) if positive else value)
        initial_values.append(value)
    return log_scale, lower, upper, x0, initial_values


def _uncertainty(jac: np.ndarray, s2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard errors of the fitted variables, whether each is undetermined, and their correlation matrix, from
    the Jacobian of the residuals and the residual variance (covariance s²·(JᵀJ)⁻¹ over the resolved directions)."""
    _, singular, vt = np.linalg.svd(jac, full_matrices=False)
    resolved = singular > singular[0] * 1e-10
    inverse = (vt[resolved].T / singular[resolved] ** 2) @ vt[resolved]
    cov_x = s2 * inverse
    se_x = np.sqrt(np.clip(np.diag(cov_x), 0.0, None))
    # a direction the data do not constrain leaves the parameters it involves undetermined
    k = jac.shape[1]
    undetermined = np.any(np.abs(vt[~resolved]) > 1e-3, axis=0) if (~resolved).any() else np.zeros(k, dtype=bool)
    denominator = np.where(se_x > 0, se_x, 1.0)
    correlation = np.clip(cov_x / np.outer(denominator, denominator), -1.0, 1.0)
    return se_x, undetermined, correlation


def _canonical_axon(x: np.ndarray, names: list[str], lower: np.ndarray, upper: np.ndarray) -> np.ndarray | None:
    """The mirror image of a solution with τ_rise > τ_adapt, or None.

    The axon reflex is the drive through a rise stage minus the same passed on through an adaptation stage; its
    transfer function g·sτ_a/((1 + sτ_r)(1 + sτ_a)) is unchanged when τ_r and τ_a swap and g becomes g·τ_r/τ_a
    (exactly so in continuous time; to O(step/τ) in the stepped model). So the data cannot tell which constant
    is which; lightdose reports the branch τ_rise ≤ τ_adapt (a fast rise, a slower adaptation, as calibrated).
    Only when both constants and the gain are fitted (all three in log scale).
    """
    wanted = ("tau_axon_rise_s", "tau_axon_adapt_s", "axon_gain_pct_max_per_k")
    if not all(name in names for name in wanted):
        return None
    rise, adapt, gain = (names.index(name) for name in wanted)
    if x[rise] <= x[adapt]:
        return None
    mirrored = x.copy()
    mirrored[rise], mirrored[adapt] = x[adapt], x[rise]
    mirrored[gain] = x[gain] + x[rise] - x[adapt]  # log g' = log g + log τ_r − log τ_a
    return np.clip(mirrored, lower, upper)


def fitted_flux(ds: xr.Dataset, fit: LdfFit) -> xr.DataArray:
    """The fitted model's flux [PU] over the recording's times inside the fit window (for plots and residuals)."""
    t = np.asarray(ds["t"].values, dtype=float)
    inside = (t >= fit.window_start_s) & (t <= fit.window_end_s)
    temperature = np.asarray(ds[fit.temperature_channel].values, dtype=float)[inside]
    known = np.isfinite(temperature)
    temperature = np.interp(t[inside], t[inside][known], temperature[known])
    flux = model_flux(t[inside], temperature, fit.parameters, fit.baseline_pu, fit.modifiers)
    return xr.DataArray(flux, coords={"t": ("t", t[inside], {"units": "s"})}, dims="t", name=f"{fit.flux_channel}_fit",
                        attrs={"units": "PU", "long_name": f"perfusion model fitted to {fit.flux_channel}"})
