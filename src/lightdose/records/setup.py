"""Clinics and users from the command line (``lightdose user add``), and the demo clinic of ``make run``."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from lightdose.records import schemas, service
from lightdose.records.audit import record
from lightdose.records.auth import Actor, hash_password
from lightdose.records.models import Clinic, Patient, User

DEMO_CLINIC = "Demo clinic — synthetic patients, not real data"
DEMO_USERS = {"demo-clinician": "clinician", "demo-researcher": "researcher", "demo-admin": "admin"}


def clinic_named(db: Session, name: str, create: bool = True, demo: bool = False) -> Clinic:
    clinic = db.scalars(select(Clinic).where(Clinic.name == name)).first()
    if clinic is None:
        if not create:
            from lightdose.errors import InputError

            raise InputError("--clinic", f"no clinic {name!r}")
        clinic = Clinic(name=name, demo=demo)
        db.add(clinic)
        db.flush()
        record(db, clinic.id, None, "create", "clinic", clinic.id, after={"name": name})
    return clinic


def add_user(db: Session, clinic_name: str, username: str, password: str, role: str) -> User:
    """A user of the clinic `clinic_name` (created when missing) — the command line's `lightdose user add`."""
    from lightdose.errors import InputError

    schemas.UserIn(username=username, password=password, role=role)
    if db.scalars(select(User).where(User.username == username)).first() is not None:
        raise InputError("username", f"{username!r} is taken")
    clinic = clinic_named(db, clinic_name)
    user = User(clinic_id=clinic.id, username=username, password_hash=hash_password(password), role=role)
    db.add(user)
    db.flush()
    record(db, clinic.id, None, "create", "user", user.id, after={"username": username, "role": role})
    return user


def ensure_demo(db: Session) -> str:
    """The demo clinic with its three users and a few synthetic patients (created once); every call sets a new
    random password for the demo users and returns it."""
    password = "demo-" + secrets.token_urlsafe(9)
    clinic = clinic_named(db, DEMO_CLINIC, demo=True)
    users = {}
    for username, role in DEMO_USERS.items():
        user = db.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = User(clinic_id=clinic.id, username=username, password_hash="", role=role)
            db.add(user)
        elif user.clinic_id != clinic.id:
            raise RuntimeError(f"the user {username} exists outside the demo clinic")
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        db.flush()
        users[role] = user
    if db.scalars(select(Patient).where(Patient.clinic_id == clinic.id)).first() is None:
        clinician = users["clinician"]
        _demo_patients(db, Actor(clinician.id, clinic.id, "clinician", clinician.username))
    return password


def _demo_patients(db: Session, actor: Actor) -> None:
    start = dt.date.today() - dt.timedelta(days=28)
    people = [("SYNTHETIC-001", 1956, "female", "III", 29.0, 8.0, 5.0),
              ("SYNTHETIC-002", 1949, "male", "IV", 31.0, 7.0, 6.5),
              ("SYNTHETIC-003", 1962, "female", "II", 24.0, 5.5, 3.0)]
    for code, born, sex, skin, bmi, pain0, pain1 in people:
        patient = service.create_patient(db, actor, schemas.PatientIn(
            code=code, birth_year=born, sex=sex, skin_type=skin, bmi_kg_m2=bmi, diabetes=True,
            neuropathy=True, health=["insensate-skin"], notes="synthetic demo patient: not a real person"),
            synthetic=True)
        course = service.create_course(db, actor, patient["id"], schemas.CourseIn(
            condition="diabetic-neuropathy", schedule="3 times a week for 4 weeks", planned_sessions=12,
            skin_limit_c=42.0, start_date=start,
            sites=[schemas.PlannedSite(site="ankle-medial", device="pad-890", exposure_s=1200.0)]))
        for n in range(6):
            moment = dt.datetime.combine(start + dt.timedelta(days=2 * n + (n // 3)), dt.time(9, 30), dt.UTC)
            inputs = service.prepare_session(db, actor, course["id"], schemas.SessionIn(
                started_at=moment, sites=["ankle-medial"], delivered_s=1200.0, skin_before="intact",
                skin_after="intact"))
            service.save_session(db, actor, inputs, service.compute_doses(inputs))
        for day, pain in ((0, pain0), (14, pain1)):
            service.create_outcome(db, actor, patient["id"], schemas.OutcomeIn(
                measured_at=dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9), dt.UTC),
                course_id=course["id"], pain_nrs=pain, vpt_v=32.0 - day / 7, mnsi_score=5.0 - day / 14,
                monofilament_left_felt=6 + day // 14, monofilament_left_tested=10))


__all__ = ["DEMO_CLINIC", "DEMO_USERS", "add_user", "clinic_named", "ensure_demo"]
