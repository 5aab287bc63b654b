"""The records' pages, ``/records`` (docs/records.md): login and logout, the clinician's patient list, a patient's
timeline (sessions and outcomes on one time axis, the cumulative target dose per site, trend plots), a course's
summary with the session entry form (large inputs for a tablet at the couch; what breaks the plan is shown before
saving, and saving then needs a second, explicit click), the researcher's de-identified cohort and the admin's
users and audit log.

Every form carries the login's CSRF token; the login cookie is HttpOnly, SameSite=Strict and Secure over HTTPS.
Plots are inline SVG drawn here from the stored numbers (no script; the pages' Content-Security-Policy holds)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from lightdose.errors import InputError
from lightdose.model_base import describe_validation_error
from lightdose.records import auth, cohort, schemas, service
from lightdose.records.auth import Actor
from lightdose.records.dosimetry import j_cm2
from lightdose.web.problems import Problem
from lightdose.web.records_api import record_session
from lightdose.web.records_web import COOKIE, login, problems, run, secure_cookie, store_of
from lightdose.web.render import render

router = APIRouter(prefix="/records", include_in_schema=False)
ANY_ROLE = ("admin", "clinician", "researcher")
NO_STORE = {"cache-control": "no-store", "referrer-policy": "same-origin"}
"""Pages with patient data are not kept in the browser's cache. Their referrer policy is same-origin (the app's
default is no-referrer): under no-referrer a browser sends ``Origin: null`` with a form's POST, which the app's
cross-site check refuses; same-origin still sends nothing to another site."""


def _page(request: Request, template: str, actor: Actor | None, status_code: int = 200, **context: Any) -> Response:
    return render(request, template, status_code=status_code, headers=NO_STORE, actor=actor,
                  title=context.pop("title", "Records"), **context)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/records/login", status_code=303)


def _form_actor(request: Request, db: Session, form: Any) -> Actor:
    """The logged-in actor of a form post, its CSRF token checked."""
    from lightdose.web.records_web import actor_of

    actor = auth.require(actor_of(request, db, write=False), *ANY_ROLE)
    auth.check_csrf(actor, form.get("csrf_token"))
    return actor


def _fields(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The non-empty form fields among `names`."""
    return {n: form.get(n) for n in names if form.get(n) not in (None, "")}


def _input_problem(exc: ValidationError | InputError) -> str:
    return describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)


# --- login ----------------------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _page(request, "records_login.html", None, title="Log in", error=None)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", ""))[:200], str(form.get("password", ""))[:200]
    from starlette.concurrency import run_in_threadpool

    try:
        user = await run_in_threadpool(login, request, username, password)
    except Problem as problem:
        return _page(request, "records_login.html", None, status_code=problem.status, title="Log in",
                     error=problem.detail)

    def start(db: Session, actor: Actor | None) -> str:
        token, _ = auth.start_login_session(db, user)
        return token

    token = await run_in_threadpool(run, request, start, True)
    response = RedirectResponse("/records", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookie(request),
                        max_age=int(auth.SESSION_LIFETIME.total_seconds()), path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    token = request.cookies.get(COOKIE, "")

    def end(db: Session, actor: Actor | None) -> None:
        _form_actor(request, db, form)
        auth.end_login_session(db, token)

    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(run, request, end, True)
    response = _to_login()
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookie(request))
    return response


# --- home -----------------------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def home(request: Request) -> Response:
    from lightdose.web.records_web import actor_of

    store = store_of(request)
    from lightdose.records.db import transaction

    with problems(), transaction(store.factory) as db:
        actor = actor_of(request, db, write=False)
        if actor is None:
            return _to_login()
        if actor.role == "researcher":
            return RedirectResponse("/records/cohort", status_code=303)
        if actor.role == "admin":
            return _page(request, "records_admin.html", actor, users=service.list_users(db, actor),
                         devices=service.list_devices(db, actor), audit=service.audit_log(db, actor, limit=50))
        return _page(request, "records_patients.html", actor, patients=service.list_patients(db, actor),
                     error=None, form={})


PATIENT_FIELDS = ("code", "birth_year", "sex", "skin_type", "bmi_kg_m2", "contraindications", "notes")


@router.post("/patients")
async def create_patient(request: Request) -> Response:
    form = await request.form()
    from starlette.concurrency import run_in_threadpool

    def action(db: Session, actor: Actor | None) -> Response:
        who = _form_actor(request, db, form)
        data = _fields(form, PATIENT_FIELDS)
        data.update({flag: form.get(flag) == "on" for flag in ("diabetes", "neuropathy")})
        if form.get("insensate") == "on":
            data["health"] = ["insensate-skin"]
        try:
            patient = service.create_patient(db, who, schemas.PatientIn.model_validate(data))
        except (ValidationError, InputError) as exc:
            return _page(request, "records_patients.html", who, status_code=422,
                         patients=service.list_patients(db, who), error=_input_problem(exc), form=data)
        return RedirectResponse(f"/records/patients/{patient['id']}", status_code=303)

    result: Response = await run_in_threadpool(run, request, action, True)
    return result


# --- the patient's timeline -----------------------------------------------------------------------------------


def _svg_series(points: list[tuple[float, float]], width: int = 640, height: int = 180) -> dict[str, Any] | None:
    """A polyline of (x, y) points scaled into a `width` × `height` box, with its axis ranges."""
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(0.0, min(ys)), max(ys) if max(ys) > 0 else 1.0
    pad = 30
    scaled = [(pad + (x - x0) / (x1 - x0) * (width - 2 * pad), height - pad - (y - y0) / (y1 - y0) * (height - 2 * pad))
              for x, y in points]
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in scaled), "dots": scaled, "x0": x0, "x1": x1,
            "y0": y0, "y1": y1, "width": width, "height": height}


def _timeline_context(data: dict[str, Any]) -> dict[str, Any]:
    """The timeline's rows (sessions and outcomes in time order, days since the first course started) and its
    plots: the cumulative target dose per site [J/cm²] and each outcome measure."""
    starts = [dt.date.fromisoformat(c["start_date"]) for c in data["courses"]]
    origin = min(starts) if starts else dt.date.today()

    def day(moment: str) -> float:
        when = dt.datetime.fromisoformat(moment)
        return (when.date() - origin).days + when.hour / 24

    events: list[dict[str, Any]] = []
    cumulative: dict[str, list[tuple[float, float]]] = {}
    for s in data["sessions"]:
        events.append({"kind": "session", "day": day(s["started_at"]), "row": s})
        for site in s["sites"]:
            if site["cumulative_target_fluence_j_mm2"] is not None:
                cumulative.setdefault(site["site"], []).append(
                    (day(s["started_at"]), j_cm2(site["cumulative_target_fluence_j_mm2"]) or 0.0))
    for o in data["outcomes"]:
        events.append({"kind": "outcome", "day": day(o["measured_at"]), "row": o})
    events.sort(key=lambda e: e["day"])
    trends = {}
    for measure, label in (("pain_nrs", "pain (NRS 0–10)"), ("vpt_v", "vibration threshold [V]"),
                           ("mnsi_score", "MNSI examination score")):
        points = [(day(o["measured_at"]), float(o[measure])) for o in data["outcomes"] if o[measure] is not None]
        if points:
            trends[label] = _svg_series(points)
    return {"events": events, "origin": origin.isoformat(),
            "dose_plots": {site: _svg_series(points) for site, points in cumulative.items()}, "trends": trends}


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: int) -> Response:
    def action(db: Session, actor: Actor | None) -> Response:
        if actor is None:
            return _to_login()
        data = service.timeline(db, actor, patient_id)
        return _page(request, "records_patient.html", actor, title=f"Patient {data['patient']['code']}", data=data,
                     **_timeline_context(data), error=None, today=dt.date.today().isoformat())

    result: Response = run(request, action)
    return result


COURSE_FIELDS = ("condition", "schedule", "planned_sessions", "skin_limit_c", "start_date")


@router.post("/patients/{patient_id}/courses")
async def create_course(request: Request, patient_id: int) -> Response:
    form = await request.form()
    from starlette.concurrency import run_in_threadpool

    def action(db: Session, actor: Actor | None) -> Response:
        who = _form_actor(request, db, form)
        data: dict[str, Any] = _fields(form, COURSE_FIELDS)
        try:
            minutes = float(str(form.get("minutes", "")))
        except ValueError:
            minutes = 0.0
        data["sites"] = [{"site": form.get("site"), "device": form.get("device"),
                          "distance_mm": form.get("distance_mm") or 0.0, "exposure_s": minutes * 60}]
        try:
            course = service.create_course(db, who, patient_id, schemas.CourseIn.model_validate(data))
        except (ValidationError, InputError) as exc:
            raise Problem(422, "invalid-input", _input_problem(exc)) from None
        return RedirectResponse(f"/records/courses/{course['id']}", status_code=303)

    result: Response = await run_in_threadpool(run, request, action, True)
    return result


OUTCOME_FIELDS = ("measured_at", "course_id", "pain_nrs", "monofilament_left_felt", "monofilament_left_tested",
                  "monofilament_right_felt", "monofilament_right_tested", "vpt_v", "mnsi_score",
                  "single_leg_stance_s", "timed_up_and_go_s", "skin_temp_c", "notes")


@router.post("/patients/{patient_id}/outcomes")
async def create_outcome(request: Request, patient_id: int) -> Response:
    form = await request.form()
    from starlette.concurrency import run_in_threadpool

    def action(db: Session, actor: Actor | None) -> Response:
        who = _form_actor(request, db, form)
        try:
            service.create_outcome(db, who, patient_id, schemas.OutcomeIn.model_validate(_fields(form,
                                                                                                 OUTCOME_FIELDS)))
        except (ValidationError, InputError) as exc:
            raise Problem(422, "invalid-input", _input_problem(exc)) from None
        return RedirectResponse(f"/records/patients/{patient_id}", status_code=303)

    result: Response = await run_in_threadpool(run, request, action, True)
    return result


@router.post("/patients/{patient_id}/ldf")
async def attach_ldf(request: Request, patient_id: int) -> Response:
    """Upload a laser-Doppler recording with one of the patient's outcomes."""
    form = await request.form()
    upload = form.get("file")
    content, filename = b"", "recording.txt"
    if isinstance(upload, StarletteUpload):
        content, filename = await upload.read(), upload.filename or filename
    from starlette.concurrency import run_in_threadpool

    def action(db: Session, actor: Actor | None) -> Response:
        who = _form_actor(request, db, form)
        try:
            outcome_id = int(str(form.get("outcome_id", "")))
        except ValueError:
            raise Problem(422, "invalid-input", "outcome_id: choose the outcome the recording belongs to") from None
        outcome = service.get_outcome(db, who, outcome_id)
        if outcome["patient_id"] != patient_id:
            raise Problem(422, "invalid-input", f"outcome_id: outcome {outcome_id} is not this patient's")
        service.attach_ldf(db, who, outcome_id, filename, content)
        return RedirectResponse(f"/records/patients/{patient_id}", status_code=303)

    result: Response = await run_in_threadpool(run, request, action, True)
    return result


# --- the course: summary and session entry ---------------------------------------------------------------------


def _course_page(request: Request, actor: Actor, db: Session, course_id: int, status_code: int = 200,
                 **extra: Any) -> Response:
    summary = service.course_summary(db, actor, course_id)
    patient = service.get_patient(db, actor, summary["course"]["patient_id"])
    context = {"entry": {}, "preview": None, "error": None, **extra}
    return _page(request, "records_course.html", actor, status_code=status_code,
                 title=f"Course {course_id} · {patient['code']}", summary=summary, patient=patient,
                 now=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M"), new_key=secrets.token_hex(16), **context)


@router.get("/courses/{course_id}", response_class=HTMLResponse)
def course_page(request: Request, course_id: int) -> Response:
    def action(db: Session, actor: Actor | None) -> Response:
        if actor is None:
            return _to_login()
        return _course_page(request, actor, db, course_id)

    result: Response = run(request, action)
    return result


SESSION_FIELDS = ("started_at", "skin_before", "skin_after", "adverse_events", "notes", "client_key")


@router.post("/courses/{course_id}/sessions")
async def create_session(request: Request, course_id: int) -> Response:
    """The session entry: a first post computes the session and shows what breaks the plan; with warnings, saving
    needs the second post's explicit confirmation (``confirm``)."""
    form = await request.form()
    from starlette.concurrency import run_in_threadpool

    entry = _fields(form, (*SESSION_FIELDS, "minutes", "site", "device", "distance_mm"))
    await run_in_threadpool(run, request, lambda db, actor: _form_actor(request, db, form))
    try:
        data = {k: entry[k] for k in SESSION_FIELDS if k in entry}
        data["sites"] = [entry.get("site", "")]
        data["delivered_s"] = float(entry.get("minutes", "0")) * 60
        if entry.get("device"):
            data["device"] = entry["device"]
        if entry.get("distance_mm"):
            data["distance_mm"] = entry["distance_mm"]
        body = schemas.SessionIn.model_validate(data)
    except (ValidationError, ValueError) as exc:
        message = _input_problem(exc) if isinstance(exc, ValidationError) else "minutes: give a number"
        return await run_in_threadpool(run, request, lambda db, actor: _course_page(
            request, auth.require(actor, *ANY_ROLE), db, course_id, 422, entry=entry, error=message))
    try:
        preview, _ = await run_in_threadpool(record_session, request, course_id, body, True)
    except Problem as problem:
        if problem.status != 422:
            raise
        detail = problem.detail
        return await run_in_threadpool(run, request, lambda db, actor: _course_page(
            request, auth.require(actor, *ANY_ROLE), db, course_id, 422, entry=entry, error=detail))
    if preview["warnings"] and form.get("confirm") != "yes":
        return await run_in_threadpool(run, request, lambda db, actor: _course_page(
            request, auth.require(actor, *ANY_ROLE), db, course_id, entry=entry, preview=preview))
    await run_in_threadpool(record_session, request, course_id, body)
    return RedirectResponse(f"/records/courses/{course_id}", status_code=303)


# --- the researcher's cohort and the admin's audit log ---------------------------------------------------------


@router.get("/cohort", response_class=HTMLResponse)
def cohort_page(request: Request) -> Response:
    def action(db: Session, actor: Actor | None) -> Response:
        if actor is None:
            return _to_login()
        rows = cohort.cohort(db, actor)
        points = [(r["delivered_target_dose_j_cm2"] or 0.0, r["pain_nrs_change"]) for r in rows
                  if r["pain_nrs_change"] is not None]
        return _page(request, "records_cohort.html", actor, title="Cohort", rows=rows, columns=cohort.COLUMNS,
                     cohort_plot=_svg_series(sorted(points)))

    result: Response = run(request, action)
    return result


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    def action(db: Session, actor: Actor | None) -> Response:
        if actor is None:
            return _to_login()
        return _page(request, "records_audit.html", actor, title="Audit log",
                     entries=service.audit_log(db, actor, limit=500))

    result: Response = run(request, action)
    return result


__all__ = ["router"]
