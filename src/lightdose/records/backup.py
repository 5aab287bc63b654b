"""Backup and restore: every row of every table in one JSON file (gzip-compressed) with the schema revision it was
taken at, so that a backup from SQLite restores into PostgreSQL and the other way round, and an older backup
restores into a newer lightdose (the database is created at the backup's revision, the rows are inserted, then the
migrations bring it to the newest schema).

Restoring needs an empty database (a fresh file, or a PostgreSQL database without the records' tables)."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, LargeBinary, MetaData, Table, func, inspect, select, text

from lightdose import __version__
from lightdose.errors import FileFormatError, InputError
from lightdose.records.db import current_revision, upgrade
from lightdose.records.models import TABLES_IN_ORDER, utcnow

FORMAT = "lightdose-records-backup"
FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")  # a file (LargeBinary), restored by its column type
    return value


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row to `path` (gzip JSON); the rows per table. Taken in one read transaction (a consistent
    snapshot while the server keeps writing)."""
    revision = current_revision(engine)
    if revision is None:
        raise InputError("database", "has no records schema yet (run `lightdose db init`)")
    tables: dict[str, list[dict[str, Any]]] = {}
    metadata = MetaData()
    with engine.begin() as connection:
        present = set(inspect(connection).get_table_names())
        for name in TABLES_IN_ORDER:
            if name not in present:
                continue
            table = Table(name, metadata, autoload_with=connection)
            order = table.c.id if "id" in table.c else list(table.c)[0]
            tables[name] = [{k: _plain(v) for k, v in row._mapping.items()}
                            for row in connection.execute(select(table).order_by(order))]
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "revision": revision,
                "lightdose_version": __version__, "taken_at": utcnow().isoformat(), "tables": tables}
    partial = path.with_name(path.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        json.dump(document, out)
    partial.replace(path)  # a backup file is complete or absent
    return {name: len(rows) for name, rows in tables.items()}


def read_backup(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            document = json.load(source)
    except (OSError, ValueError) as exc:
        raise FileFormatError(str(path), None, f"is not a lightdose records backup ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FileFormatError(str(path), None, "is not a lightdose records backup")
    if document.get("format_version", 0) > FORMAT_VERSION:
        raise FileFormatError(str(path), None, "was written by a newer lightdose; upgrade lightdose to restore it")
    return document


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key not in table.c:
            continue
        kind = table.c[key].type
        if isinstance(value, str) and isinstance(kind, DateTime):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Date):
            value = dt.date.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, LargeBinary):
            value = base64.b64decode(value)
        out[key] = value
    return out


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Restore `path` into the empty database of `engine`, then migrate it to the newest schema; the rows per
    table."""
    document = read_backup(path)
    if current_revision(engine) is not None:
        with engine.connect() as connection:
            has_rows = connection.execute(text("SELECT count(*) FROM clinics")).scalar_one()
        if has_rows:
            raise InputError("database", "is not empty: restore into a new database (a new file, or a new "
                                         "PostgreSQL database), so that nothing is overwritten")
    upgrade(engine, document["revision"])
    counts = {}
    metadata = MetaData()
    with engine.begin() as connection:
        present = set(inspect(connection).get_table_names())
        for name in TABLES_IN_ORDER:
            rows = document["tables"].get(name, [])
            if name not in present:  # a table newer than the backup's schema: the migrations make it
                if rows:
                    raise FileFormatError(str(path), None, f"has rows of {name}, which its schema revision "
                                                           f"{document['revision']} does not have")
                continue
            table = Table(name, metadata, autoload_with=connection)
            if rows:
                connection.execute(table.insert(), [_typed(table, r) for r in rows])
            counts[name] = len(rows)
            if connection.dialect.name == "postgresql" and "id" in table.c:
                top = connection.execute(select(func.max(table.c.id))).scalar()
                if top is not None:
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :top)"),
                                       {"top": top})
    upgrade(engine)
    return counts


__all__ = ["backup", "read_backup", "restore"]
