"""Bad input gets HTTP 422 with an RFC 9457 problem+json body whose `detail` is exactly the CLI's one-line message
for the same input, and whose `errors` name the fields; other failures are problems too, never a stack trace."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.web._web import cli_error

PLACE = ["--device", "pad-890", "--site", "ankle-medial", "--time", "20 min"]
PLACE_QUERY = {"device": "pad-890", "site": "ankle-medial", "time": "20 min"}

GET_CASES = [
    ("depth-dose", {**PLACE_QUERY, "site": "nowhere"}, ["depth-dose", *PLACE, "--site", "nowhere"]),
    ("depth-dose", {**PLACE_QUERY, "time": "30"}, ["depth-dose", *PLACE, "--time", "30"]),
    ("depth-dose", {**PLACE_QUERY, "skin_type": "VII"}, ["depth-dose", *PLACE, "--skin-type", "VII"]),
    ("depth-dose", {**PLACE_QUERY, "device": "pad-8900"}, ["depth-dose", *PLACE, "--device", "pad-8900"]),
    ("depth-dose", {**PLACE_QUERY, "distance": "5 m"}, ["depth-dose", *PLACE, "--distance", "5 m"]),
    ("depth-dose", {**PLACE_QUERY, "fat": "4 mm", "bmi": 30}, ["depth-dose", *PLACE, "--fat", "4 mm", "--bmi", "30"]),
    ("depth-dose", {**PLACE_QUERY, "solver": "exact"}, ["depth-dose", *PLACE, "--solver", "exact"]),
    ("irradiance", {"device": "pad-890", "distance": "0 cm", "points": 2},
     ["irradiance", "pad-890", "--distance", "0 cm", "--points", "2"]),
    ("irradiance", {"device": "heating-pad-42", "distance": "0 cm"},
     ["irradiance", "heating-pad-42", "--distance", "0 cm"]),
    ("optics", {"tissue": "dermis", "wavelength": "200nm"}, ["optics", "dermis", "--wavelength", "200nm"]),
    ("optics", {"tissue": "bone-marrow", "wavelength": "800nm"}, ["optics", "bone-marrow", "--wavelength", "800nm"]),
    ("burn", {"temperature": "120 C", "time": "1 h"}, ["burn", "--temperature", "120 C", "--time", "1 h"]),
    ("sauna", {"air": "100 C", "time": "10 min"}, ["sauna", "--air", "100 C", "--time", "10 min"]),
    ("heat", {**PLACE_QUERY, "pad_heat": "5 mW/cm^2", "distance": "1 cm"},
     ["heat", *PLACE, "--pad-heat", "5 mW/cm^2", "--distance", "1 cm"]),
    ("perfusion", {**PLACE_QUERY, "time": "5 h"}, ["perfusion", *PLACE, "--time", "5 h"]),
    ("penetration", {**PLACE_QUERY, "device": "heating-pad-42"}, ["penetration", *PLACE, "--device",
                                                                   "heating-pad-42"]),
]


def assert_problem(response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


@pytest.mark.parametrize(("path", "query", "args"), GET_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(GET_CASES)])
def test_bad_query_gives_the_cli_message(client, path, query, args):
    body = assert_problem(client.get(f"/api/v1/{path}?{urlencode(query, doseq=True)}"))
    assert body["detail"] == cli_error(*args)
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
        assert error["message"] in body["detail"]


BAD_FILES = [
    ("plan", "knee.yaml", "name: x\ndevices: [{device: pad-890}]\nsites:\n  - {site: knee-cap, target: joint}\n"),
    ("validate", "knee.yaml", "name: x\ndevices:\n  - device: pad-890\n    distance: 30\n"),
    ("validate", "broken.yaml", "name: [unclosed\n"),
    ("validate", "list.yaml", "- just\n- a list\n"),
    ("compare", "comparison.yaml", "site: ankle-medial\nexposure: 10 min\npeople: {}\ntreatments: []\n"),
    ("plan", "params.yaml", "name: x\nparameters: default\ndevices: [{device: pad-890}]\nsites:\n"
                            "  - {site: wrist, target: median-nerve, exposure: 99 h}\n"),
]


@pytest.mark.parametrize(("verb", "name", "text"), BAD_FILES, ids=[f"{v}-{i}" for i, (v, _, _) in enumerate(BAD_FILES)])
def test_bad_file_gives_the_cli_message(client, tmp_path, monkeypatch, verb, name, text):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    response = client.post(f"/api/v1/{verb}?name={name}", content=text.encode(),
                           headers={"content-type": "application/yaml"})
    body = assert_problem(response)
    assert body["detail"] == cli_error(verb, name)


def test_field_errors_name_the_path_in_the_scenario(client):
    text = "name: x\ndevices: [{device: pad-890}]\nsites:\n  - {site: wrist, target: median-nerve, points: 0}\n"
    body = assert_problem(client.post("/api/v1/validate", content=text, headers={"content-type": "text/yaml"}))
    assert [e["field"] for e in body["errors"]] == ["sites[0].points"]
    assert body["detail"].startswith("scenario.yaml, line 4: sites[0].points: ")


def test_a_parameter_set_file_is_refused(client, tmp_path):
    """The web app reads no files of the server: a parameter set is a shipped one."""
    secret = tmp_path / "set.yaml"
    secret.write_text("not: read\n", encoding="utf-8")
    body = assert_problem(client.get(f"/api/v1/burn?temperature=44C&time=1h&parameters={secret}"))
    assert body["errors"][0]["field"] == "parameters"
    assert "shipped parameter sets only" in body["detail"]
    text = f"name: x\nparameters: {{set: {secret}}}\ndevices: [{{device: pad-890}}]\n"
    body = assert_problem(client.post("/api/v1/validate", content=text, headers={"content-type": "application/yaml"}))
    assert "shipped parameter sets only" in body["detail"]


def test_missing_and_malformed_query_parameters(client):
    body = assert_problem(client.get("/api/v1/depth-dose?site=ankle-medial&bmi=fat"))
    fields = {e["field"] for e in body["errors"]}
    assert {"device", "time", "bmi"} <= fields
    assert "device: missing" in body["detail"]


def test_web_limits_say_what_the_cli_allows(client):
    body = assert_problem(client.get(f"/api/v1/depth-dose?{urlencode({**PLACE_QUERY, 'solver': 'mc'})}"
                                     "&photons=5000000"))
    assert body["detail"] == ("photons: 5000000 is above the web app's limit of 1000000 photons per band; the "
                              "command line takes more")
    body = assert_problem(client.get(f"/api/v1/perfusion?{urlencode({**PLACE_QUERY, 'after': '12 h'})}"))
    assert body["detail"].startswith("after: 12 h is above the web app's limit of 4 h")
    text = ("name: x\ndevices: [{device: pad-890}]\nsites: [{site: wrist, target: median-nerve}]\n"
            "coverage: {people: 50000}\n")
    body = assert_problem(client.post("/api/v1/plan", content=text, headers={"content-type": "application/yaml"}))
    assert body["errors"] == [{"field": "coverage.people", "message": "50000 is above the web app's limit of 2000 "
                                                                      "virtual people; the command line takes more"}]


def test_unknown_address_and_method_are_problems(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.delete("/api/v1/plan"), 405)


def test_unsupported_body_type_is_refused(client):
    body = assert_problem(client.post("/api/v1/plan", content=b"\x00\x01", headers={"content-type": "image/png"}),
                          415)
    assert "YAML or JSON" in body["detail"]


def test_non_utf8_body_is_refused(client):
    body = assert_problem(client.post("/api/v1/validate", content="name: é".encode("latin-1"),
                                      headers={"content-type": "application/yaml"}))
    assert body["errors"] == [{"field": "body", "message": "the scenario is not UTF-8 text"}]


def test_a_page_error_is_html_not_json(client):
    response = client.get("/library/devices/no-such-device", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no preset device" in response.text and "Not a medical device" in response.text
    fragment = client.get("/library/devices/nope", headers={"hx-request": "true"})
    assert fragment.status_code == 404 and "<html" not in fragment.text


def test_a_bug_is_a_500_problem_without_a_traceback(client, caplog):
    """A bug in a worker: the version to report, the traceback only in the server's log."""
    from lightdose.web.pool import InternalError

    pool = client.app.state.pool
    with caplog.at_level("ERROR", logger="lightdose.web"), pytest.raises(InternalError):
        client.portal.call(lambda: pool.run("plan", {"text": "name: x"}, limit_s=60))  # no limits: a KeyError
    assert "Traceback" in caplog.text and "KeyError" in caplog.text

    from lightdose.web.problems import from_compute_error

    problem = from_compute_error(InternalError("KeyError in plan"))
    assert problem.status == 500
    assert problem.detail.startswith("internal error, please report it with lightdose ")
    assert "KeyError" not in problem.detail
