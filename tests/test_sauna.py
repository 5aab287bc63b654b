"""The whole-body sauna model (lightdose.thermal.sauna, JOS-3) and the `lightdose sauna` command."""

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from lightdose import devices
from lightdose.cli import app
from lightdose.parameters import default_set
from lightdose.present.sauna import sauna_json
from lightdose.thermal.sauna import CAUTIONS, SaunaPerson, SaunaRequest, radiant_temperature, simulate_sauna

MAX_SKIN_BLOOD_FLOW_L_MIN = default_set()["sauna.max_skin_blood_flow [L/min]"]

runner = CliRunner()


@pytest.fixture(scope="module")
def short_session():
    """3 min at 60 °C, then 2 min rest: the fewest JOS-3 steps that show both phases."""
    return simulate_sauna(SaunaRequest(air_temperature="60 degC", exposure="3 min", after="2 min"))


def test_shapes_units_and_provenance(short_session):
    ds = short_session.dataset
    assert ds.t.values.tolist() == [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]
    assert ds.in_cabin.values.tolist() == [True, True, True, True, False, False]
    units = {name: ds[name].attrs["units"] for name in ds.data_vars if name != "in_cabin"}
    assert units == {"core_temp": "degC", "rectal_temp": "degC", "mean_skin_temp": "degC",
                     "skin_blood_flow": "L/min", "cardiac_output": "L/min", "sweat_loss": "g"}
    assert ds.t.attrs["units"] == "s"
    assert "JOS-3" in ds.attrs["model"]
    assert ds.attrs["pythermalcomfort_version"]
    assert ds.attrs["lightdose_version"]
    assert ds.attrs["request_hash"] == short_session.provenance.request_hash
    assert short_session.request.air_temperature == 60.0
    for name in ds.data_vars:
        assert np.all(np.isfinite(ds[name].values.astype(float)))


def test_heating_in_the_cabin_and_monotonic_sweat(short_session):
    ds = short_session.dataset
    cabin = ds.isel(t=slice(0, 4))
    assert np.all(np.diff(cabin.core_temp) > 0)
    assert np.all(np.diff(cabin.mean_skin_temp) >= 0)
    assert short_session.peak_core_rise_c == pytest.approx(float(ds.core_temp.max() - ds.core_temp[0]))
    assert ds.sweat_loss[0] == 0.0
    assert np.all(np.diff(ds.sweat_loss) >= 0)
    assert ds.sweat_loss[-1] > 0


def test_a_part_minute_is_a_shorter_last_step():
    ds = simulate_sauna(SaunaRequest(air_temperature=45, exposure="150 s")).dataset
    assert ds.t.values.tolist() == [0.0, 60.0, 120.0, 150.0]


def test_warnings_validated_range_and_cautions(short_session):
    hot = short_session.warnings
    assert any("validated range" in w for w in hot)
    assert all(c in hot for c in CAUTIONS)
    assert simulate_sauna(SaunaRequest(air_temperature=45, exposure="2 min")).warnings == CAUTIONS
    assert not any("hyperthermia" in w for w in hot)
    assert simulate_sauna(SaunaRequest(air_temperature=25, exposure="2 min")).warnings == ()  # a warm room


def test_hyperthermia_and_uncapped_blood_flow_are_flagged():
    result = simulate_sauna(SaunaRequest(air_temperature=100, relative_humidity="50 %", exposure="30 min"))
    ds = result.dataset
    assert float(ds.core_temp.max()) > 39.0
    assert float(ds.skin_blood_flow.max()) > MAX_SKIN_BLOOD_FLOW_L_MIN
    assert result.exceeds_physiological_limits
    assert any("significant hyperthermia" in w for w in result.warnings)
    assert any("exceeds physiological limits" in w for w in result.warnings)


def test_radiant_temperature_and_cabin_preset():
    assert radiant_temperature(60.0, 93.0, 0.9, 0.0) == pytest.approx(60.0)
    assert radiant_temperature(60.0, 93.0, 1.0, 1.0) == pytest.approx(93.0)
    assert 60.0 < radiant_temperature(60.0, 93.0, 0.9, 0.3) < 93.0
    cabin = devices.get("sauna-infrared-60")
    session = SaunaRequest.from_cabin(cabin, emitter_view_factor=0.3, after="30 min")
    assert (session.air_temperature, session.exposure, session.relative_humidity) == (60.0, 900.0, 0.2)
    assert session.radiant_temperature == pytest.approx(radiant_temperature(60.0, 93.0, 0.9, 0.3))
    assert SaunaRequest(air_temperature=60, exposure=60).radiant_temperature == 60.0


def test_person_defaults_and_units():
    person = SaunaPerson(height="180 cm", weight="80 kg", body_fat="20 %")
    assert (person.height, person.weight, person.body_fat) == (1800.0, 80.0, 0.2)
    assert SaunaPerson().age == 40 and SaunaPerson().sex == "male"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("air_temperature", "200 degC", "outside the allowed range 10–100 °C"),
        ("air_temperature", "5 degC", "outside the allowed range 10–100 °C"),
        ("relative_humidity", "150 %", "outside the allowed range 0–100 %"),
        ("exposure", "-5 min", "outside the allowed range greater than 0 s and at most 4 h"),
        ("exposure", 0, "outside the allowed range greater than 0 s and at most 4 h"),
        ("air_speed", "3 kg", "'3 kg' has dimension [mass], but a speed"),
    ],
)
def test_bad_input_names_the_field(field, value, fragment):
    inputs = {"air_temperature": 60, "exposure": 900, field: value}
    with pytest.raises(ValidationError) as info:
        SaunaRequest(**inputs)
    assert info.value.errors()[0]["loc"] == (field,)
    assert fragment in str(info.value)


def test_summary_is_json_ready(short_session):
    data = json.loads(json.dumps(sauna_json(short_session)))
    assert len(data["t_s"]) == len(data["core_temp_c"]) == len(data["sweat_loss_g"]) == 6
    assert data["warnings"][-len(CAUTIONS):] == list(CAUTIONS)


def test_cli_json():
    result = runner.invoke(app, ["sauna", "--air", "60C", "--time", "2min", "--rest", "1min", "--humidity", "20%",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("t_s", "core_temp_c", "mean_skin_temp_c", "peak_core_rise_c", "sweat_loss_g", "warnings"):
        assert key in data
    assert data["t_s"] == [0.0, 60.0, 120.0, 180.0]
    assert data["peak_core_rise_c"] > 0


def test_cli_table():
    result = runner.invoke(app, ["sauna", "--air", "55 degC", "--time", "2min"])
    assert result.exit_code == 0, result.output
    assert "core [°C]" in result.stdout
    assert "Peak core rise" in result.stdout
    assert "validated range" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--air", "200C", "--time", "15min"], "air_temperature"),
        (["--air", "60C", "--time", "15min", "--humidity", "150%"], "relative_humidity"),
        (["--air", "60C", "--time", "0min"], "exposure"),
        (["--air", "60C", "--time", "-5min"], "exposure"),
        (["--air", "hot", "--time", "15min"], "air_temperature"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args, fragment):
    result = runner.invoke(app, ["sauna", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_docs_example_prints_what_the_docs_say(capsys):
    text = (Path(__file__).resolve().parents[1] / "docs" / "sauna.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/sauna.md", "exec"), {})
    assert capsys.readouterr().out.strip() == "core rise 0.94 °C, sweat 109 g"


def test_view_factor_outside_0_1_is_an_input_error():
    from lightdose.errors import InputError

    with pytest.raises(InputError, match="emitter_view_factor"):
        SaunaRequest.from_cabin(devices.get("sauna-infrared-60"), emitter_view_factor=1.5)


def test_result_saves_to_netcdf(short_session, tmp_path):
    import xarray as xr

    short_session.dataset.to_netcdf(tmp_path / "sauna.nc")
    loaded = xr.load_dataset(tmp_path / "sauna.nc")
    assert loaded.core_temp.attrs["units"] == "degC"
    assert loaded.attrs["request_hash"] == short_session.provenance.request_hash


def test_skin_blood_flow_is_capped_in_a_very_hot_cabin():
    hot = {"air_temperature": "100 degC", "relative_humidity": "50 %", "exposure": "30 min"}
    free = simulate_sauna(SaunaRequest(**hot, cap_skin_blood_flow=False)).dataset
    capped = simulate_sauna(SaunaRequest(**hot))
    assert float(free.skin_blood_flow.max()) > MAX_SKIN_BLOOD_FLOW_L_MIN  # JOS-3 alone exceeds the limit here
    # the cap applies to the 17 segments; hand and foot AVA flow (≲ 0.3 L/min here) comes on top
    assert float(capped.dataset.skin_blood_flow.max()) < MAX_SKIN_BLOOD_FLOW_L_MIN + 0.3
    assert float(capped.dataset.cardiac_output.max()) < float(free.cardiac_output.max())
    assert any("caps" in w for w in capped.warnings)
