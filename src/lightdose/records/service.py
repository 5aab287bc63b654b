"""What a user can do with the records, role-checked and tenant-isolated, each write audited with the values
before and after, each read of a patient's record audited: one function per action, taking the database session
(an open transaction, :func:`lightdose.records.db.transaction`), the :class:`~lightdose.records.auth.Actor` and the
validated input (:mod:`lightdose.records.schemas`); each returns JSON-ready data.

A row of another clinic is answered exactly as a row that does not exist (:class:`NotFound`). An edit names the
version it read; a stale one is refused (:class:`Conflict`), never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from lightdose import __version__
from lightdose.errors import InputError, LightdoseError
from lightdose.model_base import describe_validation_error
from lightdose.records import schemas
from lightdose.records.audit import changed, plain, record, snapshot
from lightdose.records.auth import Actor, hash_password, require
from lightdose.records.dosimetry import SiteDose, j_cm2, person_fields, site_dose
from lightdose.records.errors import Conflict, NotFound
from lightdose.records.models import (
    ClinicDevice,
    Course,
    LdfRecording,
    Outcome,
    Patient,
    SessionSite,
    TreatmentSession,
    User,
    utcnow,
)

CLINICAL = ("clinician",)
"""Roles that see and change patients, courses, sessions and outcomes."""
FAR_ABOVE_PLAN = 1.5
"""A cumulative target dose more than this times the plan's (for the sessions so far) is warned about."""
Row = TypeVar("Row", Patient, Course, TreatmentSession, Outcome, ClinicDevice)
Owned = TypeVar("Owned", Patient, Course, TreatmentSession, Outcome, ClinicDevice, LdfRecording)
"""A row that belongs to a clinic (Row: one that is also edited, with a version)."""


def _own(db: Session, actor: Actor, model: type[Owned], row_id: int, what: str) -> Owned:
    """The row `row_id` of the actor's clinic; 404 for a missing row and for another clinic's alike."""
    row = db.get(model, row_id)
    if row is None or row.clinic_id != actor.clinic_id:
        raise NotFound(f"no {what} {row_id}")
    return row


def _check_version(row: Row, sent: int, what: str) -> None:
    if row.version != sent:
        raise Conflict(f"this {what} was changed by someone else since you opened it (you edited version {sent}; it "
                       f"is now version {row.version}); reload it and make your change again — nothing was saved")


def _flush(db: Session, what: str) -> None:
    """Flush, turning a concurrent edit (the version check in the UPDATE) and a taken unique value into 409s."""
    try:
        db.flush()
    except StaleDataError:
        raise Conflict(f"this {what} was changed by someone else at the same moment; reload it and make your change "
                       "again — nothing was saved") from None
    except IntegrityError as exc:
        raise Conflict(f"this {what} clashes with an existing one (a code or name that is taken)") from exc


def _stamp(row: Any, actor: Actor, new: bool = False) -> None:
    now = utcnow()
    if new:
        row.created_at, row.created_by_id = now, actor.user_id
    row.updated_at, row.updated_by_id = now, actor.user_id


def _insert(db: Session, actor: Actor, row: Any, what: str, entity: str,
            shown: Callable[[Any], dict[str, Any]] = snapshot) -> dict[str, Any]:
    """Add the new `row` stamped by `actor`, flush it (409 on a clash), audit its creation with `shown(row)` and
    return that."""
    _stamp(row, actor, new=True)
    db.add(row)
    _flush(db, what)
    after: dict[str, Any] = shown(row)
    record(db, actor.clinic_id, actor.user_id, "create", entity, row.id, after=after)
    return after


def _read(db: Session, actor: Actor, model: type[Owned], row_id: int, what: str, entity: str) -> Owned:
    """The actor's clinic's row `row_id` for a clinical role (404 otherwise alike), its reading audited."""
    require(actor, *CLINICAL)
    row = _own(db, actor, model, row_id, what)
    record(db, actor.clinic_id, actor.user_id, "read", entity, row.id)
    return row


def _apply(row: Any, patch: schemas.Input) -> None:
    for key, value in patch.model_dump(exclude_unset=True, exclude={"version"}).items():
        setattr(row, key, value)


def _update(db: Session, actor: Actor, row: Row, patch: Any, what: str, entity: str) -> dict[str, Any]:
    _check_version(row, patch.version, what)
    before = snapshot(row)
    _apply(row, patch)
    _stamp(row, actor)
    _flush(db, what)
    old, new = changed(before, snapshot(row))
    record(db, actor.clinic_id, actor.user_id, "update", entity, row.id, before=old, after=new)
    return snapshot(row)


# --- patients -------------------------------------------------------------------------------------------------


def list_patients(db: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, *CLINICAL)
    rows = db.scalars(select(Patient).where(Patient.clinic_id == actor.clinic_id).order_by(Patient.code)).all()
    record(db, actor.clinic_id, actor.user_id, "list", "patient", None, after={"count": len(rows)})
    return [{"id": p.id, "code": p.code, "synthetic": p.synthetic, "version": p.version} for p in rows]


def create_patient(db: Session, actor: Actor, data: schemas.PatientIn, synthetic: bool = False) -> dict[str, Any]:
    """A new patient (`synthetic`: a made-up demo patient)."""
    require(actor, *CLINICAL)
    return _insert(db, actor, Patient(clinic_id=actor.clinic_id, synthetic=synthetic, **data.model_dump()),
                   "patient", "patient")


def get_patient(db: Session, actor: Actor, patient_id: int) -> dict[str, Any]:
    return snapshot(_read(db, actor, Patient, patient_id, "patient", "patient"))


def update_patient(db: Session, actor: Actor, patient_id: int, patch: schemas.PatientPatch) -> dict[str, Any]:
    require(actor, *CLINICAL)
    return _update(db, actor, _own(db, actor, Patient, patient_id, "patient"), patch, "patient", "patient")


def _insensate(patient: Patient) -> bool:
    return "insensate-skin" in (patient.health or []) or patient.neuropathy


def _person(patient: Patient, site: str) -> dict[str, Any]:
    fat = (patient.fat_thickness_mm or {}).get(site)
    return person_fields(patient.skin_type, patient.bmi_kg_m2, None if fat is None else float(fat), patient.neuropathy)


# --- devices ------------------------------------------------------------------------------------------------------


def list_devices(db: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "admin", "clinician")
    rows = db.scalars(select(ClinicDevice).where(ClinicDevice.clinic_id == actor.clinic_id)
                      .order_by(ClinicDevice.name)).all()
    return [_device_json(d) for d in rows]


def _device_json(device: ClinicDevice) -> dict[str, Any]:
    data = snapshot(device)
    data["warnings"] = list(dict.fromkeys(w for m in device.measurements or [] for w in m.get("warnings", [])))
    return data


def create_device(db: Session, actor: Actor, data: schemas.DeviceIn) -> dict[str, Any]:
    """A device of the clinic; each measurement is read by the irradiance stage (`lightdose irradiance
    --measured --meter`), whose warnings (a solar-panel meter on LED light, an unknown meter, exposure limits) are
    kept with it, next to the model's irradiance at the centre for comparison."""
    from lightdose.devices import IrradianceRequest, irradiance
    from lightdose.units import USER_INPUT

    require(actor, "admin")
    device: str | dict[str, Any] = data.preset if data.preset is not None else (data.definition or {})
    measurements = []
    try:
        _device_model(device, 0.0)  # an unknown preset or a bad definition is an InputError naming the field
        for m in data.measurements:
            placement = {"device": device, "distance": f"{m.distance_mm:g} mm"}
            model = irradiance(IrradianceRequest.model_validate({"placement": placement, "points": 3},
                                                                context=USER_INPUT))
            read = irradiance(IrradianceRequest.model_validate(
                {"placement": placement, "points": 3, "measured": f"{m.irradiance_w_mm2!r} W/mm^2", "meter": m.meter},
                context=USER_INPUT))
            measurements.append({**m.model_dump(), "model_irradiance_w_mm2": _centre(model),
                                 "warnings": list(read.warnings)})
    except ValidationError as exc:
        raise InputError("definition" if data.definition is not None else "preset",
                         describe_validation_error(exc)) from None
    except InputError as exc:
        raise InputError(f"measurements[{len(measurements)}].{exc.field}" if data.measurements else exc.field,
                         exc.reason) from None
    row = ClinicDevice(clinic_id=actor.clinic_id, name=data.name, preset=data.preset, definition=data.definition,
                       measurements=measurements)
    _insert(db, actor, row, "device", "device")
    return _device_json(row)


def _centre(result: Any) -> float:
    """The modelled irradiance at the centre of the treated skin, all bands [W/mm²], of an irradiance result."""
    return float(result.centre_irradiance.sum())


def _device_model(device: str | dict[str, Any], distance_mm: float) -> Any:
    from lightdose.devices.placement import Placement
    from lightdose.units import USER_INPUT

    return Placement.model_validate({"device": device, "distance": f"{distance_mm:g} mm"},
                                    context=USER_INPUT).model()


# --- courses ------------------------------------------------------------------------------------------------------


def _planned_sites_from_scenario(scenario: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The plan of `scenario` (made by :func:`lightdose.planning.plan`, without the population coverage): its sites
    as the course keeps them, and the schedule's sessions and skin limit."""
    from lightdose.planning import plan as make_plan
    from lightdose.planning.scenario import Scenario
    from lightdose.units import USER_INPUT

    scenario = {**scenario, "coverage": {"people": 0}}
    try:
        parsed = Scenario.model_validate(scenario, context=USER_INPUT)
    except ValidationError as exc:
        raise InputError("scenario", describe_validation_error(exc)) from None
    planned = make_plan(parsed)
    presets = {key: (p.device if isinstance(p.device, str) else key) for key, p in parsed.devices_by_key().items()}
    sites = [{"site": s.site, "target": s.target, "device": presets.get(s.device, s.device),
              "distance_mm": s.distance_mm, "exposure_s": s.exposure_s, "points": s.points,
              "fluence_j_mm2": s.target_fluence, "peak_skin_c": s.peak_skin_temp_c} for s in planned.sites]
    total = parsed.schedule.total_sessions
    extra: dict[str, Any] = {"verdict": planned.verdict, "warnings": list(planned.warnings)}
    if total is not None:
        extra["planned_sessions"] = int(round(total.high))
    return sites, extra


def create_course(db: Session, actor: Actor, patient_id: int, data: schemas.CourseIn) -> dict[str, Any]:
    """A course for the patient. With a `scenario`, the plan is made by the planner; otherwise each planned site's
    dose per session is computed for this patient."""
    require(actor, *CLINICAL)
    patient = _own(db, actor, Patient, patient_id, "patient")
    planned_sessions = data.planned_sessions
    extra: dict[str, Any] = {}
    if data.scenario is not None:
        sites, extra = _planned_sites_from_scenario(data.scenario)
        planned_sessions = extra.pop("planned_sessions", planned_sessions)
    else:
        if not data.sites:
            raise InputError("sites", "give at least one planned site (site, device, exposure_s) or a scenario")
        sites = []
        for i, s in enumerate(data.sites):
            dose = _dose(s.device, s.distance_mm, s.site, s.target, s.exposure_s, _person(patient, s.site),
                         f"sites[{i}]")
            sites.append({**s.model_dump(), "target": dose.target, "fluence_j_mm2": dose.target_fluence_j_mm2,
                          "peak_skin_c": dose.peak_skin_c})
    course = Course(clinic_id=actor.clinic_id, patient_id=patient.id, condition=data.condition,
                    scenario=data.scenario, plan={"sites": sites, **extra}, lightdose_version=__version__,
                    schedule=data.schedule, planned_sessions=planned_sessions, skin_limit_c=data.skin_limit_c,
                    start_date=data.start_date, notes=data.notes)
    return _insert(db, actor, course, "course", "course")


def _dose(device: str | dict[str, Any], distance_mm: float, site: str, target: str | None, exposure_s: float,
          person: dict[str, Any], field: str) -> SiteDose:
    try:
        return site_dose(device, distance_mm, site, target, exposure_s, person)
    except InputError as exc:
        raise InputError(f"{field}.{exc.field}", exc.reason) from None
    except LightdoseError as exc:
        raise InputError(field, str(exc)) from None
    except ValidationError as exc:
        raise InputError(field, describe_validation_error(exc)) from None


def get_course(db: Session, actor: Actor, course_id: int) -> dict[str, Any]:
    return snapshot(_read(db, actor, Course, course_id, "course", "course"))


def update_course(db: Session, actor: Actor, course_id: int, patch: schemas.CoursePatch) -> dict[str, Any]:
    require(actor, *CLINICAL)
    return _update(db, actor, _own(db, actor, Course, course_id, "course"), patch, "course", "course")


# --- sessions -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInputs:
    """A session checked against its course, ready to compute: the device, distance and each site's target and
    person (the patient as the planner sees them at that site)."""

    course_id: int
    patient_id: int
    data: schemas.SessionIn
    device: str
    distance_mm: float
    planned_s: float | None
    sites: tuple[tuple[str, str | None, dict[str, Any]], ...]
    """(site, target or None for the site's first, person fields) per site."""
    definition: dict[str, Any] | None = None
    """The clinic device's own definition, when the session used one (`device` is then its name)."""

    @property
    def computed_device(self) -> str | dict[str, Any]:
        """What the stages are given: the preset's name or the own definition."""
        return self.definition if self.definition is not None else self.device


def _planned_site(course: Course, site: str) -> dict[str, Any] | None:
    return next((s for s in (course.plan or {}).get("sites", []) if s.get("site") == site), None)


def prepare_session(db: Session, actor: Actor, course_id: int, data: schemas.SessionIn) -> SessionInputs:
    """Check `data` against the course (a short read); compute the doses with :func:`compute_doses` outside any
    transaction (the stages take up to a second), then save with :func:`save_session`."""
    require(actor, *CLINICAL)
    course = _own(db, actor, Course, course_id, "course")
    patient = _own(db, actor, Patient, course.patient_id, "patient")
    first = _planned_site(course, data.sites[0]) or {}
    device, distance = data.device, data.distance_mm
    definition: dict[str, Any] | None = None
    if data.device_id is not None:
        own = _own(db, actor, ClinicDevice, data.device_id, "device")
        if not device and own.preset is not None:
            device = own.preset
        elif not device:  # the clinic's own definition: computed with it, recorded under its name
            device, definition = own.name, own.definition
    device = device or first.get("device")
    if not device:
        raise InputError("device", "name the device (a preset): the course's plan has none for this site")
    distance = distance if distance is not None else float(first.get("distance_mm", 0.0))
    planned_s = data.planned_s if data.planned_s is not None else first.get("exposure_s")
    sites = tuple((site, (_planned_site(course, site) or {}).get("target"), _person(patient, site))
                  for site in data.sites)
    return SessionInputs(course.id, patient.id, data, device, distance, planned_s, sites, definition)


def compute_doses(inputs: SessionInputs) -> tuple[SiteDose, ...]:
    """Each site's delivered dose (the stages; no database)."""
    return tuple(_dose(inputs.computed_device, inputs.distance_mm, site, target, inputs.data.delivered_s, person,
                       f"sites[{i}]") for i, (site, target, person) in enumerate(inputs.sites))


def check_session(db: Session, actor: Actor, inputs: SessionInputs, doses: tuple[SiteDose, ...]) -> list[str]:
    """What in the session breaks the course's plan: more time than planned, a predicted skin temperature above
    the course's limit (said to be on insensate skin when it is), a cumulative target dose far above the plan's."""
    require(actor, *CLINICAL)
    course = _own(db, actor, Course, inputs.course_id, "course")
    patient = _own(db, actor, Patient, inputs.patient_id, "patient")
    data, planned_s = inputs.data, inputs.planned_s
    warnings = []
    if planned_s is not None and data.delivered_s > planned_s * 1.001:
        warnings.append(f"more time than planned: {data.delivered_s / 60:.3g} min delivered, {planned_s / 60:.3g} min "
                        "planned")
    for dose in doses:
        if dose.peak_skin_c > course.skin_limit_c:
            where = " on insensate skin (the patient cannot feel a burn)" if _insensate(patient) else ""
            warnings.append(f"{dose.site}: predicted peak skin temperature {dose.peak_skin_c:.1f} °C is above the "
                            f"course's limit of {course.skin_limit_c:g} °C{where}")
        planned = _planned_site(course, dose.site) or {}
        per_session = planned.get("fluence_j_mm2")
        if per_session and dose.target_fluence_j_mm2 is not None:
            before, count = _cumulative_before(db, course.id, dose.site, data.started_at)
            cumulative = before + dose.target_fluence_j_mm2
            allowed = per_session * (count + 1)
            if cumulative > FAR_ABOVE_PLAN * allowed:
                warnings.append(f"{dose.site}: the cumulative target dose {j_cm2(cumulative):.3g} J/cm² is "
                                f"{cumulative / allowed:.2g} × the plan's {j_cm2(allowed):.3g} J/cm² for "
                                f"{count + 1} session(s)")
    return warnings


def _cumulative_before(db: Session, course_id: int, site: str, started_at: dt.datetime) -> tuple[float, int]:
    """Sum of the target dose [J/mm²] and number of the course's sessions at `site` up to `started_at`."""
    total, count = db.execute(
        select(func.coalesce(func.sum(SessionSite.target_fluence_j_mm2), 0.0), func.count(SessionSite.id))
        .join(TreatmentSession, TreatmentSession.id == SessionSite.session_id)
        .where(TreatmentSession.course_id == course_id, SessionSite.site == site,
               TreatmentSession.started_at <= started_at)).one()
    return float(total or 0.0), int(count)


def existing_session(db: Session, actor: Actor, client_key: str | None) -> dict[str, Any] | None:
    """The session already saved with this idempotency key, if any."""
    if client_key is None:
        return None
    row = db.scalars(select(TreatmentSession).where(TreatmentSession.clinic_id == actor.clinic_id,
                                                    TreatmentSession.client_key == client_key)).one_or_none()
    return None if row is None else session_json(row)


def save_session(db: Session, actor: Actor, inputs: SessionInputs,
                 doses: tuple[SiteDose, ...]) -> tuple[dict[str, Any], bool]:
    """Save a session with its computed sites, their cumulative dose and the plan's warnings; (the session, whether
    it is new). A `client_key` already saved answers with that session (a retried request is not saved twice)."""
    require(actor, *CLINICAL)
    data = inputs.data
    course_query = select(Course).where(Course.id == inputs.course_id, Course.clinic_id == actor.clinic_id)
    if db.get_bind().dialect.name == "postgresql":
        course_query = course_query.with_for_update()  # one writer per course: the cumulative sums stay exact
    if db.scalars(course_query).one_or_none() is None:
        raise NotFound(f"no course {inputs.course_id}")
    if (existing := existing_session(db, actor, data.client_key)) is not None:
        return existing, False
    warnings = check_session(db, actor, inputs, doses)
    session = TreatmentSession(
        clinic_id=actor.clinic_id, course_id=inputs.course_id, patient_id=inputs.patient_id,
        client_key=data.client_key, started_at=data.started_at, operator_id=actor.user_id,
        device_id=data.device_id, device=inputs.device, distance_mm=inputs.distance_mm,
        planned_s=inputs.planned_s, delivered_s=data.delivered_s, skin_before=data.skin_before,
        skin_after=data.skin_after, adverse_events=data.adverse_events, notes=data.notes, warnings=warnings)
    _stamp(session, actor, new=True)
    for dose in doses:
        before, _ = _cumulative_before(db, inputs.course_id, dose.site, data.started_at)
        own = dose.target_fluence_j_mm2
        session.sites.append(SessionSite(
            site=dose.site, target=dose.target, surface_irradiance_w_mm2=dose.surface_irradiance_w_mm2,
            surface_fluence_j_mm2=dose.surface_fluence_j_mm2, target_fluence_rate_w_mm2=dose.target_fluence_rate_w_mm2,
            target_fluence_j_mm2=own, peak_skin_c=dose.peak_skin_c, cem43_min=dose.cem43_min, omega=dose.omega,
            cumulative_target_fluence_j_mm2=None if own is None else before + own, computed_with=dose.computed_with))
        if own:
            _shift_later(db, inputs.course_id, dose.site, data.started_at, own)
    db.add(session)
    _flush(db, "session")
    result = session_json(session)
    record(db, actor.clinic_id, actor.user_id, "create", "session", session.id, after=result)
    return result, True


def _shift_later(db: Session, course_id: int, site: str, after: dt.datetime, delta: float) -> None:
    """Add `delta` [J/mm²] to the cumulative dose of the course's sessions at `site` after `after` (a session
    entered late, or a delivered time corrected)."""
    later = db.scalars(select(SessionSite).join(TreatmentSession, TreatmentSession.id == SessionSite.session_id)
                       .where(TreatmentSession.course_id == course_id, SessionSite.site == site,
                              TreatmentSession.started_at > after)).all()
    for row in later:
        if row.cumulative_target_fluence_j_mm2 is not None:
            row.cumulative_target_fluence_j_mm2 += delta


def session_json(session: TreatmentSession) -> dict[str, Any]:
    data = snapshot(session)
    data["sites"] = [snapshot(s) for s in session.sites]
    return data


def get_session(db: Session, actor: Actor, session_id: int) -> dict[str, Any]:
    return session_json(_read(db, actor, TreatmentSession, session_id, "session", "session"))


def update_session(db: Session, actor: Actor, session_id: int, patch: schemas.SessionPatch) -> dict[str, Any]:
    """Correct a session's texts or delivered time (the doses are recomputed, the later cumulative sums shifted)."""
    require(actor, *CLINICAL)
    session = _own(db, actor, TreatmentSession, session_id, "session")
    _check_version(session, patch.version, "session")
    before = session_json(session)
    if patch.delivered_s is not None and patch.delivered_s != session.delivered_s:
        patient = _own(db, actor, Patient, session.patient_id, "patient")
        own = db.get(ClinicDevice, session.device_id) if session.device_id is not None else None
        device: str | dict[str, Any] = (own.definition if own is not None and own.definition is not None
                                        and session.device == own.name else session.device)
        for site in session.sites:
            dose = _dose(device, session.distance_mm, site.site, site.target, patch.delivered_s,
                         _person(patient, site.site), "delivered_s")
            delta = (dose.target_fluence_j_mm2 or 0.0) - (site.target_fluence_j_mm2 or 0.0)
            site.surface_fluence_j_mm2 = dose.surface_fluence_j_mm2
            site.target_fluence_j_mm2 = dose.target_fluence_j_mm2
            site.peak_skin_c, site.cem43_min, site.omega = dose.peak_skin_c, dose.cem43_min, dose.omega
            if site.cumulative_target_fluence_j_mm2 is not None:
                site.cumulative_target_fluence_j_mm2 = site.cumulative_target_fluence_j_mm2 + delta
            if delta:
                _shift_later(db, session.course_id, site.site, session.started_at, delta)
    _apply(session, patch)
    _stamp(session, actor)
    _flush(db, "session")
    old, new = changed(before, session_json(session))
    record(db, actor.clinic_id, actor.user_id, "update", "session", session.id, before=old, after=new)
    return session_json(session)


# --- outcomes -----------------------------------------------------------------------------------------------------


def create_outcome(db: Session, actor: Actor, patient_id: int, data: schemas.OutcomeIn) -> dict[str, Any]:
    require(actor, *CLINICAL)
    patient = _own(db, actor, Patient, patient_id, "patient")
    if data.course_id is not None and _own(db, actor, Course, data.course_id, "course").patient_id != patient.id:
        raise InputError("course_id", f"course {data.course_id} is not this patient's")
    for side in ("left", "right"):
        felt, tested = getattr(data, f"monofilament_{side}_felt"), getattr(data, f"monofilament_{side}_tested")
        if felt is not None and (tested is None or felt > tested):
            raise InputError(f"monofilament_{side}_felt", f"{felt} sites felt needs at least as many tested")
    outcome = Outcome(clinic_id=actor.clinic_id, patient_id=patient.id, **data.model_dump())
    return _insert(db, actor, outcome, "outcome", "outcome")


def get_outcome(db: Session, actor: Actor, outcome_id: int) -> dict[str, Any]:
    return snapshot(_read(db, actor, Outcome, outcome_id, "outcome", "outcome"))


def update_outcome(db: Session, actor: Actor, outcome_id: int, patch: schemas.OutcomePatch) -> dict[str, Any]:
    require(actor, *CLINICAL)
    return _update(db, actor, _own(db, actor, Outcome, outcome_id, "outcome"), patch, "outcome", "outcome")


MAX_LDF_BYTES = 10 * 2**20
"""Largest laser-Doppler file [bytes] (the web app's upload cap)."""


def attach_ldf(db: Session, actor: Actor, outcome_id: int, filename: str, content: bytes) -> dict[str, Any]:
    """Keep a laser-Doppler recording with an outcome and analyse it with the LDF reader (the file's 'heat on' and
    'heat off' markers give the stimulus), as `lightdose ldf analyse --json` does; a file the reader cannot read is
    an InputError naming the file and the line."""
    import hashlib
    import os
    import tempfile
    from pathlib import Path

    from lightdose.physiology.ldf_analysis import LdfRequest, analyse_recording
    from lightdose.present.ldf import ldf_json

    require(actor, *CLINICAL)
    outcome = _own(db, actor, Outcome, outcome_id, "outcome")
    name = Path(filename or "recording.txt").name[:120] or "recording.txt"
    if len(content) > MAX_LDF_BYTES:
        raise InputError("file", f"is larger than {MAX_LDF_BYTES // 2**20} MB")
    folder = tempfile.mkdtemp(prefix="lightdose-ldf-")
    path = Path(folder) / "recording.txt"
    try:
        path.write_bytes(content)
        try:
            analysis = ldf_json(analyse_recording(LdfRequest(file=str(path))))
        except LightdoseError as exc:
            raise InputError("file", f"{name}: {str(exc).replace(str(path), name)}") from None
    finally:
        path.unlink(missing_ok=True)
        os.rmdir(folder)
    analysis["file"] = name
    row = LdfRecording(clinic_id=actor.clinic_id, outcome_id=outcome.id, filename=name, content=content,
                       size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), analysis=analysis)
    return _insert(db, actor, row, "recording", "ldf_recording", shown=_ldf_json)


def _ldf_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "outcome_id": row.outcome_id, "filename": row.filename, "size_bytes": row.size_bytes,
            "sha256": row.sha256, "analysis": row.analysis, "created_at": plain(row.created_at)}


def get_ldf(db: Session, actor: Actor, recording_id: int) -> dict[str, Any]:
    return _ldf_json(_read(db, actor, LdfRecording, recording_id, "recording", "ldf_recording"))


# --- the patient's timeline and the course summary -----------------------------------------------------------------


def timeline(db: Session, actor: Actor, patient_id: int) -> dict[str, Any]:
    """The patient, their courses, sessions (with the cumulative target dose per site) and outcomes in time
    order."""
    require(actor, *CLINICAL)
    patient = _own(db, actor, Patient, patient_id, "patient")
    record(db, actor.clinic_id, actor.user_id, "read", "patient", patient.id, after={"view": "timeline"})
    courses = db.scalars(select(Course).where(Course.patient_id == patient.id).order_by(Course.start_date)).all()
    sessions = db.scalars(select(TreatmentSession).where(TreatmentSession.patient_id == patient.id)
                          .order_by(TreatmentSession.started_at, TreatmentSession.id)).all()
    outcomes = db.scalars(select(Outcome).where(Outcome.patient_id == patient.id)
                          .order_by(Outcome.measured_at, Outcome.id)).all()
    cumulative: dict[str, float] = {}
    for s in sessions:
        for site in s.sites:
            if site.cumulative_target_fluence_j_mm2 is not None:
                cumulative[f"{s.course_id}:{site.site}"] = site.cumulative_target_fluence_j_mm2
    recordings = db.scalars(select(LdfRecording).where(LdfRecording.outcome_id.in_([o.id for o in outcomes]))
                            .order_by(LdfRecording.id)).all() if outcomes else []
    return {"patient": snapshot(patient), "courses": [snapshot(c) for c in courses],
            "sessions": [session_json(s) for s in sessions], "outcomes": [snapshot(o) for o in outcomes],
            "ldf_recordings": [_ldf_json(r) for r in recordings], "cumulative_target_fluence_j_mm2": cumulative}


def course_summary(db: Session, actor: Actor, course_id: int) -> dict[str, Any]:
    """Adherence (sessions delivered of those planned), the target dose delivered per site against the plan, and
    the change of each outcome from the first to the last measurement of the course."""
    require(actor, *CLINICAL)
    course = _own(db, actor, Course, course_id, "course")
    record(db, actor.clinic_id, actor.user_id, "read", "course", course.id, after={"view": "summary"})
    sessions = db.scalars(select(TreatmentSession).where(TreatmentSession.course_id == course.id)).all()
    outcomes = db.scalars(select(Outcome).where(Outcome.course_id == course.id)
                          .order_by(Outcome.measured_at, Outcome.id)).all()
    sites = []
    for planned in (course.plan or {}).get("sites", []):
        delivered = [x for s in sessions for x in s.sites if x.site == planned["site"]]
        per_session = planned.get("fluence_j_mm2")
        sites.append({"site": planned["site"], "target": planned.get("target"), "sessions": len(delivered),
                      "delivered_target_fluence_j_mm2": sum(x.target_fluence_j_mm2 or 0.0 for x in delivered),
                      "planned_target_fluence_j_mm2": None if per_session is None
                      else per_session * course.planned_sessions})
    return {"course": snapshot(course), "sessions_delivered": len(sessions),
            "sessions_planned": course.planned_sessions,
            "adherence": len(sessions) / course.planned_sessions if course.planned_sessions else None,
            "sites": sites, "outcome_change": outcome_change(outcomes)}


OUTCOME_MEASURES = ("pain_nrs", "vpt_v", "mnsi_score", "single_leg_stance_s", "timed_up_and_go_s", "skin_temp_c")


def outcome_change(outcomes: list[Outcome] | Any) -> dict[str, float | None]:
    """Last minus first value of each measure (None when it was not measured twice)."""
    change: dict[str, float | None] = {}
    for measure in OUTCOME_MEASURES:
        values = [getattr(o, measure) for o in outcomes if getattr(o, measure) is not None]
        change[measure] = values[-1] - values[0] if len(values) >= 2 else None
    return change


# --- users and the audit log (admins) ------------------------------------------------------------------------------


def list_users(db: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "admin")
    rows = db.scalars(select(User).where(User.clinic_id == actor.clinic_id).order_by(User.username)).all()
    return [_user_json(u) for u in rows]


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role, "active": user.active,
            "locked_until": plain(user.locked_until), "created_at": plain(user.created_at)}


def create_user(db: Session, actor: Actor, data: schemas.UserIn) -> dict[str, Any]:
    require(actor, "admin")
    user = User(clinic_id=actor.clinic_id, username=data.username, password_hash=hash_password(data.password),
                role=data.role, created_by_id=actor.user_id)
    db.add(user)
    _flush(db, "user")
    result = _user_json(user)
    record(db, actor.clinic_id, actor.user_id, "create", "user", user.id, after=result)
    return result


def update_user(db: Session, actor: Actor, user_id: int, patch: schemas.UserPatch) -> dict[str, Any]:
    require(actor, "admin")
    user = db.get(User, user_id)
    if user is None or user.clinic_id != actor.clinic_id:
        raise NotFound(f"no user {user_id}")
    before = _user_json(user)
    _apply(user, patch)
    _flush(db, "user")
    old, new = changed(before, _user_json(user))
    record(db, actor.clinic_id, actor.user_id, "update", "user", user.id, before=old, after=new)
    return _user_json(user)


def audit_log(db: Session, actor: Actor, limit: int = 500, before_id: int | None = None) -> list[dict[str, Any]]:
    """The clinic's audit entries, newest first (`before_id` pages back)."""
    from lightdose.records.models import AuditEntry

    require(actor, "admin")
    query = select(AuditEntry).where(AuditEntry.clinic_id == actor.clinic_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = db.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
    return [snapshot(r) for r in rows]


__all__ = ["OUTCOME_MEASURES", "SessionInputs", "attach_ldf", "audit_log", "check_session", "compute_doses",
           "course_summary", "create_course", "create_device", "create_outcome", "create_patient", "create_user",
           "existing_session", "get_course", "get_ldf", "get_outcome", "get_patient", "get_session", "list_devices",
           "list_patients", "list_users", "outcome_change", "prepare_session", "save_session", "session_json",
           "timeline", "update_course", "update_outcome", "update_patient", "update_session", "update_user"]
