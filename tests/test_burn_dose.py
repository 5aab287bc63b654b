"""CEM43, Henriques' Arrhenius integral and time above 43 °C against their closed forms; bad input."""

import math

import numpy as np
import pytest

from lightdose.errors import InputError
from lightdose.thermal import arrhenius_omega, cem43, time_above
from lightdose.thermal.burn import GAS_CONSTANT, HENRIQUES_A, HENRIQUES_EA

T_10_MIN = np.linspace(0.0, 600.0, 61)


@pytest.mark.parametrize(("temperature", "minutes"), [(43.0, 10.0), (44.0, 20.0), (42.0, 2.5), (45.0, 40.0)])
def test_cem43_of_a_constant_temperature(temperature, minutes):
    assert cem43(T_10_MIN, np.full(61, temperature)) == pytest.approx(minutes, rel=1e-12)


def test_cem43_adds_over_intervals():
    t = np.array([0.0, 300.0, 300.001, 600.0])
    T = np.array([43.0, 43.0, 44.0, 44.0])
    assert cem43(t, T) == pytest.approx(5.0 + 10.0, rel=1e-4)


@pytest.mark.parametrize("temperature", [44.0, 50.0, 60.0])
def test_arrhenius_of_a_constant_temperature(temperature):
    expected = HENRIQUES_A * math.exp(-HENRIQUES_EA / (GAS_CONSTANT * (temperature + 273.15))) * 600.0
    assert arrhenius_omega(T_10_MIN, np.full(61, temperature)) == pytest.approx(expected, rel=1e-12)


def test_arrhenius_burn_threshold_is_plausible():
    """Ω = 1 (second-degree burn) takes hours at 44 °C and seconds at 60 °C (Henriques 1947)."""
    def seconds_to_burn(temperature):
        return 1.0 / (HENRIQUES_A * math.exp(-HENRIQUES_EA / (GAS_CONSTANT * (temperature + 273.15))))

    assert seconds_to_burn(44.0) > 3600.0
    assert seconds_to_burn(60.0) < 10.0


def test_time_above_43():
    t = np.array([0.0, 600.0])
    assert time_above(t, np.array([40.0, 46.0])) == pytest.approx(300.0)
    assert time_above(t, np.array([46.0, 40.0])) == pytest.approx(300.0)
    assert time_above(T_10_MIN, np.full(61, 44.0)) == pytest.approx(600.0)
    assert time_above(T_10_MIN, np.full(61, 43.0)) == 0.0


@pytest.mark.parametrize("dose", [cem43, arrhenius_omega, time_above])
def test_bad_series_are_rejected_naming_the_field(dose):
    with pytest.raises(InputError, match="t_s"):
        dose(np.array([0.0, 10.0, 5.0]), np.full(3, 40.0))
    with pytest.raises(InputError, match="t_s"):
        dose(np.array([0.0, 10.0, 10.0]), np.full(3, 40.0))
    with pytest.raises(InputError, match="t_s"):
        dose(np.array([0.0]), np.array([40.0]))
    with pytest.raises(InputError, match="T_c"):
        dose(np.array([0.0, 10.0]), np.array([40.0, 120.0]))
    with pytest.raises(InputError, match="T_c"):
        dose(np.array([0.0, 10.0]), np.array([-30.0, 40.0]))
    with pytest.raises(InputError, match="T_c"):
        dose(np.array([0.0, 10.0]), np.array([40.0, 41.0, 42.0]))
