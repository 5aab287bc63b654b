"""The audit log: one append-only row for every write (values before and after) and every read of a patient's
record, in the same transaction as the change it describes (so a write and its entry are durable together or not
at all). The table refuses UPDATE and DELETE (database triggers, migration 0002)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from lightdose.records.models import AuditEntry


def plain(value: Any) -> Any:
    """`value` as JSON-ready data (datetimes and dates as ISO text)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(row: Any) -> dict[str, Any]:
    """A row's column values (for the audit log's before and after)."""
    return {column.key: plain(getattr(row, column.key)) for column in inspect(row).mapper.column_attrs}


def record(db: Session, clinic_id: int | None, user_id: int | None, action: str, entity: str,
           entity_id: int | None, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Append one entry (flushed with the transaction it belongs to)."""
    db.add(AuditEntry(clinic_id=clinic_id, user_id=user_id, action=action, entity=entity, entity_id=entity_id,
                      before=before, after=after))


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the columns that changed, before and after."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


__all__ = ["changed", "plain", "record", "snapshot"]
