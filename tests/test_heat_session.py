"""Light and heating-pad sessions as heat problems: plausibility, bookkeeping and bad input."""

import json

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from lightdose.anatomy import Person
from lightdose.cli import app
from lightdose.errors import InputError
from lightdose.model_base import describe_validation_error
from lightdose.thermal.session import HeatRequest, heat_session


def heat(device, site, person=None, exposure="30 min", distance=0.0, pad_heat=0.0, **options):
    """The heat stage for a device on a site (a small helper: the request is the stage's only input)."""
    return heat_session(HeatRequest(placement={"device": device, "distance": distance, "pad_heat": pad_heat},
                                    site=site, person=person or Person(), exposure=exposure, **options))


@pytest.fixture(scope="module")
def pad_sessions():
    return heat("pad-890", "foot-dorsum"), heat("pad-890", "foot-dorsum", Person(neuropathy=True))


def test_890_pad_warms_perfused_skin_by_a_few_degrees(pad_sessions):
    """A plausibility bound, not a validation (the pad is compared with the skin temperature measured under such a
    pad in tests/validation/test_device_heating.py): its light and its own heat warm perfused skin by a few °C and it
    stays below the 43 °C contact limit."""
    healthy, _ = pad_sessions
    skin = healthy.dataset.surface_temperature.values
    assert 2.0 < skin[-1] - skin[0] < 8.0
    assert healthy.peak_skin_temp_c < 43.0
    assert healthy.time_to_43c_s is None


def test_poorly_perfused_foot_warms_more(pad_sessions):
    healthy, neuropathic = pad_sessions
    assert neuropathic.dataset.surface_temperature.values[-1] > healthy.dataset.surface_temperature.values[-1]
    assert neuropathic.cem43_min > healthy.cem43_min


def test_energy_balance_closes(pad_sessions):
    for result in pad_sessions:
        assert abs(float(result.dataset.energy_residual)) < 1e-6


def test_heating_pad_brings_skin_towards_but_not_above_its_set_temperature():
    skin = heat("heating-pad-42", "forefoot-plantar").dataset.surface_temperature.values
    assert skin[-1] > skin[0] + 3.0
    assert skin.max() < 42.0


def _collimated_disc(diameter_mm: float, irradiance_mw_cm2: float) -> dict:
    """A collimated flat-top disc probe of `diameter_mm` giving `irradiance_mw_cm2` at 810 nm."""
    power_w = irradiance_mw_cm2 * 1e-3 * np.pi * (diameter_mm / 20.0) ** 2
    return {"name": f"disc-{diameter_mm:g}", "kind": "probe", "width": diameter_mm, "height": diameter_mm,
            "contact": True, "grids": [{"emitter": {"wavelength": 810, "power": power_w, "face": "disk",
                                                    "size": diameter_mm, "beam": "collimated"}}]}


def test_narrow_beam_is_solved_in_r_z_and_heats_less_than_a_wide_one():
    """A 1 cm² spot loses heat sideways: at the same irradiance it warms the skin less than a 12 cm wide one, which
    the 1-D model solves (lateral flow is negligible over a spreading length of ~7 mm)."""
    narrow = heat(_collimated_disc(11.3, 200.0), "wrist", exposure="10 min")
    wide = heat(_collimated_disc(120.0, 200.0), "wrist", exposure="10 min")
    assert "r-z" in narrow.solver
    assert "1-D" in wide.solver
    rise = [r.dataset.surface_temperature.values[-1] - r.dataset.surface_temperature.values[0] for r in (narrow, wide)]
    assert 0 < rise[0] < rise[1]


@pytest.mark.parametrize("kwargs, field", [({"exposure": "-5 min"}, "exposure"), ({"exposure": "5 kg"}, "exposure"),
                                           ({"exposure": "5 h"}, "exposure"),
                                           ({"pad_heat": "-1 mW/cm^2"}, "placement.pad_heat"),
                                           ({"distance": "-3 cm"}, "placement.distance"),
                                           ({"after": "2 days"}, "after")])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(ValidationError) as info:
        heat("panel-660-850", "knee", **{"exposure": "1 min", "distance": "15 cm", **kwargs})
    assert describe_validation_error(info.value).startswith(f"{field}:")


def test_sauna_is_sent_to_the_whole_body_model():
    with pytest.raises(InputError, match="lightdose sauna"):
        heat("sauna-infrared-60", "heel", exposure="1 min")


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
    assert result.exit_code == 2
    assert "exposure" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_warming_skin_dilates_and_carries_heat_away():
    resting = heat("heating-pad-42", "foot-dorsum", vasodilation="off").dataset
    dilating = heat("heating-pad-42", "foot-dorsum").dataset
    assert float(dilating.surface_temperature[-1]) < float(resting.surface_temperature[-1])
    assert float(dilating.energy_perfusion) < float(resting.energy_perfusion)  # more heat carried off by blood
    assert abs(float(dilating.energy_residual)) < 1e-6


def test_constant_perfusion_response_equals_scaled_perfusion():
    from lightdose.anatomy import sites
    from lightdose.thermal import make_grid, solve_pennes, thermal_properties

    stack = sites.get("wrist")
    base = [thermal_properties(layer.preset) for layer in stack.layers]
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
    hot = heat("probe-810", "wrist", Person(skin_type="VI"), exposure="10 min")
    cool = heat("pad-890", "foot-dorsum", exposure="10 min")
    assert cool.time_to_43c_s is None
    skin, t = hot.dataset.surface_temperature.values, hot.dataset.t.values
    first = hot.time_to_43c_s
    assert first is not None
    assert 0 < first < 600
    assert skin[t < first].max() < 43.0 <= skin[t == first][0]
    assert abs(hot.dataset.attrs["energy_residual"]) < 1e-6  # r–z runs carry their energy budget too


def _without_own_heat(name: str) -> dict:
    """A preset's definition without its thermal description."""
    from lightdose import devices

    return {k: v for k, v in devices.get(name).model_dump().items() if k != "thermal"}


def test_the_pads_own_heat_warms_the_skin_beyond_its_light(pad_sessions):
    """pad-890's applied part (electrical losses, remitted light absorbed by its face) adds heat: the skin ends
    warmer than under the same pad without a thermal description (a fixed loss through it to the room)."""
    healthy, _ = pad_sessions
    light_only = heat(_without_own_heat("pad-890"), "foot-dorsum")
    assert healthy.device_heat > 0 and light_only.device_heat is None
    assert "applied_part_temperature" not in light_only.dataset
    assert healthy.dataset.surface_temperature.values[-1] > light_only.dataset.surface_temperature.values[-1] + 0.5
    part = healthy.dataset.applied_part_temperature.values
    assert part[0] == pytest.approx(25.0)  # taken from the shelf at room temperature
    assert healthy.peak_device_temp_c == pytest.approx(part.max())
    # the pad starts cold: the skin under it first cools, then warms
    skin = healthy.dataset.surface_temperature.values
    assert skin.min() < skin[0] < skin[-1]


def test_pad_heat_replaces_the_devices_own_model():
    """A measured `pad_heat` is a fixed flux into the skin under a fixed loss to the room: the device's own model
    is not used; the same flux on the pad without a thermal description gives the same run."""
    measured = heat("pad-890", "foot-dorsum", exposure="10 min", pad_heat="10 mW/cm^2")
    same = heat(_without_own_heat("pad-890"), "foot-dorsum", exposure="10 min", pad_heat="10 mW/cm^2")
    assert measured.device_heat is None and measured.peak_device_temp_c is None
    np.testing.assert_allclose(measured.dataset.surface_temperature.values, same.dataset.surface_temperature.values)


def test_after_the_device_is_removed_its_node_is_gone():
    result = heat("pad-890", "foot-dorsum", exposure="5 min", after="5 min")
    part = result.dataset.applied_part_temperature.values
    t = result.dataset.t.values
    assert np.all(np.isfinite(part[t <= 300.0])) and np.all(np.isnan(part[t > 300.0]))
    assert abs(float(result.dataset.energy_residual)) < 1e-6


def test_probe_head_on_the_skin_is_solved_in_r_z():
    result = heat("probe-810", "wrist", exposure="2 min", after="1 min")
    assert "r-z" in result.solver
    assert result.device_heat > 0 and result.peak_device_temp_c > 25.0
    assert abs(result.dataset.attrs["energy_residual"]) < 1e-6
