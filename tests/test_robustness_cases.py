"""Hostile and careless inputs of issue 13 that no other test pins down: one precise case per row of
docs/robustness.md marked with this file. Each case asserts the answer itself (exit status, the one error line
naming the field, or the corrected value), so that it fails if the old behaviour comes back."""

from __future__ import annotations

import io
import json
import os
import re
import signal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import lightdose
from lightdose.cli import app
from lightdose.errors import FileFormatError
from lightdose.planning import load_scenario, plan, scenario_from_text
from lightdose.planning.plan import Plan
from lightdose.present.echo import with_units
from lightdose.present.plan import headline, print_plan
from lightdose.present.text import minutes, number
from lightdose.transport.dose import DoseRequest, depth_dose
from lightdose.units import USER_INPUT, j_cm2

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()
RANK = {"achievable": 0, "limited": 1, "not achievable": 2}


def error_line(result, code: int = 2) -> str:
    """The one line on stderr of a refused command (exit status `code`), without its ``error: `` prefix."""
    shown = f"exit {result.exit_code}\nstdout: {result.stdout[-1500:]}\nstderr: {result.stderr}"
    assert result.exit_code == code, shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, shown
    return lines[0].removeprefix("error: ")


def scenario_error(text: str) -> str:
    """The message of a scenario refused by the loader."""
    with pytest.raises(FileFormatError) as info:
        scenario_from_text(text, "s.yaml")
    message = str(info.value)
    assert "\n" not in message
    return message


SMALL = """\
name: robustness
devices:
  - device: pad-890
sites:
  - {site: ankle-medial, target: tibial-nerve, label: "medial ankle (tarsal tunnel)"}
  - {site: heel, label: "heel, plantar nerves"}
limits:
  max_session: 5 min
coverage:
  people: 0
"""
"""A contact pad on two foot sites, one of them deep, with a session limit shorter than the two exposures together:
a plan whose headline has something to name."""


@pytest.fixture(scope="module")
def small_plan() -> Plan:
    return plan(scenario_from_text(SMALL, "small.yaml"))


# ------------------------------------------------------------------------------------ 1. near contact (open)


def test_a_panel_2_mm_from_the_skin_doses_the_target_at_least_as_much_as_at_15_cm():
    """Like the heat stage (tests/test_near_contact.py): the same panel closer delivers more light, not 1e-5 of it."""
    near, far = (depth_dose(DoseRequest(placement={"device": "panel-630", "distance": distance}, site="knee",
                                        exposure="1 min")).target().fluence for distance in ("2 mm", "15 cm"))
    assert near >= far


def test_a_two_band_panel_in_contact_is_dosed_under_its_leds():
    result = depth_dose(DoseRequest(placement={"device": "panel-660-850", "distance": "0 mm"}, site="knee",
                                    exposure="1 min"))
    assert all(t.fluence > 0 for t in result.targets)


def test_perfusion_near_a_panel_warns_of_the_hot_spot_it_computes():
    result = runner.invoke(app, ["perfusion", "--device", "panel-660-850", "--site", "knee", "--time", "10 min",
                                 "--distance", "2 mm", "--after", "0 s"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stdout and "43 °C" in result.stdout, result.stdout


# ---------------------------------------------------------------------------------------- 2. bare numbers


@pytest.mark.parametrize(("argv", "message"), [
    (["heat", "--device", "pad-890", "--site", "foot-dorsum", "--time", "30"],
     "exposure: 30 has no unit; write it with its unit, e.g. '30 min'"),
    (["depth-dose", "--device", "pad-890", "--site", "ankle-medial", "--time", "30"],
     "exposure: 30 has no unit; write it with its unit, e.g. '30 min'"),
    (["sauna", "--air", "60C", "--time", "15"], "exposure: 15 has no unit; write it with its unit, e.g. '15 min'"),
])
def test_a_bare_time_on_the_command_line_is_refused_not_read_as_seconds(argv, message):
    assert error_line(runner.invoke(app, argv)) == message


@pytest.mark.parametrize(("example", "change", "message"), [
    ("sauna-course.yaml", ("height: 175 cm", "height: 175"),
     "line 11: body.height: 175 has no unit; write it with its unit, e.g. '175 cm'"),
    ("neuropathy-feet-pad890.yaml", ("max_session: 40 min", "max_session: 2400"),
     "limits.max_session: 2400 has no unit; write it with its unit"),
])
def test_a_bare_number_in_a_scenario_is_refused_naming_the_field(example, change, message):
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    assert change[0] in text
    assert message in scenario_error(text.replace(*change))


def test_the_scenario_echoed_in_reports_carries_its_units():
    """The JSON and HTML reports echo the scenario through with_units: '40 min', not 2400.0 (seconds)."""
    scenario = load_scenario(EXAMPLES / "neuropathy-feet-pad890.yaml")
    echo = with_units(scenario)
    assert echo["limits"]["max_session"] == "40 min"
    assert echo["limits"]["skin_temperature"] == "43 °C"
    assert echo["body"]["height"] == "1.72 m"
    assert echo["goal"]["max_target_irradiance"] == "50 mW/cm²"
    assert echo["devices"][0]["distance"] == "0 mm"
    assert scenario_from_text(json.dumps(echo)) == scenario  # and reads back as the same scenario


# ------------------------------------------------------------------------------------------------ 3. verdicts


def test_the_headline_is_the_worst_verdict_and_names_what_binds(small_plan):
    assert RANK[small_plan.verdict] >= max(RANK[s.verdict] for s in small_plan.sites)
    assert small_plan.session_minutes > 5.0  # the two exposures together exceed the 5-min session limit
    assert small_plan.verdict != "achievable"
    assert small_plan.binding and small_plan.binding in headline(small_plan)
    out = io.StringIO()
    print_plan(small_plan, Console(file=out, width=400, color_system=None))
    assert headline(small_plan) in out.getvalue().splitlines()[0]


# ------------------------------------------------------------------------------------------- 4. interruption


def test_ctrl_c_during_a_monte_carlo_depth_dose_gives_a_labelled_partial_result_and_exit_130(monkeypatch):
    """SIGINT once a quarter of the photons is done (so at least one batch has finished): the JSON says partial,
    with the photons actually run; stderr says so; exit status 130."""
    from lightdose.transport import mc

    real, sent = mc.simulate, []

    def interrupted(*args, **kwargs):
        asked, shown = kwargs["photons"], kwargs.pop("progress", None)

        def progress(done, total):
            if shown is not None:
                shown(done, total)
            if done >= asked // 4 and not sent:
                sent.append(done)
                os.kill(os.getpid(), signal.SIGINT)

        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(mc, "simulate", interrupted)
    result = runner.invoke(app, ["depth-dose", "--device", "pad-890", "--site", "heel", "--time", "1 min",
                                 "--solver", "mc", "--photons", "20000", "--json"])
    assert sent
    assert result.exit_code == 130, result.output
    assert result.stderr.strip() == "interrupted: the result above is partial (fewer photons than asked)"
    data = json.loads(result.stdout)
    assert data["partial"] is True and 0 < data["photons"] < 20_000
    assert any("interrupted" in w and "partial" in w for w in data["warnings"])


def test_ctrl_c_in_any_other_command_exits_130(monkeypatch):
    def interrupted(request, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr("lightdose.transport.dose.depth_dose", interrupted)
    result = runner.invoke(app, ["depth-dose", "--device", "pad-890", "--site", "heel", "--time", "1 min"])
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted"


# ------------------------------------------------------------------------- 5. ordinary files and strings


KNEE = (EXAMPLES / "knee-panel.yaml").read_text(encoding="utf-8").replace("people: 1000", "people: 0")
LABEL = 'label: "medial knee, joint capsule"'


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_a_scenario_saved_in_another_encoding_is_read_as_written(tmp_path, encoding):
    path = tmp_path / "knee.yaml"
    path.write_bytes(KNEE.replace(LABEL, 'label: "42 °C probe"').encode(encoding))
    assert load_scenario(path).sites[0].label == "42 °C probe"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "valid scenario" in result.stdout, result.output


def test_json_escapes_of_an_emoji_are_the_emoji(tmp_path):
    path = tmp_path / "knee.json"
    data = scenario_from_text(KNEE).model_dump(mode="json", context=USER_INPUT)
    path.write_text(json.dumps(data | {"name": "knee \U0001f525"}), encoding="ascii")  # json writes \ud83d\udd25
    assert "\\ud83d\\udd25" in path.read_text(encoding="ascii")
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == "knee \U0001f525"


@pytest.mark.parametrize(("content", "message"), [
    ('{"name": "knee \\ud83d"}', "holds an unpaired UTF-16 surrogate escape; write the character itself"),
    (b"\x13\x8b\x00binary\xff" * 40, "line 1: not a text file (control character '\\x13'); save it as text"),
    ("[" * 100 + "]" * 100, "line 1: nested more than 64 levels deep"),
    ('{"name": ' + "[" * 1000, "nested more than 64 levels deep"),  # past Python's recursion limit: RecursionError
])
def test_unreadable_scenario_files_are_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    line = error_line(runner.invoke(app, ["validate", str(path)]))
    assert line.startswith(str(path)) and message in line


@pytest.mark.parametrize("argv", [
    ["depth-dose", "--device", "pad-890", "--site", "heel", "--time", "1 min", "--png", "out.txt"],
    ["compare", str(EXAMPLES / "microcirculation-comparison.yaml"), "--png", "out.docx"],
])
def test_a_plot_file_name_that_is_not_png_is_refused_before_any_work(tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    line = error_line(runner.invoke(app, argv))
    assert line.startswith(f"--png: '{argv[-1]}' does not end in .png")
    assert list(tmp_path.iterdir()) == []  # no PNG bytes written into a .txt file


# ------------------------------------------------------------------------------------------------ 6. hangs


def test_more_sites_than_a_plan_can_hold_are_refused_by_validation():
    sites = "".join("  - {site: heel}\n" for _ in range(51))
    message = scenario_error(f"name: big\ndevices:\n  - device: pad-890\nsites:\n{sites}")
    assert "sites: List should have at most 50 items after validation, not 51" in message


# ---------------------------------------------------------------------------------- 7. labels and messages


def test_a_contact_pad_gets_no_eye_warning_in_a_plan(small_plan):
    assert all("eye" not in w for s in small_plan.sites for w in s.warnings)


def test_a_contact_pad_gets_no_eye_warning_in_depth_dose():
    result = depth_dose(DoseRequest(placement="pad-890", site="foot-dorsum", exposure="53 s"))
    assert not any("eye limit" in w for w in result.warnings)


@pytest.mark.slow  # the HTML report draws its plots: ~4 s
def test_the_report_labels_the_light_at_depth_a_fluence_rate_and_writes_plain_numbers(small_plan):
    """The review read 'target irradiance' over a fluence rate at depth and 'irradiation time per point [s]
    2.4e+03'."""
    from lightdose.present.report import render_html

    html = render_html(small_plan)
    headers = re.findall(r"<th>([^<]*)</th>", html)
    assert "fluence rate at the target [mW/cm²]" in headers
    assert not any("target irradiance" in h for h in headers), headers
    for label in ("exposure per point", "energy per point (WALT", "irradiation time per point [s]",
                  "energy per point [J]"):
        values = re.findall(rf"<td>{re.escape(label)}[^<]*</td><td[^>]*>([^<]*)</td>", html)
        assert len(values) == len(small_plan.sites), label
        assert not any(re.search(r"\d[eE][+-]?\d", v) for v in values), (label, values)


@pytest.mark.parametrize(("value", "text"), [(2400.0, "2400"), (2420.4, "2420"), (0.88235, "0.882"), (35.38, "35.4"),
                                             (1717.7, "1718"), (0.0012, "0.0012"), (0.0, "0"),
                                             (4.94e-07, "< 0.001")])
def test_clinical_numbers_are_in_plain_notation(value, text):
    assert number(value) == text


@pytest.mark.parametrize(("seconds", "text"), [(52.9, "53 s"), (167.0, "2 min 47 s"), (2400.0, "40 min"),
                                               (5400.0, "1 h 30 min")])
def test_exposures_are_minutes_and_seconds(seconds, text):
    assert minutes(seconds) == text


def test_the_plan_table_keeps_every_number_whole_in_80_columns(small_plan):
    out = io.StringIO()
    print_plan(small_plan, Console(file=out, width=80, color_system=None))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    for header in ("[J/cm²]", "[°C]"):
        assert any(header in line for line in lines)
    for s in small_plan.sites:
        row_values = [minutes(s.exposure_s), number(j_cm2(s.target_fluence)),
                      f"{s.peak_skin_temp_c:.1f}"]
        for value in row_values:
            assert any(value in line for line in lines), (value, out.getvalue())


def test_the_drink_advice_is_for_a_session_within_the_limits():
    text = ("name: hot\nbody: {age: 55, sex: male, height: 175 cm, weight: 80 kg, body_fat: 22 %}\n"
            "devices:\n  - {id: cabin, device: sauna-infrared-60, air_temperature: [70 degC]}\n"
            "schedule: start 50 min, build to 60 min, 3 times a week for 2 weeks\n"
            "limits: {core_temperature: 39 degC, sweat_loss: 2 %}\n")
    course = plan(scenario_from_text(text, "hot.yaml")).saunas[0]
    assert not course.achievable  # at 70 °C the core passes 39 °C long before 50 min
    assert not any(g.startswith("Drink about") for g in course.guidance)  # no litres for sessions not to be had
    assert any("No session of this schedule stays within the limits" in g for g in course.guidance)



def test_a_sauna_temperature_the_cabin_cannot_run_is_refused_by_the_loader_naming_the_field():
    text = (EXAMPLES / "sauna-course.yaml").read_text(encoding="utf-8").replace("[50 degC, 60 degC]", "[80 degC]")
    try:
        scenario_from_text(text, "s.yaml")
    except FileFormatError as exc:
        message = str(exc)
    else:
        message = ""  # accepted: `lightdose plan` then fails with "relative_humidity: 20 % at 80 °C air gives ..."
    assert "devices[0].air_temperature" in message


def test_scenario_errors_carry_no_pydantic_internals():
    message = scenario_error("name: 42\ndevices: {device: pad-890}\nsites:\n  - {site: heel}\n")
    assert "name: Input should be a valid string (got 42)" in message
    assert "devices: Input should be a valid list" in message
    assert "PydanticUndefined" not in message and "default factory" not in message



def test_a_pad_heating_the_skin_past_the_model_names_the_option_not_an_internal_variable():
    line = error_line(runner.invoke(app, ["heat", "--device", "pad-890", "--site", "foot-dorsum", "--time", "30min",
                                          "--pad-heat", "1 W/cm^2"]))
    assert "T_c" not in line
    assert line.startswith("placement.pad_heat: the tissue would pass 100 °C")


def test_a_target_at_the_surface_is_refused_with_a_range_that_excludes_it():
    message = scenario_error("name: x\ndevices: [{device: pad-890}]\nsites:\n"
                             "  - {site: wrist, target: {depth: 0 mm}}\n")
    assert "sites[0].target.depth" in message
    assert "0 mm is outside the allowed range 0–" not in message


def test_version_and_short_help():
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith(f"lightdose {lightdose.__version__} (")
    for argv in (["-h"], ["heat", "-h"]):
        result = runner.invoke(app, argv)
        assert result.exit_code == 0 and "Usage: lightdose" in result.stdout


@pytest.mark.parametrize(("argv", "message"), [
    (["frobnicate"], "No such command 'frobnicate'."),
    (["heat", "--nope"], "No such option: --nope"),
    (["optics"], "Missing argument 'tissue'."),
    (["irradiance", "pad-890", "--distance", "0", "--points", "many"],
     "Invalid value for '--points': Input should be a valid integer, unable to parse string as an integer"),
    (["demo", "--people", "-1"], "--people: -1 is outside the allowed range 0–100000"),
    (["demo", "--out", ""], "--out: empty; allowed: a folder name, e.g. 'out'"),
])
def test_usage_errors_are_one_line_not_a_box(argv, message):
    assert error_line(runner.invoke(app, argv)) == message


def test_validate_schema_and_demo_have_json(tmp_path, monkeypatch):
    valid = runner.invoke(app, ["validate", str(EXAMPLES / "knee-panel.yaml"), "--json"])
    assert valid.exit_code == 0
    assert json.loads(valid.stdout) | {"file": "", "scenario_hash": ""} == {
        "file": "", "valid": True, "name": "Knee, 660/850 nm LED panel at 15 cm", "devices": 1, "sites": 1,
        "scenario_hash": ""}
    written = runner.invoke(app, ["schema", "-o", str(tmp_path / "s.json"), "--json"])
    assert written.exit_code == 0 and json.loads(written.stdout) == {"schema_written_to": str(tmp_path / "s.json")}
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["title"] == "lightdose scenario"

    def fake_demo(out, people=None, progress=None, option="out"):  # the planning itself is tested elsewhere
        assert progress is None  # nothing but JSON on stdout
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text("<!DOCTYPE html>", encoding="utf-8")
        return out / "index.html"

    monkeypatch.setattr("lightdose.present.demo.run_demo", fake_demo)
    demo = runner.invoke(app, ["demo", "--out", str(tmp_path / "out"), "--json"])
    assert demo.exit_code == 0, demo.output
    assert json.loads(demo.stdout) == {"index": str((tmp_path / "out" / "index.html").resolve())}


@pytest.mark.parametrize("text", ["boom", "first line\nsecond line"])
def test_an_internal_error_is_one_bug_report_line_with_exit_1(monkeypatch, text):
    def broken(request, **options):
        raise RuntimeError(text)

    monkeypatch.setattr("lightdose.transport.dose.depth_dose", broken)
    result = runner.invoke(app, ["depth-dose", "--device", "pad-890", "--site", "heel", "--time", "1 min"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("internal error: RuntimeError: ") and "please report it" in lines[0]
    assert f"lightdose {lightdose.__version__}" in lines[0] and "LIGHTDOSE_DEBUG=1" in lines[0]
