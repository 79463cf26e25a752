"""What a valid schedule looks like, and which bookings a new schedule leaves outside working hours.

Hours are wall-clock intervals in the business's zone (domain.availability): (start, end), an end of 00:00 meaning
midnight at the end of the day. A day may have several intervals; they must each end after they start and may not
overlap one another (touching is fine: 09:00-12:00 and 12:00-13:00). Breaks follow the same rules and lie inside the
day's hours. Every refusal is a `Text` in words for the admin, keyed by the field it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.availability import Hours, ServiceRules, SlotRequest, StaffSchedule, wall_to_utc, working_hours
from domain.i18n import Text, lazy
from domain.intervals import covers, normalise

INTERVALS_PER_DAY_MAX = 12
REASON_MAX = 120
SPECIAL_DAYS_AHEAD_MAX = 3 * 365

_MIDNIGHT = time()


def _minutes(moment: time, *, end: bool) -> int:
    return 24 * 60 if end and moment == _MIDNIGHT else moment.hour * 60 + moment.minute


def parse_hours(pairs: Sequence[tuple[str, str]]) -> tuple[list[tuple[time, time]], Text | None]:
    """Intervals typed as 'HH:MM' pairs (rows left wholly empty are skipped); the reason when one is incomplete or not
    a time of day."""
    found: list[tuple[time, time]] = []
    for start, end in pairs:
        start, end = start.strip(), end.strip()
        if not start and not end:
            continue
        if not start or not end:
            return found, lazy('Enter a start and an end time.')
        try:
            found.append((_parse_clock(start), _parse_clock(end)))
        except ValueError:
            return found, lazy('Enter times like 09:00.')
    return found, None


def _parse_clock(text: str) -> time:
    moment = time.fromisoformat(text)
    if moment.second or moment.microsecond or moment.tzinfo is not None:
        raise ValueError(text)
    return moment


def intervals_problem(hours: Sequence[tuple[time, time]]) -> Text | None:
    """A day's intervals each end after they start (00:00 as an end means midnight), overlap no other, and are at
    most twelve."""
    if len(hours) > INTERVALS_PER_DAY_MAX:
        return lazy('At most %(num)s intervals a day.', num=INTERVALS_PER_DAY_MAX)
    spans = []
    for start, end in hours:
        lo, hi = _minutes(start, end=False), _minutes(end, end=True)
        if hi <= lo:
            return lazy('%(start)s-%(end)s ends before it starts.', start=_clock(start), end=_clock(end))
        spans.append((lo, hi, start, end))
    spans.sort()
    for (_, hi, a_start, a_end), (lo, _, b_start, b_end) in zip(spans, spans[1:], strict=False):
        if lo < hi:
            first, second = _span(a_start, a_end), _span(b_start, b_end)
            return lazy('%(first)s overlaps %(second)s.', first=first, second=second)
    return None


def week_problems(weekly: Mapping[int, Sequence[tuple[time, time]]],
                  breaks: Mapping[int, Sequence[tuple[time, time]]]) -> dict[str, Text]:
    """A week is valid when every day's hours and breaks are (`intervals_problem`) and each break lies inside that
    day's hours. Keys: `hours-<weekday>` and `breaks-<weekday>` (0 = Monday)."""
    found: dict[str, Text] = {}
    for weekday in sorted({*weekly, *breaks}):
        if not 0 <= weekday <= 6:
            found[f'hours-{weekday}'] = lazy('Weekdays run from Monday to Sunday.')
            continue
        hours, pauses = weekly.get(weekday, ()), breaks.get(weekday, ())
        problem = intervals_problem(hours)
        if problem is not None:
            found[f'hours-{weekday}'] = problem
            continue
        problem = intervals_problem(pauses)
        if problem is None and pauses:
            day = [(_minutes(s, end=False), _minutes(e, end=True)) for s, e in hours]
            for start, end in pauses:
                lo, hi = _minutes(start, end=False), _minutes(end, end=True)
                if not any(a <= lo and hi <= b for a, b in day):
                    problem = lazy('The break %(start)s-%(end)s is outside the working hours.',
                                   start=_clock(start), end=_clock(end))
                    break
        if problem is not None:
            found[f'breaks-{weekday}'] = problem
    return found


def day_off_problem(day: date, reason: str, *, today: date) -> Text | None:
    """A day off (or a holiday) is today or later, with a short reason at most."""
    if day < today:
        return lazy('Choose today or a later date.')
    if len(reason.strip()) > REASON_MAX:
        return lazy('At most %(limit)s characters.', limit=REASON_MAX)
    return None


def special_day_problem(day: date, hours: Sequence[tuple[time, time]], *, today: date) -> Text | None:
    """A special day is today or later, within three years, and its hours are valid (none: closed that day)."""
    if day < today:
        return lazy('Choose today or a later date.')
    if day > today + timedelta(days=SPECIAL_DAYS_AHEAD_MAX):
        return lazy('Choose a date within three years.')
    return intervals_problem(hours)


# ---- bookings a schedule strands ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DayOff:
    """A day off of a staff member, or a business holiday (`staff_id` None)."""

    id: int
    staff_id: int | None
    day: date
    reason: str = ''


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """An upcoming busy appointment of a staff member, as the schedule editor lists it."""

    appointment_id: int
    staff_id: int
    start: datetime
    end: datetime
    service_name: str = ''
    customer_name: str = ''


def outside_hours(visits: Iterable[Visit], schedules: Sequence[StaffSchedule], *, holidays: frozenset[date],
                  zone: ZoneInfo) -> list[Visit]:
    """The visits that no longer lie wholly inside one working interval of their staff member's day (holidays, days
    off, special days, hours minus breaks, as the slot engine reads them): the bookings a change strands."""
    by_staff = {s.staff_id: s for s in schedules}
    request = SlotRequest(tz=zone, service_id=0, rules=_ANY_RULES, staff=tuple(schedules), holidays=holidays)
    spans: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
    stranded = []
    for visit in visits:
        schedule = by_staff.get(visit.staff_id)
        if schedule is None:
            continue
        day = visit.start.astimezone(zone).date()
        key = (visit.staff_id, day)
        if key not in spans:
            walls = working_hours(schedule, day, request)
            spans[key] = normalise((wall_to_utc(lo, zone)[0], wall_to_utc(hi, zone)[0]) for lo, hi in walls)
        if not covers(spans[key], visit.start, visit.end):
            stranded.append(visit)
    return stranded


def as_hours(intervals: Iterable[tuple[time, time]]) -> Hours:
    """Intervals in start order, as the slot engine keeps them."""
    return tuple(sorted(intervals))


_ANY_RULES = ServiceRules(duration=timedelta(minutes=1), step=timedelta(minutes=1))


def _span(start: time, end: time) -> str:
    return _clock(start) + '-' + _clock(end)


def _clock(moment: time) -> str:
    return moment.strftime('%H:%M')
