"""Low / nominal / high tissue-optics variants of a parameter set: the uncertainty of the dermal scattering.

The dermis presets take their reduced scattering μs′(λ) = a·(λ/500 nm)^−b from the parameter set
(``optics.dermis.scattering.a [1/cm]``, ``….b [1]``). Beside the nominal pair, the set holds two bounds,
``optics.dermis.scattering_low.*`` and ``optics.dermis.scattering_high.*``; in the default set:

- **nominal**: in vivo, the power law through the cohort means of Jonasson et al. 2018 (J Biomed Opt 23:121608; 1734
  adults, volar forearm, spatially resolved diffuse reflectance with an inverse Monte Carlo): 3.16 1/mm at 475 nm,
  1.13 1/mm at 850 nm;
- **low**: the in-vivo mean minus one inter-subject SD of the same study (2.44 and 0.86 1/mm), about 0.77× nominal;
- **high**: excised dermis (Salomatina et al. 2006, J Biomed Opt 11:064026, power law of Jacques 2013, Phys Med Biol
  58:R37, Table 2), 1.5–2.1× nominal from 475 to 940 nm — above the in-vivo mean plus one SD (1.24×) everywhere, so
  the band spans both the spread between people and the in-vivo/ex-vivo difference.

:func:`optics_variants` swaps the bounds in as the nominal values and returns the three sets; a stage computes its
result once per set (``person.apply(stack, variant)`` builds each variant's layer stack) and reports the spread. Less
scattering in the dermis lets more light through it, so at depth the *low* variant usually gives the *highest*
fluence; near the surface the order can differ — take the band as the minimum and maximum over the three, not as
"low" and "high" results. Other tissues (fat, muscle, tendon, nerve, bone, epidermis) keep their library scattering
in all three: no in-vivo series was adopted for them (docs/optics.md).
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from lightdose.parameters import ParameterSet

Bound = Literal["low", "nominal", "high"]
"""Which optics variant: the lower bound of the scattering, the nominal values, or the upper bound."""
BOUNDS: tuple[Bound, ...] = get_args(Bound)
"""The variants, in order: low, nominal, high."""

_BOUND_KEY = re.compile(r"^(?P<group>[a-z0-9_.]+\.scattering)_(?P<bound>low|high)\.(?P<coef>a|b) \[(?P<unit>[^\]]+)\]$")


def scattering_groups(parameters: ParameterSet) -> list[str]:
    """The scattering groups of `parameters` that carry low and high bounds (default set: ``optics.dermis.scattering``),
    sorted."""
    found: dict[str, set[tuple[str, str]]] = {}
    for key in parameters.parameters:
        match = _BOUND_KEY.match(key)
        if match:
            found.setdefault(match["group"], set()).add((match["bound"], match["coef"]))
    complete = {(bound, coef) for bound in ("low", "high") for coef in ("a", "b")}
    return sorted(group for group, keys in found.items() if keys == complete)


def optics_variant(parameters: ParameterSet, bound: Bound) -> ParameterSet:
    """`parameters` with the `bound` ("low", "nominal", "high") scattering of every group of
    :func:`scattering_groups` in place of its nominal values. Each replaced entry keeps the bound's own source and
    `verify` flag; the set's name says which variant it is. "nominal" returns `parameters` itself. The bound keys read
    are recorded while :func:`lightdose.parameters.recording` is active."""
    if bound not in BOUNDS:
        raise ValueError(f"bound must be one of {', '.join(BOUNDS)}, not {bound!r}")
    if bound == "nominal":
        return parameters
    groups = scattering_groups(parameters)
    if not groups:
        raise KeyError(f"the parameter set {parameters.name!r} has no scattering bounds "
                       "(optics.<tissue>.scattering_low.* and _high.*)")
    replaced = dict(parameters.parameters)
    for group in groups:
        for coef, unit in (("a", "1/cm"), ("b", "1")):
            replaced[f"{group}.{coef} [{unit}]"] = parameters.entry(f"{group}_{bound}.{coef} [{unit}]")
    return parameters.model_copy(update={"parameters": replaced,
                                         "name": f"{parameters.name} (optics: {bound} scattering)"})


def optics_variants(parameters: ParameterSet) -> dict[Bound, ParameterSet]:
    """The three optics variants of `parameters`: ``{"low": …, "nominal": parameters, "high": …}`` (see the module
    docstring for what each bound is and where it comes from)."""
    return {bound: optics_variant(parameters, bound) for bound in BOUNDS}


__all__ = ["BOUNDS", "Bound", "optics_variant", "optics_variants", "scattering_groups"]
