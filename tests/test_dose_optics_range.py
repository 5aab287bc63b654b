"""The dose's range over tissue optics (issue 17: "report the resulting uncertainty band on the target dose in plans
and depth-dose"): the bounds are the depth dose computed with the optics variants themselves."""

import pytest

from lightdose.optics.variants import optics_variant
from lightdose.parameters import default_set
from lightdose.transport.dose import DoseRequest, depth_dose


def dose(parameters=None, **request):
    return depth_dose(DoseRequest(**{"placement": "pad-890", "site": "wrist", "exposure": "10 min", **request},
                                  **({} if parameters is None else {"parameters": parameters})))


@pytest.mark.parametrize(("placement", "site"), [
    ("pad-890", "wrist"),
    ({"device": "panel-660-850", "distance": "15 cm"}, "knee"),
    ("probe-810", "ankle-medial"),
])
def test_the_range_runs_from_the_ex_vivo_to_the_low_in_vivo_optics(placement, site):
    """At nerve depths the most scattering dermis (ex vivo, the "high" variant) lets the least light through and the
    least scattering (in-vivo mean − 1 SD, "low") the most: the range's ends are those two runs, to rounding."""
    nominal = dose(placement=placement, site=site).targets[0]
    ex_vivo = dose({"set": "ex-vivo-optics"}, placement=placement, site=site).targets[0]
    low = dose({"overrides": {"optics.dermis.scattering.a [1/cm]": 22.26, "optics.dermis.scattering.b [1]": 1.792}},
               placement=placement, site=site).targets[0]  # the in-vivo mean − 1 SD of the default set's low bound
    least, most = nominal.fluence_optics_range
    assert least == pytest.approx(ex_vivo.fluence, rel=1e-9)
    assert most == pytest.approx(low.fluence, rel=1e-9)
    assert least < nominal.fluence < most
    low_bound = optics_variant(default_set(), "low")
    assert low_bound["optics.dermis.scattering.a [1/cm]"] == 22.26  # the override above is the low bound


def test_the_monte_carlo_dose_carries_the_same_relative_range():
    """The range is a ratio of fast-solver runs applied to whichever solver the request asks for."""
    fast = dose().targets[0]
    mc = dose(solver="mc", photons=20_000).targets[0]
    assert [v / mc.fluence for v in mc.fluence_optics_range] == pytest.approx(
        [v / fast.fluence for v in fast.fluence_optics_range], rel=1e-9)
