"""The booking's hot statements on the driver's cursor (storage.driver, PostgreSQL) fail as SQLAlchemy's statements do.

The same tests run on SQLite, where those statements take SQLAlchemy's path: callers catch one kind of exception
whichever path ran. On PostgreSQL a lost connection is invalidated, so the pool never hands it out again.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from services import booking
from storage import catalog, customers, driver, outbox
from storage.db import Database
from tests.support.seed import seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _queue(s, world, message_id: str) -> None:
    outbox.insert(s, tenant_id=world.tenant_id, template='note', recipient='ada@example.com', subject='Hi',
                  message_id=message_id, content={'text': 'x'}, now=NOW)


def test_a_constraint_broken_by_a_driver_statement_is_sqlalchemys_integrity_error(db: Database) -> None:
    world = seed_world(db, now=NOW)
    with db.write() as s:
        _queue(s, world, '<one@kairos.local>')
    with pytest.raises(sa.exc.IntegrityError) as raised, db.write() as s:
        assert driver.enabled(s) == db.is_postgres
        _queue(s, world, '<one@kairos.local>')  # the Message-ID is unique
    assert 'message_id' in str(raised.value.orig).lower() or 'unique' in str(raised.value.orig).lower()
    # The transaction was rolled back and its connection is fine: the next change commits.
    with db.write() as s:
        _queue(s, world, '<two@kairos.local>')
    with db.read() as s:
        assert sorted(e.message_id for e in outbox.emails(s, limit=10)) == ['<one@kairos.local>', '<two@kairos.local>']


@pytest.mark.parametrize('write', ['write', 'write_on_connection'])  # a booking's is the second
def test_a_booking_whose_connection_is_lost_fails_with_operational_error_and_the_next_one_books(
        db: Database, write: str) -> None:
    if not db.is_postgres:
        pytest.skip('a lost connection mid-transaction is a server matter (PostgreSQL)')
    world = seed_world(db, now=NOW)
    admin = sa.create_engine(db.url, isolation_level='AUTOCOMMIT')
    try:
        with pytest.raises(sa.exc.OperationalError) as raised, getattr(db, write)() as s:
            pid = s.connection().exec_driver_sql('SELECT pg_backend_pid()').scalar_one()
            with admin.connect() as other:
                other.exec_driver_sql(f'SELECT pg_terminate_backend({int(pid)})')
            customers.customer(s, tenant_id=world.tenant_id, customer_id=world.ada)  # on the driver's cursor
        assert raised.value.connection_invalidated
        # The pool dropped that connection: the next booking gets a live one and books.
        booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                              staff_id=world.staff['mia'], start=START, now=NOW)
        with db.read() as s:
            assert s.connection().exec_driver_sql('SELECT pg_backend_pid()').scalar_one() != pid
        assert booked.start == START
    finally:
        admin.dispose()


def test_a_staff_lock_not_granted_in_time_is_sqlalchemys_operational_error(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip('SQLite has no row locks: its write transaction holds the whole database')
    world = seed_world(db, now=NOW)
    held, release = threading.Event(), threading.Event()

    def hold_the_staff_row() -> None:
        with db.write() as s:
            catalog.lock_staff(s, tenant_id=world.tenant_id, staff_ids=[world.staff['mia']])
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_staff_row)
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(sa.exc.OperationalError) as raised, db.write() as s:
            s.connection().exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
            catalog.lock_staff_offering(s, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                        staff_id=world.staff['mia'])
        assert 'lock' in str(raised.value.orig).lower() and not raised.value.connection_invalidated
    finally:
        release.set()
        holder.join(30)
    with db.write() as s:  # the connection went back to the pool in good order
        staff_ids, _ = catalog.lock_staff_offering(s, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                                   staff_id=world.staff['mia'])
    assert staff_ids == [world.staff['mia']]
