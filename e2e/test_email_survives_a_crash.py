"""A guest books; the server dies (SIGKILL) before the booking's emails could leave; after a restart every one of
them arrives, exactly once, with the Message-ID it was given when the booking committed.

The server's mail server is not listening yet when the guest books, so nothing can leave before the kill; it starts
listening only once the server is dead. Real parts: `kairos serve` as a child process, its SQLite file, Chromium,
and an aiosmtpd server on loopback.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import Server, _child_env, _free_port, _kairos, _wait_until_up
from e2e.test_book import demo_offer, time_buttons
from tests.support.smtp import smtp_server


def _start(server: Server) -> subprocess.Popen[bytes]:
    with server.log.open('ab') as out:
        process = subprocess.Popen([*_kairos(), 'serve'], env=server.env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=server.tmp)
    _wait_until_up(server.url, process, server.log)
    return process


def _outbox_rows(server: Server) -> list:  # noqa: ANN202
    from storage import outbox
    from storage.db import Database

    with Database(server.env['KAIROS_DATABASE_URL']).read() as s:
        return sorted(outbox.emails(s, limit=1000), key=lambda e: e.id)


@pytest.fixture
def mail_down_server() -> Iterator[Server]:
    """Its own server with the demo studio, pointed at a mail server port where nobody listens yet."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-crash-'))
    port, smtp_port = _free_port(), _free_port()
    env = _child_env(tmp, port)
    env.update({'KAIROS_SMTP_HOST': '127.0.0.1', 'KAIROS_SMTP_PORT': str(smtp_port), 'KAIROS_SMTP_STARTTLS': '0',
                'KAIROS_MAIL_RETRY_SECONDS': '1', 'KAIROS_MAIL_POLL_SECONDS': '0.3'})
    server = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
    server.kairos('demo')
    try:
        yield server
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_emails_promised_before_a_crash_arrive_once_after_the_restart(page: Page,
                                                                       mail_down_server: Server) -> None:
    server = mail_down_server
    process = _start(server)
    try:
        offer = demo_offer(server)
        guest = f'grace-{uuid.uuid4().hex[:8]}@example.com'
        page.goto(f'{server.url}/book?service={offer.service_id}')
        expect(page.get_by_role('group', name='Date')).to_be_visible()
        first = time_buttons(page).first
        expect(first).to_be_visible()
        for _ in range(3):  # on a busy machine the first click can come before the page's websocket is up
            first.click()
            try:
                expect(first).to_have_attribute('aria-pressed', 'true', timeout=4000)
                break
            except AssertionError:
                continue
        expect(first).to_have_attribute('aria-pressed', 'true')
        page.get_by_label('First name').fill('Grace')
        page.get_by_label('Last name').fill('Hopper')
        page.get_by_label('Email').fill(guest)
        page.wait_for_timeout(300)  # let the form take the values in
        page.get_by_role('button', name='Confirm booking').click()
        expect(page.get_by_role('region', name='Booking confirmed').get_by_role(
            'heading', name='You are booked')).to_be_visible()
    finally:
        process.send_signal(signal.SIGKILL)  # no shut-down hooks, no chance to send anything
        process.wait(10)

    promised = _outbox_rows(server)
    to_guest = [r for r in promised if r.recipient == guest]
    assert [r.template for r in to_guest] and 'appointment_booked' in [r.template for r in to_guest]
    assert {r.status for r in promised} == {'queued'}  # written with the booking, not sent: nobody listened

    smtp_port = int(server.env['KAIROS_SMTP_PORT'])
    with smtp_server(port=smtp_port) as (inbox, _):
        process = _start(server)
        try:
            deadline = time.monotonic() + 30
            while len(inbox.received) < len(promised) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # several more sender rounds: a second copy would have arrived by now
        finally:
            process.terminate()
            process.wait(15)
    received = [str(m['Message-ID']) for m in inbox.received]
    assert sorted(received) == sorted(r.message_id for r in promised)  # every one, once, with its own id
    booked = next(m for m in inbox.received if guest in str(m['To']) and re.match('Booked: ', str(m['Subject'])))
    assert offer.service in str(booked['Subject'])
    assert {r.status for r in _outbox_rows(server)} == {'sent'}
