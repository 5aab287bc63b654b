"""The records' pages (TestClient): login with an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), the CSRF token
on every form, logout that invalidates the cookie, the per-account lockout and the per-address rate limit, the
session entry that warns before saving when the session breaks the plan, and the pages of each role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from lightdose.records.db import make_engine, session_factory, upgrade
from lightdose.web.app import create_app
from lightdose.web.settings import Settings
from tests.records.conftest import PASSWORD, make_clinic

API = "/api/v1/records"


def _username(backend, clinic, role):
    return backend.client.get(f"{API}/me", headers=clinic.headers(role)).json()["username"]


def _login(app, username, password=PASSWORD, **client_options):
    pages = TestClient(app, **client_options)
    answer = pages.post("/records/login", data={"username": username, "password": password}, follow_redirects=False)
    return pages, answer


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_csrf_and_logout(backend):
    clinic = backend.clinic()
    app = backend.client.app
    anonymous = TestClient(app)
    assert anonymous.get("/records", follow_redirects=False).headers["location"] == "/records/login"
    _, wrong = _login(app, _username(backend, clinic, "clinician"), "not the password")
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    pages, answer = _login(app, _username(backend, clinic, "clinician"))
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie and "Secure" not in cookie
    home = pages.get("/records")
    assert home.status_code == 200 and home.headers["cache-control"] == "no-store"
    token = _csrf(home.text)
    refused = pages.post("/records/patients", data={"code": "no-csrf"}, follow_redirects=False)
    assert refused.status_code == 403
    stale = pages.post("/records/patients", data={"code": "bad-csrf", "csrf_token": "x" * 43}, follow_redirects=False)
    assert stale.status_code == 403
    cross_site = pages.post("/records/patients", data={"code": "x", "csrf_token": token},
                            headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert cross_site.status_code == 403
    made = pages.post("/records/patients", data={"code": "FORM-1", "csrf_token": token, "skin_type": "IV"},
                      follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/records/patients/")
    patient_page = pages.get(made.headers["location"])
    assert "FORM-1" in patient_page.text
    # the API with the cookie: reads work, writes need the CSRF token in a header
    assert pages.get(f"{API}/patients").status_code == 200
    assert pages.post(f"{API}/patients", json={"code": "api-no-csrf"}).status_code == 403
    assert pages.post(f"{API}/patients", json={"code": "api-csrf"}, headers={"x-csrf-token": token}).status_code == 201
    old_cookie = pages.cookies.get("lightdose_login")
    out = pages.post("/records/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    replay = TestClient(app, cookies={"lightdose_login": old_cookie})
    assert replay.get("/records", follow_redirects=False).status_code == 303
    assert replay.get(f"{API}/patients").status_code == 401


def test_the_cookie_is_secure_over_https(backend):
    clinic = backend.clinic()
    _, answer = _login(backend.client.app, _username(backend, clinic, "clinician"), base_url="https://testserver")
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_lockout_and_rate_limit(new_url):
    url = new_url()
    app = create_app(Settings(workers=1, warm=False, database_url=url))
    client = TestClient(app)
    engine = make_engine(url)
    upgrade(engine)
    clinic = make_clinic(session_factory(engine))
    engine.dispose()
    username = client.get(f"{API}/me", headers=clinic.headers("clinician")).json()["username"]
    for _ in range(5):
        assert client.post(f"{API}/tokens", json={"username": username, "password": "wrong password"}
                           ).status_code == 401
    locked = client.post(f"{API}/tokens", json={"username": username, "password": PASSWORD})
    assert locked.status_code == 429 and "locked" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) > 0
    for _ in range(4):  # 10 attempts from this address within the minute
        client.post(f"{API}/tokens", json={"username": "nobody", "password": "x"})
    limited = client.post(f"{API}/tokens", json={"username": "nobody", "password": "x"})
    assert limited.status_code == 429 and "too many login attempts" in limited.json()["detail"]
    page = client.post("/records/login", data={"username": "nobody", "password": "x"})
    assert page.status_code == 429 and "too many login attempts" in page.text
    log = client.get(f"{API}/audit", headers=clinic.headers("admin")).json()
    assert sum(e["action"] == "login-failed" for e in log) == 6


def test_session_entry_warns_before_saving(backend):
    clinic = backend.clinic()
    pages, _ = _login(backend.client.app, _username(backend, clinic, "clinician"))
    token = _csrf(pages.get("/records").text)
    patient = pages.post("/records/patients", data={"code": "TAB-1", "csrf_token": token, "neuropathy": "on",
                                                    "insensate": "on"}, follow_redirects=False)
    course = pages.post(patient.headers["location"] + "/courses", follow_redirects=False, data={
        "csrf_token": token, "condition": "diabetic-neuropathy", "site": "ankle-medial", "device": "pad-890",
        "distance_mm": "0", "minutes": "10", "planned_sessions": "12", "skin_limit_c": "38",
        "start_date": "2026-04-01"})
    assert course.status_code == 303, course.text
    course_page = pages.get(course.headers["location"])
    assert 'id="save-session"' in course_page.text and "Save the session" in course_page.text
    entry = {"csrf_token": token, "started_at": "2026-04-01T09:00", "site": "ankle-medial", "device": "pad-890",
             "distance_mm": "0", "minutes": "30", "skin_before": "intact", "client_key": "tablet-entry-1"}
    preview = pages.post(course.headers["location"] + "/sessions", data=entry, follow_redirects=False)
    assert preview.status_code == 200
    assert "This session breaks the plan" in preview.text and "Save anyway" in preview.text
    assert "more time than planned: 30 min delivered, 10 min planned" in preview.text
    assert "on insensate skin" in preview.text
    course_id = course.headers["location"].rsplit("/", 1)[-1]
    summary = backend.client.get(f"{API}/courses/{course_id}/summary", headers=clinic.headers("clinician")).json()
    assert summary["sessions_delivered"] == 0  # nothing saved before the confirmation
    saved = pages.post(course.headers["location"] + "/sessions", data={**entry, "confirm": "yes"},
                       follow_redirects=False)
    assert saved.status_code == 303
    again = pages.post(course.headers["location"] + "/sessions", data={**entry, "confirm": "yes"},
                       follow_redirects=False)  # a double tap: the same client key
    assert again.status_code == 303
    summary = backend.client.get(f"{API}/courses/{course_id}/summary", headers=clinic.headers("clinician")).json()
    assert summary["sessions_delivered"] == 1
    timeline = pages.get(patient.headers["location"])
    assert "cumulative-dose" in timeline.text and 'class="trend"' in timeline.text
    bad = pages.post(course.headers["location"] + "/sessions", data={**entry, "minutes": "many"})
    assert bad.status_code == 422 and "minutes" in bad.text


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_the_pages_of_each_role(backend, role):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    patient = client.post(f"{API}/patients", headers=h, json={"code": "SECRET-CODE", "notes": "secret note"}).json()
    pages, _ = _login(backend.client.app, _username(backend, clinic, role))
    home = pages.get("/records")
    assert home.status_code == 200
    assert pages.get(f"/records/patients/{patient['id']}").status_code == 403
    if role == "researcher":
        assert "Cohort (de-identified)" in home.text and "SECRET-CODE" not in home.text
        assert "secret note" not in pages.get(f"{API}/cohort.csv").text
    else:
        assert "Users and devices" in home.text
        audit = pages.get("/records/audit")
        assert audit.status_code == 200 and "login" in audit.text
        assert pages.get("/records/cohort").status_code == 403
