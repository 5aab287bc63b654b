"""The records' JSON API, ``/api/v1/records/`` (docs/records.md): patients, courses, sessions, outcomes, devices,
users, API tokens, the audit log and the researcher's cohort. Every endpoint checks the role (401 without a login
or token, 403 for another role) and answers 404 for another clinic's rows; writes are audited and committed before
the answer; an edit with a stale ``version`` is a 409.

The endpoints are plain functions (FastAPI runs them in its thread pool), since every one of them waits on the
database; the dose of a session is computed between a short read and the write, outside any transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from lightdose.records import auth, cohort, schemas, service
from lightdose.records.auth import Actor
from lightdose.records.models import User
from lightdose.web.records_web import credentials_sent, login, problems, run

public = APIRouter(prefix="/api/v1/records", include_in_schema=False)
"""The one endpoint without a login: an API token for a username and password."""
router = APIRouter(prefix="/api/v1/records", include_in_schema=False, dependencies=[Depends(credentials_sent)])
ANY_ROLE = ("admin", "clinician", "researcher")


def _created(data: Any) -> JSONResponse:
    return JSONResponse(data, status_code=201)


# --- tokens ---------------------------------------------------------------------------------------------------


@public.post("/tokens")
def create_token(request: Request, body: schemas.TokenIn) -> JSONResponse:
    """An API token for the user whose username and password are given (shown once)."""
    user = login(request, body.username, body.password)

    def action(db: Session, actor: Actor | None) -> dict[str, Any]:
        row, token = auth.create_token(db, db.get(User, user.id) or user, body.name)
        return {"id": row.id, "name": row.name, "token": token, "role": user.role}

    return _created(run(request, action, write=True))


@router.get("/tokens")
def list_tokens(request: Request) -> Any:
    def action(db: Session, actor: Actor | None) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from lightdose.records.audit import plain
        from lightdose.records.models import ApiToken

        me = auth.require(actor, *ANY_ROLE)
        rows = db.scalars(select(ApiToken).where(ApiToken.user_id == me.user_id).order_by(ApiToken.id)).all()
        return [{"id": r.id, "name": r.name, "created_at": plain(r.created_at), "last_used_at": plain(r.last_used_at),
                 "revoked_at": plain(r.revoked_at)} for r in rows]

    return run(request, action)


@router.delete("/tokens/{token_id}")
def revoke_token(request: Request, token_id: int) -> Response:
    run(request, lambda db, actor: auth.revoke_token(db, auth.require(actor, *ANY_ROLE), token_id), write=True)
    return Response(status_code=204)


@router.get("/me")
def me(request: Request) -> Any:
    def action(db: Session, actor: Actor | None) -> dict[str, Any]:
        who = auth.require(actor, *ANY_ROLE)
        return {"id": who.user_id, "username": who.username, "role": who.role, "clinic_id": who.clinic_id}

    return run(request, action)


# --- patients -------------------------------------------------------------------------------------------------


@router.get("/patients")
def list_patients(request: Request) -> Any:
    return run(request, lambda db, actor: service.list_patients(db, auth.require(actor, *ANY_ROLE)))


@router.post("/patients")
def create_patient(request: Request, body: schemas.PatientIn) -> JSONResponse:
    return _created(run(request, lambda db, a: service.create_patient(db, auth.require(a, *ANY_ROLE), body), True))


@router.get("/patients/{patient_id}")
def get_patient(request: Request, patient_id: int) -> Any:
    return run(request, lambda db, actor: service.get_patient(db, auth.require(actor, *ANY_ROLE), patient_id))


@router.patch("/patients/{patient_id}")
def update_patient(request: Request, patient_id: int, body: schemas.PatientPatch) -> Any:
    return run(request, lambda db, a: service.update_patient(db, auth.require(a, *ANY_ROLE), patient_id, body), True)


@router.get("/patients/{patient_id}/timeline")
def timeline(request: Request, patient_id: int) -> Any:
    return run(request, lambda db, actor: service.timeline(db, auth.require(actor, *ANY_ROLE), patient_id))


# --- courses --------------------------------------------------------------------------------------------------


@router.post("/patients/{patient_id}/courses")
def create_course(request: Request, patient_id: int, body: schemas.CourseIn) -> JSONResponse:
    return _created(run(request, lambda db, a: service.create_course(db, auth.require(a, *ANY_ROLE), patient_id,
                                                                     body), True))


@router.get("/courses/{course_id}")
def get_course(request: Request, course_id: int) -> Any:
    return run(request, lambda db, actor: service.get_course(db, auth.require(actor, *ANY_ROLE), course_id))


@router.patch("/courses/{course_id}")
def update_course(request: Request, course_id: int, body: schemas.CoursePatch) -> Any:
    return run(request, lambda db, a: service.update_course(db, auth.require(a, *ANY_ROLE), course_id, body), True)


@router.get("/courses/{course_id}/summary")
def course_summary(request: Request, course_id: int) -> Any:
    return run(request, lambda db, actor: service.course_summary(db, auth.require(actor, *ANY_ROLE), course_id))


# --- sessions -------------------------------------------------------------------------------------------------


def record_session(request: Request, course_id: int, body: schemas.SessionIn,
                   dry_run: bool = False) -> tuple[dict[str, Any], bool]:
    """Check, compute and (unless `dry_run`) save a session: (the answer, whether a new session was saved). A
    dry run answers the computed sites and the warnings against the plan."""

    def prepare(db: Session, actor: Actor | None) -> tuple[Any, Any]:
        who = auth.require(actor, *ANY_ROLE)
        existing = None if dry_run else service.existing_session(db, who, body.client_key)
        return existing, (None if existing else service.prepare_session(db, who, course_id, body))

    existing, inputs = run(request, prepare)
    if existing is not None:
        return existing, False
    with problems():
        doses = service.compute_doses(inputs)
    if dry_run:
        warnings = run(request, lambda db, actor: service.check_session(db, auth.require(actor, *ANY_ROLE), inputs,
                                                                        doses))
        return {"sites": [vars(d) for d in doses], "warnings": warnings, "device": inputs.device,
                "distance_mm": inputs.distance_mm, "planned_s": inputs.planned_s}, False
    return run(request, lambda db, actor: service.save_session(db, auth.require(actor, *ANY_ROLE), inputs, doses),
               write=True)


@router.post("/courses/{course_id}/sessions")
def create_session(request: Request, course_id: int, body: schemas.SessionIn,
                   dry_run: Annotated[bool, Query()] = False) -> JSONResponse:
    """Record a delivered session (201; 200 with the saved one for a repeated `client_key`); `dry_run=true`
    computes it and lists what breaks the plan without saving."""
    answer, new = record_session(request, course_id, body, dry_run)
    return JSONResponse(answer, status_code=201 if new else 200)


@router.get("/sessions/{session_id}")
def get_session(request: Request, session_id: int) -> Any:
    return run(request, lambda db, actor: service.get_session(db, auth.require(actor, *ANY_ROLE), session_id))


@router.patch("/sessions/{session_id}")
def update_session(request: Request, session_id: int, body: schemas.SessionPatch) -> Any:
    return run(request, lambda db, a: service.update_session(db, auth.require(a, *ANY_ROLE), session_id, body), True)


# --- outcomes -------------------------------------------------------------------------------------------------


@router.post("/patients/{patient_id}/outcomes")
def create_outcome(request: Request, patient_id: int, body: schemas.OutcomeIn) -> JSONResponse:
    return _created(run(request, lambda db, a: service.create_outcome(db, auth.require(a, *ANY_ROLE), patient_id,
                                                                      body), True))


@router.get("/outcomes/{outcome_id}")
def get_outcome(request: Request, outcome_id: int) -> Any:
    return run(request, lambda db, actor: service.get_outcome(db, auth.require(actor, *ANY_ROLE), outcome_id))


@router.patch("/outcomes/{outcome_id}")
def update_outcome(request: Request, outcome_id: int, body: schemas.OutcomePatch) -> Any:
    return run(request, lambda db, a: service.update_outcome(db, auth.require(a, *ANY_ROLE), outcome_id, body), True)


@router.post("/outcomes/{outcome_id}/ldf")
def attach_ldf(request: Request, outcome_id: int, file: UploadFile) -> JSONResponse:
    """Upload a laser-Doppler recording (multipart field `file`) with an outcome: kept and analysed (201)."""
    content = file.file.read()
    name = file.filename or "recording.txt"
    return _created(run(request, lambda db, a: service.attach_ldf(db, auth.require(a, *ANY_ROLE), outcome_id, name,
                                                                  content), True))


@router.get("/ldf/{recording_id}")
def get_ldf(request: Request, recording_id: int) -> Any:
    return run(request, lambda db, actor: service.get_ldf(db, auth.require(actor, *ANY_ROLE), recording_id))


# --- devices, users, audit ------------------------------------------------------------------------------------


@router.get("/devices")
def list_devices(request: Request) -> Any:
    return run(request, lambda db, actor: service.list_devices(db, auth.require(actor, *ANY_ROLE)))


@router.post("/devices")
def create_device(request: Request, body: schemas.DeviceIn) -> JSONResponse:
    return _created(run(request, lambda db, a: service.create_device(db, auth.require(a, *ANY_ROLE), body), True))


@router.get("/users")
def list_users(request: Request) -> Any:
    return run(request, lambda db, actor: service.list_users(db, auth.require(actor, *ANY_ROLE)))


@router.post("/users")
def create_user(request: Request, body: schemas.UserIn) -> JSONResponse:
    return _created(run(request, lambda db, a: service.create_user(db, auth.require(a, *ANY_ROLE), body), True))


@router.patch("/users/{user_id}")
def update_user(request: Request, user_id: int, body: schemas.UserPatch) -> Any:
    return run(request, lambda db, a: service.update_user(db, auth.require(a, *ANY_ROLE), user_id, body), True)


@router.get("/audit")
def audit(request: Request, limit: Annotated[int, Query(ge=1, le=5000)] = 500,
          before_id: Annotated[int | None, Query(ge=1)] = None) -> Any:
    return run(request, lambda db, actor: service.audit_log(db, auth.require(actor, *ANY_ROLE), limit, before_id))


AUDIT_COLUMNS = ("id", "at", "clinic_id", "user_id", "action", "entity", "entity_id", "before", "after")


@router.get("/audit.csv")
def audit_csv(request: Request) -> Response:
    """The clinic's whole audit log as CSV (before and after as JSON text)."""
    import json

    def action(db: Session, actor: Actor | None) -> str:
        rows = service.audit_log(db, auth.require(actor, *ANY_ROLE), limit=10_000_000)
        for row in rows:
            row["before"], row["after"] = json.dumps(row["before"]), json.dumps(row["after"])
        return cohort.to_csv(rows, AUDIT_COLUMNS)

    return _csv(run(request, action), "audit-log.csv")


# --- the cohort (researchers) ---------------------------------------------------------------------------------


@router.get("/cohort")
def cohort_json(request: Request) -> Any:
    return run(request, lambda db, actor: cohort.cohort(db, auth.require(actor, *ANY_ROLE)))


@router.get("/cohort.csv")
def cohort_csv(request: Request) -> Response:
    return _csv(run(request, lambda db, actor: cohort.to_csv(cohort.cohort(db, auth.require(actor, *ANY_ROLE)))),
                "cohort.csv")


def _csv(text: str, filename: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"})


__all__ = ["public", "record_session", "router"]
