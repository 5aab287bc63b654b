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

from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, model_validator

from lightdose import devices
from lightdose.anatomy import Person
from lightdose.devices import LightDevice
from lightdose.devices.irradiance import centre_irradiance, distance_for_irradiance, in_mw_cm2
from lightdose.errors import FileFormatError, InputError
from lightdose.model_base import FrozenModel
from lightdose.physiology.session import perfusion_session
from lightdose.units import Duration, Length


class Treatment(FrozenModel):
    """One arm of the comparison: a device, where it is held, and a label."""

    name: str
    device: str
    distance: Length | None = Field(default=None, ge=0.0, description="mm from the skin (default: contact)")
    same_irradiance_as: str | None = Field(default=None, description="match this light device's contact irradiance")

    @model_validator(mode="after")
    def _one_placement(self) -> Treatment:
        if self.distance is not None and self.same_irradiance_as is not None:
            raise ValueError("give distance or same_irradiance_as, not both")
        devices.get(self.device)  # unknown names fail here, listing the catalog
        return self


class Comparison(FrozenModel):
    """Treatments × people on one site, each for `time`, followed for `after` (bare skin in a 25 °C room)."""

    site: str
    time: Duration = Field(gt=0.0, description="session length [s]")
    after: Duration = Field(default=4 * 3600.0, ge=0.0, description="time followed after the session [s]")
    people: dict[str, Person] = Field(min_length=1)
    treatments: list[Treatment] = Field(min_length=1)
    light_no: bool = Field(default=False, description="include the optional light-driven NO term (weak evidence)")


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
    """The treatment's distance to the skin [mm]."""
    if treatment.same_irradiance_as is None:
        return treatment.distance or 0.0
    reference = devices.get_light_device(treatment.same_irradiance_as)
    if not reference.contact:
        raise InputError("same_irradiance_as", f"{reference.name!r} is not a contact device; give a distance instead")
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
