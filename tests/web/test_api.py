"""Issue 14, acceptance 1: every endpoint of the JSON API returns what the CLI's ``--json`` prints for the same
inputs (the same request, stage and presenter behind both)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.web._web import ROOT, cli_json

SMALL_COMPARISON = """\
# two treatments on two people, short enough for a test
site: ankle-medial
exposure: 5 min
after: 5 min
people:
  healthy: {}
  neuropathic: {neuropathy: true}
treatments:
  - {name: 890 nm pad, device: pad-890}
  - {name: heating pad, device: heating-pad-42}
"""


def small_scenario(people: int = 40) -> str:
    """The knee-panel example with a small population (a plan in seconds)."""
    text = (ROOT / "examples" / "knee-panel.yaml").read_text(encoding="utf-8")
    assert "people: 1000" in text
    return text.replace("people: 1000", f"people: {people}")


def get_json(client, path: str, **query):
    response = client.get(f"/api/v1/{path}?{urlencode(query, doseq=True)}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


@pytest.mark.parametrize(("path", "args"), [
    ("tissues", ["tissues"]),
    ("devices", ["devices"]),
    ("sites", ["sites"]),
])
def test_library_endpoints_equal_the_cli(client, path, args):
    assert get_json(client, path) == cli_json(*args)


def test_schema_equals_the_cli(client):
    import json

    from tests.web._web import cli

    code, out, _ = cli("schema")
    assert code == 0
    assert get_json(client, "schema") == json.loads(out)


@pytest.mark.parametrize("wavelengths", [["810nm"], ["660 nm", "850nm", "1000"]], ids=["one", "three"])
def test_optics_equals_the_cli(client, wavelengths):
    web = get_json(client, "optics", tissue="epidermis", wavelength=wavelengths, skin_type="II")
    args = ["optics", "epidermis", "--skin-type", "II"]
    for wl in wavelengths:
        args += ["--wavelength", wl]
    assert web == cli_json(*args)


def test_irradiance_equals_the_cli(client):
    web = get_json(client, "irradiance", device="panel-660-850", distance="15 cm", points=31)
    assert web == cli_json("irradiance", "panel-660-850", "--distance", "15 cm", "--points", "31")
    measured = get_json(client, "irradiance", device="pad-890", distance="0 cm", measured="30 mW/cm^2",
                        meter="thermopile")
    assert measured == cli_json("irradiance", "pad-890", "--distance", "0 cm", "--measured", "30 mW/cm^2",
                                "--meter", "thermopile")


def test_depth_dose_equals_the_cli(client):
    web = get_json(client, "depth-dose", device="panel-660-850", site="knee", time="12 min", distance="15 cm",
                   skin_type="V", bmi=31, neuropathy="true", max_depth="40 mm")
    assert web == cli_json("depth-dose", "--device", "panel-660-850", "--site", "knee", "--time", "12 min",
                           "--distance", "15 cm", "--skin-type", "V", "--bmi", "31", "--neuropathy",
                           "--max-depth", "40 mm")


def test_depth_dose_monte_carlo_equals_the_cli(client):
    web = get_json(client, "depth-dose", device="probe-810", site="wrist", time="2 min", distance="1 cm",
                   solver="mc", photons=2000, seed=7)
    assert web == cli_json("depth-dose", "--device", "probe-810", "--site", "wrist", "--time", "2 min",
                           "--distance", "1 cm", "--solver", "mc", "--photons", "2000", "--seed", "7")


def test_penetration_equals_the_cli(client):
    web = get_json(client, "penetration", device="pad-890", site="heel", time="20 min", dose_threshold="2 J/cm^2",
                   max_depth="60 mm", skin_type="IV")
    assert web == cli_json("penetration", "--device", "pad-890", "--site", "heel", "--time", "20 min",
                           "--dose-threshold", "2 J/cm^2", "--max-depth", "60 mm", "--skin-type", "IV")


def test_heat_equals_the_cli(client):
    web = get_json(client, "heat", device="pad-890", site="ankle-medial", time="10 min", fat="3 mm",
                   pad_heat="5 mW/cm^2", after="5 min")
    assert web == cli_json("heat", "--device", "pad-890", "--site", "ankle-medial", "--time", "10 min", "--fat",
                           "3 mm", "--pad-heat", "5 mW/cm^2", "--after", "5 min")


def test_burn_equals_the_cli(client):
    web = get_json(client, "burn", temperature="45 C", time="40 min")
    assert web == cli_json("burn", "--temperature", "45 C", "--time", "40 min")


def test_sauna_equals_the_cli(client):
    web = get_json(client, "sauna", air="70 C", time="10 min", rest="5 min", humidity="10%")
    assert web == cli_json("sauna", "--air", "70 C", "--time", "10 min", "--rest", "5 min", "--humidity", "10%")


def test_perfusion_equals_the_cli(client):
    web = get_json(client, "perfusion", device="heating-pad-42", site="foot-dorsum", time="10 min", after="20 min",
                   dermal_blood="1%", light_no="true")
    assert web == cli_json("perfusion", "--device", "heating-pad-42", "--site", "foot-dorsum", "--time", "10 min",
                           "--after", "20 min", "--dermal-blood", "1%", "--light-no")


def _post(client, path: str, text: str, name: str, content_type: str = "application/yaml"):
    return client.post(f"/api/v1/{path}?name={name}", content=text.encode(), headers={"content-type": content_type})


def test_compare_equals_the_cli(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("comparison.yaml").write_text(SMALL_COMPARISON, encoding="utf-8")
    response = _post(client, "compare", SMALL_COMPARISON, "comparison.yaml")
    assert response.status_code == 200, response.text
    assert response.json() == cli_json("compare", "comparison.yaml")


def test_plan_equals_the_cli(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = small_scenario()
    Path("knee.yaml").write_text(text, encoding="utf-8")
    response = _post(client, "plan", text, "knee.yaml")
    assert response.status_code == 200, response.text
    web = response.json()
    assert web == cli_json("plan", "knee.yaml")
    assert web["sites"][0]["coverage"]["people"] == 40
    assert web["evidence"] and web["not_a_medical_device"]


def test_plan_takes_json_too(client):
    import yaml

    data = yaml.safe_load(small_scenario(0))
    response = client.post("/api/v1/validate", json=data)
    assert response.status_code == 200, response.text
    assert response.json()["valid"] is True


def test_validate_equals_the_cli(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = small_scenario()
    Path("knee.yaml").write_text(text, encoding="utf-8")
    response = _post(client, "validate", text, "knee.yaml")
    assert response.status_code == 200, response.text
    assert response.json() == cli_json("validate", "knee.yaml")


def test_the_openapi_document_lists_every_cli_verb(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    verbs = ["tissues", "optics", "devices", "irradiance", "sites", "depth-dose", "penetration", "heat", "burn",
             "sauna", "perfusion", "compare", "plan", "validate", "schema"]
    assert {f"/api/v1/{v}" for v in verbs} == paths
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert "422" in operation["responses"] or path.endswith(("tissues", "devices", "sites", "schema")), \
                (method, path)
    assert "Problem" in document["components"]["schemas"]
    assert "scenario" in document["components"]["schemas"]
