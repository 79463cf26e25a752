"""Safe defaults an attacker would try first: a guessable secret on an open port, unsafe links saved by the
business, random Host headers, a hung Redis, another business's host in a link, hidden characters and huge texts."""

from __future__ import annotations

import random
import socket
import string
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.settings import SettingsError
from services import appointments, booking, calendar, notify, panel, ratelimit, runtime
from services.config import reset_config, secret_problem
from services.context import reset_db
from services.tenants import UnknownTenant, cached_count, forget_tenants, resolve_tenant
from storage import catalog as catalog_db
from tests.support.seed import add_appointment, at, seed_world
from tests.support.smtp import html_of, text_of

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LONG_SECRET = 'k' * 48


# ---- kairos serve refuses a guessable secret on an open address --------------------------------------------------


@pytest.fixture
def runner(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    import shutil

    path = tmp_path / 'cli.sqlite3'
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv('KAIROS_DATABASE_URL', f'sqlite:///{path}')
    monkeypatch.delenv('KAIROS_SECRET', raising=False)
    reset_config(), reset_db()
    yield CliRunner()
    reset_config(), reset_db()


@pytest.mark.parametrize(('secret', 'host', 'expected'), [
    (None, '0.0.0.0', 'KAIROS_SECRET is the built-in default'),
    (None, '::', 'KAIROS_SECRET is the built-in default'),
    (None, '192.168.1.20', 'KAIROS_SECRET is the built-in default'),
    ('short-but-not-default', '0.0.0.0', 'KAIROS_SECRET is 21 characters long; serving on 0.0.0.0 needs at least 32'),
])
def test_serve_refuses_a_default_or_short_secret_on_an_open_address(runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                                     secret: str | None, host: str,
                                                                     expected: str) -> None:
    from ui.cli import app

    if secret:
        monkeypatch.setenv('KAIROS_SECRET', secret)
        reset_config()
    result = runner.invoke(app, ['serve', '--host', host, '--port', '9'])
    assert result.exit_code == 1
    assert expected in result.output
    assert 'is starting' not in result.output


@pytest.mark.parametrize(('secret', 'host'), [
    ('dev-secret-change-me', '127.0.0.1'), ('dev-secret-change-me', 'localhost'), ('dev-secret-change-me', '::1'),
    ('short', '127.0.0.2'), (LONG_SECRET, '0.0.0.0'), (LONG_SECRET, '10.0.0.5'),
])
def test_a_loopback_server_or_a_long_secret_may_serve(secret: str, host: str) -> None:
    assert secret_problem(secret, host=host) is None


# ---- links the business saves are http(s) (or, where a path makes sense, our own path) ---------------------------


def test_settings_set_refuses_a_script_booking_url_and_keeps_the_old_one(runner: CliRunner) -> None:
    from ui.cli import app

    assert runner.invoke(app, ['create-business', '--name', 'Lumen']).exit_code == 0
    for bad in ('javascript:alert(1)', '//evil.example/book', 'data:text/html,hi', '/\\evil.example'):
        result = runner.invoke(app, ['settings', 'set', '--', 'booking_url', bad])
        assert result.exit_code == 1, (bad, result.output)
        assert 'booking_url must be a web address starting with https:// or http://' in result.output
    assert runner.invoke(app, ['settings', 'set', 'booking_url', 'https://lumen.example/book']).exit_code == 0
    long_text = runner.invoke(app, ['settings', 'set', 'offline_payment_instructions', 'x' * 1001])
    assert long_text.exit_code == 1 and 'at most 1,000 characters' in long_text.output
    assert '"booking_url": "https://lumen.example/book"' in runner.invoke(app, ['settings', 'show']).output


def test_a_service_meeting_link_or_colour_that_is_not_safe_is_refused_when_saved(db) -> None:
    world = seed_world(db, now=NOW)
    for meeting, colour, message in (
        ('javascript:alert(1)', '#0891b2', 'The meeting link must be a web address'),
        ('https://meet.example.com/"><img src=x>', '#0891b2', 'The meeting link must be a web address'),
        ('https://meet.example.com/room', 'red;position:fixed', 'The service colour must be a hex colour'),
    ):
        with pytest.raises(SettingsError, match=message), db.write() as s:
            catalog_db.create_service(s, tenant_id=world.tenant_id, name='Online', meeting_url=meeting, color=colour)
    with db.write() as s:
        catalog_db.create_service(s, tenant_id=world.tenant_id, name='Online', meeting_url='https://meet.example.com/r')


# ---- the tenant cache stays bounded whatever Host headers arrive -------------------------------------------------


@pytest.fixture
def multi_tenant(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv('KAIROS_DATABASE_URL', database_url)
    monkeypatch.setenv('KAIROS_MULTI_TENANT', 'true')
    monkeypatch.setenv('KAIROS_PUBLIC_URL', 'https://kairos.example.net')
    reset_config(), reset_db(), forget_tenants()
    yield
    monkeypatch.undo()
    reset_config(), reset_db(), forget_tenants()


def test_ten_thousand_random_hosts_do_not_grow_the_tenant_cache(db, multi_tenant: None) -> None:
    seed_world(db, now=NOW, slug='studio', host='studio.example.com')
    assert resolve_tenant('studio.example.com').slug == 'studio'
    rng = random.Random(10)
    for _ in range(10_000):
        host = ''.join(rng.choices(string.ascii_lowercase, k=12)) + '.example'
        with pytest.raises(UnknownTenant):
            resolve_tenant(host)
    assert cached_count() == 1  # only the real business is remembered
    assert resolve_tenant('studio.example.com:443').slug == 'studio'


# ---- in multi-tenant mode, emails and calendar files link to the business's own host -----------------------------


def test_emails_and_calendar_files_link_to_the_tenants_own_host(db, multi_tenant: None, inbox) -> None:
    seed_world(db, now=NOW, slug='studio', host='studio.example.com')
    clinic = seed_world(db, now=NOW, slug='clinic', host='clinic.example.com')
    appt = add_appointment(db, clinic, start=at(NOW, 2))
    assert notify.notify_change(db, tenant_id=clinic.tenant_id, appointment_id=appt, kind='booked', now=NOW) >= 1
    msg = inbox.last_to('ada@example.com')
    assert 'https://clinic.example.com/' in text_of(msg)
    assert 'href="https://clinic.example.com/"' in (html_of(msg) or '')
    assert 'kairos.example.net' not in text_of(msg)
    [ics] = [part for part in msg.iter_attachments() if part.get_content_type() == 'text/calendar']
    body = ics.get_content()
    body = body.decode() if isinstance(body, bytes) else body
    assert 'https://clinic.example.com/' in body.replace('\r\n ', '')
    detail = panel.appointment_detail(db, tenant_id=clinic.tenant_id, customer_id=clinic.ada, appointment_id=appt)
    assert detail is not None
    tenant = resolve_tenant('clinic.example.com')
    download = calendar.appointment_ics(detail, tenant=tenant, now=NOW).decode()
    assert 'https://clinic.example.com/' in download.replace('\r\n ', '')


# ---- a Redis that never answers makes calls fail quickly instead of hanging --------------------------------------


@pytest.fixture
def silent_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A TCP server that accepts connections and never says a word, like a hung Redis."""
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f'redis://127.0.0.1:{server.getsockname()[1]}/0'
    monkeypatch.setenv('KAIROS_REDIS_URL', url)
    reset_config()
    ratelimit.reset_limiter()
    yield url
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()
    monkeypatch.undo()
    runtime.reset()  # its limiter's counts are the silent server's: the reset leaves them (it would only wait)


def _within(seconds: float, job) -> object:
    """Run `job` in a thread; fail if it has not finished after `seconds` (the test never hangs itself)."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome['value'] = job()
        except Exception as exc:  # noqa: BLE001
            outcome['error'] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f'still waiting on Redis after {seconds} s'
    outcome['took'] = time.monotonic() - started
    return outcome


def test_rate_limits_and_live_updates_give_up_on_a_hung_redis(silent_redis: str) -> None:
    from services import events

    check = ratelimit.Check(ratelimit.ACCOUNT_LIMIT, 'test', 'ada@example.com')
    limited = _within(8, lambda: ratelimit.limiter().hit(check))
    assert 'error' in limited  # the sign-in fails with an error the page reports, instead of hanging
    published = _within(8, lambda: events.publish('tenant:1:customer:1', {'x': 1}))
    assert 'error' not in published  # a live update is a courtesy: it gives up and never raises


# ---- names without hidden characters; every free text bounded on the server --------------------------------------


def test_over_long_free_texts_are_refused_with_the_limit(db) -> None:
    world = seed_world(db, now=NOW)
    appt = add_appointment(db, world, start=at(NOW, 3))
    with pytest.raises(appointments.NotAllowed, match='Please keep the reason under 500 characters'):
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                                   target='canceled', reason='x' * 501, now=NOW)
    with pytest.raises(booking.BookingRefused, match='Please keep the reason under 500 characters'):
        booking.reschedule(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                           new_start=at(NOW, 4), reason='x' * 501, now=NOW)
    with pytest.raises(booking.BookingRefused, match='Please keep the notes under 2,000 characters'):
        booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                     staff_id=world.staff['mia'], start=at(NOW, 5), notes='x' * 2001, now=NOW)
    visited = add_appointment(db, world, start=at(NOW, -3))
    with pytest.raises(appointments.NotAllowed, match='Please keep the comment under 1,000 characters'):
        appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visited, stars=5,
                          comment='x' * 1001, now=NOW)
    kept = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt)
    assert kept is not None and kept.status.key == 'approved' and kept.start == at(NOW, 3)
    assert appointments.rating_of(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visited) is None
