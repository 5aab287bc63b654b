"""Where the records live and how to open them: the database URL, the engine (SQLite in WAL mode with foreign keys
and full fsync, or PostgreSQL through psycopg 3), the schema migrations (Alembic, shipped in the package and run
from Python: no ``alembic.ini`` needed) and the transaction helper every write goes through.

- no ``LIGHTDOSE_DATABASE_URL``: ``sqlite:///<data folder>/records.sqlite3``, the data folder being
  ``$LIGHTDOSE_DATA_DIR``, else ``$XDG_DATA_HOME/lightdose``, else ``~/.local/share/lightdose``;
- ``LIGHTDOSE_DATABASE_URL=postgresql://user:password@host/db`` (``postgresql+psycopg://`` is used for it).

Durability: SQLite runs with ``synchronous=FULL`` (a committed write is on disk before the commit returns, in WAL
mode too) and every transaction is ``BEGIN IMMEDIATE`` (writers queue for the lock at once instead of failing
on upgrade); PostgreSQL's defaults (``fsync``, ``synchronous_commit=on``) are durable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from lightdose.errors import InputError

URL_VARIABLE = "LIGHTDOSE_DATABASE_URL"
"""Environment variable naming the records database (a SQLAlchemy URL)."""
DATA_DIR_VARIABLE = "LIGHTDOSE_DATA_DIR"
"""Environment variable naming the folder of the default SQLite file."""
SQLITE_FILE = "records.sqlite3"
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the lock before it gives up [ms]."""


def data_dir() -> Path:
    """The user's data folder for lightdose (created when missing)."""
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if folder:
        path = Path(folder)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "lightdose"
    path.mkdir(parents=True, exist_ok=True)
    return path


def configured_url() -> str | None:
    """``LIGHTDOSE_DATABASE_URL`` when it is set (a real database: no demo data), else None."""
    return os.environ.get(URL_VARIABLE) or None


def database_url(url: str | None = None) -> str:
    """`url`, else ``LIGHTDOSE_DATABASE_URL``, else the SQLite file in the data folder; ``postgresql://`` is
    given the psycopg 3 driver."""
    url = url or configured_url() or f"sqlite:///{data_dir() / SQLITE_FILE}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(URL_VARIABLE, f"{parsed.get_backend_name()!r} is not supported; use sqlite:///FILE or "
                                       "postgresql://USER:PASSWORD@HOST/DATABASE")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    # the pysqlite driver's own transaction handling is switched off; BEGIN IMMEDIATE is sent in _sqlite_begin
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (see :func:`database_url`): SQLite with WAL, foreign keys, full fsync and immediate
    transactions; PostgreSQL with a pre-ping pool."""
    full = database_url(url)
    parsed = make_url(full)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(full, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                               pool_size=8, max_overflow=8)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(full, pool_pre_ping=True, pool_size=8, max_overflow=8)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends (durably, before the caller acknowledges anything),
    rolled back when it raises."""
    with factory() as session, session.begin():
        yield session


def _alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest), from nothing or from any older revision."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """Every revision the package ships, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


__all__ = ["URL_VARIABLE", "configured_url", "current_revision", "data_dir", "database_url", "head_revision",
           "make_engine", "revisions", "session_factory", "transaction", "upgrade"]
