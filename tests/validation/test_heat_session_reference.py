"""A heating pad on perfused tissue, through the whole heat-session stage, against the steady Pennes solution in
closed form.

The `heating-pad-42` preset holds its surface at 42 °C and is coupled to the skin by a contact conductance h (the
parameter set's ``boundary.heating_pad_contact``, a lightdose estimate). Under a pad left on for hours the tissue
reaches the steady state of the Pennes equation (Pennes 1948, J Appl Physiol 1:93) for a homogeneous slab of depth D
with perfusion w = ω·ρ_b·c_b, metabolic heat q_m, arterial and core temperature T_a = 37 °C at z = D, and the Robin
condition −k·T′(0) = h·(T_pad − T(0)) at the skin. With θ = T − T_a − q_m/w:

    k·θ″ = w·θ,  θ = A·cosh(z/L) + B·sinh(z/L),  L = √(k/w),
    θ(D) = −q_m/w,  −k·B/L = h·(T_pad − T_a − q_m/w − A)

(Carslaw & Jaeger 1959, Conduction of Heat in Solids, §2.9 for the slab with a surface conductance). The test takes
h, k, ω, ρ_b·c_b and q_m from the parameter set (what the session should apply), solves the two linear conditions by
hand and compares the session's skin and mid-depth temperatures: it checks that the session applies the pad's
temperature and contact conductance as the boundary it documents, not the value of the estimate itself. Tolerance:
1e-3 K, a bound on the solver's discretisation and the transient left after 4 h (measured: 4e-5 K); a contact
conductance 20 % off moves the skin by 0.21 K.
"""

import math

import numpy as np
import pytest

from lightdose.anatomy import Layer, LayerStack
from lightdose.parameters import default_set
from lightdose.thermal.session import HeatRequest, heat_session

DEPTH_MM = 40.0
"""Depth of the thermal domain, where 37 °C is held (the session's default)."""
T_ARTERIAL_C = 37.0
T_PAD_C = 42.0
"""The heating-pad-42 preset's surface temperature."""
TOLERANCE_K = 1e-3


def closed_form(z_mm: np.ndarray) -> np.ndarray:
    """Steady temperature [°C] of a homogeneous muscle slab under the pad, from the parameter set's values."""
    p = default_set()
    k = p["thermal.muscle.conductivity [W/(m*K)]"]  # W/(m·K)
    w = p["thermal.muscle.perfusion [1/s]"] * p["thermal.blood.density [kg/m^3]"] * p[
        "thermal.blood.specific_heat [J/(kg*K)]"]  # W/(m³·K)
    q_m = p["thermal.muscle.density [kg/m^3]"] * p["thermal.muscle.metabolic_heat [W/kg]"]  # W/m³
    h = p["boundary.heating_pad_contact [W/(m^2*K)]"]  # W/(m²·K)
    length = math.sqrt(k / w)  # m
    depth = DEPTH_MM * 1e-3
    shift = q_m / w
    # θ(D) = A cosh(D/L) + B sinh(D/L) = −shift;  (k/L)·B − h·A = −h·(T_pad − T_a − shift)
    matrix = np.array([[math.cosh(depth / length), math.sinh(depth / length)], [-h, k / length]])
    a, b = np.linalg.solve(matrix, [-shift, -h * (T_PAD_C - T_ARTERIAL_C - shift)])
    z = np.asarray(z_mm) * 1e-3
    return T_ARTERIAL_C + shift + a * np.cosh(z / length) + b * np.sinh(z / length)


@pytest.fixture(scope="module")
def steady_session():
    slab = LayerStack(name="muscle slab", layers=[Layer(tissue="muscle")])
    return heat_session(HeatRequest(placement="heating-pad-42", site=slab, exposure="4 h", dt="20 s",
                                    domain_depth=f"{DEPTH_MM} mm", vasodilation="off"))


def test_the_pads_steady_state_matches_the_closed_form(steady_session):
    ds = steady_session.dataset
    z = ds.z.values
    final = ds.temperature.values[-1]
    expected = closed_form(z)
    assert final[0] == pytest.approx(expected[0], abs=TOLERANCE_K)  # the skin under the pad
    np.testing.assert_allclose(final, expected, atol=TOLERANCE_K)


def test_the_contact_resistance_matters_at_this_tolerance():
    """Without the contact resistance (h → ∞) the skin would sit at the pad's 42 °C: the closed form's skin is far
    below that, so the comparison above sees h."""
    assert T_PAD_C - closed_form(np.array([0.0]))[0] > 100 * TOLERANCE_K
