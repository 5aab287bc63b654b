"""The preset tissue library: ``lightdose.tissues.get("dermis")``.

Presets live in ``lightdose/data/tissues.yaml``, each with the publications its numbers come from.
Epidermis presets exist per Fitzpatrick skin type (``epidermis-I`` … ``epidermis-VI``); ``get("epidermis",
skin_type="IV")`` picks one, and plain ``"epidermis"`` is type III.

A preset may take its scattering power law from the parameter set (``scattering: {parameters: GROUP}`` in the
YAML: ``GROUP.a [1/cm]`` and ``GROUP.b [1]``): the dermis presets do, so that a parameter set chooses between
in-vivo (default) and ex-vivo dermal scattering. ``get(name)`` uses the default set's values;
``get(name, parameters=params)`` and :func:`scattering` use `params`' (and record the keys they read).
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from typing import Any

import yaml

from lightdose.errors import InputError
from lightdose.optics.tissue import Scattering, Tissue
from lightdose.parameters import ParameterSet, default_set

ROMAN_SKIN_TYPES = ("I", "II", "III", "IV", "V", "VI")
_EPIDERMIS = "epidermis-"
"""Epidermis presets are named ``epidermis-I`` … ``epidermis-VI``, one per Fitzpatrick skin type."""


SCATTERING_FROM_PARAMETERS = "parameters"
"""Key of a preset's `scattering` mapping that names the parameter group its power law comes from."""


def _scattering_keys(group: str) -> tuple[str, str]:
    """The parameter keys of a scattering group: μs′ at 500 nm [1/cm] and the power b [1]."""
    return f"{group}.a [1/cm]", f"{group}.b [1]"


def _scattering_of(group: str, a_per_cm: float, b: float) -> Scattering:
    if not (a_per_cm >= 0.0 and 0.0 <= b <= 4.0):  # also refuses NaN
        raise InputError("parameters", f"{group}: a = {a_per_cm:g} 1/cm and b = {b:g} are not a scattering power "
                                       "law (a ≥ 0 1/cm, 0 ≤ b ≤ 4)")
    return Scattering.model_validate({"a": f"{a_per_cm!r} 1/cm", "b": b})  # parsed as the library's "45.3 1/cm"


@cache
def _library() -> tuple[dict[str, Tissue], dict[str, str], dict[str, str]]:
    """Presets (with the default set's scattering where a preset takes it from the parameters), aliases, and the
    parameter group of each such preset."""
    text = resources.files("lightdose.data").joinpath("tissues.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    defaults = default_set().parameters  # read without recording: this cache is filled once, whatever runs first
    presets, groups = {}, {}
    for name, fields in raw["tissues"].items():
        scattering = fields.get("scattering")
        if isinstance(scattering, dict) and SCATTERING_FROM_PARAMETERS in scattering:
            group = groups[name] = str(scattering[SCATTERING_FROM_PARAMETERS])
            a_key, b_key = _scattering_keys(group)
            fields = {**fields, "scattering": _scattering_of(group, float(defaults[a_key].value),  # type: ignore[arg-type]
                                                             float(defaults[b_key].value))}  # type: ignore[arg-type]
        presets[name] = Tissue(name=name, **fields)
    return presets, dict(raw.get("aliases", {})), groups


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


def scattering_group(name: str) -> str | None:
    """The parameter group (e.g. ``optics.dermis.scattering``) that the preset `name` (or alias) takes its
    scattering from, or None when its scattering is fixed in the library."""
    presets, alias_of, groups = _library()
    return groups.get(alias_of.get(name, name))


def scattering(name: str, parameters: ParameterSet) -> Scattering | None:
    """The scattering power law of the preset `name` under `parameters` (its keys are recorded while
    :func:`lightdose.parameters.recording` is active), or None when the preset's scattering is fixed in the library.
    A key missing from the set is a KeyError naming it; a value that is no power law an InputError."""
    group = scattering_group(name)
    if group is None:
        return None
    a_key, b_key = _scattering_keys(group)
    return _scattering_of(group, parameters[a_key], parameters[b_key])


def get(name: str, skin_type: int | str | None = None, parameters: ParameterSet | None = None) -> Tissue:
    """The preset tissue called `name` (or an alias). `skin_type` applies to the epidermis only. With
    `parameters`, a preset whose scattering comes from the parameter set takes that set's values (default: the
    default set's)."""
    presets, alias_of, _ = _library()
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
    tissue = presets[key]
    own = scattering(key, parameters) if parameters is not None else None
    return tissue if own is None or own == tissue.scattering else tissue.model_copy(update={"scattering": own})
