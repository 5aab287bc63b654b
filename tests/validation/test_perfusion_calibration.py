"""The perfusion model's calibration (lightdose.physiology.calibration): every target of the fit is backed by a
published reference row, the time course has the shape the local-heating literature describes, and the fit that
produced the shipped parameters is reproducible.

The calibration targets themselves — Minson, Berry & Joyner 2001 (J Appl Physiol 91:1619), Brunt et al. 2016 (J Appl
Physiol 121:716) and Johnson & Kellogg 2010 (J Appl Physiol 109:1229) — are reference values kept as data in
tests/reference/perfusion.yaml (rows marked `calibration: true`), and the model's values against them are checked by
tests/validation/test_references.py. Agreement there shows the fit, not an independent validation.
"""

import numpy as np
import pytest

from lightdose.parameters import default_set
from lightdose.physiology.calibration import MIN_NADIR_DEPTH, PLATEAU_SETTLED, TARGETS, cost, fit, shape_checks
from lightdose.physiology.perfusion import default_parameters, steady_state_pct_max
from lightdose.units import parse_quantity
from tests.validation._references import REFERENCE_DIR, load

ROWS = load(REFERENCE_DIR / "perfusion.yaml")
READOUT = {"peak": "peak", "plateau": "plateau", "peak_time_min": "peak_time"}
"""The calibration's read-out names → the reference rows' `readout`."""


def _row_for(target):
    condition = target.condition
    block = {(False, False): "none", (True, False): "emla", (False, True): "lname", (True, True): "both"}[
        (condition.local_anaesthetic, condition.nos_inhibition)]
    matches = [row for row in ROWS if row.inputs["block"] == block and row.inputs["readout"] == READOUT[target.readout]
               and parse_quantity(row.inputs["hold"], "temperature") == pytest.approx(condition.temperature_c)]
    assert len(matches) == 1, f"{target.name}: {len(matches)} reference rows"
    return matches[0]


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_every_fit_target_lies_inside_a_published_calibration_row(target):
    """The fit aims at published values: each target's value lies inside the accepted interval of the reference row
    for the same condition and read-out, and that row says that it served the fit."""
    row = _row_for(target)
    assert row.kind == "published"
    assert row.calibration
    unit = "min" if target.readout == "peak_time_min" else "%"
    assert row.unit == unit
    low = row.low[0] - row.tolerance.abs
    high = row.high[0] + row.tolerance.abs
    assert low <= target.value <= high


def test_time_course_has_peak_nadir_and_settled_plateau():
    """Minson 2001: "a brief nadir" between the initial peak and the plateau, and a plateau reached by 25–35 min."""
    shape = shape_checks(default_parameters())
    assert shape["nadir_depth"] >= MIN_NADIR_DEPTH
    assert abs(shape["plateau_unsettled"]) <= PLATEAU_SETTLED


def test_refit_from_the_shipped_values_does_not_move_them():
    """The shipped values are the fit's optimum (to the 4 digits the parameter set keeps): a refit from them neither
    lowers the cost by more than rounding can explain nor moves any parameter by more than 2 %."""
    shipped = default_parameters()
    refit, refit_cost = fit(shipped)
    assert refit_cost >= cost(shipped) - 1e-3
    for name, value in refit.model_dump().items():
        assert value == pytest.approx(getattr(shipped, name), rel=0.02), name


def test_plateau_curve_agrees_with_the_bioheat_quasi_steady_table():
    """Two stages encode the same plateau data (Minson 2001 at 42 °C, the 39 °C and 43.5 °C plateaus of
    tests/reference/vasodilation.yaml): the dynamic model's steady state and the bioheat solver's quasi-steady table
    agree at the tabulated temperatures within the 5 % tolerance of the calibration."""
    params = default_set()
    points = params.table("vasodilation.plateau_temperatures [degC]")
    conductance = params.table("vasodilation.plateau_conductance [%]")
    assert np.allclose(steady_state_pct_max(np.array(points)), conductance, atol=5.0)
