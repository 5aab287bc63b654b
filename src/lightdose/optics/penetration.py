"""Diffusion-theory penetration of a broad beam: μeff = √(3μa(μa + μs′)) and δ = 1/μeff — the one definition of
both in lightdose (``OpticalProperties.mueff``/``.delta`` and the transport solvers use these functions).

Far from sources and boundaries the fluence rate of a broad beam in a homogeneous turbid medium decays as
exp(−z/δ) (diffusion approximation; e.g. Jacques 2013, Phys Med Biol 58:R37; Welch & van Gemert, "Optical-
Thermal Response of Laser-Irradiated Tissue", 2nd ed. 2011). Valid when μs′ ≫ μa; near the surface, and in
weakly scattering media, use the Monte Carlo solver instead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def effective_attenuation_coefficient(mua: ArrayLike, musp: ArrayLike) -> NDArray[np.float64]:
    """μeff = √(3μa(μa + μs′)) in the unit of the inputs (1/mm in lightdose): μa absorption, μs′ reduced
    scattering coefficient. Raises ValueError for a negative coefficient (a programming error: tissues validate
    their coefficients)."""
    mua = np.asarray(mua, dtype=float)
    musp = np.asarray(musp, dtype=float)
    if np.any(mua < 0) or np.any(musp < 0):
        raise ValueError("absorption and reduced scattering coefficients must be non-negative")
    return np.sqrt(3.0 * mua * (mua + musp))


def penetration_depth(mua: ArrayLike, musp: ArrayLike) -> NDArray[np.float64]:
    """δ = 1/μeff: the depth over which a broad beam's fluence rate falls by 1/e (mm for inputs in 1/mm);
    infinite where nothing absorbs (μa = 0)."""
    with np.errstate(divide="ignore"):
        return 1.0 / effective_attenuation_coefficient(mua, musp)
