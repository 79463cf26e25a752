"""Database.write_on_connection: one plain connection's transaction (a booking's), with a session bound to it.

What the driver, Core and the ORM write in it commits together, or not at all; the after-commit callbacks (the
outbox sender's wake-up) run once it has committed, never when it rolls back, as after `Database.write`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import outbox
from storage import tables as t
from storage.db import Database, after_commit
from tests.support.seed import seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _queue_on_the_hot_path(s, tenant_id: int, message_id: str) -> None:
    # PostgreSQL: on the driver's cursor; SQLite: Core on the session's connection
    outbox.insert(s, tenant_id=tenant_id, template='note', recipient='ada@example.com', subject='Hi',
                  message_id=message_id, content={'text': 'x'}, now=NOW)


def _add_through_the_orm(s, tenant_id: int, message_id: str) -> None:
    s.add(t.EmailOutbox(tenant_id=tenant_id, template='note', recipient='bob@example.com', subject='Hi',
                        message_id=message_id, content={'text': 'y'}, created_at=NOW, next_attempt_at=NOW))


def _message_ids(db: Database) -> list[str]:
    with db.read() as s:  # another connection: sees only what was committed
        return sorted(e.message_id for e in outbox.emails(s, limit=10))


def test_what_it_writes_commits_together_and_the_callbacks_run_after_the_commit(db: Database) -> None:
    world = seed_world(db, now=NOW)
    seen_by_callback: list[list[str]] = []
    with db.write_on_connection() as s:
        _queue_on_the_hot_path(s, world.tenant_id, '<driver@kairos.local>')
        _add_through_the_orm(s, world.tenant_id, '<orm@kairos.local>')  # flushed before the commit
        after_commit(s, lambda: seen_by_callback.append(_message_ids(db)))
        assert seen_by_callback == []
    assert seen_by_callback == [['<driver@kairos.local>', '<orm@kairos.local>']]


def test_an_error_rolls_back_all_of_it_and_no_callback_runs(db: Database) -> None:
    world = seed_world(db, now=NOW)
    called: list[str] = []
    with pytest.raises(RuntimeError), db.write_on_connection() as s:
        _add_through_the_orm(s, world.tenant_id, '<orm@kairos.local>')
        s.flush()  # already sent to the database: the rollback must take it back too
        _queue_on_the_hot_path(s, world.tenant_id, '<driver@kairos.local>')
        after_commit(s, lambda: called.append('woken'))
        raise RuntimeError('the booking found a reason to stop')
    assert called == [] and _message_ids(db) == []
    with db.write_on_connection() as s:  # the connection went back to the pool in good order
        _queue_on_the_hot_path(s, world.tenant_id, '<next@kairos.local>')
    assert _message_ids(db) == ['<next@kairos.local>']


def test_a_callback_registered_in_a_write_runs_once_after_its_commit(db: Database) -> None:
    # The same registry serves `write` (the session's own commit fires it) and `write_on_connection`.
    world = seed_world(db, now=NOW)
    called: list[str] = []
    with db.write() as s:
        _queue_on_the_hot_path(s, world.tenant_id, '<one@kairos.local>')
        after_commit(s, lambda: called.append('woken'))
    assert called == ['woken']
