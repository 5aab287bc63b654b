"""The unit parser (numbers and units, never expressions), bare numbers under the user-input context, and the
JSON Schema of quantity fields. Random and hostile strings: tests/test_units_fuzz.py."""

import json
from typing import Annotated

import jsonschema
import pint
import pytest
from pydantic import ValidationError

from lightdose.errors import InputError
from lightdose.model_base import FrozenModel, describe_validation_error
from lightdose.units import (
    CANONICAL_UNITS,
    MAX_QUANTITY_LENGTH,
    UNIT_REQUIRED_KINDS,
    USER_INPUT,
    Bounded,
    Duration,
    HeatTransferCoefficient,
    Temperature,
    UnitFraction,
    Wavelength,
    parse_quantity,
    parse_unit,
    units_required,
    ureg,
)


@pytest.mark.parametrize(
    "value, kind, expected",
    [
        ("850 nm", "wavelength", 850.0),
        ("0.85 um", "wavelength", 850.0),
        ("0.85 µm", "wavelength", 850.0),  # micro sign
        ("0.85 μm", "wavelength", 850.0),  # Greek mu
        ("８１０ｎｍ", "wavelength", 810.0),  # full-width digits and letters
        ("810nm", "wavelength", 810.0),
        (850, "wavelength", 850.0),
        ("15 cm", "length", 150.0),
        ("-5 cm", "length", -50.0),
        ("−5 cm", "length", -50.0),  # the minus sign
        ("+.5e1 mm", "length", 5.0),
        ("200 um", "length", 0.2),
        ("46 1/cm", "inverse_length", 4.6),
        ("4.6 /mm", "inverse_length", 4.6),
        ("4.6 mm^-1", "inverse_length", 4.6),
        ("4.6 mm⁻¹", "inverse_length", 4.6),
        ("20 min", "time", 1200.0),
        ("30 minutes", "time", 1800.0),
        ("1.5 h", "time", 5400.0),
        ("12 mW", "power", 0.012),
        ("4000 mJ", "energy", 4.0),
        ("42 degC", "temperature", 42.0),
        ("42 °C", "temperature", 42.0),
        ("42℃", "temperature", 42.0),
        ("42 º C", "temperature", 42.0),  # the ordinal indicator typed for a degree sign
        ("60C", "temperature", 60.0),  # a temperature's C is Celsius, not coulomb
        ("60 C", "temperature", 60.0),
        ("140F", "temperature", 60.0),
        ("140 ℉", "temperature", 60.0),
        ("310.15 K", "temperature", 37.0),
        ("50 mW/cm^2", "irradiance", 0.0005),
        ("50 mW/cm**2", "irradiance", 0.0005),
        ("50 mW/cm²", "irradiance", 0.0005),
        ("50 mW/cm2", "irradiance", 0.0005),  # a name ending in one digit: that power
        ("50 mW cm^-2", "irradiance", 0.0005),
        ("50 mW·cm⁻²", "irradiance", 0.0005),
        ("4 J/cm^2", "fluence", 0.04),
        ("10 W/m^2/K", "heat_transfer", 1e-5),
        ("10 W/(m^2*K)", "heat_transfer", 1e-5),
        ("10 W/(m^2 °C)", "heat_transfer", 1e-5),  # in a compound unit °C is a temperature difference
        ("65 %", "dimensionless", 0.65),
        ("65%", "dimensionless", 0.65),
        ("0.65", "dimensionless", 0.65),
        ("15", "length", 15.0),
        ("0", "length", 0.0),
        ("154 lb", "mass", 69.853),
        ("20 cm/s", "speed", 0.2),
        ("30°", "angle", 30.0),
        ("0.5 rad", "angle", 28.6479),
    ],
)
def test_parse_to_canonical_units(value, kind, expected):
    assert parse_quantity(value, kind) == pytest.approx(expected, rel=1e-5)


def test_pint_quantity_accepted():
    from lightdose.units import Quantity

    assert parse_quantity(Quantity(1.5, "cm"), "length") == pytest.approx(15.0)


@pytest.mark.parametrize(
    "value, kind, fragment",
    [
        ("850 kg", "wavelength", "[mass]"),
        ("five metres", "length", "cannot read"),
        ("", "time", "empty value"),
        ("nan", "length", "not a finite number"),
        (float("inf"), "length", "not a finite number"),
        (10**400, "length", "too large"),
        (True, "length", "expected a length"),
        ([1, 2], "length", "expected a number"),
        ("60C", "length", "[current] * [time]"),  # outside temperatures C is the coulomb
        ("1e308 km", "length", "not a finite number in mm"),
    ],
)
def test_bad_input_names_the_field(value, kind, fragment):
    with pytest.raises(InputError) as info:
        parse_quantity(value, kind, field="sites[0].depth")
    assert str(info.value).startswith("sites[0].depth: ")
    assert fragment in str(info.value)


HOSTILE = [
    # (text, what the message says): expressions are never evaluated, whatever they would do in Python or pint
    ("9**9**9 nm", "unexpected '**' in the unit '**9**9 nm'"),  # hung for ever
    ("1/0 nm", "unexpected '0' in the unit '/0 nm'"),  # ZeroDivisionError
    ("10**400 nm", "unexpected '**'"),  # OverflowError
    ("(" * 33 + "810 nm", "it does not start with a number"),  # tokenize.TokenError
    ("(" * 3000 + "810" + ")" * 3000 + " nm", "6006 characters; a quantity is a number and a unit of at most 64"),
    ("810nm; rm -rf /", "';' is not allowed: a quantity is a number and a unit, nothing else"),  # AssertionError
    ("810 nm + 5 kg", "unexpected '+'"),
    ("2 m**-1**2", "unexpected '**'"),
    ("1 m^10", "'^' must be followed by a whole power from -9 to 9"),
    ("3 ((((m))))", "parentheses nested deeper than 3"),
    ("2 (m", "a '(' without its ')'"),
    ("2 m)", "unexpected ')'"),
    ("5 m/", "ends too early"),
    ("5 parsnips", "unknown unit 'parsnips'"),
    ("NaNnm", "it does not start with a number"),
    ("1:30", "':' is not allowed"),
    ("PT30M", "it does not start with a number"),
    ("810\x00nm", "'\\x00' is not allowed"),
    ("810 \ud83d nm", "'\\ud83d' is not allowed"),  # a lone surrogate, as json.loads gives for an escaped emoji
    ("ﷺ" * 5, "90 characters once normalised; at most 64"),  # NFKC expands this ligature 18-fold
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE, ids=[repr(t)[:30] for t, _ in HOSTILE])
def test_hostile_strings_are_one_input_error_showing_how_to_write_the_value(text, fragment):
    with pytest.raises(InputError) as info:
        parse_quantity(text, "wavelength")
    message = str(info.value)
    assert message.startswith("wavelength: ") and fragment in message
    assert message.endswith("write e.g. '850 nm'") and "\n" not in message
    assert len(message) < 300  # long input is cut in the message


def test_unit_grammar_reads_units_alone():
    assert parse_unit("mW/cm^2") == parse_unit("mW cm⁻²") == ureg.Unit("mW") / ureg.Unit("cm") ** 2
    assert parse_unit("°C") == ureg.Unit("degC")
    with pytest.raises(InputError, match="unit: cannot read '9\\*\\*9' as a unit"):
        parse_unit("9**9")


# ------------------------------------------------------------------------------------------------ bare numbers


@pytest.mark.parametrize("kind", sorted(CANONICAL_UNITS))
def test_unit_required_refuses_bare_numbers_except_zero(kind):
    if kind == "dimensionless":  # a plain number needs no unit
        assert parse_quantity("0.5", kind, unit_required=True) == 0.5
        return
    with pytest.raises(InputError, match="has no unit; write it with its unit, e.g. '15 "):
        parse_quantity(15, kind, "distance", unit_required=True)
    with pytest.raises(InputError, match="has no unit"):
        parse_quantity(" 15 ", kind, "distance", unit_required=True)
    if kind == "temperature":  # 0 °C, 0 K and 0 °F differ
        with pytest.raises(InputError, match="0 has no unit"):
            parse_quantity(0, kind, unit_required=True)
    else:
        assert parse_quantity(0, kind, unit_required=True) == 0.0 == parse_quantity("0", kind, unit_required=True)


def test_the_message_for_a_distance_without_unit():
    with pytest.raises(InputError) as info:
        parse_quantity(15, "length", "distance", unit_required=True)
    assert str(info.value) == "distance: 15 has no unit; write it with its unit, e.g. '15 cm'"


class _Inner(FrozenModel):
    distance: Annotated[float, Bounded("length", ge=0.0, le=3000.0)] = 0.0
    times: tuple[Duration, ...] = ()


class _Outer(FrozenModel):
    inner: _Inner
    items: list[_Inner] = []
    wavelength: Wavelength = 850.0
    temperature: Temperature | None = None
    conductance: HeatTransferCoefficient = 1e-5
    share: UnitFraction = 0.5


def _problems(data, context=None):
    try:
        _Outer.model_validate(data, context=context)
    except ValidationError as exc:
        return describe_validation_error(exc)
    return ""


def test_user_input_context_refuses_bare_numbers_where_people_get_the_unit_wrong():
    assert _problems({"inner": {"distance": 15}}) == ""  # Python code: canonical mm
    assert _problems({"inner": {"distance": 15}}, USER_INPUT) == (
        "inner.distance: 15 has no unit; write it with its unit, e.g. '15 cm'")
    assert _problems({"inner": {"distance": "15"}}, USER_INPUT).endswith("e.g. '15 cm'")
    assert _problems({"inner": {"distance": 0}}, USER_INPUT) == ""  # 0 needs no unit
    assert _problems({"inner": {}, "items": [{"times": ["2 min", 30]}]}, USER_INPUT) == (
        "items[0].times[1]: 30 has no unit; write it with its unit, e.g. '30 min'")  # reaches nested items
    # unambiguous and documented: wavelength in nm, temperature in °C, fractions
    assert _problems({"inner": {}, "wavelength": 810, "temperature": 42, "share": 0.3}, USER_INPUT) == ""
    assert _problems({"inner": {"distance": "15 cm"}, "conductance": "10 W/m^2/K"}, USER_INPUT) == ""


def test_user_input_context_is_recognised_only_as_such():
    assert units_required(USER_INPUT) and units_required({"units": "required"})
    assert not units_required(None) and not units_required({"units": "canonical"}) and not units_required("x")
    assert UNIT_REQUIRED_KINDS == {"length", "time", "power", "energy", "irradiance", "fluence", "inverse_length",
                                   "heat_transfer"}
    with pytest.raises(TypeError):
        USER_INPUT["units"] = "optional"  # read-only: one loader cannot change it for the others


def test_a_dump_under_the_context_carries_units_and_reads_back():
    model = _Outer.model_validate({"inner": {"distance": "15 cm", "times": ["20 min"]}, "temperature": "42 degC"},
                                  context=USER_INPUT)
    dumped = model.model_dump(mode="json", context=USER_INPUT)
    assert dumped["inner"] == {"distance": "150.0 mm", "times": ["1200.0 s"]}
    assert dumped["conductance"] == "1e-05 W/(mm^2*K)" and dumped["share"] == 0.5
    assert _Outer.model_validate(dumped, context=USER_INPUT) == model
    assert model.model_dump(mode="json")["inner"] == {"distance": 150.0, "times": [1200.0]}  # plain: canonical floats


def test_the_json_schema_is_still_a_number_or_a_string_and_validates():
    schema = _Outer.model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    distance = schema["$defs"]["_Inner"]["properties"]["distance"]
    assert [branch["type"] for branch in distance["anyOf"]] == ["number", "string"]
    assert distance["anyOf"][1]["maxLength"] == MAX_QUANTITY_LENGTH
    assert "need the unit" in distance["anyOf"][0]["description"]
    validator = jsonschema.Draft202012Validator(schema)
    model = _Outer.model_validate({"inner": {"distance": "15 cm"}})
    for document in (model.model_dump(mode="json"), model.model_dump(mode="json", context=USER_INPUT),
                     json.loads('{"inner": {"distance": 150}, "wavelength": "810 nm"}')):
        assert list(validator.iter_errors(document)) == []


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown quantity kind"):
        parse_quantity("1 m", "luminance")


def test_registry_is_shared():
    from lightdose import units

    assert isinstance(units.ureg, pint.UnitRegistry)
