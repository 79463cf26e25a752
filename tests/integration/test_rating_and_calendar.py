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
    assert refused.value.message == 'You have already rated this visit. Thank you!'
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
    assert refused.value.message == message


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
        assert refused.value.message == appointments.NOT_YOURS


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
