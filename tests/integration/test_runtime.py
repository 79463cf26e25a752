"""The composition root: one runtime holds the process's long-lived objects, and one reset forgets all of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services import events, mail, ratelimit, runtime
from services.config import get_config, reset_config
from services.context import get_db
from services.tenants import cached_count, resolve_tenant
from tests.support.seed import seed_world

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_every_long_lived_object_hangs_off_the_one_runtime(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('KAIROS_DATABASE_URL', db.url)
    reset_config()
    current = runtime.get()
    assert runtime.get() is current
    assert get_config() is current.config
    assert get_db() is current.db and get_db().url == db.url
    assert ratelimit.limiter() is current.limiter


def test_one_reset_forgets_caches_counts_subscriptions_and_queued_mail(db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('KAIROS_DATABASE_URL', db.url)
    reset_config()
    world = seed_world(db, now=NOW)
    resolve_tenant(None)
    check = ratelimit.Check(ratelimit.ACCOUNT_LIMIT, 'test', 'ada@example.com')
    ratelimit.limiter().hit(check)
    heard: list[dict[str, object]] = []
    topic = events.customer_topic(world.tenant_id, world.ada)
    events.subscribe(topic, heard.append)
    with get_db().write() as s:
        mail.queue(s, tenant_id=world.tenant_id, template='test', to='ada@example.com', subject='Hi', text='Hello')
    before = runtime.get()
    assert cached_count() == 1 and before.mail.dirty and before.events.subscribers
    assert _left(check) == 4

    runtime.reset()

    after = runtime.get()
    assert after is not before
    assert cached_count() == 0
    assert not after.mail.dirty and not after.events.subscribers and not before.events.subscribers
    events.publish(topic, {'x': 1})
    assert heard == []  # the subscription went with the old runtime
    assert _left(check) == 5
    assert before.passwords.pool._shutdown  # its threads stop once idle


def _left(check: ratelimit.Check) -> int:
    return int(ratelimit.limiter().strategy.get_window_stats(check.limit, check.namespace, check.key)[1])


def test_a_reloaded_configuration_gets_a_database_of_its_url(db, sqlite_db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('KAIROS_DATABASE_URL', db.url)
    reset_config()
    first = get_db()
    monkeypatch.setenv('KAIROS_DATABASE_URL', sqlite_db.url)
    assert get_db() is first  # the configuration is read once, until it is reloaded
    reset_config()
    assert get_db().url == sqlite_db.url


def test_configure_builds_the_runtime_from_given_parts(sqlite_db) -> None:
    configured = runtime.configure(db=sqlite_db)
    assert runtime.get() is configured
    assert get_db() is sqlite_db
    reset_config()
    assert get_db() is sqlite_db  # handed in: it stays whatever the environment says
    runtime.reset()
    assert runtime.get() is not configured
