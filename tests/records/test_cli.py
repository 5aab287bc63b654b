"""`lightdose db init | upgrade | backup | restore | export --deidentified` and `lightdose user add`, on a SQLite file
named by LIGHTDOSE_DATABASE_URL; and `lightdose serve --demo`'s demo clinic (created in the default database only)."""

from __future__ import annotations

from typer.testing import CliRunner

from lightdose.cli import app
from lightdose.records.db import head_revision, make_engine, session_factory, transaction
from lightdose.records.setup import ensure_demo

runner = CliRunner()


def _cli(url: str, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin, env={"LIGHTDOSE_DATABASE_URL": url})


def test_db_and_user_commands(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    result = _cli(url, "db", "init")
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.stdout
    assert "already up to date" in _cli(url, "db", "upgrade").stdout
    added = _cli(url, "user", "add", "dr-who", "--role", "clinician", "--clinic", "North", "--password-stdin",
                 stdin="a long password\n")
    assert added.exit_code == 0, added.output
    assert "added dr-who (clinician) to North" in added.stdout
    taken = _cli(url, "user", "add", "dr-who", "--role", "admin", "--clinic", "North", "--password-stdin",
                 stdin="a long password\n")
    assert taken.exit_code == 2 and "'dr-who' is taken" in taken.stderr
    short = _cli(url, "user", "add", "x", "--role", "admin", "--clinic", "North", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "password" in short.stderr
    bad_role = _cli(url, "user", "add", "y", "--role", "root", "--clinic", "North", "--password-stdin", stdin="x\n")
    assert bad_role.exit_code == 2 and "--role" in bad_role.stderr

    engine = make_engine(url)
    with transaction(session_factory(engine)) as db:
        ensure_demo(db)
    engine.dispose()
    backup_file = tmp_path / "b.json.gz"
    assert _cli(url, "db", "backup", str(backup_file)).exit_code == 0
    copy = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    restored = _cli(copy, "db", "restore", str(backup_file))
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.stdout
    assert _cli(copy, "db", "restore", str(backup_file)).exit_code == 2  # not empty

    refused = _cli(url, "db", "export")
    assert refused.exit_code == 2 and "--deidentified" in refused.stderr
    ambiguous = _cli(url, "db", "export", "--deidentified")
    assert ambiguous.exit_code == 2 and "--clinic" in ambiguous.stderr
    out = tmp_path / "cohort.csv"
    exported = _cli(url, "db", "export", "--deidentified", "--clinic",
                    "Demo clinic — synthetic patients, not real data", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    text = out.read_text()
    assert text.count("\n") == 4 and "SYNTHETIC" not in text and "synthetic demo patient" not in text


def test_demo_is_made_only_without_a_database_url(tmp_path, monkeypatch):
    from lightdose.cli.records import prepare_demo

    monkeypatch.setenv("LIGHTDOSE_DATABASE_URL", f"sqlite:///{tmp_path / 'real.sqlite3'}")
    assert prepare_demo() is None
    assert not (tmp_path / "real.sqlite3").exists()
    monkeypatch.delenv("LIGHTDOSE_DATABASE_URL")
    monkeypatch.setenv("LIGHTDOSE_DATA_DIR", str(tmp_path / "data"))
    password = prepare_demo()
    assert password is not None and password.startswith("demo-")
    assert (tmp_path / "data" / "records.sqlite3").exists()
    assert prepare_demo() != password  # a new password each start; the patients are made once
