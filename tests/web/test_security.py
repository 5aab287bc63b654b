"""Security headers on every response, pages without inline script or style and without other origins, and
everything a user typed escaped wherever a page echoes it."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest

from lightdose.web.app import CONTENT_SECURITY_POLICY

PAGES = ["/", "/explore", "/explore?device=panel-660-850&distance=15%20cm&site=knee&time=10%20min", "/plan",
         "/plan?example=knee-panel.yaml", "/compare", "/library/devices", "/library/devices/panel-630",
         "/library/devices/heating-pad-42", "/library/sites", "/library/tissues", "/library/tissues/dermis",
         "/designer", "/api", "/problems/time-limit"]
ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class _Audit(HTMLParser):
    """Collects what a page must not have: inline scripts, style attributes or elements, event handlers, other
    origins."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"script without a /static/ src: {attrs}")
        if tag == "style":
            self.problems.append("a <style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("src", "href", "action", "hx-get", "hx-post") and value and (
                    value.startswith(("http:", "https:", "//")) or value.startswith("javascript:")):
                self.problems.append(f"<{tag} {name}={value}>: another origin")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append("an inline script")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    return parser.problems


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    assert "frame-ancestors" in csp


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_the_headers_and_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert_security_headers(response)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert audit(response.text) == []
    assert "Not a medical device" in response.text


def test_the_policy_allows_only_this_origin():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/api/v1/devices", "/api/v1/nothing", "/static/app.js",
                                  "/static/vendor/htmx.min.js"])
def test_api_and_static_files_have_the_headers(client, path):
    assert_security_headers(client.get(path))


def test_static_javascript_is_served_as_javascript(client):
    for path in ("/static/app.js", "/static/vendor/htmx.min.js", "/static/vendor/uPlot.iife.min.js"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")


def _assert_escaped(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html
    assert audit(html) == []


EXPLORER_FIELDS = ["device", "own", "distance", "site", "time", "skin_type", "bmi", "fat", "dermal_blood", "after"]


@pytest.mark.parametrize("field", EXPLORER_FIELDS)
def test_the_explorer_escapes_every_field(client, field):
    query = {"device": "own" if field == "own" else "pad-890", field: ATTACK}
    for path in ("/explore", "/explore/results", "/explore/session"):
        response = client.get(f"{path}?{urlencode(query)}")
        _assert_escaped(response.text)


DESIGNER_FIELDS = ["name", "kind", "rows", "columns", "pitch_x", "pitch_y", "wavelength", "power", "fwhm",
                   "wavelength2", "power2", "fwhm2", "beam", "half_angle", "face", "size", "distance"]


@pytest.mark.parametrize("field", DESIGNER_FIELDS)
def test_the_designer_escapes_every_field(client, field):
    for path in ("/designer", "/designer/result"):
        response = client.get(f"{path}?{urlencode({field: ATTACK})}")
        _assert_escaped(response.text)
    assert "&lt;script&gt;" in client.get(f"/designer?{urlencode({field: ATTACK})}").text


def test_the_plan_builder_escapes_the_form_the_text_and_the_file_name(client):
    form = {"source": "form", "action": "check", "t:name": ATTACK, "t:description": ATTACK,
            "t:devices[0].device": ATTACK, "y:devices[0].distance": ATTACK, "t:sites[0].site": ATTACK,
            "y:schedule": ATTACK}
    response = client.post("/plan", data=form, headers={"hx-request": "true"})
    _assert_escaped(response.text)
    assert "&lt;script&gt;" in response.text
    response = client.post("/plan", data={"source": "yaml", "action": "check", "yaml": f"name: '{ATTACK}'\n"})
    _assert_escaped(response.text)
    response = client.post("/plan", data={"source": "yaml", "action": "run"},
                           files={"file": (f"{ATTACK}.yaml", f"name: {ATTACK}\n".encode())})
    _assert_escaped(response.text)


def test_the_comparison_escapes_its_text(client):
    response = client.post("/compare", data={"yaml": f"site: '{ATTACK}'\n"}, headers={"hx-request": "true"})
    _assert_escaped(response.text)
    assert "&lt;script&gt;" in response.text


def test_problem_pages_escape_the_address(client):
    for path in (f"/nothing{quote(ATTACK)}", f"/library/devices/{quote(ATTACK)}",
                 f"/library/tissues/{quote(ATTACK)}", f"/plan?example={quote(ATTACK)}",
                 f"/plan/jobs/{quote(ATTACK)}/coverage"):
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code in (404, 422)
        _assert_escaped(response.text)


def test_a_plan_report_may_not_run_scripts(client):
    """The report (inline style, images as data URIs) is served with a policy of its own: no script at all."""
    from tests.web.test_pages import run_plan

    job_id = run_plan(client, people=0)
    response = client.get(f"/plan/jobs/{job_id}/report.html")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script" not in csp and "frame-ancestors 'self'" in csp
    assert "<script" not in response.text


def test_a_post_from_another_site_is_refused(client):
    """A form of another site posted to this server (the browser names its origin) makes it compute nothing."""
    response = client.post("/api/v1/validate", content=b"name: x\n", headers={
        "origin": "http://evil.example", "content-type": "application/yaml"})
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/forbidden"
    same = client.post("/api/v1/validate", content=b"name: x\n", headers={
        "origin": "http://testserver", "content-type": "application/yaml"})
    assert same.status_code == 422
