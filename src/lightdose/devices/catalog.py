"""The preset device catalog: ``lightdose.devices.get("pad-890")``.

One YAML file per device in ``lightdose/data/devices/``, each with a `source` saying where its numbers come
from. Light devices load as :class:`LightDevice`; heat-only sources as :class:`HeatingPad` or
:class:`InfraredSauna` (field `kind` decides).
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from typing import Annotated, Any

import yaml
from pydantic import Field, TypeAdapter

from lightdose.devices.device import LightDevice
from lightdose.devices.heat_sources import HeatingPad, InfraredSauna
from lightdose.errors import InputError

AnyDevice = Annotated[LightDevice | HeatingPad | InfraredSauna, Field(discriminator="kind")]
"""Any catalog entry; `kind` is contact-pad, panel, probe, heating-pad or infrared-sauna."""

_ADAPTER: TypeAdapter[LightDevice | HeatingPad | InfraredSauna] = TypeAdapter(AnyDevice)


def load(data: dict[str, Any]) -> LightDevice | HeatingPad | InfraredSauna:
    """Build a device (of the type its `kind` names) from a plain dict, e.g. a parsed YAML file."""
    return _ADAPTER.validate_python(data)


@cache
def _catalog() -> dict[str, LightDevice | HeatingPad | InfraredSauna]:
    folder = resources.files("lightdose.data").joinpath("devices")
    presets = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            name = entry.name.removesuffix(".yaml")
            presets[name] = load({"name": name, **yaml.safe_load(entry.read_text(encoding="utf-8"))})
    return presets


def names() -> list[str]:
    """Names of all preset devices, alphabetical."""
    return list(_catalog())


def get(name: str) -> LightDevice | HeatingPad | InfraredSauna:
    """The preset device called `name`; an unknown name lists the valid ones, closest first."""
    presets = _catalog()
    if name not in presets:
        close = difflib.get_close_matches(name, list(presets), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InputError("device", f"unknown device {name!r}.{hint} Known devices: {', '.join(presets)}")
    return presets[name]


def get_light_device(name: str) -> LightDevice:
    """Like :func:`get`, but a heat-only source (no light to map) is an error naming its kind."""
    device = get(name)
    if not isinstance(device, LightDevice):
        raise InputError(
            "device",
            f"'{name}' is a heat-only source (kind '{device.kind}'): it emits no therapeutic light, so it has no "
            "irradiance map; the thermal stage uses its temperatures",
        )
    return device
