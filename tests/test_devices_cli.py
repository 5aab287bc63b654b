"""The `lightdose devices` and `lightdose irradiance` commands."""

import json

import pytest
from typer.testing import CliRunner

from lightdose.cli import app

runner = CliRunner()


def test_devices_table_and_json():
    table = runner.invoke(app, ["devices"])
    assert table.exit_code == 0, table.output
    for word in ("pad-890", "panel-660-850", "sauna-infrared-60", "Leonard", "[verify]"):
        assert word in table.stdout
    data = json.loads(runner.invoke(app, ["devices", "--json"]).stdout)
    rows = {r["name"]: r for r in data["devices"]}
    assert rows["pad-890"]["total_power_w"] == pytest.approx(0.72)
    assert [b["wavelength_nm"] for b in rows["panel-660-850"]["bands"]] == [660.0, 850.0]
    assert rows["heating-pad-42"]["surface_temperature_c"] == 42.0


def test_irradiance_json():
    result = runner.invoke(app, ["irradiance", "panel-660-850", "--distance", "15cm", "--points", "21", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["device"] == "panel-660-850" and data["distance_mm"] == 150.0
    assert data["centre_mw_cm2"] == pytest.approx(51.6, rel=2e-3)
    assert data["mean_mw_cm2"] < data["centre_mw_cm2"] <= data["max_mw_cm2"]
    assert [b["wavelength_nm"] for b in data["bands"]] == [660.0, 850.0]
    assert sum(b["centre_mw_cm2"] for b in data["bands"]) == pytest.approx(data["centre_mw_cm2"])
    assert len(data["x_mm"]) == 21 and len(data["irradiance_mw_cm2"]) == len(data["y_mm"]) == 21
    assert len(data["irradiance_mw_cm2"][0]) == 21
    assert any("eye" in w for w in data["warnings"])


def test_irradiance_table_and_png(tmp_path):
    png = tmp_path / "pad.png"
    result = runner.invoke(app, ["irradiance", "pad-890", "-d", "0 cm", "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert "32" in result.stdout and "890 nm" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["irradiance", "pad-890", "--distance", "-3 cm"], "distance: -3 cm is outside the allowed range 0–3000 mm"),
        (["irradiance", "pad-890", "--distance", "5 kg"], "distance: '5 kg' has dimension [mass]"),
        (["irradiance", "panel-940", "--distance", "0 cm"], "distance: 0 mm"),
        (["irradiance", "heating-pad-42", "--distance", "1 cm"], "heat-only source (kind 'heating-pad')"),
        (["irradiance", "pad-980", "--distance", "1 cm"], "Known devices: heating-pad-42, pad-890"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, fragment):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_measured_irradiance_with_a_solar_meter_is_flagged():
    args = ["irradiance", "panel-940", "-d", "15 cm", "--measured", "120 mW/cm^2", "--meter", "solar", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "measured" and data["centre_mw_cm2"] == pytest.approx(120.0)
    assert any("solar" in w and "unreliable" in w for w in data["warnings"])
    bad = runner.invoke(app, ["irradiance", "panel-940", "-d", "15 cm", "--measured", "120 mW", "--meter", "solar"])
    assert bad.exit_code == 2 and "irradiance:" in bad.stderr
