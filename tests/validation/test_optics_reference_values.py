"""Chromophore spectra and tissue optics against the published formulas they implement (Jacques 2013, Phys Med Biol
58:R37; van Veen et al. 2005, J Biomed Opt 10:054004).

The published spot values — water absorption (Segelstein 1981 / Hale & Querry 1973), the molar extinction of oxy-
and deoxyhemoglobin (Prahl's compilation of Gratzer and Kollias), the blood absorption and refractive index that
follow by Jacques 2013's formulas and the penetration depth of a dermis worked by hand — are reference values kept as
data in tests/reference/optics.yaml, with tolerances from the digits the sources print, and run by
tests/validation/test_references.py. Here: the analytic spectra and scattering laws, exact to floating point.
"""

import numpy as np
import pytest

from lightdose.optics import spectra
from lightdose.optics.tissue import Scattering


@pytest.mark.parametrize("wavelength_nm", [400, 500, 630, 810, 1000, 1100])
def test_melanosome_power_law(wavelength_nm):
    """μa,mel = 519·(λ/500 nm)^−3 1/cm (Jacques 2013), i.e. 51.9 1/mm at 500 nm."""
    expected_per_mm = 51.9 * (wavelength_nm / 500.0) ** -3
    assert spectra.melanosome()(wavelength_nm) == pytest.approx(expected_per_mm, rel=1e-12)


def test_fat_peak_near_930_nm():
    """van Veen et al. 2005: the lipid band peaks at ~930 nm (the table's 1-nm steps; ± 2 nm for the peak's width)."""
    wl = np.arange(900, 960)
    assert wl[np.argmax(spectra.fat()(wl))] == pytest.approx(930, abs=2)


def test_reduced_scattering_power_law_is_exact():
    """μs′ = a·(λ/500 nm)^−b (Jacques 2013, Table 2's form), with a = 46.0 1/cm and b = 1.421 (skin)."""
    s = Scattering(a="46.0 1/cm", b=1.421)
    wl = np.array([450.0, 500.0, 633.0, 810.0, 1000.0])
    np.testing.assert_allclose(s.reduced_scattering(wl), 4.60 * (wl / 500.0) ** -1.421, rtol=1e-12)


def test_rayleigh_mie_mixture_follows_jacques_eq2():
    """μs′ = a′·[f_Ray·(λ/500 nm)^−4 + (1 − f_Ray)·(λ/500 nm)^−b_Mie] (Jacques 2013, eq. 2)."""
    s = Scattering(a=4.24, b=1.0, f_rayleigh=0.62)
    wl = np.array([500.0, 700.0])
    expected = 4.24 * (0.62 * (wl / 500) ** -4 + 0.38 * (wl / 500) ** -1.0)
    np.testing.assert_allclose(s.reduced_scattering(wl), expected, rtol=1e-12)
