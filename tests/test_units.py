import pint
import pytest

from lightdose.errors import InputError
from lightdose.units import parse_quantity


@pytest.mark.parametrize(
    "value, kind, expected",
    [
        ("850 nm", "wavelength", 850.0),
        ("0.85 um", "wavelength", 850.0),
        ("0.85 µm", "wavelength", 850.0),
        (850, "wavelength", 850.0),
        ("15 cm", "length", 150.0),
        ("200 um", "length", 0.2),
        ("46 1/cm", "inverse_length", 4.6),
        ("20 min", "time", 1200.0),
        ("12 mW", "power", 0.012),
        ("4000 mJ", "energy", 4.0),
        ("42 degC", "temperature", 42.0),
        ("42 °C", "temperature", 42.0),
        ("310.15 K", "temperature", 37.0),
        ("50 mW/cm^2", "irradiance", 0.0005),
        ("4 J/cm^2", "fluence", 0.04),
        ("65 %", "dimensionless", 0.65),
        ("0.65", "dimensionless", 0.65),
        ("15", "length", 15.0),
        ("0", "length", 0.0),
    ],
)
def test_parse_to_canonical_units(value, kind, expected):
    assert parse_quantity(value, kind) == pytest.approx(expected)


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
        (True, "length", "expected a length"),
        ([1, 2], "length", "expected a number"),
    ],
)
def test_bad_input_names_the_field(value, kind, fragment):
    with pytest.raises(InputError) as info:
        parse_quantity(value, kind, field="sites[0].depth")
    assert str(info.value).startswith("sites[0].depth: ")
    assert fragment in str(info.value)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown quantity kind"):
        parse_quantity("1 m", "speed")


def test_registry_is_shared():
    from lightdose import units

    assert isinstance(units.ureg, pint.UnitRegistry)
