"""Skin perfusion that rises with local temperature, ω = ω_rest · F, for the bioheat solvers.

Two kinds of response plug into the solvers (the `perfusion_response` argument of
:func:`lightdose.thermal.pennes1d.solve_pennes` and :func:`lightdose.thermal.pennes_rz.solve_rz`):

- the quasi-steady factor F(T) of this module (the default of heat sessions), and
- a dynamic model with its own state — lightdose's laser-Doppler perfusion model,
  :class:`lightdose.physiology.perfusion.LocalPerfusion` — following the :class:`DynamicVasodilation` protocol
  (the physiology stage passes it down; this floor does not import it).

F is the quasi-steady ratio of skin vascular conductance at local temperature T to its resting value, from the
plateaus of local-heating studies (the table ``vasodilation.plateau_temperatures [degC]`` /
``vasodilation.plateau_conductance [%]`` of the parameter set: about 45 % of maximal cutaneous vascular conductance
at 39 °C, 87 % at 42 °C (Minson, Berry & Joyner 2001, J Appl Physiol 91:1619) and 100 % at 43.5 °C). The resting
value at a thermoneutral local skin temperature of 33 °C is taken as 10 % of maximum (lightdose assumption [verify];
typical laser-Doppler baselines are 5–15 %). F is interpolated linearly between these points and held constant
outside them (no vasoconstriction below 33 °C). It is quasi-steady: the real plateau takes 20–30 min to develop,
so F overstates the cooling by blood early in a session (the dynamic model resolves that). Only vascular skin
(the layers whose thermal role is ``dermis``) follows F; fat and muscle keep their resting perfusion (no data here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lightdose.parameters import ParameterSet, default_set

PerfusionResponse = Callable[[np.ndarray, float], np.ndarray]
"""What the solvers call at the start of each step: (temperatures [°C], step length [s]) → multiplier of the
resting perfusion of each node or cell for that step."""


class DynamicVasodilation(Protocol):
    """A perfusion model with its own state, stepped by a heat session.

    Called once per solver step, in order, with the skin temperatures [°C] at the start of the step, the skin
    irradiance [W/mm²] during it and its length [s]; returns ω/ω_rest for each temperature and advances its state
    over the step. The first call starts it at the temperatures it is given.
    """

    def __call__(self, temperature_c: np.ndarray, irradiance: float, dt_s: float) -> np.ndarray: ...


def skin_perfusion_factor(temperature_c: ArrayLike, parameters: ParameterSet | None = None) -> NDArray[np.float64]:
    """F(T) = conductance(T)/conductance(33 °C), from the plateau table of `parameters` (default set: 1 at ≤ 33 °C,
    4.5 at 39 °C, 8.7 at 42 °C, 10 at ≥ 43.5 °C)."""
    p = parameters or default_set()
    points = p.table("vasodilation.plateau_temperatures [degC]")
    percent = p.table("vasodilation.plateau_conductance [%]")
    factor: NDArray[np.float64] = np.interp(np.asarray(temperature_c, dtype=float), points, percent) / percent[0]
    return factor
