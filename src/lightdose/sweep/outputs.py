"""What a sweep can record per cell: the outputs, their units (canonical) and which bases give them.

Coded outputs (``verdict``, ``limiting_factor``) are small integers with the CF attributes ``flag_values`` and
``flag_meanings`` (words joined by underscores), so that they fit every store (Zarr, NetCDF-3, CSV); :func:`decode`
turns them back into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from lightdose.planning.plan import VERDICT_ORDER, LimitingFactor

Kind = Literal["scenario", "dose", "heat", "perfusion"]
"""What a sweep varies: a plan's scenario, or a request of the dose, heat or perfusion stage."""
KINDS: tuple[Kind, ...] = get_args(Kind)

VERDICTS: tuple[str, ...] = VERDICT_ORDER
LIMITING_FACTORS: tuple[str, ...] = ("none", *get_args(LimitingFactor))
MISSING_CODE = -1
"""The code of a coded output in a cell that failed or has none."""


@dataclass(frozen=True)
class Output:
    """One recordable output: its unit (canonical), description, the bases that give it, and its codes (for a coded
    output; None for a number)."""

    name: str
    units: str
    long_name: str
    kinds: tuple[Kind, ...]
    codes: tuple[str, ...] | None = None

    @property
    def dtype(self) -> str:
        return "int8" if self.codes is not None else "float64"

    def attrs(self) -> dict[str, str | list[int]]:
        """The variable's attributes (units, long_name; flag_values and flag_meanings for a coded output)."""
        attrs: dict[str, str | list[int]] = {"units": self.units, "long_name": self.long_name}
        if self.codes is not None:
            attrs["flag_values"] = list(range(len(self.codes)))
            attrs["flag_meanings"] = " ".join(code.replace(" ", "_") for code in self.codes)
        return attrs


OUTPUTS: dict[str, Output] = {o.name: o for o in (
    Output("exposure", "s", "exposure per point the plan chose", ("scenario",)),
    Output("target_fluence", "J/mm^2", "fluence (radiant exposure) at the target's mid-depth",
           ("scenario", "dose")),
    Output("target_fluence_rate", "W/mm^2", "fluence rate at the target's mid-depth (light from all directions: the "
                                            "'irradiance at the target')", ("scenario", "dose")),
    Output("surface_irradiance", "W/mm^2", "irradiance at the centre of the treated skin, all bands",
           ("scenario", "dose")),
    Output("peak_skin_temperature", "degC", "peak skin surface temperature during the exposure",
           ("scenario", "heat", "perfusion")),
    Output("cem43", "min", "burn dose at the basal epidermis, cumulative equivalent minutes at 43 °C",
           ("scenario", "heat", "perfusion")),
    Output("omega", "1", "Arrhenius damage integral at the basal epidermis", ("scenario", "heat", "perfusion")),
    Output("perfusion_plateau", "percent", "skin perfusion plateau during the session, % of maximal cutaneous "
                                           "vascular conductance", ("scenario", "perfusion")),
    Output("verdict", "1", "the plan's verdict for the site", ("scenario",), VERDICTS),
    Output("limiting_factor", "1", "what limits the site's plan", ("scenario",), LIMITING_FACTORS),
    Output("coverage_in_window", "1", "share of the virtual population whose target dose lies in the window",
           ("scenario",)),
)}
"""Every output a sweep can record, by name."""

DEFAULT_OUTPUTS: dict[Kind, tuple[str, ...]] = {
    "scenario": ("exposure", "target_fluence", "target_fluence_rate", "peak_skin_temperature", "verdict",
                 "limiting_factor"),
    "dose": ("target_fluence", "target_fluence_rate"),
    "heat": ("peak_skin_temperature", "cem43", "omega"),
    "perfusion": ("perfusion_plateau", "peak_skin_temperature"),
}
"""The outputs a sweep records when its file names none."""


def outputs_of(kind: Kind) -> list[str]:
    """The outputs a base of `kind` gives."""
    return [name for name, output in OUTPUTS.items() if kind in output.kinds]


def encode(name: str, value: str | None) -> int:
    """The code of `value` of the coded output `name` (``MISSING_CODE`` for None)."""
    codes = OUTPUTS[name].codes
    assert codes is not None
    return MISSING_CODE if value is None else codes.index(value)


def decode(name: str, codes: NDArray[np.integer]) -> NDArray[np.str_]:
    """The words of the codes of the coded output `name` ("" for a missing code)."""
    words = OUTPUTS[name].codes
    assert words is not None
    table = np.array([*words, ""], dtype=str)
    return table[np.where((codes >= 0) & (codes < len(words)), codes, len(words))]


__all__ = ["DEFAULT_OUTPUTS", "KINDS", "LIMITING_FACTORS", "MISSING_CODE", "OUTPUTS", "VERDICTS", "Kind", "Output",
           "decode", "encode", "outputs_of"]
