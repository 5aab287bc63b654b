"""The records' tables (SQLAlchemy 2): clinics (tenants), users and their roles, login sessions and API tokens,
pseudonymous patients, the clinic's devices, courses, delivered sessions with the dose computed at each target,
outcomes, and the append-only audit log.

Every quantity carries its unit in its column name (``_s``, ``_mm``, ``_c`` for °C, ``_w_mm2``, ``_j_mm2``,
``_kg_m2``, ``_v``): lightdose's canonical units (docs/architecture.md); pages and exports show mW/cm² and J/cm².
Every row of clinical data is stamped with who created it and when, and who changed it last and when; rows that
two people may edit at once carry a ``version`` that a save must name (optimistic concurrency: a stale version is
refused, never overwritten). Times are UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("admin", "clinician", "researcher")
"""admin: users, devices, tokens and the audit log; clinician: patients, courses, sessions, outcomes;
researcher: the de-identified cohort only."""
SEXES = ("female", "male", "other")
SKIN_TYPES = ("I", "II", "III", "IV", "V", "VI")
TEXT_MAX = 4000
"""Longest free text (notes, adverse events, skin checks) [characters]."""
NAME_MAX = 120
"""Longest short text (codes, names, conditions) [characters]."""

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class Stamped:
    """Who created the row and when; who changed it last and when."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Clinic(Base):
    """A tenant: its users see its rows and no other clinic's."""

    __tablename__ = "clinics"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    demo: Mapped[bool] = mapped_column(default=False)
    """A demo clinic of synthetic patients (`make run` without a database URL)."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'clinician', 'researcher')", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    username: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    """argon2id (argon2-cffi's encoded form, parameters included)."""
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    """Failed logins since the last success (5 lock the account for a while)."""
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    """Who added the user (None: the command line)."""
    clinic: Mapped[Clinic] = relationship(lazy="joined")


class LoginSession(Base):
    """A browser's login: the cookie holds a random token, the database only its SHA-256; logout revokes it."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class ApiToken(Base):
    """A user's API token (``Authorization: Bearer ld_…``): shown once, stored as its SHA-256, revocable."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


class Patient(Stamped, Base):
    """A pseudonymous patient: a code of the clinic's choosing (no names), and what the planner needs."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("clinic_id", "code", name="clinic_code"),
                      CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year"),
                      CheckConstraint("bmi_kg_m2 IS NULL OR bmi_kg_m2 BETWEEN 10 AND 80", name="bmi"))
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    code: Mapped[str] = mapped_column(String(NAME_MAX))
    birth_year: Mapped[int | None] = mapped_column()
    sex: Mapped[str | None] = mapped_column(String(8))
    skin_type: Mapped[str] = mapped_column(String(3), default="III")
    """Fitzpatrick skin type I–VI."""
    bmi_kg_m2: Mapped[float | None] = mapped_column(Float)
    fat_thickness_mm: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Measured subcutaneous fat per body site [mm] ({site preset: mm}), where known."""
    diabetes: Mapped[bool] = mapped_column(default=False)
    neuropathy: Mapped[bool] = mapped_column(default=False)
    """Diabetic peripheral neuropathy (the planner's `person.neuropathy`)."""
    health: Mapped[list[Any]] = mapped_column(default=list)
    """The planner's health flags (`insensate-skin`, ...)."""
    contraindications: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(default=False)
    """A made-up demo patient."""
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


class ClinicDevice(Stamped, Base):
    """A device of the clinic: a lightdose preset (or its own definition) with the irradiance measured at stated
    distances and the meter used (a solar-panel meter misreads LED light: the planner's warning applies)."""

    __tablename__ = "clinic_devices"
    __table_args__ = (UniqueConstraint("clinic_id", "name", name="clinic_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    preset: Mapped[str | None] = mapped_column(String(NAME_MAX))
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """An own device definition (as in the preset YAML files), when not a preset."""
    measurements: Mapped[list[Any]] = mapped_column(default=list)
    """[{"distance_mm", "irradiance_w_mm2", "meter"}]."""
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


class Course(Stamped, Base):
    """A course of treatment: the condition, the scenario and the plan computed from it (with the lightdose
    version that computed it), the schedule, and the limits sessions are checked against."""

    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    condition: Mapped[str] = mapped_column(String(NAME_MAX))
    scenario: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The scenario (as `lightdose plan` reads it), when the course was planned with lightdose."""
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The plan per site: {"sites": [{"site", "target", "device", "points", "exposure_s", "fluence_j_mm2"}]}."""
    lightdose_version: Mapped[str] = mapped_column(String(64))
    schedule: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    planned_sessions: Mapped[int] = mapped_column(default=12)
    skin_limit_c: Mapped[float] = mapped_column(Float, default=43.0)
    """Highest skin temperature a session may reach [°C] (lower on insensate skin by the clinic's choice)."""
    start_date: Mapped[dt.date] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


class TreatmentSession(Stamped, Base):
    """One delivered session: when, who, which device where, planned and delivered time, skin checks, adverse
    events; and what lightdose computed for it when it was saved (:class:`SessionSite`)."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (UniqueConstraint("clinic_id", "client_key", name="clinic_client_key"),
                      CheckConstraint("delivered_s >= 0 AND delivered_s <= 14400", name="delivered"),
                      Index("ix_treatment_sessions_course_started", "course_id", "started_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    client_key: Mapped[str | None] = mapped_column(String(64))
    """The client's idempotency key: a retried save with the same key is answered with the first one's row."""
    started_at: Mapped[dt.datetime] = mapped_column()
    operator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_devices.id"))
    device: Mapped[str] = mapped_column(String(NAME_MAX))
    """The device preset's name the dose was computed with."""
    distance_mm: Mapped[float] = mapped_column(Float, default=0.0)
    planned_s: Mapped[float | None] = mapped_column(Float)
    delivered_s: Mapped[float] = mapped_column(Float)
    """Time the device was on, per site [s]."""
    skin_before: Mapped[str] = mapped_column(Text, default="")
    skin_after: Mapped[str] = mapped_column(Text, default="")
    adverse_events: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    """What broke the plan, as the entry page showed it before saving."""
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}
    sites: Mapped[list[SessionSite]] = relationship(order_by="SessionSite.id", cascade="all, delete-orphan",
                                                    lazy="selectin")


class SessionSite(Base):
    """What lightdose computed for one site of a session when it was saved: exposure at the skin, dose and fluence
    rate at the target, peak skin temperature and burn dose, and the cumulative target dose of the course's
    sessions at this site up to this one."""

    __tablename__ = "session_sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id", ondelete="CASCADE"), index=True)
    site: Mapped[str] = mapped_column(String(NAME_MAX))
    target: Mapped[str | None] = mapped_column(String(NAME_MAX))
    surface_irradiance_w_mm2: Mapped[float | None] = mapped_column(Float)
    surface_fluence_j_mm2: Mapped[float | None] = mapped_column(Float)
    target_fluence_rate_w_mm2: Mapped[float | None] = mapped_column(Float)
    target_fluence_j_mm2: Mapped[float | None] = mapped_column(Float)
    peak_skin_c: Mapped[float | None] = mapped_column(Float)
    cem43_min: Mapped[float | None] = mapped_column(Float)
    omega: Mapped[float | None] = mapped_column(Float)
    """Arrhenius damage integral Ω (dimensionless)."""
    cumulative_target_fluence_j_mm2: Mapped[float | None] = mapped_column(Float)
    computed_with: Mapped[str] = mapped_column(String(64))
    """lightdose version that computed the row."""


class Outcome(Stamped, Base):
    """What was measured on the patient at a time: pain, protective sensation, vibration threshold, MNSI, balance,
    skin temperature."""

    __tablename__ = "outcomes"
    __table_args__ = (CheckConstraint("pain_nrs IS NULL OR pain_nrs BETWEEN 0 AND 10", name="pain"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    measured_at: Mapped[dt.datetime] = mapped_column()
    pain_nrs: Mapped[float | None] = mapped_column(Float)
    """Pain, numeric rating scale 0–10."""
    monofilament_left_felt: Mapped[int | None] = mapped_column()
    monofilament_left_tested: Mapped[int | None] = mapped_column()
    monofilament_right_felt: Mapped[int | None] = mapped_column()
    monofilament_right_tested: Mapped[int | None] = mapped_column()
    """10-g monofilament: sites felt out of those tested, per foot."""
    vpt_v: Mapped[float | None] = mapped_column(Float)
    """Vibration perception threshold [V] (biothesiometer)."""
    mnsi_score: Mapped[float | None] = mapped_column(Float)
    """Michigan Neuropathy Screening Instrument, examination score (0–10)."""
    single_leg_stance_s: Mapped[float | None] = mapped_column(Float)
    timed_up_and_go_s: Mapped[float | None] = mapped_column(Float)
    skin_temp_c: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


class LdfRecording(Stamped, Base):
    """A laser-Doppler recording uploaded with an outcome: the file as uploaded and its analysis by
    :func:`lightdose.physiology.ldf_analysis.analyse_recording` (what `lightdose ldf analyse --json` prints)."""

    __tablename__ = "ldf_recordings"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), index=True)
    filename: Mapped[str] = mapped_column(String(NAME_MAX))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Per channel: baseline, peak, plateau [PU], times [s], area [PU·s], % of maximum; warnings; provenance."""


class AuditEntry(Base):
    """Append-only: who did what to which record and when, with the values before and after. Database triggers
    refuse UPDATE and DELETE on this table (migration 0002), so the app cannot edit it."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    """create, update, read, login, login-failed, logout, token-create, token-revoke, export, restore."""
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


TABLES_IN_ORDER = ("clinics", "users", "login_sessions", "api_tokens", "patients", "clinic_devices", "courses",
                   "treatment_sessions", "session_sites", "outcomes", "ldf_recordings", "audit_log")
"""Every table, parents before children (backup and restore)."""

__all__ = ["NAME_MAX", "ROLES", "SEXES", "SKIN_TYPES", "TABLES_IN_ORDER", "TEXT_MAX", "ApiToken", "AuditEntry",
           "Base", "Clinic", "ClinicDevice", "Course", "LdfRecording", "LoginSession", "Outcome", "Patient",
           "SessionSite", "TreatmentSession", "User", "utcnow"]
