"""The comparison the marketing describes: the same skin site treated with different devices, the perfusion they
produce during the session and for hours after it, for healthy and neuropathic people.

A comparison is a YAML file (``examples/microcirculation-comparison.yaml``)::

    site: foot-dorsum
    exposure: 30 min
    after: 4 h
    people:
      healthy: {}
      neuropathic: {neuropathy: true}
    treatments:
      - {name: 890 nm contact pad, device: pad-890}
      - {name: heating pad at 42 °C, device: heating-pad-42}
      - {name: 630 nm red panel at the pad's irradiance, device: panel-630, same_irradiance_as: pad-890}

A treatment gives its `distance` to the skin (default: contact for contact devices), or `same_irradiance_as`
another light device: the distance is then the one at which this device's centre irradiance equals that
device's contact irradiance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from lightdose import devices
from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy import sites as site_library
from lightdose.devices import LightDevice
from lightdose.devices.irradiance import centre_irradiance, distance_for_irradiance
from lightdose.devices.placement import Placement
from lightdose.errors import FileFormatError, InputError
from lightdose.input_files import load_yaml, read_text
from lightdose.limits import MAX_DISTANCE_MM
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterChoice, Parameters
from lightdose.physiology.session import ELEVATION_THRESHOLD, PerfusionRequest, PerfusionResult, perfusion_session
from lightdose.provenance import Provenance
from lightdose.transport.request import After, Exposure
from lightdose.units import USER_INPUT, Bounded


class Treatment(FrozenModel):
    """One arm of the comparison: a device, and where it is held: at `distance` (default: contact) or where its
    centre irradiance equals the contact irradiance of the light device `same_irradiance_as`."""

    name: str = Field(min_length=1, max_length=200)
    device: str
    same_irradiance_as: str | None = Field(default=None, description="match this light device's contact irradiance")
    distance: Annotated[float, Bounded("length", ge=0.0, le=MAX_DISTANCE_MM)] | None = Field(
        default=None, description="mm from the skin (default: contact)")

    @field_validator("device")
    @classmethod
    def _known(cls, name: str) -> str:
        devices.get(name)  # unknown names fail here, listing the catalog
        return name

    @field_validator("same_irradiance_as")
    @classmethod
    def _light_contact_reference(cls, name: str | None, info: ValidationInfo) -> str | None:
        if name is None:
            return None
        try:
            reference = devices.get_light_device(name)
        except InputError as exc:  # the field is this one, not the reference's `device`
            raise ValueError(exc.reason) from None
        if not reference.contact:
            raise ValueError(f"{name!r} is not a contact device; allowed: a contact light device such as 'pad-890' "
                             "(or give a distance instead)")
        device = info.data.get("device")
        if device is not None and not isinstance(devices.get(device), LightDevice):
            raise ValueError(f"the treatment's device {device!r} is a heat-only source, with no irradiance to match; "
                             "allowed: with a light device only (give a heat source no placement: it is in contact)")
        return name

    @model_validator(mode="after")
    def _placeable(self) -> Treatment:
        if self.same_irradiance_as is not None and self.distance is not None:
            raise ValueError("give distance or same_irradiance_as, not both")
        if self.same_irradiance_as is None:
            self.placement()  # the device's own placement rules
        return self

    def placement(self) -> Placement:
        """Where the treatment's device is held."""
        if self.same_irradiance_as is None:
            return Placement(device=self.device, **({} if self.distance is None else {"distance": self.distance}))
        reference = devices.get_light_device(self.same_irradiance_as)
        distance = distance_for_irradiance(devices.get_light_device(self.device), centre_irradiance(reference, 0.0))
        return Placement(device=self.device, distance=distance)


class Comparison(FrozenModel):
    """Treatments × people on one site, each for `exposure` [s], followed for `after` [s] (bare skin in the room)."""

    site: str | LayerStack
    exposure: Exposure = Field(description="session length [s], up to 4 h")
    after: After = Field(default=4 * 3600.0, description="time followed after the session [s], up to 24 h")
    people: dict[str, Person] = Field(min_length=1, max_length=10)
    treatments: list[Treatment] = Field(min_length=1, max_length=20)
    light_no: bool = Field(default=False, description="include the optional light-driven NO term (weak evidence)")
    parameters: Parameters = Field(default_factory=ParameterChoice)

    @field_validator("site")
    @classmethod
    def _known_site(cls, value: str | LayerStack) -> str | LayerStack:
        if isinstance(value, str):
            site_library.get(value)
        return value

    @field_validator("treatments")
    @classmethod
    def _distinct(cls, value: list[Treatment]) -> list[Treatment]:
        names = [t.name for t in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"two treatments are called {repeated[0]!r}; give each its own name")
        return value


@dataclass(frozen=True)
class ComparisonCase:
    """One treatment on one person."""

    treatment: str
    person: str
    placement: Placement
    skin_irradiance: float | None
    """Irradiance at the centre of the treated area [W/mm²]; None for a heat-only source."""
    result: PerfusionResult


@dataclass(frozen=True)
class ComparisonResult:
    """Every treatment on every person, in the order of the file."""

    request: Comparison
    cases: tuple[ComparisonCase, ...]
    elevation_rule: str
    provenance: Provenance


def comparison_from_text(text: str, path: str = "<comparison>") -> Comparison:
    """Parse and validate a comparison from YAML (or JSON) text; a syntax error names `path` and the line."""
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise FileFormatError(path, None, "expected a mapping with site, exposure, people and treatments")
    return Comparison.model_validate(data, context=USER_INPUT)


def load_comparison(path: str | Path) -> Comparison:
    """Read a comparison YAML file (any common text encoding); a syntax error names the line."""
    return comparison_from_text(read_text(path, "comparison"), str(path))


def run_comparison(request: Comparison) -> ComparisonResult:
    """Perfusion during and after each treatment for each person."""
    cases = []
    for treatment in request.treatments:
        placement = treatment.placement()
        model = placement.model()
        irradiance = centre_irradiance(model, placement.distance) if isinstance(model, LightDevice) else None
        for label, person in request.people.items():
            result = perfusion_session(PerfusionRequest(
                placement=placement, site=request.site, person=person, exposure=request.exposure,
                after=request.after, light_no=request.light_no, parameters=request.parameters))
            cases.append(ComparisonCase(treatment.name, label, placement, irradiance, result))
    return ComparisonResult(request=request, cases=tuple(cases),
                            elevation_rule=f"perfusion above its pre-session baseline × {1 + ELEVATION_THRESHOLD:g}",
                            provenance=Provenance.of(request, request.parameters.resolve().name))
