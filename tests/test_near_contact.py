"""A device brought close to the skin, and exposures made longer: sanity that the physics itself guarantees.

- Near contact (issue 13, acceptance 3): a 38 W panel 2 mm from the skin delivers all its power over its own
  area, so it must warm the skin and raise its perfusion at least as much as the same panel at 15 cm, where only
  part of its light lands on the treated area. The old model took the irradiance at one point between LEDs and
  reported 34.7 °C at 2 mm against 39.6 °C at 15 cm.
- A panel in contact with the skin: the centre of the treated area lies between LEDs; the dose is reported under
  the nearest LED, with a warning, not refused as "no light".
- Monotonic: energy is added, never removed, by a longer exposure; the dose at every depth grows in proportion and
  the skin is never cooler at the end of a longer session (the light is constant and the tissue starts at rest).

Power conservation of the irradiance maps from 0.01 mm to 3 m is tested in
tests/validation/test_irradiance_power_conservation.py.
"""

import numpy as np
import pytest

from lightdose.physiology.session import PerfusionRequest, perfusion_session
from lightdose.thermal.session import HeatRequest, heat_session
from lightdose.transport.dose import DoseRequest, depth_dose
from lightdose.transport.skin_beam import skin_beam

PANEL = "panel-660-850"


@pytest.fixture(scope="module")
def panel_heat():
    """Peak skin temperature [°C] under the panel at 2 mm and 15 cm, 10 min on the knee."""
    return {distance: heat_session(HeatRequest(placement={"device": PANEL, "distance": distance}, site="knee",
                                               exposure="10 min"))
            for distance in ("2 mm", "15 cm")}


def test_a_panel_2_mm_from_the_skin_warms_it_at_least_as_much_as_at_15_cm(panel_heat):
    near, far = panel_heat["2 mm"], panel_heat["15 cm"]
    assert near.peak_skin_temp_c >= far.peak_skin_temp_c
    assert near.peak_skin_temp_c > 40.0  # 38 W over 600 cm² (~64 mW/cm²) on the skin warms it well above 40 °C


def test_near_the_skin_the_heat_is_solved_where_it_is_hottest(panel_heat):
    assert any("uneven" in w for w in panel_heat["2 mm"].warnings)


def test_a_panel_2_mm_from_the_skin_raises_perfusion_at_least_as_much_as_at_15_cm():
    near, far = (perfusion_session(PerfusionRequest(placement={"device": PANEL, "distance": distance}, site="knee",
                                                    exposure="10 min")) for distance in ("2 mm", "15 cm"))
    assert near.peak_pct_max >= far.peak_pct_max
    assert near.heat.peak_skin_temp_c >= far.heat.peak_skin_temp_c


def test_a_panel_in_contact_reports_the_dose_under_the_nearest_led():
    result = depth_dose(DoseRequest(placement={"device": "panel-630", "distance": "0 mm"}, site="elbow",
                                    exposure="10 min"))
    assert any("between emitters" in w for w in result.warnings)
    assert all(t.fluence > 0 for t in result.targets)
    x, y = (abs(c) for c in skin_beam(result.request.placement).point_mm)
    assert x == pytest.approx(12.5, abs=0.6) and y == pytest.approx(12.5, abs=0.6)  # 25 mm pitch, even counts


@pytest.mark.parametrize(("device", "distance"),
                         [("pad-890", "0 mm"), ("panel-660-850", "15 cm"), ("probe-810", "0 mm")])
def test_a_longer_exposure_gives_proportionally_more_dose_at_every_depth(device, distance):
    short, long = (depth_dose(DoseRequest(placement={"device": device, "distance": distance}, site="wrist",
                                          exposure=minutes)) for minutes in ("5 min", "20 min"))
    np.testing.assert_allclose(long.dataset.fluence_total.values, 4.0 * short.dataset.fluence_total.values,
                               rtol=1e-12)


@pytest.mark.parametrize(("device", "distance"), [("pad-890", "0 mm"), ("panel-660-850", "15 cm"),
                                              ("heating-pad-42", "0 mm")])
def test_a_longer_session_never_ends_with_cooler_skin(device, distance):
    ends = [heat_session(HeatRequest(placement={"device": device, "distance": distance}, site="foot-dorsum",
                                     exposure=minutes)).dataset.surface_temperature.values[-1]
            for minutes in ("2 min", "10 min", "30 min")]
    assert ends[0] <= ends[1] <= ends[2]
