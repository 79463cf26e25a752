"""Read sessions (storage.db.Database.read): what they leave behind on the connection and in the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from storage import tables as t
from storage.db import Database
from tests.support.seed import seed_world

MARKED = sa.text("SELECT count(*) FROM tenant WHERE slug <> 'k-read-session-marker'")
PREPARED = sa.text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%k-read-session-marker%'")


@pytest.mark.postgres
def test_a_read_repeated_session_after_session_stays_prepared_on_postgresql(db: Database) -> None:
    """psycopg prepares a statement run often enough on one connection, and forgets them all at a rollback: a read
    session that ended with one made every later session's reads parse and plan anew."""
    if not db.is_postgres:
        pytest.skip("prepared statements are PostgreSQL's")
    seed_world(db)
    db.engine.dispose()  # one connection from here on (one thread): each session below takes the same one
    for _ in range(8):
        with db.read() as s:
            assert s.execute(MARKED).scalar_one() == 1
    with db.read() as s:
        assert s.execute(PREPARED).scalar_one() == 1


def test_an_orm_change_left_in_a_read_session_is_not_saved(db: Database) -> None:
    world = seed_world(db)
    with db.read() as s:
        tenant = s.get(t.Tenant, world.tenant_id)
        assert tenant is not None
        tenant.name = 'Written by mistake'
    with db.read() as s:
        tenant = s.get(t.Tenant, world.tenant_id)
        assert tenant is not None and tenant.name == 'Lumen Studio'


def test_a_read_session_on_postgresql_holds_no_transaction_open(db: Database) -> None:
    """Reads at READ COMMITTED see the database as of each statement either way: a BEGIN and a COMMIT around them
    were two more round trips per session, and a session between its reads showed on the server as "idle in
    transaction"."""
    if not db.is_postgres:
        pytest.skip('SQLite keeps one snapshot for a read transaction, and the reads keep theirs')
    world = seed_world(db)
    admin = sa.create_engine(db.url, isolation_level='AUTOCOMMIT')
    try:
        with db.read() as s:
            pid = s.connection().exec_driver_sql('SELECT pg_backend_pid()').scalar_one()
            assert s.get(t.Tenant, world.tenant_id) is not None
            with admin.connect() as other:
                state = other.exec_driver_sql(f'SELECT state FROM pg_stat_activity WHERE pid = {int(pid)}').scalar_one()
            assert state == 'idle'
        with db.write() as s:  # a write is one transaction, as ever
            pid = s.connection().exec_driver_sql('SELECT pg_backend_pid()').scalar_one()
            with admin.connect() as other:
                state = other.exec_driver_sql(f'SELECT state FROM pg_stat_activity WHERE pid = {int(pid)}').scalar_one()
            assert state == 'idle in transaction'
    finally:
        admin.dispose()


def test_a_snapshot_sees_the_database_as_of_one_moment(db: Database) -> None:
    """A business's export reads many tables: a change committed while it reads must not show in some of them."""
    world = seed_world(db)
    with db.snapshot() as s:
        before = s.get(t.Tenant, world.tenant_id)
        assert before is not None and before.name == 'Lumen Studio'
        if db.is_postgres:  # SQLite's writer would wait for this read transaction
            with db.write() as w:
                w.execute(sa.update(t.Tenant).where(t.Tenant.id == world.tenant_id).values(name='Renamed meanwhile'))
            s.expire_all()
            assert s.execute(sa.select(t.Tenant.name).where(t.Tenant.id == world.tenant_id)).scalar_one() == \
                'Lumen Studio'
    if db.is_postgres:
        with db.read() as s:  # a plain read sees the change
            assert s.execute(sa.select(t.Tenant.name).where(t.Tenant.id == world.tenant_id)).scalar_one() == \
                'Renamed meanwhile'
