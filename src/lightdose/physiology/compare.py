"""The comparison the marketing describes: the same skin site treated with different devices, the perfusion they
produce during the session and for hours after it, for healthy and neuropathic people.

A comparison is a YAML file (``examples/microcirculation-comparison.yaml``)::

    site: foot-dorsum
    time: 30 min
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

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationInfo, field_validator

from lightdose import devices
from lightdose.anatomy import Person
from lightdose.devices import LightDevice
from lightdose.devices.heat_sources import HeatingPad
from lightdose.devices.irradiance import (
    MAX_DISTANCE_MM,
    centre_irradiance,
    distance_for_irradiance,
    in_mw_cm2,
    parse_distance,
)
from lightdose.errors import FileFormatError, InputError
from lightdose.model_base import FrozenModel
from lightdose.physiology.session import perfusion_session
from lightdose.thermal.session import heating_pad_distance, session_time_s, time_after_s
from lightdose.units import Bounded, Duration


def _checked(check: Callable[..., Any], *args: Any) -> Any:
    """`check(*args)`, its InputError turned into the ValueError by which pydantic names the field's path."""
    try:
        return check(*args)
    except InputError as exc:
        raise ValueError(exc.reason) from None


class Treatment(FrozenModel):
    """One arm of the comparison: a device, and where it is held: at `distance` (default: contact) or where its
    centre irradiance equals the contact irradiance of the light device `same_irradiance_as`."""

    name: str
    device: str
    same_irradiance_as: str | None = Field(default=None, description="match this light device's contact irradiance")
    distance: Annotated[float, Bounded("length", ge=0.0, le=MAX_DISTANCE_MM)] | None = Field(
        default=None, validate_default=True,
                                    description="mm from the skin (default: contact)")

    @field_validator("device")
    @classmethod
    def _known(cls, name: str) -> str:
        _checked(devices.get, name)  # unknown names fail here, listing the catalog
        return name

    @field_validator("same_irradiance_as")
    @classmethod
    def _light_contact_reference(cls, name: str | None, info: ValidationInfo) -> str | None:
        if name is None:
            return None
        reference = _checked(devices.get_light_device, name)
        if not reference.contact:
            raise ValueError(f"{name!r} is not a contact device; allowed: a contact light device such as 'pad-890' "
                             "(or give a distance instead)")
        device = info.data.get("device")
        if device is not None and not isinstance(devices.get(device), LightDevice):
            raise ValueError(f"the treatment's device {device!r} is a heat-only source, with no irradiance to match; "
                             "allowed: with a light device only (give a heat source no placement: it is in contact)")
        return name

    @field_validator("distance")
    @classmethod
    def _placeable(cls, distance: float | None, info: ValidationInfo) -> float | None:
        if "device" not in info.data or "same_irradiance_as" not in info.data:
            return distance  # those fields failed: their own errors say why
        if info.data["same_irradiance_as"] is not None:
            if distance is not None:
                raise ValueError("give distance or same_irradiance_as, not both")
            return None
        model = devices.get(info.data["device"])
        _checked(heating_pad_distance if isinstance(model, HeatingPad) else parse_distance, model, distance or 0.0)
        return distance


class Comparison(FrozenModel):
    """Treatments × people on one site, each for `time`, followed for `after` (bare skin in a 25 °C room)."""

    site: str
    time: Duration = Field(description="session length [s], up to 4 h")
    after: Duration = Field(default=4 * 3600.0, description="time followed after the session [s], up to 24 h")
    people: dict[str, Person] = Field(min_length=1)
    treatments: list[Treatment] = Field(min_length=1)
    light_no: bool = Field(default=False, description="include the optional light-driven NO term (weak evidence)")

    @field_validator("time")
    @classmethod
    def _session_length(cls, seconds: float) -> float:
        return _checked(session_time_s, seconds)

    @field_validator("after")
    @classmethod
    def _time_after(cls, seconds: float) -> float:
        return _checked(time_after_s, seconds)


def load_comparison(path: str | Path) -> Comparison:
    """Read a comparison YAML file; a syntax error names the line."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FileFormatError(str(path), None, f"cannot read the file ({exc.strerror})") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise FileFormatError(str(path), line, f"YAML syntax error: {exc.problem}") from None
    if not isinstance(data, dict):
        raise FileFormatError(str(path), None, "expected a mapping with site, time, people and treatments")
    return Comparison(**data)


def placement_mm(treatment: Treatment) -> float:
    """The treatment's distance to the skin [mm] (its placement was checked when the file was read)."""
    if treatment.same_irradiance_as is None:
        return treatment.distance or 0.0
    reference = devices.get_light_device(treatment.same_irradiance_as)
    return distance_for_irradiance(devices.get_light_device(treatment.device), centre_irradiance(reference, 0.0))


def run_comparison(comparison: Comparison) -> dict[str, Any]:
    """Perfusion during and after each treatment for each person: the JSON of `lightdose compare`."""
    from lightdose.physiology.session import summary

    cases = []
    for treatment in comparison.treatments:
        distance = placement_mm(treatment)
        model = devices.get(treatment.device)
        irradiance = in_mw_cm2(centre_irradiance(model, distance)) if isinstance(model, LightDevice) else None
        for label, person in comparison.people.items():
            ds = perfusion_session(treatment.device, comparison.site, person, time=comparison.time,
                                   distance=distance, after=comparison.after, light_no=comparison.light_no)
            cases.append({"treatment": treatment.name, "device": treatment.device, "person": label,
                          "distance_mm": distance, "skin_irradiance_mw_cm2": irradiance, **summary(ds)})
    return {"site": comparison.site, "session_s": comparison.time, "after_s": comparison.after,
            "elevation_rule": "perfusion above its pre-session baseline × 1.2", "cases": cases}
