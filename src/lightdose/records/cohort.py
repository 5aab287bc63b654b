"""The researcher's cohort: one de-identified row per course — who (a subject number, birth decade, sex, skin type,
diabetes, neuropathy), what was delivered (sessions, target dose per session and in total, in J/cm²) and how the
outcomes changed (last minus first). No codes, no free text, no dates: times are days since the course started."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lightdose.records.audit import record
from lightdose.records.auth import Actor, require
from lightdose.records.dosimetry import j_cm2
from lightdose.records.models import Course, Outcome, Patient, TreatmentSession
from lightdose.records.service import OUTCOME_MEASURES, outcome_change

COLUMNS = ("subject", "condition", "birth_decade", "sex", "skin_type", "diabetes", "neuropathy", "sessions_planned",
           "sessions_delivered", "days_treated", "delivered_target_dose_j_cm2", "mean_target_dose_per_session_j_cm2",
           "outcome_first_day", "outcome_last_day",
           *(f"{m}_change" for m in OUTCOME_MEASURES))


def cohort_rows(db: Session, clinic_id: int) -> list[dict[str, Any]]:
    """The de-identified rows of every course of the clinic."""
    courses = db.scalars(select(Course).where(Course.clinic_id == clinic_id).order_by(Course.id)).all()
    rows = []
    for number, course in enumerate(courses, start=1):
        patient = db.get(Patient, course.patient_id)
        assert patient is not None
        sessions = db.scalars(select(TreatmentSession).where(TreatmentSession.course_id == course.id)
                              .order_by(TreatmentSession.started_at)).all()
        outcomes = db.scalars(select(Outcome).where(Outcome.course_id == course.id)
                              .order_by(Outcome.measured_at, Outcome.id)).all()
        total = sum(x.target_fluence_j_mm2 or 0.0 for s in sessions for x in s.sites)
        days = [(s.started_at.date() - course.start_date).days for s in sessions]
        outcome_days = [(o.measured_at.date() - course.start_date).days for o in outcomes]
        change = outcome_change(list(outcomes))
        rows.append({
            "subject": f"S{number:04d}", "condition": course.condition,
            "birth_decade": None if patient.birth_year is None else patient.birth_year // 10 * 10,
            "sex": patient.sex, "skin_type": patient.skin_type, "diabetes": patient.diabetes,
            "neuropathy": patient.neuropathy, "sessions_planned": course.planned_sessions,
            "sessions_delivered": len(sessions), "days_treated": max(days) - min(days) + 1 if days else 0,
            "delivered_target_dose_j_cm2": j_cm2(total),
            "mean_target_dose_per_session_j_cm2": j_cm2(total / len(sessions)) if sessions else None,
            "outcome_first_day": min(outcome_days) if outcome_days else None,
            "outcome_last_day": max(outcome_days) if outcome_days else None,
            **{f"{m}_change": change[m] for m in OUTCOME_MEASURES}})
    return rows


def cohort(db: Session, actor: Actor) -> list[dict[str, Any]]:
    """The cohort of the researcher's clinic (audited as a read)."""
    require(actor, "researcher")
    rows = cohort_rows(db, actor.clinic_id)
    record(db, actor.clinic_id, actor.user_id, "read", "cohort", None, after={"rows": len(rows)})
    return rows


def to_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else _safe(row.get(k))) for k in columns})
    return out.getvalue()


def _safe(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


__all__ = ["COLUMNS", "cohort", "cohort_rows", "to_csv"]
