"""Two people save the same record at the same moment (SQLite and PostgreSQL): the second save, made from the same
version, is refused with a conflict — never a silent overwrite — whether it is caught by the version check before the
UPDATE (SQLite: the writers queue for the lock) or by the UPDATE's own `WHERE version = …` (PostgreSQL: the second
UPDATE waits on the first's row lock, then finds the version gone)."""

from __future__ import annotations

import threading

import pytest

from lightdose.records import schemas, service
from lightdose.records.auth import Actor
from lightdose.records.db import transaction
from lightdose.records.errors import Conflict


def test_two_saves_of_the_same_version(backend):
    clinic = backend.clinic()
    actor = Actor(clinic.users["clinician"], clinic.clinic_id, "clinician", "c")
    with transaction(backend.factory) as db:
        patient = service.create_patient(db, actor, schemas.PatientIn(code="RACE-1"))
    first_flushed, outcome = threading.Event(), {}

    def second() -> None:
        first_flushed.wait(30)
        try:
            with transaction(backend.factory) as db:
                service.update_patient(db, actor, patient["id"], schemas.PatientPatch(version=1, notes="second"))
            outcome["second"] = "saved"
        except Conflict as exc:
            outcome["second"] = exc.message

    thread = threading.Thread(target=second)
    thread.start()
    with transaction(backend.factory) as db:
        service.update_patient(db, actor, patient["id"], schemas.PatientPatch(version=1, notes="first"))
        first_flushed.set()
        thread.join(0.5)  # the second save runs into the first's lock while it is still open
    thread.join(60)
    assert "changed by someone else" in outcome["second"]
    with transaction(backend.factory) as db:
        saved = service.get_patient(db, actor, patient["id"])
    assert saved["notes"] == "first" and saved["version"] == 2


def test_a_stale_version_through_the_service(backend):
    clinic = backend.clinic()
    actor = Actor(clinic.users["clinician"], clinic.clinic_id, "clinician", "c")
    with transaction(backend.factory) as db:
        patient = service.create_patient(db, actor, schemas.PatientIn(code="STALE-1"))
    with transaction(backend.factory) as db:
        service.update_patient(db, actor, patient["id"], schemas.PatientPatch(version=1, notes="a"))
    with pytest.raises(Conflict, match="you edited version 1; it is now version 2"), \
            transaction(backend.factory) as db:
        service.update_patient(db, actor, patient["id"], schemas.PatientPatch(version=1, notes="b"))
