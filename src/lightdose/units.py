"""Physical units: one pint registry and the parsers used at every input boundary.

A user may write any pint unit ("15 cm", "50 mW/cm^2", "20 min", "37 degC"); inside lightdose every number is
a float in the canonical unit of its *kind*:

=================  ===========  ==========================================
kind               canonical    examples of accepted input
=================  ===========  ==========================================
wavelength         nm           "850 nm", "0.85 um", 850
length             mm           "15 cm", "200 um", 2.5
inverse_length     1/mm         "46 1/cm", "4.6 /mm", 0.46
time               s            "20 min", "1.5 h", 600
power              W            "12 mW", 0.2
energy             J            "8 J", "4000 mJ"
temperature        degC         "42 degC", "42 °C", "310 K", "104 degF"
irradiance         W/mm^2       "50 mW/cm^2", "0.2 W/cm^2"
fluence            J/mm^2       "4 J/cm^2"
heat_transfer      W/(mm^2·K)   "10 W/m^2/K" (convection, contact conductance)
dimensionless      1            0.65, "65 %"
=================  ===========  ==========================================

Bare numbers (int/float) are taken to be in the canonical unit of their kind; everything else must carry a
unit of the right dimension. A wrong dimension ("850 kg" for a wavelength) raises :class:`InputError`
naming the field.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator

from lightdose.errors import InputError

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.formatter.default_format = "~P"
Quantity = ureg.Quantity

CANONICAL_UNITS: dict[str, str] = {
    "wavelength": "nm",
    "length": "mm",
    "inverse_length": "1/mm",
    "time": "s",
    "power": "W",
    "energy": "J",
    "temperature": "degC",
    "irradiance": "W/mm^2",
    "fluence": "J/mm^2",
    "heat_transfer": "W/(mm^2*K)",
    "dimensionless": "dimensionless",
}

_EXAMPLES: dict[str, str] = {
    "wavelength": "'850 nm'",
    "length": "'15 cm'",
    "inverse_length": "'46 1/cm'",
    "time": "'20 min'",
    "power": "'12 mW'",
    "energy": "'8 J'",
    "temperature": "'42 degC'",
    "irradiance": "'50 mW/cm^2'",
    "fluence": "'4 J/cm^2'",
    "heat_transfer": "'10 W/m^2/K'",
    "dimensionless": "'0.65' or '65 %'",
}

# Spellings people type that pint does not read as intended.
_REPLACEMENTS = (("°C", " degC"), ("℃", " degC"), ("°F", " degF"), ("µ", "u"), ("μ", "u"), ("²", "^2"))


def _to_quantity(value: Any, kind: str, field: str) -> pint.Quantity:
    if isinstance(value, pint.Quantity):
        return value
    if isinstance(value, bool):
        raise InputError(field, f"expected a {kind.replace('_', ' ')}, got {value!r}")
    if isinstance(value, int | float):
        return Quantity(float(value), CANONICAL_UNITS[kind])
    if isinstance(value, str):
        text = value.strip()
        for old, new in _REPLACEMENTS:
            text = text.replace(old, new)
        if not text:
            raise InputError(field, f"empty value; expected a {kind.replace('_', ' ')} such as {_EXAMPLES[kind]}")
        try:  # a bare number written as a string is in the canonical unit, like a bare number
            return Quantity(float(text), CANONICAL_UNITS[kind])
        except ValueError:
            pass
        try:
            parsed = ureg.parse_expression(text)
        except (pint.errors.PintError, SyntaxError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(
                field, f"cannot read {value!r} as a {kind.replace('_', ' ')} ({exc}); write e.g. {_EXAMPLES[kind]}"
            ) from None
        return parsed if isinstance(parsed, pint.Quantity) else Quantity(float(parsed), CANONICAL_UNITS[kind])
    raise InputError(field, f"expected a number or a string with a unit, got {type(value).__name__} {value!r}")


def parse_quantity(value: Any, kind: str, field: str | None = None) -> float:
    """Convert `value` to a float in the canonical unit of `kind` (see the module table).

    `field` names the input in error messages (default: the kind). Raises :class:`InputError` for a wrong
    dimension, an unreadable string, or a non-finite number.
    """
    if kind not in CANONICAL_UNITS:
        raise ValueError(f"unknown quantity kind {kind!r}; known: {', '.join(CANONICAL_UNITS)}")
    field = field or kind
    quantity = _to_quantity(value, kind, field)
    target = CANONICAL_UNITS[kind]
    try:
        magnitude = float(quantity.to(target).magnitude)
    except pint.errors.DimensionalityError:
        raise InputError(
            field,
            f"{value!r} has dimension {quantity.dimensionality}, but a {kind.replace('_', ' ')} "
            f"({ureg.Unit(target).dimensionality}) is needed; write e.g. {_EXAMPLES[kind]}",
        ) from None
    if not math.isfinite(magnitude):
        raise InputError(field, f"{value!r} is not a finite number")
    return magnitude


def format_quantity(magnitude: float, kind: str, unit: str | None = None, digits: int = 4) -> str:
    """Format a canonical `magnitude` of `kind` for people, optionally converted to `unit`."""
    quantity = Quantity(magnitude, CANONICAL_UNITS[kind])
    if unit is not None:
        quantity = quantity.to(unit)
    return f"{quantity.magnitude:.{digits}g} {quantity.units:~P}"


def _validator(kind: str) -> BeforeValidator:
    def validate(value: Any) -> float:
        try:
            return parse_quantity(value, kind)
        except InputError as exc:  # pydantic prefixes the field's path itself
            raise ValueError(exc.reason) from None

    return BeforeValidator(validate, json_schema_input_type=float | str)  # the schema: a number or "15 cm"


# Pydantic field types: accept any unit of the right dimension, store the canonical float.
Wavelength = Annotated[float, _validator("wavelength")]
Length = Annotated[float, _validator("length")]
InverseLength = Annotated[float, _validator("inverse_length")]
Duration = Annotated[float, _validator("time")]
Power = Annotated[float, _validator("power")]
Energy = Annotated[float, _validator("energy")]
Temperature = Annotated[float, _validator("temperature")]
Irradiance = Annotated[float, _validator("irradiance")]
Fluence = Annotated[float, _validator("fluence")]
HeatTransferCoefficient = Annotated[float, _validator("heat_transfer")]
Fraction = Annotated[float, _validator("dimensionless")]
