"""The tissue-optics stage: a preset tissue and wavelengths in, its optical properties out.

``optical_properties(OpticsRequest(tissue="dermis", wavelengths=["660 nm", "810 nm"]))`` gives an
:class:`OpticsResult`: per wavelength μa, μs, μs′, g, n, μeff [1/mm] and the diffusion penetration depth δ [mm]
(model: :mod:`lightdose.optics.tissue`, Jacques 2013, Phys Med Biol 58:R37), with the preset actually used and the
result's provenance. The request's `parameters` choose the dermal scattering (in vivo by default, ``ex-vivo-optics``
for excised dermis; :mod:`lightdose.optics.variants`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import xarray as xr
from pydantic import Field, field_validator, model_validator

from lightdose import tissues
from lightdose.model_base import FrozenModel
from lightdose.optics.tissue import OpticalProperties
from lightdose.parameters import ParameterChoice, Parameters
from lightdose.provenance import Provenance
from lightdose.units import Wavelength

MAX_WAVELENGTHS = 1000
"""Most wavelengths one request may ask for."""


class OpticsRequest(FrozenModel):
    """Optical properties of a preset tissue at some wavelengths.

    `wavelengths` are in nm, or strings with a unit ("810 nm", "0.81 um"); one value alone is a list of one.
    `skin_type` (Fitzpatrick I–VI, or 1–6) picks the epidermis preset of that type and applies to the epidermis
    only. `parameters` (a set's name, or {set, overrides}) gives the scattering of the presets that take it from the
    parameter set (the dermis). The tissue, the skin type and the wavelength range of the tissue's chromophore data
    are checked here.
    """

    tissue: str = Field(min_length=1, description="preset tissue name or alias (see `lightdose tissues`)")
    wavelengths: tuple[Wavelength, ...] = Field(description=f"1 to {MAX_WAVELENGTHS} wavelengths [nm]")
    skin_type: str | None = Field(default=None, description="Fitzpatrick skin type I–VI (epidermis presets only)")
    parameters: Parameters = Field(default_factory=ParameterChoice)

    @field_validator("wavelengths", mode="before")
    @classmethod
    def _one_to_max_wavelengths(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str | int | float) else value
        if isinstance(value, list | tuple) and not 1 <= len(value) <= MAX_WAVELENGTHS:
            raise ValueError(f"give 1 to {MAX_WAVELENGTHS} wavelengths, got {len(value)}")
        return value

    @field_validator("skin_type", mode="before")
    @classmethod
    def _roman_numeral(cls, value: Any) -> str | None:
        return None if value is None else tissues.parse_skin_type(value)

    @model_validator(mode="after")
    def _tissue_and_wavelengths_exist(self) -> OpticsRequest:
        tissues.get(self.tissue, skin_type=self.skin_type).check_wavelengths(self.wavelengths)
        return self


@dataclass(frozen=True)
class WavelengthOptics:
    """The optical properties at one wavelength; coefficients in 1/mm, δ in mm."""

    wavelength: float
    """[nm]"""
    mua: float
    """absorption coefficient μa [1/mm]"""
    mus: float
    """scattering coefficient μs [1/mm]"""
    musp: float
    """reduced scattering coefficient μs′ = μs·(1 − g) [1/mm]"""
    g: float
    """scattering anisotropy [–]"""
    n: float
    """refractive index [–]"""
    mueff: float
    """effective attenuation coefficient √(3μa(μa + μs′)) [1/mm] (diffusion theory)"""
    delta: float
    """penetration depth 1/μeff [mm] (diffusion theory; infinite when nothing absorbs)"""


@dataclass(frozen=True)
class OpticsResult:
    """What :func:`optical_properties` returns: the preset used, its properties per wavelength, and provenance."""

    request: OpticsRequest
    tissue: str
    """The preset used ('epidermis-IV' for ``tissue="epidermis", skin_type="IV"``)."""
    skin_type: str | None
    """The Fitzpatrick type of an epidermis preset (asked for, or the preset's own), else None."""
    properties: OpticalProperties
    """The same values as arrays over the wavelengths."""
    provenance: Provenance

    @property
    def records(self) -> tuple[WavelengthOptics, ...]:
        """One record per wavelength, in the order asked for."""
        p = self.properties
        return tuple(WavelengthOptics(float(p.wavelength_nm[i]), float(p.mua[i]), float(p.mus[i]),
                                      float(p.musp[i]), float(p.g[i]), float(p.n[i]), float(p.mueff[i]),
                                      float(p.delta[i]))
                     for i in range(p.wavelength_nm.size))

    @property
    def dataset(self) -> xr.Dataset:
        """The properties over `wavelength` [nm], units in attrs, the tissue and the provenance in the Dataset's."""
        ds = self.properties.to_dataset()
        ds.attrs.update({"tissue": self.tissue, **({"skin_type": self.skin_type} if self.skin_type else {}),
                         **self.provenance.attrs()})
        return ds


def optical_properties(request: OpticsRequest) -> OpticsResult:
    """The optical properties of the requested preset tissue at the requested wavelengths."""
    params = request.parameters.resolve()
    tissue = tissues.get(request.tissue, skin_type=request.skin_type, parameters=params)
    return OpticsResult(request=request, tissue=tissue.name, skin_type=tissues.skin_type_of(tissue.name),
                        properties=tissue.optical_properties(list(request.wavelengths)),
                        provenance=Provenance.of(request, params.name))
