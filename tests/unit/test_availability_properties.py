"""Properties of the slot engine on random schedules and bookings, and agreement with the brute-force reference."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.availability import (
    Booking,
    ServiceRules,
    Slot,
    SlotFinder,
    SlotRequest,
    StaffSchedule,
    available_dates,
    free_slots,
    other_times,
)

try:
    from tests.unit.slot_reference import reference_available_dates, reference_free_slots
except ImportError:  # pytest run with tests/unit as the import root
    from slot_reference import reference_available_dates, reference_free_slots  # type: ignore[no-redef]  # the same functions

MIN = timedelta(minutes=1)
# days on which the clocks change in these zones, and an ordinary one
ZONES_AND_DAYS = [
    ('UTC', date(2026, 6, 15)),
    ('Europe/Berlin', date(2026, 3, 29)),
    ('Europe/Berlin', date(2026, 10, 25)),
    ('America/New_York', date(2026, 3, 8)),
    ('America/New_York', date(2026, 11, 1)),
    ('Australia/Lord_Howe', date(2026, 4, 5)),  # half-hour change: 02:00 becomes 01:30
    ('Australia/Lord_Howe', date(2026, 10, 4)),
]
SETTINGS = settings(
    deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _clock(minute: int) -> time:
    return time() if minute >= 1440 else time(minute // 60, minute % 60)


@st.composite
def day_hours(draw: st.DrawFn, *, max_size: int) -> tuple[tuple[time, time], ...]:
    """Up to `max_size` wall-clock intervals, often at night so that clock changes fall inside them."""
    hours = []
    for _ in range(draw(st.integers(0, max_size))):
        start = draw(st.integers(0, 95)) * 15 + draw(st.sampled_from([0, 0, 0, 5]))
        length = draw(st.sampled_from([15, 30, 45, 60, 90, 120, 180, 300, 480]))
        hours.append((_clock(start), _clock(min(start + length, 1440))))
    return tuple(hours)


@st.composite
def cases(draw: st.DrawFn) -> tuple[SlotRequest, date, datetime]:
    """A request around a (often clock-changing) day, that day, and a `now`."""
    zone, day = draw(st.sampled_from(ZONES_AND_DAYS))
    days = [day + timedelta(days=n) for n in (-1, 0, 1)]
    staff = []
    for staff_id in range(1, draw(st.integers(1, 3)) + 1):
        staff.append(
            StaffSchedule(
                staff_id=staff_id,
                weekly={
                    d.weekday(): draw(day_hours(max_size=3)) + ((time(1), time(5)),) * draw(st.booleans()) for d in days
                },
                breaks={d.weekday(): draw(day_hours(max_size=1)) for d in days},
                days_off=frozenset(d for d in days if draw(st.integers(0, 9)) == 0),
                special_days={d: draw(day_hours(max_size=2)) for d in days if draw(st.integers(0, 5)) == 0},
            )
        )
    rules = ServiceRules(
        duration=draw(st.sampled_from([15, 30, 45, 60, 90])) * MIN,
        step=draw(st.sampled_from([5, 15, 15, 20, 30, 30, 60])) * MIN,
        capacity=draw(st.sampled_from([1, 2, 4, 4])),
        buffer_before=draw(st.sampled_from([0, 5, 15, 30])) * MIN,
        buffer_after=draw(st.sampled_from([0, 10, 15])) * MIN,
        min_notice=draw(st.sampled_from([0, 60, 600, 1440])) * MIN,
        max_days_ahead=draw(st.integers(0, 40)),
    )
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    bookings = []
    for _ in range(draw(st.integers(0, 14))):
        start = midnight + draw(st.integers(-8 * 4, 32 * 4)) * 15 * MIN
        service_id = draw(st.sampled_from([1, 1, 2]))
        length = rules.duration if service_id == 1 else draw(st.sampled_from([15, 30, 45, 60, 90, 600])) * MIN
        bookings.append(
            Booking(
                staff_id=draw(st.integers(1, 4)),
                start=start,
                end=start + length,
                service_id=service_id,
                seats=draw(st.integers(1, 3)),
                buffer_before=draw(st.sampled_from([0, 0, 10])) * MIN,
                buffer_after=draw(st.sampled_from([0, 0, 15])) * MIN,
                appointment_id=draw(st.integers(1, 6)),
            )
        )
    # a group: bookings of this service sharing a start on the grid of one of staff 1's intervals
    opening = staff[0].special_days.get(day, staff[0].weekly[day.weekday()])
    if opening and draw(st.integers(0, 3)):
        first, _ = draw(st.sampled_from(opening))
        wall = datetime.combine(day, first) + draw(st.integers(0, 6)) * rules.step
        start = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        for _ in range(draw(st.integers(1, 2))):
            bookings.append(
                Booking(staff_id=1, start=start, end=start + rules.duration, service_id=1, appointment_id=7)
            )
        if draw(st.integers(0, 3)):  # and something that may be in its way
            near = start + draw(st.integers(-6, 6)) * 15 * MIN
            length = draw(st.sampled_from([15, 60])) * MIN
            bookings.append(
                Booking(staff_id=1, start=near, end=near + length, service_id=draw(st.sampled_from([1, 1, 2])))
            )
    request = SlotRequest(
        tz=zone,
        service_id=1,
        rules=rules,
        staff=tuple(staff),
        holidays=frozenset(d for d in days if draw(st.integers(0, 12)) == 0),
        bookings=tuple(bookings),
        seats=draw(st.integers(1, 2)),
        ignore_appointment_id=draw(st.none() | st.integers(1, 6)),
    )
    now = midnight + draw(st.integers(-4 * 24 * 6, 12 * 6)) * 10 * MIN
    return request, day, now


@settings(SETTINGS, max_examples=60)
@given(cases())
def test_free_slots_equal_the_brute_force_reference(case: tuple[SlotRequest, date, datetime]) -> None:
    request, day, now = case
    finder = SlotFinder(request)
    for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
        expected = reference_free_slots(request, day=d, now=now)
        assert free_slots(request, day=d, now=now) == expected
        assert finder.free_slots(day=d, now=now) == expected


@settings(SETTINGS, max_examples=60)
@given(cases())
def test_slot_at_is_the_free_slot_at_that_start(case: tuple[SlotRequest, date, datetime]) -> None:
    request, day, now = case
    finder = SlotFinder(request)
    for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
        slots = {slot.start: slot for slot in reference_free_slots(request, day=d, now=now)}
        step = timedelta(minutes=5)
        lo = datetime.combine(d, time(), tzinfo=UTC) - timedelta(hours=15)
        for n in range(int(timedelta(hours=54) / step)):  # every 5 minutes from 15 hours before the UTC day
            start = lo + n * step
            assert finder.slot_at(day=d, start=start, now=now) == slots.get(start), start


@settings(SETTINGS, max_examples=15)
@given(cases())
def test_available_dates_equal_the_brute_force_reference(case: tuple[SlotRequest, date, datetime]) -> None:
    request, day, now = case
    expected = reference_available_dates(request, year=day.year, month=day.month, now=now)
    assert SlotFinder(request).available_dates(year=day.year, month=day.month, now=now) == expected
    assert available_dates(request, year=day.year, month=day.month, now=now) == expected


@settings(SETTINGS, max_examples=25)
@given(cases(), st.data())
def test_a_moved_appointments_dates_are_those_with_another_time(case: tuple[SlotRequest, date, datetime],
                                                               data: st.DataObject) -> None:
    """With `current` (a reschedule), a date is offered exactly when it has a time other than the appointment's own
    (other_times): its own date only when something else is free that day. The day's times come from free_slots,
    which the test above holds to the reference."""
    request, day, now = case
    finder = SlotFinder(request)
    slots = finder.free_slots(day=day, now=now)
    staff_ids = [x.staff_id for x in request.staff] or [1]
    if slots:
        slot = data.draw(st.sampled_from(slots))
        current = (slot.start, data.draw(st.sampled_from(list(slot.staff_ids) + staff_ids)))
    else:
        current = (datetime.combine(day, time(12), tzinfo=UTC), data.draw(st.sampled_from(staff_ids)))
    expected = [d for d in finder.available_dates(year=day.year, month=day.month, now=now)
                if other_times(finder.free_slots(day=d, now=now), current_start=current[0],
                               current_staff_id=current[1])]
    assert finder.available_dates(year=day.year, month=day.month, now=now, current=current) == expected
    assert available_dates(request, year=day.year, month=day.month, now=now, current=current) == expected


@settings(SETTINGS, max_examples=50)
@given(cases())
def test_every_slot_keeps_every_rule(case: tuple[SlotRequest, date, datetime]) -> None:
    request, day, now = case
    for d in (day - timedelta(days=1), day, day + timedelta(days=1)):
        for slot in free_slots(request, day=d, now=now):
            _assert_slot_keeps_the_rules(request, d, now, slot)


def _assert_slot_keeps_the_rules(request: SlotRequest, day: date, now: datetime, slot: Slot) -> None:
    rules, tz = request.rules, request.zone
    assert slot.end - slot.start == rules.duration
    assert slot.start >= now + rules.min_notice
    assert slot.start.astimezone(tz).date() == day <= now.astimezone(tz).date() + timedelta(days=rules.max_days_ahead)
    assert request.seats <= slot.free_seats <= rules.capacity
    assert list(slot.staff_ids) == sorted(set(slot.staff_ids), key=slot.staff_ids.index)
    schedules = {s.staff_id: s for s in request.staff}
    lo, hi = slot.start - rules.buffer_before, slot.end + rules.buffer_after
    for position, staff_id in enumerate(slot.staff_ids):
        _assert_at_work(request, schedules[staff_id], day, slot)
        taken = 0
        for b in request.bookings:
            ignored = request.ignore_appointment_id is not None and b.appointment_id == request.ignore_appointment_id
            if b.staff_id != staff_id or ignored:
                continue
            if b.start - b.buffer_before < hi and lo < b.end + b.buffer_after:
                # the only booking a slot may meet is a group of the same service starting with it
                assert b.service_id == request.service_id and b.start == slot.start, (slot, b)
                taken += b.seats
        assert rules.capacity - taken >= request.seats
        if position == 0:
            assert slot.free_seats == rules.capacity - taken


def _assert_at_work(request: SlotRequest, schedule: StaffSchedule, day: date, slot: Slot) -> None:
    """Every minute of the slot shows an open wall-clock minute (unless the clocks go back during it)."""
    assert day not in request.holidays and day not in schedule.days_off
    if day in schedule.special_days:
        hours = schedule.special_days[day]
        breaks: tuple[tuple[time, time], ...] = ()
    else:
        hours, breaks = schedule.weekly.get(day.weekday(), ()), schedule.breaks.get(day.weekday(), ())

    def inside(wall: datetime, spans: tuple[tuple[time, time], ...]) -> bool:
        t = wall.time()
        return any(s <= t and (e == time() or t < e) for s, e in spans)

    tz = request.zone
    instants = [slot.start]
    if slot.start.astimezone(tz).utcoffset() <= (slot.end - MIN).astimezone(tz).utcoffset():
        instants = [slot.start + n * MIN for n in range(request.rules.duration // MIN)]
    for instant in instants:
        wall = instant.astimezone(tz).replace(tzinfo=None)
        assert wall.date() == day and inside(wall, hours) and not inside(wall, breaks), (slot, wall)
