"""The booking page as a visitor uses it: service, staff, a free date and time, details, confirm, confirmation."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from nicegui.testing import User

from services import availability, booking, notify
from storage import appointments as appointment_db
from storage import tables as t
from tests.support.seed import World, seed_world
from tests.ui.conftest import pick_time, signed_in, times_pressed, times_shown
from tests.ui.test_packages import add_package
from ui.components.slot_picker import SlotTimes


async def shown_slots(user: User, at_least: int = 1) -> list[str]:
    """The times on screen (their names), in order, once the picker has loaded them."""
    for _ in range(100):
        found = times_shown(user)
        if len(found) >= at_least:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError('no time slots appeared')


def picked_day(user: User) -> date:
    return date.fromisoformat(user.find(marker='slot-date').elements.pop().value)


async def choose_first_time(user: User) -> str:
    label = (await shown_slots(user))[0]
    pick_time(user, label)
    for _ in range(40):  # the click is handled on the server: wait for the choice to show
        if times_pressed(user) == [label]:
            return label
        await asyncio.sleep(0.05)
    raise AssertionError(f'{label} was not chosen')


def bookings_of(db, world: World, email: str) -> list[t.Appointment]:
    with db.read() as s:
        return list(s.scalars(sa.select(t.Appointment).join(t.Customer, t.Customer.id == t.Appointment.customer_id)
                              .where(t.Customer.tenant_id == world.tenant_id, t.Customer.email == email)))


def emailed_to(to: str) -> list[EmailMessage]:
    """The outbox emails to `to`, newest first (the app writes .eml files without SMTP)."""
    import email as email_lib
    import email.policy

    from services import mail
    from services.config import get_config

    mail.wait_until_sent()
    found = []
    for eml in sorted(get_config().outbox_dir.glob('*.eml'), key=lambda p: p.stat().st_mtime, reverse=True):
        msg = email_lib.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        if str(msg['To']).lower() == to.lower():
            found.append(msg)
    return found


def emailed_link(to: str, path: str) -> str:
    """The newest link to `path` in an outbox email to `to`."""
    import re

    for msg in emailed_to(to):
        found = re.search(rf'https?://\S+({re.escape(path)}\?token=[\w\-]+)',
                          msg.get_body(preferencelist=('plain',)).get_content())
        if found:
            return found.group(1)
    raise AssertionError(f'no email to {to} with a {path} link')


async def guest_details(user: User, email: str = 'grace@example.com') -> None:
    user.find('First name').type('Grace')
    user.find('Last name').type('Hopper')
    user.find('Email').type(email)


async def test_a_guest_books_a_haircut_confirms_by_email_and_gets_an_account(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["cut"]}')
    await user.should_see('Haircut · 45 min · €45.00')
    await user.should_see('Any staff')  # two people cut hair: the choice is offered, 'any' first
    day = picked_day(user)
    expected = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'], staff_id=None,
                                      day=day, now=datetime.now(UTC))
    label = await choose_first_time(user)
    assert label == expected[0].start.astimezone(ZoneInfo('Europe/Berlin')).strftime('%H:%M')
    await guest_details(user)
    user.find(marker='book-confirm').click()
    await user.should_see('Check your email to confirm', retries=50)
    await user.should_see('We sent a link to grace@example.com')
    assert bookings_of(db, world, 'grace@example.com') == []  # held, not booked, until the mailbox clicks
    await user.open(emailed_link('grace@example.com', '/book/confirm'))
    await user.should_see('For Grace Hopper · g***@example.com')
    user.find(marker='hold-confirm').click()
    await user.should_see('You are booked', retries=50)
    await user.should_see('We have created an account for grace@example.com')
    booked = bookings_of(db, world, 'grace@example.com')
    assert [b.start.replace(tzinfo=UTC) for b in booked] == [expected[0].start]
    notify.wait_for_notifications()


async def test_a_guest_with_a_known_email_sees_the_same_words(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["cut"]}')
    await choose_first_time(user)
    await guest_details(user, 'bob@example.com')
    user.find(marker='book-confirm').click()
    await user.should_see('Check your email to confirm', retries=50)
    held = user.find(marker='held-text').elements.pop().text
    assert held.startswith('We sent a link to bob@example.com. Open it and press "Confirm booking"')
    assert bookings_of(db, world, 'bob@example.com') == []  # nothing lands in Bob's account without his click


async def test_a_form_without_a_name_or_email_is_not_sent(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["cut"]}')
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await user.should_see('Enter your first name.')
    user.find('First name').type('Grace')
    user.find('Last name').type('Hopper')
    user.find('Email').type('grace-at-example')
    user.find(marker='book-confirm').click()
    await user.should_see('Enter an email address like name@example.com.')
    assert bookings_of(db, world, 'grace-at-example') == []


async def test_signed_in_details_are_filled_and_the_email_is_read_only(user: User, db) -> None:
    world = seed_world(db)
    await signed_in(user)
    await user.open(f'/book?service={world.services["cut"]}')
    await user.should_see('Haircut · 45 min')
    email = user.find(marker='book-email').elements.pop()
    assert email.value == 'ada@example.com' and 'readonly' in email.props
    assert user.find(marker='book-first-name').elements.pop().value == 'Ada'
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await user.should_see('You are booked', retries=50)
    await user.should_see('Go to my appointments')
    assert len(bookings_of(db, world, 'ada@example.com')) == 1


async def test_a_deposit_without_card_payment_says_how_to_pay_at_the_desk(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["colour"]}')
    await user.should_see('Colour & cut')
    await user.should_not_see('Any staff')  # only Mia does colour: no staff choice to make
    await choose_first_time(user)
    await guest_details(user)
    user.find(marker='book-confirm').click()
    await user.should_see('Check your email to confirm', retries=50)
    await user.open(emailed_link('grace@example.com', '/book/confirm'))
    user.find(marker='hold-confirm').click()
    await user.should_see('A deposit of €30.00 is due.', retries=50)
    await user.should_see('Pay at the front desk')
    notify.wait_for_notifications()


async def test_a_class_names_each_time_with_its_seats_left_and_only_a_time_it_offers_can_be_chosen(
        user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["yoga"]}')
    names = await shown_slots(user)
    day = picked_day(user)
    offered = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['yoga'], staff_id=None,
                                     day=day, now=datetime.now(UTC))
    berlin = ZoneInfo('Europe/Berlin')
    assert names == [f'{s.start.astimezone(berlin):%H:%M}, {s.free_seats} seats left' for s in offered]
    await user.should_see('6 seats left')  # under each time
    user.find(SlotTimes).trigger('choose', (offered[0].start - timedelta(days=1)).isoformat())  # never offered
    await asyncio.sleep(0.3)
    assert times_pressed(user) == []
    pick_time(user, f'{offered[-1].start.astimezone(berlin):%H:%M}')
    for _ in range(40):
        if times_pressed(user):
            break
        await asyncio.sleep(0.05)
    assert times_pressed(user) == [names[-1]]


async def test_a_time_taken_by_someone_else_disappears_without_a_reload(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["colour"]}')
    label = (await shown_slots(user))[0]
    day = picked_day(user)
    slot = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['colour'],
                                  staff_id=world.staff['mia'], day=day, now=datetime.now(UTC))[0]
    booking.book(db, tenant_id=world.tenant_id, customer_id=world.bob, service_id=world.services['colour'],
                 staff_id=world.staff['mia'], start=slot.start, now=datetime.now(UTC))  # Bob, in another browser
    for _ in range(40):
        if label not in times_shown(user):
            break
        await asyncio.sleep(0.05)
    assert label not in times_shown(user)


async def test_confirming_a_time_taken_meanwhile_says_so_and_offers_fresh_times(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["colour"]}')
    label = await choose_first_time(user)
    day = picked_day(user)
    slot = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['colour'],
                                  staff_id=world.staff['mia'], day=day, now=datetime.now(UTC))[0]
    with db.write() as s:  # the front desk writes it straight in: no live event reaches this page
        appointment_db.create_appointment(s, tenant_id=world.tenant_id, customer_id=world.bob,
                                          service_id=world.services['colour'], staff_id=world.staff['mia'],
                                          start=slot.start,
                                          duration=timedelta(minutes=120))
    user.find('First name').type('Grace')
    user.find('Last name').type('Hopper')
    user.find('Email').type('grace@example.com')
    user.find(marker='book-confirm').click()
    await user.should_see('That time was just taken. Please pick another.', retries=50)
    assert label not in times_shown(user)
    assert bookings_of(db, world, 'grace@example.com') == []


async def test_a_held_time_written_over_meanwhile_says_so_when_the_guest_confirms(user: User, db) -> None:
    world = seed_world(db)
    await user.open(f'/book?service={world.services["colour"]}')
    await choose_first_time(user)
    await guest_details(user)
    user.find(marker='book-confirm').click()
    await user.should_see('Check your email to confirm', retries=50)
    with db.write() as s:  # the front desk writes over the held time straight in the database
        hold = s.execute(sa.select(t.BookingHold)).scalars().one()
        appointment_db.create_appointment(s, tenant_id=world.tenant_id, customer_id=world.bob,
                                          service_id=world.services['colour'], staff_id=hold.staff_id,
                                          start=hold.start, duration=timedelta(minutes=120))
    await user.open(emailed_link('grace@example.com', '/book/confirm'))
    user.find(marker='hold-confirm').click()
    await user.should_see('That time was just taken. Please pick another.', retries=50)  # the one "taken" message
    assert bookings_of(db, world, 'grace@example.com') == []


async def test_a_package_books_its_own_services_at_no_charge(user: User, db) -> None:
    world = seed_world(db)
    cp = add_package(db, world, used=0, paid=True)
    await signed_in(user)
    await user.open(f'/book?package={cp}')
    await user.should_see('From your package “Three cuts”: 3 sessions left, no charge.')
    await user.should_see('Haircut · 45 min · no charge')
    await user.should_not_see('Colour & cut')
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await user.should_see('You are booked', retries=50)
    booked = bookings_of(db, world, 'ada@example.com')
    assert [(b.price, b.customer_package_id) for b in booked] == [(0, cp)]  # the package had no sessions used


async def test_an_expired_package_is_refused_with_the_reason(user: User, db) -> None:
    world = seed_world(db)
    cp = add_package(db, world, used=0, bought_days_ago=100, validity_days=90)
    await signed_in(user)
    await user.open(f'/book?package={cp}')
    await user.should_see(marker='package-refusal')
    await user.should_see('This package has expired.')
    await user.should_not_see(marker='book-confirm')


async def test_booking_someone_who_works_at_two_places_asks_where_and_stores_it(user: User, db) -> None:
    """Leo cuts hair at Main Street 1 and at Park Avenue 9: the customer says where, and the visit is stored there
    (not as 'no location'). Mia works only at Main Street: nobody asks."""
    world = seed_world(db)
    await signed_in(user)
    await user.open(f'/book?service={world.services["cut"]}')
    await user.should_see('Any staff')
    [place] = user.find(marker='book-location').elements
    assert place.visible and set(place.options.values()) == {'Main Street 1', 'Park Avenue 9'}
    user.find(marker='book-staff').elements.pop().value = world.staff['leo']
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await user.should_see('Please choose where you would like to come.')
    assert bookings_of(db, world, 'ada@example.com') == []
    place.value = world.locations['park']
    await asyncio.sleep(0.2)  # the times are loaded again for the park
    await choose_first_time(user)
    await user.should_see('at Park Avenue 9')
    user.find(marker='book-confirm').click()
    await user.should_see('You are booked', retries=50)
    [booked] = bookings_of(db, world, 'ada@example.com')
    assert (booked.staff_id, booked.location_id) == (world.staff['leo'], world.locations['park'])
    notify.wait_for_notifications()


async def test_a_service_offered_at_one_place_asks_nothing_and_is_stored_there(user: User, db) -> None:
    world = seed_world(db)
    await signed_in(user)
    await user.open(f'/book?service={world.services["colour"]}')  # only Mia, only at Main Street 1
    await user.should_see('Colour & cut')
    await shown_slots(user)
    await user.should_not_see(marker='book-location')
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await user.should_see('You are booked', retries=50)
    [booked] = bookings_of(db, world, 'ada@example.com')
    assert booked.location_id == world.locations['main']
    notify.wait_for_notifications()
