"""Inputs echoed back with their units: a validated request or scenario as people would write it ("2400 s" →
"40 min", "1720 mm" → "1.72 m"), for reports and the web app. A quantity field is known by its
:class:`~lightdose.units.Bounded` metadata; everything else is echoed as validated."""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from lightdose.units import Bounded, Quantity, unit_text

_DISPLAY_UNITS = {"irradiance": ("W/mm^2", "mW/cm^2"), "fluence": ("J/mm^2", "J/cm^2")}


def _quantity_text(value: float, kind: str) -> str:
    """A canonical value of `kind` with its unit, in the unit people use for it."""
    if kind == "time":
        return f"{value / 3600:g} h" if value >= 3600 and value % 3600 == 0 else f"{value / 60:.4g} min"
    if kind in ("irradiance", "fluence"):
        canonical, display = _DISPLAY_UNITS[kind]
        quantity = Quantity(value, canonical).to(display)
        return f"{quantity.magnitude:.4g} {quantity.units:~P}"
    if kind == "length" and value >= 1000:
        return f"{value / 1000:.4g} m"
    unit = unit_text(kind)
    if kind == "dimensionless":
        return f"{100 * value:.4g} %"
    return f"{value:.4g} {unit}".strip()


def _find_bounded(annotation: Any) -> Bounded | None:
    """The :class:`Bounded` metadata inside a type annotation (through Optional, lists and Annotated), if any."""
    if get_origin(annotation) is Annotated:
        args = get_args(annotation)
        found = next((m for m in args[1:] if isinstance(m, Bounded)), None)
        return found or _find_bounded(args[0])
    for arg in get_args(annotation):
        found = _find_bounded(arg)
        if found is not None:
            return found
    return None


def _field_bounded(model: type[BaseModel], name: str) -> Bounded | None:
    field = model.model_fields[name]
    return next((m for m in field.metadata if isinstance(m, Bounded)), None) or _find_bounded(field.annotation)


def with_units(value: Any, bounded: Bounded | None = None) -> Any:
    """`value` (a model, list, dict or number) as plain data with every quantity written with its unit."""
    if isinstance(value, BaseModel):
        dumped = value.model_dump(mode="json")
        out = {}
        for name in type(value).model_fields:
            item = getattr(value, name)
            kind = _field_bounded(type(value), name)
            simple = item is None or isinstance(item, str | bool) or (isinstance(item, int | float) and kind is None)
            out[name] = dumped[name] if simple else with_units(item, kind) if kind or not isinstance(
                item, int | float | tuple) else dumped[name]
        return out
    if isinstance(value, list | tuple):
        return [with_units(v, bounded) for v in value]
    if isinstance(value, dict):
        return {str(k): with_units(v) for k, v in value.items()}
    if bounded is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return _quantity_text(float(value), bounded.kind)
    return value
