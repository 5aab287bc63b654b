"""One light emitter: spectrum, radiant power, emitting face and angular profile.

Angular profiles (radiant intensity I(θ) from the face normal, θ < 90°):

* ``lambertian``: I(θ) = I₀·cos θ (Lambert's cosine law; half intensity at 60°).
* ``cosine-power``: I(θ) = I₀·cos^m θ, the generalised Lambertian model of LED beams, with m fixed by the
  half-angle at half intensity θ½: m = −ln 2 / ln(cos θ½) (Moreno & Sun 2008, Opt Express 16:1808).
* ``collimated``: a beam that keeps its cross-section (the emitting face) at any distance: a flat-top
  disk/square, or a Gaussian of 1/e² diameter `size` (a laser probe's spot at the skin; divergence ignored).

Normalisation: ∫ I dΩ over the forward hemisphere = P gives I₀ = P·(m + 1)/(2π) (m = 1 for Lambertian).

The emitting face is where the light leaves the device: an LED's lens, a diode's cell behind a pad's window, a
probe's aperture. A face of finite size radiates uniformly over its area (exitance P/A), each point with the
emitter's angular profile, so the irradiance stays finite in contact (P/A on the face). A ``point`` face is the
idealisation of a face much smaller than the distance; it cannot touch the skin.

A band is transported at its centre `wavelength`; `fwhm` (at most :data:`MAX_FWHM_NM`) describes the spectrum and
separates bands, it is not integrated over.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field, model_validator

from lightdose.model_base import FrozenModel
from lightdose.units import Bounded

LAMBERTIAN_HALF_ANGLE_DEG = 60.0
"""Half-angle at half intensity of a Lambertian emitter [deg]: cos 60° = 1/2."""
MIN_HALF_ANGLE_DEG = 1.0
"""Narrowest cos^m beam [deg] (m ≈ 4550; narrower beams are collimated: give beam 'collimated')."""
MAX_HALF_ANGLE_DEG = 89.0
"""Widest cos^m beam [deg] (m ≈ 0.18; at 90° the intensity would not fall off at all)."""
MAX_FWHM_NM = 100.0
"""Widest spectral FWHM of one band [nm]: LEDs are 10–50 nm wide; a broader source is several bands."""
MIN_FACE_MM = 0.01
"""Smallest extended face [mm] (10 µm, below any LED die); smaller is a point."""


def exponent_from_half_angle(half_angle_deg: float) -> float:
    """Exponent m of I ∝ cos^m θ whose intensity halves at `half_angle_deg`: m = −ln 2 / ln(cos θ½)."""
    return -math.log(2.0) / math.log(math.cos(math.radians(half_angle_deg)))


class Emitter(FrozenModel):
    """A single LED, laser diode or superluminous diode.

    `face` is the emitting surface seen from the skin: ``point``, ``disk`` (diameter `size`), ``square`` (side
    `size`) or ``rectangle`` (`size` × `size_y`). Extended faces radiate uniformly over their area. Disks are
    Lambertian or collimated; cos^m beams have a point, square or rectangle face (a round lens: a square of the
    same area).
    """

    wavelength: Annotated[float, Bounded("wavelength", gt=0.0)] = Field(description="centre (peak) wavelength [nm]")
    fwhm: Annotated[float, Bounded("wavelength", ge=0.0, le=MAX_FWHM_NM)] = Field(
        default=0.0, description="spectral full width at half maximum [nm] (the band is transported at its centre)")
    power: Annotated[float, Bounded("power", gt=0.0)] = Field(
        description="radiant (optical) power, time-averaged for pulsed sources [W]")
    face: Literal["point", "disk", "square", "rectangle"] = "point"
    size: Annotated[float, Bounded("length", ge=0.0)] = Field(
        default=0.0, description="disk diameter, square side or rectangle width [mm]")
    size_y: Annotated[float, Bounded("length", ge=MIN_FACE_MM)] | None = Field(
        default=None, description="rectangle height [mm]")
    beam: Literal["lambertian", "cosine-power", "collimated"] = "lambertian"
    half_angle: Annotated[float, Bounded("angle", ge=MIN_HALF_ANGLE_DEG, le=MAX_HALF_ANGLE_DEG)] | None = Field(
        default=None, description="cosine-power: half-angle at half intensity [deg]")
    profile: Literal["flat-top", "gaussian"] = "flat-top"

    @model_validator(mode="after")
    def _consistent(self) -> Emitter:
        if self.face == "point" and self.size != 0.0:
            raise ValueError(f"face 'point' has no size, got {self.size:g} mm; give face 'disk', 'square' or "
                             "'rectangle' for an extended face")
        if self.face != "point" and self.size < MIN_FACE_MM:
            raise ValueError(f"face '{self.face}' needs a size of at least {MIN_FACE_MM:g} mm, got {self.size:g} mm "
                             "(a smaller face is a 'point')")
        if (self.face == "rectangle") != (self.size_y is not None):
            raise ValueError("size_y (the rectangle's height) is given for, and only for, face 'rectangle'")
        if (self.beam == "cosine-power") != (self.half_angle is not None):
            raise ValueError("half_angle is given for, and only for, beam 'cosine-power'")
        if self.beam == "collimated" and self.face == "point":
            raise ValueError("a collimated beam needs an extended face (its cross-section at the skin): disk or square")
        if self.beam == "cosine-power" and self.face == "disk":
            raise ValueError("a cosine-power beam needs a point, square or rectangle face; give a round lens as a "
                             "square of the same area")
        if self.profile == "gaussian" and not (self.beam == "collimated" and self.face == "disk"):
            raise ValueError("profile 'gaussian' applies to a collimated disk beam (size = 1/e² diameter)")
        return self

    @property
    def exponent(self) -> float:
        """m of the cos^m θ intensity profile (1 for Lambertian); undefined (nan) for collimated beams."""
        if self.beam == "collimated":
            return math.nan
        if self.beam == "lambertian":
            return 1.0
        assert self.half_angle is not None  # given for, and only for, 'cosine-power' (_consistent)
        return exponent_from_half_angle(self.half_angle)

    @property
    def face_area(self) -> float:
        """Area of the emitting face [mm²] (0 for a point)."""
        if self.face == "disk":
            return math.pi * self.size**2 / 4.0
        if self.face == "rectangle":
            assert self.size_y is not None  # given for, and only for, a rectangle (_consistent)
            return self.size * self.size_y
        return self.size**2

    @property
    def half_extent(self) -> tuple[float, float]:
        """Half-width and half-height [mm] of the rectangle that holds the face (0 for a point)."""
        return self.size / 2.0, (self.size_y or self.size) / 2.0

    def radiant_intensity(self, theta: ArrayLike) -> NDArray[np.float64]:
        """Radiant intensity I(θ) = P·(m + 1)/(2π)·cos^m θ [W/sr] at polar angle θ [rad]; 0 behind the face."""
        theta = np.asarray(theta, dtype=float)
        m = self.exponent
        cos_theta = np.clip(np.cos(theta), 0.0, None)
        intensity: NDArray[np.float64] = self.power * (m + 1.0) / (2.0 * math.pi) * cos_theta**m
        return intensity
