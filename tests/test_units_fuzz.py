"""Fuzzing the unit parser: for every quantity kind, any text — random, hostile (expressions, huge exponents, nested
parentheses, control characters, lone surrogates, full-width text, very long strings) or well-formed — gives a
finite float or one :class:`InputError`: never another exception, never a hang (a time budget per case).

Profiles: ``HYPOTHESIS_PROFILE=quick`` (the default, part of ``make test``) or ``fuzz`` (many more cases, for a long
``make fuzz`` run); any other name is looked up among the registered hypothesis profiles.
"""

import math
import os
from datetime import timedelta
from typing import Annotated

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.units import CANONICAL_UNITS, USER_INPUT, Bounded, parse_quantity

BUDGET = timedelta(milliseconds=50)
"""Time budget of one case (a parse takes well under a millisecond; expressions used to hang for ever)."""
_PROFILES = {
    "quick": settings(max_examples=150, deadline=BUDGET, suppress_health_check=[HealthCheck.too_slow]),
    "fuzz": settings(max_examples=20_000, deadline=BUDGET, suppress_health_check=[HealthCheck.too_slow]),
}


def _profile() -> settings:
    name = os.environ.get("HYPOTHESIS_PROFILE", "quick")
    return _PROFILES.get(name) or settings(settings.get_profile(name), deadline=BUDGET)


FUZZ = _profile()
KINDS = st.sampled_from(sorted(CANONICAL_UNITS))

FRAGMENTS = ["9", "**", "9**9**9", "1/0", "10**400", "(", ")", "nm", "mW", "cm", "/", "cm^2", "^", "-", "+", "e", "E",
             "1e999", "1e-999", "nan", "inf", " ", "°", "℃", "℉", "µ", "μ", "８", "１", "０", "ｎ", "ｍ", ";", "\x00",
             "\n", "\t", "%", "·", "²", "⁻", "¹", "deg", "C", "F", "K", "1.5", ".", "e-5", "\ud83d", "ﷺ", "__import__",
             "'", '"', "#", "{", "}", "*", "1", "0", "degC", "J", "W", "min", "h", "s", "kg", "rad", "−", "×", "m2"]
"""Pieces of units, numbers, operators and oddities that the strategies below glue together."""
UNIT_NAMES = ["nm", "um", "mm", "cm", "m", "in", "s", "min", "h", "ms", "W", "mW", "J", "mJ", "degC", "degF", "K",
              "W/cm^2", "mW/cm^2", "J/cm^2", "1/cm", "W/m^2/K", "%", "kg", "lb", "m/s", "deg", "rad", "C", "F", "",
              "kg*m", "s^-1", "(m)", "parsec"]

everything = st.characters(exclude_categories=())  # every code point, lone surrogates included
texts = st.one_of(
    st.text(everything, max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join),
    st.tuples(st.integers(0, 5000), st.integers(0, 5000)).map(lambda n: "(" * n[0] + "810 nm" + ")" * n[1]),
    st.text(everything, min_size=65, max_size=5000),
    st.tuples(st.floats(), st.sampled_from(UNIT_NAMES)).map(lambda pair: f"{pair[0]!r} {pair[1]}"),
    st.tuples(st.integers(-10**30, 10**30), st.integers(-400, 400), st.sampled_from(UNIT_NAMES)).map(
        lambda parts: f"{parts[0]}e{parts[1]}{parts[2]}"),
)
values = st.one_of(texts, st.floats(), st.integers(-10**500, 10**500), st.booleans(), st.none(), st.complex_numbers(),
                   st.lists(st.integers(), max_size=3), st.binary(max_size=8))


def _finite_or_input_error(value: object, kind: str, unit_required: bool) -> None:
    try:
        result = parse_quantity(value, kind, "field", unit_required=unit_required)
    except InputError as exc:
        message = str(exc)
        assert message.startswith("field: ") and "\n" not in message and len(message) < 400, message
    else:
        assert isinstance(result, float) and math.isfinite(result), result


parse_quantity("850 nm", "wavelength")  # warm the unit cache, so that the first case is timed like the others


@FUZZ
@given(value=values, kind=KINDS, unit_required=st.booleans())
def test_any_value_of_any_kind_is_a_finite_float_or_one_input_error(value, kind, unit_required):
    _finite_or_input_error(value, kind, unit_required)


LENGTHS_MM = {"um": 1e-3, "mm": 1.0, "cm": 10.0, "m": 1000.0, "in": 25.4}


@FUZZ
@given(number=st.floats(min_value=-1e300, max_value=1e300), unit=st.sampled_from(sorted(LENGTHS_MM)),
       space=st.sampled_from(["", " ", "  ", "\t"]))
def test_a_written_number_and_unit_read_back_exactly(number, unit, space):
    assert math.isclose(parse_quantity(f"{number!r}{space}{unit}", "length"), number * LENGTHS_MM[unit],
                        rel_tol=1e-12, abs_tol=1e-300)


class _Fields(FrozenModel):
    distance: Annotated[float, Bounded("length", ge=0.0, le=3000.0)] = 0.0
    wavelength: Annotated[float, Bounded("wavelength", gt=0.0)] = 850.0
    times: list[Annotated[float, Bounded("time")]] = []


@FUZZ
@given(distance=values, wavelength=values, time=values, user_input=st.booleans())
def test_a_model_of_quantities_validates_or_raises_a_validation_error(distance, wavelength, time, user_input):
    try:
        model = _Fields.model_validate({"distance": distance, "wavelength": wavelength, "times": [time]},
                                       context=USER_INPUT if user_input else None)
    except ValidationError:
        return
    assert 0.0 <= model.distance <= 3000.0 and model.wavelength > 0.0 and math.isfinite(model.times[0])
