"""The slot rules, one table row each. Times read as Berlin wall-clock times; `now` is fixed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.availability import (
    Booking,
    ServiceRules,
    Slot,
    SlotFinder,
    SlotRequest,
    StaffSchedule,
    available_dates,
    free_slots,
    wall_to_utc,
)

try:
    from tests.unit.slot_reference import reference_free_slots
except ImportError:  # pytest run with tests/unit as the import root
    from slot_reference import reference_free_slots  # type: ignore[no-redef]  # the same function, other root

BERLIN = ZoneInfo('Europe/Berlin')
NEW_YORK = ZoneInfo('America/New_York')
MONDAY = date(2026, 6, 8)
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # Monday a week earlier, 08:00 in Berlin
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)
SERVICE, OTHER_SERVICE = 1, 2
OFFICE_HOURS = ((time(9), time(12)), (time(13), time(17)))
ALL_DAY_MONDAY = ['09:00', '10:00', '11:00', '13:00', '14:00', '15:00', '16:00']


def staff(staff_id: int = 1, **changes: Any) -> StaffSchedule:
    """Works Monday to Friday, 09:00-12:00 and 13:00-17:00."""
    return StaffSchedule(staff_id=staff_id, **{'weekly': {d: OFFICE_HOURS for d in range(5)}, **changes})


def rules(**changes: Any) -> ServiceRules:
    """One hour long, on the hour, one seat."""
    return ServiceRules(**{'duration': HOUR, 'step': HOUR, **changes})


def at(clock: str, day: date = MONDAY, tz: ZoneInfo = BERLIN) -> datetime:
    """A Berlin wall-clock time on `day`, as a UTC instant."""
    return wall_to_utc(datetime.combine(day, time.fromisoformat(clock)), tz)[0]


def booking(clock: str, minutes: int = 60, day: date = MONDAY, **changes: Any) -> Booking:
    """Someone else's appointment with staff 1, by default of another service."""
    start = at(clock, day)
    return Booking(
        **{'staff_id': 1, 'start': start, 'end': start + minutes * MIN, 'service_id': OTHER_SERVICE, **changes}
    )


def request(**changes: Any) -> SlotRequest:
    return SlotRequest(**{'tz': BERLIN, 'service_id': SERVICE, 'rules': rules(), 'staff': (staff(),), **changes})


def clock(slots: list[Slot], tz: ZoneInfo = BERLIN) -> list[str]:
    return [s.start.astimezone(tz).strftime('%H:%M') for s in slots]


@pytest.mark.parametrize(
    ('req', 'expected'),
    [
        pytest.param(request(), ALL_DAY_MONDAY, id='two working intervals a day, lunch in between'),
        pytest.param(
            request(staff=(staff(breaks={0: ((time(10, 30), time(11)),)}),)),
            ['09:00', '11:00', '13:00', '14:00', '15:00', '16:00'],
            id='a break splits an interval, and the grid restarts after it',
        ),
        pytest.param(
            request(staff=(staff(weekly={0: ((time(9), time(11)), (time(11), time(13)))}),)),
            ['09:00', '10:00', '11:00', '12:00'],
            id='touching intervals are one interval',
        ),
        pytest.param(request(staff=(staff(days_off=frozenset({MONDAY})),)), [], id='a day off closes the day'),
        pytest.param(request(holidays=frozenset({MONDAY})), [], id='a business holiday closes the day'),
        pytest.param(
            request(staff=(staff(special_days={MONDAY: ((time(7), time(9)), (time(18), time(20)))}),)),
            ['07:00', '08:00', '18:00', '19:00'],
            id='a special day replaces the weekly hours',
        ),
        pytest.param(
            request(staff=(staff(special_days={MONDAY: ((time(9), time(12)),)}, breaks={0: ((time(10), time(11)),)}),)),
            ['09:00', '10:00', '11:00'],
            id='a special day replaces the weekly breaks too',
        ),
        pytest.param(request(staff=(staff(special_days={MONDAY: ()}),)), [], id='an empty special day is closed'),
        pytest.param(
            request(staff=(staff(special_days={MONDAY: ((time(9), time(11)),)}),), holidays=frozenset({MONDAY})),
            [],
            id='a holiday beats a special day',
        ),
        pytest.param(
            request(staff=(staff(weekly={0: ((time(22), time(0)),)}),)),
            ['22:00', '23:00'],
            id='an end of 00:00 is midnight',
        ),
        pytest.param(
            request(rules=rules(step=30 * MIN)),
            [
                '09:00',
                '09:30',
                '10:00',
                '10:30',
                '11:00',
                '13:00',
                '13:30',
                '14:00',
                '14:30',
                '15:00',
                '15:30',
                '16:00',
            ],
            id='step 30 minutes',
        ),
        pytest.param(
            request(rules=rules(step=45 * MIN)),
            ['09:00', '09:45', '10:30', '13:00', '13:45', '14:30', '15:15', '16:00'],
            id='the grid starts at each interval start, and a slot must end by the interval end',
        ),
        pytest.param(
            request(staff=(staff(weekly={0: ((time(9, 10), time(12)),)}),), rules=rules(step=30 * MIN)),
            ['09:10', '09:40', '10:10', '10:40'],
            id='the grid is aligned to the interval start, not to the hour',
        ),
        pytest.param(
            request(bookings=(booking('10:00'),)),
            ['09:00', '11:00', '13:00', '14:00', '15:00', '16:00'],
            id='a booking takes its hour',
        ),
        pytest.param(
            request(bookings=(booking('10:00'),), rules=rules(buffer_after=15 * MIN)),
            ['11:00', '13:00', '14:00', '15:00', '16:00'],
            id='the service buffer after keeps the slot before a booking away',
        ),
        pytest.param(
            request(bookings=(booking('10:00'),), rules=rules(buffer_before=15 * MIN)),
            ['09:00', '13:00', '14:00', '15:00', '16:00'],
            id='the service buffer before keeps the slot after a booking away',
        ),
        pytest.param(
            request(bookings=(booking('10:00', buffer_after=30 * MIN),)),
            ['09:00', '13:00', '14:00', '15:00', '16:00'],
            id='a booking buffer after occupies the time after it',
        ),
        pytest.param(
            request(bookings=(booking('10:00', buffer_before=30 * MIN),)),
            ['11:00', '13:00', '14:00', '15:00', '16:00'],
            id='a booking buffer before occupies the time before it',
        ),
        pytest.param(
            request(rules=rules(buffer_before=30 * MIN, buffer_after=30 * MIN)),
            ALL_DAY_MONDAY,
            id='buffers may reach outside working hours',
        ),
        pytest.param(
            request(bookings=(booking('10:00', staff_id=2),)),
            ALL_DAY_MONDAY,
            id='bookings of other staff do not matter',
        ),
        pytest.param(
            request(bookings=(booking('10:00', appointment_id=42),), ignore_appointment_id=42),
            ALL_DAY_MONDAY,
            id='the appointment being rescheduled does not block itself',
        ),
        pytest.param(
            request(bookings=(booking('10:00', appointment_id=41),), ignore_appointment_id=42),
            ['09:00', '11:00', '13:00', '14:00', '15:00', '16:00'],
            id='other appointments still block while rescheduling',
        ),
    ],
)
def test_working_hours_bookings_and_buffers(req: SlotRequest, expected: list[str]) -> None:
    slots = free_slots(req, day=MONDAY, now=NOW)
    assert clock(slots) == expected
    assert slots == reference_free_slots(req, day=MONDAY, now=NOW)


@pytest.mark.parametrize(
    ('req', 'now', 'expected'),
    [
        pytest.param(
            request(rules=rules(min_notice=2 * HOUR)),
            at('10:20'),
            ['13:00', '14:00', '15:00', '16:00'],
            id='minimum notice: nothing before now + 2 hours',
        ),
        pytest.param(
            request(rules=rules(min_notice=2 * HOUR)), at('11:00'), ['13:00', '14:00', '15:00', '16:00'], id='exactly'
        ),
        pytest.param(request(), at('17:00'), [], id='a day that is over has no slots'),
        pytest.param(request(rules=rules(max_days_ahead=7)), NOW, ALL_DAY_MONDAY, id='7 days ahead is allowed'),
        pytest.param(request(rules=rules(max_days_ahead=6)), NOW, [], id='8 days ahead is too far'),
        pytest.param(
            request(rules=rules(max_days_ahead=7)),
            datetime(2026, 5, 31, 22, 30, tzinfo=UTC),
            ALL_DAY_MONDAY,
            id='days ahead count from the local date (already Monday in Berlin)',
        ),
    ],
)
def test_notice_and_horizon(req: SlotRequest, now: datetime, expected: list[str]) -> None:
    assert clock(free_slots(req, day=MONDAY, now=now)) == expected


GROUP = rules(capacity=3)


@pytest.mark.parametrize(
    ('req', 'expected'),
    [
        pytest.param(
            request(rules=GROUP, bookings=(booking('10:00', service_id=SERVICE, seats=2),)),
            {'09:00': 3, '10:00': 1, '11:00': 3},
            id='a group keeps its start while seats remain',
        ),
        pytest.param(
            request(rules=GROUP, bookings=(booking('10:00', service_id=SERVICE, seats=2),), seats=2),
            {'09:00': 3, '11:00': 3},
            id='but not for more seats than remain',
        ),
        pytest.param(
            request(rules=GROUP, bookings=(booking('10:00', service_id=SERVICE, seats=2),) * 2),
            {'09:00': 3, '11:00': 3},
            id='a full group is gone',
        ),
        pytest.param(
            request(rules=GROUP, bookings=(booking('10:00', service_id=SERVICE), booking('10:00', service_id=SERVICE))),
            {'09:00': 3, '10:00': 1, '11:00': 3},
            id='seats of several bookings add up',
        ),
        pytest.param(
            request(rules=GROUP, bookings=(booking('10:30', service_id=SERVICE),)),
            {'09:00': 3},
            id='the same service at another start blocks like any booking',
        ),
        pytest.param(
            request(rules=GROUP, bookings=(booking('10:00', service_id=OTHER_SERVICE),)),
            {'09:00': 3, '11:00': 3},
            id='another service at the same start blocks',
        ),
        pytest.param(
            request(
                rules=GROUP,
                bookings=(booking('10:00', service_id=SERVICE), booking('11:00', buffer_before=15 * MIN)),
            ),
            {'09:00': 3},
            id='a group start blocked by something else is gone',
        ),
        pytest.param(
            request(rules=rules(capacity=1), bookings=(booking('10:00', service_id=SERVICE),)),
            {'09:00': 1, '11:00': 1},
            id='a one-seat service is never shared',
        ),
        pytest.param(request(rules=GROUP, seats=4), {}, id='more seats than the capacity: nothing'),
    ],
)
def test_capacity_and_group_seats(req: SlotRequest, expected: dict[str, int]) -> None:
    assert free_slots(req, day=MONDAY, now=NOW) == reference_free_slots(req, day=MONDAY, now=NOW)
    slots = [s for s in free_slots(req, day=MONDAY, now=NOW) if s.start < at('12:00')]
    assert {c: s.free_seats for c, s in zip(clock(slots), slots, strict=True)} == expected


def test_any_staff_lists_everyone_free_least_busy_first_then_lowest_id() -> None:
    req = request(
        staff=(staff(3), staff(1), staff(2, weekly={0: ((time(9), time(11)),)})),
        bookings=(booking('13:00', staff_id=1), booking('15:00', staff_id=1), booking('16:00', staff_id=3)),
    )
    slots = free_slots(req, day=MONDAY, now=NOW)
    assert dict(zip(clock(slots), [s.staff_ids for s in slots], strict=True)) == {
        '09:00': (2, 3, 1),  # staff 2 has no bookings that day, staff 3 one, staff 1 two
        '10:00': (2, 3, 1),
        '11:00': (3, 1),
        '13:00': (3,),
        '14:00': (3, 1),
        '15:00': (3,),
        '16:00': (1,),
    }


@pytest.mark.parametrize(
    ('tz', 'day', 'hours', 'step', 'expected'),
    [
        pytest.param(
            BERLIN,
            date(2026, 3, 29),
            ((time(9), time(17)),),
            60,
            [
                '09:00+0200',
                '10:00+0200',
                '11:00+0200',
                '12:00+0200',
                '13:00+0200',
                '14:00+0200',
                '15:00+0200',
                '16:00+0200',
            ],
            id='spring forward: a 09:00-17:00 day is still 09:00-17:00',
        ),
        pytest.param(
            BERLIN,
            date(2026, 3, 29),
            ((time(1), time(5)),),
            30,
            ['01:00+0100', '01:30+0100', '03:00+0200', '03:30+0200', '04:00+0200'],
            id='spring forward: no slot in the missing hour, and 3 real hours of work',
        ),
        pytest.param(
            BERLIN,
            date(2026, 3, 29),
            ((time(2, 30), time(4)),),
            30,
            ['03:00+0200'],
            id='spring forward: work starting in the missing hour starts when the clocks jump',
        ),
        pytest.param(
            BERLIN,
            date(2026, 10, 25),
            ((time(9), time(17)),),
            60,
            [
                '09:00+0100',
                '10:00+0100',
                '11:00+0100',
                '12:00+0100',
                '13:00+0100',
                '14:00+0100',
                '15:00+0100',
                '16:00+0100',
            ],
            id='fall back: a 09:00-17:00 day is still 09:00-17:00',
        ),
        pytest.param(
            BERLIN,
            date(2026, 10, 25),
            ((time(1), time(4)),),
            30,
            ['01:00+0200', '01:30+0200', '02:00+0200', '02:30+0200', '03:00+0100'],
            id='fall back: the repeated hour gets its starts once, at its first occurrence',
        ),
        pytest.param(
            BERLIN,
            date(2026, 10, 25),
            ((time(1), time(2, 30)),),
            30,
            ['01:00+0200', '01:30+0200'],
            id='fall back: an ambiguous end is its first occurrence',
        ),
        pytest.param(
            NEW_YORK,
            date(2026, 3, 8),
            ((time(1), time(4)),),
            60,
            ['01:00-0500', '03:00-0400'],
            id='New York spring forward',
        ),
        pytest.param(
            NEW_YORK,
            date(2026, 11, 1),
            ((time(0), time(3)),),
            60,
            ['00:00-0400', '01:00-0400', '02:00-0500'],
            id='New York fall back',
        ),
    ],
)
def test_daylight_saving(tz: ZoneInfo, day: date, hours: tuple, step: int, expected: list[str]) -> None:
    req = request(
        tz=tz, staff=(StaffSchedule(staff_id=1, weekly={day.weekday(): hours}),), rules=rules(step=step * MIN)
    )
    slots = free_slots(req, day=day, now=datetime(2026, 3, 1, tzinfo=UTC))
    assert [s.start.astimezone(tz).strftime('%H:%M%z') for s in slots] == expected
    assert slots == reference_free_slots(req, day=day, now=datetime(2026, 3, 1, tzinfo=UTC))
    assert all(s.end - s.start == HOUR for s in slots)


def test_available_dates_of_a_month() -> None:
    req = request(
        staff=(
            staff(days_off=frozenset({date(2026, 6, 17)}), special_days={date(2026, 6, 20): ((time(10), time(11)),)}),
        ),
        holidays=frozenset({date(2026, 6, 18)}),
        bookings=(booking('09:00', 8 * 60, day=date(2026, 6, 19)),),
        rules=rules(max_days_ahead=14),
    )
    now = at('16:30', date(2026, 6, 10))  # the last slot of the 10th has started
    assert available_dates(req, year=2026, month=6, now=now) == [
        date(2026, 6, 11),
        date(2026, 6, 12),
        # 13-14 weekend, 17 day off, 18 holiday, 19 fully booked, 20 a Saturday opened by a special day
        date(2026, 6, 15),
        date(2026, 6, 16),
        date(2026, 6, 20),
        date(2026, 6, 22),
        date(2026, 6, 23),
        date(2026, 6, 24),
        # the 25th onwards is more than 14 days ahead
    ]
    assert available_dates(req, year=2026, month=5, now=now) == []


def test_a_finder_prepared_once_answers_like_the_one_shot_functions() -> None:
    req = request(bookings=(booking('10:00'), booking('10:00', day=MONDAY + timedelta(days=1), staff_id=2)))
    finder = SlotFinder(req)
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        assert finder.free_slots(day=day, now=NOW) == free_slots(req, day=day, now=NOW)
    assert finder.available_dates(year=2026, month=6, now=NOW) == available_dates(req, year=2026, month=6, now=NOW)


def test_a_long_booking_blocks_every_day_it_covers() -> None:
    start = at('10:00', MONDAY - timedelta(days=3))
    req = request(bookings=(Booking(staff_id=1, start=start, end=at('11:00'), service_id=OTHER_SERVICE),))
    assert clock(free_slots(req, day=MONDAY, now=NOW)) == ['11:00', '13:00', '14:00', '15:00', '16:00']


def test_a_buffer_reaching_back_over_midnight_blocks_the_day_before() -> None:
    late = request(staff=(staff(weekly={0: ((time(22), time(0)),)}),))
    tuesday = MONDAY + timedelta(days=1)
    early_tuesday = booking('02:30', day=tuesday, buffer_before=4 * HOUR + 30 * MIN)  # 00:30 UTC on Tuesday
    assert clock(free_slots(late, day=MONDAY, now=NOW)) == ['22:00', '23:00']
    blocked = request(staff=late.staff, bookings=(early_tuesday,))
    assert clock(free_slots(blocked, day=MONDAY, now=NOW)) == []


@pytest.mark.parametrize(
    'make',
    [
        pytest.param(lambda: rules(duration=timedelta(0)), id='zero duration'),
        pytest.param(lambda: rules(step=-HOUR), id='negative step'),
        pytest.param(lambda: rules(capacity=0), id='no seats'),
        pytest.param(lambda: rules(min_notice=-HOUR), id='negative notice'),
        pytest.param(lambda: staff(weekly={0: ((time(12), time(9)),)}), id='hours ending before they start'),
        pytest.param(lambda: staff(weekly={7: OFFICE_HOURS}), id='no eighth weekday'),
        pytest.param(lambda: booking('10:00', minutes=0), id='empty booking'),
        pytest.param(lambda: request(seats=0), id='zero seats asked'),
        pytest.param(lambda: free_slots(request(), day=MONDAY, now=datetime(2026, 6, 1)), id='naive now'),
    ],
)
def test_nonsense_is_refused(make: Any) -> None:
    with pytest.raises(ValueError):
        make()
