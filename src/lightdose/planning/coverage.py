"""Population coverage: how one plan lands on many virtual people.

The plan fixes the exposure for the person it was made for. Each virtual person (:mod:`lightdose.anatomy.population`)
gets that exposure; their target dose comes from the fast δ-P1 solver in their own layer stack, at their own
target depth, under the device's :class:`~lightdose.transport.dose.SkinBeam` (its irradiance map is computed
once). A person counts as *unsafe* when the exposure breaks a limit for them (skin MPE, skin temperature, burn
dose); the others fall below, in or above the dose window. The four fractions add up to 1.

Thermal limits need a bioheat run per person (~50 ms each). They are screened first at the population's extremes:
every combination of the lowest and highest skin type, BMI (or plantar pad), dermal blood and each neuropathy
status present. If none of those people breaks a thermal limit, nobody in the population is taken to (this
assumes that the skin temperature is monotonic in each of these inputs); otherwise every person is run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lightdose.anatomy import LayerStack, Person
from lightdose.anatomy.population import SKIN_TYPES, VirtualPeople
from lightdose.planning.safety import Limits, heat_within_range, skin_mpe_fraction, thermal_verdict
from lightdose.transport.dose import SkinBeam, fluence_rate_on_axis

SCREEN_STEP_S = 5.0
"""Time step of the population's bioheat runs [s] (the plan's own run uses 1 s; docs/planning.md gives the
difference)."""


@dataclass
class Coverage:
    """How the plan's exposure lands on `people` virtual people. Dose fractions are None for heat-only devices."""

    people: int
    unsafe: float
    below: float | None = None
    in_window: float | None = None
    above: float | None = None
    percentiles_j_cm2: dict[str, float] | None = None
    thermal_check: str = ""
    doses_j_cm2: NDArray[np.float64] | None = field(default=None, repr=False)
    unsafe_people: NDArray[np.bool_] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the per-person arrays)."""
        return {"people": self.people, "below_window": self.below, "in_window": self.in_window,
                "above_window": self.above, "unsafe": self.unsafe,
                "target_dose_percentiles_j_cm2": self.percentiles_j_cm2, "thermal_check": self.thermal_check}


def _extremes(values: NDArray) -> list:
    return sorted({values.min(), values.max()}) if values.size else []


def _extreme_people(people: VirtualPeople, stack: LayerStack) -> list[Person]:
    """Everyone at a corner of the population's range, for the thermal screen."""
    order = {t: i for i, t in enumerate(SKIN_TYPES)}
    ranks = np.array([order[s] for s in people.skin_type])
    skins = [SKIN_TYPES[r] for r in _extremes(ranks)]
    has_pad = any(layer.plantar_pad for layer in stack.layers)
    has_fat = any(layer.tissue == "subcutaneous-fat" and not layer.plantar_pad for layer in stack.layers)
    bmis = _extremes(people.bmi) if has_fat else [float(np.median(people.bmi))]
    pads = _extremes(people.plantar_pad_scale) if has_pad else [1.0]
    corners = []
    for neuropathy in sorted(set(people.neuropathy.tolist())):
        bloods = _extremes(people.dermal_blood[people.neuropathy == neuropathy])
        for skin, bmi, pad, blood in itertools.product(skins, bmis, pads, bloods):
            corners.append(Person(skin_type=skin, bmi=float(bmi), neuropathy=neuropathy, dermal_blood=float(blood),
                                  plantar_pad_scale=float(pad)))
    return corners


def _thermally_unsafe(people: VirtualPeople, stack: LayerStack, device: Any, distance_mm: float, pad_heat: float,
                      exposure_s: float, limits: Limits) -> tuple[NDArray[np.bool_], str]:
    """Who breaks a thermal limit within `exposure_s`, and how that was found."""
    dt = min(SCREEN_STEP_S, exposure_s / 4.0)

    def breaks(person: Person) -> bool:
        session = heat_within_range(device, stack, person, exposure_s, distance=distance_mm, pad_heat_flux=pad_heat,
                                    dt=dt)
        return thermal_verdict(session, limits).time_s <= exposure_s

    corners = _extreme_people(people, stack)
    if not any(breaks(p) for p in corners):
        return np.zeros(len(people), dtype=bool), (
            f"screened: none of the {len(corners)} people at the extremes of the population breaks a thermal limit")
    return np.array([breaks(people.person(i)) for i in range(len(people))]), "bioheat run for every person"


def light_coverage(people: VirtualPeople, stack: LayerStack, beam: SkinBeam, exposure_s: float,
                   window: tuple[float, float], limits: Limits, pad_heat: float = 0.0) -> Coverage:
    """Coverage of a light plan: target dose [J/cm²] per person for `exposure_s` under `beam`, against `window`
    [J/cm²] and the `limits`. `stack` is the site's stack (not yet adjusted for a person) with one target."""
    n = len(people)
    doses = np.empty(n)
    for i in range(n):
        own = people.person(i).apply(stack)
        depth = people.target_depth(i, own.targets[0])
        rate, _ = fluence_rate_on_axis(own, beam, np.array([depth]))
        doses[i] = rate.sum() * exposure_s / 1000.0  # mW/cm² × s → J/cm²
    over_mpe = limits.skin_mpe and skin_mpe_fraction(beam.peak_irradiance, beam.wavelength_nm, exposure_s) > 1.0
    if over_mpe:
        unsafe, check = np.ones(n, dtype=bool), "the skin irradiance is above the MPE for everyone"
    else:
        unsafe, check = _thermally_unsafe(people, stack, beam, beam.distance_mm, pad_heat, exposure_s, limits)
    low, high = window
    safe = ~unsafe
    p5, p50, p95 = np.percentile(doses, [5, 50, 95])
    return Coverage(people=n, unsafe=float(unsafe.mean()), below=float((safe & (doses < low)).mean()),
                    in_window=float((safe & (doses >= low) & (doses <= high)).mean()),
                    above=float((safe & (doses > high)).mean()),
                    percentiles_j_cm2={"p5": float(p5), "p50": float(p50), "p95": float(p95)},
                    thermal_check=check, doses_j_cm2=doses, unsafe_people=unsafe)


def heat_coverage(people: VirtualPeople, stack: LayerStack, device: Any, exposure_s: float,
                  limits: Limits) -> Coverage:
    """Coverage of a heat-only plan (heating pad): the share of people who break a thermal limit."""
    unsafe, check = _thermally_unsafe(people, stack, device, 0.0, 0.0, exposure_s, limits)
    return Coverage(people=len(people), unsafe=float(unsafe.mean()), thermal_check=check, unsafe_people=unsafe)
