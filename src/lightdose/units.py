"""Physical units: one pint registry and the parser used at every input boundary.

A user may write any pint unit ("15 cm", "50 mW/cm^2", "20 min", "37 °C"); inside lightdose every number is a
float in the canonical unit of its *kind*:

=================  ===========  ==========================================
kind               canonical    examples of accepted input
=================  ===========  ==========================================
wavelength         nm           "850 nm", "0.85 um", 850
length             mm           "15 cm", "200 um", 2.5
inverse_length     1/mm         "46 1/cm", "4.6 /mm", 0.46
time               s            "20 min", "1.5 h", 600
power              W            "12 mW", 0.2
energy             J            "8 J", "4000 mJ"
temperature        degC         "42 degC", "42 °C", "42C", "310 K", "104 °F", 42
irradiance         W/mm^2       "50 mW/cm^2", "50 mW/cm²", "0.2 W/cm^2"
fluence            J/mm^2       "4 J/cm^2"
heat_transfer      W/(mm^2·K)   "10 W/m^2/K" (convection, contact conductance)
dimensionless      1            0.65, "65 %"
mass               kg           "70 kg", "154 lb"
speed              m/s          "0.2 m/s", "20 cm/s"
angle              deg          "30 deg", "30°", "0.5 rad"
=================  ===========  ==========================================

How a quantity is read (:func:`parse_quantity`): a number and a unit, never an expression.

1. The text is normalised: Unicode NFKC (full-width "８１０ｎｍ" is "810nm"), superscripts become powers
   ("cm²" → "cm^2", "s⁻¹" → "s^-1"), µ and μ become u, °C and ℃ become degC, °F and ℉ become degF, a lone ° is a degree
   of arc, the minus sign − becomes -, and · or × multiply.
2. It may be at most :data:`MAX_QUANTITY_LENGTH` characters long and hold only ASCII letters, digits, spaces and
   ``. + - * / ^ ( ) %``.
3. It starts with an optional sign and a decimal or scientific number ("850", "-5", ".5", "1.5e3"). A number that
   is not finite ("inf", "nan", "1e999") is refused.
4. An optional unit follows: unit names that pint knows (nm, um, cm, min, h, mW, J, degC, K, percent …), joined by
   ``*`` (or a space) and ``/``, raised to whole powers from −9 to 9 with ``^`` or ``**`` ("cm^2"; a name ending in
   one digit is a power too: "cm2"), in parentheses nested at most :data:`MAX_PARENTHESES_DEPTH` deep, with ``1/`` or
   ``/`` in front for an inverse ("46 1/cm", "4.6 /mm"). For a temperature a lone ``C`` or ``F`` after the number
   means °C or °F ("60C" is 60 °C, not 60 coulomb).

Anything else — arithmetic ("1/0 nm", "9**9**9 nm"), other characters ("810nm; rm -rf /"), unknown units, a wrong
dimension — raises one :class:`~lightdose.errors.InputError` naming the field, saying what was wrong and how to write
the value (``write e.g. '850 nm'``). pint only ever sees single unit names, so no exception of its own escapes.

Bare numbers. A number without a unit (``15`` or ``"15"``) means the canonical unit of its kind: Python code that
builds requests from canonical floats keeps working. People, though, meant minutes and centimetres when they typed
``30`` and ``15``; so every loader of user input (scenario files, command-line options, the web API) validates
with the pydantic context :data:`USER_INPUT`::

    Scenario.model_validate(data, context=USER_INPUT)

Under it a :class:`Bounded` field of a kind in :data:`UNIT_REQUIRED_KINDS` (length, time, power, energy,
irradiance, fluence, inverse length, heat transfer) refuses a number without a unit — ``distance: 15 has no unit;
write it with its unit, e.g. '15 cm'`` — except 0, which needs none. Wavelength (nm), temperature (°C) and
dimensionless fields still take bare numbers: their unit is unambiguous and documented. Pydantic passes the context
on to nested models and list items. ``model.model_dump(context=USER_INPUT)`` writes such fields with their canonical
unit ("150.0 mm"), so that a dump reads back under the same context. ``parse_quantity(..., unit_required=True)``
applies the same rule to any kind but dimensionless (0 allowed, except for a temperature).
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any

import pint
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, core_schema

from lightdose.errors import InputError

ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
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
    "mass": "kg",
    "speed": "m/s",
    "angle": "deg",
}

_EXAMPLES: dict[str, tuple[str, str]] = {
    "wavelength": ("850", "nm"),
    "length": ("15", "cm"),
    "inverse_length": ("46", "1/cm"),
    "time": ("20", "min"),
    "power": ("12", "mW"),
    "energy": ("8", "J"),
    "temperature": ("42", "degC"),
    "irradiance": ("50", "mW/cm^2"),
    "fluence": ("4", "J/cm^2"),
    "heat_transfer": ("10", "W/m^2/K"),
    "dimensionless": ("65", "%"),
    "mass": ("70", "kg"),
    "speed": ("0.2", "m/s"),
    "angle": ("30", "deg"),
}
"""Per kind, a typical number and the unit people use for it (the messages' ``write e.g. '15 cm'``)."""

UNIT_REQUIRED_KINDS = frozenset({"length", "time", "power", "energy", "irradiance", "fluence", "inverse_length",
                                 "heat_transfer"})
"""Kinds whose bare numbers user input may not use (under :data:`USER_INPUT`): people get their unit wrong."""

USER_INPUT: Mapping[str, str] = MappingProxyType({"units": "required"})
"""The pydantic validation context of user input: ``Model.model_validate(data, context=USER_INPUT)`` refuses bare
numbers for the kinds in :data:`UNIT_REQUIRED_KINDS` (0 excepted)."""

MAX_QUANTITY_LENGTH = 64
"""Longest quantity text read [characters]; anything longer is refused before it is parsed."""
MAX_PARENTHESES_DEPTH = 3
"""Deepest nesting of parentheses in a unit ("W/(m^2*K)" is 1 deep)."""
MAX_EXPONENT = 9
"""Largest |power| of a unit ("cm^2", "s^-1")."""

WITH_UNIT_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[^\s\d.,+-]"
"""JSON Schema pattern of a number followed by a unit ("4 J/cm^2"), for fields whose unit is required."""

_SUPERSCRIPT = re.compile(r"[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_AFTER_NFKC = str.maketrans({"μ": "u", "µ": "u", "−": "-", "·": "*", "⋅": "*", "×": "*"})
_DEGREES = re.compile(r"(?:°|\bdeg)\s*([CF])(?![A-Za-z_])")
_NOT_ALLOWED = re.compile(r"[^0-9A-Za-z_ \t.+\-*/^()%]")
_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?:nan|inf(?:inity)?)(?![A-Za-z_]))",
                     re.IGNORECASE)
_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_]+(?:\d+[A-Za-z_]+)*)(?P<power>\d)?(?!\d)|(?P<integer>[+-]?\d+)"
                    r"|(?P<op>\*\*|[*/^()%]))")


class _Unreadable(Exception):
    """Why a text is not a quantity (internal: becomes an InputError naming the field)."""


def _a(kind: str) -> str:
    """'a length', 'an inverse length'."""
    words = kind.replace("_", " ")
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _example(kind: str) -> str:
    if kind == "dimensionless":
        return "'0.65' or '65 %'"
    number, unit = _EXAMPLES[kind]
    return f"'{number} {unit}'"


def _brief(text: str) -> str:
    """`text` quoted for a message: control characters and lone surrogates escaped, long texts cut at 40."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _normalise(text: str) -> str:
    """The spellings people type, in the ASCII the grammar reads (module docstring, rule 1)."""
    text = _SUPERSCRIPT.sub(lambda match: "^" + match.group().translate(_SUPERSCRIPT_DIGITS), text)
    text = text.replace("º", "°")  # the ordinal indicator typed for a degree sign (NFKC would make it an 'o')
    text = unicodedata.normalize("NFKC", text).translate(_AFTER_NFKC)
    return _DEGREES.sub(r" deg\1", text).replace("°", " deg").strip()  # a lone ° is a degree of arc


def _check_text(text: str) -> str:
    """`text` normalised, or _Unreadable when it is too long or holds a character the grammar never uses."""
    if len(text) > MAX_QUANTITY_LENGTH:
        raise _Unreadable(f"{len(text)} characters; a quantity is a number and a unit of at most "
                          f"{MAX_QUANTITY_LENGTH} characters")
    normal = _normalise(text)
    if len(normal) > MAX_QUANTITY_LENGTH:  # NFKC expands a few ligatures
        raise _Unreadable(f"{len(normal)} characters once normalised; at most {MAX_QUANTITY_LENGTH}")
    bad = _NOT_ALLOWED.search(normal)
    if bad:
        raise _Unreadable(f"{bad.group()!r} is not allowed: a quantity is a number and a unit, nothing else")
    return normal


_OFFSET_UNITS = ((ureg.degC, ureg.delta_degC), (ureg.degF, ureg.delta_degF))
"""Offset temperature units and their differences, which a compound unit means ("W/m^2/degC" is W/m²/K)."""


@functools.lru_cache(maxsize=1024)
def _named_unit(name: str) -> pint.Unit:
    return ureg.Unit(name)


@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "integer" or "op"
    text: str
    power: int | None = None
    """A name's trailing digit ("cm2" is cm^2)."""


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _Unreadable(f"unexpected {text[position:].strip()[:1]!r} in the unit {text!r}")
        group = match.lastgroup
        kind = "name" if group is None or group == "power" else group
        power = match.group("power")
        tokens.append(_Token(kind, match.group(kind), int(power) if power else None))
        position = match.end()
    return tokens


class _UnitParser:
    """Recursive descent over the unit grammar (module docstring, rule 4), into {unit name: power}.

    unit := ["1"] "/" factor (sep factor)* | factor (sep factor)*,   sep := "*" | "/" | nothing (a space)
    factor := atom [("^" | "**") integer],   atom := name | "%" | "(" unit ")"
    """

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0

    def parse(self) -> dict[str, int]:
        powers = self._unit(depth=0)
        if self.position < len(self.tokens):
            raise _Unreadable(f"unexpected {self.tokens[self.position].text!r} in the unit {self.text!r}")
        return powers

    def _peek(self, offset: int = 0) -> _Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def _take(self) -> _Token:
        token = self._peek()
        if token is None:
            raise _Unreadable(f"the unit {self.text!r} ends too early")
        self.position += 1
        return token

    def _is(self, offset: int, kind: str, *texts: str) -> bool:
        token = self._peek(offset)
        return token is not None and token.kind == kind and (not texts or token.text in texts)

    def _unit(self, depth: int) -> dict[str, int]:
        if self._is(0, "integer", "1") and self._is(1, "op", "/"):
            self._take()
        powers = {} if self._is(0, "op", "/") else self._factor(depth)
        while self._peek() is not None and not self._is(0, "op", ")"):
            sign = 1
            if self._is(0, "op", "/", "*"):
                sign = -1 if self._take().text == "/" else 1
            for name, power in self._factor(depth).items():
                powers[name] = powers.get(name, 0) + sign * power
        return powers

    def _factor(self, depth: int) -> dict[str, int]:
        token = self._take()
        if token.kind == "name":
            try:
                _named_unit(token.text)
            except Exception:  # pint raises several types for names it does not know
                raise _Unreadable(f"unknown unit {token.text!r}") from None
            powers = {token.text: token.power or 1}
        elif token.kind == "op" and token.text == "%":
            powers = {"%": 1}
        elif token.kind == "op" and token.text == "(":
            if depth >= MAX_PARENTHESES_DEPTH:
                raise _Unreadable(f"parentheses nested deeper than {MAX_PARENTHESES_DEPTH}")
            powers = self._unit(depth + 1)
            if not self._is(0, "op", ")"):
                raise _Unreadable(f"a '(' without its ')' in the unit {self.text!r}")
            self._take()
        else:
            raise _Unreadable(f"unexpected {token.text!r} in the unit {self.text!r}")
        if self._is(0, "op", "^", "**"):
            operator = self._take().text
            exponent = self._peek()
            if exponent is None or exponent.kind != "integer" or len(exponent.text.lstrip("+-")) > 1:
                raise _Unreadable(f"{operator!r} must be followed by a whole power from -{MAX_EXPONENT} to "
                                  f"{MAX_EXPONENT}")
            self._take()
            powers = {name: power * int(exponent.text) for name, power in powers.items()}
        return powers


def _parse_unit_text(text: str) -> pint.Unit:
    """The pint unit of a unit text. °C and °F inside a compound unit ("W/m^2/degC") are temperature differences."""
    try:
        powers = {name: power for name, power in _UnitParser(text).parse().items() if power}
        compound = len(powers) != 1 or 1 not in powers.values()
        unit = ureg.dimensionless
        for name, power in powers.items():
            named = ureg.percent if name == "%" else _named_unit(name)
            if compound:
                named = next((delta for offset, delta in _OFFSET_UNITS if named == offset), named)
            unit = unit * named**power
        return unit
    except _Unreadable:
        raise
    except Exception as exc:  # pint's unit arithmetic: whatever it raises, the unit is unreadable
        raise _Unreadable(f"cannot combine the units of {text!r} ({exc})") from None


def parse_unit(text: str, field: str = "unit") -> pint.Unit:
    """The pint unit `text` names ("mW/cm^2", "°C", "1/mm"), read by the grammar of the module docstring (rules 1,
    2 and 4, no number). Raises :class:`InputError` naming `field` for anything else."""
    try:
        return _parse_unit_text(_check_text(text.strip()))
    except _Unreadable as exc:
        raise InputError(field, f"cannot read {_brief(text)} as a unit ({exc}); write e.g. 'mW/cm^2'") from None


def _read_text(value: str, kind: str, field: str) -> tuple[float, str, pint.Unit | None]:
    """The number, the number as written and the unit (None when there is none) of a quantity text."""
    text = value.strip()
    if not text:
        raise InputError(field, f"empty value; expected {_a(kind)} such as {_example(kind)}")
    try:
        normal = _check_text(text)
        match = _NUMBER.match(normal)
        if match is None:
            raise _Unreadable("it does not start with a number")
        rest = normal[match.end():].strip()
        if kind == "temperature" and rest in ("C", "F"):  # "60C" is 60 °C, not 60 coulomb
            rest = f"deg{rest}"
        unit = _parse_unit_text(rest) if rest else None
    except _Unreadable as exc:
        raise InputError(field, f"cannot read {_brief(text)} as {_a(kind)} ({exc}); write e.g. "
                                f"{_example(kind)}") from None
    return float(match.group()), match.group(), unit


def _to_quantity(value: Any, kind: str, field: str, unit_required: bool) -> pint.Quantity[Any]:
    """`value` as a pint quantity: a quantity as it is, a text read by the grammar, a bare number in the canonical
    unit (refused when `unit_required`, but for 0, a dimensionless kind, and a temperature's 0 °C excepted)."""
    if isinstance(value, pint.Quantity):
        return value
    if isinstance(value, bool):
        raise InputError(field, f"expected {_a(kind)}, got {value!r}")
    if isinstance(value, str):
        number, written, unit = _read_text(value, kind, field)
    elif isinstance(value, numbers.Real):
        try:
            number = float(value)
        except OverflowError:  # an int beyond the float range
            raise InputError(field, "a whole number beyond ±1.8e308 is too large") from None
        written, unit = f"{number:g}", None
    else:
        raise InputError(field, f"expected a number or a string with a unit, got {type(value).__name__} "
                                f"{_brief(repr(value))}")
    if not math.isfinite(number):
        raise InputError(field, f"{_brief(value) if isinstance(value, str) else written} is not a finite number")
    if unit is None:
        if unit_required and kind != "dimensionless" and (number != 0.0 or kind == "temperature"):
            raise InputError(field, f"{written} has no unit; write it with its unit, e.g. "
                                    f"'{written} {_EXAMPLES[kind][1]}'")
        return Quantity(number, CANONICAL_UNITS[kind])
    return Quantity(number, unit)


def parse_quantity(value: Any, kind: str, field: str | None = None, unit_required: bool = False) -> float:
    """Convert `value` to a float in the canonical unit of `kind` (see the module docstring for what is read).

    `value` is a string ("15 cm"), a real number (in the canonical unit) or a pint quantity. `field` names the input
    in error messages (default: the kind). With `unit_required`, a number without a unit (5 or "5") is refused, except
    0 (not for a temperature) and dimensionless kinds. Raises :class:`InputError` for an unreadable text, a wrong
    dimension, a missing unit or a number that is not finite; nothing else.
    """
    if kind not in CANONICAL_UNITS:
        raise ValueError(f"unknown quantity kind {kind!r}; known: {', '.join(CANONICAL_UNITS)}")
    field = field or kind
    quantity = _to_quantity(value, kind, field, unit_required)
    target = CANONICAL_UNITS[kind]
    shown = _brief(value) if isinstance(value, str) else repr(value)
    try:
        magnitude = float(quantity.to(target).magnitude)
    except pint.errors.DimensionalityError:
        raise InputError(
            field,
            f"{shown} has dimension {quantity.dimensionality}, but {_a(kind)} "
            f"({ureg.Unit(target).dimensionality}) is needed; write e.g. {_example(kind)}",
        ) from None
    except Exception as exc:  # pint raises offset-unit, registry and type errors of several kinds
        raise InputError(field, f"cannot convert {shown} to {unit_text(kind) or 'a plain number'} ({exc}); write "
                                f"e.g. {_example(kind)}") from None
    if not math.isfinite(magnitude):
        raise InputError(field, f"{shown} is not a finite number in {unit_text(kind) or 'plain numbers'}")
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


_PEOPLE_UNITS: dict[str, tuple[str, float]] = {"irradiance": ("mW/cm²", 1e-5), "fluence": ("J/cm²", 1e-2),
                                               "heat_transfer": ("W/(m²·K)", 1e-6)}
"""Kinds whose canonical unit nobody writes: the unit people use and its size in the canonical unit."""


def _bound_text(kind: str, value: float) -> str:
    """A range bound [canonical unit] as people read it: times in s, min or h, fractions in %, irradiances in
    mW/cm², fluences in J/cm², heat-transfer coefficients in W/(m²·K)."""
    if kind == "time" and value != 0:
        for unit, size in (("h", 3600.0), ("min", 60.0)):
            if abs(value) >= size and (value / size) == round(value / size, 3):
                return f"{value / size:g} {unit}"
    if kind == "dimensionless":
        return f"{100 * value:g} %"
    if kind in _PEOPLE_UNITS:
        unit, size = _PEOPLE_UNITS[kind]
        return f"{value / size:g} {unit}"
    unit = unit_text(kind)
    return f"{value:g} {unit}".rstrip()


def _shown(value: Any, kind: str) -> str:
    """An input as the user wrote it, with its unit: '-5 cm' as given, a bare number in the canonical unit."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, pint.Quantity):
        return f"{value:~P}"
    return f"{value:g} {unit_text(kind)}".rstrip()


def _is_bare_number(value: Any) -> bool:
    """Whether `value` is a number, or a text of a number alone (no unit)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def units_required(context: Any) -> bool:
    """Whether a pydantic validation or serialisation context is :data:`USER_INPUT` (units required)."""
    return isinstance(context, Mapping) and context.get("units") == "required"


@dataclass(frozen=True)
class Bounded:
    """Pydantic metadata of a quantity field of `kind`, optionally within a range in its canonical unit (``ge``/``gt``
    below, ``le``/``lt`` above): reads any unit of the kind's dimension and stores the canonical float.

    ``distance: Annotated[float, Bounded("length", ge=0.0, le=3000.0)]`` accepts ``"15 cm"`` or ``150`` and refuses
    ``"-5 cm"`` with "-5 cm is outside the allowed range 0–3000 mm". Validated with the context :data:`USER_INPUT`
    it refuses ``150`` too ("150 has no unit; write it with its unit, e.g. '150 cm'") when its kind is in
    :data:`UNIT_REQUIRED_KINDS`, and dumped with it, it writes ``"150.0 mm"``. This is the one place where quantity
    ranges are checked; the JSON Schema it exports is "a number in the canonical unit within the range, or a string
    with a unit".
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
        """The range for people, in the unit people use for it: '0–3000 mm', '0–100 %', or in words: 'greater than
        0 s and at most 4 h'."""
        if self.ge is not None and self.le is not None:
            low, high = _bound_text(self.kind, self.ge), _bound_text(self.kind, self.le)
            low_value, low_unit = low.rsplit(" ", 1) if " " in low else (low, "")
            return f"{low_value}–{high}" if high.endswith(" " + low_unit) or not low_unit else f"{low}–{high}"
        words = [f"{word} {_bound_text(self.kind, bound)}" for word, bound in (
            ("at least", self.ge), ("greater than", self.gt), ("at most", self.le), ("less than", self.lt))
            if bound is not None]
        return " and ".join(words) if words else "any value"

    def validate(self, value: Any, unit_required: bool = False) -> float:
        """The canonical float of `value`; errors name the value as written and the allowed range. With
        `unit_required`, a bare number other than 0 is refused (see :func:`parse_quantity`)."""
        try:
            magnitude = parse_quantity(value, self.kind, unit_required=unit_required)
        except InputError as exc:  # pydantic prefixes the field's path itself
            raise ValueError(exc.reason) from None
        if not self.admits(magnitude):
            hint = ""
            if self.kind == "dimensionless" and _is_bare_number(value):
                hint = f" (a number without % is a fraction: {_shown(value, self.kind)} = {100 * magnitude:g} %)"
            raise ValueError(f"{_shown(value, self.kind)} is outside the allowed range {self.range_text()}{hint}")
        return magnitude

    def _validate_in_context(self, value: Any, info: core_schema.ValidationInfo) -> float:
        return self.validate(value, unit_required=self.kind in UNIT_REQUIRED_KINDS and units_required(info.context))

    def _serialise(self, value: Any, info: core_schema.SerializationInfo) -> Any:
        """The canonical float, or under :data:`USER_INPUT` a text with its canonical unit that reads back."""
        if units_required(info.context) and self.kind != "dimensionless" and isinstance(value, int | float) \
                and not isinstance(value, bool):
            return f"{value!r} {CANONICAL_UNITS[self.kind]}"
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.with_info_before_validator_function(
            self._validate_in_context, handler(float),
            serialization=core_schema.plain_serializer_function_ser_schema(self._serialise, info_arg=True))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        unit = unit_text(self.kind)
        limits = {"minimum": self.ge, "exclusiveMinimum": self.gt, "maximum": self.le, "exclusiveMaximum": self.lt}
        described = f"in {unit}" if unit else "a plain number"
        if self.kind in UNIT_REQUIRED_KINDS:
            described += "; files, the command line and the web API need the unit (0 excepted)"
        number = {"type": "number", "description": described, **{k: v for k, v in limits.items() if v is not None}}
        return {"anyOf": [number, {"type": "string", "minLength": 1, "maxLength": MAX_QUANTITY_LENGTH,
                                   "description": f"with a unit, e.g. {_example(self.kind)}"}]}


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
