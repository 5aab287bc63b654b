"""Issue 15, acceptance 5: backup → restore reproduces every row (SQLite and PostgreSQL, and across the two); a
backup of an older schema restores into a newer one through the migrations; a non-empty database is refused."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import MetaData, Table, select, text

from lightdose.records.backup import backup, read_backup, restore
from lightdose.records.db import (
    current_revision,
    head_revision,
    make_engine,
    revisions,
    session_factory,
    transaction,
    upgrade,
)
from lightdose.records.models import TABLES_IN_ORDER
from lightdose.records.setup import ensure_demo


def _rows(engine) -> dict[str, list[tuple]]:
    metadata = MetaData()
    out = {}
    with engine.connect() as connection:
        for name in TABLES_IN_ORDER:
            table = Table(name, metadata, autoload_with=connection)
            rows = connection.execute(select(table).order_by(table.c.id)).all()
            out[name] = [tuple(_comparable(v) for v in row) for row in rows]
    return out


def _comparable(value):
    """Times as naive UTC (SQLite keeps no offset), floats as they are."""
    import datetime as dt

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _demo_database(url: str):
    """The demo clinic, with a laser-Doppler file (binary content) attached to an outcome."""
    from pathlib import Path

    from lightdose.records import service
    from lightdose.records.auth import Actor
    from lightdose.records.models import Outcome, User

    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as db:
        ensure_demo(db)
        user = db.scalars(select(User).where(User.role == "clinician")).first()
        outcome = db.scalars(select(Outcome)).first()
        content = (Path(__file__).resolve().parents[1] / "data" / "ldf" / "midnight_comma.csv").read_bytes()
        service.attach_ldf(db, Actor(user.id, user.clinic_id, "clinician", user.username), outcome.id, "x.csv",
                           content)  # a BOM and "°C": bytes that must survive as they are
    return engine


@pytest.mark.parametrize(("source", "target"), [("sqlite", "sqlite"), ("postgresql", "postgresql"),
                                                ("sqlite", "postgresql")])
def test_backup_and_restore_reproduce_every_row(tmp_path, postgres_cluster, source, target):
    if "postgresql" in (source, target) and isinstance(postgres_cluster, str):
        pytest.skip(postgres_cluster)

    def url(kind: str, n: int) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'{n}.sqlite3'}"
        return postgres_cluster.create_database(f"backup_{n}_{source}_{target}_{secrets.token_hex(3)}")

    original = _demo_database(url(source, 1))
    path = tmp_path / "records.json.gz"
    counts = backup(original, path)
    assert counts["treatment_sessions"] == 18 and counts["audit_log"] > 0
    assert read_backup(path)["revision"] == head_revision()
    copy = make_engine(url(target, 2))
    assert restore(copy, path) == counts
    assert current_revision(copy) == head_revision()
    assert _rows(copy) == _rows(original)
    with pytest.raises(Exception, match="not empty"):
        restore(copy, path)
    # the restored database keeps working: new rows get new ids, the audit log is still append-only
    with transaction(session_factory(copy)) as db:
        ensure_demo(db)
    with pytest.raises(Exception, match="append-only"), copy.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
    original.dispose()
    copy.dispose()


def test_a_backup_of_an_older_schema_restores_into_the_newest(tmp_path):
    old = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(old, revisions()[0])
    with old.begin() as connection:
        connection.execute(text("INSERT INTO clinics (id, name, demo, created_at) VALUES (1, 'c', 0, "
                                "'2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO audit_log (id, at, clinic_id, action, entity) VALUES "
                                "(1, '2026-01-01 00:00:00', 1, 'create', 'clinic')"))
    path = tmp_path / "old.json.gz"
    backup(old, path)
    assert read_backup(path)["revision"] == revisions()[0]
    new = make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    restore(new, path)
    assert current_revision(new) == head_revision()
    with new.connect() as connection:
        assert connection.execute(text("SELECT name FROM clinics")).scalar_one() == "c"
    with pytest.raises(Exception, match="append-only"), new.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    path = tmp_path / "x.json.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(Exception, match="is not a lightdose records backup"):
        read_backup(path)
