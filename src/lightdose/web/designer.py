"""The device designer's inputs: an LED grid (rows, columns, pitch, one or two wavelengths with their power per LED,
beam, face) → a device definition in the format of the preset files (lightdose/data/devices/*.yaml), which the
irradiance stage, the dose stages and scenario files take as they are. Two wavelengths alternate column by column
(as in the 660/850 nm preset panel). The numbers are checked by the device model itself (in a worker); here only
that each input is a number."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import yaml

from lightdose.web.user_errors import FieldError

KINDS = ("panel", "contact-pad", "probe")
BEAMS = ("lambertian", "cosine-power")
FACES = ("point", "square")


@dataclass(frozen=True)
class Design:
    """The designer's form, every field as typed (the page's query string)."""

    name: str = "my-panel"
    kind: str = "panel"
    rows: str = "6"
    columns: str = "8"
    pitch_x: str = "25"
    pitch_y: str = "25"
    wavelength: str = "660"
    power: str = "200"
    fwhm: str = "20"
    wavelength2: str = "850"
    power2: str = "200"
    fwhm2: str = "30"
    beam: str = "cosine-power"
    half_angle: str = "30"
    face: str = "point"
    size: str = "5"
    distance: str = "10 cm"

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Design:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v[:200] for k, v in query.items() if k in names})

    def query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _number(design: Design, name: str, errors: list[FieldError], whole: bool = False) -> float:
    text = getattr(design, name).strip()
    try:
        value = float(text)
        if whole and value != int(value):
            raise ValueError
    except ValueError:
        errors.append({"field": name, "message": f"{text!r} is not a{' whole' if whole else ''} number"})
        return 0.0
    return value


def definition(design: Design) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The device definition of `design` (None when an input is not a number), and the inputs that are not."""
    errors: list[FieldError] = []
    rows, columns = (int(_number(design, n, errors, whole=True)) for n in ("rows", "columns"))
    pitch_x, pitch_y, size = (_number(design, n, errors) for n in ("pitch_x", "pitch_y", "size"))
    two = bool(design.wavelength2.strip())
    bands = [("wavelength", "power", "fwhm")] + ([("wavelength2", "power2", "fwhm2")] if two else [])
    emitters = []
    for wl_name, power_name, fwhm_name in bands:
        wavelength, power, fwhm = (_number(design, n, errors) for n in (wl_name, power_name, fwhm_name))
        emitter: dict[str, Any] = {"wavelength": f"{wavelength:g} nm", "fwhm": f"{fwhm:g} nm",
                                   "power": f"{power:g} mW", "face": design.face, "beam": design.beam}
        if design.face != "point":
            emitter["size"] = f"{size:g} mm"
        if design.beam == "cosine-power":
            emitter["half_angle"] = f"{_number(design, 'half_angle', errors):g} deg"
        emitters.append(emitter)
    if two and columns % 2:
        errors.append({"field": "columns", "message": f"{columns}: two wavelengths alternate column by column, so "
                                                      "give an even number of columns"})
    for name, allowed in (("kind", KINDS), ("beam", BEAMS), ("face", FACES)):
        if getattr(design, name) not in allowed:
            errors.append({"field": name, "message": f"{getattr(design, name)!r}; allowed: {', '.join(allowed)}"})
    if errors:
        return None, errors
    share = columns // len(emitters)
    grids = [{"emitter": emitter, "rows": rows, "columns": share, "pitch_x": f"{pitch_x * len(emitters):g} mm",
              "pitch_y": f"{pitch_y:g} mm", "offset_x": f"{(i - (len(emitters) - 1) / 2) * pitch_x:g} mm"}
             for i, emitter in enumerate(emitters)]
    face = size if design.face != "point" else 0.0
    width = max(columns * pitch_x, face, 1.0)
    height = max(rows * pitch_y, face, 1.0)
    device = {"name": design.name.strip() or "my-device", "kind": design.kind,
              "description": "designed with the lightdose web app's device designer",
              "source": "your own numbers (not a manufacturer's)",
              "width": f"{width:g} mm", "height": f"{height:g} mm", "contact": design.kind == "contact-pad",
              "grids": grids}
    return device, []


def device_yaml(device: dict[str, Any]) -> str:
    """The definition as a device YAML file (the format of lightdose/data/devices/*.yaml)."""
    return ("# A device made with the lightdose web app's device designer. Use it in a scenario as a device\n"
            "# placement's `definition` (see docs/planning.md), or with the web API's own-device URLs.\n"
            + yaml.safe_dump(device, sort_keys=False, allow_unicode=True))


def starter_scenario(device: dict[str, Any], distance: str, site: str, target: str, own_key: str) -> str:
    """A scenario that plans `device` at `distance` on `site` (`own_key`: the placement's field for an own
    definition in the scenario format), for `lightdose plan` or the plan builder."""
    scenario = {"name": f"{device['name']} on the {site}", "condition": "other",
                "devices": [{"id": "own", own_key: device, "distance": distance}],
                "sites": [{"site": site, "target": target}],
                "schedule": "3 times a week for 4 weeks", "coverage": {"people": 200}}
    return ("# A starter scenario for a device made with the lightdose web app's device designer.\n"
            "# Run: lightdose plan scenario.yaml -o report.html\n"
            + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True))


__all__ = ["BEAMS", "FACES", "KINDS", "Design", "definition", "device_yaml", "starter_scenario"]
