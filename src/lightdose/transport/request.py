"""The request every session stage starts from: a device placement, a body site, a person, an exposure and a
parameter set — the same fields, with the same names and units, in the dose, heat and perfusion stages."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy import sites as site_library
from lightdose.devices.placement import PlacementField
from lightdose.limits import MAX_AFTER_S, MAX_SESSION_S
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterChoice, Parameters, ParameterSet
from lightdose.units import Bounded

Exposure = Annotated[float, Bounded("time", gt=0.0, le=MAX_SESSION_S)]
"""Time the device is on [s]: more than 0 and at most :data:`lightdose.limits.MAX_SESSION_S` (4 h)."""
After = Annotated[float, Bounded("time", ge=0.0, le=MAX_AFTER_S)]
"""Time followed after the device is removed [s]: 0 to :data:`lightdose.limits.MAX_AFTER_S` (24 h)."""


class SessionRequest(FrozenModel):
    """A device on a body site of a person for a time. `placement`: a device name (in contact) or {device,
    distance, pad_heat}; `site`: a body-site preset's name or a :class:`LayerStack`; `person`: who is treated;
    `exposure`: how long the device is on [s]; `parameters`: the parameter set (a name, or {set, overrides})."""

    placement: PlacementField
    site: str | LayerStack = Field(description="a body-site preset's name (see `lightdose sites`) or a layer stack")
    person: Person = Field(default_factory=Person)
    exposure: Exposure = Field(description="time the device is on [s]")
    parameters: Parameters = Field(default_factory=ParameterChoice)

    @field_validator("site")
    @classmethod
    def _known_site(cls, value: str | LayerStack) -> str | LayerStack:
        if isinstance(value, str):
            site_library.get(value)  # an unknown name is an InputError listing the sites
        return value

    def base_stack(self) -> LayerStack:
        """The site's layer stack as the preset (or the caller) gives it."""
        return site_library.get(self.site) if isinstance(self.site, str) else self.site

    def parameter_set(self) -> ParameterSet:
        """The parameter set with its overrides."""
        return self.parameters.resolve()

    def stack(self) -> LayerStack:
        """The site's layer stack adjusted for the person."""
        return self.person.apply(self.base_stack(), self.parameter_set())
