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
