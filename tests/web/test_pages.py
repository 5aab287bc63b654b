"""The pages without a browser: what they show is what the API (and so the CLI) gives for the same inputs; the plan
builder's form, checks, runs, coverage and downloads; the device designer's YAML works with the CLI."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from tests.web._web import cli, cli_json
from tests.web.test_api import small_scenario

HTMX = {"hx-request": "true"}


def test_the_explorer_shows_the_target_dose_of_the_api(client):
    query = {"device": "pad-890", "site": "ankle-medial", "time": "20 min", "skin_type": "II", "bmi": "29"}
    page = client.get(f"/explore?{urlencode(query)}")
    assert page.status_code == 200
    api = client.get("/api/v1/depth-dose?" + urlencode(query)).json()
    from lightdose.present.text import number

    shown = re.search(r'<output id="target-dose">([^<]+)</output>', page.text).group(1)
    assert shown == number(api["targets"][0]["fluence_j_cm2"])
    assert 'hx-get="/explore/session?' in page.text


def test_explorer_results_push_the_page_address(client):
    query = urlencode({"device": "panel-630", "distance": "20 cm", "site": "knee", "time": "10 min"})
    response = client.get(f"/explore/results?{query}", headers=HTMX)
    assert response.status_code == 200
    assert response.headers["hx-push-url"].startswith("/explore?device=panel-630")
    assert "<html" not in response.text


def test_the_explorer_session_panel_shows_heat_and_perfusion(client):
    query = {"device": "heating-pad-42", "site": "foot-dorsum", "time": "15 min", "after": "15 min"}
    response = client.get(f"/explore/session?{urlencode(query)}", headers=HTMX)
    assert response.status_code == 200
    heat = cli_json("heat", "--device", "heating-pad-42", "--site", "foot-dorsum", "--time", "15 min", "--after",
                    "15 min")
    from lightdose.present.text import number

    assert f'<output id="peak-skin">{number(heat["peak_skin_temp_c"])}</output>' in response.text
    assert "CEM43" in response.text and "Perfusion" in response.text


def test_an_explorer_error_is_the_cli_message(client):
    response = client.get("/explore/results?" + urlencode({"device": "pad-890", "site": "ankle-medial",
                                                           "time": "20"}), headers=HTMX)
    assert "exposure: 20 has no unit" in response.text


def run_plan(client, people: int = 30, text: str | None = None) -> str:
    """Run a scenario in the plan builder (from its text); the job's id."""
    text = text if text is not None else small_scenario(people)
    response = client.post("/plan", data={"source": "yaml", "action": "run", "yaml": text}, headers=HTMX)
    assert response.status_code == 200, response.text
    match = re.search(r'/plan/jobs/([\w-]+)/report\.html', response.text)
    assert match, response.text
    return match.group(1)


def wait_for_coverage(client, job_id: str, timeout: float = 600.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = client.get(f"/plan/jobs/{job_id}/coverage", headers=HTMX).text
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.5)
    raise AssertionError("the coverage did not arrive")


@pytest.mark.slow  # a plan, its coverage in the background and the CLI's plan: ~20 s
def test_a_plan_run_shows_the_person_first_then_the_coverage(client, tmp_path, monkeypatch):
    job_id = run_plan(client, people=40)
    first = client.get(f"/plan/jobs/{job_id}/plan.json")
    fragment = wait_for_coverage(client, job_id)
    assert "coverage-table" in fragment and 'hx-swap-oob="true"' in fragment
    plan = client.get(f"/plan/jobs/{job_id}/plan.json")
    assert plan.headers["content-disposition"].startswith("attachment;")
    monkeypatch.chdir(tmp_path)
    Path("scenario.yaml").write_text(small_scenario(), encoding="utf-8")
    assert plan.json() == cli_json("plan", "scenario.yaml")
    assert first.json()["sites"][0]["coverage"] is None  # the answer for the person came first, without coverage
    scenario = client.get(f"/plan/jobs/{job_id}/scenario.yaml")
    assert scenario.text == small_scenario()
    report = client.get(f"/plan/jobs/{job_id}/report.html?download=true")
    assert report.headers["content-disposition"].endswith('-report.html"')
    assert "virtual people" in report.text and "Not a medical device" in report.text.replace("not a medical",
                                                                                              "Not a medical")


def test_the_plan_states_its_evidence_level(client):
    job_id = run_plan(client, people=0)
    page = client.get(f"/plan/jobs/{job_id}/coverage", headers=HTMX).text
    assert "coverage.people: 0" in page
    data = client.get(f"/plan/jobs/{job_id}/plan.json").json()
    response = client.post("/plan", data={"source": "yaml", "action": "run", "yaml": small_scenario(0)},
                           headers=HTMX)
    for label in data["evidence"]:
        assert label["level"] in response.text


def test_the_form_is_generated_from_the_schema(client):
    from lightdose.planning import schema

    page = client.get("/plan?example=knee-panel.yaml").text
    for name in schema()["properties"]:
        assert re.search(rf'name="[tym]:{name}[".\[]', page) or f'id="f-{name}' in page, name
    assert 'value="panel-660-850"' in page and 'value="15 cm"' in page


def test_the_form_round_trips_and_shows_field_errors_with_the_cli_text(client, tmp_path, monkeypatch):
    form = {"source": "form", "action": "check", "t:name": "wrist", "t:devices[0].device": "probe-810",
            "y:devices[0].distance": "1 cm", "t:sites[0].site": "wrist", "y:sites[0].target": "median-nerve",
            "y:sites[0].points": "0"}
    response = client.post("/plan", data=form, headers=HTMX)
    assert response.status_code == 422
    monkeypatch.chdir(tmp_path)
    Path("scenario.yaml").write_text("name: wrist\ndevices:\n- device: probe-810\n  distance: 1 cm\nsites:\n"
                                     "- site: wrist\n  target: median-nerve\n  points: 0\n", encoding="utf-8")
    code, _, err = cli("validate", "scenario.yaml")
    assert code == 2
    cli_message = err.strip().removeprefix("error: ")
    field_message = cli_message.split(": ", 1)[1]  # without "scenario.yaml, line N"
    error = re.search(r'<p class="field-error" id="f-sites-0--points-error">([^<]+)</p>', response.text)
    assert error, response.text
    import html

    assert html.unescape(error.group(1)) == field_message
    form["y:sites[0].points"] = "2"
    response = client.post("/plan", data=form, headers=HTMX)
    assert response.status_code == 200 and "Valid scenario &#39;wrist&#39;" in response.text


def test_loading_a_yaml_fills_the_form(client):
    text = small_scenario(10)
    response = client.post("/plan", data={"source": "yaml", "action": "load", "yaml": text}, headers=HTMX)
    assert response.status_code == 200
    assert 'name="y:coverage.people" value="10"' in response.text
    upload = client.post("/plan", data={"source": "yaml", "action": "load"}, headers=HTMX,
                         files={"file": ("mine.yaml", text.encode())})
    assert 'name="y:coverage.people" value="10"' in upload.text
    example = client.post("/plan", data={"source": "yaml", "action": "load", "example": "sauna-course.yaml",
                                         "yaml": ""}, headers=HTMX)
    assert "sauna" in example.text and example.status_code == 200


def test_a_yaml_syntax_error_names_the_line(client):
    response = client.post("/plan", data={"source": "yaml", "action": "check", "yaml": "name: [x\n"}, headers=HTMX)
    assert response.status_code == 422
    assert "scenario.yaml, line" in response.text


def test_the_comparison_page_shows_people_side_by_side(client):
    from tests.web.test_api import SMALL_COMPARISON

    response = client.post("/compare", data={"yaml": SMALL_COMPARISON}, headers=HTMX)
    assert response.status_code == 200, response.text
    assert "comparison-table" in response.text
    assert response.text.index("healthy") < response.text.index("neuropathic")
    assert response.text.count("data-chart=") == 2


def test_the_designer_device_works_with_the_cli(client, tmp_path, monkeypatch):
    design = {"name": "test-panel", "rows": "4", "columns": "6", "pitch_x": "20", "pitch_y": "20",
              "wavelength": "630", "power": "150", "wavelength2": "", "distance": "8 cm"}
    page = client.get(f"/designer?{urlencode(design)}")
    assert page.status_code == 200 and "design-power" in page.text
    shown = re.search(r'<output id="design-power">([^<]+)</output>', page.text).group(1)
    assert float(shown) == pytest.approx(24 * 0.150)
    device = yaml.safe_load(client.get(f"/designer/device.yaml?{urlencode(design)}").text)
    from lightdose.devices.catalog import load

    assert load(device).total_power == pytest.approx(24 * 0.150)
    monkeypatch.chdir(tmp_path)
    Path("scenario.yaml").write_text(client.get(f"/designer/scenario.yaml?{urlencode(design)}").text,
                                     encoding="utf-8")
    assert cli_json("validate", "scenario.yaml")["valid"] is True
    explorer = re.search(r'id="use-in-explorer" href="([^"]+)"', page.text).group(1)
    import html

    response = client.get(html.unescape(explorer))
    assert response.status_code == 200 and "your own: test-panel" in response.text
    assert 'id="target-dose"' in response.text


def test_the_designer_reports_the_device_models_errors(client):
    response = client.get("/designer/result?" + urlencode({"half_angle": "0", "distance": "5 cm"}), headers=HTMX)
    assert "half_angle" in response.text and "problem" in response.text


def test_the_libraries(client):
    devices = client.get("/library/devices").text
    for row in cli_json("devices")["devices"]:
        assert f'/library/devices/{row["name"]}' in devices
    sites = client.get("/library/sites").text
    assert sites.count("<svg") == len(cli_json("sites"))
    tissue = client.get("/library/tissues/dermis").text
    assert "data-chart=" in tissue
    chart = json.loads(__import__("html").unescape(re.search(r'data-chart="([^"]+)"', tissue).group(1)))
    assert [s["label"] for s in chart["series"]] == ["μa [1/mm]", "μs′ [1/mm]", "δ [mm]"]


def test_the_api_page_lists_every_endpoint_with_an_example(client):
    page = client.get("/api").text
    for path in client.get("/api/v1/openapi.json").json()["paths"]:
        assert f"{path}</code>" in page
    assert ("curl &#39;http://127.0.0.1:8000/api/v1/depth-dose?device=pad-890&amp;site=ankle-medial&amp;"
            "time=20+min&#39;") in page
