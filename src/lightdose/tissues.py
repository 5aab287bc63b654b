"""The preset tissue library: ``lightdose.tissues.get("dermis")``.

Presets live in ``lightdose/data/tissues.yaml``, each with the publications its numbers come from.
Epidermis presets exist per Fitzpatrick skin type (``epidermis-I`` … ``epidermis-VI``); ``get("epidermis",
skin_type="IV")`` picks one, and plain ``"epidermis"`` is type III.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from typing import Any

import yaml

from lightdose.errors import InputError
from lightdose.optics.tissue import Tissue

ROMAN_SKIN_TYPES = ("I", "II", "III", "IV", "V", "VI")
_EPIDERMIS = "epidermis-"
"""Epidermis presets are named ``epidermis-I`` … ``epidermis-VI``, one per Fitzpatrick skin type."""


@cache
def _library() -> tuple[dict[str, Tissue], dict[str, str]]:
    text = resources.files("lightdose.data").joinpath("tissues.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    presets = {name: Tissue(name=name, **fields) for name, fields in raw["tissues"].items()}
    return presets, dict(raw.get("aliases", {}))


def names() -> list[str]:
    """Names of all preset tissues, in library order."""
    return list(_library()[0])


def aliases() -> dict[str, str]:
    """Alternative names and the preset each stands for (e.g. ``epidermis`` → ``epidermis-III``)."""
    return dict(_library()[1])


def parse_skin_type(value: int | str) -> str:
    """Fitzpatrick skin type as a Roman numeral 'I'…'VI'; accepts 1–6, '4', 'iv', 'type IV'."""
    text = str(value).strip().upper().removeprefix("TYPE").strip()
    if text.isdigit() and 1 <= int(text) <= 6:
        return ROMAN_SKIN_TYPES[int(text) - 1]
    if text in ROMAN_SKIN_TYPES:
        return text
    raise InputError("skin_type", f"{value!r} is not a Fitzpatrick skin type; use I–VI (or 1–6)")


def skin_type_of(name: str) -> str | None:
    """The Fitzpatrick skin type ('I'…'VI') of an epidermis preset or alias ('epidermis' → 'III'), else None."""
    key = _library()[1].get(name, name)
    suffix = key.removeprefix(_EPIDERMIS)
    return suffix if key.startswith(_EPIDERMIS) and suffix in ROMAN_SKIN_TYPES else None


def get(name: str, skin_type: int | str | None = None) -> Tissue:
    """The preset tissue called `name` (or an alias). `skin_type` applies to the epidermis only."""
    presets, alias_of = _library()
    key = alias_of.get(name, name)
    if skin_type is not None:
        if not key.startswith(_EPIDERMIS.rstrip("-")):
            raise InputError("skin_type", f"applies to the epidermis presets only, not to '{name}'")
        key = f"{_EPIDERMIS}{parse_skin_type(skin_type)}"
    if key not in presets:
        known = list(presets) + list(alias_of)
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InputError("tissue", f"unknown tissue {name!r}.{hint} Known tissues: {', '.join(sorted(known))}")
    return presets[key]
