"""Chromophore spectra and tissue optics against published spot values (SCIENCE.md §2, Jacques 2013).

References:
- Water μa: Segelstein 1981 / Hale & Querry 1973 spot values, tolerance 10 %.
- Hemoglobin molar extinction: Prahl's compilation (Gratzer, Kollias), tolerance 5 %.
- Melanosome: 519·(λ/500 nm)^−3 1/cm (Jacques 2013), exact to rounding.
- Refractive index: n = 1.514 − 0.184·W (Jacques 2013) → 1.394 at W = 0.65.
- Penetration depth of a dermis (B 0.5 %, S 0.75, W 0.65, skin scattering a = 46.0 1/cm, b = 1.421) at 810 nm:
  6.3 mm, tolerance 10 %.
"""

import math

import numpy as np
import pytest

from lightdose.optics import spectra
from lightdose.optics.tissue import Scattering, Tissue

WATER_PER_CM = {630: 0.0030, 810: 0.021, 890: 0.063, 940: 0.29, 980: 0.44}
HB_EPSILON = {  # λ: (HbO2, Hb) in 1/(cm·M)
    630: (610, 5149),
    660: (320, 3227),
    810: (864, 717),
    850: (1058, 691),
    890: (1178, 744),
    940: (1214, 693),
}
EPSILON_TO_BLOOD_MUA_PER_MM = math.log(10) * 150.0 / 64458.0 / 10.0


@pytest.mark.parametrize("wavelength_nm, expected_per_cm", WATER_PER_CM.items())
def test_water_absorption_matches_published_spot_values(wavelength_nm, expected_per_cm):
    mua_per_cm = 10 * spectra.water()(wavelength_nm)
    assert mua_per_cm == pytest.approx(expected_per_cm, rel=0.10)


@pytest.mark.parametrize("wavelength_nm, eps", HB_EPSILON.items())
def test_hemoglobin_extinction_matches_prahl(wavelength_nm, eps):
    eps_oxy, eps_deoxy = eps
    assert spectra.oxygenated_blood()(wavelength_nm) / EPSILON_TO_BLOOD_MUA_PER_MM == pytest.approx(eps_oxy, rel=0.05)
    assert spectra.deoxygenated_blood()(wavelength_nm) / EPSILON_TO_BLOOD_MUA_PER_MM == pytest.approx(
        eps_deoxy, rel=0.05
    )


def test_blood_mua_uses_150_g_per_litre_and_molar_mass_64458():
    # μa of oxygenated whole blood at 810 nm: 864 · ln10 · 150 / 64458 = 4.630 1/cm (Jacques 2013 eq. 11)
    assert 10 * spectra.oxygenated_blood()(810) == pytest.approx(4.630, rel=1e-3)


@pytest.mark.parametrize("wavelength_nm", [400, 500, 630, 810, 1000, 1100])
def test_melanosome_power_law(wavelength_nm):
    expected_per_mm = 51.9 * (wavelength_nm / 500.0) ** -3
    assert spectra.melanosome()(wavelength_nm) == pytest.approx(expected_per_mm, rel=1e-12)


def test_fat_peak_near_930_nm():
    # van Veen et al.: the lipid band peaks at ~930 nm
    wl = np.arange(900, 960)
    assert wl[np.argmax(spectra.fat()(wl))] == pytest.approx(930, abs=2)


def test_reduced_scattering_power_law_is_exact():
    s = Scattering(a="46.0 1/cm", b=1.421)
    wl = np.array([450.0, 500.0, 633.0, 810.0, 1000.0])
    np.testing.assert_allclose(s.reduced_scattering(wl), 4.60 * (wl / 500.0) ** -1.421, rtol=1e-12)


def test_rayleigh_mie_mixture_follows_jacques_eq2():
    s = Scattering(a=4.24, b=1.0, f_rayleigh=0.62)
    wl = np.array([500.0, 700.0])
    expected = 4.24 * (0.62 * (wl / 500) ** -4 + 0.38 * (wl / 500) ** -1.0)
    np.testing.assert_allclose(s.reduced_scattering(wl), expected, rtol=1e-12)


def test_refractive_index_from_water_fraction():
    tissue = Tissue(water=0.65, scattering={"a": 1.0, "b": 1.0})
    assert tissue.refractive_index == pytest.approx(1.394, abs=0.002)


def test_dermis_penetration_depth_at_810_nm():
    dermis = Tissue(blood=0.005, saturation=0.75, water=0.65, scattering={"a": "46.0 1/cm", "b": 1.421})
    delta = dermis.optical_properties(810).delta[0]
    assert delta == pytest.approx(6.3, rel=0.10)
