"""The whole set-up journey (issue 14, item 9), as a business would live it after installing Kairos from the README:
on an EMPTY database, `kairos create-business` and `kairos create-admin`; the admin signs in at /admin, creates a
location, a service and a staff member, gives them hours; the booking page offers a time; a guest books the first
one and confirms it from their email; the admin finds the booking on the guest's customer page and in the
calendar, approves it, and the guest's email says so.

Real parts: `kairos` commands and `kairos serve` as child processes with their own SQLite file, Chromium, and an
aiosmtpd server on loopback that receives every email the server sends.
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
from playwright.sync_api import Page, expect

from e2e.a11y import serious_violations
from e2e.conftest import Server, _child_env, _free_port, _kairos, _wait_until_up
from tests.support.smtp import Inbox, smtp_server, text_of, token_in

OWNER, OWNER_PASSWORD = 'owner@lumen.example', 'violet-harbour-71-tandem'
GUEST = 'grace@guest.example'
DAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')  # as the week editor names them


@pytest.fixture
def empty_server() -> Iterator[tuple[Server, Inbox]]:
    """A Kairos on an empty SQLite file (migrated, nothing in it) that sends its email to a loopback SMTP server."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-setup-'))
    port = _free_port()
    with smtp_server() as (inbox, smtp_port):
        env = _child_env(tmp, port)
        env.update({'KAIROS_SMTP_HOST': '127.0.0.1', 'KAIROS_SMTP_PORT': str(smtp_port),
                    'KAIROS_SMTP_STARTTLS': '0', 'KAIROS_MAIL_RETRY_SECONDS': '1', 'KAIROS_MAIL_POLL_SECONDS': '0.3'})
        server = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
        server.kairos('migrate')
        server.kairos('create-business', '--name', 'Lumen Studio', '--timezone', 'Europe/Lisbon')
        server.kairos('create-admin', OWNER, '--password', OWNER_PASSWORD, '--name', 'Olga Owner')
        with server.log.open('wb') as out:
            process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                       stderr=subprocess.STDOUT, cwd=tmp)
        try:
            _wait_until_up(server.url, process, server.log)
            yield server, inbox
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(tmp, ignore_errors=True)


def mail_to(inbox: Inbox, address: str, subject: str, timeout: float = 20.0):
    """The first email to `address` whose subject matches `subject`, waiting for the server's sender."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for msg in list(inbox.received):
            if address in str(msg['To']) and re.search(subject, str(msg['Subject'])):
                return msg
        time.sleep(0.2)
    raise AssertionError(f'no email to {address} like {subject!r}; got {[str(m["Subject"]) for m in inbox.received]}')


def pick(page: Page, label: str, option: str) -> None:
    """Choose `option` in the (multiple) select labelled `label`, then close its menu."""
    page.get_by_role('combobox', name=label).click()
    page.get_by_role('option', name=option).click()
    page.keyboard.press('Escape')


def saved(page: Page, text: str) -> None:
    expect(page.get_by_text(text)).to_be_visible(timeout=15_000)


def test_a_business_sets_itself_up_from_an_empty_database_and_takes_its_first_booking(
        page: Page, empty_server: tuple[Server, Inbox]) -> None:
    server, inbox = empty_server
    page.set_viewport_size({'width': 1280, 'height': 900})

    # The admin signs in at /admin.
    page.goto(server.url + '/admin')
    expect(page.get_by_role('heading', name='Sign in to run Lumen Studio')).to_be_visible()
    page.get_by_label('Email').fill(OWNER)
    page.get_by_label('Password', exact=True).fill(OWNER_PASSWORD)
    page.get_by_role('button', name='Sign in').click()
    expect(page.get_by_role('heading', name='Hello, Olga Owner')).to_be_visible(timeout=15_000)

    # A location.
    page.goto(server.url + '/admin/locations')
    expect(page.get_by_text('No locations yet. Add the first one.')).to_be_visible()
    page.get_by_role('button', name='New location').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Name').fill('Rua Augusta 10')
    dialog.get_by_role('button', name='Save').click()
    saved(page, 'Rua Augusta 10 is saved.')

    # A service.
    page.goto(server.url + '/admin/services')
    expect(page.get_by_text('No services yet. Add the first one.')).to_be_visible()
    page.get_by_role('button', name='New service').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Name', exact=True).fill('Haircut')
    dialog.get_by_role('button', name='Save').click()
    saved(page, 'Haircut is saved.')

    # A staff member who works there and offers it.
    page.goto(server.url + '/admin/staff')
    expect(page.get_by_text('No staff yet. Add the first one.')).to_be_visible()
    page.get_by_role('button', name='New staff member').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Name', exact=True).fill('Mia Wong')
    pick(page, 'Works at', 'Rua Augusta 10')
    pick(page, 'Offers', 'Haircut')
    dialog.get_by_role('button', name='Save').click()
    saved(page, 'Mia Wong is saved.')

    # Her hours: every day of the week, 08:00 to 20:00.
    page.goto(server.url + '/admin/schedules')
    expect(page.get_by_role('heading', name='Weekly hours')).to_be_visible()
    for day in DAYS:
        page.get_by_role('button', name=f'Add hours on {day}').click()
        page.get_by_label(f'{day}, Hours 1, from').fill('08:00')
        page.get_by_label(f'{day}, Hours 1, to').fill('20:00')
    page.get_by_role('button', name='Save the week').click()
    saved(page, 'The hours of Mia Wong are saved.')

    # The booking page offers her times; a guest books the first one.
    guest = page.context.browser.new_context(locale='en-GB', viewport={'width': 390, 'height': 844})  # type: ignore[union-attr]
    try:
        booking = guest.new_page()
        booking.goto(server.url + '/book')
        expect(booking.get_by_role('heading', name='Book an appointment')).to_be_visible()
        first = booking.get_by_role('group', name=re.compile(r'^Free times on ')).get_by_role('button').first
        expect(first).to_be_visible(timeout=15_000)
        for _ in range(3):  # on a busy machine the first click can come before the page's websocket is up
            first.click()
            try:
                expect(first).to_have_attribute('aria-pressed', 'true', timeout=4000)
                break
            except AssertionError:
                continue
        booking.get_by_label('First name').fill('Grace')
        booking.get_by_label('Last name').fill('Hopper')
        booking.get_by_label('Email').fill(GUEST)
        booking.wait_for_timeout(300)
        booking.get_by_role('button', name='Confirm booking').click()
        expect(booking.get_by_role('heading', name='Check your email to confirm')).to_be_visible()
        hold = mail_to(inbox, GUEST, '')
        booking.goto(f'{server.url}/book/confirm?token={token_in(hold, "/book/confirm")}')
        booking.get_by_role('button', name='Confirm booking').click()
        expect(booking.get_by_role('heading', name='You are booked')).to_be_visible(timeout=15_000)
        booked = mail_to(inbox, GUEST, 'Haircut')
        assert 'Mia Wong' in text_of(booked)
    finally:
        guest.close()

    # The admin finds the booking on the guest's page, and in the calendar, and approves it there.
    page.goto(server.url + '/admin/customers?q=grace')
    page.get_by_role('link', name=re.compile('Grace Hopper')).click()
    expect(page.get_by_role('heading', name='Grace Hopper', level=1)).to_be_visible()
    expect(page.locator('li').filter(has_text='Haircut with Mia Wong').first).to_be_visible()
    assert serious_violations(page) == []

    page.goto(server.url + '/admin/calendar')
    expect(page.get_by_role('heading', name='Calendar', level=1)).to_be_visible()
    chip = page.get_by_role('link', name=re.compile('Grace Hopper, Haircut, Pending'))
    try:
        expect(chip).to_be_visible(timeout=5000)
    except AssertionError:  # booked on a Sunday evening: the first free time is in next week
        page.get_by_role('link', name='Next', exact=True).click()
    chip.click()
    dialog = page.get_by_role('dialog')
    expect(dialog.get_by_role('heading', name='Change the status')).to_be_visible(timeout=15_000)
    dialog.get_by_role('combobox', name='New status').click()
    page.get_by_role('option', name='Approved', exact=True).click()
    dialog.get_by_role('button', name='Change status').click()
    saved(page, 'The status is changed.')

    approved = mail_to(inbox, GUEST, r'Haircut on .* is now Approved')
    assert 'from Pending to Approved' in text_of(approved)
