"""The business's admin renames a status and rewords the booking confirmation, in real Chromium against a running
Kairos: Ada's open panel shows the new name without a reload, and her next booking's email, as the SMTP server on
loopback receives it, carries the new wording. The admin pages work at phone width and axe finds no serious
violation on them.

Its own server (the demo studio, its own SQLite file, an aiosmtpd server on loopback): renaming a status would change
what the other journeys on the shared server expect to see.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.a11y import serious_violations
from e2e.conftest import ADA_EMAIL, Server, _child_env, _free_port, _kairos, _wait_until_up, sign_in, sign_in_admin
from e2e.test_book import choose_staff, demo_offer, time_buttons
from tests.support.smtp import smtp_server, text_of

PHONE = {'width': 390, 'height': 844}
DESKTOP = {'width': 1280, 'height': 800}


@pytest.fixture(scope='module')
def mail_server() -> Iterator[tuple[Server, object]]:
    """A Kairos with the demo studio whose emails go to an SMTP server on loopback; yields it and the inbox."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-admin-e2e-'))
    port, smtp_port = _free_port(), _free_port()
    env = _child_env(tmp, port)
    env.update({'KAIROS_SMTP_HOST': '127.0.0.1', 'KAIROS_SMTP_PORT': str(smtp_port), 'KAIROS_SMTP_STARTTLS': '0',
                'KAIROS_MAIL_POLL_SECONDS': '0.3'})
    server = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
    server.kairos('demo')
    with smtp_server(port=smtp_port) as (inbox, _):
        with server.log.open('wb') as out:
            process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                       stderr=subprocess.STDOUT, cwd=tmp)
        try:
            _wait_until_up(server.url, process, server.log)
            yield server, inbox
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(tmp, ignore_errors=True)


def _admin(browser: Browser, server: Server, viewport: dict[str, int]) -> Page:
    context = browser.new_context(locale='en-GB', viewport=viewport)
    return sign_in_admin(context.new_page(), server)


def test_the_admin_renames_canceled_and_adas_open_panel_follows(browser: Browser,
                                                               mail_server: tuple[Server, object]) -> None:
    server, _ = mail_server
    ada_context = browser.new_context(locale='en-GB', viewport=PHONE)
    admin = _admin(browser, server, PHONE)
    try:
        ada = sign_in(ada_context.new_page(), server)
        canceled = ada.get_by_test_id('status-badge').filter(has_text=re.compile('^Canceled$'))
        expect(canceled.first).to_be_visible(timeout=15_000)
        shown = canceled.count()

        admin.goto(server.url + '/admin/statuses')
        expect(admin.get_by_role('heading', name='Statuses', level=1)).to_be_visible()
        admin.get_by_role('button', name='Edit Canceled').click()
        dialog = admin.get_by_role('dialog', name='Edit status')
        expect(dialog).to_be_visible()
        assert serious_violations(admin) == []
        dialog.get_by_label('Name', exact=True).fill('Called off')
        dialog.get_by_role('button', name='Save').click()
        expect(dialog).to_be_hidden()
        expect(admin.get_by_role('button', name='Edit Called off')).to_be_visible()
        assert serious_violations(admin) == []

        # Ada's panel was open all along: her badges follow without a reload.
        called_off = ada.get_by_test_id('status-badge').filter(has_text=re.compile('^Called off$'))
        expect(called_off).to_have_count(shown)
        expect(canceled).to_have_count(0)
    finally:
        ada_context.close()
        admin.context.close()


@pytest.mark.parametrize('viewport', [PHONE, DESKTOP], ids=['phone', 'desktop'])
def test_the_admin_pages_work_at_every_width_without_serious_violations(browser: Browser, viewport: dict[str, int],
                                                                       mail_server: tuple[Server, object]) -> None:
    server, _ = mail_server
    admin = _admin(browser, server, viewport)
    try:
        for path, heading in (('/admin/statuses', 'Statuses'), ('/admin/emails', 'Emails'),
                              ('/admin/outbox', 'Outbox')):
            admin.goto(server.url + path)
            expect(admin.get_by_role('heading', name=heading, level=1)).to_be_visible()
            admin.wait_for_timeout(300)  # the list arrives just after the page
            assert serious_violations(admin) == [], path
            width = admin.evaluate('document.documentElement.scrollWidth')
            assert width <= viewport['width'], f'{path} scrolls sideways at {viewport["width"]} px'
    finally:
        admin.context.close()


def test_the_admin_rewords_the_booking_confirmation_and_the_next_booking_carries_it(
        browser: Browser, mail_server: tuple[Server, object]) -> None:
    server, inbox = mail_server
    admin = _admin(browser, server, DESKTOP)
    ada_context = browser.new_context(locale='en-GB', viewport=PHONE)
    try:
        admin.goto(server.url + '/admin/emails')
        expect(admin.get_by_role('heading', name='Emails', level=1)).to_be_visible()
        expect(admin.get_by_role('combobox', name='Email')).to_have_value('Booking confirmation')
        subject = admin.get_by_label('Subject')
        expect(subject).to_have_value(re.compile(r'^Booked: \$service'))
        subject.fill('See you soon: $service on $when')
        text = admin.get_by_label('Text', exact=True)
        text.fill('Hello $name,\n\nWe saved a chair for you: $service with $staff, $when.\n\n$business\n$link')

        subject.fill('See you soon: $service on $when with $dog')  # a placeholder nothing fills
        admin.get_by_role('button', name='Save').click()
        expect(admin.get_by_text(re.compile(r'Unknown placeholders: \$dog\.'))).to_be_visible()
        subject.fill('See you soon: $service on $when')
        admin.get_by_role('button', name='Preview').click()
        expect(admin.get_by_text('See you soon: Haircut on Tue 24 Nov 2026')).to_be_visible()
        admin.get_by_role('button', name='Save').click()
        expect(admin.get_by_text('Saved: the next email of this kind in this language uses it.')).to_be_visible()

        # Ada books; the email the SMTP server receives is in the business's words.
        offer = demo_offer(server)
        ada = sign_in(ada_context.new_page(), server)
        ada.goto(f'{server.url}/book?service={offer.service_id}')
        expect(ada.get_by_role('heading', name='Book an appointment')).to_be_visible()
        first = time_buttons(ada).first
        expect(first).to_be_visible()
        choose_staff(ada, offer.staff)  # the email names the staff member
        before = len(inbox.to(ADA_EMAIL))
        first.click()
        ada.get_by_role('button', name='Confirm booking').click()
        expect(ada.get_by_role('heading', name='You are booked')).to_be_visible()
        deadline = time.monotonic() + 20
        while len(inbox.to(ADA_EMAIL)) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        msg = inbox.last_to(ADA_EMAIL)
        assert msg['Subject'].startswith(f'See you soon: {offer.service} on ')
        body = text_of(msg).replace('\r\n', '\n')
        assert body.startswith(f'Hello Ada,\n\nWe saved a chair for you: {offer.service} with {offer.staff}')
    finally:
        ada_context.close()
        admin.context.close()
