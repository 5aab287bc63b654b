"""Population variability: virtual people drawn from stated distributions, for the planner's population coverage.

A :class:`PopulationModel` says how people differ; :func:`sample_people` draws :class:`VirtualPeople` from it with
a seeded numpy Generator (the same seed gives the same people). Each virtual person becomes a :class:`Person`.

Distributions and their sources (the shapes are lightdose's assumptions where no population series was found):

- Fitzpatrick skin type I–VI: categorical, equal weights by default — a deliberately broad population, since the
  users of a plan are unknown; give weights for a known population.
- Body-mass index: log-normal, median 25 kg/m² (``person.reference_bmi``: the BMI at which the site presets' fat
  applies, close to the global age-standardised mean BMI of adults in 2014, 24.2 kg/m² for men and 24.4 kg/m² for
  women, NCD Risk Factor Collaboration 2016, Lancet 387:1377), log-SD ``population.bmi_log_sd`` (0.17: 5th–95th
  percentile ≈ 19–33 kg/m², lightdose assumption [verify against a national survey]). Fat follows the BMI through
  :class:`Person`'s rule.
- Diabetic neuropathy: present with probability `neuropathy_fraction`.
- Dermal blood volume fraction: log-uniform over ``population.dermal_blood_low``–``_high`` (0.2–2 %, the range of
  Jacques 2013, Phys Med Biol 58:R37); with neuropathy over ``neuropathy.dermal_blood_low``–``_high`` (0.2–0.63 %,
  the lower half on a log scale: lightdose assumption standing for the blunted microcirculation).
- Plantar fat pads: uniform within ± ``population.plantar_pad_spread`` (15 %) of the preset, the half-width of the
  published ranges (heel 15–20 mm, forefoot 5.7–7.8 mm).
- Position of the target in its depth range: uniform between its shallow and deep edge (lightdose assumption:
  the published depth ranges are read as person-to-person variation), or always the middle.

Unset fields of a :class:`PopulationModel` take their values from the parameter set (:meth:`PopulationModel.resolved`).

:meth:`PopulationModel.median_person` is the population's median person, the planner's person when a scenario gives
none.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, field_validator, model_validator

from lightdose.anatomy.person import Person
from lightdose.anatomy.stack import Target
from lightdose.model_base import FrozenModel
from lightdose.parameters import ParameterSet, default_set
from lightdose.tissues import ROMAN_SKIN_TYPES as SKIN_TYPES
from lightdose.tissues import parse_skin_type
from lightdose.units import Fraction, UnitFraction

BMI_RANGE = (15.5, 59.5)
"""Sampled BMIs are clipped to the range that :class:`Person` accepts [kg/m²]."""


class PopulationModel(FrozenModel):
    """How virtual people differ (see the module docstring for the sources of each default). Fields left unset
    (None) come from the parameter set."""

    skin_types: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(SKIN_TYPES, 1.0),
                                         description="relative weight of each Fitzpatrick type")
    bmi_median: float | None = Field(default=None, ge=16.0, le=50.0, description=(
        "median BMI [kg/m²] (default: person.reference_bmi)"))
    bmi_log_sd: float | None = Field(default=None, ge=0.0, le=0.5, description=(
        "log-SD of BMI (default: population.bmi_log_sd)"))
    neuropathy_fraction: UnitFraction = Field(default=0.0, description="share with neuropathy")
    dermal_blood: tuple[Fraction, Fraction] | None = Field(default=None, description=(
        "dermal blood range without neuropathy (default: population.dermal_blood_low/_high)"))
    neuropathy_dermal_blood: tuple[Fraction, Fraction] | None = Field(default=None, description=(
        "dermal blood range with neuropathy (default: neuropathy.dermal_blood_low/_high)"))
    plantar_pad_spread: float | None = Field(default=None, ge=0.0, le=0.5, description=(
        "half-width of the plantar pad variation, relative (default: population.plantar_pad_spread)"))
    target_position: Literal["uniform", "middle"] = "uniform"

    @field_validator("skin_types")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        weights = {parse_skin_type(k): float(w) for k, w in value.items()}
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("skin type weights must be ≥ 0 with a positive sum")
        return weights

    @model_validator(mode="after")
    def _ranges(self) -> PopulationModel:
        for name in ("dermal_blood", "neuropathy_dermal_blood"):
            value = getattr(self, name)
            if value is not None and not 0 < value[0] <= value[1] <= 0.1:
                raise ValueError(f"{name}: need 0 < low ≤ high ≤ 10 %, got {value[0]:g}–{value[1]:g}")
        return self

    def resolved(self, parameters: ParameterSet | None = None) -> PopulationModel:
        """This model with every unset field taken from `parameters` (default: the default set)."""
        p = parameters or default_set()
        defaults = {
            "bmi_median": p["person.reference_bmi [kg/m^2]"],
            "bmi_log_sd": p["population.bmi_log_sd [1]"],
            "dermal_blood": (p["population.dermal_blood_low [1]"], p["population.dermal_blood_high [1]"]),
            "neuropathy_dermal_blood": (p["neuropathy.dermal_blood_low [1]"], p["neuropathy.dermal_blood_high [1]"]),
            "plantar_pad_spread": p["population.plantar_pad_spread [1]"],
        }
        return self.model_copy(update={k: v for k, v in defaults.items() if getattr(self, k) is None})

    def median_person(self, parameters: ParameterSet | None = None) -> Person:
        """The population's median person, variable by variable: the median skin type (the lower median of the
        weighted types: III for six equal weights, where the middle falls between III and IV), the median BMI,
        neuropathy if at least half have it, the median dermal blood (the geometric middle of its log-uniform range)
        and the preset plantar pad (the middle of its symmetric range); the target's median position is its
        mid-depth, where the plan aims."""
        model = self.resolved(parameters)
        weights = np.array([model.skin_types.get(t, 0.0) for t in SKIN_TYPES])
        cumulative = np.cumsum(weights) / weights.sum()
        skin = SKIN_TYPES[int(np.searchsorted(cumulative, 0.5 - 1e-12))]
        neuropathy = model.neuropathy_fraction >= 0.5
        low, high = model.neuropathy_dermal_blood if neuropathy else model.dermal_blood  # type: ignore[misc]
        return Person(skin_type=skin, bmi=model.bmi_median, neuropathy=neuropathy,
                      dermal_blood=float(np.sqrt(low * high)), plantar_pad_scale=1.0)


@dataclass(frozen=True)
class VirtualPeople:
    """Sampled people, one entry per person in each array."""

    skin_type: NDArray[np.str_]
    bmi: NDArray[np.float64]
    neuropathy: NDArray[np.bool_]
    dermal_blood: NDArray[np.float64]
    plantar_pad_scale: NDArray[np.float64]
    target_quantile: NDArray[np.float64]
    """Where each person's target lies in its depth range: 0 shallow edge, 1 deep edge."""

    def __len__(self) -> int:
        return int(self.bmi.size)

    def block(self, start: int, stop: int) -> VirtualPeople:
        """People ``start … stop - 1`` (their arrays sliced; the order kept)."""
        return VirtualPeople(**{f.name: getattr(self, f.name)[start:stop] for f in fields(self)})

    def person(self, i: int) -> Person:
        """Virtual person `i` as a :class:`Person`."""
        return Person(skin_type=str(self.skin_type[i]), bmi=float(self.bmi[i]), neuropathy=bool(self.neuropathy[i]),
                      dermal_blood=float(self.dermal_blood[i]), plantar_pad_scale=float(self.plantar_pad_scale[i]))

    def target_depth(self, i: int, target: Target) -> float:
        """Depth [mm] of person `i`'s target, `target` being the target in that person's own stack."""
        q = float(self.target_quantile[i])
        return target.depth_min + q * (target.depth_max - target.depth_min)


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> NDArray[np.float64]:
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def sample_people(model: PopulationModel, n: int, seed: int, parameters: ParameterSet | None = None) -> VirtualPeople:
    """Draw `n` virtual people from `model` (unset fields from `parameters`) with ``numpy.random.default_rng(seed)``
    (reproducible)."""
    if n < 1:
        raise ValueError(f"need at least one person, got {n}")
    model = model.resolved(parameters)
    assert model.bmi_median is not None and model.bmi_log_sd is not None and model.plantar_pad_spread is not None
    assert model.dermal_blood is not None and model.neuropathy_dermal_blood is not None
    rng = np.random.default_rng(seed)
    types = list(model.skin_types)
    weights = np.array([model.skin_types[t] for t in types])
    skin = np.array(types)[rng.choice(len(types), size=n, p=weights / weights.sum())]
    bmi = np.clip(model.bmi_median * np.exp(model.bmi_log_sd * rng.standard_normal(n)), *BMI_RANGE)
    neuropathy = rng.random(n) < model.neuropathy_fraction
    blood = np.where(neuropathy, _log_uniform(rng, *model.neuropathy_dermal_blood, n),
                     _log_uniform(rng, *model.dermal_blood, n))
    pad = 1.0 + model.plantar_pad_spread * rng.uniform(-1.0, 1.0, n)
    quantile = rng.random(n) if model.target_position == "uniform" else np.full(n, 0.5)
    return VirtualPeople(skin_type=skin, bmi=bmi, neuropathy=neuropathy, dermal_blood=blood,
                         plantar_pad_scale=pad, target_quantile=quantile)
