"""PostgreSQL's pooled connections: one that went away while it sat idle is replaced before anyone uses it, and one
used a moment ago is handed out without a round trip to check it (storage.db `_ping_when_idle`)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from storage import db as storage_db
from storage.db import Database


def _backend_pid(db: Database) -> int:
    with db.read() as s:
        pid: int = s.connection().exec_driver_sql('SELECT pg_backend_pid()').scalar_one()
    return pid


@pytest.fixture
def pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    if not db.is_postgres:
        pytest.skip("SQLite's connections are files: nothing on the other end goes away")
    made: list[int] = []
    ping = db.engine.dialect.do_ping

    def counted(dbapi_conn: object) -> bool:
        made.append(1)
        return ping(dbapi_conn)

    monkeypatch.setattr(db.engine.dialect, 'do_ping', counted)
    return made


def test_a_connection_dropped_while_idle_is_replaced_and_the_read_succeeds(
        db: Database, pings: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _backend_pid(db)
    admin = sa.create_engine(db.url, isolation_level='AUTOCOMMIT')
    try:
        with admin.connect() as other:  # as a restart or an idle timeout on the server would
            assert other.exec_driver_sql(f'SELECT pg_terminate_backend({pid})').scalar_one()
    finally:
        admin.dispose()
    monkeypatch.setattr(storage_db, 'IDLE_PING_AFTER_S', 0.0)  # it has been idle long enough to be checked

    assert _backend_pid(db) != pid  # no error: the dead connection was found out and a fresh one used
    assert pings == [1]


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
        db: Database, pings: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    first = _backend_pid(db)
    assert _backend_pid(db) == first and _backend_pid(db) == first  # the same pooled connection, again and again
    assert pings == []

    monkeypatch.setattr(storage_db, 'IDLE_PING_AFTER_S', 0.0)
    assert _backend_pid(db) == first  # checked, alive, kept
    assert pings == [1]
