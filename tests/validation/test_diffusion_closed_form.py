"""The δ-P1 finite-volume solver against its own closed form, and its energy balance.

Reference: for a homogeneous semi-infinite medium the δ-P1 equations with a partial-current boundary condition
have the closed-form solution φ = (C + E)·exp(−μt* z) + B·exp(−μeff z) (Carp, Prahl & Venugopalan 2004,
J Biomed Opt 9:632); the finite-volume solution must converge to it. Tolerance 0.5 %: the discretisation error
of the graded grid (steps 5 µm at the surface, 0.1 mm at depth), checked by halving the steps below.
"""

import math

import numpy as np
import pytest

from lightdose.transport.diffusion import effective_reflection_coefficient, solve_broad_beam
from lightdose.transport.mc import Layer, LayerStackSpec


def closed_form(mua, mus, g, n, z):
    rsp = ((n - 1.0) / (n + 1.0)) ** 2
    e0 = 1.0 - rsp
    mus_star = mus * (1 - g**2)
    g_star = g / (1 + g)
    mut_star = mua + mus_star
    d = 1.0 / (3 * (mua + mus * (1 - g)))
    mueff = math.sqrt(mua / d)
    r_eff = effective_reflection_coefficient(n, 1.0)
    big_a = (1 + r_eff) / (1 - r_eff)
    c = mus_star * e0 * (1 + 3 * d * g_star * mut_star) / (mua - d * mut_star**2)
    b = -(c * (1 / (2 * big_a) + d * mut_star) + 3 * d * g_star * mus_star * e0) / (d * mueff + 1 / (2 * big_a))
    return (c + e0) * np.exp(-mut_star * z) + b * np.exp(-mueff * z)


@pytest.mark.parametrize("mua, mus, g, n", [(0.01, 10.0, 0.9, 1.4), (0.05, 5.0, 0.8, 1.37), (0.003, 20.0, 0.9, 1.0)])
def test_matches_closed_form_semi_infinite(mua, mus, g, n):
    spec = LayerStackSpec((Layer(thickness_mm=math.inf, mua=mua, mus=mus, g=g, n=n),))
    result = solve_broad_beam(spec)
    z = np.array([0.05, 0.5, 1.0, 3.0, 10.0, 20.0])
    np.testing.assert_allclose(result.at(z), closed_form(mua, mus, g, n, z), rtol=5e-3)


def test_grid_refinement_changes_little():
    spec = LayerStackSpec((
        Layer(thickness_mm=0.1, mua=0.7, mus=39.0, g=0.9, n=1.4),
        Layer(thickness_mm=1.5, mua=0.004, mus=24.0, g=0.9, n=1.394),
        Layer(thickness_mm=5.0, mua=0.004, mus=13.0, g=0.9, n=1.486),
        Layer(thickness_mm=math.inf, mua=0.0125, mus=14.5, g=0.93, n=1.376),
    ))
    coarse = solve_broad_beam(spec)
    fine = solve_broad_beam(spec, surface_step_mm=0.0025, growth=1.04, max_step_mm=0.05)
    z = np.array([1.0, 2.0, 5.0, 10.0, 20.0, 30.0])
    np.testing.assert_allclose(coarse.at(z), fine.at(z), rtol=5e-3)


def test_energy_balance_closes():
    # Homogeneous medium: Rsp + Rd + absorbed = 1 (no transmission from a deep semi-infinite medium).
    spec = LayerStackSpec((Layer(thickness_mm=math.inf, mua=0.02, mus=10.0, g=0.9, n=1.4),))
    r = solve_broad_beam(spec)
    faces = np.concatenate([[0.0], 0.5 * (r.z_mm[1:] + r.z_mm[:-1]), [2 * r.z_mm[-1] - r.z_mm[-2]]])
    absorbed = np.sum(0.02 * r.fluence * np.diff(faces))
    assert r.rsp + r.rd + absorbed == pytest.approx(1.0, abs=2e-3)


def test_effective_reflection_coefficient_known_value():
    # R_eff ≈ 0.493 for n = 1.4 into air (Haskell et al. 1994, Table 1)
    assert effective_reflection_coefficient(1.4, 1.0) == pytest.approx(0.493, abs=0.005)
    assert effective_reflection_coefficient(1.33, 1.33) == 0.0


def test_shallow_depths_are_flagged_unreliable():
    spec = LayerStackSpec((Layer(thickness_mm=math.inf, mua=0.02, mus=10.0, g=0.9, n=1.4),))
    r = solve_broad_beam(spec)
    assert not r.reliable[r.z_mm < 1.0].any()
    assert r.reliable[r.z_mm >= 1.0].all()
