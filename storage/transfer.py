"""One business's rows, every table, as plain JSON values, and back; and a consistent copy of a live SQLite file.

Generic over the tables in storage.tables: a table with a tenant_id column is the tenant's where it matches; a link
table without one (staff_service, package_service, staff_location) is the tenant's through its first parent that
has one. Ids are kept, so references stay as they were; the target must not hold those ids already.
"""

from __future__ import annotations

import base64
import sqlite3
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel

import storage.tables  # noqa: F401  (registers every table in SQLModel.metadata)
from storage.tables import UTCDateTime


class TransferRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def tenant_tables() -> list[sa.Table]:
    """Every table that holds a business's rows, parents before children (not the derived ones: tenant_version)."""
    return [table for table in SQLModel.metadata.sorted_tables if not table.info.get('derived')
            and (table.name == 'tenant' or 'tenant_id' in table.c or _owning_key(table) is not None)]


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at."""
    return MigrationContext.configure(session.connection()).get_current_revision()


def tenant_id_by_slug(session: Session, *, slug: str) -> int | None:
    table = SQLModel.metadata.tables['tenant']
    return session.execute(sa.select(table.c.id).where(table.c.slug == slug)).scalar_one_or_none()


def dump(session: Session, *, tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tenant, table by table (parents first), ordered by primary key, as JSON values."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in tenant_tables():
        query = sa.select(table).where(_of_tenant(table, tenant_id)).order_by(*table.primary_key.columns)
        out[table.name] = [{c.name: _to_json(c, row[c.name]) for c in table.columns}
                           for row in session.execute(query).mappings()]
    return out


def load(session: Session, tables: dict[str, list[dict[str, Any]]]) -> int:
    """Insert the dumped rows (ids kept) in the caller's transaction; returns how many. PostgreSQL's id sequences
    move past the highest id, so the next row made by the app does not collide."""
    known = {table.name: table for table in tenant_tables()}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise TransferRefused(f'The file has tables this version does not know: {", ".join(unknown)}.')
    count = 0
    for table in tenant_tables():
        rows = tables.get(table.name) or []
        if rows:
            session.execute(table.insert(), [{c.name: _from_json(c, row.get(c.name)) for c in table.columns
                                              if c.name in row} for row in rows])
            count += len(rows)
    if session.get_bind().dialect.name == 'postgresql':
        for table in tenant_tables():
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement in (True, 'auto'):
                session.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f'COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'))
    return count


def backup_sqlite(url: str, target: Path) -> None:
    """A consistent copy of a live SQLite database (sqlite3's online backup API: one snapshot, writers may go on)."""
    if not url.startswith('sqlite:///'):
        raise TransferRefused('kairos backup copies a SQLite database; for PostgreSQL use pg_dump.')
    source_path = url.split('///', 1)[1]
    if not Path(source_path).exists():
        raise TransferRefused(f'There is no database at {source_path}.')
    if target.exists():
        raise TransferRefused(f'{target} already exists; choose a new file name.')
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # all pages in one step: the copy is one moment of the database
    finally:
        copy.close()
        source.close()


# ---- helpers ---------------------------------------------------------------------------------------------------


def _owning_key(table: sa.Table) -> sa.ForeignKey | None:
    for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
        if 'tenant_id' in fk.column.table.c:
            return fk
    return None


def _of_tenant(table: sa.Table, tenant_id: int) -> Any:
    if table.name == 'tenant':
        return table.c.id == tenant_id
    if 'tenant_id' in table.c:
        return table.c.tenant_id == tenant_id
    fk = _owning_key(table)
    assert fk is not None
    parent = fk.column.table
    return fk.parent.in_(sa.select(fk.column).where(parent.c.tenant_id == tenant_id))


def _to_json(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode('ascii')
    return value


def _from_json(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        return time.fromisoformat(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value
