"""Heat-only sources, described for the thermal stage: a contact heating pad and an infrared sauna cabin.

They emit no therapeutic light (no irradiance map): a heating pad imposes a surface temperature on the skin it
touches; an infrared cabin surrounds the body with warm air and far-infrared emitters.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lightdose.model_base import FrozenModel
from lightdose.units import Bounded, UnitFraction

WIEN_CONSTANT_UM_K = 2897.77
"""Wien's displacement constant b [µm·K]: λ_peak = b/T (CODATA 2018)."""


class HeatingPad(FrozenModel):
    """A contact heating pad whose skin-side surface is held at `surface_temperature` [°C] (a fixed-temperature
    boundary condition for the bioheat model) over `width` × `height` [mm]."""

    name: str = "custom-heating-pad"
    kind: Literal["heating-pad"] = "heating-pad"
    description: str = ""
    source: str = ""
    surface_temperature: Annotated[float, Bounded("temperature", gt=20.0, le=60.0)] = Field(
        description="pad surface temperature [°C]")
    width: Annotated[float, Bounded("length", gt=0.0)]
    height: Annotated[float, Bounded("length", gt=0.0)]
    contact: bool = True


class InfraredSauna(FrozenModel):
    """An infrared sauna cabin: air at `air_temperature` [°C], heated by far-infrared panel emitters whose surface
    is at `emitter_temperature` [°C] with `emitter_emissivity`; sessions of `session_duration` [s]."""

    name: str = "custom-sauna"
    kind: Literal["infrared-sauna"] = "infrared-sauna"
    description: str = ""
    source: str = ""
    air_temperature: Annotated[float, Bounded("temperature", gt=20.0, le=110.0)]
    relative_humidity: UnitFraction
    emitter_temperature: Annotated[float, Bounded("temperature", gt=20.0, le=800.0)]
    emitter_emissivity: Annotated[float, Bounded("dimensionless", gt=0.0, le=1.0)]
    session_duration: Annotated[float, Bounded("time", gt=0.0)]

    @property
    def emitter_peak_wavelength_um(self) -> float:
        """Wavelength of peak blackbody emission of the emitters (Wien's law) [µm]."""
        return WIEN_CONSTANT_UM_K / (self.emitter_temperature + 273.15)
