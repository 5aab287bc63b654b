"""Heat: tissue thermal properties (:mod:`.properties`), the 1-D layered Pennes bioheat solver (:mod:`.pennes1d`)
and thermal burn dose, CEM43 and Henriques' Arrhenius integral (:mod:`.burn`).

Groundwork for the bioheat stage; see docs/thermal.md for what is not done yet.
"""

from lightdose.thermal.burn import arrhenius_omega, cem43, time_above
from lightdose.thermal.pennes1d import Grid, SkinBoundary, make_grid, solve_pennes, steady_state
from lightdose.thermal.properties import ThermalProperties, thermal_properties

__all__ = [
    "Grid",
    "SkinBoundary",
    "ThermalProperties",
    "arrhenius_omega",
    "cem43",
    "make_grid",
    "solve_pennes",
    "steady_state",
    "thermal_properties",
    "time_above",
]
