"""Guest bookings cannot be abused: limits, the profile's rules, nothing that tells whether an email has an account,
no account without a booking, and no booking in someone's account without a click in their mailbox.

The studio (tests/support/seed.py) is in Berlin; Mia and Leo work Monday to Saturday 09:00-12:00 and 13:00-18:00.
NOW is Monday 23 November 2026, 09:00 in Berlin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from services import accounts, auth, booking
from services.auth import SignInFailed
from services.tokens import InvalidToken, Purpose
from storage import tables as t
from tests.support.seed import World, seed_world
from tests.support.smtp import text_of, token_in

BERLIN = ZoneInfo('Europe/Berlin')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures('fresh_limits')


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def guest(db, world: World, start: datetime, email: str, *, now: datetime = NOW, address: str | None = '198.51.100.7',
          staff: str = 'mia', service: str = 'cut', location: str | None = None, **details: str):
    fields = {'first_name': 'Grace', 'last_name': 'Hopper', 'phone': '', 'notes': ''} | details
    return booking.hold_for_guest(db, tenant_id=world.tenant_id, service_id=world.services[service],
                                  staff_id=world.staff[staff], start=start, email=email, now=now, address=address,
                                  location_id=world.locations[location] if location else None, **fields)


def customers(db, world: World, email: str) -> list[t.Customer]:
    with db.read() as s:
        return list(s.scalars(sa.select(t.Customer).where(t.Customer.tenant_id == world.tenant_id,
                                                          t.Customer.email_norm == email.lower())))


def appointments_of(db, customer_id: int) -> list[t.Appointment]:
    with db.read() as s:
        return list(s.scalars(sa.select(t.Appointment).where(t.Appointment.customer_id == customer_id)))


def test_a_new_guest_confirms_by_email_and_only_then_gets_the_booking_and_the_account(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    held = guest(db, world, local(24, 10), 'grace@example.com')
    assert customers(db, world, 'grace@example.com') == []  # nothing but the hold exists yet
    msg = inbox.last_to('grace@example.com')
    assert msg['Subject'] == 'Confirm your booking at Lumen Studio'
    assert 'Haircut with Mia Wong' in text_of(msg) and '30 minutes' in text_of(msg)
    token = token_in(msg, '/book/confirm')
    # looking at what the link would book books nothing
    assert booking.held_booking(db, tenant_id=world.tenant_id, token=token, now=NOW).id == held.id
    assert customers(db, world, 'grace@example.com') == []
    appt, customer, created = booking.confirm_hold(db, tenant_id=world.tenant_id, token=token,
                                                   now=NOW + timedelta(minutes=5))
    assert created and customer.email_verified and not customer.has_password
    assert (appt.start, appt.staff.name, appt.customer_id) == (local(24, 10), 'Mia Wong', customer.id)
    assert inbox.last_to('grace@example.com')['Subject'] == 'Welcome to Lumen Studio: set your password'
    with pytest.raises(booking.BookingRefused, match='not confirmed in time or was already confirmed'):
        booking.confirm_hold(db, tenant_id=world.tenant_id, token=token, now=NOW + timedelta(minutes=6))
    assert len(appointments_of(db, customer.id)) == 1


def test_a_stranger_cannot_put_a_booking_in_someones_account_without_their_click(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    guest(db, world, local(24, 10), 'bob@example.com', first_name='Mallory', last_name='M')
    assert appointments_of(db, world.bob) == []  # held, not booked
    msg = inbox.last_to('bob@example.com')
    assert 'It is not confirmed yet' in text_of(msg)
    # Bob ignores it: after half an hour the time is free again and the link books nothing.
    later = NOW + timedelta(minutes=31)
    with pytest.raises(booking.BookingRefused):
        booking.confirm_hold(db, tenant_id=world.tenant_id, token=token_in(msg, '/book/confirm'), now=later)
    assert appointments_of(db, world.bob) == []
    leo_booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada,
                              service_id=world.services['cut'], staff_id=world.staff['mia'], start=local(24, 10),
                              now=later)
    assert leo_booked.start == local(24, 10)


def test_the_account_owner_confirms_and_the_booking_lands_in_their_account(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    guest(db, world, local(24, 10), 'bob@example.com', first_name='Bob', last_name='Byte')
    appt, customer, created = booking.confirm_hold(
        db, tenant_id=world.tenant_id, token=token_in(inbox.last_to('bob@example.com'), '/book/confirm'), now=NOW)
    assert (created, customer.id, appt.customer_id) == (False, world.bob, world.bob)
    assert [m['Subject'] for m in inbox.to('bob@example.com') if 'Welcome' in m['Subject']] == []
    assert auth.sign_in(db, tenant_id=world.tenant_id, email='bob@example.com', password='bob-password', now=NOW)


def test_a_held_time_is_taken_for_everyone_else_until_it_expires(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    guest(db, world, local(24, 10), 'grace@example.com')
    with pytest.raises(booking.SlotTaken):
        booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                     staff_id=world.staff['mia'], start=local(24, 10), now=NOW + timedelta(minutes=29))
    with pytest.raises(booking.SlotTaken):
        guest(db, world, local(24, 10), 'other@example.com', now=NOW + timedelta(minutes=1))
    from services import availability

    free = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                  staff_id=world.staff['mia'], day=local(24, 10).astimezone(BERLIN).date(), now=NOW)
    assert local(24, 10) not in [s.start for s in free]


def test_no_account_is_left_behind_when_the_time_was_taken(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                 staff_id=world.staff['mia'], start=local(24, 10), now=NOW)
    with pytest.raises(booking.SlotTaken):
        guest(db, world, local(24, 10), 'grace@example.com')
    assert customers(db, world, 'grace@example.com') == []
    assert inbox.to('grace@example.com') == []


def test_known_and_unknown_emails_get_the_same_answer_and_the_same_work(db, inbox) -> None:
    """What the guest sees is the hold (the same fields for any address), and the database does the same statements
    for Bob's address and a new one: nothing looks the account up before the mailbox owner clicks."""
    world = seed_world(db, now=NOW)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, 'before_cursor_execute', record)
    try:
        known = guest(db, world, local(24, 10), 'bob@example.com', address='198.51.100.1')
        seen_known, statements[:] = list(statements), []
        unknown = guest(db, world, local(24, 11), 'nobody-yet@example.com', address='198.51.100.2')
        seen_unknown = list(statements)
    finally:
        sa.event.remove(db.engine, 'before_cursor_execute', record)
    assert seen_known == seen_unknown
    assert (known.first_name, known.seats, known.expires_at - NOW) == (unknown.first_name, unknown.seats,
                                                                       booking.HOLD)
    assert inbox.last_to('bob@example.com')['Subject'] == inbox.last_to('nobody-yet@example.com')['Subject']


def test_guest_bookings_are_limited_per_email_and_per_address(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    for i, hour in enumerate((9, 10, 11, 13, 14)):
        guest(db, world, local(25, hour), 'grace@example.com', address=f'198.51.100.{i}')
    with pytest.raises(booking.BookingRefused, match='Too many attempts'):
        guest(db, world, local(26, 9), 'grace@example.com', address='198.51.100.99')
    for i in range(20):  # Tuesday to Saturday, four times a day
        guest(db, world, local(24 + i // 4, (9, 10, 11, 13)[i % 4]), f'g{i}@example.com', address='203.0.113.5',
              staff='leo', location='park')
    with pytest.raises(booking.BookingRefused, match='Too many attempts'):
        guest(db, world, local(28, 16), 'fresh@example.com', address='203.0.113.5', staff='leo', location='park')


@pytest.mark.parametrize(('details', 'field', 'message'), [
    ({'first_name': ''}, 'first_name', 'Enter your first name.'),
    ({'last_name': 'x' * 81}, 'last_name', 'Your last name can be at most 80 characters.'),
    ({'first_name': 'Gr\x07ace'}, 'first_name', 'Your first name contains characters that are not allowed.'),
    ({'phone': 'call me'}, 'phone', 'Enter a phone number with digits only, for example +49 30 1234567.'),
])
def test_guest_details_follow_the_profiles_rules(db, inbox, details, field, message) -> None:
    world = seed_world(db, now=NOW)
    with pytest.raises(booking.GuestInvalid) as refused:
        guest(db, world, local(24, 10), 'grace@example.com', **details)
    assert {k: str(v) for k, v in refused.value.problems.items()}[field] == message
    with pytest.raises(booking.GuestInvalid) as bad_email:
        guest(db, world, local(24, 10), 'grace-at-example')
    assert {k: str(v) for k, v in bad_email.value.problems.items()} == {
        'email': 'Enter an email address like name@example.com.'}
    assert inbox.messages == []


def test_confirming_a_booking_proves_the_mailbox_and_clears_a_strangers_password(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    accounts.sign_up(db, tenant_id=world.tenant_id, email='victim@example.com', password='mallory-owns-this-71',
                     first_name='Mallory', last_name='M', now=NOW)
    held = auth.sign_in(db, tenant_id=world.tenant_id, email='victim@example.com', password='mallory-owns-this-71',
                        now=NOW)
    guest(db, world, local(24, 10), 'victim@example.com', first_name='Vera', last_name='V')
    booking.confirm_hold(db, tenant_id=world.tenant_id,
                         token=token_in(inbox.last_to('victim@example.com'), '/book/confirm'), now=NOW)
    assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=held.session_id, now=NOW) is None
    with pytest.raises(SignInFailed):
        auth.sign_in(db, tenant_id=world.tenant_id, email='victim@example.com', password='mallory-owns-this-71',
                     now=NOW)
    with pytest.raises(InvalidToken):  # the stranger's sign-up link is spent too
        accounts.check_link(db, tenant_id=world.tenant_id, purpose=Purpose.VERIFY,
                            token=token_in(inbox.to('victim@example.com')[0], '/verify'), now=NOW)


def test_without_auto_created_accounts_a_confirmed_guest_gets_no_welcome_email(db, inbox) -> None:
    from domain.settings import PanelSettings

    world = seed_world(db, now=NOW, settings=PanelSettings(auto_create_account=False))
    guest(db, world, local(24, 10), 'quiet@example.com')
    _, customer, created = booking.confirm_hold(
        db, tenant_id=world.tenant_id, token=token_in(inbox.last_to('quiet@example.com'), '/book/confirm'), now=NOW)
    subjects = [m['Subject'] for m in inbox.to('quiet@example.com')]
    assert created and customer.email == 'quiet@example.com'
    assert subjects[0] == 'Confirm your booking at Lumen Studio' and subjects[1].startswith('Booked: Haircut')
    assert not any(s.startswith('Welcome') for s in subjects)
