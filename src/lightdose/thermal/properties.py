"""Thermal properties of the preset tissues, for the Pennes bioheat equation.

Values are those of the IT'IS Foundation tissue properties database (Hasgall et al., IT'IS Database for thermal
and electromagnetic parameters of biological tissues, itis.swiss/database), as listed in SCIENCE.md §6:

=========  ==========  ===========  ==========  ======================
tissue     ρ [kg/m³]   c [J/kg/K]   k [W/m/K]   ω [1/s], resting
=========  ==========  ===========  ==========  ======================
skin       1109        3391         0.37        2e-3    (estimate)
fat        911         2348         0.21        5e-4    (estimate)
muscle     1090        3421         0.49        6.7e-4  (estimate)
bone       1908        1313         0.32        3e-4    (estimate)
blood      1050        3617         0.52        –
=========  ==========  ===========  ==========  ======================

The perfusion rates are marked [verify] in SCIENCE.md: they are order-of-magnitude resting values, and
perfusion rises several-fold with local heating (not modelled here yet). Water at 37 °C: ρ 993 kg/m³,
c 4178 J/kg/K, k 0.63 W/m/K (IAPWS-95 formulation, Wagner & Pruß 2002, J Phys Chem Ref Data 31:387; IAPWS 2011
thermal conductivity release).

Presets without their own entry in the table are given the nearest tissue's set; these are lightdose's
assignments, not measurements: the stratum corneum and the epidermis take skin's ρ, c, k with ω = 0 (the
epidermis has no blood vessels); all dermis presets take skin's set (the dermis is where skin's perfusion
is); nerve and tendon-fascia take muscle's set; a blood layer has ω = 0 (perfusion of blood by blood is
meaningless).

Units: the published SI values are stored as given (kg/m³, J/(kg·K), W/(m·K), 1/s); the solver uses the
canonical units mm, s, W, J, °C through the properties :attr:`ThermalProperties.heat_capacity`
[J/(mm³·K)] = ρc·1e-9, :attr:`ThermalProperties.conductivity_mm` [W/(mm·K)] = k·1e-3 and
:attr:`ThermalProperties.perfusion_coefficient` [W/(mm³·K)] = ω·ρ_b·c_b·1e-9.
"""

from __future__ import annotations

from pydantic import Field

from lightdose import tissues
from lightdose.errors import InputError
from lightdose.model_base import FrozenModel

BLOOD_DENSITY = 1050.0
"""ρ_b of blood [kg/m³] (IT'IS database, SCIENCE.md §6)."""
BLOOD_SPECIFIC_HEAT = 3617.0
"""c_b of blood [J/(kg·K)] (IT'IS database, SCIENCE.md §6)."""

_M3_PER_MM3 = 1e-9
_M_PER_MM = 1e-3

_ITIS = "IT'IS Foundation tissue properties database (Hasgall et al.), via SCIENCE.md §6"


class ThermalProperties(FrozenModel):
    """Density, specific heat, thermal conductivity and resting blood perfusion of one tissue (SI, as published)."""

    name: str
    density: float = Field(gt=0.0, description="ρ [kg/m³]")
    specific_heat: float = Field(gt=0.0, description="c [J/(kg·K)]")
    conductivity: float = Field(gt=0.0, description="k [W/(m·K)]")
    perfusion: float = Field(default=0.0, ge=0.0, description="ω [1/s], volume of blood per volume of tissue per s")
    metabolic_heat: float = Field(default=0.0, ge=0.0, description="resting metabolic heat generation [W/kg]")
    reference: str = ""

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
        return self.perfusion * BLOOD_DENSITY * BLOOD_SPECIFIC_HEAT * _M3_PER_MM3


_MET = "resting metabolic heat: order-of-magnitude values of the IT'IS heat-generation table [verify]"
_SKIN = ThermalProperties(name="skin", density=1109.0, specific_heat=3391.0, conductivity=0.37, perfusion=2e-3,
                          metabolic_heat=1.6, reference=f"{_ITIS}; ω ≈ 2e-3 1/s is an estimate [verify]; {_MET}")
_FAT = ThermalProperties(name="fat", density=911.0, specific_heat=2348.0, conductivity=0.21, perfusion=5e-4,
                         metabolic_heat=0.5, reference=f"{_ITIS}; ω ≈ 5e-4 1/s is an estimate [verify]; {_MET}")
_MUSCLE = ThermalProperties(name="muscle", density=1090.0, specific_heat=3421.0, conductivity=0.49, perfusion=6.7e-4,
                            metabolic_heat=0.9, reference=f"{_ITIS}; ω ≈ 6.7e-4 1/s is an estimate [verify]; {_MET}")
_BONE = ThermalProperties(name="bone", density=1908.0, specific_heat=1313.0, conductivity=0.32, perfusion=3e-4,
                          metabolic_heat=0.15, reference=f"{_ITIS}; ω ≈ 3e-4 1/s is an estimate [verify]; {_MET}")
_BLOOD = ThermalProperties(name="blood", density=BLOOD_DENSITY, specific_heat=BLOOD_SPECIFIC_HEAT, conductivity=0.52,
                           perfusion=0.0, reference=f"{_ITIS}; ω = 0 for a blood layer (lightdose's choice)")
_WATER = ThermalProperties(name="water", density=993.0, specific_heat=4178.0, conductivity=0.63, perfusion=0.0,
                           reference="water at 37 °C, IAPWS-95 (Wagner & Pruß 2002, J Phys Chem Ref Data 31:387)")
_AVASCULAR_SKIN = _SKIN.model_copy(update={
    "name": "skin, avascular", "perfusion": 0.0, "metabolic_heat": 0.0,
    "reference": f"{_ITIS}, skin; ω = 0: the epidermis has no blood vessels (lightdose's assignment)"})


def _stand_in(base: ThermalProperties, preset: str) -> ThermalProperties:
    return base.model_copy(update={
        "name": f"{base.name} (for {preset})",
        "reference": f"{base.reference}; {base.name}'s values stand in for {preset} (lightdose's assignment)"})


_BY_PRESET: dict[str, ThermalProperties] = {
    "stratum-corneum": _AVASCULAR_SKIN,
    **{f"epidermis-{t}": _AVASCULAR_SKIN for t in tissues.ROMAN_SKIN_TYPES},
    "dermis": _SKIN,
    "dermis-low-blood": _SKIN,
    "dermis-high-blood": _SKIN,
    "blood": _BLOOD,
    "subcutaneous-fat": _FAT,
    "muscle": _MUSCLE,
    "nerve": _stand_in(_MUSCLE, "nerve"),
    "tendon-fascia": _stand_in(_MUSCLE, "tendon-fascia"),
    "bone": _BONE,
    "water": _WATER,
}


def thermal_properties(tissue: str) -> ThermalProperties:
    """The thermal properties of the preset tissue called `tissue` (aliases such as ``fat`` accepted)."""
    name = tissues.aliases().get(tissue, tissue)
    if name not in _BY_PRESET:
        raise InputError("tissue", f"no thermal properties for {tissue!r}; known: {', '.join(_BY_PRESET)}")
    return _BY_PRESET[name]
