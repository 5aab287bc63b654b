"""The `lightdose devices` and `lightdose irradiance` commands."""

import json

import pytest
from typer.testing import CliRunner

from lightdose.cli import app

runner = CliRunner()


def test_devices_table_and_json():
    table = runner.invoke(app, ["devices"])
    assert table.exit_code == 0, table.output
    for word in ("pad-890", "panel-660-850", "sauna-infrared-60", "Leonard", "[verify]", "(60 emitters)",
                 "(1 emitter)"):
        assert word in table.stdout
    assert "1 emitters" not in table.stdout
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


def test_irradiance_table_has_units_in_every_header_and_no_scientific_notation():
    """A panel 0.5 mm from the skin: the centre between LEDs gets ~1e-8 mW/cm², shown as '< 0.001'."""
    result = runner.invoke(app, ["irradiance", "panel-660-850", "-d", "0.5 mm", "--points", "41"])
    assert result.exit_code == 0, result.output
    for header in ("centre [mW/cm²]", "mean over footprint [mW/cm²]", "max [mW/cm²]"):
        assert header in result.stdout
    table = result.stdout.split("face, model")[1].split("Centre:")[0]
    assert "e-" not in table and "e+" not in table
    (total,) = [line for line in table.splitlines() if "all bands" in line]
    assert [cell.strip() for cell in total.split("│")[1:4]] == ["all bands", "< 0.001", "64"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["irradiance", "pad-890", "--distance", "-3 cm"],
         "placement.distance: -3 cm is outside the allowed range 0–3000 mm"),
        (["irradiance", "pad-890", "--distance", "5 kg"], "placement.distance: '5 kg' has dimension [mass]"),
        (["irradiance", "pad-890", "--distance", "15"], "placement.distance: 15 has no unit"),
        (["irradiance", "heating-pad-42", "--distance", "0 cm"],
         "placement.device: 'heating-pad-42' is a heat-only source (kind 'heating-pad')"),
        (["irradiance", "heating-pad-42", "--distance", "1 cm"], "heating pad, which heats the skin by contact"),
        (["irradiance", "pad-980", "--distance", "1 cm"], "Known devices: heating-pad-42, pad-890"),
        (["irradiance", "pad-890", "-d", "1 cm", "--points", "2"], "points: 2 is outside the allowed range 3–1001"),
        (["irradiance", "pad-890", "-d", "1 cm", "--points", "5000"], "points: 5000 is outside the allowed range"),
        (["irradiance", "pad-890", "-d", "1 cm", "--png", "x.txt"], "--png: 'x.txt' does not end in .png"),
        (["irradiance", "pad-890", "-d", "1 cm", "--meter", "banana"], "meter: Input should be 'thermopile'"),
        (["irradiance", "pad-890", "-d", "1 cm", "--meter", "solar"], "meter: says what measured a `measured`"),
        (["irradiance", "pad-890", "-d", "1 cm", "--measured", "5000 W/cm^2"],
         "measured: 5000 W/cm² is outside the allowed range: more than 0 and at most 10000 mW/cm²"),
        (["irradiance", "pad-890", "-d", "1 cm", "--measured", "-5 mW/cm^2"], "measured: -5 mW/cm² is outside"),
        (["irradiance", "pad-890", "-d", "1 cm", "--measured", "5 mW/cm^2", "--png", "m.png"],
         "--png: a measured irradiance is a single value"),
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
    assert any("near-infrared (≥ 780 nm) irradiance up to 120 mW/cm²" in w for w in data["warnings"])
    bad = runner.invoke(app, ["irradiance", "panel-940", "-d", "15 cm", "--measured", "120 mW", "--meter", "solar"])
    assert bad.exit_code == 2 and "measured:" in bad.stderr


def test_the_eye_warning_quotes_the_near_infrared_bands_only():
    """panel-660-850 at 15 cm: 51.6 mW/cm² in all, of which the 850 nm band is 25.8 (review finding 8)."""
    data = json.loads(runner.invoke(app, ["irradiance", "panel-660-850", "-d", "15cm", "--points", "21",
                                          "--json"]).stdout)
    (eye,) = [w for w in data["warnings"] if "eye limit" in w]
    assert "up to 25.8 mW/cm²" in eye
    red = json.loads(runner.invoke(app, ["irradiance", "panel-630", "-d", "15cm", "--points", "21",
                                         "--json"]).stdout)
    assert not any("eye limit" in w for w in red["warnings"])  # 630 nm only: the infrared eye limit does not apply
