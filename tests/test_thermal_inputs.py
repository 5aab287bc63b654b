"""Thermal properties of the presets, and bad input to the bioheat solver rejected naming the field."""

import math

import pint
import pytest
from pydantic import ValidationError

from lightdose import tissues
from lightdose.anatomy import Layer, LayerStack
from lightdose.errors import InputError
from lightdose.parameters import default_set
from lightdose.thermal import SkinBoundary, make_grid, solve_pennes, thermal_properties
from lightdose.units import ureg

STACK = LayerStack(layers=[Layer(tissue="dermis", thickness=1.0), Layer(tissue="muscle")])


@pytest.mark.parametrize("name", tissues.names() + list(tissues.aliases()))
def test_every_preset_has_thermal_properties(name):
    props = thermal_properties(name)
    assert props.role in ("epidermis", "dermis", "other")
    assert 0.0 < props.diffusivity < 0.2  # mm²/s: tissues ≈ 0.1–0.15, water 0.15


def test_canonical_units():
    """The parameter set's SI values in the solver's mm-based units: ρc [J/(mm³·K)] = ρ·c·1e-9, k [W/(mm·K)] = k·1e-3,
    ω·ρ_b·c_b [W/(mm³·K)] = ω·ρ_b·c_b·1e-9, converted here with pint. The values themselves are checked against the
    IT'IS database in tests/reference/thermal_properties.yaml."""
    params = default_set()
    skin = thermal_properties("dermis")

    def si(key: str, unit: str) -> pint.Quantity:
        return ureg.Quantity(params[key], unit)

    rho_c = si("thermal.skin.density [kg/m^3]", "kg/m^3") * si("thermal.skin.specific_heat [J/(kg*K)]", "J/(kg*K)")
    blood = si("thermal.blood.density [kg/m^3]", "kg/m^3") * si("thermal.blood.specific_heat [J/(kg*K)]", "J/(kg*K)")
    perfusion = si("thermal.skin.perfusion [1/s]", "1/s") * blood
    assert math.isclose(skin.heat_capacity, rho_c.to("J/(mm^3*K)").magnitude)
    assert math.isclose(skin.conductivity_mm, si("thermal.skin.conductivity [W/(m*K)]", "W/(m*K)").to("W/(mm*K)").m)
    assert math.isclose(skin.perfusion_coefficient, perfusion.to("W/(mm^3*K)").magnitude)
    assert thermal_properties("epidermis").perfusion == 0.0
    assert thermal_properties("epidermis").role == "epidermis"
    assert thermal_properties("dermis-low-blood").role == "dermis"


def test_unknown_tissue_is_rejected():
    with pytest.raises(InputError, match="tissue"):
        thermal_properties("cartilage")


def test_heat_transfer_coefficient_units():
    assert math.isclose(SkinBoundary(h_air="10 W/m^2/K").h_air, 1e-5)
    boundary = SkinBoundary(h_air=0.0, h_contact="100 W/(m^2*K)", t_pad="42 degC")
    assert math.isclose(boundary.t_env, 42.0)


@pytest.mark.parametrize(
    ("fields", "named"),
    [({"t_air": 150.0}, "t_air"), ({"t_air": "-40 degC"}, "t_air"), ({"h_air": -1.0}, "h_air"),
     ({"h_air": "10 kg"}, "h_air"), ({"h_contact": 1e-4}, "t_pad"), ({"t_pad": "400 K", "h_contact": 1e-4}, "t_pad")],
)
def test_bad_boundary_is_rejected_naming_the_field(fields, named):
    with pytest.raises(ValidationError, match=named):
        SkinBoundary(**fields)


def test_negative_thickness_is_rejected_naming_the_field():
    with pytest.raises(ValidationError, match="thickness"):
        LayerStack(layers=[Layer(tissue="dermis", thickness=-1.0), Layer(tissue="muscle")])


@pytest.mark.parametrize(
    ("grid_args", "named"),
    [({"depth": -5.0}, "depth"), ({"dz_surface": 0.0}, "dz_surface"), ({"dz_max": 0.001}, "dz_max"),
     ({"grading": 0.9}, "grading"), ({"depth": "3 s"}, "depth")],
)
def test_bad_grid_is_rejected_naming_the_field(grid_args, named):
    with pytest.raises(InputError, match=named):
        make_grid(STACK, **grid_args)


@pytest.mark.parametrize(
    ("run_args", "named"),
    [({"dt": 0.0}, "dt"), ({"dt": "-1 s"}, "dt"), ({"duration": 0.0}, "duration"), ({"t_core": 120.0}, "t_core"),
     ({"t_arterial": -25.0}, "t_arterial"), ({"initial": 101.0}, "initial"), ({"theta": 0.2}, "theta"),
     ({"source": [1.0, 2.0]}, "source"), ({"initial": [37.0, 36.0]}, "initial"), ({"source": math.nan}, "source")],
)
def test_bad_run_is_rejected_naming_the_field(run_args, named):
    grid = make_grid(STACK)
    with pytest.raises(InputError, match=named):
        solve_pennes(grid, **{"duration": 60.0, **run_args})


def test_a_custom_tissue_without_thermal_properties_is_named():
    mine = tissues.get("dermis").model_copy(update={"name": "mine"})
    stack = LayerStack(layers=[Layer(tissue=mine)])
    with pytest.raises(InputError, match=r"layers\[0\]\.tissue"):
        make_grid(stack)


def test_a_parameter_set_override_reaches_the_solver():
    from lightdose.parameters import ParameterChoice

    params = ParameterChoice(overrides={"thermal.skin.conductivity [W/(m*K)]": 0.5}).resolve()
    assert math.isclose(thermal_properties("dermis", params).conductivity_mm, 0.5e-3)
    assert math.isclose(thermal_properties("dermis").conductivity_mm, 0.37e-3)
