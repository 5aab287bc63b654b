"""Field paths of a sweep: which field of a scenario or a stage request an axis varies, and the tissue-optics scale
factors that are not request fields but parameter-set overrides.

A path names a field the way the sweep file's base writes it: names joined by dots, list items by index
(``devices[0].distance``, ``sites[1].exposure``, ``person.skin_type``), and keys that contain dots or brackets in
double quotes (``parameters.overrides["thermal.skin.perfusion [1/s]"]``). Paths under ``optics.`` are the
scale factors of :data:`OPTICS_FIELDS`.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from lightdose.errors import InputError
from lightdose.optics.variants import optics_variant, scattering_groups
from lightdose.parameters import ParameterChoice
from lightdose.units import CANONICAL_UNITS, Bounded

PathPart = str | int
_PART = re.compile(r'\s*(?:\[(?P<index>\d+)\]|\["(?P<quoted>[^"]*)"\]|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))\s*')

OPTICS_FIELDS = {
    "optics.scattering_scale": "factor on the reduced scattering μs′ of every tissue whose scattering the parameter "
                               "set gives (the dermis in the shipped sets): the power law's a times the factor",
    "optics.scattering_position": "where the scattering lies between the set's low (0) and high (1) bound: a "
                                  "log-linear, b linear between the bounds (the dermis: in-vivo mean − 1 SD to ex "
                                  "vivo)",
    "optics.scattering_bound": "the set's low, nominal or high scattering (the variants of lightdose.optics.variants)",
}
"""Pseudo-fields of a sweep (tissue optics), applied as overrides of the request's parameter set."""
MAX_SCATTERING_SCALE = 10.0


def parse_path(path: str) -> tuple[PathPart, ...]:
    """``'devices[0].distance'`` → ``('devices', 0, 'distance')``; an unreadable path is an :class:`InputError`."""
    parts: list[PathPart] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if parts and text[pos] == ".":
            pos += 1
        match = _PART.match(text, pos)
        if match is None or match.end() == pos:
            raise InputError("axes", f"{path!r} is not a field path; write e.g. person.skin_type, devices[0].distance "
                                     'or parameters.overrides["thermal.skin.perfusion [1/s]"]')
        if match["index"] is not None:
            parts.append(int(match["index"]))
        else:
            parts.append(match["quoted"] if match["quoted"] is not None else match["name"])
        pos = match.end()
    if not parts or isinstance(parts[0], int):
        raise InputError("axes", f"{path!r} is not a field path; it starts with a field name, e.g. person.skin_type")
    return tuple(parts)


def is_optics(path: str) -> bool:
    """Whether `path` is one of the optics pseudo-fields (:data:`OPTICS_FIELDS`)."""
    return path.startswith("optics.")


def dimension_name(path: str) -> str:
    """A dimension name for `path` that NetCDF and Zarr accept: ``devices[0].distance`` → ``devices_0_distance``."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", path).strip("_")
    return name if name and not name[0].isdigit() else f"f_{name}"


def get_path(data: Any, parts: tuple[PathPart, ...]) -> Any:
    """The value at `parts` in nested dicts and lists (KeyError/IndexError if absent)."""
    for part in parts:
        data = data[part]
    return data


def set_path(data: dict[str, Any], parts: tuple[PathPart, ...], value: Any, where: str) -> None:
    """Set the value at `parts` in nested dicts and lists (in place). A missing key is created (the request's
    validation then says whether the field exists); an index past a list's end, or a step into a plain value, is an
    :class:`InputError` naming `where`."""
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise InputError(where, f"{_shown(parts[:i])} is not a list, so [{part}] names nothing")
            if part >= len(node):
                raise InputError(where, f"{_shown(parts[:i])} has {len(node)} item(s), so [{part}] names nothing")
        elif not isinstance(node, dict):
            raise InputError(where, f"{_shown(parts[:i])} is a plain value, not a group of fields, so .{part} names "
                                    "nothing")
        if last:
            node[part] = value
        else:
            if isinstance(part, str) and node.get(part) is None:
                node[part] = {}
            node = node[part]


def _shown(parts: tuple[PathPart, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the base"


def _inner_types(annotation: Any) -> list[Any]:
    """The types inside Optional/Union/Annotated/list of an annotation."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple, dict):
        found: list[Any] = []
        for arg in get_args(annotation):
            found.extend(_inner_types(arg))
        return found
    return [annotation]


def _bounded_in(annotation: Any) -> Bounded | None:
    """The :class:`Bounded` metadata anywhere in an annotation (Optional[Annotated[float, Bounded(...)]])."""
    if get_origin(annotation) is typing.Annotated:
        for meta in get_args(annotation)[1:]:
            if isinstance(meta, Bounded):
                return meta
        return _bounded_in(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType, list):
        for arg in get_args(annotation):
            found = _bounded_in(arg)
            if found is not None:
                return found
    return None


def field_unit(model: type[BaseModel], parts: tuple[PathPart, ...]) -> str | None:
    """The canonical unit of the quantity field at `parts` of `model` ("mm", "s", ...), "1" for a dimensionless
    quantity, or None when the field is not a quantity (a name, a flag, a number without a kind) or cannot be
    followed."""
    current: Any = model
    field_info = None
    for part in parts:
        if isinstance(part, int):
            continue
        classes = [t for t in _inner_types(current) if isinstance(t, type) and issubclass(t, BaseModel)]
        field_info = None
        for cls in classes:
            fields = cls.model_fields
            field_info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
            if field_info is not None:
                break
        if field_info is None:
            return None
        current = field_info.annotation
    if field_info is None:
        return None
    bounded = next((m for m in field_info.metadata if isinstance(m, Bounded)), None) or _bounded_in(current)
    if bounded is None:
        return None
    unit = CANONICAL_UNITS.get(bounded.kind)
    return "1" if unit == "dimensionless" else unit


def optics_value(path: str, value: Any, where: str) -> float | str:
    """A checked value of an optics pseudo-field (:data:`OPTICS_FIELDS`)."""
    if path not in OPTICS_FIELDS:
        raise InputError(where, f"{path!r} is not an optics field; allowed: {', '.join(OPTICS_FIELDS)}")
    if path == "optics.scattering_bound":
        if value not in ("low", "nominal", "high"):
            raise InputError(where, f"{value!r} is not a bound; allowed: low, nominal, high")
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(where, f"{value!r} is not a number; write a plain number, e.g. 1.2")
    if path == "optics.scattering_scale" and not 0.0 < value <= MAX_SCATTERING_SCALE:
        raise InputError(where, f"{value:g} is outside the allowed range greater than 0 and at most "
                                f"{MAX_SCATTERING_SCALE:g}")
    if path == "optics.scattering_position" and not 0.0 <= value <= 1.0:
        raise InputError(where, f"{value:g} is outside the allowed range 0 (the low bound) to 1 (the high bound)")
    return float(value)


def apply_optics(data: dict[str, Any], values: dict[str, float | str], where: str) -> None:
    """Write the optics pseudo-field `values` into `data["parameters"]` (a request's or scenario's canonical dump) as
    overrides of the scattering power law of every group with bounds (in place)."""
    choice = ParameterChoice.model_validate(data.get("parameters") or {})
    params = choice.resolve()
    groups = scattering_groups(params)
    if not groups:
        raise InputError(where, f"the parameter set {params.name!r} has no scattering bounds "
                                "(optics.<tissue>.scattering_low.* and _high.*), so the optics fields do not apply")
    overrides = dict(choice.overrides)
    bound = values.get("optics.scattering_bound", "nominal")
    source = optics_variant(params, bound) if bound in ("low", "high") else params  # type: ignore[arg-type]
    position = values.get("optics.scattering_position")
    scale = float(values.get("optics.scattering_scale", 1.0))
    for group in groups:
        a_key, b_key = f"{group}.a [1/cm]", f"{group}.b [1]"
        a, b = source[a_key], source[b_key]
        if position is not None:
            w = float(position)
            a_low, a_high = params[f"{group}_low.a [1/cm]"], params[f"{group}_high.a [1/cm]"]
            b_low, b_high = params[f"{group}_low.b [1]"], params[f"{group}_high.b [1]"]
            a = math.exp((1.0 - w) * math.log(a_low) + w * math.log(a_high))
            b = (1.0 - w) * b_low + w * b_high
        overrides[a_key], overrides[b_key] = a * scale, b
    data["parameters"] = {"set": choice.set, "overrides": overrides}


def label(value: Any) -> str:
    """A short text for a value that is not a plain number or name (a device definition, a window)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)[:200]


Scalar = Literal["float", "int", "str", "bool", "other"]


def scalar_kind(values: list[Any]) -> Scalar:
    """What kind of coordinate a list of canonical values makes."""
    if values and all(isinstance(v, bool) for v in values):
        return "bool"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float"
    if values and all(isinstance(v, str) for v in values):
        return "str"
    return "other"


__all__ = ["OPTICS_FIELDS", "apply_optics", "dimension_name", "field_unit", "get_path", "is_optics", "label",
           "optics_value", "parse_path", "scalar_kind", "set_path"]
