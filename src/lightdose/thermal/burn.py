"""Burn dose of skin: CEM43, the Arrhenius damage integral Ω and the time above a temperature, over a temperature
history; and the stage that answers "how long can skin sit at this temperature" (:func:`burn_dose`).

The series functions take times `t_s` [s] (strictly increasing) and temperatures `T_c` [°C] at those times. Between
samples the temperature is taken to vary linearly; the integrands are integrated with the trapezoidal rule, so a
constant temperature gives the closed-form value exactly.

**Ω** = ∫ A·exp(−Ea/(R·T)) dt (T in kelvin; Henriques 1947, Arch Pathol 43:489), with one set of constants (A, Ea)
below the switch temperature and another from it on (``burn.arrhenius.*`` in the parameter set, each with its
source). Ω = 1 is the threshold of transepidermal necrosis, a second-degree burn, at the basal epidermis. The default
constants:

- below 61.9 °C: A = 5.304·10⁸⁴ 1/s, Ea = 5.397·10⁵ J/mol, lightdose's least-squares fit (in log time) to Moritz &
  Henriques' thresholds of transepidermal necrosis from 44 to 54.4 °C (Moritz & Henriques 1947, Am J Pathol
  23:695; the rows in tests/reference/burn.yaml). Henriques' own 1947 constants take 3–8 times longer than those
  thresholds at 44–51 °C; the published two-range refits checked (Weaver & Stoll 1969, Aerospace Med 40:24;
  Takata 1974, Aerospace Med 45:634) fit radiant exposures of seconds and burn 3–4 times faster than the thresholds
  at 44 °C (docs/validation.md, "Burn dose");
- from 61.9 °C on: Henriques 1947 (A = 3.1·10⁹⁸ 1/s, Ea = 6.28·10⁵ J/mol), which follows the thresholds of
  57–70 °C when the heat's conduction to the basal layer is included, as Henriques did.

The switch is the temperature at which the two rates are equal, so the damage rate is continuous in temperature and
Ω continuous in time. **CEM43** = ∫ R^(43 − T) dt [min] with R = 0.5 at T ≥ 43 °C and 0.25 below (Sapareto & Dewey
1984, Int J Radiat Oncol Biol Phys 10:787).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import Field, field_validator

from lightdose.errors import InputError, OutOfRangeError
from lightdose.limits import CEM43_LIMIT_MIN, OMEGA_LIMIT
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterChoice, Parameters, ParameterSet, default_set
from lightdose.provenance import Provenance
from lightdose.units import Bounded

T_MIN_C = -20.0
"""Lowest temperature accepted in a series [°C]."""
T_MAX_C = 100.0
"""Highest temperature accepted in a series [°C]."""
GAS_CONSTANT = 8.314462618
"""Molar gas constant R [J/(mol·K)] (CODATA 2018)."""
KELVIN = 273.15
"""0 °C in kelvin."""

OMEGA_THRESHOLD = 1.0
"""Ω at the threshold of transepidermal necrosis, a second-degree burn (Henriques 1947)."""
HOLD_MIN_C = 37.0
"""Lowest temperature of a hold [°C]: skin held below body-core temperature takes no burn dose worth stating."""
MAX_HOLD_S = 24 * 3600.0
"""Longest hold [s] (one day), also the horizon within which :func:`burn_dose` looks for the time to each limit."""
DATA_RANGE_C = (44.0, 70.0)
"""Surface temperatures [°C] of the threshold measurements behind the constants (Moritz & Henriques 1947)."""
CONDUCTION_NOTE_S = 60.0
"""Below this time to Ω = 1 [s], :func:`burn_dose` notes that a surface brought to the temperature takes seconds to
bring the basal epidermis there."""

_KEYS = ("low", "high")


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


def _cem43_rate(T: np.ndarray | float) -> np.ndarray:
    """Equivalent minutes at 43 °C per minute at `T` [°C] (Sapareto & Dewey 1984)."""
    T = np.asarray(T, dtype=float)
    return np.where(T >= 43.0, 0.5, 0.25) ** (43.0 - T)


def cem43(t_s: np.ndarray, T_c: np.ndarray) -> float:
    """Cumulative equivalent minutes at 43 °C [min]: ∫ R^(43 − T) dt with R = 0.5 at T ≥ 43 °C, 0.25 below.

    Sapareto & Dewey 1984 (Int J Radiat Oncol Biol Phys 10:787).
    """
    t, T = _series(t_s, T_c)
    return float(np.trapezoid(_cem43_rate(T), t)) / 60.0


@dataclass(frozen=True)
class ArrheniusSet:
    """One set of Arrhenius constants of skin burn damage and the temperatures [°C] it applies to: from `lower_c`
    (inclusive; None: no lower end) to `upper_c` (exclusive; None: no upper end)."""

    key: str
    """Its keys' common prefix in the parameter set, e.g. ``burn.arrhenius.low``."""
    frequency_factor: float
    """A [1/s]."""
    activation_energy: float
    """Ea [J/mol]."""
    lower_c: float | None
    upper_c: float | None
    source: str
    """Where A and Ea come from (the parameter set's sources)."""

    def rate(self, T_c: np.ndarray | float) -> np.ndarray:
        """Damage rate A·exp(−Ea/(R·T)) [1/s] at `T_c` [°C], whether or not `T_c` lies in the set's range."""
        T = np.asarray(T_c, dtype=float) + KELVIN
        return self.frequency_factor * np.exp(-self.activation_energy / (GAS_CONSTANT * T))

    def range_text(self) -> str:
        """The set's temperature range for people: 'below 61.9 °C', 'from 61.9 °C'."""
        return f"below {self.upper_c:g} °C" if self.lower_c is None else f"from {self.lower_c:g} °C"

    def covers(self, T_c: float) -> bool:
        """Whether the temperature `T_c` [°C] lies in the set's range."""
        return (self.lower_c is None or T_c >= self.lower_c) and (self.upper_c is None or T_c < self.upper_c)


def arrhenius_sets(parameters: ParameterSet | None = None) -> tuple[ArrheniusSet, ArrheniusSet]:
    """The two constant sets of the parameter set (default: :func:`lightdose.parameters.default_set`): below and from
    ``burn.arrhenius.switch_temperature [degC]``. Raises :class:`InputError` for a non-positive A or Ea."""
    params = parameters or default_set()
    switch = params["burn.arrhenius.switch_temperature [degC]"]
    sets = []
    for name, (lower, upper) in zip(_KEYS, ((None, switch), (switch, None)), strict=True):
        key = f"burn.arrhenius.{name}"
        a_key, ea_key = f"{key}.frequency_factor [1/s]", f"{key}.activation_energy [J/mol]"
        for k in (a_key, ea_key):
            if not params[k] > 0.0:
                raise InputError("parameters", f"{k!r} must be positive, got {params[k]:g}")
        source = params.entry(a_key).source
        if params.entry(ea_key).source != source:
            source = f"A: {source}; Ea: {params.entry(ea_key).source}"
        sets.append(ArrheniusSet(key, params[a_key], params[ea_key], lower, upper, source))
    return sets[0], sets[1]


def damage_rate(T_c: np.ndarray | float, parameters: ParameterSet | None = None) -> np.ndarray:
    """dΩ/dt [1/s] at the temperatures `T_c` [°C], each with the constant set of its range."""
    low, high = arrhenius_sets(parameters)
    T = np.asarray(T_c, dtype=float)
    return np.where(T < low.upper_c, low.rate(T), high.rate(T))


def arrhenius_omega(t_s: np.ndarray, T_c: np.ndarray, parameters: ParameterSet | None = None) -> float:
    """The damage integral Ω = ∫ A·exp(−Ea/(R·T)) dt [dimensionless] of a temperature history at the basal epidermis,
    each sample with the constant set of its temperature range (see the module docstring); Ω = 1 is the threshold of
    transepidermal necrosis. The constants come from `parameters` (default: lightdose's default set)."""
    t, T = _series(t_s, T_c)
    return float(np.trapezoid(damage_rate(T, parameters), t))


def time_above(t_s: np.ndarray, T_c: np.ndarray, threshold: float = 43.0) -> float:
    """Time [s] during which the (linearly interpolated) temperature exceeds `threshold` [°C]."""
    t, T = _series(t_s, T_c)
    dt = np.diff(t)
    lo, hi = np.minimum(T[:-1], T[1:]), np.maximum(T[:-1], T[1:])
    span = np.where(hi > lo, hi - lo, 1.0)
    fraction = np.where(hi > lo, np.clip((hi - threshold) / span, 0.0, 1.0), (lo > threshold).astype(float))
    return float(np.sum(fraction * dt))


def _bare_celsius(value: Any) -> Any:
    """'44C' / '111F' as people write them on a command line → '44 degC' / '111 degF' (pint reads 'C' as coulomb)."""
    if isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("C", "F") and text[:-1].strip():
            try:
                float(text[:-1])
            except ValueError:
                return value
            return f"{text[:-1].strip()} deg{text[-1]}"
    return value


class BurnRequest(FrozenModel):
    """Skin held at one temperature for a time: `temperature` of the basal epidermis [°C] (37–100 °C; any
    temperature unit, and '44C' for 44 °C), `time` [s] (more than 0, at most 24 h) and the `parameters` (a set's name,
    or {set, overrides})."""

    temperature: Annotated[float, Bounded("temperature", ge=HOLD_MIN_C, le=T_MAX_C)] = Field(
        description="temperature at which the skin (basal epidermis) is held [°C]")
    time: Annotated[float, Bounded("time", gt=0.0, le=MAX_HOLD_S)] = Field(description="how long it is held [s]")
    parameters: Parameters = Field(default_factory=ParameterChoice)

    @field_validator("temperature", mode="before")
    @classmethod
    def _celsius(cls, value: Any) -> Any:
        return _bare_celsius(value)


@dataclass(frozen=True)
class BurnResult:
    """The burn dose of a constant hold and the time to each limit at that temperature [s] (None: not within
    `horizon_s`). Ω and its times follow :func:`arrhenius_omega`'s constants, `constants` being the set that applied;
    CEM43 follows Sapareto & Dewey 1984."""

    request: BurnRequest
    omega: float
    """Ω at the end of the hold."""
    cem43_min: float
    """CEM43 at the end of the hold [min]."""
    time_to_omega_limit_s: float | None
    """Time to Ω = :data:`OMEGA_LIMIT` (the planner's default limit) [s]."""
    time_to_omega_threshold_s: float | None
    """Time to Ω = 1, the threshold of transepidermal necrosis [s]."""
    time_to_cem43_limit_s: float | None
    """Time to CEM43 = :data:`CEM43_LIMIT_MIN` (the planner's default limit) [s]."""
    horizon_s: float
    """The times to the limits are looked for up to this time [s]."""
    constants: ArrheniusSet
    warnings: tuple[str, ...]
    provenance: Provenance

    @property
    def omega_limit(self) -> float:
        """The Ω limit the `time_to_omega_limit_s` is for."""
        return OMEGA_LIMIT

    @property
    def cem43_limit_min(self) -> float:
        """The CEM43 limit [min] the `time_to_cem43_limit_s` is for."""
        return CEM43_LIMIT_MIN


def burn_dose(request: BurnRequest) -> BurnResult:
    """Ω and CEM43 of skin held at `request.temperature` for `request.time`, and how long it takes at that temperature
    to reach the planner's Ω and CEM43 limits and the burn threshold Ω = 1.

    The temperature is that of the basal epidermis, where the dose is taken. A surface suddenly brought to a
    temperature takes seconds to bring the basal layer (~0.1 mm deep) there, which matters only for times to the
    threshold of less than a minute (above ~55 °C); the result says so when it does.
    """
    params = request.parameters.resolve()
    T = request.temperature
    hold = (np.array([0.0, request.time]), np.full(2, T))
    low, high = arrhenius_sets(params)
    constants = low if low.covers(T) else high
    rate = float(constants.rate(T))
    cem_rate_per_s = float(_cem43_rate(T)) / 60.0

    def within(seconds: float) -> float | None:
        return seconds if seconds <= MAX_HOLD_S else None

    to_threshold = within(OMEGA_THRESHOLD / rate)
    warnings = []
    if not DATA_RANGE_C[0] <= T <= DATA_RANGE_C[1]:
        warnings.append(f"the threshold measurements behind the burn-dose constants span {DATA_RANGE_C[0]:g}–"
                        f"{DATA_RANGE_C[1]:g} °C (Moritz & Henriques 1947); at {T:g} °C Ω is extrapolated")
    if to_threshold is not None and to_threshold < CONDUCTION_NOTE_S:
        warnings.append(f"Ω reaches 1 within {to_threshold:.2g} s at {T:g} °C: these times are for the basal "
                        "epidermis held at the temperature; a surface brought to it takes seconds longer")
    return BurnResult(
        request=request, omega=arrhenius_omega(*hold, params), cem43_min=cem43(*hold),
        time_to_omega_limit_s=within(OMEGA_LIMIT / rate), time_to_omega_threshold_s=to_threshold,
        time_to_cem43_limit_s=within(CEM43_LIMIT_MIN / cem_rate_per_s), horizon_s=MAX_HOLD_S,
        constants=constants, warnings=tuple(warnings), provenance=Provenance.of(request, params.name))


__all__ = ["DATA_RANGE_C", "GAS_CONSTANT", "MAX_HOLD_S",
           "OMEGA_THRESHOLD", "T_MAX_C", "T_MIN_C", "ArrheniusSet", "BurnRequest", "BurnResult", "arrhenius_omega",
           "arrhenius_sets", "burn_dose", "cem43", "damage_rate", "time_above"]
