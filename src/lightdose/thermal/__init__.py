"""Heat: tissue thermal properties (:mod:`.properties`), the 1-D layered Pennes solver (:mod:`.pennes1d`), the
axisymmetric r–z one (:mod:`.pennes_rz`), thermal burn dose (CEM43, Henriques' Arrhenius integral; :mod:`.burn`),
treatment sessions coupling light dose or a heating pad to them (:mod:`.session`) and the whole-body sauna model
(JOS-3; :mod:`.sauna`).

See docs/thermal.md and docs/sauna.md for what is not done yet.
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
