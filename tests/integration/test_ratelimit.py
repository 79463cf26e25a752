"""Failed sign-in counts live in Redis when KAIROS_REDIS_URL is set, so every instance behind the balancer agrees."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid

import pytest

from services import ratelimit
from services.config import reset_config

REDIS_URL = os.environ.get('KAIROS_TEST_REDIS_URL', 'redis://127.0.0.1:6379/15')


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.mark.skipif(not redis_up(), reason='no Redis on loopback')
def test_two_instances_share_the_count_through_redis(monkeypatch) -> None:
    monkeypatch.setenv('KAIROS_REDIS_URL', REDIS_URL)
    reset_config()
    try:
        checks = ratelimit.sign_in_checks(tenant_id=1, email=f'{uuid.uuid4().hex}@example.com', address=None)
        first = ratelimit.Limiter(REDIS_URL)  # two processes' limiters, one store
        second = ratelimit.Limiter(REDIS_URL)
        assert type(ratelimit.limiter().storage).__name__.startswith('Redis')
        for _ in range(3):
            first.hit(*checks)
        for _ in range(2):
            second.hit(*checks)
        with pytest.raises(ratelimit.TooManyAttempts) as e:
            first.ensure_open(*checks)
        assert str(e.value.message) == 'Too many attempts. Try again in 15 minutes.'
        second.clear(*checks)
        first.ensure_open(*checks)
    finally:
        reset_config()


@pytest.mark.skipif(not redis_up(), reason='no Redis on loopback')
def test_twenty_attempts_at_once_on_two_instances_take_exactly_the_limit_through_redis() -> None:
    from concurrent.futures import ThreadPoolExecutor

    checks = ratelimit.sign_in_checks(tenant_id=1, email=f'{uuid.uuid4().hex}@example.com', address=None)
    instances = (ratelimit.Limiter(REDIS_URL), ratelimit.Limiter(REDIS_URL))

    def attempt(i: int) -> bool:
        try:
            instances[i % 2].take(*checks)
        except ratelimit.TooManyAttempts:
            return False
        return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        let_through = sum(pool.map(attempt, range(20)))
    assert let_through == 5
    instances[0].clear(*checks)


def test_the_wait_reads_in_whole_minutes() -> None:
    assert str(ratelimit.TooManyAttempts(30).message) == 'Too many attempts. Try again in 1 minute.'
    assert str(ratelimit.TooManyAttempts(61).message) == 'Too many attempts. Try again in 2 minutes.'


async def test_a_burst_of_sign_ins_does_not_hold_up_other_visitors_pages(sqlite_db, fresh_limits) -> None:
    """The login page checks passwords on a small pool of its own: while twenty sign-ins wait their turn there, a
    page's query through NiceGUI's run.io_bound (the pool every page load uses) comes back at once."""
    from datetime import UTC, datetime

    from nicegui import run

    from services import accounts, auth
    from storage import tenants as tenant_db

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with sqlite_db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Lumen Studio')
    finished: list[str] = []

    async def sign_in(i: int) -> None:
        with contextlib.suppress(auth.SignInFailed):
            await auth.password_work(accounts.attempt_sign_in, sqlite_db, tenant_id=tenant,
                                     email=f'visitor{i}@example.com', password='not-it', address=None, now=now)
        finished.append('sign-in')

    async def page_load() -> None:
        await run.io_bound(time.sleep, 0.001)
        finished.append('page')

    burst = [asyncio.create_task(sign_in(i)) for i in range(20)]
    await asyncio.sleep(0)  # the whole burst is queued before the page asks
    await page_load()
    await asyncio.gather(*burst)
    assert finished.count('sign-in') == 20
    assert finished.index('page') <= auth.PASSWORD_WORKERS + 2, finished  # not behind the queue of sign-ins
