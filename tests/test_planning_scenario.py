"""Scenario files: YAML syntax errors name the line, invalid values the field path; the JSON Schema exports."""

import json
import math
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from lightdose.anatomy import Person
from lightdose.anatomy.population import SKIN_TYPES, sample_people
from lightdose.cli import app
from lightdose.errors import FileFormatError
from lightdose.planning import load_scenario, scenario_from_text, schema
from lightdose.units import USER_INPUT

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BUNDLED = sorted((e for e in resources.files("lightdose.data").joinpath("examples").iterdir()
                  if e.name.endswith(".yaml")), key=lambda e: e.name)
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
    assert s.goal.window == (0.01, 0.1)  # J/mm², the 1–10 J/cm² window
    assert s.limits.skin_temperature == 43.0
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


@pytest.mark.parametrize(("change", "message"), [
    (("site: heel", "site: elbw"), "sites[0].site: unknown body site 'elbw'"),
    (("target: {name: tibial-nerve}", "target: sural-nerve"), "sites[1].target: unknown target 'sural-nerve'"),
    (("device: pad-890", "device: pad-899"), "devices[0].device: unknown device 'pad-899'"),
    (("name: test", "name: test\ngoal: {window: [1, 10]}"), "goal.window: 1 has no unit"),
    (("name: test", "name: test\ngoal: {window: ['1', '10']}"), "goal.window: 1 has no unit"),
    (("name: test", "name: test\ngoal: {window: [1 J/mm^2, 1e9 J/cm^2]}"), "goal.window: 100–1e+09 J/cm² is outside"),
    (("name: test", "name: test\nschedule: 3 times a fortnight"), "schedule: cannot read '3 times a fortnight'"),
    (("name: test", "name: test\nlimits: {skin_temperature: 60 degC}"),
     "limits.skin_temperature: 60 degC is outside the allowed range 35–48 °C"),
    (("name: test", "name: test\nlimits: {skin_temperature: 60}"),
     "limits.skin_temperature: 60 °C is outside the allowed range 35–48 °C"),  # a bare number is in °C
    (("device: pad-890", "device: pad-890\n    distance: -5 cm"),
     "devices[0].distance: -5 cm is outside the allowed range 0–3000 mm"),
    (("device: pad-890", "device: pad-890\n    pad_heat: 2 W/cm^2"),
     "devices[0].pad_heat: 2 W/cm^2 is outside the allowed range 0–1000 mW/cm²"),
    (("site: heel", "site: heel\n    exposure: 10 h"),
     "sites[0].exposure: 10 h is outside the allowed range greater than 0 s and at most 4 h"),
    (("name: test", "name: test\nperson: {skin_type: VII}"), "person.skin_type: 'VII' is not a Fitzpatrick skin type"),
    (("device: pad-890", "device: panel-630"),
     "devices[0].distance: 'panel-630' is a panel used at a distance from the skin; give the distance"),
    (("device: pad-890", "device: heating-pad-42\n    distance: 5 cm"),
     "devices[0].distance: 50 mm: 'heating-pad-42' is a heating pad, which heats the skin by contact"),
])
def test_invalid_values_name_their_field_value_and_range(change, message):
    """One line: the field path, the value as written with its unit, the allowed range in canonical units."""
    with pytest.raises(FileFormatError) as info:
        scenario_from_text(GOOD.replace(*change), "s.yaml")
    assert message in str(info.value) and "(got" not in str(info.value)


def test_a_sauna_temperature_names_its_item():
    text = ("name: s\ndevices:\n  - device: sauna-infrared-60\n    air_temperature: [60 degC, 200 degC]\n"
            "schedule: start 10 min, build to 20 min\n")
    with pytest.raises(FileFormatError) as info:
        scenario_from_text(text, "s.yaml")
    assert str(info.value) == ("s.yaml, line 4: devices[0].air_temperature[1]: 200 degC is outside the allowed range "
                               "10–100 °C")


def test_a_key_given_twice_is_an_error_naming_the_line():
    with pytest.raises(FileFormatError) as info:
        scenario_from_text(GOOD.replace("name: test", "name: t\nname: u"), "s.yaml")
    assert info.value.line == 2 and "'name' is given twice (first on line 1)" in str(info.value)


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
    assert result.exit_code == 0 and json.loads(result.stdout) == json.loads(json.dumps(document))


def _validator():
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


@pytest.mark.parametrize("example", BUNDLED, ids=lambda e: e.name)
def test_every_bundled_example_and_its_dump_satisfy_the_exported_schema(example):
    """jsonschema (the reference validator, not pydantic) accepts each file as written and as lightdose writes it."""
    validator = _validator()
    written = yaml.safe_load(example.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(written)] == []
    dumped = scenario_from_text(example.read_text(encoding="utf-8")).model_dump(mode="json")
    assert [e.message for e in validator.iter_errors(dumped)] == []


def _defaults(node, path=""):
    """Every (subschema, default) pair of a schema document."""
    if isinstance(node, dict):
        if "default" in node:
            yield path, node
        for key, value in node.items():
            yield from _defaults(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _defaults(value, f"{path}/{i}")


def test_every_default_in_the_schema_satisfies_its_own_schema():
    document = schema()
    found = list(_defaults(document))
    assert len(found) > 40  # the walk reaches the nested models
    for path, node in found:
        subschema = {k: v for k, v in node.items() if k != "default"} | {"$defs": document["$defs"]}
        errors = [e.message for e in jsonschema.Draft202012Validator(subschema).iter_errors(node["default"])]
        assert errors == [], path


@pytest.mark.parametrize(("change", "path"), [
    (("name: test", "name: test\ngoal: {window: ['1', '10']}"), "goal.window"),  # a dose without a unit
    (("target: {name: tibial-nerve}", "target: 5"), "sites[1].target"),
    (("device: pad-890", "device: pad-890\n    distance: -50"), "devices[0].distance"),
    (("site: heel", "site: heel\n    points: 0"), "sites[0].points"),
    (("site: heel", "site: heel\n    colour: red"), "sites[0]"),  # unknown key
    (("name: test", "name: test\nlimits: {max_session: 20000}"), "limits.max_session"),
])
def test_invalid_scenarios_are_refused_by_the_schema_and_the_loader(change, path):
    text = GOOD.replace(*change)
    assert list(_validator().iter_errors(yaml.safe_load(text))), "the schema accepts it"
    with pytest.raises(FileFormatError, match=path.replace("[", r"\[").replace("]", r"\]")):
        scenario_from_text(text)


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
    dumped = s.model_dump(mode="json", context=USER_INPUT)  # quantities with their unit, as a user file must be
    again = scenario_from_text(json.dumps(dumped))
    assert again == s
    assert again.digest() == s.digest()
    assert yaml.safe_load(yaml.safe_dump(dumped)) == dumped


def test_without_a_person_the_plan_is_for_the_populations_median_person():
    s = scenario_from_text(GOOD)
    assert s.person == Person(skin_type="III", bmi=25.0, dermal_blood=math.sqrt(0.002 * 0.02))
    assert s.person_is_median and not scenario_from_text(GOOD + "person: {skin_type: III}\n").person_is_median
    # the median of each variable of a large sample is the median person's, within 4 standard errors of a median
    n = 4000
    people = sample_people(s.coverage.model_for(s.person), n, seed=7)
    blood_se = math.log(10.0) / (2 * math.sqrt(n))  # log-uniform over a decade: density 1/ln 10 in log space
    assert abs(math.log(np.median(people.dermal_blood) / s.person.dermal_blood)) < 4 * blood_se
    bmi_se = 0.17 * math.sqrt(math.pi / 2) / math.sqrt(n)  # median of a normal (log BMI, log-SD 0.17)
    assert abs(math.log(np.median(people.bmi) / s.person.bmi)) < 4 * bmi_se
    order = {t: i for i, t in enumerate(SKIN_TYPES)}
    ranks = np.array([order[t] for t in people.skin_type])
    share_se = math.sqrt(0.25 / n)
    assert np.mean(ranks < order["III"]) < 0.5 < np.mean(ranks <= order["III"]) + 4 * share_se  # the lower median
    # a population of darker, neuropathic people has its own median person
    dark = scenario_from_text(GOOD + "coverage: {population: {skin_types: {V: 1, VI: 1}, neuropathy_fraction: 1}}\n")
    assert dark.person == Person(skin_type="V", bmi=25.0, neuropathy=True, dermal_blood=math.sqrt(0.002 * 0.0063))
