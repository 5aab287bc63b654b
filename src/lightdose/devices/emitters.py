"""One light emitter: spectrum, radiant power, emitting face and angular profile.

Angular profiles (radiant intensity I(θ) from the face normal, θ < 90°):

* ``lambertian``: I(θ) = I₀·cos θ (Lambert's cosine law; half intensity at 60°).
* ``cosine-power``: I(θ) = I₀·cos^m θ, the generalised Lambertian model of LED beams, with m fixed by the
  half-angle at half intensity θ½: m = −ln 2 / ln(cos θ½) (Moreno & Sun 2008, Opt Express 16:1808).
* ``collimated``: a beam that keeps its cross-section (the emitting face) at any distance: a flat-top
  disk/square, or a Gaussian of 1/e² diameter `size` (a laser probe's spot at the skin; divergence ignored).

Normalisation: ∫ I dΩ over the forward hemisphere = P gives I₀ = P·(m + 1)/(2π) (m = 1 for Lambertian).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import pint
from numpy.typing import ArrayLike, NDArray
from pydantic import BeforeValidator, Field, model_validator

from lightdose.model_base import FrozenModel
from lightdose.units import Bounded, ureg


def _parse_angle(value: Any) -> float:
    """An angle in degrees: a bare number is degrees, or give a unit ("30 deg", "0.5 rad")."""
    if isinstance(value, bool):
        raise ValueError(f"expected an angle such as '30 deg', got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    try:
        quantity = ureg.Quantity(str(value).replace("°", " deg"))
        return float(quantity.to("deg").magnitude)
    except (pint.errors.PintError, AttributeError, SyntaxError, TypeError, ValueError):
        raise ValueError(f"cannot read {value!r} as an angle; write e.g. '30 deg'") from None


Angle = Annotated[float, BeforeValidator(_parse_angle)]
"""Pydantic field type: an angle stored in degrees."""

LAMBERTIAN_HALF_ANGLE_DEG = 60.0
"""Half-angle at half intensity of a Lambertian emitter [deg]: cos 60° = 1/2."""


def exponent_from_half_angle(half_angle_deg: float) -> float:
    """Exponent m of I ∝ cos^m θ whose intensity halves at `half_angle_deg`: m = −ln 2 / ln(cos θ½)."""
    return -math.log(2.0) / math.log(math.cos(math.radians(half_angle_deg)))


class Emitter(FrozenModel):
    """A single LED, laser diode or superluminous diode.

    `face` is the emitting surface seen from the skin: ``point``, ``disk`` (diameter `size`), ``square`` (side
    `size`) or ``rectangle`` (`size` × `size_y`). Extended faces radiate uniformly over their area; diverging
    extended faces must be Lambertian (closed-form view factors), beam-shaped LEDs are points.
    """

    wavelength: Annotated[float, Bounded("wavelength", gt=0.0)] = Field(description="centre (peak) wavelength [nm]")
    fwhm: Annotated[float, Bounded("wavelength", ge=0.0)] = Field(
        default=0.0, description="spectral full width at half maximum [nm]")
    power: Annotated[float, Bounded("power", gt=0.0)] = Field(
        description="radiant (optical) power, time-averaged for pulsed sources [W]")
    face: Literal["point", "disk", "square", "rectangle"] = "point"
    size: Annotated[float, Bounded("length", ge=0.0)] = Field(
        default=0.0, description="disk diameter, square side or rectangle width [mm]")
    size_y: Annotated[float, Bounded("length", gt=0.0)] | None = Field(
        default=None, description="rectangle height [mm]")
    beam: Literal["lambertian", "cosine-power", "collimated"] = "lambertian"
    half_angle: Angle | None = Field(
        default=None, gt=0.0, lt=90.0, description="cosine-power: half-angle at half intensity [deg]"
    )
    profile: Literal["flat-top", "gaussian"] = "flat-top"

    @model_validator(mode="after")
    def _consistent(self) -> Emitter:
        if (self.face == "point") != (self.size == 0.0):
            raise ValueError(f"face '{self.face}' needs size {'0' if self.face == 'point' else '> 0'}, got {self.size}")
        if (self.face == "rectangle") != (self.size_y is not None):
            raise ValueError("size_y (the rectangle's height) is given for, and only for, face 'rectangle'")
        if (self.beam == "cosine-power") != (self.half_angle is not None):
            raise ValueError("half_angle is given for, and only for, beam 'cosine-power'")
        if self.beam == "collimated" and self.face == "point":
            raise ValueError("a collimated beam needs an extended face (its cross-section at the skin): disk or square")
        if self.beam == "cosine-power" and self.face != "point":
            raise ValueError("a cosine-power beam is modelled from a point face; use beam 'lambertian' for a face")
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
        return exponent_from_half_angle(self.half_angle)

    @property
    def face_area(self) -> float:
        """Area of the emitting face [mm²] (0 for a point)."""
        if self.face == "disk":
            return math.pi * self.size**2 / 4.0
        if self.face == "rectangle":
            return self.size * self.size_y
        return self.size**2

    def radiant_intensity(self, theta: ArrayLike) -> NDArray[np.float64]:
        """Radiant intensity I(θ) = P·(m + 1)/(2π)·cos^m θ [W/sr] at polar angle θ [rad]; 0 behind the face."""
        theta = np.asarray(theta, dtype=float)
        m = self.exponent
        cos_theta = np.clip(np.cos(theta), 0.0, None)
        return self.power * (m + 1.0) / (2.0 * math.pi) * cos_theta**m
