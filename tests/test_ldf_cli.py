"""`lightdose ldf analyse`: the sample exports, JSON, the optional model fit and malformed files."""

import json
from pathlib import Path

from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.physiology.ldf_analysis import analyse_all
from lightdose.physiology.ldf_import import read_ldf

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
    data = json.loads(result.stdout)
    fitted = {p["name"]: p for p in data["fit"]["fitted"]}
    assert fitted["tau_no_s"]["value"] > 0 and fitted["tau_no_s"]["standard_error"] > 0
    assert fitted["tau_no_s"]["units"] == "s" and fitted["tau_no_s"]["determined"] is True
    # the axon-reflex constants trade off on this recording (SE ~ 500 × the value): labelled, not reported as fits
    assert fitted["tau_axon_rise_s"]["determined"] is False and fitted["tau_axon_rise_s"]["standard_error"] > 0
    assert any(w.startswith("undetermined: ") and "tau_axon_rise_s" in w for w in data["warnings"])
    assert set(data["provenance"]) >= {"lightdose_version", "git_revision", "request_hash"}


def test_table_output_and_explicit_stimulus():
    result = CliRunner().invoke(app, ["ldf", "analyse", str(DATA / "neuropathic_foot_tab.txt"), "--on", "10min",
                                      "--off", "40min"])
    assert result.exit_code == 0, result.output
    assert "back to baseline after [s]" in result.stdout
    # flux is in PU, conc in AU: each column names its unit, the rows say "unit"
    for label in ("flux [PU]", "conc [AU]", "baseline [unit]", "peak [% of max]", "area above baseline [unit·s]"):
        assert label in result.stdout, label
    one_unit = CliRunner().invoke(app, ["ldf", "analyse", str(DATA / "local_heating_semicolon.txt")])
    for label in ("baseline [PU]", "plateau [PU]", "maximum [PU]", "area above baseline [PU·s]"):
        assert label in one_unit.stdout, label


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
    assert result.exit_code == 2 and "stimulus: give both its start and its end" in result.stderr
    assert "--on and --off" in result.stderr


def test_fit_table_prints_the_autocorrelation_inflation_factor():
    from lightdose.physiology.ldf_fit import fit_recording

    sample = DATA / "local_heating_semicolon.txt"
    result = CliRunner().invoke(app, ["ldf", "analyse", str(sample), "--channel", "perfusion_1", "--fit"])
    assert result.exit_code == 0, result.output
    fitted = fit_recording(read_ldf(sample), flux_channel="perfusion_1")
    text = " ".join(result.stdout.split())
    assert (f"lag-1 autocorrelation is {fitted.residual_lag1_autocorrelation:.2f}: multiply them by about "
            f"{fitted.se_inflation_ar1:.2g}") in text
    assert "undetermined (± " in text and "warning: undetermined: the recording cannot pin down" in text
    assert "fitting the perfusion model" not in result.output  # no progress when the output is not a terminal


def test_short_semicolon_export_is_not_taken_for_a_comma_file(tmp_path):
    """Rows l4–l6 of the hostile-input review: a header-only, one- or two-sample semicolon export."""
    raw = (DATA / "local_heating_semicolon.txt").read_bytes().split(b"\r\n")
    for lines, fragment in ((11, "no data lines follow the header 'Time;Perfusion 1"),
                            (12, "has 1 valid samples; need at least 3"), (13, "has 2 valid samples")):
        path = tmp_path / f"head{lines}.txt"
        path.write_bytes(b"\r\n".join(raw[:lines]))
        result = CliRunner().invoke(app, ["ldf", "analyse", str(path), "--on", "0 min", "--off", "1 min"])
        assert result.exit_code == 2 and fragment in result.stderr, result.stderr
        assert "comma" not in result.stderr


def test_progress_shows_on_a_terminal_after_two_seconds(monkeypatch):
    from io import StringIO

    from rich.console import Console

    from lightdose.cli import progress

    clock = iter([0.0, 0.5, 2.5, 2.55, 3.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = StringIO()
    line = progress.StatusLine(Console(file=screen, force_terminal=True, width=100))  # started at 0 s
    line("fitting: 10 model evaluations")  # 0.5 s: quiet
    assert line.status is None
    line("fitting: 200 model evaluations")  # 2.5 s: shown
    line("fitting: 210 model evaluations")  # 2.55 s: too soon to update again
    line("fitting: 300 model evaluations", 0.75)  # 3 s, three quarters done: 1 s left
    line.stop()
    assert "fitting: 300 model evaluations (3 s, about 1 s left)" in screen.getvalue()
