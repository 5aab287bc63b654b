"""Light-therapy devices (pads, panels, probes) → irradiance on the skin; heat-only sources; preset catalog.

>>> from lightdose import devices
>>> ds = devices.get("pad-890").irradiance_map("0 cm")
"""

from lightdose.devices.catalog import AnyDevice, describe, get, get_light_device, load, names
from lightdose.devices.device import Band, LightDevice, ReferenceIrradiance
from lightdose.devices.emitters import Emitter, exponent_from_half_angle
from lightdose.devices.heat_sources import HeatingPad, InfraredSauna
from lightdose.devices.irradiance import (
    MW_CM2_PER_W_MM2,
    Grid,
    in_mw_cm2,
    irradiance_map,
    measured_irradiance,
    result_warnings,
    summary,
)
from lightdose.devices.layout import EmitterGrid

__all__ = [
    "MW_CM2_PER_W_MM2",
    "AnyDevice",
    "Band",
    "Emitter",
    "EmitterGrid",
    "Grid",
    "HeatingPad",
    "InfraredSauna",
    "LightDevice",
    "ReferenceIrradiance",
    "describe",
    "exponent_from_half_angle",
    "get",
    "get_light_device",
    "in_mw_cm2",
    "irradiance_map",
    "load",
    "measured_irradiance",
    "names",
    "result_warnings",
    "summary",
]
