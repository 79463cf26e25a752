"""A guest holds a time, then confirms it by email; each time the server dies (SIGKILL) right after the change
committed and before its emails could leave; after each restart every one of them arrives, exactly once, with the
Message-ID it was given when the change committed.

The server's mail server is not listening when the guest acts, so nothing can leave before the kill; it listens
only while the server is restarted after a kill. Real parts: `kairos serve` as a child process, its SQLite file,
Chromium, and an aiosmtpd server on loopback.
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
from tests.support.smtp import smtp_server, token_in


def _start(server: Server) -> subprocess.Popen[bytes]:
    with server.log.open('ab') as out:
        process = subprocess.Popen([*_kairos(), 'serve'], env=server.env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=server.tmp)
    _wait_until_up(server.url, process, server.log)
    return process


def _outbox_rows(server: Server) -> list:
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


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)  # no shut-down hooks, no chance to send anything
    process.wait(10)


def _restart_and_collect(server: Server, expected: int) -> list:
    """Start the server again with its mail server listening; what arrives while it sends its outbox."""
    with smtp_server(port=int(server.env['KAIROS_SMTP_PORT'])) as (inbox, _):
        process = _start(server)
        try:
            deadline = time.monotonic() + 30
            while len(inbox.received) < expected and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # several more sender rounds: a second copy would have arrived by now
        finally:
            process.terminate()
            process.wait(15)
    return list(inbox.received)


def test_emails_promised_before_a_crash_arrive_once_after_the_restart(page: Page,
                                                                       mail_down_server: Server) -> None:
    server = mail_down_server
    guest = f'grace-{uuid.uuid4().hex[:8]}@example.com'
    # 1. A guest holds a time: the hold commits with its confirmation email, then the server dies.
    process = _start(server)
    try:
        offer = demo_offer(server)
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
        expect(page.get_by_role('region', name='Confirm by email').get_by_role(
            'heading', name='Check your email to confirm')).to_be_visible()
    finally:
        _kill(process)
    # Off the dead server's page: left open, it reconnects to the restarted server and reloads itself, racing the
    # navigation to the link below (once seen: that navigation waited 30 s for a load that never came).
    page.goto('about:blank')

    held = _outbox_rows(server)
    assert [(r.template, r.status) for r in held if r.recipient == guest] == [('booking_hold', 'queued')]
    assert {r.status for r in held} == {'queued'}  # written with the hold, not sent: nobody listened

    received = _restart_and_collect(server, len(held))
    assert sorted(str(m['Message-ID']) for m in received) == sorted(r.message_id for r in held)  # once each
    [link_email] = [m for m in received if guest in str(m['To'])]
    token = token_in(link_email, '/book/confirm')

    # 2. The guest confirms while the mail server is down again: the booking commits with its emails (the
    # booking's and the new account's welcome), then the server dies before they can leave.
    process = _start(server)
    try:
        page.goto(f'{server.url}/book/confirm?token={token}')
        expect(page.get_by_text(f'For Grace Hopper · {guest[0]}***@example.com')).to_be_visible(timeout=15000)
        page.get_by_role('button', name='Confirm booking').click()
        expect(page.get_by_role('region', name='Booking confirmed').get_by_role(
            'heading', name='You are booked')).to_be_visible()
    finally:
        _kill(process)

    promised = [r for r in _outbox_rows(server) if r.status != 'sent']
    assert {r.status for r in promised} == {'queued'}
    assert {'appointment_booked', 'welcome'} <= {r.template for r in promised if r.recipient == guest}

    received = _restart_and_collect(server, len(promised))
    assert sorted(str(m['Message-ID']) for m in received) == sorted(r.message_id for r in promised)  # once each
    booked = next(m for m in received if guest in str(m['To']) and re.match('Booked: ', str(m['Subject'])))
    assert offer.service in str(booked['Subject'])
    assert {r.status for r in _outbox_rows(server)} == {'sent'}
