"""Absorption spectra of the tissue chromophores, as absorption coefficients of the pure chromophore in 1/mm.

Each function takes wavelengths in nm (scalar or array) and returns μa [1/mm] of the pure chromophore, so that a
tissue's absorption is the volume-fraction-weighted sum (Jacques 2013, Phys Med Biol 58:R37, eq. 12).
Tabulated spectra are interpolated linearly in log(μa) between published points; a wavelength outside a
table is an :class:`~lightdose.errors.OutOfRangeError`, never an extrapolation. The tables and their
sources are listed in ``lightdose/data/PROVENANCE.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lightdose.errors import OutOfRangeError

HEMOGLOBIN_MOLAR_MASS_G_PER_MOL = 64_458.0
"""Molar mass of hemoglobin (tetramer) [g/mol], as used by Jacques 2013 (Phys Med Biol 58:R37)."""

BLOOD_HEMOGLOBIN_G_PER_L = 150.0
"""Hemoglobin concentration of whole blood [g/L] (Jacques 2013)."""

_LN10 = math.log(10.0)


@dataclass(frozen=True)
class TabulatedSpectrum:
    """A published absorption table: μa [1/mm] of a pure chromophore at tabulated wavelengths [nm]."""

    name: str
    source: str
    wavelength_nm: NDArray[np.float64] = field(repr=False)
    mua_per_mm: NDArray[np.float64] = field(repr=False)

    @property
    def range_nm(self) -> tuple[float, float]:
        """Lowest and highest tabulated wavelength [nm]."""
        return float(self.wavelength_nm[0]), float(self.wavelength_nm[-1])

    def __call__(self, wavelength_nm: ArrayLike) -> NDArray[np.float64]:
        wl = np.asarray(wavelength_nm, dtype=float)
        check_wavelength_range(wl, self.range_nm, f"{self.name} absorption data ({self.source})")
        return np.exp(np.interp(wl, self.wavelength_nm, np.log(self.mua_per_mm)))


@dataclass(frozen=True)
class PowerLawSpectrum:
    """An analytic absorption spectrum μa = c0 + c1·(λ/λ0)^−p + c2·exp(−(λ−λ1)/w) [1/mm], valid over `range_nm`."""

    name: str
    source: str
    range_nm: tuple[float, float]
    offset_per_mm: float = 0.0
    power_scale_per_mm: float = 0.0
    power_reference_nm: float = 500.0
    power_exponent: float = 0.0
    exp_scale_per_mm: float = 0.0
    exp_origin_nm: float = 0.0
    exp_width_nm: float = 1.0

    def __call__(self, wavelength_nm: ArrayLike) -> NDArray[np.float64]:
        wl = np.asarray(wavelength_nm, dtype=float)
        check_wavelength_range(wl, self.range_nm, f"{self.name} absorption model ({self.source})")
        return (
            self.offset_per_mm
            + self.power_scale_per_mm * (wl / self.power_reference_nm) ** (-self.power_exponent)
            + self.exp_scale_per_mm * np.exp(-(wl - self.exp_origin_nm) / self.exp_width_nm)
        )


Spectrum = TabulatedSpectrum | PowerLawSpectrum


def check_wavelength_range(wavelength_nm: NDArray[np.float64], range_nm: tuple[float, float], what: str) -> None:
    """Raise :class:`OutOfRangeError` if any wavelength [nm] lies outside `range_nm` (inclusive)."""
    lo, hi = range_nm
    if wavelength_nm.size == 0:
        return
    bad = wavelength_nm[~((wavelength_nm >= lo) & (wavelength_nm <= hi))]
    if bad.size:
        raise OutOfRangeError(
            "wavelength",
            f"{bad.flat[0]:g} nm is outside the supported range {lo:g}–{hi:g} nm of the {what}",
        )


def _read_table(filename: str, column: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    text = resources.files("lightdose.data").joinpath(filename).read_text(encoding="utf-8")
    header, *rows = text.strip().splitlines()
    names = header.split(",")
    table = np.array([[float(x) for x in row.split(",")] for row in rows])
    return table[:, 0], table[:, names.index(column)]


@cache
def _hemoglobin(column: str, name: str) -> TabulatedSpectrum:
    wl, eps = _read_table("hemoglobin_prahl.csv", column)
    # μa of whole blood [1/cm] = ε [1/(cm·M)] · ln(10) · c [g/L] / M [g/mol]   (Jacques 2013, eq. 11)
    mua_per_cm = eps * _LN10 * BLOOD_HEMOGLOBIN_G_PER_L / HEMOGLOBIN_MOLAR_MASS_G_PER_MOL
    return TabulatedSpectrum(name, "Prahl 1999 compilation of Gratzer and Kollias", wl, mua_per_cm / 10.0)


def oxygenated_blood() -> TabulatedSpectrum:
    """Whole blood (150 g/L hemoglobin), fully oxygenated: μa [1/mm] from Prahl's HbO₂ molar extinction."""
    return _hemoglobin("eps_hbo2_per_cm_per_M", "oxygenated blood")


def deoxygenated_blood() -> TabulatedSpectrum:
    """Whole blood (150 g/L hemoglobin), fully deoxygenated: μa [1/mm] from Prahl's Hb molar extinction."""
    return _hemoglobin("eps_hb_per_cm_per_M", "deoxygenated blood")


@cache
def water() -> TabulatedSpectrum:
    """Pure water μa [1/mm] (Segelstein 1981, M.Sc. thesis, University of Missouri–Kansas City)."""
    wl, mua_per_cm = _read_table("water_segelstein1981.csv", "mua_water_per_cm")
    return TabulatedSpectrum("water", "Segelstein 1981", wl, mua_per_cm / 10.0)


@cache
def fat() -> TabulatedSpectrum:
    """Mammalian fat (purified lard) μa [1/mm] (van Veen et al. 2005, J Biomed Opt 10:054004; 2004 OSA meeting)."""
    wl, mua_per_m = _read_table("fat_vanveen2004.csv", "mua_fat_per_m")
    return TabulatedSpectrum("fat", "van Veen et al. 2004/2005", wl, mua_per_m / 1000.0)


@cache
def melanosome() -> PowerLawSpectrum:
    """Interior of a cutaneous melanosome: μa = 519·(λ/500 nm)^−3 [1/cm] (Jacques 2013, Phys Med Biol 58:R37).

    The fit describes visible and near-infrared data; it is used here over 400–1100 nm.
    """
    return PowerLawSpectrum(
        "melanosome",
        "Jacques 2013",
        (400.0, 1100.0),
        power_scale_per_mm=51.9,
        power_reference_nm=500.0,
        power_exponent=3.0,
    )


@cache
def skin_baseline() -> PowerLawSpectrum:
    """Bloodless, melanin-free skin: μa = 0.244 + 85.3·exp(−(λ−154 nm)/66.2 nm) [1/cm].

    Saidi 1992 (PhD thesis, Rice University), as summarised by Jacques 1998 ("Skin optics", OMLC News).
    Used over 400–1100 nm.
    """
    return PowerLawSpectrum(
        "skin baseline",
        "Saidi 1992 via Jacques 1998",
        (400.0, 1100.0),
        offset_per_mm=0.0244,
        exp_scale_per_mm=8.53,
        exp_origin_nm=154.0,
        exp_width_nm=66.2,
    )
