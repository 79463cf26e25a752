"""A guest books on the public booking page on a phone and on a desktop: service, time, details, confirmation."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from e2e.a11y import serious_violations
from e2e.conftest import Server
from e2e.test_accounts import read_link

FREE_TIMES = re.compile(r'^Free times on ')


@dataclass(frozen=True)
class Offer:
    service_id: int
    service: str
    staff_id: int
    staff: str


def demo_offer(server: Server, *, skip: int = 0) -> Offer:
    """A one-seat service of the demo studio and a staff member who gives it."""
    from storage import tables as t
    from storage import tenants as tenant_db
    from storage.db import Database

    with Database(server.env['KAIROS_DATABASE_URL']).read() as s:
        tenant = tenant_db.tenant_by_slug(s, slug='default')
        assert tenant is not None
        row = s.execute(
            sa.select(t.Service.id, t.Service.name, t.Staff.id, t.Staff.name)
            .join(t.StaffService, t.StaffService.service_id == t.Service.id)
            .join(t.Staff, t.Staff.id == t.StaffService.staff_id)
            .where(t.Service.tenant_id == tenant.id, t.Service.capacity == 1, t.Service.deposit == 0)
            .order_by(t.Service.id, t.Staff.id).offset(skip).limit(1)).one()
    return Offer(service_id=row[0], service=row[1], staff_id=row[2], staff=row[3])


def time_buttons(page: Page) -> Locator:
    return page.get_by_role('group', name=FREE_TIMES).get_by_role('button')


def choose_staff(page: Page, staff: str) -> None:
    """On the booking page, once it shows times: the times of `staff` only, where the service has several staff
    (with "Any staff" the first free time may be someone else's, depending on the hour the test runs)."""
    choice = page.get_by_role('combobox', name='Staff')
    if choice.is_visible():
        choice.click()
        page.get_by_role('option', name=staff, exact=True).click()
        expect(choice).to_have_value(staff)
        expect(time_buttons(page).first).to_be_visible()


@pytest.mark.parametrize('viewport', [{'width': 390, 'height': 844}, {'width': 1280, 'height': 800}],
                         ids=['phone', 'desktop'])
def test_a_guest_books_and_sees_the_confirmation(page: Page, server: Server, artifacts: Path,
                                                viewport: dict[str, int]) -> None:
    offer = demo_offer(server, skip=1 if viewport['width'] > 400 else 0)
    size = f'{viewport["width"]}x{viewport["height"]}'
    page.set_viewport_size(viewport)
    page.goto(f'{server.url}/book?service={offer.service_id}')
    expect(page.get_by_role('heading', name='Book an appointment')).to_be_visible()
    expect(page.get_by_role('combobox', name='Service')).to_have_value(  # preselected by the link
        re.compile('^' + re.escape(offer.service)))
    expect(page.get_by_role('group', name='Date')).to_be_visible()
    first = time_buttons(page).first
    expect(first).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path=artifacts / f'book-{size}.png', full_page=True)

    label = first.get_attribute('aria-label') or ''
    assert re.fullmatch(r'\d\d:\d\d', label)
    first.click()
    expect(first).to_have_attribute('aria-pressed', 'true')
    page.get_by_label('First name').fill('Grace')
    page.get_by_label('Last name').fill('Hopper')
    address = f'grace-{uuid.uuid4().hex[:8]}@example.com'
    page.get_by_label('Email').fill(address)
    page.wait_for_timeout(300)  # let the labels settle before the picture
    page.screenshot(path=artifacts / f'book-details-{size}.png', full_page=True)
    started = time.time() - 1
    page.get_by_role('button', name='Confirm booking').click()

    held = page.get_by_role('region', name='Confirm by email')
    expect(held.get_by_role('heading', name='Check your email to confirm')).to_be_visible()
    expect(held.get_by_text(f'We sent a link to {address}')).to_be_visible()
    page.goto(read_link(server, address, '/book/confirm', after=started))
    expect(page.get_by_text(f'For Grace Hopper · {address[0]}***@example.com')).to_be_visible()
    page.get_by_role('button', name='Confirm booking').click()

    confirmed = page.get_by_role('region', name='Booking confirmed')
    expect(confirmed.get_by_role('heading', name='You are booked')).to_be_visible()
    expect(confirmed.get_by_text(offer.service)).to_be_visible()
    expect(confirmed.get_by_text(re.compile(label))).to_be_visible()
    expect(confirmed.get_by_text('We have created an account for')).to_be_visible()
    expect(confirmed.get_by_role('button', name='Sign in to see my appointments')).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path=artifacts / f'booked-{size}.png', full_page=True)


def test_a_date_without_free_times_cannot_be_picked(page: Page, server: Server) -> None:
    offer = demo_offer(server)
    page.goto(f'{server.url}/book?service={offer.service_id}')
    calendar = page.get_by_role('group', name='Date')
    expect(time_buttons(page).first).to_be_visible()
    # Quasar marks the days it does not allow as disabled buttons; the studio is closed on some days of every month.
    disabled = calendar.locator('.q-date__calendar-item--out')
    assert disabled.count() > 0
    calendar.get_by_role('button', name='Next month').click()
    expect(calendar.locator('.q-date__calendar-item--in').first).to_be_visible()
