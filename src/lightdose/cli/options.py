"""Options shared by the commands: every command that models a person takes the same person options, and every
command that places a device takes the same placement options."""

from __future__ import annotations

from typing import Any

import typer

from lightdose.anatomy import Person

DEVICE = typer.Option(..., "--device", help="Preset device name (see `lightdose devices`).")
SITE = typer.Option(..., "--site", help="Body site (see `lightdose sites`).")
TIME = typer.Option(..., "--time", help="Exposure (time the device is on), with its unit, e.g. 30min.")
DISTANCE = typer.Option("0 cm", "--distance", help="Gap between device and skin, with its unit, e.g. 15cm "
                                                    "(0 = contact).")
SKIN_TYPE = typer.Option("III", "--skin-type", help="Fitzpatrick skin type I–VI.")
FAT = typer.Option(None, "--fat", help="Measured subcutaneous fat thickness, e.g. 4mm (not with --bmi).")
BMI = typer.Option(None, "--bmi", help="Body-mass index [kg/m²]: scales the fat (not with --fat).")
NEUROPATHY = typer.Option(False, "--neuropathy", help="Diabetic neuropathy (thinner forefoot pad, less dermal blood, "
                                                      "blunted vasodilation).")
DERMAL_BLOOD = typer.Option(None, "--dermal-blood", help="Dermal blood volume fraction, e.g. 1%.")
PARAMETERS = typer.Option("default", "--parameters", help="Parameter set: a shipped set's name or a .yaml file.")
JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")
PNG = typer.Option(None, "--png", help="Also write a plot to this .png file.")


def person(skin_type: str, fat: str | None, bmi: float | None, neuropathy: bool,
           dermal_blood: str | None) -> dict[str, Any]:
    """The person options as the `person` field of a request."""
    return {key: value for key, value in (("skin_type", skin_type), ("fat_thickness", fat), ("bmi", bmi),
                                          ("neuropathy", neuropathy), ("dermal_blood", dermal_blood))
            if value is not None}


def placed_on_person(device: str, distance: str, site: str, time: str, parameters: str, skin_type: str, fat: str | None,
                     bmi: float | None, neuropathy: bool, dermal_blood: str | None) -> dict[str, Any]:
    """The fields every request of a device on a person shares, from the shared options: `placement`, `site`,
    `person`, `exposure` and `parameters` (a command adds its own fields to the dict)."""
    return {"placement": {"device": device, "distance": distance}, "site": site,
            "person": person(skin_type, fat, bmi, neuropathy, dermal_blood), "exposure": time,
            "parameters": parameters}


__all__ = ["BMI", "DERMAL_BLOOD", "DEVICE", "DISTANCE", "FAT", "JSON", "NEUROPATHY", "PARAMETERS", "PNG", "Person",
           "SITE", "SKIN_TYPE", "TIME", "person", "placed_on_person"]
