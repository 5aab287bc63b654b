"""The r–z Pennes solver: heated disc on a semi-infinite medium (closed form) and agreement with the 1-D solver.

Reference: steady conduction from a uniform flux q over a disc of radius a on the surface of an otherwise
insulated semi-infinite solid: centre surface temperature rise q·a/k (Carslaw & Jaeger 1959, "Conduction of Heat
in Solids", §10.5). The semi-infinite medium is truncated at 100 disc radii with T fixed there, which lowers the
centre rise by about a/(2R) = 0.5 %; the discretisation adds < 0.1 % (refinement below). Tolerance: 1 % of the rise.
"""

import numpy as np
import pytest

from lightdose.anatomy import Layer, LayerStack, sites
from lightdose.thermal import SkinBoundary, make_grid, steady_state
from lightdose.thermal.pennes_rz import make_grid_rz, solve_rz
from lightdose.thermal.properties import thermal_properties

DISC_RADIUS = 5.0
FLUX = 1e-4  # W/mm² = 10 mW/cm²


def _disc_flux(grid):
    inside = np.clip((DISC_RADIUS**2 - grid.r_faces[:-1] ** 2) / np.diff(grid.r_faces**2), 0.0, 1.0)
    return FLUX * inside


@pytest.mark.parametrize("refine", [1, 2])
def test_heated_disc_centre_temperature(refine):
    muscle = thermal_properties("muscle").model_copy(update={"perfusion": 0.0})
    stack = LayerStack(layers=[Layer(tissue="muscle")])
    radius = 100 * DISC_RADIUS
    grid = make_grid_rz(stack, radius=radius, depth=radius, dr_centre=0.1 / refine, dz_surface=0.1 / refine,
                        growth=1 + 0.08 / refine, max_step=25.0, properties=[muscle])
    ds = solve_rz(grid, None, h=0.0, t_env=0.0, q_surface=_disc_flux(grid), t_core=0.0, t_arterial=0.0,
                  side_temperature=0.0, steady=True)
    expected = FLUX * DISC_RADIUS / muscle.conductivity_mm
    assert float(ds.surface_temperature[0, 0]) == pytest.approx(expected, rel=0.01)


def test_broad_uniform_exposure_matches_the_1d_solver():
    """With a uniform surface flux over the whole (insulated-side) domain, r–z reduces to 1-D Pennes."""
    stack = sites.get("foot-dorsum")
    boundary = SkinBoundary(h_air="10 W/m^2/K", t_air=25.0, flux="10 mW/cm^2")
    one_d = steady_state(make_grid(stack, depth=40.0), boundary)
    grid = make_grid_rz(stack, radius=30.0, depth=40.0, dr_centre=1.0, dz_surface=0.01, growth=1.1, max_step=2.0)
    rz = solve_rz(grid, None, h=boundary.h_air, t_env=25.0, q_surface=boundary.flux, steady=True)
    rise_1d = one_d[0] - 37.0
    assert float(rz.surface_temperature[0, 0]) - 37.0 == pytest.approx(rise_1d, rel=0.01)


def test_transient_approaches_the_steady_state():
    stack = sites.get("wrist")
    grid = make_grid_rz(stack, radius=60.0, depth=40.0, dr_centre=0.5, dz_surface=0.05, growth=1.15, max_step=5.0)
    flux = _disc_flux(grid)
    steady = solve_rz(grid, None, q_surface=flux, steady=True)
    transient = solve_rz(grid, "4 h", dt="60 s", q_surface=flux)
    rise = float(steady.surface_temperature[0, 0] - transient.surface_temperature[0, 0])
    gap = float(steady.surface_temperature[0, 0] - transient.surface_temperature[-1, 0])
    assert rise > 0.5  # a real heating, so that the 1 % criterion below means something
    assert abs(gap) < 0.01 * rise


def test_energy_balance_closes():
    stack = sites.get("foot-dorsum")
    grid = make_grid_rz(stack, radius=60.0, depth=40.0, dr_centre=0.5, dz_surface=0.05, growth=1.15, max_step=5.0)
    source = 1e-5 * np.exp(-grid.z / 3.0)[:, None] * (grid.r < 10.0)[None, :]
    ds = solve_rz(grid, "10 min", dt="10 s", h=5e-6, q_surface=_disc_flux(grid), source=source)
    assert abs(ds.attrs["energy_residual"]) < 0.01
    assert ds.attrs["energy_stored_j"] > 0 and ds.attrs["energy_source_j"] > 0


def test_constant_perfusion_response_equals_scaled_perfusion():
    stack = sites.get("wrist")
    base = [thermal_properties(layer.tissue) for layer in stack.layers]
    doubled = [p.model_copy(update={"perfusion": 2 * p.perfusion}) for p in base]
    kwargs = {"radius": 40.0, "depth": 30.0, "dr_centre": 0.5, "dz_surface": 0.05, "growth": 1.15, "max_step": 5.0}
    grid_a = make_grid_rz(stack, properties=doubled, **kwargs)
    grid_b = make_grid_rz(stack, properties=base, **kwargs)
    flux = _disc_flux(grid_a)
    a = solve_rz(grid_a, "5 min", dt="10 s", q_surface=flux, initial=35.0)
    b = solve_rz(grid_b, "5 min", dt="10 s", q_surface=flux, initial=35.0,
                 perfusion_response=lambda temperature, step: np.full(temperature.shape, 2.0))
    np.testing.assert_allclose(a.temperature.values, b.temperature.values, atol=1e-9)
    assert abs(b.attrs["energy_residual"]) < 1e-9
