"""Thermal dose of a temperature history T(t): CEM43, Henriques' Arrhenius damage integral, time above 43 °C.

Pure functions over a time series: `t_s` times [s] (strictly increasing) and `T_c` temperatures [°C] at those
times. Between samples the temperature is taken to vary linearly; the integrands are integrated with the
trapezoidal rule, so a constant temperature gives the closed-form value exactly.
"""

from __future__ import annotations

import numpy as np

from lightdose.errors import InputError, OutOfRangeError

T_MIN_C = -20.0
"""Lowest temperature accepted [°C]."""
T_MAX_C = 100.0
"""Highest temperature accepted [°C]."""

HENRIQUES_A = 3.1e98
"""Frequency factor A of skin burn damage [1/s] (Henriques 1947, Arch Pathol 43:489; SCIENCE.md §5)."""
HENRIQUES_EA = 6.28e5
"""Activation energy Ea of skin burn damage [J/mol] (Henriques 1947; SCIENCE.md §5)."""
GAS_CONSTANT = 8.314462618
"""Molar gas constant R [J/(mol·K)] (CODATA 2018)."""


def _series(t_s: np.ndarray, T_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t_s, dtype=float)
    T = np.asarray(T_c, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise InputError("t_s", f"need a 1-D series of at least 2 times, got shape {t.shape}")
    if T.shape != t.shape:
        raise InputError("T_c", f"shape {T.shape} does not match the times' shape {t.shape}")
    if not np.all(np.isfinite(t)):
        raise InputError("t_s", "contains non-finite times")
    if np.any(np.diff(t) <= 0):
        i = int(np.argmax(np.diff(t) <= 0))
        raise InputError("t_s", f"times must increase strictly; t[{i + 1}] = {t[i + 1]:g} s follows {t[i]:g} s")
    if not np.all(np.isfinite(T)) or T.min() < T_MIN_C or T.max() > T_MAX_C:
        raise OutOfRangeError("T_c", f"temperatures must lie within {T_MIN_C:g}…{T_MAX_C:g} °C, "
                                f"got {np.nanmin(T):g}…{np.nanmax(T):g} °C")
    return t, T


def cem43(t_s: np.ndarray, T_c: np.ndarray) -> float:
    """Cumulative equivalent minutes at 43 °C [min]: ∫ R^(43 − T) dt with R = 0.5 at T ≥ 43 °C, 0.25 below.

    Sapareto & Dewey 1984 (Int J Radiat Oncol Biol Phys 10:787).
    """
    t, T = _series(t_s, T_c)
    rate = np.where(T >= 43.0, 0.5, 0.25) ** (43.0 - T)
    return float(np.trapezoid(rate, t)) / 60.0


def arrhenius_omega(t_s: np.ndarray, T_c: np.ndarray, a: float = HENRIQUES_A, ea: float = HENRIQUES_EA) -> float:
    """Henriques' damage integral Ω = ∫ A·exp(−Ea/(R·T_K)) dt [dimensionless]; Ω = 1 ≈ a second-degree burn.

    `a` [1/s] and `ea` [J/mol] default to Henriques' skin values (Henriques 1947; SCIENCE.md §5).
    """
    t, T = _series(t_s, T_c)
    rate = a * np.exp(-ea / (GAS_CONSTANT * (T + 273.15)))
    return float(np.trapezoid(rate, t))


def time_above(t_s: np.ndarray, T_c: np.ndarray, threshold: float = 43.0) -> float:
    """Time [s] during which the (linearly interpolated) temperature exceeds `threshold` [°C]."""
    t, T = _series(t_s, T_c)
    dt = np.diff(t)
    lo, hi = np.minimum(T[:-1], T[1:]), np.maximum(T[:-1], T[1:])
    span = np.where(hi > lo, hi - lo, 1.0)
    fraction = np.where(hi > lo, np.clip((hi - threshold) / span, 0.0, 1.0), (lo > threshold).astype(float))
    return float(np.sum(fraction * dt))
