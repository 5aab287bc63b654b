"""Safety limits a plan must respect, and the checks against them.

- Skin maximum permissible exposure (MPE) for 400–1400 nm (ICNIRP 2013, Health Phys 105:271; IEC 60825-1;
  ANSI Z136.1): for exposures of 10 s to 30 000 s, E = 0.2·C_A W/cm²; for 10⁻⁷ s to 10 s the radiant exposure
  H = 1.1·C_A·t^0.25 J/cm². C_A = 1 below 700 nm, 10^(0.002(λ − 700 nm)) from 700 to 1050 nm, 5 from 1050 to
  1400 nm. Several bands add: Σ_b E_b/MPE_b ≤ 1. The standards reduce the limit for exposed areas larger than
  100 cm² [verify in ICNIRP 2013]; lightdose does not apply that reduction and says so in large-area plans.
- Eye (cornea and lens), infrared 780 nm–3 µm: E ≤ 1.8·t^−0.75 W/cm² for t ≤ 1000 s, 10 mW/cm² beyond
  (ICNIRP 2013; IEC 62471).
- Skin temperature: 43 °C, the limit for applied parts in skin contact for ≥ 10 min (IEC 60601-1), applied to
  every device (a panel's irradiated skin as much as a pad's).
- Burn dose at the basal epidermis: CEM43 (Sapareto & Dewey 1984) and the Arrhenius damage integral Ω (Henriques
  1947; Ω = 1 ≈ a second-degree burn; constants in :mod:`lightdose.thermal.burn`); the defaults are lightdose's
  choices (:data:`lightdose.limits.OMEGA_LIMIT`, :data:`lightdose.limits.CEM43_LIMIT_MIN`).
- Whole body (saunas): core temperature 39 °C (significant hyperthermia; lightdose's threshold one degree below
  the heat-stroke core temperature of Bouchama & Knochel 2002, N Engl J Med 346:1978) and a sweat loss of
  2 % of body mass (Sawka et al. 2007, ACSM position stand, Med Sci Sports Exerc 39:377).

Irradiances are canonical W/mm² (1 W/cm² = 0.01 W/mm²) and times seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from lightdose.errors import OutOfRangeError
from lightdose.limits import (
    CEM43_LIMIT_MIN,
    CONTACT_SKIN_LIMIT_C,
    EYE_IR_LONG_S,
    EYE_IR_LONG_W_CM2,
    EYE_IR_SHORT_W_CM2,
    HYPERTHERMIA_CORE_C,
    MAX_SESSION_S,
    OMEGA_LIMIT,
    SKIN_MPE_LONG_S,
    SKIN_MPE_MAX_S,
    SKIN_MPE_SHORT_J_CM2,
    SKIN_MPE_W_CM2,
    W_MM2_PER_W_CM2,
)
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterSet
from lightdose.thermal.burn import arrhenius_omega, cem43
from lightdose.thermal.session import HeatRequest, HeatResult, TooHotForTheModel, heat_session
from lightdose.units import Bounded


def correction_ca(wavelength_nm: float) -> float:
    """The skin-MPE wavelength factor C_A (ICNIRP 2013) for 400–1400 nm."""
    if not 400.0 <= wavelength_nm <= 1400.0:
        raise OutOfRangeError("wavelength", f"{wavelength_nm:g} nm is outside 400–1400 nm, where the skin MPE of "
                                            "ICNIRP 2013 used here applies")
    if wavelength_nm < 700.0:
        return 1.0
    if wavelength_nm < 1050.0:
        return float(10.0 ** (0.002 * (wavelength_nm - 700.0)))
    return 5.0


def skin_mpe(wavelength_nm: float, exposure_s: float) -> float:
    """Skin MPE as an irradiance [W/mm²] for one wavelength [nm] and an exposure time [s] (1e-7 s–30 000 s)."""
    if not 1e-7 <= exposure_s <= SKIN_MPE_MAX_S:
        raise OutOfRangeError("exposure", f"{exposure_s:g} s is outside 1e-7–30 000 s, the range of the skin MPE")
    ca = correction_ca(wavelength_nm)
    if exposure_s >= SKIN_MPE_LONG_S:
        return SKIN_MPE_W_CM2 * ca * W_MM2_PER_W_CM2
    return SKIN_MPE_SHORT_J_CM2 * ca * float(exposure_s**0.25) / exposure_s * W_MM2_PER_W_CM2


def skin_mpe_fraction(irradiance: NDArray[np.float64], wavelength_nm: NDArray[np.float64], exposure_s: float) -> float:
    """Σ_b E_b/MPE_b for band irradiances [W/mm²] at their wavelengths [nm]: ≤ 1 is within the limit."""
    return float(sum(e / skin_mpe(float(w), exposure_s) for e, w in zip(irradiance, wavelength_nm, strict=True)))


def skin_mpe_time_limit(irradiance: NDArray[np.float64], wavelength_nm: NDArray[np.float64]) -> float:
    """The longest exposure [s] within the skin MPE (inf when the irradiance is within it at every duration).

    Above 10 s the MPE is a constant irradiance; below, it falls as t^−0.75, so an irradiance above the long-exposure
    limit is allowed only for t < t* with t*^0.75·Σ E_b/(1.1·C_A,b) = 1 (irradiance in W/cm²).
    """
    if skin_mpe_fraction(irradiance, wavelength_nm, SKIN_MPE_LONG_S) <= 1.0:
        return math.inf
    per_root_second = sum(e / W_MM2_PER_W_CM2 / (SKIN_MPE_SHORT_J_CM2 * correction_ca(float(w)))
                          for e, w in zip(irradiance, wavelength_nm, strict=True))
    return float(per_root_second ** (-4.0 / 3.0))


def eye_ir_limit(exposure_s: float) -> float:
    """Cornea/lens infrared exposure limit [W/mm²] for an exposure time [s] (ICNIRP 2013; IEC 62471)."""
    if exposure_s <= 0:
        raise OutOfRangeError("exposure", f"{exposure_s:g} s must be positive")
    if exposure_s > EYE_IR_LONG_S:
        return EYE_IR_LONG_W_CM2 * W_MM2_PER_W_CM2
    return EYE_IR_SHORT_W_CM2 * float(exposure_s**-0.75) * W_MM2_PER_W_CM2


def eye_ir_time_limit(irradiance: float) -> float:
    """The longest eye exposure [s] within the infrared limit at `irradiance` [W/mm²] (inf at ≤ 10 mW/cm²)."""
    e_w_cm2 = irradiance / W_MM2_PER_W_CM2
    if e_w_cm2 <= EYE_IR_LONG_W_CM2:
        return math.inf
    return float((EYE_IR_SHORT_W_CM2 / e_w_cm2) ** (4.0 / 3.0))


class Limits(FrozenModel):
    """The limits a plan keeps to. Defaults: the standards above; burn-dose limits are lightdose's choices."""

    skin_temperature: Annotated[float, Bounded("temperature", ge=35.0, le=48.0)] = Field(
        default=CONTACT_SKIN_LIMIT_C, description="highest skin temperature [°C] (43 °C: IEC 60601-1)")
    cem43: float = Field(default=CEM43_LIMIT_MIN, gt=0.0, le=240.0, description=(
        "burn dose CEM43 at the basal epidermis [min]; 40 min is the skin held at the 43 °C contact limit for a "
        "40-minute session (lightdose's choice, consistent with IEC 60601-1)"))
    omega: float = Field(default=OMEGA_LIMIT, gt=0.0, le=1.0, description=(
        "Henriques damage integral Ω at the basal epidermis; 0.1 is reached after a tenth of the time to the burn "
        "threshold Ω = 1 (24 min at 44 °C, 6.7 min at 46 °C, 32 s at 50 °C), 10–15 times shorter than the thresholds "
        "Moritz & Henriques 1947 measured at 44–51 °C (lightdose's choice)"))
    skin_mpe: bool = Field(default=True, description="keep the skin irradiance within the ICNIRP 2013 skin MPE")
    max_session: Annotated[float, Bounded("time", gt=0.0, le=MAX_SESSION_S)] = Field(default=2400.0, description=(
        "longest exposure per site [s] (default 40 min, the longest session of the 890 nm pad trials, "
        "Leonard 2004, Clifft 2005)"))
    core_temperature: Annotated[float, Bounded("temperature", ge=37.5, le=40.0)] = Field(
        default=HYPERTHERMIA_CORE_C, description=(
        "highest core temperature in a sauna [°C] (39 °C: significant hyperthermia)"))
    sweat_loss: Annotated[float, Bounded("dimensionless", gt=0.0, le=0.05)] = Field(default=0.02, description=(
        "largest sweat loss per sauna session as a fraction of body mass (2 %: Sawka et al. 2007)"))


@dataclass(frozen=True)
class ThermalVerdict:
    """When a heat session first breaks a thermal limit: `time_s` (inf if never) and which limit."""

    time_s: float
    reason: str | None


def _first_index(n: int, exceeded: Callable[[int], bool]) -> int | None:
    """Smallest k in [1, n) with exceeded(k), for a predicate that stays true once true (binary search)."""
    if n < 2 or not exceeded(n - 1):
        return None
    low, high = 1, n - 1
    while low < high:
        mid = (low + high) // 2
        if exceeded(mid):
            high = mid
        else:
            low = mid + 1
    return low


def thermal_verdict(session: HeatResult, limits: Limits) -> ThermalVerdict:
    """The first time [s] a heat session breaks a thermal limit (:func:`first_limit` of its skin and basal
    temperatures)."""
    ds = session.dataset
    return first_limit(ds.t.values, ds.surface_temperature.values, ds.basal_epidermis_temperature.values, limits,
                       session.request.parameter_set())


def first_limit(t: NDArray[np.float64], skin: NDArray[np.float64], basal: NDArray[np.float64], limits: Limits,
                parameters: ParameterSet | None = None) -> ThermalVerdict:
    """The first time [s] a temperature history breaks a thermal limit: the skin temperature `skin` [°C]
    (interpolated between samples), or the CEM43 or Ω accumulated at the basal epidermis (`basal` [°C]), at times
    `t` [s]."""
    candidates: list[tuple[float, str]] = []
    hot = np.nonzero(skin > limits.skin_temperature)[0]
    if hot.size:
        k = int(hot[0])
        if k == 0:
            candidates.append((0.0, f"the skin is above {limits.skin_temperature:g} °C from the start"))
        else:
            frac = (limits.skin_temperature - skin[k - 1]) / (skin[k] - skin[k - 1])
            candidates.append((float(t[k - 1] + frac * (t[k] - t[k - 1])),
                               f"the skin reaches the {limits.skin_temperature:g} °C limit"))
    doses = ((lambda k: cem43(t[: k + 1], basal[: k + 1]) > limits.cem43,
              f"the burn dose reaches CEM43 {limits.cem43:g} min"),
             (lambda k: arrhenius_omega(t[: k + 1], basal[: k + 1], parameters) > limits.omega,
              f"the burn dose reaches Ω {limits.omega:g}"))
    for exceeded, reason in doses:
        first = _first_index(t.size, exceeded)
        if first is not None:
            candidates.append((float(t[first]), reason))
    if not candidates:
        return ThermalVerdict(math.inf, None)
    return ThermalVerdict(*min(candidates))


SHORTEST_HEAT_RUN_S = 1.0
"""Shortest bioheat run [s] that :func:`heat_within_range` tries before giving up."""


def heat_within_range(request: HeatRequest) -> HeatResult:
    """:func:`~lightdose.thermal.session.heat_session` for the request, its exposure shortened by halves while the
    skin (surface or basal epidermis) would pass the thermal model's range (above
    :data:`~lightdose.thermal.burn.T_MAX_C`, 100 °C).

    Such a session is "too hot" for certain, and the shortened run still shows when it breaks a limit: under a
    constant heat input the rise T(t) − T(0) is concave in time (the tissue's losses grow with its temperature), so a
    rise past 100 °C by t is past half of it by t/2, i.e. above (100 + T(0))/2 ≥ 65 °C from a skin at ≥ 30 °C —
    beyond every allowed skin-temperature limit (≤ 48 °C) and far beyond the burn-dose limits. The returned run ends
    at ``t[-1]``, before the requested exposure when it was shortened.
    """
    while True:
        try:
            return heat_session(request)
        except TooHotForTheModel:
            if request.exposure / 2.0 < SHORTEST_HEAT_RUN_S:
                raise
            request = request.model_copy(update={"exposure": request.exposure / 2.0})


def session_burn(session: HeatResult, until_s: float) -> tuple[float, float, float]:
    """Peak skin temperature [°C], CEM43 [min] and Ω of the first `until_s` seconds of a heat session."""
    ds = session.dataset
    t = ds.t.values
    keep = t <= until_s + 1e-9
    keep[: 2] = True
    basal = ds.basal_epidermis_temperature.values[keep]
    omega = arrhenius_omega(t[keep], basal, session.request.parameter_set())
    return float(ds.surface_temperature.values[keep].max()), cem43(t[keep], basal), omega
