"""What an operator's tools see: /healthz, /readyz (database and Redis), /metrics (counts, and who may read them)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from nicegui.testing import User
from starlette.requests import Request

from services import availability, booking, notify
from tests.support.seed import seed_world
from tests.support.smtp import free_port


def metric(text: str, name: str, labels: str = '') -> float:
    """The value of one sample in Prometheus's text format (0 when it is absent)."""
    match = re.search(rf'^{re.escape(name)}{re.escape(labels)} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def use_settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    from services.config import reset_config
    from services.context import reset_db

    for key, value in values.items():
        monkeypatch.setenv(f'KAIROS_{key.upper()}', value)
    reset_config()
    reset_db()


async def test_alive_and_ready_with_the_database_answering(user: User) -> None:
    assert (await user.http_client.get('/healthz')).json() == {'status': 'ok'}
    ready = await user.http_client.get('/readyz')
    assert ready.status_code == 200
    assert ready.json() == {'status': 'ready', 'database': 'ok', 'redis': 'not configured'}


async def test_not_ready_when_redis_does_not_answer(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    use_settings(monkeypatch, redis_url=f'redis://127.0.0.1:{free_port()}/0')  # nothing listens there
    ready = await user.http_client.get('/readyz')
    assert ready.status_code == 503
    assert ready.json() == {'status': 'not ready', 'database': 'ok', 'redis': 'down'}
    assert (await user.http_client.get('/healthz')).status_code == 200  # alive all the same


async def test_not_ready_when_the_database_does_not_answer(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    use_settings(monkeypatch, database_url=f'postgresql+psycopg://kairos@127.0.0.1:{free_port()}/nothing')
    ready = await user.http_client.get('/readyz')
    assert ready.status_code == 503
    assert ready.json()['database'] == 'down'


async def test_metrics_count_requests_bookings_and_emails(user: User, db) -> None:
    before = (await user.http_client.get('/metrics')).text
    world = seed_world(db)
    now = datetime.now(UTC)
    days = [(now + timedelta(days=n)).date() for n in range(2, 14)]
    slot = next(found for day in days
                for found in availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                                    staff_id=world.staff['mia'], day=day, now=now))
    booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                 staff_id=world.staff['mia'], start=slot.start, now=now)
    notify.wait_for_notifications()
    await user.http_client.get('/healthz')
    await user.http_client.get('/nowhere-at-all')

    response = await user.http_client.get('/metrics')
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/plain')
    after = response.text
    assert metric(after, 'kairos_bookings_total') == metric(before, 'kairos_bookings_total') + 1
    sent = metric(after, 'kairos_emails_sent_total') - metric(before, 'kairos_emails_sent_total')
    assert sent >= 1  # the booking's email to the customer (and to the staff member when they have an address)
    assert metric(after, 'kairos_emails_failed_total') == metric(before, 'kairos_emails_failed_total')
    assert metric(after, 'kairos_emails_queued') == 0
    ok = 'kairos_http_requests_total', '{method="GET",status="2xx"}'
    assert metric(after, *ok) >= metric(before, *ok) + 2  # /healthz and the first /metrics at least
    # signed out, the unknown page is a redirect to the sign-in page
    assert metric(after, 'kairos_http_requests_total', '{method="GET",status="3xx"}') >= 1
    assert 'kairos_connected_clients ' in after


async def test_metrics_need_the_token_when_one_is_set(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    use_settings(monkeypatch, metrics_token='s3cret-scrape-token')
    assert (await user.http_client.get('/metrics')).status_code == 403  # loopback is not enough then
    wrong = await user.http_client.get('/metrics', headers={'Authorization': 'Bearer guess'})
    assert wrong.status_code == 403
    right = await user.http_client.get('/metrics', headers={'Authorization': 'Bearer s3cret-scrape-token'})
    assert right.status_code == 200
    assert 'kairos_bookings_total' in right.text


def test_without_a_token_only_loopback_reads_metrics() -> None:
    from ui.ops import may_read_metrics

    def request_from(host: str) -> Request:
        return Request({'type': 'http', 'method': 'GET', 'path': '/metrics', 'headers': [], 'client': (host, 4000)})

    assert may_read_metrics(request_from('127.0.0.1'))
    assert may_read_metrics(request_from('::1'))
    assert not may_read_metrics(request_from('203.0.113.7'))  # a visitor (through the proxy, X-Forwarded-For)
