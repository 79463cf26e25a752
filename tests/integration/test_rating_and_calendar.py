"""Rating a visit and taking an appointment to a calendar, through the services on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from services import appointments
from tests.support.seed import add_appointment, seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_a_completed_visit_is_rated_once(db) -> None:
    world = seed_world(db, now=NOW)
    visit = add_appointment(db, world, start=NOW - timedelta(days=2))
    assert appointments.rating_of(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visit) is None
    appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visit, stars=5,
                      comment='  Spot on  ', now=NOW)
    given = appointments.rating_of(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visit)
    assert given is not None and (given.stars, given.comment, given.created_at) == (5, 'Spot on', NOW)
    with pytest.raises(appointments.NotAllowed) as refused:
        appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visit, stars=1,
                          now=NOW)
    assert str(refused.value.message) == 'You have already rated this visit. Thank you!'
    again = appointments.rating_of(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visit)
    assert again is not None and again.stars == 5


@pytest.mark.parametrize(('days', 'status', 'stars', 'message'), [
    (2, 'approved', 4, 'You can rate this visit once it is over.'),
    (-2, 'canceled', 4, 'Only visits that took place can be rated.'),
    (-2, 'no-show', 4, 'Only visits that took place can be rated.'),
    (-2, 'approved', 0, 'Choose from 1 to 5 stars.'),
])
def test_ratings_the_rules_refuse(db, days: int, status: str, stars: int, message: str) -> None:
    world = seed_world(db, now=NOW)
    visit = add_appointment(db, world, start=NOW + timedelta(days=days), status=status)
    with pytest.raises(appointments.NotAllowed) as refused:
        appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=visit, stars=stars,
                          now=NOW)
    assert str(refused.value.message) == message


def test_nobody_rates_or_downloads_another_customers_visit(db) -> None:
    world = seed_world(db, now=NOW)
    bobs = add_appointment(db, world, customer=world.bob, start=NOW - timedelta(days=2))
    for call in (
        lambda: appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=bobs,
                                  stars=1, now=NOW),
        lambda: appointments.rating_of(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=bobs),
        lambda: appointments.appointment_calendar(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                                  appointment_id=bobs, now=NOW),
    ):
        with pytest.raises(appointments.NotAllowed) as refused:
            call()
        assert str(refused.value.message) == str(appointments.NOT_YOURS)


def test_add_to_calendar_gives_one_event_at_the_booked_time(db) -> None:
    world = seed_world(db, now=NOW)
    start = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    appt_id = add_appointment(db, world, start=start)
    name, data = appointments.appointment_calendar(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                                   appointment_id=appt_id, now=NOW)
    assert name == 'haircut-2026-12-01.ics'
    cal = Calendar.from_ical(data)
    assert cal['METHOD'] == 'PUBLISH'
    (event,) = cal.walk('VEVENT')
    assert event.decoded('DTSTART') == start
    assert event.decoded('DTEND') == start + timedelta(minutes=45)
    assert str(event['SUMMARY']) == 'Haircut with Mia Wong'
    assert str(event['LOCATION']) == 'Main Street 1'
    assert str(event['STATUS']) == 'CONFIRMED'


def test_add_to_calendar_speaks_the_page_language(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    _, data = appointments.appointment_calendar(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                                appointment_id=appt_id, now=NOW, locale='pt_PT')
    (event,) = Calendar.from_ical(data).walk('VEVENT')
    assert str(event['SUMMARY']) == 'Haircut com Mia Wong'
    assert 'Estado: Aprovada' in str(event['DESCRIPTION'])


def test_the_calendar_file_keeps_names_with_commas_quotes_and_accents_and_folds_long_lines() -> None:
    from domain import model as d
    from services import calendar

    service = d.Service(id=3, name='Colour, cut; "wash" — ' + 'ü' * 60, meeting_url='https://meet.example.com/a?b=1,c')
    appt = d.Appointment(id=9, customer_id=1, service=service, staff=d.Staff(id=2, name='Léa "Lou", Jr: 2nd'),
                         location=None, start=NOW, end=NOW + timedelta(hours=1), price=0,
                         status=d.Status(key='pending', label='Pending', color='#999', icon='hourglass', busy=True))
    tenant = d.Tenant(id=1, slug='studio', name='Studio\\One', timezone='UTC', currency='EUR')
    attendee = d.Customer(id=1, tenant_id=1, first_name='Zoë', last_name="O'Neil ^", email='zoe@example.com')
    data = calendar.appointment_ics(appt, tenant=tenant, method=calendar.REQUEST, now=NOW, attendee=attendee)
    assert all(len(line) <= 75 for line in data.split(b'\r\n'))
    (event,) = Calendar.from_ical(data).walk('VEVENT')
    assert str(event['SUMMARY']) == f'{service.name} with Léa "Lou", Jr: 2nd'
    assert event['ORGANIZER'].params['CN'] == 'Léa "Lou", Jr: 2nd'
    assert event['ATTENDEE'].params['CN'] == "Zoë O'Neil ^"
    assert str(event['URL']) == 'https://meet.example.com/a?b=1,c'
    assert str(event['DESCRIPTION']).startswith(f'{service.name} at Studio\\One\nStatus: Pending\nJoin online: ')
    assert (event.decoded('DTSTART'), event.decoded('DTEND')) == (NOW, NOW + timedelta(hours=1))
