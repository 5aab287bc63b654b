"""A device's own heat: what a light device in contact with the skin adds besides its light.

An LED pad or a laser probe turns electrical power into light and heat. The light leaves its emitting face and is
followed by the transport stage; the rest, P_el − P_opt, heats the applied part (the pad, the probe head), which
also absorbs part of the light the skin sends back onto its face. The applied part gives that heat to the skin it
touches (contact conductance over its face) and to the room (its outer surfaces). The thermal stage
(:mod:`lightdose.thermal.session`) models it as one lumped node with a heat capacity:

    C dT_d/dt = (P_el − P_opt) + α·R·P_opt − h_c·A·(T_d − T_skin) − h_o·A_o·(T_d − T_room)

with A the emitting face (the contact area), A_o the outer surface, R the fraction of the light the skin remits
and α the face's absorptance for it. The part starts at room temperature.

Quantities in canonical units: W, J/K, W/(mm²·K), mm². A number without a unit is read in the canonical unit;
user input (files, the command line) needs the unit: ``heat_capacity: 30 J/K``, ``outer_area: 60 cm^2``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, SerializationInfo, ValidationInfo

from lightdose.errors import InputError
from lightdose.model_base import FrozenModel
from lightdose.units import Bounded, UnitFraction, parse_unit, units_required, ureg

_NUMBER_AND_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")

MAX_HEAT_CAPACITY_J_K = 10_000.0
"""Largest heat capacity of an applied part [J/K]: about 2.5 kg of plastic, far more than any pad or probe head."""
MAX_OUTER_AREA_MM2 = 1.0e6
"""Largest outer surface of an applied part [mm²] (1 m²)."""


def _reader(unit: str, low: float, high: float, example: str) -> Any:
    """A pydantic before-validator reading a quantity in `unit` (a number is taken in `unit`; under user input a
    number other than 0 needs its unit) within (`low`, `high`]."""

    def read(value: Any, info: ValidationInfo) -> float:
        if isinstance(value, bool):
            raise ValueError(f"expected a quantity such as {example!r}, got {value!r}")
        if isinstance(value, int | float):
            if units_required(info.context) and value != 0:
                raise ValueError(f"{value:g} has no unit; write it with its unit, e.g. {example!r}")
            number = float(value)
        elif isinstance(value, str):
            match = _NUMBER_AND_UNIT.match(value)
            if match is None:
                raise ValueError(f"cannot read {value!r}; write e.g. {example!r}")
            try:
                given = parse_unit(match.group(2) or unit)
            except InputError as exc:
                raise ValueError(exc.reason) from None
            quantity = ureg.Quantity(float(match.group(1)), given)
            if not quantity.check(ureg.Unit(unit).dimensionality):
                raise ValueError(f"{value!r} is not in units of {unit}; write e.g. {example!r}")
            number = float(quantity.to(unit).magnitude)
        else:
            raise ValueError(f"expected a quantity such as {example!r}, got {type(value).__name__}")
        if not (math.isfinite(number) and low < number <= high):
            raise ValueError(f"{value!r} is outside the allowed range: more than {low:g} and at most {high:g} {unit}")
        return number

    return BeforeValidator(read, json_schema_input_type=float | str)


def _writer(unit: str) -> Any:
    """A pydantic serializer: the float, or under user input a text with `unit` that reads back."""

    def write(value: float, info: SerializationInfo) -> float | str:
        return f"{value!r} {unit}" if units_required(info.context) else value

    return PlainSerializer(write)


HeatCapacity = Annotated[float, _reader("J/K", 0.0, MAX_HEAT_CAPACITY_J_K, "30 J/K"), _writer("J/K")]
"""A heat capacity [J/K]."""
Area = Annotated[float, _reader("mm^2", 0.0, MAX_OUTER_AREA_MM2, "60 cm^2"), _writer("mm^2")]
"""An area [mm²]."""


class DeviceHeat(FrozenModel):
    """The thermal description of a light device's applied part (the pad or probe head that touches the skin).

    `electrical_power` [W]: the average electrical power its emitters (and any drive electronics inside the applied
    part) draw; at least the device's optical power, the difference is heat. `heat_capacity` [J/K] of the applied
    part. `contact_conductance` [W/(mm²·K)] between its face and the skin, per area of the emitting face (window,
    encapsulant and contact resistance in series). `outer_conductance` [W/(mm²·K)] from its outer surface to the room
    (convection and radiation, through any housing or strap), over `outer_area` [mm²] (default: the emitting face).
    `face_absorptance` [1]: the share of the light the skin sends back onto the face that the face absorbs as heat.
    `source`: where the numbers come from ([verify] marks estimates).
    """

    electrical_power: Annotated[float, Bounded("power", gt=0.0, le=1000.0)] = Field(
        description="average electrical power of the applied part [W]")
    heat_capacity: HeatCapacity = Field(description="heat capacity of the applied part [J/K]")
    contact_conductance: Annotated[float, Bounded("heat_transfer", gt=0.0, le=0.01)] = Field(
        description="face-to-skin conductance [W/(mm²·K)] (at most 10 000 W/(m²·K))")
    outer_conductance: Annotated[float, Bounded("heat_transfer", ge=0.0, le=1e-3)] = Field(
        description="outer surface-to-room conductance [W/(mm²·K)] (at most 1000 W/(m²·K))")
    outer_area: Area | None = Field(default=None, description="outer surface [mm²]; default: the emitting face")
    face_absorptance: UnitFraction = Field(default=0.0, description=(
        "share of the light remitted by the skin onto the face that the face absorbs [1]"))
    source: str = Field(default="", description="where the numbers come from")


__all__ = ["DeviceHeat", "MAX_HEAT_CAPACITY_J_K", "MAX_OUTER_AREA_MM2"]
