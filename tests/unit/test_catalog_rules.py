"""The catalog's and the schedules' rules as tables: each wrong field answers with its reason, next to that field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.availability import StaffSchedule
from domain.catalog import LocationInput, ServiceInput, StaffInput, location_problems, service_problems, staff_problems
from domain.schedules import (
    Visit,
    day_off_problem,
    intervals_problem,
    outside_hours,
    parse_hours,
    special_day_problem,
    week_problems,
)

GOOD = ServiceInput(name='Haircut', duration_min=45, price=4500, deposit=1000, staff_ids=(1,))


def words(problems: dict) -> dict[str, str]:
    return {k: str(v) for k, v in problems.items()}


def test_a_good_service_has_no_problems() -> None:
    assert service_problems(GOOD, staff_ids={1, 2}) == {}


@pytest.mark.parametrize(('change', 'field', 'reason'), [
    ({'name': '  '}, 'name', 'Enter a name.'),
    ({'name': 'x' * 81}, 'name', 'At most 80 characters.'),
    ({'name': 'Hair\u202ecut'}, 'name', 'This contains characters that are not allowed.'),
    ({'category': 'c' * 61}, 'category', 'At most 60 characters.'),
    ({'duration_min': 0}, 'duration_min', 'A service lasts from 5 to 1,439 minutes.'),
    ({'duration_min': 1440}, 'duration_min', 'A service lasts from 5 to 1,439 minutes.'),
    ({'price': -1}, 'price', 'Enter an amount from 0 to 1,000,000.'),
    ({'deposit': 5000}, 'deposit', 'The deposit cannot be more than the price.'),
    ({'buffer_before_min': -5}, 'buffer_before_min', 'A buffer is from 0 to 480 minutes.'),
    ({'buffer_after_min': 481}, 'buffer_after_min', 'A buffer is from 0 to 480 minutes.'),
    ({'capacity': 0}, 'capacity', 'A slot has from 1 to 500 seats.'),
    ({'slot_step_min': 1}, 'slot_step_min', 'Times are offered every 5 to 720 minutes.'),
    ({'min_notice_min': -1}, 'min_notice_min', 'The notice is from 0 to 129,600 minutes.'),
    ({'max_days_ahead': 731}, 'max_days_ahead', 'Bookings open from 0 to 730 days ahead.'),
    ({'meeting_url': 'javascript:alert(1)'}, 'meeting_url',
     'The meeting link must be a web address starting with https:// or http://.'),
    ({'color': 'red;'}, 'color', 'The colour must be a hex colour like #0f766e.'),
    ({'staff_ids': (1, 99)}, 'staff_ids', 'Choose staff members of this business.'),
])
def test_each_wrong_service_field_says_why_next_to_it(change: dict, field: str, reason: str) -> None:
    value = ServiceInput(**{**{f: getattr(GOOD, f) for f in GOOD.__slots__}, **change})
    assert words(service_problems(value, staff_ids={1, 2})) == {field: reason}


def test_several_wrong_fields_each_get_their_own_reason() -> None:
    value = ServiceInput(name='', duration_min=0, price=-5, capacity=0)
    assert set(service_problems(value)) == {'name', 'duration_min', 'price', 'capacity'}


def test_a_bool_is_not_a_number_of_minutes() -> None:
    assert 'capacity' in service_problems(ServiceInput(name='Class', capacity=True))


@pytest.mark.parametrize(('value', 'problems'), [
    (StaffInput(name='Mia Wong', email='mia@example.com', location_ids=(1,), service_ids=(5,)), {}),
    (StaffInput(name='Mia Wong'), {}),
    (StaffInput(name=''), {'name': 'Enter a name.'}),
    (StaffInput(name='Mia', email='not an email'), {'email': 'Enter an email address like name@example.com.'}),
    (StaffInput(name='Mia', location_ids=(7,)), {'location_ids': 'Choose locations of this business.'}),
    (StaffInput(name='Mia', service_ids=(7,)), {'service_ids': 'Choose services of this business.'}),
])
def test_staff_rules(value: StaffInput, problems: dict[str, str]) -> None:
    assert words(staff_problems(value, location_ids={1}, service_ids={5})) == problems


@pytest.mark.parametrize(('value', 'problems'), [
    (LocationInput(name='Main Street 1', address='Main Street 1, Berlin'), {}),
    (LocationInput(name=''), {'name': 'Enter a name.'}),
    (LocationInput(name='Main', address='a' * 301), {'address': 'At most 300 characters.'}),
])
def test_location_rules(value: LocationInput, problems: dict[str, str]) -> None:
    assert words(location_problems(value)) == problems


# ---- schedules ------------------------------------------------------------------------------------------------


def hm(text: str) -> time:
    return time.fromisoformat(text)


def spans(*pairs: str) -> list[tuple[time, time]]:
    return [(hm(p.split('-')[0]), hm(p.split('-')[1])) for p in pairs]


@pytest.mark.parametrize(('day', 'reason'), [
    (spans('09:00-12:00', '13:00-18:00'), None),
    (spans('09:00-12:00', '12:00-13:00'), None),  # touching is fine
    (spans('18:00-00:00'), None),  # 00:00 as an end is midnight
    ([], None),
    (spans('12:00-09:00'), '12:00-09:00 ends before it starts.'),
    (spans('09:00-09:00'), '09:00-09:00 ends before it starts.'),
    (spans('09:00-12:00', '11:00-14:00'), '09:00-12:00 overlaps 11:00-14:00.'),
    (spans('13:00-18:00', '09:00-13:30'), '09:00-13:30 overlaps 13:00-18:00.'),
    (spans(*[f'{h:02d}:00-{h:02d}:30' for h in range(13)]), 'At most 12 intervals a day.'),
])
def test_intervals_of_a_day(day: list[tuple[time, time]], reason: str | None) -> None:
    found = intervals_problem(day)
    assert (None if found is None else str(found)) == reason


def test_a_week_names_the_day_and_the_kind_that_is_wrong() -> None:
    weekly = {0: spans('09:00-17:00'), 1: spans('10:00-09:00'), 2: spans('09:00-17:00')}
    breaks = {0: spans('12:00-13:00'), 2: spans('17:30-18:00')}
    assert words(week_problems(weekly, breaks)) == {
        'hours-1': '10:00-09:00 ends before it starts.',
        'breaks-2': 'The break 17:30-18:00 is outside the working hours.',
    }


def test_days_off_and_special_days_are_today_or_later() -> None:
    today = date(2026, 12, 1)
    assert str(day_off_problem(date(2026, 11, 30), '', today=today)) == 'Choose today or a later date.'
    assert day_off_problem(today, 'Team day', today=today) is None
    assert str(day_off_problem(today, 'x' * 121, today=today)) == 'At most 120 characters.'
    assert special_day_problem(today, spans('10:00-14:00'), today=today) is None
    assert str(special_day_problem(today, spans('14:00-10:00'), today=today)) == '14:00-10:00 ends before it starts.'
    assert str(special_day_problem(today + timedelta(days=4 * 365), [], today=today)) == \
        'Choose a date within three years.'


def test_a_new_schedule_lists_the_bookings_it_leaves_outside_hours() -> None:
    # Berlin, Monday 7 December 2026; 10:00 local is 09:00 UTC.
    week = {0: ((hm('09:00'), hm('12:00')),)}
    schedule = StaffSchedule(staff_id=1, weekly=week, breaks={0: ((hm('11:00'), hm('11:30')),)},
                             days_off=frozenset({date(2026, 12, 14)}))
    inside = Visit(appointment_id=1, staff_id=1, start=datetime(2026, 12, 7, 9, tzinfo=UTC),
                   end=datetime(2026, 12, 7, 10, tzinfo=UTC))
    in_break = Visit(appointment_id=2, staff_id=1, start=datetime(2026, 12, 7, 10, tzinfo=UTC),
                     end=datetime(2026, 12, 7, 10, 45, tzinfo=UTC))
    day_off = Visit(appointment_id=3, staff_id=1, start=datetime(2026, 12, 14, 9, tzinfo=UTC),
                    end=datetime(2026, 12, 14, 10, tzinfo=UTC))
    tuesday = Visit(appointment_id=4, staff_id=1, start=datetime(2026, 12, 8, 9, tzinfo=UTC),
                    end=datetime(2026, 12, 8, 10, tzinfo=UTC))
    holiday = Visit(appointment_id=5, staff_id=1, start=datetime(2026, 12, 21, 9, tzinfo=UTC),
                    end=datetime(2026, 12, 21, 10, tzinfo=UTC))
    found = outside_hours([inside, in_break, day_off, tuesday, holiday], [schedule],
                          holidays=frozenset({date(2026, 12, 21)}), zone=ZoneInfo('Europe/Berlin'))
    assert [v.appointment_id for v in found] == [2, 3, 4, 5]


@pytest.mark.parametrize(('typed', 'hours', 'reason'), [
    ([('09:00', '12:00'), ('', ''), ('13:00', '00:00')], spans('09:00-12:00', '13:00-00:00'), None),
    ([('09:00', '')], [], 'Enter a start and an end time.'),
    ([('9 am', '12:00')], [], 'Enter times like 09:00.'),
    ([('09:00:30', '12:00')], [], 'Enter times like 09:00.'),
])
def test_typed_hours_are_read_or_refused(typed, hours, reason) -> None:
    found, problem = parse_hours(typed)
    assert (found, None if problem is None else str(problem)) == (hours, reason)
