"""The business's rules in a real browser: cancel inside the window, a refusal after it, and a visible history.

Each journey signs in as its own new customer of the demo studio, with appointments written straight into the
server's database, so it never depends on (or disturbs) Ada's demo data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from e2e.conftest import Server, sign_in

PASSWORD = 'rules-journey-pass'


@dataclass(frozen=True)
class Customer:
    email: str
    tenant_id: int
    customer_id: int
    service_id: int
    staff_id: int


def _db(server: Server):
    from storage.db import Database

    return Database(server.env['KAIROS_DATABASE_URL'])


def new_customer(server: Server) -> Customer:
    from services.auth import hash_password
    from storage import customers as customer_db
    from storage import tables as t
    from storage import tenants as tenant_db

    email = f'rules-{uuid.uuid4().hex[:8]}@example.com'
    with _db(server).write() as s:
        tenant = tenant_db.tenant_by_slug(s, slug='default')
        assert tenant is not None
        # A service and a staff member who gives it, in the demo studio.
        service_id, staff_id = s.execute(
            sa.select(t.StaffService.service_id, t.StaffService.staff_id)
            .join(t.Service, t.Service.id == t.StaffService.service_id)
            .where(t.Service.tenant_id == tenant.id, t.Service.capacity == 1).limit(1)).one()
        customer_id = customer_db.create_customer(s, tenant_id=tenant.id, email=email, first_name='Rita',
                                                  last_name='Rules',
                                                  password_hash=hash_password(PASSWORD), now=datetime.now(UTC))
    return Customer(email=email, tenant_id=tenant.id, customer_id=customer_id, service_id=service_id,
                    staff_id=staff_id)


def book(server: Server, who: Customer, start: datetime, status: str = 'approved') -> int:
    from storage import appointments as appointment_db

    with _db(server).write() as s:
        return appointment_db.create_appointment(s, tenant_id=who.tenant_id, customer_id=who.customer_id,
                                                 service_id=who.service_id, staff_id=who.staff_id, start=start,
                                                 duration=timedelta(minutes=45), status_key=status, price=4500)


def _minute(delta: timedelta) -> datetime:
    return (datetime.now(UTC) + delta).replace(second=0, microsecond=0)


def test_cancel_inside_the_window_changes_the_badge(page: Page, server: Server, artifacts: Path) -> None:
    who = new_customer(server)
    book(server, who, _minute(timedelta(days=3)))
    page.set_viewport_size({'width': 390, 'height': 844})
    sign_in(page, server, email=who.email, password=PASSWORD)
    card = page.get_by_role('article').first
    expect(card.get_by_test_id('status-badge')).to_have_text('Approved')
    card.get_by_role('button', name='Change status').click()

    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_role('heading', name='Change status')).to_be_visible()
    choice = drawer.get_by_role('radio', name='Canceled')
    expect(choice).to_be_checked()  # the only status the business allows from here
    expect(drawer.get_by_text('This gives up your time slot')).to_be_visible()
    drawer.get_by_label('Reason (optional)').fill('Moving to another city')
    page.wait_for_timeout(500)  # let the field's label finish floating up before the picture
    page.screenshot(path=artifacts / 'status-drawer-390x844.png')
    drawer.get_by_role('button', name='Confirm').click()

    expect(drawer).to_be_hidden()
    expect(page.get_by_text('Your appointment is now canceled.')).to_be_visible()
    expect(card.get_by_test_id('status-badge')).to_have_text('Canceled')
    expect(card.get_by_role('button', name='Change status')).to_have_count(0)


def test_after_the_window_the_change_is_refused_with_the_reason(page: Page, server: Server) -> None:
    who = new_customer(server)
    book(server, who, _minute(timedelta(minutes=40)))
    sign_in(page, server, email=who.email, password=PASSWORD)
    card = page.get_by_role('article').first
    expect(card.get_by_test_id('status-badge')).to_have_text('Approved')
    expect(card.get_by_text('Changes close 60 minutes before the start.')).to_be_visible()
    expect(card.get_by_role('button', name='Change status')).to_have_count(0)
    expect(card.get_by_role('button', name='Reschedule')).to_have_count(0)


def test_a_change_refused_on_the_server_shows_the_reason_in_the_drawer(page: Page, server: Server) -> None:
    from storage import tenants as tenant_db

    who = new_customer(server)
    book(server, who, _minute(timedelta(days=2)))
    sign_in(page, server, email=who.email, password=PASSWORD)
    page.get_by_role('article').first.get_by_role('button', name='Change status').click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_role('radio', name='Canceled')).to_be_checked()
    # The business widens its window while the drawer is open: the server applies the rule it has now.
    db = _db(server)
    with db.write() as s:
        before = tenant_db.panel_settings(s, tenant_id=who.tenant_id)
        from dataclasses import replace

        tenant_db.save_panel_settings(s, tenant_id=who.tenant_id,
                                      settings=replace(before, change_closes_minutes=3 * 1440))
    try:
        drawer.get_by_role('button', name='Confirm').click()
        expect(drawer.get_by_role('alert')).to_have_text('Changes close 3 days before the start.')
    finally:
        with db.write() as s:
            tenant_db.save_panel_settings(s, tenant_id=who.tenant_id, settings=before)


def _free_slots(server: Server, who: Customer, *, after_days: int) -> list:
    """Free slots of the first open day at least `after_days` ahead (the demo staff member's real schedule)."""
    from services import availability

    now = datetime.now(UTC)
    for days in range(after_days, after_days + 21):
        day = (now + timedelta(days=days)).date()
        slots = availability.day_slots(_db(server), tenant_id=who.tenant_id, service_id=who.service_id,
                                       staff_id=who.staff_id, day=day, now=now)
        if slots:
            return slots
    raise AssertionError('the demo staff member has no free time in three weeks')


def test_a_rescheduled_appointment_shows_its_history(page: Page, server: Server, artifacts: Path) -> None:
    from services import booking

    who = new_customer(server)
    db = _db(server)
    # Booked and then moved through the real services, as the booking page and the Reschedule drawer do.
    first = _free_slots(server, who, after_days=4)[0]
    booked = booking.book(db, tenant_id=who.tenant_id, customer_id=who.customer_id, service_id=who.service_id,
                          staff_id=who.staff_id, start=first.start, now=datetime.now(UTC))
    later = _free_slots(server, who, after_days=(first.start - datetime.now(UTC)).days + 2)[0]
    booking.reschedule(db, tenant_id=who.tenant_id, customer_id=who.customer_id, appointment_id=booked.id,
                       new_start=later.start, staff_id=who.staff_id, reason='A work trip came up',
                       now=datetime.now(UTC))

    page.set_viewport_size({'width': 390, 'height': 844})
    sign_in(page, server, email=who.email, password=PASSWORD)
    card = page.get_by_role('article').first
    card.get_by_role('button', name='Details').click()
    drawer = page.get_by_role('dialog')
    timeline = drawer.get_by_label('History')
    expect(timeline).to_be_visible()
    expect(timeline.get_by_text('Rescheduled', exact=True)).to_be_visible()
    expect(timeline.get_by_text('Reason: A work trip came up')).to_be_visible()
    expect(timeline.get_by_text('Booked', exact=True)).to_be_visible()
    expect(timeline.get_by_text('→').first).to_be_visible()
    timeline.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / 'history-390x844.png')


def test_add_to_calendar_downloads_the_visit_and_a_past_visit_can_be_rated(page: Page, server: Server,
                                                                          artifacts: Path) -> None:
    who = new_customer(server)
    book(server, who, _minute(timedelta(days=5)))
    book(server, who, _minute(timedelta(days=-3)))
    page.set_viewport_size({'width': 390, 'height': 844})
    sign_in(page, server, email=who.email, password=PASSWORD)

    page.get_by_role('article').first.get_by_role('button', name='Details').click()
    drawer = page.get_by_role('dialog')
    with page.expect_download() as download:
        drawer.get_by_role('button', name='Add to calendar').click()
    assert download.value.suggested_filename.endswith('.ics')
    body = Path(download.value.path()).read_text()
    assert body.startswith('BEGIN:VCALENDAR') and 'BEGIN:VEVENT' in body and 'STATUS:CONFIRMED' in body
    drawer.get_by_role('button', name='Close').click()
    expect(drawer).to_be_hidden()

    page.get_by_role('tab', name='Past').click()
    page.get_by_role('article').first.get_by_role('button', name='Details').click()
    rating = page.get_by_role('region', name='Rate your visit')
    expect(rating.get_by_role('heading', name='How was your visit?')).to_be_visible()
    expect(page.get_by_role('dialog').get_by_role('button', name='Add to calendar')).to_have_count(0)
    rating.get_by_label('Stars, from 1 to 5').locator('.q-rating__icon-container').nth(3).click()
    rating.get_by_label('Comment (optional)').fill('Friendly and on time')
    rating.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / 'rating-390x844.png')
    rating.get_by_role('button', name='Send rating').click()
    expect(rating.get_by_text('You gave 4 of 5 stars. Thank you!')).to_be_visible()
    page.get_by_role('dialog').get_by_role('button', name='Close').click()
    # Opened again, the drawer remembers: no second rating.
    page.get_by_role('article').first.get_by_role('button', name='Details').click()
    rating = page.get_by_role('region', name='Rate your visit')
    expect(rating.get_by_text('You gave 4 of 5 stars. Thank you!')).to_be_visible()
    expect(rating.get_by_role('button', name='Send rating')).to_have_count(0)
