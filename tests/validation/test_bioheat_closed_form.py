"""The 1-D Pennes solver against closed-form solutions, its energy balance and its convergence.

Tolerances: the brief's 1 % of the temperature rise. The scheme is second order in space and time; on the
default grid (0.01 mm at the skin, ≤ 0.25 mm) and steps of ≤ 1 s, the measured errors are 10–100× below that
(see docs/thermal.md for the numbers and the command that prints them: ``python tests/validation/
test_bioheat_closed_form.py``).
"""

import math

import numpy as np
from scipy.special import erfc

from lightdose.anatomy import Layer, LayerStack
from lightdose.thermal import SkinBoundary, make_grid, solve_pennes, steady_state, thermal_properties

T0, TS = 30.0, 45.0
WATER = LayerStack(layers=[Layer(tissue="water")])
MUSCLE = LayerStack(layers=[Layer(tissue="muscle")])
FOOT = LayerStack(layers=[Layer(tissue="epidermis", thickness=0.1), Layer(tissue="dermis", thickness=1.5),
                          Layer(tissue="subcutaneous-fat", thickness=4.0), Layer(tissue="muscle")])
Q_LIGHT = 1.5e-4 / 2.0  # W/mm³ at the skin: 15 mW/cm² absorbed, decaying over 2 mm (μa·φ-like)


def light(z):
    return Q_LIGHT * np.exp(-z / 2.0)


def erfc_error():
    """Largest error over depth at 10, 30 and 60 s, relative to the surface step TS − T0."""
    grid = make_grid(WATER, depth=40.0)
    ds = solve_pennes(grid, duration=60.0, dt=0.5, boundary=SkinBoundary(h_air=100.0, t_air=TS), initial=T0,
                      t_core=T0)
    alpha = thermal_properties("water").diffusivity
    errors = []
    for t in (10.0, 30.0, 60.0):
        exact = T0 + (TS - T0) * erfc(grid.z / (2.0 * math.sqrt(alpha * t)))
        errors.append(np.max(np.abs(ds.temperature.sel(t=t).values - exact)) / (TS - T0))
    return max(errors)


def perfused_flux_error(q=1e-4, depth=60.0):
    """Steady perfused medium under a surface flux q [W/mm²]: largest error relative to the surface rise q·L/k."""
    grid = make_grid(MUSCLE, depth=depth)
    props = thermal_properties("muscle")
    k = props.conductivity_mm
    length = math.sqrt(k / props.perfusion_coefficient)
    rise = q * length / k
    exact = 37.0 + rise * np.sinh((depth - grid.z) / length) / np.cosh(depth / length)  # → e^(−z/L) for deep D
    numeric = steady_state(grid, SkinBoundary(h_air=0.0, flux=q))
    return np.max(np.abs(numeric - exact)) / rise, length, rise, grid, numeric


def foot_rise(scale=1.0, dt=1.0):
    """Skin-surface temperature rise [K] after 10 min of light on the foot stack; spacings × `scale`."""
    grid = make_grid(FOOT, depth=40.0, dz_surface=0.02 * scale, dz_max=0.5 * scale, grading=0.2 * scale)
    ds = solve_pennes(grid, duration=600.0, dt=dt, source=light(grid.z))
    return float(ds.surface_temperature[-1] - ds.surface_temperature[0])


def observed_order(values):
    """Order p from three results at steps h, h/2, h/4."""
    return math.log2(abs(values[0] - values[1]) / abs(values[1] - values[2]))


def test_step_in_surface_temperature_matches_erfc():
    assert erfc_error() < 0.01


def test_steady_perfused_medium_under_surface_flux_decays_over_pennes_length():
    error, length, rise, grid, numeric = perfused_flux_error()
    assert error < 0.01
    assert 13.0 < length < 15.0  # √(k/(ω ρ_b c_b)) for muscle ≈ 13.9 mm
    assert math.isclose(numeric[0] - 37.0, rise, rel_tol=0.01)


def test_transient_settles_to_the_steady_state():
    _, length, rise, grid, steady = perfused_flux_error()
    ds = solve_pennes(grid, duration="3 h", dt=10.0, boundary=SkinBoundary(h_air=0.0, flux=1e-4), initial=37.0)
    assert np.max(np.abs(ds.temperature[-1].values - steady)) < 0.01 * rise


def test_energy_balance_closes():
    grid = make_grid(FOOT, depth=40.0)
    ds = solve_pennes(grid, duration="10 min", dt=1.0, source=light(grid.z),
                      boundary=SkinBoundary(h_air="10 W/m^2/K", h_contact="200 W/m^2/K", t_pad=41.0))
    terms = [float(ds[name]) for name in ("energy_source", "energy_surface", "energy_bottom", "energy_perfusion")]
    assert abs(float(ds.energy_stored) - sum(terms)) < 0.01 * max(abs(x) for x in terms)
    assert abs(float(ds.energy_residual)) < 0.01
    assert float(ds.energy_perfusion) < 0.0 < float(ds.energy_source)  # warmed tissue loses heat to the blood
    assert math.isclose(float(ds.energy_source), 1.5e-4 * 600.0 * (1 - math.exp(-20.0)), rel_tol=0.01)


def test_stored_heat_equals_deposited_heat_when_insulated():
    """Independent of the bookkeeping: ∫ρc ΔT dz from the profile = Q·t for an insulated, unperfused medium."""
    grid = make_grid(WATER, depth=40.0)
    ds = solve_pennes(grid, duration=60.0, dt=0.5, source=light(grid.z), boundary=SkinBoundary(h_air=0.0),
                      initial=T0, t_core=T0)
    rho_c = thermal_properties("water").heat_capacity
    stored = rho_c * np.trapezoid(ds.temperature[-1].values - T0, grid.z)
    assert math.isclose(stored, np.trapezoid(light(grid.z), grid.z) * 60.0, rel_tol=0.01)


def test_grid_and_time_step_convergence():
    space = [foot_rise(scale=s, dt=0.25) for s in (1.0, 0.5, 0.25)]
    time = [foot_rise(scale=0.25, dt=d) for d in (4.0, 2.0, 1.0)]
    for values in (space, time):
        assert abs(values[0] - values[1]) < 0.01 * abs(values[2])
        assert abs(values[1] - values[2]) < abs(values[0] - values[1])
        assert observed_order(values) > 1.5


if __name__ == "__main__":
    print(f"erfc step, max error / rise:            {erfc_error():.2e}")
    print(f"steady perfused flux, max error / rise: {perfused_flux_error()[0]:.2e}")
    space = [foot_rise(scale=s, dt=0.25) for s in (1.0, 0.5, 0.25)]
    time = [foot_rise(scale=0.25, dt=d) for d in (4.0, 2.0, 1.0)]
    print(f"foot, surface rise vs spacing ×1, ½, ¼: {space}, observed order {observed_order(space):.2f}")
    print(f"foot, surface rise vs dt 4, 2, 1 s:     {time}, observed order {observed_order(time):.2f}")
