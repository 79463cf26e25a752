"""Availability from the database, booking and rescheduling, on SQLite and PostgreSQL.

The studio (tests/support/seed.py) is in Berlin; Mia and Leo work Monday to Saturday 09:00-12:00 and 13:00-18:00.
NOW is Monday 23 November 2026, 09:00 in Berlin (UTC+1).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from domain.availability import Booking, ServiceRules, SlotFinder, SlotRequest, StaffSchedule
from domain.settings import PanelSettings
from services import availability, booking, events
from storage import catalog as catalog_db
from storage import customers
from storage import packages as package_db
from storage import schedules as schedule_db
from storage import tables as t
from tests.support.seed import WEEK, World, add_appointment, seed_world

BERLIN = ZoneInfo('Europe/Berlin')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


# No SMTP here: the change emails land in a private outbox (test_notify reads real ones).
pytestmark = pytest.mark.usefixtures('private_outbox')


@pytest.fixture
def heard():
    """Every live-update event published during the test, as (topic, payload)."""
    got: list[tuple[str, dict]] = []
    stops = []

    def listen(topic: str) -> None:
        stops.append(events.subscribe(topic, lambda payload: got.append((topic, payload))))

    yield got, listen
    for stop in stops:
        stop()


def slots_at(db, world: World, *, service: str = 'cut', staff: str | None = 'mia', day: int, **kw):
    return [s.start for s in availability.day_slots(
        db, tenant_id=world.tenant_id, service_id=world.services[service],
        staff_id=world.staff[staff] if staff else None, day=date(2026, 11, day), now=NOW, **kw)]


def book(db, world: World, start: datetime, *, customer: int | None = None, service: str = 'cut',
         staff: str | None = 'mia', **kw):
    return booking.book(db, tenant_id=world.tenant_id, customer_id=customer or world.ada,
                        service_id=world.services[service], staff_id=world.staff[staff] if staff else None,
                        start=start, now=kw.pop('now', NOW), **kw)


def move(db, world: World, appointment_id: int, new_start: datetime, **kw):
    return booking.reschedule(db, tenant_id=world.tenant_id, customer_id=kw.pop('customer', world.ada),
                              appointment_id=appointment_id, new_start=new_start, now=kw.pop('now', NOW), **kw)


# ---- availability from the database equals the engine on the same inputs ----------------------------------------


def test_availability_from_the_database_is_the_engine_on_the_same_inputs(db) -> None:
    world = seed_world(db, now=NOW)
    mia, leo = world.staff['mia'], world.staff['leo']
    with db.write() as s:
        s.add(t.BreakTime(tenant_id=world.tenant_id, staff_id=mia, weekday=1, start=time(10), end=time(10, 30)))
        schedule_db.create_day_off(s, tenant_id=world.tenant_id, staff_id=leo, day=date(2026, 11, 25))
        schedule_db.create_day_off(s, tenant_id=world.tenant_id, day=date(2026, 11, 27), reason='Studio party')
        schedule_db.create_special_day(s, tenant_id=world.tenant_id, staff_id=mia, day=date(2026, 11, 29),
                                       start=time(10),
                                       end=time(14))
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['colour']).values(buffer_after_min=15))
    add_appointment(db, world, start=local(24, 10, 30))
    add_appointment(db, world, service='colour', start=local(25, 9), minutes=120, status='pending')
    add_appointment(db, world, staff='leo', start=local(24, 9), status='canceled')  # frees its slot
    add_appointment(db, world, service='yoga', staff='leo', customer=world.bob, start=local(26, 13), minutes=60)
    add_appointment(db, world, staff='leo', start=local(30, 16))

    week = {day: tuple(hours) for day, hours in WEEK.items()}
    schedules = (
        StaffSchedule(staff_id=mia, weekly=week, breaks={1: ((time(10), time(10, 30)),)},
                      special_days={date(2026, 11, 29): ((time(10), time(14)),)}),
        StaffSchedule(staff_id=leo, weekly=week, days_off=frozenset({date(2026, 11, 25)})),
    )
    cut, colour, yoga = world.services['cut'], world.services['colour'], world.services['yoga']
    bookings = (
        Booking(staff_id=mia, start=local(24, 10, 30), end=local(24, 11, 15), service_id=cut),
        Booking(staff_id=mia, start=local(25, 9), end=local(25, 11), service_id=colour, buffer_after=15 * MIN),
        Booking(staff_id=leo, start=local(26, 13), end=local(26, 14), service_id=yoga),
        Booking(staff_id=leo, start=local(30, 16), end=local(30, 16, 45), service_id=cut),
    )
    rules = {cut: ServiceRules(duration=45 * MIN, step=15 * MIN, min_notice=60 * MIN, max_days_ahead=60),
             yoga: ServiceRules(duration=60 * MIN, step=15 * MIN, capacity=6, min_notice=60 * MIN, max_days_ahead=60)}
    for service_id, staff_ids in ((cut, (mia, leo)), (yoga, (leo,))):
        for only in (None, *staff_ids):
            offering = tuple(x for x in schedules if x.staff_id in staff_ids and only in (None, x.staff_id))
            request = SlotRequest(tz=BERLIN, service_id=service_id, rules=rules[service_id], staff=offering,
                                  holidays=frozenset({date(2026, 11, 27)}), bookings=bookings)
            engine = SlotFinder(request)
            for year, month in ((2026, 11), (2026, 12)):
                assert availability.month_dates(
                    db, tenant_id=world.tenant_id, service_id=service_id, staff_id=only, year=year, month=month,
                    now=NOW) == engine.available_dates(year=year, month=month, now=NOW), (service_id, only, month)
            for n in range(23, 31):
                day = date(2026, 11, n)
                assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=service_id, staff_id=only,
                                              day=day, now=NOW) == engine.free_slots(day=day, now=NOW), (only, day)
    # the inputs really shaped the answer: the holiday, Leo's day off, the canceled booking, the break
    assert date(2026, 11, 27) not in availability.month_dates(db, tenant_id=world.tenant_id, service_id=cut,
                                                              staff_id=None, year=2026, month=11, now=NOW)
    assert slots_at(db, world, staff='leo', day=25) == []
    assert local(24, 9) in slots_at(db, world, staff='leo', day=24)
    assert local(24, 10) not in slots_at(db, world, day=24)


def test_where_a_picker_opens_is_what_the_month_and_day_reads_answer(db) -> None:
    """first_free reads the first month with a free date and that date's times in one go: the same answers as
    month_dates and day_slots, for any staff, each staff member, a moved appointment's own time left out, and
    across a month with no free date."""
    world = seed_world(db, now=NOW)
    cut = world.services['cut']
    moved = add_appointment(db, world, start=local(24, 10), staff='mia')
    for only in (None, world.staff['mia'], world.staff['leo']):
        for current in (None, (local(24, 10), world.staff['mia'])):
            opened = availability.first_free(db, tenant_id=world.tenant_id, service_id=cut, staff_id=only,
                                             year=2026, month=11, months=3, now=NOW, current=current,
                                             ignore_appointment_id=moved if current else None)
            assert opened is not None
            year, month, dates, slots = opened
            assert (year, month) == (2026, 11)
            assert dates == availability.month_dates(db, tenant_id=world.tenant_id, service_id=cut, staff_id=only,
                                                     year=2026, month=11, now=NOW, current=current,
                                                     ignore_appointment_id=moved if current else None)
            assert slots == availability.day_slots(db, tenant_id=world.tenant_id, service_id=cut, staff_id=only,
                                                   day=dates[0], now=NOW, current=current,
                                                   ignore_appointment_id=moved if current else None)
            assert slots
    # a month that has passed has no free date: the next one opens
    assert availability.first_free(db, tenant_id=world.tenant_id, service_id=cut, staff_id=None, year=2026,
                                   month=10, months=3, now=NOW)[:2] == (2026, 11)
    assert availability.first_free(db, tenant_id=world.tenant_id, service_id=cut, staff_id=None, year=2026,
                                   month=9, months=1, now=NOW) is None
    with db.write() as s:
        s.execute(sa.update(t.Service).where(t.Service.id == cut).values(active=False))
    assert availability.first_free(db, tenant_id=world.tenant_id, service_id=cut, staff_id=None, year=2026,
                                   month=11, months=3, now=NOW) is None  # no longer offered


def test_a_date_whose_only_free_time_is_the_moved_appointments_own_is_not_offered(db) -> None:
    """Mia's Tuesday is full but for the visit being moved: a reschedule with Mia must not open on that date and
    say 'no free times left' there (the calendar offered a date with nothing to choose). Any staff: Leo is free
    then, so the date stays."""
    world = seed_world(db, now=NOW)
    cut, mia = world.services['cut'], world.staff['mia']
    moved = add_appointment(db, world, start=local(24, 10), staff='mia')
    for start, minutes in ((local(24, 9), 60), (local(24, 10, 45), 75), (local(24, 13), 300)):
        add_appointment(db, world, customer=world.bob, start=start, staff='mia', minutes=minutes)
    current = (local(24, 10), mia)
    ask = dict(tenant_id=world.tenant_id, service_id=cut, now=NOW, ignore_appointment_id=moved)
    assert slots_at(db, world, day=24, ignore_appointment_id=moved) == [local(24, 10)]  # only its own time is free
    assert availability.day_slots(db, staff_id=mia, day=date(2026, 11, 24), current=current, **ask) == []

    dates = availability.month_dates(db, staff_id=mia, year=2026, month=11, current=current, **ask)
    assert date(2026, 11, 24) not in dates and date(2026, 11, 25) in dates
    assert date(2026, 11, 24) in availability.month_dates(db, staff_id=mia, year=2026, month=11, **ask)  # booking
    opened = availability.first_free(db, staff_id=mia, year=2026, month=11, months=2, current=current, **ask)
    assert opened is not None and opened[2] == dates and opened[3]
    # any staff: Leo is free all that Tuesday, so the date stays on offer
    anyone = availability.first_free(db, staff_id=None, year=2026, month=11, months=2, current=current, **ask)
    assert anyone is not None and date(2026, 11, 24) in anyone[2]


def test_a_location_narrows_the_staff(db) -> None:
    world = seed_world(db, now=NOW)
    park = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'], staff_id=None,
                                  day=date(2026, 11, 24), now=NOW, location_id=world.locations['park'])
    assert park and {s.staff_ids for s in park} == {(world.staff['leo'],)}


def test_the_booking_page_lists_services_someone_offers_and_their_staff(db) -> None:
    world = seed_world(db, now=NOW)
    with db.write() as s:
        catalog_db.create_service(s, tenant_id=world.tenant_id, name='Nobody does this')
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['colour']).values(active=False))
    names = [x.name for x in availability.bookable_services(db, tenant_id=world.tenant_id)]
    assert names == ['Haircut', 'Pilates mat class']
    assert [x.name for x in availability.bookable_services(db, tenant_id=world.tenant_id,
                                                           only_ids=[world.services['yoga']])] == ['Pilates mat class']
    staff = availability.staff_for_service(db, tenant_id=world.tenant_id, service_id=world.services['cut'])
    assert [(p.name, p.location_ids) for p in staff] == [
        ('Leo Park', (world.locations['main'], world.locations['park'])), ('Mia Wong', (world.locations['main'],))]
    # an inactive service offers no time at all
    assert availability.month_dates(db, tenant_id=world.tenant_id, service_id=world.services['colour'],
                                    staff_id=None, year=2026, month=11, now=NOW) == []


# ---- booking --------------------------------------------------------------------------------------------------


def test_booking_takes_the_time_and_records_it(db, heard) -> None:
    world = seed_world(db, now=NOW)
    got, listen = heard
    listen(events.availability_topic(world.tenant_id))
    listen(events.customer_topic(world.tenant_id, world.ada))
    appt = book(db, world, local(24, 10), notes='  First visit  ')
    assert (appt.start, appt.end, appt.staff.name, appt.status.key, appt.price, appt.notes) == (
        local(24, 10), local(24, 10, 45), 'Mia Wong', 'pending', 4500, 'First visit')
    assert appt.location is not None and appt.location.name == 'Main Street 1'
    assert local(24, 10) not in slots_at(db, world, day=24)
    assert local(24, 10) in slots_at(db, world, staff=None, day=24)  # Leo is still free then
    assert got == [
        (events.customer_topic(world.tenant_id, world.ada),
         {'type': 'appointment.changed', 'appointment_id': appt.id, 'kind': 'booked'}),
        (events.availability_topic(world.tenant_id), {'staff_id': world.staff['mia'], 'day': '2026-11-24'}),
    ]
    with db.read() as s:
        history = s.execute(sa.select(t.AppointmentHistory.actor, t.AppointmentHistory.action,
                                      t.AppointmentHistory.data)
                            .where(t.AppointmentHistory.appointment_id == appt.id)).all()
    assert [tuple(h) for h in history] == [('customer', 'booked', {'status': 'pending'})]


def test_a_time_found_taken_changes_nothing_and_lets_the_staff_go(db) -> None:
    # A booking or move that finds its time taken ends its transaction with a commit (services.booking._with_setup):
    # it must have written nothing by then, and its staff lock must be gone.
    from services import panel

    world = seed_world(db, now=NOW)
    first = book(db, world, local(24, 10))
    moving = book(db, world, local(24, 15), customer=world.bob)

    def everything() -> tuple[object, ...]:
        with db.read() as s:
            rows = tuple(tuple(r) for r in s.execute(sa.select(t.Appointment).order_by(t.Appointment.id)).all())
            lines = s.execute(sa.select(sa.func.count()).select_from(t.AppointmentHistory)).scalar_one()
            emails = s.execute(sa.text('SELECT count(*) FROM email_outbox')).scalar_one()
        detail = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.bob,
                                          appointment_id=moving.id)
        return rows, lines, emails, detail

    before = everything()
    with pytest.raises(booking.SlotTaken):
        book(db, world, local(24, 10, 30), customer=world.bob)
    with pytest.raises(booking.SlotTaken):
        move(db, world, moving.id, local(24, 10, 30), customer=world.bob, staff_id=world.staff['mia'])
    assert everything() == before
    assert book(db, world, local(24, 11), customer=world.bob).staff == first.staff  # Mia's lock was released


@pytest.mark.parametrize('staff', ['mia', 'leo', None])
def test_the_booking_returned_is_the_appointment_as_stored(db, staff: str | None) -> None:
    from services import panel

    world = seed_world(db, now=NOW)
    appt = book(db, world, local(24, 10), staff=staff, location_id=world.locations['main'], notes='Window seat')
    stored = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt.id)
    assert stored is not None
    assert appt == replace(stored, history=())


def test_any_staff_takes_whoever_is_free(db) -> None:
    world = seed_world(db, now=NOW)
    main = world.locations['main']  # Leo works at two places: the customer says where
    first = book(db, world, local(24, 10), staff=None, location_id=main)
    second = book(db, world, local(24, 10), staff=None, customer=world.bob, location_id=main)
    assert {first.staff.name, second.staff.name} == {'Mia Wong', 'Leo Park'}
    with pytest.raises(booking.SlotTaken):
        book(db, world, local(24, 10), staff=None, location_id=main)


def test_a_taken_time_is_refused_as_just_taken(db) -> None:
    world = seed_world(db, now=NOW)
    book(db, world, local(24, 10))
    with pytest.raises(booking.SlotTaken) as taken:
        book(db, world, local(24, 10, 30), customer=world.bob)  # overlaps 10:00-10:45
    assert str(taken.value.message) == 'That time was just taken. Please pick another.'


def test_buffers_keep_a_booking_away_exactly_as_far_as_they_reach(db) -> None:
    # The colour's 15 minutes after and the haircut's 15 before meet: 13:00-15:00 keeps a haircut away until 15:30.
    # On PostgreSQL the booking reads only the bookings whose buffered span reaches its own (storage.appointments).
    world = seed_world(db, now=NOW)
    with db.write() as s:
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['colour']).values(buffer_after_min=15))
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['cut']).values(buffer_before_min=15))
    add_appointment(db, world, service='colour', start=local(25, 13), minutes=120)
    with pytest.raises(booking.SlotTaken):
        book(db, world, local(25, 15, 15))  # its own buffer from 15:00 meets the colour's, which ends 15:15
    assert book(db, world, local(25, 15, 30)).start == local(25, 15, 30)  # the buffers touch, no more
    with pytest.raises(booking.SlotTaken):
        book(db, world, local(25, 16), customer=world.bob)  # the haircut just booked, 15:30-16:15, is in the way


@pytest.mark.parametrize(('start', 'message'), [
    (local(23, 8), 'That time has already passed. Please pick another.'),
    (local(23, 9, 30), 'This service needs 60 minutes notice. Please pick a later time.'),
    (local(24, 20), 'That time is not open for booking. Please pick another.'),
    (local(24, 10, 7), 'That time is not open for booking. Please pick another.'),
    (local(24, 11, 30), 'That time is not open for booking. Please pick another.'),  # would run past 12:00
    (local(29, 10), 'That time is not open for booking. Please pick another.'),  # Sunday
    (datetime(2027, 2, 1, 10, tzinfo=UTC), 'This service can be booked at most 60 days ahead.'),
])
def test_times_that_cannot_be_booked_say_why(db, start: datetime, message: str) -> None:
    world = seed_world(db, now=NOW)
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, start)
    assert str(refused.value.message) == message


def test_a_change_to_the_business_setup_reaches_the_next_booking(db) -> None:
    """A booking keeps the business's setup from the one before (storage.tenant_reads): any change to it, even one
    made by hand in SQL, is seen by the next booking, as when everything was read again each time."""
    world = seed_world(db, now=NOW)
    book(db, world, local(24, 10))  # keeps the setup

    def change(sql: str, **params: object) -> None:
        with db.write() as s:
            s.execute(sa.text(sql), params)

    change('UPDATE service SET active = false WHERE id = :id', id=world.services['cut'])
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(24, 11))
    assert str(refused.value.message) == 'That service cannot be booked online.'
    change('UPDATE service SET active = true WHERE id = :id', id=world.services['cut'])
    book(db, world, local(24, 11, 15), customer=world.bob)  # kept again
    change('INSERT INTO day_off (tenant_id, staff_id, day, reason) VALUES (:t, :s, :d, :r)', t=world.tenant_id,
           s=world.staff['mia'], d=date(2026, 11, 25), r='')
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(25, 10))
    assert str(refused.value.message) == 'That time is not open for booking. Please pick another.'
    book(db, world, local(26, 10))  # kept again
    change('UPDATE staff SET name = :n WHERE id = :id', n='Mia Stone', id=world.staff['mia'])
    assert book(db, world, local(26, 11), customer=world.bob).staff.name == 'Mia Stone'
    change('DELETE FROM staff_service WHERE staff_id = :id AND service_id = :svc', id=world.staff['mia'],
           svc=world.services['cut'])
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(26, 14))
    assert str(refused.value.message) == 'Nobody offers that service there. Please pick another staff member.'


def test_a_closed_account_cannot_book(db) -> None:
    world = seed_world(db, now=NOW)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(deleted_at=NOW))
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(24, 10))
    assert str(refused.value.message) == 'This account has been closed. Book with a new account instead.'
    assert local(24, 10) in slots_at(db, world, day=24)


def test_the_customer_read_with_the_staff_lock_is_the_customer_read_alone(db) -> None:
    world = seed_world(db, now=NOW)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.bob).values(deleted_at=NOW))
    cut, mia = world.services['cut'], world.staff['mia']
    with db.write_on_connection() as s:
        for customer_id in (world.ada, world.bob, 10_000):  # one who books, one who closed the account, nobody
            alone = customers.customer(s, tenant_id=world.tenant_id, customer_id=customer_id)
            for staff_id in (mia, None):  # one candidate, or all who offer it (Mia and Leo)
                staff_ids, token, customer = catalog_db.lock_staff_offering_reading_customer(
                    s, tenant_id=world.tenant_id, service_id=cut, customer_id=customer_id, staff_id=staff_id)
                assert (staff_ids, token) == catalog_db.lock_staff_offering(
                    s, tenant_id=world.tenant_id, service_id=cut, staff_id=staff_id)
                assert customer == alone and staff_ids
            # nobody offers it there: the customer is still read
            assert catalog_db.lock_staff_offering_reading_customer(
                s, tenant_id=world.tenant_id, service_id=world.services['yoga'], customer_id=customer_id,
                staff_id=mia) == ([], None, alone)


def test_a_closed_account_hears_so_before_anything_about_the_time(db) -> None:
    # The customer is read with the staff lock now, but the rules answer in the order they did.
    world = seed_world(db, now=NOW)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(deleted_at=NOW))
    for start, service in ((local(24, 10), 'yoga'), (local(23, 8), 'cut')):  # nobody offers it; it has passed
        with pytest.raises(booking.BookingRefused) as refused:
            book(db, world, start, service=service)
        assert str(refused.value.message) == 'This account has been closed. Book with a new account instead.'


def test_a_booking_emails_the_customer_as_they_are_when_it_is_made(db) -> None:
    """The emails of a booking are for the customer as read with its staff lock, not as an earlier booking (or the
    kept reads, storage.tenant_reads) saw them: a customer changed since gets them at the new address, in the new
    language, and one who closed the account meanwhile cannot book."""
    world = seed_world(db, now=NOW)

    def customer_email(appointment_id: int) -> tuple[str, str]:
        with db.read() as s:
            rows = s.execute(sa.select(t.EmailOutbox.recipient, t.EmailOutbox.content)
                             .where(t.EmailOutbox.tenant_id == world.tenant_id)).all()
        [(to, content)] = [(to, content) for to, content in rows
                           if content['render']['appointment_id'] == appointment_id
                           and content['render']['to'] == 'customer']
        return to, content['render']['locale']

    first = book(db, world, local(24, 10))
    before = customer_email(first.id)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(
            email='ada.new@example.com', email_norm='ada.new@example.com', language='de'))
    second = book(db, world, local(24, 11))
    assert customer_email(second.id) == ('ada.new@example.com', 'de') != before
    # and so does a booking of whoever is free
    third = book(db, world, local(24, 14), staff=None, location_id=world.locations['main'])
    assert customer_email(third.id) == ('ada.new@example.com', 'de')
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(deleted_at=NOW))
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(24, 15))
    assert str(refused.value.message) == 'This account has been closed. Book with a new account instead.'


def test_a_group_class_sells_seats_until_full(db) -> None:
    world = seed_world(db, now=NOW)
    start, park = local(24, 13), world.locations['park']
    first = book(db, world, start, service='yoga', staff='leo', seats=2, location_id=park)
    assert first.price == 4000
    book(db, world, start, service='yoga', staff='leo', seats=4, customer=world.bob, location_id=park)
    assert start not in slots_at(db, world, service='yoga', staff='leo', day=24)
    with pytest.raises(booking.SlotTaken):
        book(db, world, start, service='yoga', staff='leo', location_id=park)
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(24, 15), service='yoga', staff='leo', seats=7)
    assert str(refused.value.message) == 'At most 6 seats can be booked at one time.'


# ---- packages -------------------------------------------------------------------------------------------------


def _package(db, world: World, *, sessions: int, validity_days: int = 90) -> int:
    with db.write() as s:
        package = package_db.create_package(s, tenant_id=world.tenant_id, name='Two cuts', sessions=sessions,
                                            price=8000,
                                            validity_days=validity_days, service_ids=[world.services['cut']])
        return package_db.create_customer_package(s, tenant_id=world.tenant_id, customer_id=world.ada,
                                                  package_id=package,
                                                  purchased_at=NOW - timedelta(days=10), validity_days=validity_days)


def test_booking_from_a_package_uses_a_session_at_no_charge(db) -> None:
    world = seed_world(db, now=NOW)
    cp = _package(db, world, sessions=1)
    appt = book(db, world, local(24, 10), customer_package_id=cp)
    assert (appt.price, appt.deposit, appt.customer_package_id) == (0, 0, cp)
    with pytest.raises(booking.BookingRefused) as used_up:
        book(db, world, local(25, 10), customer_package_id=cp)
    assert str(used_up.value.message) == 'All sessions of this package are used.'
    with pytest.raises(booking.BookingRefused) as wrong_service:
        book(db, world, local(25, 10), service='colour', customer_package_id=_package(db, world, sessions=3))
    assert str(wrong_service.value.message) == 'This package does not include that service.'
    assert local(25, 10) in slots_at(db, world, day=25)  # a refused booking takes nothing


def test_an_expired_package_is_refused(db) -> None:
    world = seed_world(db, now=NOW)
    cp = _package(db, world, sessions=5, validity_days=5)
    with pytest.raises(booking.BookingRefused) as refused:
        book(db, world, local(24, 10), customer_package_id=cp)
    assert str(refused.value.message) == 'This package has expired.'


# ---- reschedule -----------------------------------------------------------------------------------------------


def test_reschedule_moves_the_appointment_and_tells_everyone(db, heard) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=local(24, 10))
    got, listen = heard
    listen(events.availability_topic(world.tenant_id))
    listen(events.customer_topic(world.tenant_id, world.ada))
    moved = move(db, world, appt_id, local(25, 14))
    assert (moved.start, moved.end, moved.staff.name, moved.status.key, moved.reschedule_count) == (
        local(25, 14), local(25, 14, 45), 'Mia Wong', 'pending', 1)
    entries = [(h.action, h.data) for h in moved.history]
    assert entries[0] == ('booked', {'status': 'approved'})
    assert sorted(entries[1:], key=lambda e: e[0]) == [  # both written at NOW
        ('rescheduled', {'from': local(24, 10).astimezone(UTC).isoformat(),
                         'to': local(25, 14).astimezone(UTC).isoformat()}),
        ('status_changed', {'from': 'approved', 'to': 'pending', 'cause': 'awaits_confirmation'}),
    ]
    assert local(24, 10) in slots_at(db, world, day=24)
    assert local(25, 14) not in slots_at(db, world, day=25)
    mia = world.staff['mia']
    # The customer's open panels, the slot pickers of both days, and the customer's email (Mia has no address here).
    assert [p for topic, p in got if topic == events.customer_topic(world.tenant_id, world.ada)] == [
        {'type': 'appointment.changed', 'appointment_id': appt_id, 'kind': 'rescheduled'}]
    assert [p for topic, p in got if topic == events.availability_topic(world.tenant_id)] == [
        {'staff_id': mia, 'day': '2026-11-24'}, {'staff_id': mia, 'day': '2026-11-25'}]
    with db.read() as s:
        emails = s.execute(sa.select(t.EmailOutbox.template, t.EmailOutbox.recipient)).all()
    assert emails == [('appointment_rescheduled', 'ada@example.com')]


def test_a_change_to_the_business_setup_reaches_the_next_move(db) -> None:
    """A move keeps the business's setup from the booking or move before it, as a booking does: a change made by
    hand in SQL is still seen by the next move."""
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=local(24, 10))
    move(db, world, appt_id, local(24, 11))  # keeps the setup

    def change(sql: str, **params: object) -> None:
        with db.write() as s:
            s.execute(sa.text(sql), params)

    change('INSERT INTO day_off (tenant_id, staff_id, day, reason) VALUES (:t, :s, :d, :r)', t=world.tenant_id,
           s=world.staff['mia'], d=date(2026, 11, 25), r='')
    with pytest.raises(booking.BookingRefused) as refused:
        move(db, world, appt_id, local(25, 10), reason='Clash at work', staff_id=world.staff['mia'])
    assert str(refused.value.message) == 'That time is not open for booking. Please pick another.'
    change('UPDATE staff SET name = :n WHERE id = :id', n='Mia Stone', id=world.staff['mia'])
    moved = move(db, world, appt_id, local(26, 10), reason='Clash at work', staff_id=world.staff['mia'])
    assert moved.staff.name == 'Mia Stone'
    change('UPDATE service SET active = false WHERE id = :id', id=world.services['cut'])
    with pytest.raises(booking.BookingRefused) as refused:
        move(db, world, appt_id, local(26, 11), reason='Clash at work', staff_id=world.staff['mia'])
    assert str(refused.value.message) == 'That service can no longer be booked online; please contact the business.'
    with db.read() as s:
        start = s.execute(sa.select(t.Appointment.start).where(t.Appointment.id == appt_id)).scalar_one()
    assert start.replace(tzinfo=UTC) == local(26, 10).astimezone(UTC)  # the refused moves changed nothing


def test_the_moved_appointment_does_not_block_itself(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=local(24, 10))
    assert local(24, 10, 15) not in slots_at(db, world, day=24)
    assert local(24, 10, 15) in slots_at(db, world, day=24, ignore_appointment_id=appt_id)
    moved = move(db, world, appt_id, local(24, 10, 15))
    assert moved.start == local(24, 10, 15)


def test_reschedule_keeps_the_staff_member_when_free_and_says_when_someone_else_takes_over(db) -> None:
    world = seed_world(db, now=NOW, settings=PanelSettings(status_after_reschedule='keep'))
    appt_id = add_appointment(db, world, start=local(24, 10))
    assert move(db, world, appt_id, local(24, 15)).staff.name == 'Mia Wong'
    add_appointment(db, world, customer=world.bob, start=local(26, 10))
    moved = move(db, world, appt_id, local(26, 10), reason='Mia is busy that day')
    assert (moved.staff.name, moved.status.key) == ('Leo Park', 'approved')
    assert [h.data for h in moved.history if h.action == 'staff_changed'] == [{'from': 'Mia Wong', 'to': 'Leo Park'}]


@pytest.mark.parametrize(('settings', 'now', 'message'), [
    (PanelSettings(reschedule_enabled=False), NOW, 'This business does not offer rescheduling online.'),
    (PanelSettings(), local(24, 8, 30), 'Rescheduling closes 2 hours before the start.'),
    (PanelSettings(reschedule_from_statuses=('pending',)), NOW,
     'Only pending appointments can be rescheduled online.'),
])
def test_reschedule_outside_the_rules_says_why(db, settings: PanelSettings, now: datetime, message: str) -> None:
    world = seed_world(db, now=NOW, settings=settings)
    appt_id = add_appointment(db, world, start=local(24, 10))
    with pytest.raises(booking.BookingRefused) as refused:
        move(db, world, appt_id, local(25, 14), now=now)
    assert str(refused.value.message) == message
    with db.read() as s:
        assert s.get(t.Appointment, appt_id).start == local(24, 10)


def test_a_second_reschedule_needs_a_reason_and_the_quota_holds(db) -> None:
    world = seed_world(db, now=NOW, settings=PanelSettings(reschedule_quota=2))
    appt_id = add_appointment(db, world, start=local(24, 10))
    move(db, world, appt_id, local(25, 10))
    with pytest.raises(booking.BookingRefused) as refused:
        move(db, world, appt_id, local(26, 10))
    assert str(refused.value.message) == 'Please tell the business why you are moving this appointment again.'
    moved = move(db, world, appt_id, local(26, 10), reason='Train strike')
    assert [h.data.get('reason') for h in moved.history if h.action == 'rescheduled'] == [None, 'Train strike']
    with pytest.raises(booking.BookingRefused) as over:
        move(db, world, appt_id, local(27, 10), reason='Again')
    assert str(over.value.message) == 'An appointment can be rescheduled at most 2 times; this one already was.'


def test_reschedule_only_your_own_and_only_to_a_free_time(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=local(24, 10))
    with pytest.raises(booking.BookingRefused) as not_yours:
        move(db, world, appt_id, local(25, 10), customer=world.bob)
    assert str(not_yours.value.message) == 'That appointment is not in your account.'
    add_appointment(db, world, customer=world.bob, start=local(25, 10))
    add_appointment(db, world, customer=world.bob, staff='leo', start=local(25, 10))
    with pytest.raises(booking.SlotTaken):
        move(db, world, appt_id, local(25, 10, 30))
    with pytest.raises(booking.BookingRefused):
        move(db, world, appt_id, local(25, 19))
