"""The Monte Carlo kernel's interface physics and roulette against closed forms.

Fresnel: the kernel's form R = (sin^2(a-b)/sin^2(a+b) + tan^2(a-b)/tan^2(a+b))/2 is checked against the amplitude
form r_s = (n1 cos a - n2 cos b)/(n1 cos a + n2 cos b), r_p = (n2 cos a - n1 cos b)/(n2 cos a + n1 cos b) (Born &
Wolf, Principles of Optics, section 1.5.2), which shares no expression with it. Tolerances are a few hundred ulps: both
are exact formulas evaluated in double precision.
"""

import math

import numpy as np
import pytest
from numba import njit
from scipy.stats import norm

from lightdose.transport.mc.kernel import fresnel, roulette

PAIRS = [(1.0, 1.5), (1.0, 1.37), (1.33, 1.45), (1.0, 3.0), (1.4, 1.0), (1.5, 1.33)]
TOL = 1e-13


def amplitude_form(n1: float, n2: float, cos_i: float) -> tuple[float, float]:
    """Unpolarised reflectance from the Fresnel amplitude coefficients, and cos of the refraction angle (Snell)."""
    sin_t = n1 / n2 * math.sqrt(1.0 - cos_i * cos_i)
    cos_t = math.sqrt(1.0 - sin_t * sin_t)
    rs = (n1 * cos_i - n2 * cos_t) / (n1 * cos_i + n2 * cos_t)
    rp = (n2 * cos_i - n1 * cos_t) / (n2 * cos_i + n1 * cos_t)
    return 0.5 * (rs * rs + rp * rp), cos_t


def below_critical(n1: float, n2: float, points: int = 41) -> np.ndarray:
    """Cosines of incidence angles from near-normal to near the critical angle (or grazing)."""
    largest = math.asin(min(1.0, n2 / n1))
    return np.cos(np.linspace(1e-3, largest * (1.0 - 1e-3), points))


@pytest.mark.parametrize(("n1", "n2"), PAIRS)
def test_normal_incidence(n1, n2):
    r, cos_t = fresnel(n1, n2, 1.0)
    assert r == pytest.approx(((n1 - n2) / (n1 + n2)) ** 2, rel=1e-15, abs=0.0)
    assert cos_t == 1.0


@pytest.mark.parametrize(("n1", "n2"), PAIRS)
def test_oblique_incidence_matches_the_amplitude_form(n1, n2):
    for cos_i in below_critical(n1, n2):
        r, cos_t = fresnel(n1, n2, float(cos_i))
        r_ref, cos_t_ref = amplitude_form(n1, n2, float(cos_i))
        assert r == pytest.approx(r_ref, abs=TOL), (n1, n2, cos_i)
        assert cos_t == pytest.approx(cos_t_ref, abs=TOL), (n1, n2, cos_i)


@pytest.mark.parametrize(("n1", "n2"), PAIRS)
def test_snell(n1, n2):
    """n1 sin a = n2 sin b, written with squared cosines (sines from cosines near 1 lose digits)."""
    for cos_i in below_critical(n1, n2):
        _, cos_t = fresnel(n1, n2, float(cos_i))
        assert n1**2 * (1.0 - cos_i**2) == pytest.approx(n2**2 * (1.0 - cos_t**2), abs=TOL)


@pytest.mark.parametrize(("n1", "n2"), PAIRS)
def test_brewster_angle_reflects_only_s_polarisation(n1, n2):
    """At tan(a_B) = n2/n1 the p-wave is not reflected: R = R_s/2, and the refracted ray is at 90 degrees to it."""
    brewster = math.atan(n2 / n1)
    cos_i = math.cos(brewster)
    r, cos_t = fresnel(n1, n2, cos_i)
    cos_t_ref = math.sin(brewster)  # a_i + a_t = 90 degrees
    rs = (n1 * cos_i - n2 * cos_t_ref) / (n1 * cos_i + n2 * cos_t_ref)
    assert r == pytest.approx(rs * rs / 2.0, abs=TOL)
    assert cos_t == pytest.approx(cos_t_ref, abs=TOL)


@pytest.mark.parametrize(("n1", "n2"), [(1.4, 1.0), (1.5, 1.33), (3.0, 1.0)])
def test_total_internal_reflection(n1, n2):
    critical = math.asin(n2 / n1)
    for angle in np.linspace(critical * (1 + 1e-9), math.pi / 2, 25):
        assert fresnel(n1, n2, float(math.cos(angle))) == (1.0, 0.0)
    r_at, _ = fresnel(n1, n2, math.cos(critical))
    assert r_at == pytest.approx(1.0, abs=1e-6)  # continuous at the critical angle
    r_below, _ = fresnel(n1, n2, math.cos(critical * (1 - 1e-9)))
    assert 0.99 < r_below <= 1.0


@pytest.mark.parametrize(("n1", "n2"), PAIRS)
def test_grazing_incidence_reflects_everything(n1, n2):
    assert fresnel(n1, n2, 0.0)[0] == pytest.approx(1.0, abs=TOL)
    assert fresnel(n1, n2, 1e-9)[0] == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize(("n1", "n2"), [(1.0, 1.5), (1.0, 1.37), (1.33, 1.45), (1.0, 3.0)])
def test_reciprocity(n1, n2):
    """R(n1 -> n2, a) = R(n2 -> n1, b) with b the refraction angle (Stokes relations). Near grazing incidence the
    way back starts just inside the critical angle, where R changes fast with the angle: rounding of cos b
    (1e-16) is amplified there, hence 1e-11."""
    for cos_i in below_critical(n1, n2):
        r, cos_t = fresnel(n1, n2, float(cos_i))
        r_back, cos_back = fresnel(n2, n1, cos_t)
        assert r_back == pytest.approx(r, abs=1e-11)
        assert cos_back == pytest.approx(cos_i, abs=1e-11)


def test_matched_interface_is_invisible():
    for cos_i in (1.0, 0.7, 0.01):
        assert fresnel(1.37, 1.37, cos_i) == (0.0, cos_i)


def test_roulette_outcomes():
    assert roulette(2e-5, 0.1, 0.1) == pytest.approx(2e-4)  # u = survival: survives
    assert roulette(2e-5, 0.05, 0.1) == pytest.approx(2e-4)
    assert roulette(2e-5, 0.100001, 0.1) == 0.0
    assert roulette(2e-5, 1.0, 0.1) == 0.0


@njit(cache=False)
def _mean_weight_after(w: float, survival: float, draws: np.ndarray) -> float:
    total = 0.0
    for u in draws:
        total += roulette(w, u, survival)
    return total / draws.size


@pytest.mark.parametrize("survival", [0.1, 0.5])
def test_roulette_is_unbiased(survival):
    """Expected weight after roulette = weight before. Each outcome is w/p with probability p and 0 otherwise, so the
    mean of N outcomes has standard error w sqrt((1 - p)/(p N)) (binomial); the tolerance is the two-sided normal
    quantile for a false-alarm rate of 1e-6 times that error (a 20 % bias is ~70 standard errors at N = 10^6)."""
    n, w = 1_000_000, 3e-5
    draws = 1.0 - np.random.default_rng(20261201).random(n)  # uniform on (0, 1], like the kernel's generator
    mean = _mean_weight_after(w, survival, draws)
    se = w * math.sqrt((1.0 - survival) / (survival * n))
    assert abs(mean - w) <= norm.isf(0.5e-6) * se, (mean / w, se / w)
