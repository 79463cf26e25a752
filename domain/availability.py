"""The slot engine: which dates and times a service can be booked, from schedules and existing bookings.

Everything comes in as arguments (schedules, bookings, rules, `now`); nothing here reads a clock or a database.

Rules, in the words the business uses:

- Weekly hours, breaks and special days are wall-clock times in the business's time zone. A wall-clock time means
  the first instant at which the business's clock shows that time or later: an ambiguous time (clocks go back) is its
  first occurrence, and a time that does not exist (clocks go forward) is the instant the clocks jump.
- A day is closed on a business holiday and on the staff member's day off, whatever else says.
- A special day replaces that weekday's hours *and* breaks with its own intervals; an empty special day is closed.
- Otherwise the day's working intervals are its weekly intervals minus its breaks; overlapping or touching
  intervals merge, and a break splits an interval in two.
- Slot starts are laid on a grid of wall-clock times: the start of each working interval, then every `step` after it.
  A start that does not exist on the clock (spring-forward hour) is not offered; an ambiguous one means its first
  occurrence, so the repeated hour of a fall-back night gets no second set of starts.
- A slot lasts `duration` of real time and lies wholly inside one working interval. Its buffered span
  [start - buffer_before, end + buffer_after) must not overlap the busy span of any of that staff member's bookings,
  [start - the booking's buffer_before, end + the booking's buffer_after). The one exception is a group: bookings of
  the same service with the same staff member starting at the very same time share the slot while seats remain
  (capacity minus their seats must cover the seats asked for).
- A slot starts no earlier than `now + min_notice`, and its local date is at most `max_days_ahead` days after
  today's local date.
- With several staff members ("any"), a time is offered when at least one of them is free; `staff_ids` lists all of
  them, least busy that local day first (fewest bookings starting that day), then lowest id. The first one is the
  one to assign, and `free_seats` is that person's.

`available_dates` and `free_slots` answer one question each. To ask many (a month, then its days), prepare the
request once with `SlotFinder(request)` and ask it: the bookings are then bucketed only once.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.intervals import OverlapIndex, Span, covers, expand, normalise, subtract, window

Hours = tuple[tuple[time, time], ...]
"""Wall-clock intervals of one day, each (start, end); an end of 00:00 means midnight at the end of the day."""

_ZERO = timedelta(0)
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffSchedule:
    """When one staff member works: weekly hours and breaks by weekday (0 = Monday), days off, special days."""

    staff_id: int
    weekly: Mapping[int, Hours] = field(default_factory=dict)
    breaks: Mapping[int, Hours] = field(default_factory=dict)
    days_off: frozenset[date] = frozenset()
    special_days: Mapping[date, Hours] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for hours in (*self.weekly.values(), *self.breaks.values(), *self.special_days.values()):
            for start, end in hours:
                _check_hours(start, end)
        if any(not 0 <= weekday <= 6 for weekday in (*self.weekly, *self.breaks)):
            raise ValueError('weekdays run from 0 (Monday) to 6 (Sunday)')


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRules:
    """How a service is booked: length, grid step, seats per slot, buffers, notice and horizon."""

    duration: timedelta
    step: timedelta
    capacity: int = 1
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO
    min_notice: timedelta = _ZERO
    max_days_ahead: int = 365

    def __post_init__(self) -> None:
        if self.duration <= _ZERO or self.step <= _ZERO:
            raise ValueError('duration and step must be positive')
        if self.capacity < 1:
            raise ValueError('capacity must be at least one seat')
        if min(self.buffer_before, self.buffer_after, self.min_notice) < _ZERO or self.max_days_ahead < 0:
            raise ValueError('buffers, notice and days ahead cannot be negative')


@dataclass(frozen=True, slots=True, kw_only=True)
class Booking:
    """An existing appointment with a busy status, occupying its staff member from start to end plus its buffers."""

    staff_id: int
    start: datetime
    end: datetime
    service_id: int
    seats: int = 1
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO
    appointment_id: int | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError('booking times must be aware datetimes')
        if self.end <= self.start:
            raise ValueError('a booking must end after it starts')


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotRequest:
    """Everything needed to find slots for one service: zone, rules, the staff offering it and their bookings."""

    tz: ZoneInfo | str
    service_id: int
    rules: ServiceRules
    staff: tuple[StaffSchedule, ...]
    holidays: frozenset[date] = frozenset()
    bookings: tuple[Booking, ...] = ()
    seats: int = 1
    ignore_appointment_id: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tz, str):
            object.__setattr__(self, 'tz', ZoneInfo(self.tz))
        if self.seats < 1:
            raise ValueError('a booking takes at least one seat')

    @property
    def zone(self) -> ZoneInfo:
        """The business's time zone."""
        assert isinstance(self.tz, ZoneInfo)
        return self.tz


@dataclass(frozen=True, slots=True, kw_only=True)
class Slot:
    """A bookable time: start and end in UTC, seats left, and the staff free then (the first is the one to assign)."""

    start: datetime
    end: datetime
    free_seats: int
    staff_ids: tuple[int, ...]


def other_times(slots: Sequence[Slot], *, current_start: datetime, current_staff_id: int) -> list[Slot]:
    """What a reschedule offers: new times only. The appointment's own time is left out while its own staff is free
    then (the move keeps the staff when it can, so it would change nothing, and the server refuses it)."""
    return [s for s in slots if not (s.start == current_start and current_staff_id in s.staff_ids)]


def available_dates(request: SlotRequest, *, year: int, month: int, now: datetime,
                    current: tuple[datetime, int] | None = None) -> list[date]:
    """The local dates of a month on which at least one slot can be booked (`current` as in SlotFinder)."""
    return SlotFinder(request).available_dates(year=year, month=month, now=now, current=current)


def free_slots(request: SlotRequest, *, day: date, now: datetime) -> list[Slot]:
    """The slots of one local day that can be booked, earliest first."""
    return SlotFinder(request).free_slots(day=day, now=now)


def today_local(tz: ZoneInfo, now: datetime) -> date:
    """The business's calendar date at the instant `now`."""
    return now.astimezone(tz).date()


def wall_to_utc(wall: datetime, tz: ZoneInfo) -> tuple[datetime, bool]:
    """The first instant at which the clock in `tz` shows the naive `wall` time or later, and whether it shows it."""
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant, True
    # `wall` falls in a spring-forward gap: find the instant the clocks jump. With fold=1 the zone applies the later
    # (larger) offset, which lands before the jump; fold=0 lands after it. Transitions fall on whole seconds.
    lo = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    hi = int(instant.timestamp())
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(hi, UTC), False


@dataclass(frozen=True, slots=True)
class _Piece:
    wall_start: datetime
    wall_end: datetime
    start: datetime
    end: datetime
    linear: bool  # no clock change inside: wall-clock and UTC grids coincide


# What the index keeps of bookings: [busy start, busy end, start, seats, of this service, bookings]. Bookings of the
# requested service with the same staff member and start are one item (a group): their busy spans all cover that
# start, so the group is busy over one span, their hull. Any other booking is an item of its own.
_Item = list[Any]


class _DayBusy:
    """What stands in the way on one staff member's local day, built from the items that reach into it."""

    __slots__ = ('blocked', 'others', 'groups', 'group_seats', 'group_starts', 'group_clear', 'load')

    def __init__(self, items: list[_Item], rules: ServiceRules, day_lo: datetime, day_hi: datetime) -> None:
        # a slot of this day keeps its buffered span inside [reach_lo, reach_hi)
        reach_lo, reach_hi = day_lo - rules.buffer_before, day_hi + rules.buffer_after
        others: list[Span] = []
        groups: list[tuple[datetime, datetime, datetime]] = []
        self.group_seats: dict[datetime, int] = {}
        load = 0
        for span_start, span_end, start, seats, group, count in items:
            if span_end <= reach_lo or span_start >= reach_hi:
                continue
            if day_lo <= start < day_hi:
                load += count
            if group:
                groups.append((span_start, span_end, start))
                self.group_seats[start] = seats
            else:
                others.append((span_start, span_end))
        self.load = load
        self.others = normalise(others)
        # where a slot's core may not be: busy spans widened by the service's own buffers, the other way round
        busy = normalise([*self.others, *((lo, hi) for lo, hi, _ in groups)])
        self.blocked = expand(busy, rules.buffer_after, rules.buffer_before)
        self.groups = OverlapIndex(groups)
        self.group_starts = sorted(self.group_seats)
        self.group_clear: dict[datetime, bool] = {}


class _StaffIndex:
    """One staff member's bookings, bucketed by the hour they start in; a day's obstacles are built on demand."""

    __slots__ = ('schedule', 'buckets', 'groups', 'longest', 'days')

    def __init__(self, schedule: StaffSchedule) -> None:
        self.schedule = schedule
        self.buckets: dict[int, list[_Item]] = {}
        self.groups: dict[datetime, _Item] = {}
        self.longest = _ZERO  # no item's busy span is longer than this
        self.days: dict[date, _DayBusy] = {}

    def items_between(self, lo: datetime, hi: datetime) -> list[_Item]:
        """Items starting in buckets that can reach into [lo, hi); the caller filters exactly."""
        # an item reaches back before its start, and forward after it, by less than its busy span: < longest
        first, last = _hour_number(lo - self.longest), _hour_number(hi + self.longest)
        found: list[_Item] = []
        for number in range(first, last + 1):
            found.extend(self.buckets.get(number, ()))
        return found


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _hour_number(instant: datetime) -> int:
    since = instant - _EPOCH
    return since.days * 24 + since.seconds // 3600


class SlotFinder:
    """A slot request prepared once, to answer many date and slot questions about it.

    Preparing is one pass over the bookings that buckets them per staff member and hour; the obstacles of a staff
    member's day are then built the first time that day is asked about, so a question about one day, or a month that
    finds a slot early each day, never sorts the whole booking list.
    """

    def __init__(self, request: SlotRequest) -> None:
        self.request = request
        self.tz = request.zone
        self._wall_cache: dict[datetime, tuple[datetime, bool]] = {}
        self._pieces_cache: dict[tuple[int, date], list[_Piece]] = {}
        staff = {s.staff_id: _StaffIndex(s) for s in request.staff}
        self._staff = list(staff.values())
        ignore, service_id = request.ignore_appointment_id, request.service_id
        epoch = _EPOCH
        for b in request.bookings:
            index = staff.get(b.staff_id)
            if index is None or (ignore is not None and b.appointment_id == ignore):
                continue
            start = b.start
            span_start = start - b.buffer_before if b.buffer_before else start
            span_end = b.end + b.buffer_after if b.buffer_after else b.end
            if b.service_id == service_id:
                item = index.groups.get(start)
                if item is not None:
                    if span_start < item[0]:
                        item[0] = span_start
                    if span_end > item[1]:
                        item[1] = span_end
                    item[3] += b.seats
                    item[5] += 1
                    continue
                item = index.groups[start] = [span_start, span_end, start, b.seats, True, 1]
            else:
                item = [span_start, span_end, start, b.seats, False, 1]
            since = start - epoch
            number = since.days * 24 + since.seconds // 3600  # _hour_number, inlined: this loop sees every booking
            bucket = index.buckets.get(number)
            if bucket is None:
                index.buckets[number] = [item]
            else:
                bucket.append(item)
        for index in self._staff:
            index.longest = max((i[1] - i[0] for bucket in index.buckets.values() for i in bucket), default=_ZERO)

    def with_bookings(self, bookings: tuple[Booking, ...]) -> SlotFinder:
        """A finder for the same request with these bookings, sharing what this one worked out of the schedules (the
        local times and the working pieces of a day do not depend on bookings): a booking that finds its time gone
        asks again without the bookings, to tell a time just taken from one never open."""
        finder = SlotFinder(replace(self.request, bookings=bookings))
        finder._wall_cache = self._wall_cache
        finder._pieces_cache = self._pieces_cache
        return finder

    def available_dates(self, *, year: int, month: int, now: datetime,
                        current: tuple[datetime, int] | None = None) -> list[date]:
        """The local dates of a month on which at least one slot can be booked. `current` (the start and staff of
        an appointment being moved): its own date counts only if it offers another time than that one, as
        `free_slots` answers for it, so a reschedule never opens on a date with nothing to choose."""
        days = calendar.monthrange(year, month)[1]
        first_open, last_open = self._bookable_days(now)
        earliest = now + self.request.rules.min_notice
        own_day = None if current is None else current[0].astimezone(self.request.zone).date()
        result = []
        for n in range(1, days + 1):
            day = date(year, month, n)
            if not first_open <= day <= last_open:
                continue
            if day == own_day:
                found = bool(self.free_slots(day=day, now=now, current=current))
            else:
                found = any(next(self._staff_slots(index, day, earliest), None) for index in self._staff)
            if found:
                result.append(day)
        return result

    def free_slots(self, *, day: date, now: datetime, current: tuple[datetime, int] | None = None) -> list[Slot]:
        """The slots of one local day that can be booked, earliest first. `current` (the start and staff of an
        appointment being moved): its own time is left out, as `other_times` says."""
        if current is not None:
            return other_times(self.free_slots(day=day, now=now), current_start=current[0],
                               current_staff_id=current[1])
        first_open, last_open = self._bookable_days(now)
        if not first_open <= day <= last_open:
            return []
        earliest = now + self.request.rules.min_notice
        found: dict[datetime, list[tuple[int, int, int]]] = {}
        for index in self._staff:
            slots = list(self._staff_slots(index, day, earliest))
            if slots:
                load = self._busy(index, day).load
                for start, seats in slots:
                    found.setdefault(start, []).append((load, index.schedule.staff_id, seats))
        duration = self.request.rules.duration
        result = []
        for start in sorted(found):
            ranked = sorted(found[start])
            result.append(
                Slot(start=start, end=start + duration, free_seats=ranked[0][2], staff_ids=tuple(r[1] for r in ranked))
            )
        return result

    def slot_at(self, *, day: date, start: datetime, now: datetime) -> Slot | None:
        """The slot of `free_slots(day=day, now=now)` that begins at `start`, or None: only that start is worked out
        (a booking checks one time, not the whole day)."""
        first_open, last_open = self._bookable_days(now)
        if not first_open <= day <= last_open or start < now + self.request.rules.min_notice:
            return None
        end = start + self.request.rules.duration
        ranked = []
        for index in self._staff:
            # earliest raised to `start` and the free time cut at its end: no other start can come out but this one
            for at, seats in self._staff_slots(index, day, start, until=end):
                if at == start:
                    ranked.append((self._busy(index, day).load, index.schedule.staff_id, seats))
        if not ranked:
            return None
        ranked.sort()
        return Slot(start=start, end=end, free_seats=ranked[0][2], staff_ids=tuple(r[1] for r in ranked))

    def _busy(self, index: _StaffIndex, day: date) -> _DayBusy:
        busy = index.days.get(day)
        if busy is None:
            rules = self.request.rules
            day_lo = self._utc(datetime.combine(day, time()))
            day_hi = self._utc(datetime.combine(day + _DAY, time()))
            near = index.items_between(day_lo - rules.buffer_before, day_hi + rules.buffer_after)
            busy = index.days[day] = _DayBusy(near, rules, day_lo, day_hi)
        return busy

    def _bookable_days(self, now: datetime) -> tuple[date, date]:
        if now.tzinfo is None:
            raise ValueError('now must be an aware datetime')
        rules = self.request.rules
        today = today_local(self.tz, now)
        if self.request.seats > rules.capacity:
            return date.max, date.min
        return today, today + timedelta(days=rules.max_days_ahead)

    def _staff_slots(self, index: _StaffIndex, day: date, earliest: datetime,
                     until: datetime | None = None) -> Iterator[tuple[datetime, int]]:
        """Free starts of one staff member on one day with their free seats, piece by piece. `until`: only the starts
        whose slot ends by then are looked for (some later ones may still come out)."""
        rules = self.request.rules
        duration = rules.duration
        capacity, wanted = rules.capacity, self.request.seats
        for piece in self._pieces(index.schedule, day):
            lo = max(piece.start, earliest)
            hi = piece.end if until is None or until > piece.end else until
            if lo + duration > hi:
                continue
            busy = self._busy(index, day)
            free = subtract([(lo, hi)], window(busy.blocked, lo, hi))
            if free:
                yield from ((s, capacity) for s in self._grid_starts(piece, free))
            if busy.group_starts:
                yield from self._group_starts(busy, piece, lo, capacity, wanted)

    def _grid_starts(self, piece: _Piece, free: list[Span]) -> Iterator[datetime]:
        duration, step = self.request.rules.duration, self.request.rules.step
        if piece.linear:
            for free_start, free_end in free:
                start = piece.start + -((piece.start - free_start) // step) * step
                last = free_end - duration
                while start <= last:
                    yield start
                    start += step
            return
        wall = piece.wall_start
        while wall < piece.wall_end:
            start, exists = self._utc_exists(wall)
            if exists and covers(free, start, start + duration):
                yield start
            wall += step

    def _group_starts(
        self, busy: _DayBusy, piece: _Piece, lo: datetime, capacity: int, wanted: int
    ) -> Iterator[tuple[datetime, int]]:
        """Starts where a group of this service already sits and seats remain."""
        rules = self.request.rules
        last = piece.end - rules.duration
        starts, clear = busy.group_starts, busy.group_clear
        step, linear, piece_start = rules.step, piece.linear, piece.start
        for i in range(bisect_left(starts, lo), len(starts)):
            start = starts[i]
            if start > last:
                break
            seats = capacity - busy.group_seats[start]
            if seats < wanted:
                continue
            if not ((start - piece_start) % step == _ZERO if linear else self._on_grid(piece, start)):
                continue
            verdict = clear.get(start)
            if verdict is None:  # nothing but the group itself in the way? The same for every piece and `now`
                span_lo, span_hi = start - rules.buffer_before, start + rules.duration + rules.buffer_after
                verdict = clear[start] = not window(busy.others, span_lo, span_hi) and all(
                    item[2] == start for item in busy.groups.overlapping(span_lo, span_hi)
                )
            if verdict:
                yield start, seats

    def _on_grid(self, piece: _Piece, start: datetime) -> bool:
        step = self.request.rules.step
        if piece.linear:
            return (start - piece.start) % step == _ZERO
        wall = start.astimezone(self.tz).replace(tzinfo=None)
        if not piece.wall_start <= wall < piece.wall_end or (wall - piece.wall_start) % step != _ZERO:
            return False
        return self._utc_exists(wall) == (start, True)

    def _pieces(self, schedule: StaffSchedule, day: date) -> list[_Piece]:
        key = (schedule.staff_id, day)
        cached = self._pieces_cache.get(key)
        if cached is None:
            pieces = [self._piece(w) for w in working_hours(schedule, day, self.request)]
            cached = self._pieces_cache[key] = [p for p in pieces if p.start < p.end]
        return cached

    def _piece(self, wall: Span) -> _Piece:
        start, start_exists = self._utc_exists(wall[0])
        end, end_exists = self._utc_exists(wall[1])
        linear = start_exists and end_exists and end - start == wall[1] - wall[0]
        return _Piece(wall_start=wall[0], wall_end=wall[1], start=start, end=end, linear=linear)

    def _utc(self, wall: datetime) -> datetime:
        return self._utc_exists(wall)[0]

    def _utc_exists(self, wall: datetime) -> tuple[datetime, bool]:
        hit = self._wall_cache.get(wall)
        if hit is None:
            hit = self._wall_cache[wall] = wall_to_utc(wall, self.tz)
        return hit


def working_hours(schedule: StaffSchedule, day: date, request: SlotRequest) -> list[Span]:
    """Holidays and days off close the day, a special day replaces hours and breaks, else weekly hours minus breaks."""
    if day in request.holidays or day in schedule.days_off:
        return []
    if day in schedule.special_days:
        return normalise(_wall_spans(day, schedule.special_days[day]))
    weekday = day.weekday()
    hours = normalise(_wall_spans(day, schedule.weekly.get(weekday, ())))
    return subtract(hours, normalise(_wall_spans(day, schedule.breaks.get(weekday, ()))))


def _wall_spans(day: date, hours: Hours) -> list[Span]:
    midnight = datetime.combine(day, time())
    return [
        (datetime.combine(day, start), midnight + _DAY if end == time() else datetime.combine(day, end))
        for start, end in hours
    ]


def _check_hours(start: time, end: time) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise ValueError('working hours are naive wall-clock times in the business time zone')
    if end != time() and end <= start:
        raise ValueError(f'working interval {start}-{end} must end after it starts (00:00 means midnight)')
