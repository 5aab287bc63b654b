"""Device irradiance against closed-form radiometry.

References: Lambert point source on a parallel plane, E = P·z²/(π(z² + ρ²)²); configuration factor from a plane
element to a parallel rectangle (normal through a corner; off-axis by superposition of four rectangles) and to
a parallel disk, and between two parallel rectangles in general position (Howell, "A Catalog of Radiation Heat
Transfer Configuration Factors"; Siegel & Howell, Thermal Radiation Heat Transfer). Tolerances are derived from the
numerics of each comparison (quadrature tolerances, the Euler–Maclaurin error of a midpoint/trapezoid sum, truncated
solid angles, the stated accuracy of the Gaussian mixture of lightdose.devices.kernels).

Two kinds of value are checked: point values (the centre irradiance; the dense-grid cases below evaluate them at
receiver points through `lightdose.devices.irradiance.emitter_irradiance`) and map cells, each the mean irradiance
over its cell, i.e. the power falling into it over its area.
"""

import math

import numpy as np
import pytest
from scipy import integrate

from lightdose.devices import Emitter, EmitterGrid, Grid, LightDevice
from lightdose.devices.irradiance import emitter_irradiance
from lightdose.devices.kernels import cosine_power_mixture
from lightdose.devices.view_factors import disk_factor, rectangle_factor

QUAD_TOL = 1e-11  # absolute/relative tolerance asked of scipy's adaptive quadrature below


def single(emitter: Emitter) -> LightDevice:
    return LightDevice(kind="panel", width=10, height=10, grids=[EmitterGrid(emitter=emitter)])


RECEIVER_STEPS = (-1.0, 0.0, 1.0)


def receivers(half_x: float, half_y: float) -> tuple[np.ndarray, np.ndarray]:
    """A 3 × 3 set of receiver points: x, y ∈ {−half, 0, +half}: on-axis, off-axis inside and outside a face."""
    return np.meshgrid(half_x * np.array(RECEIVER_STEPS), half_y * np.array(RECEIVER_STEPS))


def point_values(device: LightDevice, x: np.ndarray, y: np.ndarray, z: float) -> np.ndarray:
    """The device's irradiance [W/mm²] at the points (x, y): the sum of its emitters' point values."""
    total = np.zeros_like(x)
    for g in device.grids:
        for xe, ye in zip(*g.positions(), strict=True):
            total += emitter_irradiance(g.emitter, x - xe, y - ye, z)
    return total


# --- one emitter ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", [5.0, 50.0, 150.0])
def test_lambertian_point_source_on_and_off_axis(z):
    power = 0.25
    device = single(Emitter(wavelength=850, power=power))
    x, y = receivers(40.0, 90.0)
    expected = power * z**2 / (np.pi * (z**2 + x**2 + y**2) ** 2)
    np.testing.assert_allclose(point_values(device, x, y, z), expected, rtol=1e-13)
    assert device.irradiance_map(z).centre_irradiance.item() == pytest.approx(power / (np.pi * z**2), rel=1e-13)


@pytest.mark.parametrize("half_angle", [10.0, 30.0, 45.0, 75.0])
def test_cosine_power_point_source_is_intensity_times_cos_over_r2(half_angle):
    """E = I(θ)·cosθ/r², with I(θ) from the emitter's own radiant_intensity (a separate code path)."""
    emitter = Emitter(wavelength=660, power=0.4, beam="cosine-power", half_angle=half_angle)
    z = 120.0
    x, y = receivers(70.0, 150.0)
    r = np.sqrt(x**2 + y**2 + z**2)
    theta = np.arccos(z / r)
    expected = emitter.radiant_intensity(theta) * np.cos(theta) / r**2
    np.testing.assert_allclose(point_values(single(emitter), x, y, z), expected, rtol=1e-12)


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
    xs, ys = receivers(45.0, 50.0)
    values = point_values(dense_panel(columns, rows), xs, ys, z)
    for px, py, summed in zip(xs.ravel(), ys.ravel(), values.ravel(), strict=True):
        exact = panel_exact(px, py, z)
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
        errors.append(point_values(dense_panel(columns, rows), np.array(px), np.array(py), z).item() - exact)
    print("errors", errors)
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.1)
    assert errors[1] / errors[2] == pytest.approx(4.0, rel=0.03)


# --- map cells: the power falling into each cell, against closed forms ---------------------------------------


def exchange_factor(face: tuple, cell: tuple, c: float) -> float:
    """∫ over `cell` of the configuration factor to the parallel rectangle `face` at distance c [mm²] (A₁F₁₂ for
    two parallel rectangles in general position: Howell's catalogue; Siegel & Howell): the power a Lambertian face of
    unit exitance puts into the cell is this."""

    def g(x: float, y: float) -> float:
        a, b = math.hypot(x, c), math.hypot(y, c)
        return y * a * math.atan2(y, a) + x * b * math.atan2(x, b) - c * c / 2 * math.log(x * x + y * y + c * c)

    (x1, x2, y1, y2), (u1, u2, v1, v2) = face, cell
    total = sum((-1) ** (i + j + k + n) * g(u - x, v - y)
                for i, x in enumerate((x1, x2)) for j, y in enumerate((y1, y2))
                for k, u in enumerate((u1, u2)) for n, v in enumerate((v1, v2)))
    return total / (2 * math.pi)


def test_exchange_factor_is_the_integral_of_the_point_factor():
    """The closed form used below against its definition (the test's own reference, checked once)."""
    face, cell, c = (-2.5, 2.5, -3.75, 3.75), (1.0, 4.0, -1.0, 6.0), 1.3
    numeric, _ = integrate.dblquad(lambda y, x: float(rectangle_factor(face[0] - x, face[1] - x, face[2] - y,
                                                                       face[3] - y, c)),
                                   cell[0], cell[1], cell[2], cell[3], epsabs=1e-13, epsrel=1e-11)
    assert exchange_factor(face, cell, c) == pytest.approx(numeric, rel=1e-10)


def cell_means(device: LightDevice, z: float, grid: Grid) -> np.ndarray:
    return device.irradiance_map(z, grid).irradiance_total.values


@pytest.mark.parametrize("z", [0.0, 0.05, 0.5, 5.0, 50.0])
def test_tiled_lambertian_cells_have_the_exact_cell_means_of_one_face(z):
    """A pad of 4 × 15 Lambertian cells (pad-890's layout) on a coarse map of 3.2 × 3 mm cells: every cell mean equals
    the closed form for one face of the same exitance, M·A₁F₁₂/A_cell, from contact on; the mixture's accuracy
    (1e-11 of a kernel's peak, lightdose.devices.kernels) bounds the difference."""
    cell = Emitter(wavelength=890, power=EXITANCE * 5 * 7.5, face="rectangle", size=5, size_y=7.5)
    grids = [EmitterGrid(emitter=cell, rows=4, columns=15, pitch_x=5, pitch_y=7.5)]
    pad = LightDevice(kind="contact-pad", width=75, height=30, contact=True, grids=grids)
    grid = Grid(half_width_x=48, half_width_y=24, points_x=31, points_y=17)
    (xe, ye), (x, y) = grid.edges(), grid.axes()
    expected = np.array([[EXITANCE * exchange_factor((-37.5, 37.5, -15.0, 15.0), (xe[i], xe[i + 1], ye[j], ye[j + 1]),
                                                     z) if z > 0 else
                          EXITANCE * max(0.0, min(37.5, xe[i + 1]) - max(-37.5, xe[i]))
                          * max(0.0, min(15.0, ye[j + 1]) - max(-15.0, ye[j]))
                          for i in range(x.size)] for j in range(y.size)]) / grid.cell_area
    np.testing.assert_allclose(cell_means(pad, z, grid), expected, rtol=1e-9, atol=1e-11 * EXITANCE)


def corner_power(u: float, v: float, z: float, m: float) -> float:
    """Share of a cos^m point source's power (source above the origin, height z) landing on [0, u] × [0, v], u, v ≥ 0:
    (1/2π)·∫ Q(R(φ)) dφ over the quadrant, Q(R) = 1 − (z²/(z² + R²))^((m+1)/2) the share within radius R, R(φ) the
    distance to the rectangle's far edges (adaptive quadrature)."""

    def inside(radius: float) -> float:
        return 1.0 - (z * z / (z * z + radius * radius)) ** ((m + 1) / 2)

    corner = math.atan2(v, u)
    first = integrate.quad(lambda phi: inside(u / math.cos(phi)), 0.0, corner, epsabs=1e-14, epsrel=1e-12)[0]
    second = integrate.quad(lambda phi: inside(v / math.sin(phi)), corner, math.pi / 2, epsabs=1e-14,
                            epsrel=1e-12)[0]
    return (first + second) / (2 * math.pi)


def rectangle_power(x1: float, x2: float, y1: float, y2: float, z: float, m: float) -> float:
    """Share of the power on [x1, x2] × [y1, y2] by superposing signed corner rectangles."""

    def signed(u: float, v: float) -> float:
        return math.copysign(1.0, u) * math.copysign(1.0, v) * corner_power(abs(u), abs(v), z, m)

    return signed(x2, y2) - signed(x1, y2) - signed(x2, y1) + signed(x1, y1)


@pytest.mark.parametrize("half_angle", [10.0, 30.0, 60.0, 80.0])
@pytest.mark.parametrize("z", [0.01, 1.0, 20.0])
def test_point_source_cell_means_match_quadrature(half_angle, z):
    """A cos^m point LED 0.3 mm off a cell corner: the power in cells of 2 × 1.5 mm (much wider than the beam at
    0.01 mm, much narrower at 20 mm) against the polar quadrature of its exact kernel."""
    emitter = Emitter(wavelength=850, power=1.0, beam="cosine-power", half_angle=half_angle)
    device = LightDevice(kind="panel", width=10, height=10, grids=[EmitterGrid(emitter=emitter, offset_x=0.3,
                                                                              offset_y=-0.2)])
    grid = Grid(half_width_x=4.0, half_width_y=3.0, points_x=5, points_y=5)
    (xe, ye) = grid.edges()
    maps = cell_means(device, z, grid) * grid.cell_area
    m = emitter.exponent
    for j in range(ye.size - 1):
        for i in range(xe.size - 1):
            exact = rectangle_power(xe[i] - 0.3, xe[i + 1] - 0.3, ye[j] + 0.2, ye[j + 1] + 0.2, z, m)
            assert maps[j, i] == pytest.approx(exact, rel=1e-9, abs=1e-12), (i, j)


@pytest.mark.parametrize("half_angle", [1.0, 5.0, 10.0, 30.0, 45.0, 60.0, 80.0, 89.0])
def test_gaussian_mixture_reproduces_the_cosine_power_kernel(half_angle):
    """The mixture behind every cell mean (lightdose.devices.kernels): (m+1)/(2π)·(1+u²)^−(m+3)/2 within 1e-11 of its
    peak everywhere, within 1e-9 relative where it exceeds 1e-6 of its peak; its weights sum to 1 (power exact)."""
    m = Emitter(wavelength=850, power=1.0, beam="cosine-power", half_angle=half_angle).exponent
    weights, t = cosine_power_mixture(m)
    u = np.concatenate([[0.0], np.geomspace(1e-4, 1e5, 2000)]) / math.sqrt(max(m, 1.0))
    exact = (m + 1) / (2 * math.pi) * (1 + u * u) ** (-(m + 3) / 2)
    mixture = (weights[:, None] * t[:, None] / math.pi * np.exp(-t[:, None] * u[None, :] ** 2)).sum(axis=0)
    print(f"θ½ {half_angle}°, m {m:.4g}: {t.size} Gaussians, max error {np.abs(mixture - exact).max() / exact[0]:.1e} "
          "of the peak")
    assert weights.sum() == pytest.approx(1.0, abs=1e-14)
    assert np.abs(mixture - exact).max() <= 1e-11 * exact[0]
    core = exact > 1e-6 * exact[0]
    np.testing.assert_allclose(mixture[core], exact[core], rtol=1e-9)


@pytest.mark.parametrize("z", [0.0, 0.3, 3.0, 30.0])
def test_cosine_power_square_with_lambertian_profile_is_the_lambertian_square(z):
    """A square face of cos^m radiance with θ½ = 60° (m = 1): its point values (Gaussian mixture) equal the
    configuration-factor closed form of a Lambertian square, on the face, at its edge and outside."""
    as_cosine = Emitter(wavelength=660, power=0.4, face="square", size=9.0, beam="cosine-power", half_angle=60.0)
    lambertian = Emitter(wavelength=660, power=0.4, face="square", size=9.0)
    x, y = np.meshgrid([0.0, 2.0, 4.5, 7.0, 20.0], [0.0, 3.0, 4.5, 11.0])
    expected = emitter_irradiance(lambertian, x, y, z)
    np.testing.assert_allclose(emitter_irradiance(as_cosine, x, y, z), expected, rtol=1e-9,
                               atol=1e-11 * float(expected.max()))
