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
from dataclasses import dataclass
from typing import Annotated, Any

import pint
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, core_schema

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

WITH_UNIT_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[^\s\d.,+-]"
"""JSON Schema pattern of a number followed by a unit ("4 J/cm^2"), for fields whose unit is required."""

# Spellings people type that pint does not read as intended.
_REPLACEMENTS = (("°C", " degC"), ("℃", " degC"), ("°F", " degF"), ("µ", "u"), ("μ", "u"), ("²", "^2"))


def _to_quantity(value: Any, kind: str, field: str, unit_required: bool) -> pint.Quantity:
    if isinstance(value, pint.Quantity):
        return value
    if isinstance(value, bool):
        raise InputError(field, f"expected a {kind.replace('_', ' ')}, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        for old, new in _REPLACEMENTS:
            text = text.replace(old, new)
        if not text:
            raise InputError(field, f"empty value; expected a {kind.replace('_', ' ')} such as {_EXAMPLES[kind]}")
        try:
            value = float(text)  # a bare number written as a string is a bare number
        except ValueError:
            try:
                value = ureg.parse_expression(text)
            except (pint.errors.PintError, SyntaxError, TypeError, ValueError, AttributeError) as exc:
                raise InputError(field, f"cannot read {value!r} as a {kind.replace('_', ' ')} ({exc}); write e.g. "
                                        f"{_EXAMPLES[kind]}") from None
        if isinstance(value, pint.Quantity):
            return value
    if isinstance(value, int | float):
        if unit_required:
            raise InputError(field, f"{value:g} has no unit; write it with its unit, e.g. {_EXAMPLES[kind]}")
        return Quantity(float(value), CANONICAL_UNITS[kind])  # bare numbers are in the canonical unit
    raise InputError(field, f"expected a number or a string with a unit, got {type(value).__name__} {value!r}")


def parse_quantity(value: Any, kind: str, field: str | None = None, unit_required: bool = False) -> float:
    """Convert `value` to a float in the canonical unit of `kind` (see the module table).

    `field` names the input in error messages (default: the kind). With `unit_required`, a number without a unit
    (5 or "5") is refused. Raises :class:`InputError` for a wrong dimension, an unreadable string, a missing unit or
    a non-finite number.
    """
    if kind not in CANONICAL_UNITS:
        raise ValueError(f"unknown quantity kind {kind!r}; known: {', '.join(CANONICAL_UNITS)}")
    field = field or kind
    quantity = _to_quantity(value, kind, field, unit_required)
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


# Display units: the dose literature's units, used only at the edges (reports, JSON, tables, plots, input windows).
# Inside lightdose irradiance is W/mm² and radiant exposure J/mm²; these are the only conversions to and from them.
MW_CM2_PER_W_MM2 = 1.0e5
"""1 W/mm² = 100 W/cm² = 10⁵ mW/cm²."""
J_CM2_PER_J_MM2 = 100.0
"""1 J/mm² = 100 J/cm²."""


def mw_cm2(w_mm2: Any) -> Any:
    """Irradiance or fluence rate in W/mm² (float, array or DataArray) → mW/cm² (display)."""
    return w_mm2 * MW_CM2_PER_W_MM2


def j_cm2(j_mm2: Any) -> Any:
    """Radiant exposure (fluence) in J/mm² (float, array or DataArray) → J/cm² (display)."""
    return j_mm2 * J_CM2_PER_J_MM2


def from_j_cm2(value_j_cm2: Any) -> Any:
    """Radiant exposure in J/cm² (display) → J/mm² (canonical)."""
    return value_j_cm2 / J_CM2_PER_J_MM2


def from_mw_cm2(value_mw_cm2: Any) -> Any:
    """Irradiance in mW/cm² (display) → W/mm² (canonical)."""
    return value_mw_cm2 / MW_CM2_PER_W_MM2


def unit_text(kind: str) -> str:
    """The canonical unit of `kind` as people write it ('mm', '°C', 'W/mm²'; '' when dimensionless)."""
    return f"{ureg.Unit(CANONICAL_UNITS[kind]):~P}"


def _shown(value: Any, kind: str) -> str:
    """An input as the user wrote it, with its unit: '-5 cm' as given, a bare number in the canonical unit."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, pint.Quantity):
        return f"{value:~P}"
    return f"{value:g} {unit_text(kind)}".rstrip()


@dataclass(frozen=True)
class Bounded:
    """Pydantic metadata of a quantity field of `kind`, optionally within a range in its canonical unit (``ge``/``gt``
    below, ``le``/``lt`` above): reads any unit of the kind's dimension and stores the canonical float.

    ``distance: Annotated[float, Bounded("length", ge=0.0, le=3000.0)]`` accepts ``"15 cm"`` or ``150`` and refuses
    ``"-5 cm"`` with "-5 cm is outside the allowed range 0–3000 mm". This is the one place where quantity ranges are
    checked; the JSON Schema it exports is "a number in the canonical unit within the range, or a string with a unit".
    """

    kind: str
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in CANONICAL_UNITS:
            raise ValueError(f"unknown quantity kind {self.kind!r}; known: {', '.join(CANONICAL_UNITS)}")

    def admits(self, value: float) -> bool:
        """Whether the canonical `value` lies in the range."""
        return not ((self.ge is not None and value < self.ge) or (self.gt is not None and value <= self.gt)
                    or (self.le is not None and value > self.le) or (self.lt is not None and value >= self.lt))

    def range_text(self) -> str:
        """The range for people: '0–3000 mm', or in words: 'greater than 0 and at most 14400 s'."""
        unit = unit_text(self.kind)
        unit = f" {unit}" if unit else ""
        if self.ge is not None and self.le is not None:
            return f"{self.ge:g}–{self.le:g}{unit}"
        words = [f"{word} {bound:g}" for word, bound in (("at least", self.ge), ("greater than", self.gt),
                                                       ("at most", self.le), ("less than", self.lt))
                 if bound is not None]
        return " and ".join(words) + unit if words else "any value"

    def validate(self, value: Any) -> float:
        """The canonical float of `value`; errors name the value as written and the allowed range."""
        try:
            magnitude = parse_quantity(value, self.kind)
        except InputError as exc:  # pydantic prefixes the field's path itself
            raise ValueError(exc.reason) from None
        if not self.admits(magnitude):
            raise ValueError(f"{_shown(value, self.kind)} is outside the allowed range {self.range_text()}")
        return magnitude

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.validate, handler(float))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        unit = unit_text(self.kind)
        limits = {"minimum": self.ge, "exclusiveMinimum": self.gt, "maximum": self.le, "exclusiveMaximum": self.lt}
        number = {"type": "number", "description": f"in {unit}" if unit else "a plain number",
                  **{k: v for k, v in limits.items() if v is not None}}
        return {"anyOf": [number, {"type": "string", "minLength": 1,
                                   "description": f"with a unit, e.g. {_EXAMPLES[self.kind]}"}]}


# Pydantic field types: accept any unit of the right dimension, store the canonical float. A field with a range
# writes e.g. Annotated[float, Bounded("length", ge=0.0)].
Wavelength = Annotated[float, Bounded("wavelength")]
Length = Annotated[float, Bounded("length")]
InverseLength = Annotated[float, Bounded("inverse_length")]
Duration = Annotated[float, Bounded("time")]
Power = Annotated[float, Bounded("power")]
Energy = Annotated[float, Bounded("energy")]
Temperature = Annotated[float, Bounded("temperature")]
Irradiance = Annotated[float, Bounded("irradiance")]
Fluence = Annotated[float, Bounded("fluence")]
HeatTransferCoefficient = Annotated[float, Bounded("heat_transfer")]
Fraction = Annotated[float, Bounded("dimensionless")]
UnitFraction = Annotated[float, Bounded("dimensionless", ge=0.0, le=1.0)]
"""A fraction from 0 to 1 (0–100 %)."""
