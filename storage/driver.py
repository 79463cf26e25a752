"""A few hot statements run on the PostgreSQL driver's own cursor, past SQLAlchemy's per-statement layers.

A booking runs about five statements while it holds its staff row locks (the lock, the day's bookings and holds, the
insert of the appointment and its history, the outbox row, the customer's read). Through SQLAlchemy each one costs
more Python than psycopg's own work: the execution context, the cache key, the result object and its processors.
These statements are kept as SQLAlchemy expressions (one definition, in the module that owns the table), compiled
once per dialect to their SQL text, and run on the cursor of the session's own connection, so they are part of its
transaction exactly as before. Their parameters are given as the driver takes them (naive UTC datetimes, `json`
for JSON columns) and their rows come back as the driver's tuples.

Only PostgreSQL takes this path (`enabled`); SQLite keeps SQLAlchemy's. A driver error is raised as SQLAlchemy raises
it (IntegrityError, OperationalError, ... wrapping the driver's), so the callers' except clauses work unchanged, and a
lost connection invalidates the pooled connection, as SQLAlchemy does, so the pool does not hand it out again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from psycopg import pq
from psycopg.types.json import Json
from sqlmodel import Session

_EXPANDING = re.compile(r'IN \(__\[POSTCOMPILE_(\w+)\]\)')


class Statement:
    """One SQLAlchemy statement as SQL text for the driver, compiled on first use per dialect.

    An expanding IN parameter (`bindparam(..., expanding=True)`) becomes `= ANY(%(name)s)`: one text for any number
    of values, the list given as one array parameter."""

    __slots__ = ('_compiled', '_stmt')

    def __init__(self, stmt: sa.Executable) -> None:
        self._stmt = stmt
        self._compiled: dict[str, tuple[str, dict[str, Any]]] = {}

    def text(self, dialect: sa.Dialect) -> tuple[str, dict[str, Any]]:
        """The SQL text and the values the statement itself binds (literals), for `dialect`."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._stmt.compile(dialect=dialect)  # type: ignore[attr-defined]  # every statement has it
            sql = _EXPANDING.sub(r'= ANY(%(\1)s)', compiled.string)
            found = self._compiled[dialect.name] = (sql, {k: v for k, v in compiled.params.items() if v is not None})
        return found


def enabled(session: Session) -> bool:
    """Whether the session's database takes the driver path (PostgreSQL through psycopg)."""
    return session.get_bind().dialect.driver == 'psycopg'


def rows(session: Session, statement: Statement, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run `statement` in the session's transaction on the driver's cursor; its rows (none for a statement that
    returns none)."""
    conn = _connection(session)
    dialect = conn.dialect
    sql, literals = statement.text(dialect)
    values = {**literals, **params} if literals else params
    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = None
    try:
        cursor = raw.cursor()
        cursor.execute(sql, values)
        result = cursor.pgresult  # not `description`: it builds a Column object per column, every time
        found: list[tuple[Any, ...]] = (cursor.fetchall() if result is not None
                                        and result.status == pq.ExecStatus.TUPLES_OK else [])
        cursor.close()
        return found
    except dialect.loaded_dbapi.Error as e:
        # As SQLAlchemy's own execute does (Connection._handle_dbapi_exception): a lost connection is invalidated,
        # so the pool never hands it out again, and the driver's error is raised as SQLAlchemy's exception of the
        # same kind, with the driver's as its `orig`.
        lost = not conn.closed and dialect.is_disconnect(e, raw, cursor)
        if lost and not conn.invalidated:
            conn.invalidate(e)
        elif cursor is not None:
            cursor.close()
        raise sa.exc.DBAPIError.instance(sql, values, e, dialect.loaded_dbapi.Error,
                                         hide_parameters=conn.engine.hide_parameters, connection_invalidated=lost,
                                         dialect=dialect) from e


def _connection(session: Session) -> sa.Connection:
    """The session's connection (beginning its transaction when none is open), kept for the rest of that
    transaction: `Session.connection()` walks the session's transaction machinery at every call. A session bound to
    a connection (storage.db.Database.write_on_connection) is in that connection's transaction: its statements run
    there, and the session begins nothing of its own for them."""
    bind = session.bind
    if isinstance(bind, sa.Connection):
        return bind
    transaction = session.get_transaction()
    if transaction is not None:
        kept = session.info.get(_KEPT)
        if kept is not None and kept[0] is transaction and not kept[1].invalidated:
            return kept[1]  # type: ignore[no-any-return]
    conn = session.connection()
    session.info[_KEPT] = (session.get_transaction(), conn)
    return conn


_KEPT = 'kairos_driver_connection'


def naive_utc(instant: datetime) -> datetime:
    """An aware time as a UTC column stores it (storage.tables.UTCDateTime's bind side)."""
    return instant.astimezone(UTC).replace(tzinfo=None)


def json(value: Any) -> Json:
    """A value for a JSON column, as SQLAlchemy's psycopg dialect binds one."""
    return Json(value)
