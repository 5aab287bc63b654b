"""The records' JSON API on SQLite and PostgreSQL: a clinician's day (patient, course, sessions with the dose
computed by the stages, outcomes, timeline, course summary), idempotent saves, the optimistic version check (409),
the warnings against the plan, the audit log and the researcher's de-identified cohort."""

from __future__ import annotations

from pathlib import Path

import pytest

from lightdose.records.dosimetry import person_fields, site_dose

API = "/api/v1/records"


def _patient(client, headers, **extra):
    body = {"code": "P-001", "birth_year": 1955, "sex": "female", "skin_type": "III", "bmi_kg_m2": 28.0,
            "diabetes": True, "neuropathy": True, "health": ["insensate-skin"], "notes": "private note", **extra}
    answer = client.post(f"{API}/patients", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _course(client, headers, patient_id, minutes=20.0, **extra):
    body = {"condition": "diabetic-neuropathy", "start_date": "2026-01-05", "planned_sessions": 12,
            "skin_limit_c": 42.0, "sites": [{"site": "ankle-medial", "device": "pad-890", "exposure_s": minutes * 60}],
            **extra}
    answer = client.post(f"{API}/patients/{patient_id}/courses", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _session(client, headers, course_id, day, minutes=20.0, **extra):
    body = {"started_at": f"2026-01-{day:02d}T09:00:00+01:00", "sites": ["ankle-medial"], "delivered_s": minutes * 60,
            **extra}
    return client.post(f"{API}/courses/{course_id}/sessions", json=body, headers=headers)


def test_a_clinicians_course(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    patient = _patient(client, h)
    course = _course(client, h, patient["id"])
    planned = course["plan"]["sites"][0]
    expected = site_dose("pad-890", 0.0, "ankle-medial", None, 1200.0, person_fields("III", 28.0, None, True))
    assert planned["fluence_j_mm2"] == pytest.approx(expected.target_fluence_j_mm2)
    assert planned["target"] == "tibial-nerve"
    saved = [_session(client, h, course["id"], day) for day in (5, 7, 9)]
    assert [s.status_code for s in saved] == [201, 201, 201]
    sites = [s.json()["sites"][0] for s in saved]
    assert sites[0]["target_fluence_j_mm2"] == pytest.approx(expected.target_fluence_j_mm2)
    assert sites[0]["peak_skin_c"] == pytest.approx(expected.peak_skin_c)
    assert [s["cumulative_target_fluence_j_mm2"] for s in sites] == pytest.approx(
        [expected.target_fluence_j_mm2 * n for n in (1, 2, 3)])
    assert saved[0].json()["started_at"].startswith("2026-01-05T08:00:00")  # stored in UTC
    # a session entered late shifts the cumulative dose of the later ones
    late = _session(client, h, course["id"], 6).json()
    assert late["sites"][0]["cumulative_target_fluence_j_mm2"] == pytest.approx(2 * expected.target_fluence_j_mm2)
    after = client.get(f"{API}/sessions/{saved[2].json()['id']}", headers=h).json()
    assert after["sites"][0]["cumulative_target_fluence_j_mm2"] == pytest.approx(4 * expected.target_fluence_j_mm2)

    for day, pain in ((5, 7.0), (19, 4.0)):
        answer = client.post(f"{API}/patients/{patient['id']}/outcomes", headers=h, json={
            "measured_at": f"2026-01-{day:02d}T08:30:00Z", "course_id": course["id"], "pain_nrs": pain,
            "monofilament_left_felt": 6, "monofilament_left_tested": 10, "vpt_v": 30.0})
        assert answer.status_code == 201, answer.text
    timeline = client.get(f"{API}/patients/{patient['id']}/timeline", headers=h).json()
    assert len(timeline["sessions"]) == 4 and len(timeline["outcomes"]) == 2
    assert timeline["cumulative_target_fluence_j_mm2"][f"{course['id']}:ankle-medial"] == pytest.approx(
        4 * expected.target_fluence_j_mm2)
    summary = client.get(f"{API}/courses/{course['id']}/summary", headers=h).json()
    assert summary["sessions_delivered"] == 4 and summary["adherence"] == pytest.approx(4 / 12)
    assert summary["outcome_change"]["pain_nrs"] == pytest.approx(-3.0)
    assert summary["sites"][0]["planned_target_fluence_j_mm2"] == pytest.approx(12 * expected.target_fluence_j_mm2)

    cohort = client.get(f"{API}/cohort", headers=clinic.headers("researcher"))
    assert cohort.status_code == 200
    rows = cohort.json()
    assert len(rows) == 1 and rows[0]["subject"] == "S0001" and rows[0]["pain_nrs_change"] == pytest.approx(-3.0)
    assert rows[0]["delivered_target_dose_j_cm2"] == pytest.approx(400 * expected.target_fluence_j_mm2)
    text = client.get(f"{API}/cohort.csv", headers=clinic.headers("researcher")).text
    assert "P-001" not in text and "private note" not in text and "2026" not in text
    assert text.splitlines()[0].startswith("subject,condition,birth_decade")


def test_a_stale_version_is_refused_with_a_clear_message(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    patient = _patient(client, h)
    first = client.patch(f"{API}/patients/{patient['id']}", headers=h, json={"version": 1, "notes": "first"})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.patch(f"{API}/patients/{patient['id']}", headers=h, json={"version": 1, "notes": "second"})
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"] and "nothing was saved" in second.json()["detail"]
    assert client.get(f"{API}/patients/{patient['id']}", headers=h).json()["notes"] == "first"
    course = _course(client, h, patient["id"])
    session = _session(client, h, course["id"], 5).json()
    ok = client.patch(f"{API}/sessions/{session['id']}", headers=h, json={"version": 1, "delivered_s": 600.0})
    assert ok.status_code == 200, ok.text
    assert ok.json()["sites"][0]["target_fluence_j_mm2"] == pytest.approx(
        session["sites"][0]["target_fluence_j_mm2"] / 2)
    assert client.patch(f"{API}/sessions/{session['id']}", headers=h,
                        json={"version": 1, "notes": "late"}).status_code == 409


def test_a_repeated_client_key_is_saved_once(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    course = _course(client, h, _patient(client, h)["id"])
    first = _session(client, h, course["id"], 5, client_key="tablet-1-0001")
    again = _session(client, h, course["id"], 5, client_key="tablet-1-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    summary = client.get(f"{API}/courses/{course['id']}/summary", headers=h).json()
    assert summary["sessions_delivered"] == 1


def test_breaking_the_plan_is_warned_about(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    course = _course(client, h, _patient(client, h)["id"], minutes=10.0, skin_limit_c=36.0)
    answer = client.post(f"{API}/courses/{course['id']}/sessions?dry_run=true", headers=h,
                         json={"started_at": "2026-01-05T09:00:00Z", "sites": ["ankle-medial"], "delivered_s": 2400})
    assert answer.status_code == 200
    warnings = answer.json()["warnings"]
    assert any(w.startswith("more time than planned: 40 min delivered, 10 min planned") for w in warnings)
    assert any("above the course's limit of 36 °C on insensate skin" in w for w in warnings)
    assert any("cumulative target dose" in w for w in warnings), warnings


def test_every_write_and_patient_read_is_audited(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    patient = _patient(client, h)
    client.patch(f"{API}/patients/{patient['id']}", headers=h, json={"version": 1, "skin_type": "IV"})
    client.get(f"{API}/patients/{patient['id']}", headers=h)
    log = client.get(f"{API}/audit", headers=clinic.headers("admin")).json()
    mine = [e for e in log if e["entity"] == "patient" and e["entity_id"] == patient["id"]]
    assert [e["action"] for e in mine] == ["read", "update", "create"]
    assert mine[1]["before"] == {"skin_type": "III", "version": 1, "updated_at": mine[1]["before"]["updated_at"]}
    assert mine[1]["after"]["skin_type"] == "IV"
    assert all(e["user_id"] == clinic.users["clinician"] for e in mine)
    csv_text = client.get(f"{API}/audit.csv", headers=clinic.headers("admin")).text
    assert csv_text.splitlines()[0] == "id,at,clinic_id,user_id,action,entity,entity_id,before,after"
    from sqlalchemy import text

    with pytest.raises(Exception, match="append-only"), backend.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET action = 'x'"))
    with pytest.raises(Exception, match="append-only"), backend.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))


def test_tokens_are_issued_by_password_and_revocable(backend):
    clinic = backend.clinic()
    client = backend.client
    me = client.get(f"{API}/me", headers=clinic.headers("clinician")).json()
    answer = client.post(f"{API}/tokens", json={"username": me["username"], "password": "correct horse battery",
                                                "name": "tablet"})
    assert answer.status_code == 201, answer.text
    token = answer.json()
    h = {"authorization": f"Bearer {token['token']}"}
    assert client.get(f"{API}/patients", headers=h).status_code == 200
    assert client.delete(f"{API}/tokens/{token['id']}", headers=h).status_code == 204
    assert client.get(f"{API}/patients", headers=h).status_code == 401
    wrong = client.post(f"{API}/tokens", json={"username": me["username"], "password": "wrong password!"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong username or password"


def test_a_course_planned_from_a_scenario(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    patient = _patient(client, h)
    scenario = {"name": "feet", "condition": "diabetic-neuropathy", "person": {"skin_type": "III", "neuropathy": True},
                "devices": [{"id": "pad", "device": "pad-890", "distance": "0 cm"}],
                "sites": [{"site": "ankle-medial", "target": "tibial-nerve"}],
                "schedule": "3 times a week for 4 weeks"}
    answer = client.post(f"{API}/patients/{patient['id']}/courses", headers=h, json={
        "condition": "diabetic-neuropathy", "start_date": "2026-01-05", "scenario": scenario})
    assert answer.status_code == 201, answer.text
    course = answer.json()
    assert course["planned_sessions"] == 12 and course["scenario"]["name"] == "feet"
    planned = course["plan"]["sites"][0]
    assert planned["device"] == "pad-890" and planned["target"] == "tibial-nerve" and planned["exposure_s"] > 0
    session = _session(client, h, course["id"], 5, minutes=planned["exposure_s"] / 60)
    assert session.status_code == 201 and session.json()["device"] == "pad-890"
    bad = client.post(f"{API}/patients/{patient['id']}/courses", headers=h, json={
        "condition": "x", "start_date": "2026-01-05", "scenario": {**scenario, "sites": [{"site": "nowhere"}]}})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("scenario")


LDF = Path(__file__).resolve().parents[1] / "data" / "ldf"


def test_a_laser_doppler_recording_is_kept_and_analysed(backend):
    clinic = backend.clinic()
    client, h = backend.client, clinic.headers("clinician")
    patient = _patient(client, h)
    outcome = client.post(f"{API}/patients/{patient['id']}/outcomes", headers=h, json={
        "measured_at": "2026-01-05T08:00:00Z", "pain_nrs": 6}).json()
    content = (LDF / "local_heating_semicolon.txt").read_bytes()
    answer = client.post(f"{API}/outcomes/{outcome['id']}/ldf", headers=h,
                         files={"file": ("foot-left.txt", content, "text/plain")})
    assert answer.status_code == 201, answer.text
    recording = answer.json()
    assert recording["size_bytes"] == len(content) and recording["analysis"]["file"] == "foot-left.txt"
    from lightdose.physiology.ldf_analysis import LdfRequest, analyse_recording
    from lightdose.present.ldf import ldf_json

    expected = ldf_json(analyse_recording(LdfRequest(file=str(LDF / "local_heating_semicolon.txt"))))
    assert recording["analysis"]["channels"] == expected["channels"]
    assert client.get(f"{API}/ldf/{recording['id']}", headers=h).json()["sha256"] == recording["sha256"]
    timeline = client.get(f"{API}/patients/{patient['id']}/timeline", headers=h).json()
    assert [r["id"] for r in timeline["ldf_recordings"]] == [recording["id"]]
    broken = client.post(f"{API}/outcomes/{outcome['id']}/ldf", headers=h,
                         files={"file": ("cut.txt", (LDF / "truncated_semicolon.txt").read_bytes(), "text/plain")})
    assert broken.status_code == 422 and broken.json()["detail"].startswith("file: cut.txt")
    assert "lightdose-ldf-" not in broken.text  # the temporary path is not shown


def test_clinic_devices_preset_or_own_definition(backend):
    import yaml

    from lightdose.data import __file__ as data_init  # the package's data folder

    clinic = backend.clinic()
    client, admin, h = backend.client, clinic.headers("admin"), clinic.headers("clinician")
    solar = client.post(f"{API}/devices", headers=admin, json={
        "name": "knee panel", "preset": "panel-660-850",
        "measurements": [{"distance_mm": 150, "irradiance_w_mm2": 0.0003, "meter": "solar"}]})
    assert solar.status_code == 201, solar.text
    assert any("'solar' power meter" in w for w in solar.json()["warnings"])  # the irradiance stage's own warning
    assert solar.json()["measurements"][0]["model_irradiance_w_mm2"] > 0
    definition = yaml.safe_load((Path(data_init).parent / "devices" / "pad-890.yaml").read_text())
    definition["name"] = "our pad"
    own = client.post(f"{API}/devices", headers=admin, json={"name": "our pad", "definition": definition})
    assert own.status_code == 201, own.text
    both = client.post(f"{API}/devices", headers=admin, json={"name": "x", "preset": "pad-890",
                                                               "definition": definition})
    assert both.status_code == 422
    unknown = client.post(f"{API}/devices", headers=admin, json={"name": "y", "preset": "no-such-device"})
    assert unknown.status_code == 422 and "no-such-device" in unknown.json()["detail"]
    course = _course(client, h, _patient(client, h)["id"])
    session = _session(client, h, course["id"], 5, device_id=own.json()["id"])
    assert session.status_code == 201, session.text
    preset = _session(client, h, course["id"], 6)
    assert session.json()["device"] == "our pad" and session.json()["device_id"] == own.json()["id"]
    assert session.json()["sites"][0]["target_fluence_j_mm2"] == pytest.approx(
        preset.json()["sites"][0]["target_fluence_j_mm2"])  # the same pad under another name
    corrected = client.patch(f"{API}/sessions/{session.json()['id']}", headers=h,
                             json={"version": 1, "delivered_s": 600})
    assert corrected.status_code == 200, corrected.text
