"""Light and heating-pad sessions as heat problems: plausibility (SCIENCE.md §6), bookkeeping and bad input."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from lightdose.anatomy import Person
from lightdose.cli import app
from lightdose.errors import InputError
from lightdose.thermal.session import heat_session


@pytest.fixture(scope="module")
def pad_sessions():
    healthy = heat_session("pad-890", "foot-dorsum", Person(), time="30 min")
    neuropathic = heat_session("pad-890", "foot-dorsum", Person(neuropathy=True), time="30 min")
    return healthy, neuropathic


def test_890_pad_warms_perfused_skin_by_a_few_degrees(pad_sessions):
    # SCIENCE.md §6: a large-area pad absorbing ~45 % of 32 mW/cm² warms perfused skin by ~3–5 °C over 8–30 min
    healthy, _ = pad_sessions
    rise = float(healthy.surface_temperature[-1] - healthy.surface_temperature[0])
    assert 2.0 < rise < 8.0
    assert healthy.attrs["peak_skin_temp_c"] < 43.0


def test_poorly_perfused_foot_warms_more(pad_sessions):
    healthy, neuropathic = pad_sessions
    assert float(neuropathic.surface_temperature[-1]) > float(healthy.surface_temperature[-1])
    assert neuropathic.attrs["cem43_min"] > healthy.attrs["cem43_min"]


def test_energy_balance_closes(pad_sessions):
    for ds in pad_sessions:
        assert abs(float(ds.energy_residual)) < 1e-6


def test_heating_pad_brings_skin_towards_but_not_above_its_set_temperature():
    ds = heat_session("heating-pad-42", "forefoot-plantar", time="30 min")
    skin = ds.surface_temperature.values
    assert skin[-1] > skin[0] + 3.0
    assert skin.max() < 42.0


def test_narrow_beam_is_solved_in_r_z_and_heats_less_than_in_1d():
    """A 1 cm² probe loses heat sideways: the r–z session must heat the skin less than a 1-D (infinitely wide) one."""
    from lightdose.thermal import session

    narrow = heat_session("probe-810", "wrist", time="10 min")
    assert "r-z" in narrow.attrs["solver"]
    original = session.NARROW_BEAM_RADIUS_MM
    try:
        session.NARROW_BEAM_RADIUS_MM = 0.0  # force the 1-D model for comparison
        wide = heat_session("probe-810", "wrist", time="10 min")
    finally:
        session.NARROW_BEAM_RADIUS_MM = original
    assert "1-D" in wide.attrs["solver"]
    rise_rz = float(narrow.surface_temperature[-1] - narrow.surface_temperature[0])
    rise_1d = float(wide.surface_temperature[-1] - wide.surface_temperature[0])
    assert 0 < rise_rz < rise_1d


@pytest.mark.parametrize("kwargs, field", [({"time": "-5 min"}, "time"), ({"time": "5 kg"}, "time"),
                                           ({"pad_heat_flux": "-1 mW/cm^2"}, "pad_heat_flux"),
                                           ({"distance": "-3 cm"}, "distance")])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError) as info:
        heat_session("panel-660-850", "knee", **{"time": "1 min", **kwargs})
    assert info.value.field == field


def test_sauna_is_sent_to_the_whole_body_model():
    with pytest.raises(InputError, match="lightdose sauna"):
        heat_session("sauna-infrared-60", "heel", time="1 min")


def test_cli_heat_json_keys_and_png(tmp_path):
    png = tmp_path / "heat.png"
    result = CliRunner().invoke(app, ["heat", "--device", "pad-890", "--site", "heel", "--time", "10min",
                                      "--png", str(png), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("t_s", "skin_temp_c", "peak_skin_temp_c", "time_above_43c_s", "cem43_min", "omega",
                "temp_at_targets_c"):
        assert key in data
    assert data["peak_skin_temp_c"] == pytest.approx(max(data["skin_temp_c"]), abs=0.05)
    assert np.all(np.diff(data["t_s"]) > 0)
    assert png.stat().st_size > 10_000


def test_cli_heat_bad_time_is_one_line():
    result = CliRunner().invoke(app, ["heat", "--device", "pad-890", "--site", "heel", "--time", "-5min"])
    assert result.exit_code == 2 and "time" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_vasodilation_factor_follows_the_plateau_data():
    from lightdose.thermal.vasodilation import skin_perfusion_factor

    np.testing.assert_allclose(skin_perfusion_factor([30.0, 33.0, 39.0, 42.0, 43.5, 45.0]),
                               [1.0, 1.0, 4.5, 8.7, 10.0, 10.0])


def test_warming_skin_dilates_and_carries_heat_away():
    resting = heat_session("heating-pad-42", "foot-dorsum", time="30 min", vasodilation=False)
    dilating = heat_session("heating-pad-42", "foot-dorsum", time="30 min", vasodilation=True)
    assert float(dilating.surface_temperature[-1]) < float(resting.surface_temperature[-1])
    assert float(dilating.energy_perfusion) < float(resting.energy_perfusion)  # more heat carried off by blood
    assert abs(float(dilating.energy_residual)) < 1e-6


def test_constant_perfusion_response_equals_scaled_perfusion():
    from lightdose.anatomy import sites
    from lightdose.thermal import make_grid, solve_pennes, thermal_properties

    stack = sites.get("wrist")
    names = [layer.tissue for layer in stack.layers]
    base = [thermal_properties(n) for n in names]
    doubled = [p.model_copy(update={"perfusion": 2 * p.perfusion}) for p in base]
    source = 5e-5 * np.exp(-make_grid(stack, properties=base).z / 2.0)
    a = solve_pennes(make_grid(stack, properties=doubled), "10 min", source=source, initial=35.0)
    b = solve_pennes(make_grid(stack, properties=base), "10 min", source=source, initial=35.0,
                     perfusion_response=lambda temperature, step: np.full(temperature.shape, 2.0))
    np.testing.assert_allclose(a.temperature.values, b.temperature.values, atol=1e-9)


def test_explicit_radiation_and_evaporation_at_the_skin():
    from lightdose.anatomy import sites
    from lightdose.thermal import SkinBoundary, make_grid, solve_pennes, steady_state

    radiating = SkinBoundary(h_air="3.1 W/m^2/K", emissivity=0.98)
    # h_rad = 4εσT³ with T the mean of 33 °C and 25 °C: 6.13 W/(m²·K)
    assert radiating.h_rad * 1e6 == pytest.approx(4 * 0.98 * 5.670374e-8 * (302.15**3), rel=1e-9)
    grid = make_grid(sites.get("forefoot-plantar"))
    dry = steady_state(grid, radiating)
    sweating = steady_state(grid, radiating.model_copy(update={"evaporation": 50e-6}))
    assert sweating[0] < dry[0]
    run = solve_pennes(grid, "5 min", boundary=radiating.model_copy(update={"evaporation": 50e-6}))
    assert abs(float(run.energy_residual)) < 1e-6


def test_time_to_the_contact_limit():
    # 200 mW/cm² on dark (type VI) skin: epidermal melanin absorbs strongly and the skin passes 43 °C in seconds
    hot = heat_session("probe-810", "wrist", Person(skin_type="VI"), time="10 min")
    cool = heat_session("pad-890", "foot-dorsum", time="10 min")
    assert cool.attrs["time_to_43c_s"] == -1.0
    skin, t = hot.surface_temperature.values, hot.t.values
    first = hot.attrs["time_to_43c_s"]
    assert 0 < first < 600
    assert skin[t < first].max() < 43.0 <= skin[t == first][0]
    assert abs(hot.attrs["energy_residual"]) < 1e-6  # r–z runs carry their energy budget too
