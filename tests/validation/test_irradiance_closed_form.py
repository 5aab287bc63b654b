"""Device irradiance against closed-form radiometry.

References: Lambert point source on a parallel plane, E = P·z²/(π(z² + ρ²)²); configuration factor from a plane
element to a parallel rectangle (normal through a corner; off-axis by superposition of four rectangles) and to
a parallel disk (Howell, "A Catalog of Radiation Heat Transfer Configuration Factors"; Siegel & Howell,
Thermal Radiation Heat Transfer). Tolerances are derived from the numerics of each comparison (quadrature
tolerances, the Euler–Maclaurin error of a midpoint/trapezoid sum, truncated solid angles).
"""

import numpy as np
import pytest
from scipy import integrate

from lightdose.devices import Emitter, EmitterGrid, Grid, LightDevice
from lightdose.devices.view_factors import disk_factor, rectangle_factor

QUAD_TOL = 1e-11  # absolute/relative tolerance asked of scipy's adaptive quadrature below


def single(emitter: Emitter) -> LightDevice:
    return LightDevice(kind="panel", width=10, height=10, grids=[EmitterGrid(emitter=emitter)])


def receivers(half_x: float, half_y: float) -> Grid:
    """A 3 × 3 grid: x, y ∈ {−half, 0, +half}: on-axis, off-axis inside and outside a face."""
    return Grid(half_width_x=half_x, half_width_y=half_y, points_x=3, points_y=3)


# --- one emitter ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", [5.0, 50.0, 150.0])
def test_lambertian_point_source_on_and_off_axis(z):
    power = 0.25
    ds = single(Emitter(wavelength=850, power=power)).irradiance_map(z, receivers(40.0, 90.0))
    x, y = np.meshgrid(ds.x.values, ds.y.values)
    rho2 = x**2 + y**2
    expected = power * z**2 / (np.pi * (z**2 + rho2) ** 2)
    np.testing.assert_allclose(ds.irradiance_total.values, expected, rtol=1e-13)
    assert ds.centre_irradiance.item() == pytest.approx(power / (np.pi * z**2), rel=1e-13)


@pytest.mark.parametrize("half_angle", [10.0, 30.0, 45.0, 75.0])
def test_cosine_power_point_source_is_intensity_times_cos_over_r2(half_angle):
    """E = I(θ)·cosθ/r², with I(θ) from the emitter's own radiant_intensity (a separate code path)."""
    emitter = Emitter(wavelength=660, power=0.4, beam="cosine-power", half_angle=half_angle)
    z = 120.0
    ds = single(emitter).irradiance_map(z, receivers(70.0, 150.0))
    x, y = np.meshgrid(ds.x.values, ds.y.values)
    r = np.sqrt(x**2 + y**2 + z**2)
    theta = np.arccos(z / r)
    expected = emitter.radiant_intensity(theta) * np.cos(theta) / r**2
    np.testing.assert_allclose(ds.irradiance_total.values, expected, rtol=1e-12)


@pytest.mark.parametrize("half_angle", [5.0, 15.0, 30.0, 45.0, 60.0, 80.0])
def test_cosine_power_profile_normalisation_and_half_angle(half_angle):
    emitter = Emitter(wavelength=850, power=0.3, beam="cosine-power", half_angle=half_angle)
    total, err = integrate.quad(
        lambda t: emitter.radiant_intensity(t) * 2 * np.pi * np.sin(t), 0, np.pi / 2, epsabs=0, epsrel=QUAD_TOL
    )
    assert total == pytest.approx(emitter.power, rel=10 * QUAD_TOL)
    ratio = emitter.radiant_intensity(np.radians(half_angle)) / emitter.radiant_intensity(0.0)
    assert ratio == pytest.approx(0.5, rel=1e-12)
    if half_angle == 60.0:  # cos 60° = 1/2: the generalised profile reduces to Lambert's law
        assert emitter.exponent == pytest.approx(1.0, rel=1e-12)


# --- the closed-form configuration factors themselves, against their defining integrals ------------------


def _rectangle_integral(x1, x2, y1, y2, z):
    """F = ∫∫ z²/(π(x² + y² + z²)²) dx dy over the rectangle (element at the origin)."""
    value, _ = integrate.dblquad(
        lambda y, x: z**2 / (np.pi * (x * x + y * y + z * z) ** 2), x1, x2, y1, y2, epsabs=1e-13, epsrel=1e-11
    )
    return value


@pytest.mark.parametrize(
    "x1, x2, y1, y2, z",
    [
        (0.0, 30.0, 0.0, 20.0, 10.0),  # element above a corner (the catalogue case itself)
        (-30.0, 30.0, -20.0, 20.0, 10.0),  # on-axis, centre
        (-10.0, 50.0, -35.0, 5.0, 7.0),  # off-axis, inside
        (15.0, 60.0, 25.0, 40.0, 12.0),  # off-axis, outside
        (-2.0, 3.0, -1.5, 4.0, 0.2),  # close to contact
    ],
)
def test_rectangle_factor_matches_its_defining_integral(x1, x2, y1, y2, z):
    assert rectangle_factor(x1, x2, y1, y2, z) == pytest.approx(_rectangle_integral(x1, x2, y1, y2, z), rel=1e-9)


@pytest.mark.parametrize("rho, radius, z", [(0.0, 5.0, 3.0), (2.0, 5.0, 3.0), (9.0, 5.0, 3.0), (4.0, 5.0, 0.3)])
def test_disk_factor_matches_its_defining_integral(rho, radius, z):
    value, _ = integrate.dblquad(
        lambda r, phi: z**2 * r / (np.pi * (z * z + r * r + rho * rho - 2 * r * rho * np.cos(phi)) ** 2),
        0.0,
        2 * np.pi,
        0.0,
        radius,
        epsabs=1e-13,
        epsrel=1e-11,
    )
    assert disk_factor(rho, radius, z) == pytest.approx(value, rel=1e-9)


def test_contact_limit_of_the_factors():
    assert rectangle_factor(-1, 1, -2, 2, 0.0) == pytest.approx(1.0, abs=1e-15)
    assert rectangle_factor(1, 3, -2, 2, 0.0) == pytest.approx(0.0, abs=1e-15)
    assert disk_factor(0.5, 1.0, 0.0) == pytest.approx(1.0, abs=1e-15)
    assert disk_factor(1.5, 1.0, 0.0) == pytest.approx(0.0, abs=1e-15)


# --- a uniform Lambertian panel as a dense grid of point emitters -----------------------------------------

PANEL_W, PANEL_H, EXITANCE = 100.0, 60.0, 4.0e-4  # mm, mm, W/mm² (40 mW/cm²)


def dense_panel(columns: int, rows: int) -> LightDevice:
    """Point Lambertian emitters at the centres of columns × rows cells, each carrying its cell's power."""
    hx, hy = PANEL_W / columns, PANEL_H / rows
    emitter = Emitter(wavelength=850, power=EXITANCE * hx * hy)
    grid = EmitterGrid(emitter=emitter, rows=rows, columns=columns, pitch_x=hx, pitch_y=hy)
    return LightDevice(kind="panel", width=PANEL_W, height=PANEL_H, grids=[grid])


def midpoint_error(px: float, py: float, z: float, hx: float, hy: float) -> float:
    """Leading Euler–Maclaurin error of the midpoint sum of f = M·z²/(π s²), s = z² + (x−px)² + (y−py)²:

    Σ − ∫ = −(hx²/24)·∫dy [∂f/∂x] across the x-edges − (hy²/24)·∫dx [∂f/∂y] across the y-edges, + O(h⁴),
    with ∂f/∂x = −4·M·z²·(x − px)/(π s³), and likewise for y.
    """

    def gradient(along, across):
        return -4.0 * EXITANCE * z * z * along / (np.pi * (z * z + along * along + across * across) ** 3)

    x1, x2, y1, y2 = -PANEL_W / 2, PANEL_W / 2, -PANEL_H / 2, PANEL_H / 2
    ex = integrate.quad(lambda y: gradient(x2 - px, y - py) - gradient(x1 - px, y - py), y1, y2, epsrel=1e-10)[0]
    ey = integrate.quad(lambda x: gradient(y2 - py, x - px) - gradient(y1 - py, x - px), x1, x2, epsrel=1e-10)[0]
    return -(hx**2) / 24.0 * ex - (hy**2) / 24.0 * ey


def panel_exact(px: float, py: float, z: float) -> float:
    """E = M·F for the uniform PANEL_W × PANEL_H Lambertian panel, receiver at (px, py)."""
    return EXITANCE * rectangle_factor(-PANEL_W / 2 - px, PANEL_W / 2 - px, -PANEL_H / 2 - py, PANEL_H / 2 - py, z)


@pytest.mark.parametrize("z", [10.0, 40.0, 150.0])
def test_dense_lambertian_grid_matches_uniform_rectangle(z):
    """40 × 24 point emitters (2.5 mm cells) vs E = M·F (on-axis, off-axis inside and outside the panel).

    The sum over emitters is the midpoint rule for E = ∫∫ M·z²/(π s²) dA, so sum − exact must equal the leading
    Euler–Maclaurin term (computed above) up to the O(h⁴) remainder, whose size relative to the leading term is
    ~ (h/z)²·(24/720)·O(1) ≤ 2 % for h = 2.5 mm, z ≥ 10 mm: we allow 5 % of the predicted error.
    """
    columns, rows = 40, 24
    hx, hy = PANEL_W / columns, PANEL_H / rows
    ds = dense_panel(columns, rows).irradiance_map(z, receivers(45.0, 50.0))
    for py in ds.y.values:
        for px in ds.x.values:
            exact = panel_exact(px, py, z)
            summed = ds.irradiance_total.sel(x=px, y=py).item()
            predicted = midpoint_error(px, py, z, hx, hy)
            print(
                f"z={z} ({px}, {py}): exact {exact:.6e}, rel. error {(summed - exact) / exact:.2e}, "
                f"predicted {predicted / exact:.2e}"
            )
            assert summed - exact == pytest.approx(predicted, rel=0.05, abs=1e-12 * exact)


def test_dense_grid_error_is_second_order():
    """Halving the cell size cuts the error by 4 (midpoint rule), at an off-axis point near the edge."""
    z, px, py = 8.0, 45.0, 0.0
    exact = panel_exact(px, py, z)
    errors = []
    for columns, rows in ((20, 12), (40, 24), (80, 48)):
        ds = dense_panel(columns, rows).irradiance_map(z, receivers(px, 30.0))
        errors.append(ds.irradiance_total.sel(x=px, y=py).item() - exact)
    print("errors", errors)
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.1)
    assert errors[1] / errors[2] == pytest.approx(4.0, rel=0.03)


def test_tiled_lambertian_faces_equal_one_face():
    """A pad of Lambertian cells (shared corners merged) equals one rectangle of the same exitance, at any z."""
    cell = Emitter(wavelength=890, power=EXITANCE * 5 * 7.5, face="rectangle", size=5, size_y=7.5)
    grids = [EmitterGrid(emitter=cell, rows=4, columns=15, pitch_x=5, pitch_y=7.5)]
    pad = LightDevice(kind="contact-pad", width=75, height=30, contact=True, grids=grids)
    grid = Grid(half_width_x=60, half_width_y=30, points_x=25, points_y=13)
    xs, ys = grid.axes()
    u1, u2 = -37.5 - xs[None, :], 37.5 - xs[None, :]
    v1, v2 = -15.0 - ys[:, None], 15.0 - ys[:, None]
    for z in (0.0, 0.5, 20.0):
        expected = EXITANCE * rectangle_factor(u1, u2, v1, v2, z)
        np.testing.assert_allclose(
            pad.irradiance_map(z, grid).irradiance_total.values, expected, rtol=1e-10, atol=1e-12 * EXITANCE
        )
