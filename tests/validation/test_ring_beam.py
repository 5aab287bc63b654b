"""The fast solver's tabulated axisymmetric beam (`solve_ring_beam`) against its single-shape solutions.

A profile tabulated as rings is solved as a signed sum of flat-top discs in one Hankel-space sweep. Written
with the exact annulus means of a flat-top disc or a Gaussian, it must reproduce `solve_finite_beam` for that
shape, to within the discretisation errors measured here (ring width; for the Gaussian, also the two paths'
different k quadratures, measured by refining the k grid).
"""

import numpy as np
import pytest

import lightdose.transport.diffusion as diffusion
from lightdose.anatomy import Person, sites
from lightdose.transport.diffusion import ring_coefficients, solve_finite_beam, solve_ring_beam
from lightdose.transport.stack_spec import stack_spec

HEEL = stack_spec(Person(neuropathy=True).apply(sites.get("heel")), 890.0)


def _depths(result):
    return (result.z_mm >= 1.0) & (result.z_mm <= 30.0)


def disc_annulus_means(radius_mm, width_mm, extent_mm):
    """Exact mean irradiance of a unit flat-top disc over rings of `width_mm` (the ring at the edge partly lit)."""
    edges = np.arange(1, int(np.ceil(extent_mm / width_mm)) + 1) * width_mm
    inner = edges - width_mm
    return edges, np.clip((radius_mm**2 - inner**2) / (edges**2 - inner**2), 0.0, 1.0)


def gaussian_annulus_means(w_mm, width_mm, extent_mm):
    """Exact mean of exp(−2r²/w²) over rings of `width_mm`."""
    edges = np.arange(1, int(np.ceil(extent_mm / width_mm)) + 1) * width_mm
    inner = edges - width_mm
    integral = w_mm**2 / 4.0 * (np.exp(-2.0 * inner**2 / w_mm**2) - np.exp(-2.0 * edges**2 / w_mm**2))
    return edges, integral / ((edges**2 - inner**2) / 2.0)


def _worst(result, reference):
    keep = _depths(reference)
    return float(np.max(np.abs(result.fluence[keep] / reference.fluence[keep] - 1.0)))


def test_tabulated_flat_top_reproduces_the_disc_and_converges_with_the_ring_width():
    radius = 26.73  # on no ring edge: the edge ring is partly lit
    reference = solve_finite_beam(HEEL, radius)
    errors = [_worst(solve_ring_beam(HEEL, *disc_annulus_means(radius, width, 60.0)), reference)
              for width in (1.0, 0.5, 0.25, 0.1)]
    # Same k grid as the disc (k_max = 30 /mm): what is left is the partly lit edge ring, O(width²).
    assert errors[-1] < 1e-4
    assert errors[1] < 1e-3
    assert all(later < earlier for earlier, later in zip(errors[:-1], errors[1:], strict=True))


def test_flat_top_on_a_ring_edge_is_one_disc():
    edges, values = disc_annulus_means(10.0, 0.5, 30.0)
    assert np.count_nonzero(ring_coefficients(values)) == 1
    np.testing.assert_allclose(solve_ring_beam(HEEL, edges, values).fluence, solve_finite_beam(HEEL, 10.0).fluence,
                               rtol=1e-12)


def test_tabulated_gaussian_reproduces_the_gaussian_path(monkeypatch):
    w = 8.0
    edges, values = gaussian_annulus_means(w, 0.1, 40.0)
    error = _worst(solve_ring_beam(HEEL, edges, values), solve_finite_beam(HEEL, w, profile="gaussian"))
    # The two paths integrate over k differently (exact-J1 intervals from 1e-3 to 80 /mm for the rings,
    # trapezoid to 8/w for the Gaussian). With the default 160 points per 4.5 decades the rings' quadrature
    # error at depth is ~2e-3 (measured against 1280 points); refining k must close the gap.
    assert error < 3e-3
    monkeypatch.setattr(diffusion, "K_POINTS", 640)
    diffusion._ring_quadrature.cache_clear()
    refined = _worst(solve_ring_beam(HEEL, edges, values), solve_finite_beam(HEEL, w, profile="gaussian"))
    diffusion._ring_quadrature.cache_clear()
    assert refined < 3e-4
    assert refined < error / 4


def test_a_ring_that_rises_away_from_the_centre_is_allowed_and_linear():
    """Signed disc coefficients: b = 1 inside 5 mm, 2 from 5 to 15 mm. Linearity: = 2·disc(15) − disc(5)."""
    edges = np.arange(1, 31) * 0.5
    values = np.where(edges <= 5.0, 1.0, 2.0)
    expected_diffuse = 2.0 * (solve_finite_beam(HEEL, 15.0).fluence - _collimated()) - (
        solve_finite_beam(HEEL, 5.0).fluence - _collimated())
    got = solve_ring_beam(HEEL, edges, values).fluence - _collimated()
    keep = _depths(solve_finite_beam(HEEL, 5.0))
    np.testing.assert_allclose(got[keep], expected_diffuse[keep], rtol=1e-10)


def _collimated():
    """The unscattered part on the axis (b(0) = 1), the same for every profile: the broad beam's."""
    return diffusion.solve_broad_beam(HEEL).collimated


@pytest.mark.parametrize("edges, values", [
    (np.array([1.0, 0.5]), np.array([1.0, 1.0])),
    (np.array([1.0, 2.0]), np.array([0.0, 0.0])),
    (np.array([1.0, 2.0]), np.array([1.0])),
    (np.array([0.0, 2.0]), np.array([1.0, 1.0])),
])
def test_bad_ring_tables_are_refused(edges, values):
    with pytest.raises(ValueError):
        solve_ring_beam(HEEL, edges, values)
