"""Light-therapy devices (pads, panels, probes) → irradiance on the skin; a contact device's own heat
(:class:`DeviceHeat`); heat-only sources; preset catalog.

The stage: :class:`IrradianceRequest` → :func:`irradiance` → :class:`IrradianceResult`.

>>> from lightdose import devices
>>> result = devices.irradiance(devices.IrradianceRequest(placement={"device": "pad-890", "distance": "0 cm"}))

(`lightdose.devices.irradiance` is the stage function; the engine module of the same name stays importable with
``from lightdose.devices.irradiance import ...``.)
"""

from lightdose.devices.catalog import AnyDevice, get, get_light_device, load, names
from lightdose.devices.device import Band, LightDevice, ReferenceIrradiance
from lightdose.devices.emitters import Emitter, exponent_from_half_angle
from lightdose.devices.heat_sources import HeatingPad, InfraredSauna
from lightdose.devices.irradiance import (
    MAX_DISTANCE_MM,
    MW_CM2_PER_W_MM2,
    Grid,
    area_mean_irradiance,
    centre_irradiance,
    distance_for_irradiance,
    has_point_emitters,
    in_mw_cm2,
    irradiance_map,
    measured_irradiance,
    parse_distance,
    result_warnings,
)
from lightdose.devices.layout import MAX_EMITTERS, EmitterGrid
from lightdose.devices.placement import Placement, PlacementField
from lightdose.devices.stage import IrradianceRequest, IrradianceResult, irradiance
from lightdose.devices.thermal import DeviceHeat

__all__ = [
    "MAX_DISTANCE_MM",
    "MAX_EMITTERS",
    "MW_CM2_PER_W_MM2",
    "AnyDevice",
    "Band",
    "DeviceHeat",
    "Emitter",
    "EmitterGrid",
    "Grid",
    "HeatingPad",
    "InfraredSauna",
    "IrradianceRequest",
    "IrradianceResult",
    "LightDevice",
    "Placement",
    "PlacementField",
    "ReferenceIrradiance",
    "area_mean_irradiance",
    "centre_irradiance",
    "distance_for_irradiance",
    "exponent_from_half_angle",
    "get",
    "get_light_device",
    "has_point_emitters",
    "in_mw_cm2",
    "irradiance",
    "irradiance_map",
    "load",
    "measured_irradiance",
    "names",
    "parse_distance",
    "result_warnings",
]
