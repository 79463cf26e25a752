"""A deliberately naive slot finder, to check the real engine against.

It shares no algorithm with `domain.availability`: no interval algebra, no zoneinfo fold arithmetic, no indexes. It
walks every wall-clock minute of the day, rebuilds the opening hours minute by minute, reads the clock by scanning
UTC minute by minute, and checks each candidate against every booking of that staff member. Whole minutes only.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

from domain.availability import Booking, Slot, SlotRequest, StaffSchedule

MINUTE = timedelta(minutes=1)
DAY_MINUTES = 24 * 60


def reference_available_dates(request: SlotRequest, *, year: int, month: int, now: datetime) -> list[date]:
    """Every date of the month whose day has any free slot, found by computing each day in full."""
    days = calendar.monthrange(year, month)[1]
    return [
        date(year, month, n)
        for n in range(1, days + 1)
        if reference_free_slots(request, day=date(year, month, n), now=now)
    ]


def reference_free_slots(request: SlotRequest, *, day: date, now: datetime) -> list[Slot]:
    """The free slots of one local day, by brute force."""
    tz = request.zone
    rules = request.rules
    if day > now.astimezone(tz).date() + timedelta(days=rules.max_days_ahead):
        return []
    clock, shown = _read_clock(request, day)
    step = _minutes(rules.step)
    found: dict[datetime, list[tuple[int, int, int]]] = {}
    for staff in request.staff:
        bookings = _bookings_near(request, staff.staff_id, clock[0], clock[DAY_MINUTES])
        load = sum(1 for b in bookings if clock[0] <= b.start < clock[DAY_MINUTES])
        is_open = _opening(request, staff, day)
        for minute in range(DAY_MINUTES):
            if not is_open[minute]:
                continue
            piece_start = minute
            while piece_start > 0 and is_open[piece_start - 1]:
                piece_start -= 1
            piece_end = minute
            while piece_end < DAY_MINUTES and is_open[piece_end]:
                piece_end += 1
            if (minute - piece_start) % step or minute not in shown:
                continue
            start = clock[minute]
            end = start + rules.duration
            if end > clock[piece_end] or start < now + rules.min_notice:
                continue
            seats = _free_seats(request, bookings, start, end)
            if seats is not None and seats >= request.seats:
                found.setdefault(start, []).append((load, staff.staff_id, seats))
    return [
        Slot(start=s, end=s + rules.duration, free_seats=sorted(v)[0][2], staff_ids=tuple(x[1] for x in sorted(v)))
        for s, v in sorted(found.items())
    ]


def _free_seats(request: SlotRequest, bookings: list[Booking], start: datetime, end: datetime) -> int | None:
    """Seats left at `start` for this staff member, or None when something else is in the way."""
    rules = request.rules
    lo, hi = start - rules.buffer_before, end + rules.buffer_after
    taken = 0
    for b in bookings:
        busy_lo, busy_hi = b.start - b.buffer_before, b.end + b.buffer_after
        if busy_lo < hi and lo < busy_hi:
            if b.service_id == request.service_id and b.start == start:
                taken += b.seats
            else:
                return None
    return rules.capacity - taken


def _bookings_near(request: SlotRequest, staff_id: int, day_lo: datetime, day_hi: datetime) -> list[Booking]:
    """That staff member's bookings whose busy span could touch a buffered slot of the day (one linear scan)."""
    rules = request.rules
    return [
        b
        for b in request.bookings
        if b.staff_id == staff_id
        and (request.ignore_appointment_id is None or b.appointment_id != request.ignore_appointment_id)
        and b.start - b.buffer_before < day_hi + rules.buffer_after
        and b.end + b.buffer_after > day_lo - rules.buffer_before
    ]


def _opening(request: SlotRequest, staff: StaffSchedule, day: date) -> list[bool]:
    """For each wall-clock minute of the day, whether the staff member works in it."""
    is_open = [False] * DAY_MINUTES
    if day in request.holidays or day in staff.days_off:
        return is_open
    if day in staff.special_days:
        for start, end in staff.special_days[day]:
            for m in range(_clock_minute(start), _clock_minute(end, end_of_day=True)):
                is_open[m] = True
        return is_open
    for start, end in staff.weekly.get(day.weekday(), ()):
        for m in range(_clock_minute(start), _clock_minute(end, end_of_day=True)):
            is_open[m] = True
    for start, end in staff.breaks.get(day.weekday(), ()):
        for m in range(_clock_minute(start), _clock_minute(end, end_of_day=True)):
            is_open[m] = False
    return is_open


def _read_clock(request: SlotRequest, day: date) -> tuple[list[datetime], set[int]]:
    """Watch the business's clock minute by minute around the day.

    Returns, for each wall minute 0..1440 of the day, the first instant the clock showed that minute or later, and
    the set of wall minutes the clock actually showed.
    """
    tz = request.zone
    midnight = datetime.combine(day, time())
    instant = midnight.replace(tzinfo=UTC) - timedelta(hours=15)
    first_at_or_after: list[datetime] = []
    shown: set[int] = set()
    for _ in range(54 * 60):
        minute = (instant.astimezone(tz).replace(tzinfo=None) - midnight) // MINUTE
        shown.add(minute)
        while len(first_at_or_after) <= min(minute, DAY_MINUTES):
            first_at_or_after.append(instant)
        instant += MINUTE
    assert len(first_at_or_after) == DAY_MINUTES + 1
    return first_at_or_after, shown


def _clock_minute(t: time, *, end_of_day: bool = False) -> int:
    assert t.second == 0 and t.microsecond == 0, 'the reference handles whole minutes only'
    minute = t.hour * 60 + t.minute
    return DAY_MINUTES if end_of_day and minute == 0 else minute


def _minutes(delta: timedelta) -> int:
    assert delta % MINUTE == timedelta(0), 'the reference handles whole minutes only'
    return delta // MINUTE
