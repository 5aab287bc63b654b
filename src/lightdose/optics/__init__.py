"""Tissue optics: chromophore spectra (:mod:`~lightdose.optics.spectra`), a tissue's composition → optical
properties (:mod:`~lightdose.optics.tissue`), μeff and δ (:mod:`~lightdose.optics.penetration`), and the stage
that answers "what are the optical properties of this preset tissue at these wavelengths"
(:func:`optical_properties`: :class:`OpticsRequest` → :class:`OpticsResult`)."""

from lightdose.optics.properties import OpticsRequest, OpticsResult, WavelengthOptics, optical_properties

__all__ = ["OpticsRequest", "OpticsResult", "WavelengthOptics", "optical_properties"]
