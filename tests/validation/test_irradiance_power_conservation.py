"""All emitted power lands on an infinite plane: the irradiance map integrated over a large grid, plus the
analytically bounded power beyond its edges, equals the device's radiant power.

For a cos^m point emitter at height z the power falling outside a disk of radius R centred under it is
P·(z²/(z² + R²))^((m+1)/2) (m = 1: Lambertian). A square grid contains the disk inscribed in it (radius R_in)
and lies inside the circumscribed one (R_out), so the power missing from the grid lies between those two
tails; for extended faces R_in shrinks and R_out grows by the face's half-diagonal. The grid integral is a
trapezoid sum whose error is bounded by its leading Euler–Maclaurin term, (h²/12)·∮|∂E/∂n| ds ≤
(h²/12)·perimeter·Σ|dE/dρ|(R_in) per emitter (|dE/dρ| falls with ρ beyond the kernel's peak slope).
"""

import math

import numpy as np
import pytest

from lightdose import devices
from lightdose.devices import Emitter, EmitterGrid, Grid, LightDevice


def trapezoid_2d(ds) -> float:
    e = ds.irradiance_total.values
    return float(np.trapezoid(np.trapezoid(e, ds.x.values, axis=1), ds.y.values))


def tail(m: float, z: float, radius: np.ndarray) -> np.ndarray:
    """Fraction of a cos^m point source's power beyond `radius` on a plane at height z."""
    return (z * z / (z * z + radius * radius)) ** ((m + 1) / 2)


def slope(m: float, z: float, rho: np.ndarray) -> np.ndarray:
    """|dE/dρ| per watt of a cos^m point source: (m+1)(m+3)/(2π)·z^(m+1)·ρ·(z² + ρ²)^(−(m+5)/2)."""
    return (m + 1) * (m + 3) / (2 * math.pi) * z ** (m + 1) * rho * (z * z + rho * rho) ** (-(m + 5) / 2)


def expected_band(device: LightDevice, z: float, grid: Grid) -> tuple[float, float, float]:
    """(lowest, highest) power the grid can hold, and the trapezoid error bound [W]."""
    lost_max = lost_min = slope_sum = 0.0
    for g in device.grids:
        e = g.emitter
        half_diagonal = 0.5 * math.hypot(e.size, e.size_y or e.size)
        xe, ye = np.abs(g.positions()[0]), np.abs(g.positions()[1])
        r_in = np.minimum(grid.half_width_x - xe, grid.half_width_y - ye) - half_diagonal
        r_out = np.hypot(grid.half_width_x + xe, grid.half_width_y + ye) + half_diagonal
        assert r_in.min() > z  # beyond the kernel's steepest slope, where |dE/dρ| decreases
        lost_max += e.power * tail(e.exponent, z, r_in).sum()
        lost_min += e.power * tail(e.exponent, z, r_out).sum()
        slope_sum += e.power * slope(e.exponent, z, r_in).sum()
    h = max(2 * grid.half_width_x / (grid.points_x - 1), 2 * grid.half_width_y / (grid.points_y - 1))
    perimeter = 4 * (grid.half_width_x + grid.half_width_y)
    quadrature = h * h / 12 * perimeter * slope_sum
    return device.total_power - lost_max, device.total_power - lost_min, quadrature


@pytest.mark.parametrize(
    "name, z, half_width, points",
    [
        ("pad-890", 10.0, 440.0, 353),  # Lambertian cells: tail ~ z²/R², a few 1e-4 of P
        ("panel-660-850", 150.0, 1100.0, 221),  # cos^4.8 LEDs: tail ~ 1e-5 of P
        ("panel-940", 100.0, 1600.0, 321),  # cos^2 LEDs: tail ~ (z/R)³
    ],
)
def test_power_on_the_plane_equals_emitted_power(name, z, half_width, points):
    device = devices.get(name)
    grid = Grid(half_width_x=half_width, half_width_y=half_width, points_x=points, points_y=points)
    landed = trapezoid_2d(device.irradiance_map(z, grid))
    low, high, quadrature = expected_band(device, z, grid)
    print(
        f"{name}: landed/P = {landed / device.total_power:.7f}, allowed [{low / device.total_power:.7f}, "
        f"{high / device.total_power:.7f}] ± {quadrature / device.total_power:.1e}"
    )
    assert low - quadrature <= landed <= high + quadrature
    assert (high - low + 2 * quadrature) < 1e-3 * device.total_power  # the check is tight


def test_single_lambertian_point_exact_fraction():
    """One Lambertian point: the grid holds exactly P·F (F: element-to-square configuration factor)."""
    from lightdose.devices.view_factors import rectangle_factor

    z, half = 20.0, 200.0
    device = LightDevice(kind="panel", width=5, height=5, grids=[EmitterGrid(emitter=Emitter(wavelength=810, power=1))])
    grid = Grid(half_width_x=half, half_width_y=half, points_x=401, points_y=401)
    landed = trapezoid_2d(device.irradiance_map(z, grid))
    exact = float(rectangle_factor(-half, half, -half, half, z))
    quadrature = (1.0 / 12) * 8 * half * slope(1.0, z, np.array(half))  # h = 1 mm
    print(f"landed {landed:.9f}, P·F {exact:.9f}, tail {1 - exact:.2e}, quadrature bound {quadrature:.1e}")
    assert landed == pytest.approx(exact, abs=quadrature + 1e-12)
    assert 1 - exact > 100 * quadrature  # the tail is resolved, not hidden in the tolerance


def test_collimated_beams_conserve_power():
    """A flat-top probe puts P/A on its spot at any distance; a Gaussian beam integrates to P (tail e^(−2R²/w²))."""
    probe = devices.get("probe-810")
    ds = probe.irradiance_map("30 mm")
    assert float(ds.mean_irradiance.sum()) == pytest.approx(probe.total_power / probe.area, rel=1e-12)
    w = 4.0
    gaussian = Emitter(wavelength=810, power=0.5, face="disk", size=2 * w, beam="collimated", profile="gaussian")
    device = LightDevice(kind="probe", width=8, height=8, grids=[EmitterGrid(emitter=gaussian)])
    grid = Grid(half_width_x=2 * w, half_width_y=2 * w, points_x=161, points_y=161)
    landed = trapezoid_2d(device.irradiance_map(0, grid))
    lost_max, lost_min = math.exp(-2 * 4), math.exp(-2 * 8)  # beyond R_in = 2w, R_out = 2√2·w
    assert 0.5 * (1 - lost_max) - 1e-9 <= landed <= 0.5 * (1 - lost_min) + 1e-9
