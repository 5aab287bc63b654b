"""Scenario files: YAML syntax errors name the line, invalid values the field path; the JSON Schema exports."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.errors import FileFormatError
from lightdose.planning import load_scenario, scenario_from_text, schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()

GOOD = """\
name: test
devices:
  - device: pad-890
sites:
  - site: heel
  - site: ankle-medial
    target: {name: tibial-nerve}
"""


def test_a_valid_scenario_has_defaults():
    s = scenario_from_text(GOOD)
    assert s.goal.window == (1.0, 10.0) and s.limits.skin_temperature == 43.0
    assert s.sites[0].stack().targets[0].name == "plantar-nerves"
    assert s.schedule.sessions_per_week.low == 3.0 and s.coverage.people == 1000


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: test\ndevices:\n  - device: pad-890\n   sites: [\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as info:
        load_scenario(path)
    assert info.value.line == 4 and "line 4" in str(info.value) and str(path) in str(info.value)


def test_semantic_error_names_the_field_path_and_line():
    text = GOOD.replace("target: {name: tibial-nerve}", "target: {name: tibial-nerve, depth: -3 mm}")
    with pytest.raises(FileFormatError) as info:
        scenario_from_text(text, "s.yaml")
    assert "sites[1].target.depth" in str(info.value)
    assert info.value.line == 7


@pytest.mark.parametrize(("change", "path"), [
    (("site: heel", "site: elbw"), "sites[0].site"),
    (("target: {name: tibial-nerve}", "target: sural-nerve"), "sites[1].target"),
    (("device: pad-890", "device: pad-899"), "devices[0].device"),
    (("name: test", "name: test\ngoal: {window: [1, 10]}"), "goal.window"),
    (("name: test", "name: test\nschedule: 3 times a fortnight"), "schedule"),
    (("name: test", "name: test\nlimits: {skin_temperature: 60 degC}"), "limits.skin_temperature"),
])
def test_invalid_values_name_their_field(change, path):
    with pytest.raises(FileFormatError, match=path.replace("[", r"\[").replace("]", r"\]")):
        scenario_from_text(GOOD.replace(*change))


def test_a_panel_needs_a_distance():
    with pytest.raises(FileFormatError, match="devices\\[0\\]"):
        scenario_from_text(GOOD.replace("device: pad-890", "device: panel-630"))


def test_every_example_validates():
    names = sorted(p.name for p in EXAMPLES.glob("*.yaml") if "microcirculation" not in p.name)
    assert names == ["carpal-tunnel-probe810.yaml", "heating-pad-comparison.yaml", "knee-panel.yaml",
                     "neuropathy-feet-pad890.yaml", "sauna-course.yaml"]
    for name in names:
        load_scenario(EXAMPLES / name)


def test_json_schema_describes_the_format():
    document = schema()
    assert document["title"] == "lightdose scenario"
    assert {"devices", "sites", "goal", "limits", "schedule", "coverage"} <= set(document["properties"])
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and json.loads(result.stdout)["title"] == "lightdose scenario"


def test_validate_cli_exit_codes(tmp_path):
    ok = runner.invoke(app, ["validate", str(EXAMPLES / "knee-panel.yaml")])
    assert ok.exit_code == 0 and "valid scenario" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("target: {name: tibial-nerve}", "target: {depth: 500 mm}"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "sites[1].target.depth" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_scenario_round_trips_through_json():
    s = load_scenario(EXAMPLES / "neuropathy-feet-pad890.yaml")
    again = scenario_from_text(json.dumps(s.model_dump(mode="json")))
    assert again == s and again.digest() == s.digest()
    assert yaml.safe_load(yaml.safe_dump(s.model_dump(mode="json"))) == s.model_dump(mode="json")
