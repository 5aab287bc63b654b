"""The delivered dose of a session at one site, computed by the stages themselves (no physics here): light at the
target with :func:`lightdose.transport.dose.depth_dose` (the fast δ-P1 solver) and the skin temperature and burn
dose with :func:`lightdose.thermal.session.heat_session`, for the patient as the planner sees them
(:class:`lightdose.anatomy.Person`).

The same inputs give the same numbers, so results are kept in a small in-memory cache (the heat session takes
about half a second; a clinic records the same device, site, time and patient again and again).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from lightdose import __version__


@dataclass(frozen=True)
class SiteDose:
    """What a session delivered at one site (canonical units; None: not applicable, e.g. no light from a heating
    pad)."""

    site: str
    target: str | None
    surface_irradiance_w_mm2: float | None
    surface_fluence_j_mm2: float | None
    target_fluence_rate_w_mm2: float | None
    target_fluence_j_mm2: float | None
    peak_skin_c: float
    cem43_min: float
    omega: float
    """Arrhenius damage integral (dimensionless)."""
    computed_with: str = __version__


def person_fields(skin_type: str, bmi_kg_m2: float | None, fat_thickness_mm: float | None,
                  neuropathy: bool) -> dict[str, Any]:
    """The planner's `person` for a patient at a site: the measured fat at the site wins over the BMI rule."""
    person: dict[str, Any] = {"skin_type": skin_type, "neuropathy": neuropathy}
    if fat_thickness_mm is not None:
        person["fat_thickness"] = f"{fat_thickness_mm:g} mm"
    elif bmi_kg_m2 is not None:
        person["bmi"] = bmi_kg_m2
    return person


def site_dose(device: str | dict[str, Any], distance_mm: float, site: str, target: str | None, exposure_s: float,
              person: dict[str, Any]) -> SiteDose:
    """The dose that `device` (a preset's name or an own definition) at `distance_mm` on `site` for `exposure_s`
    delivers at `target` (default: the site's first) of `person` (see :func:`person_fields`). Bad input raises
    lightdose's InputError naming the field."""
    key = json.dumps([device, distance_mm, site, target, exposure_s, person], sort_keys=True)
    return _cached(key)


@functools.lru_cache(maxsize=4096)
def _cached(key: str) -> SiteDose:
    from lightdose.devices.device import LightDevice
    from lightdose.devices.placement import Placement
    from lightdose.thermal.session import HeatRequest, heat_session
    from lightdose.transport.dose import DoseRequest, depth_dose
    from lightdose.units import USER_INPUT

    device, distance_mm, site, target, exposure_s, person = json.loads(key)
    fields = {"placement": {"device": device, "distance": f"{distance_mm:g} mm"}, "site": site, "person": person,
              "exposure": f"{exposure_s:g} s"}
    heat = heat_session(HeatRequest.model_validate(fields, context=USER_INPUT))
    irradiance = fluence = rate = target_fluence = None
    target_name = target
    if isinstance(Placement.model_validate(fields["placement"], context=USER_INPUT).model(), LightDevice):
        dose = depth_dose(DoseRequest.model_validate(fields, context=USER_INPUT))
        names = [t.name for t in dose.targets]
        if target is not None and target not in names:
            from lightdose.errors import InputError

            raise InputError("target", f"{target!r} is not a target of {site} ({', '.join(names)})")
        at = dose.target(target)
        target_name = at.name
        irradiance = sum(b.irradiance for b in dose.bands)
        fluence = irradiance * exposure_s
        rate, target_fluence = at.fluence_rate, at.fluence
    return SiteDose(site=site, target=target_name, surface_irradiance_w_mm2=irradiance, surface_fluence_j_mm2=fluence,
                    target_fluence_rate_w_mm2=rate, target_fluence_j_mm2=target_fluence,
                    peak_skin_c=heat.peak_skin_temp_c, cem43_min=heat.cem43_min, omega=heat.omega)


def j_cm2(value_j_mm2: float | None) -> float | None:
    """J/mm² → J/cm² for display (None stays None)."""
    from lightdose.units import j_cm2 as convert

    return None if value_j_mm2 is None else float(convert(value_j_mm2))


__all__ = ["SiteDose", "j_cm2", "person_fields", "site_dose"]
