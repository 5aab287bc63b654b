"""Thermal properties of the preset tissues, for the Pennes bioheat equation, from the parameter set.

The values (``thermal.<class>.<property> [unit]`` in the parameter set) are those of the IT'IS Foundation tissue
properties database (Hasgall et al.) for density ρ, specific heat c and thermal conductivity k of skin, fat, muscle,
cortical bone and blood, and of IAPWS-95 for water at 37 °C; resting perfusion ω and metabolic heat are
order-of-magnitude estimates marked [verify]. Perfusion rises with local heating in the heat sessions
(:mod:`lightdose.thermal.vasodilation` or the dynamic model of :mod:`lightdose.physiology.perfusion`), in the layers
whose role is ``dermis``.

Each preset tissue belongs to a thermal class and has a role (:data:`THERMAL_ROLES`) — lightdose's assignments, not
measurements: the stratum corneum and the epidermis take skin's ρ, c, k with ω = 0 and no metabolic heat (the
epidermis has no blood vessels; role ``epidermis``); every dermis preset takes skin's set (role ``dermis``: the
vascular skin whose perfusion follows local temperature and neuropathy); nerve and tendon-fascia take muscle's set;
a blood layer has ω = 0 (perfusion of blood by blood is meaningless).

Units: the published SI values are read as given (kg/m³, J/(kg·K), W/(m·K), 1/s, W/kg); the solver uses the
canonical units mm, s, W, J, °C through :attr:`ThermalProperties.heat_capacity` [J/(mm³·K)] = ρc·1e-9,
:attr:`ThermalProperties.conductivity_mm` [W/(mm·K)] = k·1e-3 and :attr:`ThermalProperties.perfusion_coefficient`
[W/(mm³·K)] = ω·ρ_b·c_b·1e-9.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import Field

from lightdose import tissues
from lightdose.anatomy.stack import LayerStack
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterSet, default_set

_M3_PER_MM3 = 1e-9
_M_PER_MM = 1e-3

Role = Literal["epidermis", "dermis", "other"]


class ThermalRole(NamedTuple):
    """How a preset tissue enters the heat model: its thermal class (the parameter set's ``thermal.<class>``), its
    role, and whether it is perfused and metabolically active."""

    thermal_class: str
    role: Role
    perfused: bool = True


THERMAL_ROLES: dict[str, ThermalRole] = {
    "stratum-corneum": ThermalRole("skin", "epidermis", perfused=False),
    **{f"epidermis-{t}": ThermalRole("skin", "epidermis", perfused=False) for t in tissues.ROMAN_SKIN_TYPES},
    "dermis": ThermalRole("skin", "dermis"),
    "dermis-low-blood": ThermalRole("skin", "dermis"),
    "dermis-high-blood": ThermalRole("skin", "dermis"),
    "blood": ThermalRole("blood", "other", perfused=False),
    "subcutaneous-fat": ThermalRole("fat", "other"),
    "muscle": ThermalRole("muscle", "other"),
    "nerve": ThermalRole("muscle", "other"),
    "tendon-fascia": ThermalRole("muscle", "other"),
    "bone": ThermalRole("bone", "other"),
    "water": ThermalRole("water", "other", perfused=False),
}
"""Thermal class and role of every preset tissue (lightdose's assignments, see the module docstring)."""


class ThermalProperties(FrozenModel):
    """Density, specific heat, thermal conductivity and resting blood perfusion of one tissue (SI, as published)."""

    name: str
    density: float = Field(gt=0.0, description="ρ [kg/m³]")
    specific_heat: float = Field(gt=0.0, description="c [J/(kg·K)]")
    conductivity: float = Field(gt=0.0, description="k [W/(m·K)]")
    perfusion: float = Field(default=0.0, ge=0.0, description="ω [1/s], volume of blood per volume of tissue per s")
    metabolic_heat: float = Field(default=0.0, ge=0.0, description="resting metabolic heat generation [W/kg]")
    blood_heat_capacity: float = Field(default=1050.0 * 3617.0, gt=0.0, description=(
        "ρ_b·c_b of the perfusing blood [J/(m³·K)]"))
    role: Role = "other"

    @property
    def heat_capacity(self) -> float:
        """Volumetric heat capacity ρc [J/(mm³·K)]."""
        return self.density * self.specific_heat * _M3_PER_MM3

    @property
    def conductivity_mm(self) -> float:
        """Thermal conductivity k [W/(mm·K)]."""
        return self.conductivity * _M_PER_MM

    @property
    def diffusivity(self) -> float:
        """Thermal diffusivity α = k/(ρc) [mm²/s]."""
        return self.conductivity_mm / self.heat_capacity

    @property
    def metabolic_power_density(self) -> float:
        """Resting metabolic heat per unit volume, ρ·q_met [W/mm³]."""
        return self.density * self.metabolic_heat * _M3_PER_MM3

    @property
    def perfusion_coefficient(self) -> float:
        """ω·ρ_b·c_b [W/(mm³·K)]: heat carried off per unit volume per kelvin above arterial temperature."""
        return self.perfusion * self.blood_heat_capacity * _M3_PER_MM3


def thermal_role(tissue: str) -> ThermalRole:
    """The :class:`ThermalRole` of the preset tissue called `tissue` (aliases such as ``fat`` accepted)."""
    name = tissues.aliases().get(tissue, tissue)
    if name not in THERMAL_ROLES:
        raise InputError("tissue", f"no thermal properties for {tissue!r}; known: {', '.join(THERMAL_ROLES)}")
    return THERMAL_ROLES[name]


def thermal_properties(tissue: str, parameters: ParameterSet | None = None) -> ThermalProperties:
    """The thermal properties of the preset tissue called `tissue` from `parameters` (default: the default set)."""
    p = parameters or default_set()
    role = thermal_role(tissue)
    key = f"thermal.{role.thermal_class}"
    perfused = role.perfused and role.thermal_class not in ("blood", "water")
    return ThermalProperties(
        name=tissues.aliases().get(tissue, tissue),
        density=p[f"{key}.density [kg/m^3]"],
        specific_heat=p[f"{key}.specific_heat [J/(kg*K)]"],
        conductivity=p[f"{key}.conductivity [W/(m*K)]"],
        perfusion=p[f"{key}.perfusion [1/s]"] if perfused else 0.0,
        metabolic_heat=p[f"{key}.metabolic_heat [W/kg]"] if perfused else 0.0,
        blood_heat_capacity=p["thermal.blood.density [kg/m^3]"] * p["thermal.blood.specific_heat [J/(kg*K)]"],
        role=role.role,
    )


def layer_properties(stack: LayerStack, parameters: ParameterSet | None = None) -> list[ThermalProperties]:
    """The thermal properties of each layer of `stack` (preset tissues only: a tissue defined in full has no thermal
    class, which is an error naming the layer)."""
    props = []
    for i, layer in enumerate(stack.layers):
        if layer.preset is None:
            raise InputError(f"layers[{i}].tissue", f"{layer.resolved_tissue.name!r} is not a preset tissue, so it "
                                                    f"has no thermal properties; known: {', '.join(THERMAL_ROLES)}")
        try:
            props.append(thermal_properties(layer.preset, parameters))
        except InputError as exc:
            raise InputError(f"layers[{i}].tissue", exc.reason) from None
    return props
