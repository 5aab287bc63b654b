"""Tissue composition → optical properties (μa, μs, μs′, g, n) at any wavelength in the data range.

Absorption follows Jacques 2013 (Phys Med Biol 58:R37, eq. 12), extended by an optional bloodless-skin
baseline term (Saidi 1992, via Jacques 1998):

    μa = B·S·μa,oxy + B·(1−S)·μa,deoxy + W·μa,water + F·μa,fat + M·μa,mel + Bl·μa,baseline

Reduced scattering follows Jacques 2013 eq. 2:

    μs′ = a′·[f_Ray·(λ/500 nm)^−4 + (1 − f_Ray)·(λ/500 nm)^−b_Mie],    μs = μs′ / (1 − g)

and, unless given, the refractive index follows n = 1.514 − 0.184·W (Jacques 2013).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from pydantic import Field, model_validator

from lightdose.model_base import FrozenModel
from lightdose.optics import spectra
from lightdose.optics.penetration import effective_attenuation_coefficient, penetration_depth
from lightdose.units import Bounded, UnitFraction, parse_quantity

SCATTERING_REFERENCE_NM = 500.0
"""Reference wavelength of the scattering power law [nm] (Jacques 2013)."""

VOLUME_FRACTIONS = ("blood", "water", "fat", "melanosome", "baseline")
"""Composition fields that are volume fractions of the tissue; together they may not exceed 1."""


def refractive_index_from_water(water: float) -> float:
    """n = 1.514 − 0.184·W for a tissue of water volume fraction W (Jacques 2013, Phys Med Biol 58:R37)."""
    return 1.514 - 0.184 * water


class Scattering(FrozenModel):
    """Reduced scattering μs′(λ) = a′·[f_Ray·(λ/500)^−4 + (1 − f_Ray)·(λ/500)^−b_Mie] (Jacques 2013, eq. 2).

    `a_prime` is μs′ at 500 nm; a bare number is in 1/mm, or give a unit ("46 1/cm"). With f_rayleigh = 0 this
    is the simple power law μs′ = a·(λ/500 nm)^−b of Jacques 2013, Table 2 (aliases `a` and `b`).
    """

    a_prime: Annotated[float, Bounded("inverse_length", ge=0.0)] = Field(alias="a", description="μs′ at 500 nm [1/mm]")
    b_mie: float = Field(alias="b", ge=0.0, le=4.0, description="Mie scattering power [–]")
    f_rayleigh: UnitFraction = Field(default=0.0, description="Rayleigh fraction at 500 nm [–]")

    def reduced_scattering(self, wavelength_nm: ArrayLike) -> NDArray[np.float64]:
        """μs′ [1/mm] at `wavelength_nm` [nm]."""
        x = np.asarray(wavelength_nm, dtype=float) / SCATTERING_REFERENCE_NM
        return self.a_prime * (self.f_rayleigh * x**-4.0 + (1.0 - self.f_rayleigh) * x ** (-self.b_mie))


@dataclass(frozen=True)
class OpticalProperties:
    """Optical properties at one or more wavelengths; coefficients in 1/mm, arrays aligned with `wavelength_nm`."""

    wavelength_nm: NDArray[np.float64]
    mua: NDArray[np.float64]
    mus: NDArray[np.float64]
    g: NDArray[np.float64]
    n: NDArray[np.float64]

    @property
    def musp(self) -> NDArray[np.float64]:
        """Reduced scattering coefficient μs′ = μs·(1 − g) [1/mm]."""
        return self.mus * (1.0 - self.g)

    @property
    def mueff(self) -> NDArray[np.float64]:
        """Diffusion-theory effective attenuation coefficient √(3μa(μa + μs′)) [1/mm]."""
        return effective_attenuation_coefficient(self.mua, self.musp)

    @property
    def delta(self) -> NDArray[np.float64]:
        """Diffusion-theory penetration depth δ = 1/μeff [mm] (infinite where nothing absorbs)."""
        return penetration_depth(self.mua, self.musp)

    def to_dataset(self) -> xr.Dataset:
        """The properties as an :class:`xarray.Dataset` over `wavelength`, with units in attrs."""
        variables = {
            "mua": (self.mua, "1/mm", "absorption coefficient"),
            "mus": (self.mus, "1/mm", "scattering coefficient"),
            "musp": (self.musp, "1/mm", "reduced scattering coefficient"),
            "g": (self.g, "1", "scattering anisotropy"),
            "n": (self.n, "1", "refractive index"),
            "mueff": (self.mueff, "1/mm", "effective attenuation coefficient (diffusion theory)"),
            "delta": (self.delta, "mm", "penetration depth 1/mueff (diffusion theory)"),
        }
        ds = xr.Dataset(
            {k: ("wavelength", v, {"units": u, "long_name": name}) for k, (v, u, name) in variables.items()},
            coords={"wavelength": ("wavelength", self.wavelength_nm, {"units": "nm"})},
        )
        return ds


class Tissue(FrozenModel):
    """A tissue described by its chromophore volume fractions and scattering power law.

    Fractions are dimensionless in [0, 1] (a string such as "65 %" is accepted). `saturation` is the oxygen
    saturation of the blood, not a volume fraction. `baseline` is the volume fraction of bloodless,
    melanin-free skin whose absorption is the Saidi 1992 baseline (used for epidermis and stratum corneum).
    """

    name: str = "custom"
    description: str = ""
    blood: UnitFraction = Field(default=0.0, alias="B", description="blood volume fraction B")
    saturation: UnitFraction = Field(default=0.75, alias="S", description="blood O2 saturation S")
    water: UnitFraction = Field(default=0.0, alias="W", description="water volume fraction W")
    fat: UnitFraction = Field(default=0.0, alias="F", description="fat volume fraction F")
    melanosome: UnitFraction = Field(default=0.0, alias="M", description="melanosome fraction M")
    baseline: UnitFraction = Field(default=0.0, description="bloodless-skin baseline fraction")
    scattering: Scattering
    g: float = Field(default=0.9, ge=0.0, lt=1.0, description="Henyey–Greenstein anisotropy")
    n: float | None = Field(default=None, ge=1.0, le=2.0, description="refractive index (default from W)")
    reference: str = ""

    @model_validator(mode="after")
    def _fractions_fit_in_unit_volume(self) -> Tissue:
        total = sum(getattr(self, name) for name in VOLUME_FRACTIONS)
        if total > 1.0 + 1e-9:
            parts = " + ".join(f"{name} {getattr(self, name):g}" for name in VOLUME_FRACTIONS if getattr(self, name))
            raise ValueError(f"volume fractions sum to {total:.4g} > 1 ({parts}); they must not exceed 1")
        return self

    @property
    def refractive_index(self) -> float:
        """n, as given or from the water fraction (Jacques 2013)."""
        return self.n if self.n is not None else refractive_index_from_water(self.water)

    def _absorbers(self) -> list[tuple[float, spectra.Spectrum]]:
        """(volume fraction, pure-chromophore spectrum) pairs with a non-zero fraction."""
        terms = [
            (self.blood * self.saturation, spectra.oxygenated_blood()),
            (self.blood * (1.0 - self.saturation), spectra.deoxygenated_blood()),
            (self.water, spectra.water()),
            (self.fat, spectra.fat()),
            (self.melanosome, spectra.melanosome()),
            (self.baseline, spectra.skin_baseline()),
        ]
        return [(fraction, spectrum) for fraction, spectrum in terms if fraction > 0.0]

    @property
    def wavelength_range_nm(self) -> tuple[float, float]:
        """Wavelengths [nm] over which every chromophore present in this tissue has data."""
        ranges = [spectrum.range_nm for _, spectrum in self._absorbers()]
        if not ranges:
            return (0.0, float("inf"))
        return max(lo for lo, _ in ranges), min(hi for _, hi in ranges)

    def check_wavelengths(self, wavelength_nm: ArrayLike) -> None:
        """Raise :class:`~lightdose.errors.OutOfRangeError` for a wavelength [nm] outside
        :attr:`wavelength_range_nm` (never an extrapolation)."""
        wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
        spectra.check_wavelength_range(wl, self.wavelength_range_nm, f"chromophore data for tissue '{self.name}'")

    def absorption(self, wavelength_nm: ArrayLike) -> NDArray[np.float64]:
        """μa [1/mm] at `wavelength_nm` [nm]; raises OutOfRangeError outside :attr:`wavelength_range_nm`."""
        wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
        self.check_wavelengths(wl)
        mua = np.zeros_like(wl)
        for fraction, spectrum in self._absorbers():
            mua += fraction * spectrum(wl)
        return mua

    def optical_properties(self, wavelength: ArrayLike | str) -> OpticalProperties:
        """μa, μs, μs′, g, n at one or more wavelengths (nm, or strings with units such as "810 nm")."""
        wl = _wavelengths_nm(wavelength)
        mua = self.absorption(wl)
        musp = self.scattering.reduced_scattering(wl)
        return OpticalProperties(
            wavelength_nm=wl,
            mua=mua,
            mus=musp / (1.0 - self.g),
            g=np.full_like(wl, self.g),
            n=np.full_like(wl, self.refractive_index),
        )


def _wavelengths_nm(wavelength: ArrayLike | str) -> NDArray[np.float64]:
    if isinstance(wavelength, str):
        return np.array([parse_quantity(wavelength, "wavelength")])
    if isinstance(wavelength, list | tuple) and any(isinstance(w, str) for w in wavelength):
        return np.array([parse_quantity(w, "wavelength") for w in wavelength])
    wl = np.atleast_1d(np.asarray(wavelength, dtype=float))
    if wl.ndim != 1:
        raise ValueError("wavelength must be a scalar or a 1-D sequence of wavelengths in nm")
    return wl
