"""Where a device is: the `placement` field of every stage's request — a device (a preset's name or your own
definition), its gap to the skin and, for a contact pad, a measured heat of its own electronics."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Tag, field_validator, model_validator

from lightdose.devices.catalog import AnyDevice, get
from lightdose.devices.device import LightDevice
from lightdose.devices.heat_sources import HeatingPad, InfraredSauna
from lightdose.devices.irradiance import parse_distance
from lightdose.errors import InputError
from lightdose.limits import MAX_DISTANCE_MM, MAX_PAD_HEAT_W_MM2
from lightdose.model_base import FrozenModel
from lightdose.units import Bounded


def _name_or_definition(value: Any) -> str:
    return "name" if isinstance(value, str) else "definition"


DeviceChoice = Annotated[
    Annotated[str, Tag("name")] | Annotated[AnyDevice, Tag("definition")],
    Discriminator(_name_or_definition),
]
"""A preset device's name, or a full definition (errors in a definition read ``device.definition.<kind>.<field>``)."""


class Placement(FrozenModel):
    """A device and where it is: `device` (a preset name, see `lightdose devices`, or a full definition as in the
    preset YAML files), `distance` from its emitting face to the skin [mm] (0 = contact) and `pad_heat`, a measured
    waste heat of a contact pad's electronics entering the skin [W/mm²]: more than 0 replaces the device's own heat
    model (its `thermal` description) by this fixed flux; 0 keeps the model (none for a device without one).

    Checked together: a light device not made for contact (a panel) needs its distance stated (a forgotten distance
    is not taken as touching the skin); a device with point emitters cannot touch the skin (distance > 0); a heating
    pad heats by contact (distance 0); a sauna cabin surrounds the body (no distance); `pad_heat` belongs to a
    contact light pad in contact.
    """

    device: DeviceChoice = Field(description="a preset device's name, or your own device definition")
    distance: Annotated[float, Bounded("length", ge=0.0, le=MAX_DISTANCE_MM)] = Field(
        default=0.0, description="gap between the emitting face and the skin [mm] (0 = contact)")
    pad_heat: Annotated[float, Bounded("irradiance", ge=0.0, le=MAX_PAD_HEAT_W_MM2)] = Field(
        default=0.0, description=("measured waste heat of a contact pad into the skin [W/mm²]; replaces the device's "
                                  "own heat model (0 = keep it)"))

    @field_validator("device")
    @classmethod
    def _known(cls, value: str | AnyDevice) -> str | AnyDevice:
        if isinstance(value, str):
            get(value)  # an unknown name is an InputError listing the catalog
        return value

    @model_validator(mode="after")
    def _placeable(self) -> Placement:
        model = self.model()
        if isinstance(model, LightDevice):
            if not model.contact and "distance" not in self.model_fields_set:
                raise InputError("distance", f"'{model.name}' is a {model.kind} used at a distance from the skin; give "
                                             "the distance, e.g. '15 cm' ('0 cm' if it touches the skin)")
            parse_distance(model, self.distance)
        elif isinstance(model, HeatingPad) and self.distance != 0.0:
            raise InputError("distance", f"{self.distance:g} mm: '{model.name}' is a heating pad, which heats the "
                                         f"skin by contact (surface {model.surface_temperature:g} °C); allowed: 0 mm")
        elif isinstance(model, InfraredSauna) and self.distance != 0.0:
            raise InputError("distance", f"{self.distance:g} mm: '{model.name}' is a sauna cabin, which surrounds "
                                         "the body; allowed: 0 mm (leave the distance out)")
        if self.pad_heat > 0.0 and not (isinstance(model, LightDevice) and model.contact and self.distance == 0.0):
            raise InputError("pad_heat", "applies to a contact light pad in contact with the skin (distance 0); "
                                         "allowed here: 0")
        return self

    def model(self) -> LightDevice | HeatingPad | InfraredSauna:
        """The device object."""
        return get(self.device) if isinstance(self.device, str) else self.device

    @property
    def name(self) -> str:
        """The device's name."""
        return self.device if isinstance(self.device, str) else self.device.name

    def light_device(self, field: str = "placement.device") -> LightDevice:
        """The device, which must emit therapeutic light (not a heating pad or a sauna); `field` names it in the
        error."""
        model = self.model()
        if not isinstance(model, LightDevice):
            raise InputError(field, f"'{model.name}' is a heat-only source (kind '{model.kind}'): it emits no "
                                    "therapeutic light; allowed: a pad, panel or probe")
        return model


def _shorthand(value: Any) -> Any:
    """A device's name on its own is shorthand for ``{device: name}`` (in contact)."""
    return {"device": value} if isinstance(value, str) else value


PlacementField = Annotated[Placement, BeforeValidator(_shorthand, json_schema_input_type=str | Placement)]
"""Pydantic field type of a request's `placement`: a device name, or {device, distance, pad_heat}."""
