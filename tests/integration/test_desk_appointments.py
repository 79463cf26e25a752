"""The front desk against a real database (SQLite, then PostgreSQL): the appointments list with its filters, sorts
and pages, one appointment opened and changed by the staff, money taken at the desk, the calendar over a
daylight-saving night, the CSV export, and that one business never sees another's appointments.

The studio (tests/support/seed.py) is in Berlin. NOW is Monday 23 November 2026, 09:00 in Berlin.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.admins import AuditFilter
from domain.desk import AppointmentFilter
from domain.rules import NotAllowed
from services import desk
from storage import audit as audit_db
from tests.support.seed import add_admin, add_appointment, seed_world

BERLIN = ZoneInfo('Europe/Berlin')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures('private_outbox')


def local(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def studio(db):
    world = seed_world(db, now=NOW, slug='studio')
    admin = add_admin(db, world)
    a = {
        'ada_cut': add_appointment(db, world, start=local(24, 10), staff='mia'),
        'ada_colour': add_appointment(db, world, start=local(25, 14), service='colour', staff='mia', minutes=120,
                                      price=12000, deposit=3000, paid=3000),
        'bob_yoga': add_appointment(db, world, customer=world.bob, start=local(26, 9), service='yoga', staff='leo',
                                    location='park', price=2000, paid=2000, status='pending'),
        'bob_late': add_appointment(db, world, customer=world.bob, start=local(1, 9, month=12), staff='leo'),
    }
    world.appointments.update(a)
    return world, admin


def ids(page) -> list[int]:
    return [r.id for r in page.rows]


def test_the_list_filters_by_each_field_and_sorts(db, studio) -> None:
    world, admin = studio
    a = world.appointments

    def listed(**kw) -> list[int]:
        return ids(desk.appointment_list(db, tenant_id=world.tenant_id, admin_id=admin,
                                         where=AppointmentFilter(**kw)))

    assert listed() == [a['bob_late'], a['bob_yoga'], a['ada_colour'], a['ada_cut']]
    assert listed(sort='start_asc') == [a['ada_cut'], a['ada_colour'], a['bob_yoga'], a['bob_late']]
    assert listed(staff_id=world.staff['leo']) == [a['bob_late'], a['bob_yoga']]
    assert listed(service_id=world.services['colour']) == [a['ada_colour']]
    assert listed(location_id=world.locations['park']) == [a['bob_yoga']]
    assert listed(status_key='pending') == [a['bob_yoga']]
    assert listed(payment='paid') == [a['bob_yoga']]
    assert listed(payment='deposit_paid') == [a['ada_colour']]
    assert listed(payment='unpaid') == [a['bob_late'], a['ada_cut']]
    assert listed(text='lovelace') == [a['ada_colour'], a['ada_cut']]
    assert listed(text='BOB@exa') == [a['bob_late'], a['bob_yoga']]
    assert listed(text='100%_') == []
    assert listed(customer_id=world.ada) == [a['ada_colour'], a['ada_cut']]
    assert listed(customer_id=world.bob, staff_id=world.staff['leo'], sort='start_asc') == [a['bob_yoga'],
                                                                                              a['bob_late']]
    # Days are the business's own: 25 and 26 November in Berlin, both included.
    assert listed(first_day=date(2026, 11, 25), last_day=date(2026, 11, 26)) == [a['bob_yoga'], a['ada_colour']]
    row = desk.appointment_list(db, tenant_id=world.tenant_id, admin_id=admin,
                                where=AppointmentFilter(service_id=world.services['colour'])).rows[0]
    assert (row.customer_name, row.service_name, row.staff_name, row.location_name, row.payment) == (
        'Ada Lovelace', 'Colour & cut', 'Mia Wong', 'Main Street 1', 'deposit_paid')


def test_pages_come_from_the_server_by_keyset_both_ways_with_a_count(db, studio) -> None:
    world, admin = studio
    a = world.appointments
    # Two appointments at the very same time: the id breaks the tie, so paging neither skips nor repeats one.
    twin = add_appointment(db, world, customer=world.bob, start=local(24, 10), staff='leo')

    def listed(**kw):
        return desk.appointment_list(db, tenant_id=world.tenant_id, admin_id=admin, where=AppointmentFilter(),
                                     page_size=2, **kw)

    first = listed()
    assert (ids(first), first.count, first.pages, first.has_previous, first.has_next) == (
        [a['bob_late'], a['bob_yoga']], 5, 3, False, True)
    second = listed(move='next', cursor=first.last)
    assert (ids(second), second.has_previous, second.has_next) == ([a['ada_colour'], twin], True, True)
    third = listed(move='next', cursor=second.last)
    assert (ids(third), third.has_next) == ([a['ada_cut']], False)
    back = listed(move='previous', cursor=third.first)
    assert (ids(back), back.has_previous, back.has_next) == ([a['ada_colour'], twin], True, True)
    last = listed(move='last')
    assert (ids(last), last.has_previous, last.has_next) == ([twin, a['ada_cut']], True, False)
    oldest = desk.appointment_list(db, tenant_id=world.tenant_id, admin_id=admin,
                                   where=AppointmentFilter(sort='start_asc'), page_size=2, move='last')
    assert ids(oldest) == [a['bob_yoga'], a['bob_late']]


def test_another_business_sees_none_of_them_and_cannot_open_or_change_one(db, studio) -> None:
    world, _ = studio
    clinic = seed_world(db, now=NOW, slug='clinic')
    theirs = add_admin(db, clinic, email='boss@clinic.example')
    assert desk.appointment_list(db, tenant_id=clinic.tenant_id, admin_id=theirs, where=AppointmentFilter()).rows == []
    assert desk.calendar(db, tenant_id=clinic.tenant_id, admin_id=theirs, first_day=date(2026, 11, 23)).rows == []
    text = ''.join(desk.export_csv(db, tenant_id=clinic.tenant_id, admin_id=theirs, where=AppointmentFilter()))
    assert 'Lovelace' not in text
    mine = world.appointments['ada_cut']
    with pytest.raises(NotAllowed):
        desk.detail(db, tenant_id=clinic.tenant_id, admin_id=theirs, appointment_id=mine)
    with pytest.raises(NotAllowed):
        desk.set_status(db, tenant_id=clinic.tenant_id, admin_id=theirs, appointment_id=mine, target='canceled',
                        now=NOW)
    assert desk.detail(db, tenant_id=world.tenant_id, admin_id=_, appointment_id=mine).appointment.status.key == (
        'approved')


def test_the_staff_set_any_status_and_it_lands_in_history_audit_and_email(db, studio) -> None:
    from services import notify
    world, admin = studio
    appt = world.appointments['bob_yoga']
    desk.set_status(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, target='approved',
                    reason='Confirmed by phone', now=NOW)
    opened = desk.detail(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt)
    assert opened.appointment.status.key == 'approved'
    last = opened.appointment.history[-1]
    assert (last.actor, last.data['from'], last.data['to'], last.data['reason']) == (
        'staff', 'pending', 'approved', 'Confirmed by phone')
    with db.read() as s:
        entries = audit_db.entries(s, tenant_id=world.tenant_id, where=AuditFilter()).entries
    assert any(e.action == 'appointment.status' and e.after == {'status': 'approved'} for e in entries)
    notify.wait_for_notifications()
    with pytest.raises(NotAllowed):
        desk.set_status(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, target='approved',
                        now=NOW)


def test_a_busy_status_finds_the_slot_taken_and_refuses(db, studio) -> None:
    world, admin = studio
    gone = add_appointment(db, world, start=local(27, 10), status='canceled')
    add_appointment(db, world, customer=world.bob, start=local(27, 10))
    with pytest.raises(NotAllowed) as refused:
        desk.set_status(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=gone, target='approved',
                        now=NOW)
    assert 'taken' in str(refused.value).lower() or str(refused.value)
    assert desk.detail(db, tenant_id=world.tenant_id, admin_id=admin,
                       appointment_id=gone).appointment.status.key == 'canceled'


def test_money_taken_at_the_desk_is_credited_by_the_staff(db, studio) -> None:
    world, admin = studio
    appt = world.appointments['ada_cut']
    desk.take_payment(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, amount=4500,
                      method='cash', now=NOW)
    opened = desk.detail(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt)
    assert opened.row.payment == 'paid'
    assert opened.appointment.history[-1].actor == 'staff'
    assert [(p.amount, p.method) for p in opened.payments] == [(4500, 'cash')]
    with pytest.raises(NotAllowed):
        desk.take_payment(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, amount=100,
                          method='bitcoin', now=NOW)


def test_the_calendar_draws_a_25_hour_and_a_23_hour_day(db, studio) -> None:
    world, admin = studio
    # Berlin leaves summer time on Sunday 25 October 2026 (02:00-03:00 twice) and starts it on 28 March 2027.
    early = add_appointment(db, world, start=local(25, 1, 30, month=10), staff='leo')
    late = add_appointment(db, world, start=local(25, 20, month=10), staff='mia')
    view = desk.calendar(db, tenant_id=world.tenant_id, admin_id=admin, first_day=date(2026, 10, 25), days=1)
    day = view.days[0]
    assert day.minutes == 25 * 60
    assert [m[0] for m in day.marks].count('02:00') == 2
    assert [r.id for r in view.on(day, world.staff['leo'])] == [early]
    assert day.offset(view.on(day, world.staff['mia'])[0].start) == 21 * 60  # 20:00 is 21 hours in
    assert late in [r.id for r in view.rows]
    spring = desk.calendar(db, tenant_id=world.tenant_id, admin_id=admin, first_day=date(2027, 3, 28), days=1)
    assert spring.days[0].minutes == 23 * 60 and '02:00' not in [m[0] for m in spring.days[0].marks]
    week = desk.calendar(db, tenant_id=world.tenant_id, admin_id=admin, first_day=date(2026, 11, 23))
    assert [name for _, name in week.staff] == ['Leo Park', 'Mia Wong']
    assert len(week.days) == 7 and len(week.rows) == 3


def test_the_export_follows_the_filter_and_defuses_formulas(db, studio) -> None:
    world, admin = studio
    from storage import tables as t
    with db.write() as s:
        bob = s.get(t.Customer, world.bob)
        bob.first_name = '=HYPERLINK("http://evil.example")'
        s.add(bob)
    text = ''.join(desk.export_csv(db, tenant_id=world.tenant_id, admin_id=admin,
                                   where=AppointmentFilter(staff_id=world.staff['leo'], sort='start_asc')))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ['Appointment', 'Date', 'Start', 'End', 'Customer']
    assert [r[0] for r in rows[1:]] == [str(world.appointments['bob_yoga']), str(world.appointments['bob_late'])]
    assert rows[1][1:4] == ['2026-11-26', '09:00', '09:45']
    assert rows[1][4].startswith("'=HYPERLINK")
    assert rows[1][11:] == ['20.00', '20.00', 'Paid']
    german = ''.join(desk.export_csv(db, tenant_id=world.tenant_id, admin_id=admin, where=AppointmentFilter(),
                                     locale='de'))
    assert german.startswith('Termin,')


def test_the_desk_moves_an_appointment_to_a_free_time_by_the_staff(db, studio) -> None:
    from services.booking import SlotTaken
    world, admin = studio
    appt = world.appointments['bob_yoga']  # pending: the desk's move keeps its status
    moved = desk.reschedule(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt,
                            new_start=local(26, 11), now=NOW)
    assert (moved.start, moved.status.key) == (local(26, 11), 'pending')
    history = desk.detail(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt).appointment.history
    assert (history[-1].action, history[-1].actor) == ('rescheduled', 'staff')
    with db.read() as s:
        assert 'appointment.reschedule' in [e.action for e in audit_db.entries(
            s, tenant_id=world.tenant_id, where=AuditFilter()).entries]
    # Mia's 10:00 on the 24th is taken by Ada's haircut: the desk cannot double-book it.
    with pytest.raises(SlotTaken):
        desk.reschedule(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=world.appointments['bob_late'],
                        new_start=local(24, 10), staff_id=world.staff['mia'], now=NOW)


def test_the_desk_books_for_a_customer_and_not_for_another_business(db, studio) -> None:
    from services.booking import BookingRefused
    world, admin = studio
    booked = desk.book(db, tenant_id=world.tenant_id, admin_id=admin, customer_id=world.bob,
                       service_id=world.services['cut'], staff_id=world.staff['mia'], start=local(27, 15), now=NOW)
    opened = desk.detail(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=booked.id)
    assert (opened.row.customer_name, opened.appointment.start) == ('Bob Byte', local(27, 15))
    assert opened.appointment.history[0].actor == 'staff'
    clinic = seed_world(db, now=NOW, slug='clinic')
    theirs = add_admin(db, clinic, email='boss@clinic.example')
    with pytest.raises(BookingRefused):
        desk.book(db, tenant_id=clinic.tenant_id, admin_id=theirs, customer_id=world.bob,
                  service_id=clinic.services['cut'], staff_id=clinic.staff['mia'], start=local(27, 15), now=NOW)
    with pytest.raises(NotAllowed):
        desk.reschedule(db, tenant_id=clinic.tenant_id, admin_id=theirs, appointment_id=booked.id,
                        new_start=local(27, 16), now=NOW)
