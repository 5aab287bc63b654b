"""`lightdose ldf analyse`: the sample exports, JSON, the optional model fit and malformed files."""

import json
from pathlib import Path

from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.physiology.ldf import analyse_all, read_ldf

DATA = Path(__file__).resolve().parent / "data" / "ldf"


def test_json_matches_the_library_analysis():
    sample = DATA / "local_heating_semicolon.txt"
    result = CliRunner().invoke(app, ["ldf", "analyse", str(sample), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = {k: v.model_dump() for k, v in analyse_all(read_ldf(sample)).items()}
    assert data["channels"] == json.loads(json.dumps(expected))
    assert {"baseline_pu", "peak_pu", "plateau_pu", "auc_pu_s", "plateau_pct_max", "time_to_baseline_s"} <= set(
        data["channels"]["perfusion_1"])


def test_fit_reports_time_constants_with_standard_errors():
    result = CliRunner().invoke(app, ["ldf", "analyse", str(DATA / "local_heating_semicolon.txt"), "--channel",
                                      "perfusion_1", "--fit", "--json"])
    assert result.exit_code == 0, result.output
    fitted = {p["name"]: p for p in json.loads(result.stdout)["fit"]["fitted"]}
    assert fitted["tau_no_s"]["value"] > 0 and fitted["tau_no_s"]["standard_error"] > 0
    assert fitted["tau_no_s"]["units"] == "s"


def test_table_output_and_explicit_stimulus():
    result = CliRunner().invoke(app, ["ldf", "analyse", str(DATA / "neuropathic_foot_tab.txt"), "--on", "10min",
                                      "--off", "40min"])
    assert result.exit_code == 0, result.output
    assert "back to baseline after [s]" in result.stdout


def test_malformed_file_is_one_line_naming_the_line():
    result = CliRunner().invoke(app, ["ldf", "analyse", str(DATA / "truncated_semicolon.txt")])
    assert result.exit_code == 2
    assert "line 45" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_binary_file_is_one_line_naming_the_line(tmp_path):
    xls = tmp_path / "export.xls"
    xls.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))  # the OLE2 header of an Excel 97 workbook
    result = CliRunner().invoke(app, ["ldf", "analyse", str(xls)])
    assert result.exit_code == 2
    assert f"{xls}, line 1: not a delimited text export (binary data" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_half_a_stimulus_window_is_refused():
    result = CliRunner().invoke(app, ["ldf", "analyse", str(DATA / "neuropathic_foot_tab.txt"), "--on", "10min"])
    assert result.exit_code == 2 and "--on/--off" in result.stderr


def test_fit_table_prints_the_autocorrelation_inflation_factor():
    from lightdose.physiology.ldf_fit import fit_recording

    sample = DATA / "local_heating_semicolon.txt"
    result = CliRunner().invoke(app, ["ldf", "analyse", str(sample), "--channel", "perfusion_1", "--fit"])
    assert result.exit_code == 0, result.output
    fitted = fit_recording(read_ldf(sample), flux_channel="perfusion_1")
    assert (f"lag-1 autocorrelation is {fitted.residual_lag1_autocorrelation:.2f}: multiply them by about "
            f"{fitted.se_inflation_ar1:.2g}") in " ".join(result.stdout.split())
