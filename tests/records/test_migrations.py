"""Issue 15, acceptance 1: the migrations create the schema from nothing and upgrade from the first revision, on
SQLite and on PostgreSQL; the migrated schema is exactly the models' (Alembic finds nothing to generate)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from lightdose.records.db import current_revision, head_revision, make_engine, revisions, upgrade
from lightdose.records.models import TABLES_IN_ORDER, Base

BOTH = pytest.mark.parametrize("new_url", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_the_schema_from_nothing(new_url):
    engine = make_engine(new_url())
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() == revisions()[-1]
    assert set(TABLES_IN_ORDER) <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    upgrade(engine)  # again: nothing to do
    assert current_revision(engine) == head_revision()
    engine.dispose()


@BOTH
def test_upgrade_from_the_first_revision_keeps_the_rows(new_url):
    engine = make_engine(new_url())
    first = revisions()[0]
    upgrade(engine, first)
    assert current_revision(engine) == first
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO clinics (id, name, demo, created_at) VALUES (1, 'c', false, "
                                "'2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO users (id, clinic_id, username, password_hash, role, active, "
                                "failed_logins, created_at) VALUES (1, 1, 'u', 'x', 'clinician', true, 0, "
                                "'2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO audit_log (at, clinic_id, user_id, action, entity) VALUES "
                                "('2026-01-01 00:00:00', 1, 1, 'create', 'user')"))
        connection.execute(text("DELETE FROM audit_log"))  # the first schema did not protect the log yet
        connection.execute(text("INSERT INTO audit_log (at, clinic_id, user_id, action, entity) VALUES "
                                "('2026-01-01 00:00:00', 1, 1, 'create', 'user')"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT username FROM users")).scalar_one() == "u"
        assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 1
        indexes = {i["name"] for i in inspect(connection).get_indexes("treatment_sessions")}
    assert "ix_treatment_sessions_course_started" in indexes
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
    engine.dispose()


def test_the_default_database_is_in_the_data_folder(monkeypatch, tmp_path):
    from lightdose.records.db import database_url

    monkeypatch.delenv("LIGHTDOSE_DATABASE_URL", raising=False)
    monkeypatch.setenv("LIGHTDOSE_DATA_DIR", str(tmp_path / "data"))
    assert database_url() == f"sqlite:///{tmp_path / 'data' / 'records.sqlite3'}"
    monkeypatch.setenv("LIGHTDOSE_DATABASE_URL", "postgresql://u:p@db.example/records")
    assert database_url() == "postgresql+psycopg://u:p@db.example/records"
    monkeypatch.setenv("LIGHTDOSE_DATABASE_URL", "mysql://u@h/d")
    with pytest.raises(Exception, match="'mysql' is not supported"):
        database_url()
