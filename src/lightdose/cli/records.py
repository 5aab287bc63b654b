"""`lightdose db` (init, upgrade, backup, restore, export) and `lightdose user add`: the records' database and
accounts from the command line (docs/records.md). The database is ``LIGHTDOSE_DATABASE_URL``, else the SQLite file
in the data folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from lightdose.cli.app import app, console, err_console, user_errors_exit_cleanly

if TYPE_CHECKING:
    from sqlalchemy import Engine

db_app = typer.Typer(help="The records' database: create or upgrade its schema, back it up, restore it, export "
                          "the de-identified cohort.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts of the records: add a user to a clinic.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


def _where() -> str:
    from sqlalchemy.engine import make_url

    from lightdose.records.db import database_url

    return make_url(database_url()).render_as_string(hide_password=True)


def _engine() -> Engine:
    from lightdose.records.db import make_engine

    return make_engine()


@db_app.command("init")
@user_errors_exit_cleanly
def db_init() -> None:
    """Create the records' schema (an existing one is brought up to date)."""
    from lightdose.records.db import current_revision, upgrade

    engine = _engine()
    upgrade(engine)
    console.print(f"records database {escape(_where())}: schema at revision {current_revision(engine)}",
                  highlight=False)


@db_app.command("upgrade")
@user_errors_exit_cleanly
def db_upgrade() -> None:
    """Run the migrations that the database has not had yet."""
    from lightdose.records.db import current_revision, upgrade

    engine = _engine()
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    said = "already up to date" if before == after else f"upgraded from {before or 'nothing'}"
    console.print(f"records database {escape(_where())}: {said}; revision {after}", highlight=False)


@db_app.command("backup")
@user_errors_exit_cleanly
def db_backup(file: Path = typer.Argument(..., help="Backup file to write (gzip JSON, e.g. records.json.gz).")) -> None:
    """Write every row of every table to FILE (a consistent snapshot; the server may keep running)."""
    from lightdose.records.backup import backup

    counts = backup(_engine(), file)
    console.print(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {escape(str(file))}",
                  highlight=False)


@db_app.command("restore")
@user_errors_exit_cleanly
def db_restore(file: Path = typer.Argument(..., help="A backup written by `lightdose db backup`.")) -> None:
    """Restore FILE into an empty database, then migrate it to this lightdose's schema."""
    from lightdose.records.backup import restore
    from lightdose.records.db import current_revision

    engine = _engine()
    counts = restore(engine, file)
    console.print(f"restored {sum(counts.values())} rows into {escape(_where())}; revision "
                  f"{current_revision(engine)}", highlight=False)


@db_app.command("export")
@user_errors_exit_cleanly
def db_export(
    deidentified: bool = typer.Option(False, "--deidentified", help="The researcher's cohort: no codes, notes or "
                                                                     "dates (required: the only export offered)."),
    clinic: str | None = typer.Option(None, "--clinic", help="The clinic's name (needed when there are several)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="CSV file to write (default: standard output)."),
) -> None:
    """The de-identified cohort of a clinic as CSV: one row per course (see docs/records.md)."""
    from sqlalchemy import select

    from lightdose.errors import InputError
    from lightdose.records.cohort import cohort_rows, to_csv
    from lightdose.records.db import session_factory, transaction
    from lightdose.records.models import Clinic

    if not deidentified:
        raise InputError("--deidentified", "required: only the de-identified cohort is exported (`lightdose db "
                                           "backup` makes a full copy)")
    with transaction(session_factory(_engine())) as db:
        clinics = db.scalars(select(Clinic).order_by(Clinic.id)).all()
        chosen = [c for c in clinics if clinic is None or c.name == clinic]
        if len(chosen) != 1:
            names = ", ".join(repr(c.name) for c in clinics) or "none"
            raise InputError("--clinic", f"name one clinic (clinics: {names})")
        text = to_csv(cohort_rows(db, chosen[0].id))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {text.count(chr(10)) - 1} rows to {escape(str(output))}", highlight=False)


@user_app.command("add")
@user_errors_exit_cleanly
def user_add(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="admin, clinician or researcher."),
    clinic: str = typer.Option(..., "--clinic", help="The clinic's name (created when it does not exist)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input "
                                                                         "instead of asking for it."),
) -> None:
    """Add a user (the schema is created or upgraded first). The password is asked for twice, never an option."""
    from lightdose.errors import InputError
    from lightdose.records.db import session_factory, transaction, upgrade
    from lightdose.records.setup import add_user

    if role not in ("admin", "clinician", "researcher"):
        raise InputError("--role", f"{role!r} is not one of admin, clinician, researcher")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    engine = _engine()
    upgrade(engine)
    with transaction(session_factory(engine)) as db:
        user = add_user(db, clinic, username, password, role)
        user_id = user.id
    console.print(f"added {escape(username)} ({role}) to {escape(clinic)}: user {user_id}", highlight=False)


def prepare_demo() -> str | None:
    """For `lightdose serve --demo`: the demo clinic in the default SQLite database, its demo password (new each
    time); None when LIGHTDOSE_DATABASE_URL names a real database (nothing demo is created there)."""
    from lightdose.records.db import configured_url, session_factory, transaction, upgrade
    from lightdose.records.setup import ensure_demo

    if configured_url() is not None:
        return None
    engine = _engine()
    upgrade(engine)
    with transaction(session_factory(engine)) as db:
        password = ensure_demo(db)
    engine.dispose()
    return password


__all__ = ["prepare_demo"]
