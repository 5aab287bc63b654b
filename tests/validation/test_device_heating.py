"""A light device's own heat in contact with the skin: the reference rows of tests/reference/device_heating.yaml
(skin temperatures measured under an 890 nm pad and after an 810 nm laser), and closed-form checks of the lumped
applied part in the 1-D and r–z solvers. The rows themselves run in the shared runner,
tests/validation/test_references.py (model "device_heating")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lightdose.anatomy import Layer, LayerStack
from lightdose.thermal import SkinBoundary, make_grid, solve_pennes
from lightdose.thermal.pennes1d import AppliedPart
from lightdose.thermal.pennes_rz import make_grid_rz, solve_rz
from lightdose.thermal.properties import thermal_properties
from lightdose.thermal.session import HeatRequest, heat_session

# A slab of water over a fixed-temperature bottom, no perfusion, no source: the steady state of a pad on it has a
# closed form. Heat balance of the pad (per mm²): q = h_s (T_d − T_s) + h_r (T_d − T_room); of the slab:
# h_s (T_d − T_s) = (k/L) (T_s − T_core).
WATER = LayerStack(layers=[Layer(tissue="water", thickness=8.0)])
PART = AppliedPart(heat_capacity=0.013, h_skin=100e-6, h_room=8e-6, t_room=25.0, heat=2e-4)


def _closed_form(part: AppliedPart, k_over_l: float, t_core: float) -> tuple[float, float]:
    """Steady pad and skin temperatures [°C]: the 2 × 2 linear system of the two heat balances."""
    a = np.array([[part.h_skin + part.h_room, -part.h_skin], [part.h_skin, -(part.h_skin + k_over_l)]])
    b = np.array([part.heat + part.h_room * part.t_room, -k_over_l * t_core])
    pad, skin = np.linalg.solve(a, b)
    return float(pad), float(skin)


def test_steady_pad_on_a_slab_matches_the_closed_form():
    water = thermal_properties("water")
    grid = make_grid(WATER, depth=8.0, properties=[water])
    run = solve_pennes(grid, "6 h", dt="20 s", boundary=SkinBoundary(h_air=0.0), initial=37.0, applied_part=PART)
    pad, skin = _closed_form(PART, water.conductivity_mm / 8.0, 37.0)
    assert float(run.applied_part_temperature[-1]) == pytest.approx(pad, abs=1e-3)
    assert float(run.surface_temperature[-1]) == pytest.approx(skin, abs=1e-3)
    assert abs(float(run.energy_residual)) < 1e-9


def test_pad_energy_budget_closes_and_its_heat_reaches_the_skin():
    """Over a run the pad's heat = its stored heat + what it gave the room + what it gave the skin, and the tissue's
    budget counts what it gave the skin as heat through the surface: both close to round-off."""
    water = thermal_properties("water")
    grid = make_grid(WATER, depth=8.0, properties=[water])
    run = solve_pennes(grid, "20 min", boundary=SkinBoundary(h_air=0.0), initial=33.0, applied_part=PART)
    to_skin = float(run.energy_device_heat + run.energy_device_room - run.energy_device_stored)
    assert float(run.energy_surface) == pytest.approx(to_skin, rel=1e-9)
    assert float(run.energy_device_heat) == pytest.approx(2e-4 * 1200.0)
    inputs = run.energy_surface + run.energy_bottom + run.energy_perfusion + run.energy_source
    assert abs(float(run.energy_stored - inputs)) < 1e-9 * float(run.energy_stored)
    assert float(run.applied_part_temperature[0]) == 25.0  # from the shelf: room temperature


def test_a_pad_over_the_whole_r_z_domain_is_the_1d_pad():
    """The r–z solver with the applied part covering every ring (no lateral flow) reproduces the 1-D solver."""
    stack = LayerStack(layers=[Layer(tissue="dermis", thickness=1.5), Layer(tissue="subcutaneous-fat", thickness=4.0),
                               Layer(tissue="muscle")])
    one_d = solve_pennes(make_grid(stack, depth=30.0), "15 min", dt="2 s", boundary=SkinBoundary(h_air=0.0),
                         initial=34.0, applied_part=PART)
    grid = make_grid_rz(stack, radius=20.0, depth=30.0, dr_centre=2.0, dz_surface=0.02)
    rz = solve_rz(grid, "15 min", dt=2.0, h=0.0, initial=34.0, applied_part=PART, cover=1.0)
    assert float(rz.surface_temperature[-1, 0]) == pytest.approx(float(one_d.surface_temperature[-1]), abs=0.03)
    assert float(rz.applied_part_temperature[-1]) == pytest.approx(float(one_d.applied_part_temperature[-1]),
                                                                   abs=0.03)
    assert np.ptp(rz.surface_temperature.values[-1]) < 1e-6  # laterally uniform
    assert abs(rz.attrs["energy_residual"]) < 1e-9


def test_probe_head_energy_budget_in_r_z():
    """A probe's head (the preset's thermal description) over a 1 cm² face in r–z: the whole budget closes."""
    result = heat_session(HeatRequest(placement="probe-810", site="wrist", exposure="5 min"))
    assert "r-z" in result.solver
    assert abs(result.dataset.attrs["energy_residual"]) < 1e-9
    assert result.dataset.attrs["energy_device_heat_j"] == pytest.approx(result.device_heat * 100.0 * 300.0, rel=1e-9)
    assert not math.isnan(result.peak_device_temp_c)
