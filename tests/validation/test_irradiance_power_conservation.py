"""All emitted power lands on the skin plane, at every distance from contact to 3 m: the irradiance map summed over
its cells (each cell holds the mean irradiance over it, so cell × area is the power falling into it), plus the
analytically bounded power beyond the map's edges, equals the device's radiant power.

For a cos^m point emitter at height z the power falling outside a disk of radius R centred under it is
P·(z²/(z² + R²))^((m+1)/2) (m = 1: Lambertian). A rectangular map contains the disk inscribed in it (radius R_in)
and lies inside the circumscribed one (R_out), so the power missing from the map lies between those two tails; an
extended face shrinks R_in and grows R_out by its half-diagonal (every point of the face is that close to its
centre). Collimated beams keep their cross-section: nothing leaves a map that holds the spot.

The mean over the device's footprint (the power on the footprint over its area, in closed form) never falls as the
device comes closer: every emitter's face lies on the footprint, and each point of a face puts a share of its power
on the footprint that grows as its beam narrows with distance (a scaled kernel on a star-shaped region).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lightdose import devices
from lightdose.devices import Emitter, EmitterGrid, Grid, LightDevice

LIGHT_PRESETS = ["pad-890", "panel-630", "panel-660-850", "panel-940", "probe-810"]
DISTANCES_MM = [0.01, 0.1, 1.0, 10.0, 150.0, 1000.0, 3000.0]


def tail(m: float, z: float, radius: np.ndarray) -> np.ndarray:
    """Share of a cos^m point source's power beyond `radius` on a plane at height z."""
    return (z * z / (z * z + np.maximum(radius, 0.0) ** 2)) ** ((m + 1) / 2)


def landed(ds) -> float:
    """Power [W] on the map: Σ cell mean × cell area."""
    cell = float(ds.x[1] - ds.x[0]) * float(ds.y[1] - ds.y[0])
    return float(ds.irradiance_total.sum()) * cell


def missing_bounds(device: LightDevice, z: float, grid: Grid) -> tuple[float, float]:
    """(least, most) power [W] that can fall outside the grid's cells."""
    least = most = 0.0
    x_edges, y_edges = grid.edges()
    half_x, half_y = x_edges[-1], y_edges[-1]
    for g in device.grids:
        e = g.emitter
        xe, ye = np.abs(g.positions()[0]), np.abs(g.positions()[1])
        if e.beam == "collimated":
            assert (xe + e.half_extent[0] <= half_x).all() and (ye + e.half_extent[1] <= half_y).all()
            continue
        half_diagonal = math.hypot(*e.half_extent)
        r_in = np.minimum(half_x - xe, half_y - ye) - half_diagonal
        r_out = np.hypot(half_x + xe, half_y + ye) + half_diagonal
        assert r_in.min() > 0
        most += e.power * tail(e.exponent, z, r_in).sum()
        least += e.power * tail(e.exponent, z, r_out).sum()
    return least, most


def large_grid(device: LightDevice, z: float) -> Grid:
    """A 201 × 201 map reaching 50 distances (at least 400 mm) beyond the device's face."""
    margin = max(400.0, 50.0 * z)
    return Grid(half_width_x=device.width / 2 + margin, half_width_y=device.height / 2 + margin, points_x=201,
                points_y=201)


@pytest.mark.parametrize("name", LIGHT_PRESETS)
@pytest.mark.parametrize("z", DISTANCES_MM)
def test_power_on_the_plane_equals_emitted_power(name, z):
    """The acceptance criterion of issue 13: within 1 % at 0.01, 0.1, 1 and 10 mm and up to 3 m, the tail outside
    the map accounted for; in fact the map holds P minus a tail inside its analytic bounds to 1e-9."""
    device = devices.get(name)
    power = device.total_power
    for grid in (Grid.around(device, z), large_grid(device, z)):
        on_map = landed(device.irradiance_map(z, grid))
        least, most = missing_bounds(device, z, grid)
        print(f"{name} at {z:g} mm, map ±{grid.half_width_x:g} × ±{grid.half_width_y:g} mm: on the map "
              f"{on_map / power:.7f} P, beyond it between {least / power:.2e} and {most / power:.2e} P")
        assert power - most - 1e-9 * power <= on_map <= power - least + 1e-9 * power
    assert most - least < 1e-3 * power  # on the large map the tail is pinned down: the 1 % check is tight
    assert abs(on_map + (least + most) / 2 - power) <= 0.01 * power


def test_a_true_point_source_in_near_contact_keeps_its_power_on_the_map():
    """A point LED (no face) 1e-6 mm above the skin: its spot is far narrower than a cell, yet the cell under it
    holds the power (cells are means, not samples); the centre value between cells is the point formula."""
    emitter = Emitter(wavelength=850, power=0.4, beam="cosine-power", half_angle=30)
    device = LightDevice(kind="panel", width=10, height=10, grids=[EmitterGrid(emitter=emitter, offset_x=0.7)])
    ds = device.irradiance_map(1e-6, Grid(half_width_x=10, half_width_y=10, points_x=21, points_y=21))
    assert landed(ds) == pytest.approx(0.4, rel=1e-12)
    assert float(ds.irradiance_total.sel(x=1.0, y=0.0)) == pytest.approx(0.4, rel=1e-12)  # the 1 mm² cell holding it
    assert ds.mean_irradiance.item() == pytest.approx(0.4 / 100, rel=1e-12)


@pytest.mark.parametrize("name", ["panel-630", "panel-660-850", "panel-940"])
def test_a_panel_2_mm_from_the_skin_gives_its_power_over_its_area(name):
    """Held 2 mm from the skin, a panel's mean over its footprint is its power over its area (within 0.1 %), higher
    than at its working distance — not the near-zero of the centre point, which lies between LEDs (< 1 % of it)."""
    panel = devices.get(name)
    near = devices.area_mean_irradiance(panel, "2 mm").sum()
    assert near == pytest.approx(panel.total_power / panel.area, rel=1e-3)
    assert near > devices.area_mean_irradiance(panel, "15 cm").sum()
    assert devices.centre_irradiance(panel, "2 mm") < 0.01 * near


def test_contact_is_the_limit_of_near_contact():
    """The footprint mean and the centre are continuous as the distance goes to 0 (faces of finite size)."""
    for name in LIGHT_PRESETS:
        device = devices.get(name)
        at_contact = devices.area_mean_irradiance(device, 0.0).sum()
        assert at_contact == pytest.approx(device.total_power / device.area, rel=1e-12)
        assert devices.area_mean_irradiance(device, 1e-6).sum() == pytest.approx(at_contact, rel=1e-6)
        assert devices.centre_irradiance(device, 1e-6) == pytest.approx(devices.centre_irradiance(device, 0.0),
                                                                         rel=1e-6, abs=1e-15)


distance = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=3000.0, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(LIGHT_PRESETS), a=distance, b=distance)
def test_footprint_mean_never_falls_as_the_device_comes_closer(name, a, b):
    device = devices.get(name)
    near, far = sorted((a, b))
    closer, farther = (devices.area_mean_irradiance(device, z).sum() for z in (near, far))
    assert closer >= farther * (1.0 - 1e-12)
