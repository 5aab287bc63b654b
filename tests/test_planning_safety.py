"""Exposure limits against values computed by hand from the standards' formulas (ICNIRP 2013, IEC 62471)."""

import math

import numpy as np
import pytest

from lightdose.errors import OutOfRangeError
from lightdose.planning.safety import (
    Limits,
    correction_ca,
    eye_ir_limit,
    eye_ir_time_limit,
    first_limit,
    skin_mpe,
    skin_mpe_fraction,
    skin_mpe_time_limit,
)

MW_CM2 = 1e-5  # 1 mW/cm² in W/mm²


@pytest.mark.parametrize(("wavelength", "ca"), [
    (630.0, 1.0), (699.0, 1.0),
    (810.0, 10 ** 0.22),   # 10^(0.002·110) = 1.6596
    (850.0, 10 ** 0.30),   # 1.9953
    (890.0, 10 ** 0.38),   # 2.3988
    (1049.0, 10 ** 0.698),
    (1064.0, 5.0), (1400.0, 5.0),
])
def test_correction_factor_ca(wavelength, ca):
    assert correction_ca(wavelength) == pytest.approx(ca, rel=1e-12)


def test_skin_mpe_long_exposures_by_hand():
    # E = 0.2·C_A W/cm² for 10 s–30 000 s: 200 mW/cm² at 660 nm, 331.9 at 810, 399.1 at 850, 479.8 at 890.
    assert skin_mpe(660.0, 600.0) / MW_CM2 == pytest.approx(200.0)
    assert skin_mpe(810.0, 10.0) / MW_CM2 == pytest.approx(331.93, rel=1e-4)
    assert skin_mpe(850.0, 30_000.0) / MW_CM2 == pytest.approx(399.05, rel=1e-4)
    assert skin_mpe(890.0, 1800.0) / MW_CM2 == pytest.approx(479.77, rel=1e-4)


def test_skin_mpe_short_exposures_by_hand():
    # H = 1.1·C_A·t^0.25 J/cm² below 10 s: at 1 s and 660 nm, 1.1 J/cm² in 1 s = 1100 mW/cm².
    assert skin_mpe(660.0, 1.0) / MW_CM2 == pytest.approx(1100.0)
    # at 10 s the two formulas nearly meet: 1.1·10^0.25/10 = 0.1956 W/cm² against 0.2 W/cm²
    assert skin_mpe(660.0, 9.999) / MW_CM2 == pytest.approx(195.6, rel=1e-3)


def test_bands_add_with_their_weights():
    # The 660/850 nm panel at 15 cm: 25.8 mW/cm² per band → 25.8/200 + 25.8/399.05 = 0.1937
    fraction = skin_mpe_fraction(np.array([25.8, 25.8]) * MW_CM2, np.array([660.0, 850.0]), 600.0)
    assert fraction == pytest.approx(25.8 / 200 + 25.8 / 399.05, rel=1e-4)


def test_time_limit_of_an_irradiance_above_the_mpe():
    assert skin_mpe_time_limit(np.array([300.0]) * MW_CM2, np.array([810.0])) == math.inf
    # 2000 mW/cm² at 660 nm: t^0.75 · 2/1.1 = 1 → t = (1.1/2)^(4/3) = 0.451 s
    t = skin_mpe_time_limit(np.array([2000.0]) * MW_CM2, np.array([660.0]))
    assert t == pytest.approx((1.1 / 2.0) ** (4 / 3), rel=1e-9)
    assert skin_mpe_fraction(np.array([2000.0]) * MW_CM2, np.array([660.0]), t) == pytest.approx(1.0)


def test_eye_infrared_limit():
    assert eye_ir_limit(2000.0) / MW_CM2 == pytest.approx(10.0)
    assert eye_ir_limit(1000.0) / MW_CM2 == pytest.approx(1800.0 * 1000.0**-0.75, rel=1e-12)  # 10.1 mW/cm²
    assert eye_ir_limit(1.0) / MW_CM2 == pytest.approx(1800.0)
    assert eye_ir_time_limit(9.0 * MW_CM2) == math.inf
    # 25.8 mW/cm² of 850 nm: 1.8·t^−0.75 = 0.0258 → t = (1.8/0.0258)^(4/3) = 287 s
    assert eye_ir_time_limit(25.8 * MW_CM2) == pytest.approx((1.8 / 0.0258) ** (4 / 3), rel=1e-9)


def test_out_of_range_wavelength_is_an_error():
    with pytest.raises(OutOfRangeError, match="400–1400 nm"):
        correction_ca(1500.0)


def _session(skin, basal=None):
    """Times [s], skin and basal temperatures [°C] of a history sampled every minute."""
    t = np.arange(len(skin), dtype=float) * 60.0
    basal = skin if basal is None else basal
    return t, np.asarray(skin, float), np.asarray(basal, float)


def test_thermal_verdict_skin_limit_is_interpolated():
    verdict = first_limit(*_session([34.0, 40.0, 42.0, 44.0, 45.0]), Limits())
    assert verdict.time_s == pytest.approx(150.0)  # 42 → 44 °C between 120 and 180 s crosses 43 °C halfway
    assert "43" in verdict.reason


def test_thermal_verdict_burn_dose_limit():
    # basal layer held at 43 °C: CEM43 grows by 1 min per minute; a 5 min limit is passed after 5 minutes
    skin = [42.9] * 12
    verdict = first_limit(*_session(skin, [43.0] * 12), Limits(cem43=5.0))
    assert verdict.time_s == pytest.approx(360.0)  # first sample where the accumulated dose exceeds 5 min
    assert "CEM43" in verdict.reason
    assert first_limit(*_session(skin, [40.0] * 12), Limits()).time_s == math.inf
