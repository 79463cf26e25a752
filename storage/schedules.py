"""Staff schedules (weekly hours, breaks, days off and holidays, special days) and the slot engine's reads.

Everything the slot engine needs for one service and one stretch of time is read in a fixed number of statements:
the staff's weekly hours, breaks, days off and business holidays and special days in one; the busy bookings of
those staff that reach into the window in another (storage.appointments, storage.holds). Never a query per day, per
staff member or per candidate slot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from domain import model as d
from domain.availability import Hours, ServiceRules, SlotRequest, StaffSchedule
from domain.schedules import DayOff
from storage import tables as t
from storage.appointments import busy_and_held, busy_bookings
from storage.catalog import BookableService
from storage.db import table_of


class ScheduleReader(Protocol):
    def __call__(self, session: Session, /, *, staff_ids: list[int], first_day: date,
                 last_day: date) -> tuple[tuple[StaffSchedule, ...], frozenset[date]]: ...


def rules_of(service: d.Service) -> ServiceRules:
    """The engine's rules for a service."""
    return ServiceRules(duration=service.duration, step=service.slot_step, capacity=service.capacity,
                        buffer_before=service.buffer_before, buffer_after=service.buffer_after,
                        min_notice=service.min_notice, max_days_ahead=service.max_days_ahead)


def slot_request(session: Session, *, tenant_id: int, found: BookableService, staff_ids: list[int], start: datetime,
                 end: datetime, seats: int = 1, ignore_appointment_id: int | None = None,
                 held_at: datetime | None = None,
                 schedules: ScheduleReader | None = None) -> SlotRequest:
    """The engine's request for the service and these staff over the UTC window [start, end).

    Schedules are read for the local dates the window touches (a day either side, for zones and midnight), bookings
    for those that reach, with their buffers, into the window widened by the service's own buffers (a booking lasts
    less than a day, buffers less than `REACH`). One statement for the four kinds of schedule (hours, breaks, days
    off and holidays, special days), one for the bookings; with `held_at`, the same one also reads the guests'
    bookings held at that instant until their mailbox confirms them (storage.holds). `schedules`: where the
    schedules come from when not from the database now (the booking's kept reads, storage.tenant_reads).
    """
    zone = found.zone
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    if schedules is None:
        staff, holidays = staff_schedules(session, tenant_id=tenant_id, staff_ids=staff_ids, first_day=first_day,
                                          last_day=last_day)
    else:
        staff, holidays = schedules(session, staff_ids=staff_ids, first_day=first_day, last_day=last_day)
    # A slot in the window keeps its buffered span in [reach_lo, reach_hi): only bookings reaching into that matter.
    reach_lo, reach_hi = start - found.service.buffer_before, end + found.service.buffer_after
    return SlotRequest(tz=zone, service_id=found.service.id, rules=rules_of(found.service), staff=staff,
                       holidays=holidays,
                       bookings=busy_bookings(session, tenant_id=tenant_id, staff_ids=staff_ids, start=reach_lo,
                                              end=reach_hi)
                       if held_at is None else busy_and_held(session, tenant_id=tenant_id, staff_ids=staff_ids,
                                                             start=reach_lo, end=reach_hi, now=held_at),
                       seats=seats, ignore_appointment_id=ignore_appointment_id)


def staff_schedules(session: Session, *, tenant_id: int, staff_ids: list[int], first_day: date,
                    last_day: date) -> tuple[tuple[StaffSchedule, ...], frozenset[date]]:
    """The staff's schedules (weekly hours, breaks, and their days off and special days from `first_day` to
    `last_day`) and the business's holidays in those days: one statement."""
    weekly: dict[int, dict[int, list[tuple[time, time]]]] = {s: defaultdict(list) for s in staff_ids}
    breaks: dict[int, dict[int, list[tuple[time, time]]]] = {s: defaultdict(list) for s in staff_ids}
    days_off: dict[int, set[date]] = {s: set() for s in staff_ids}
    special: dict[int, dict[date, list[tuple[time, time]]]] = {s: defaultdict(list) for s in staff_ids}
    holidays: set[date] = set()
    if staff_ids:
        params = {'tenant_id': tenant_id, 'staff_ids': staff_ids, 'first_day': first_day, 'last_day': last_day}
        for kind, sid, weekday, day, lo, hi in session.connection().execute(_SCHEDULE, params):
            if kind == _WEEKLY:
                weekly[sid][weekday].append((lo, hi))
            elif kind == _BREAK:
                breaks[sid][weekday].append((lo, hi))
            elif kind == _DAY_OFF:
                (holidays if sid is None else days_off[sid]).add(day)
            else:
                special[sid][day].append((lo, hi))
    schedules = tuple(
        StaffSchedule(staff_id=sid, weekly=_hours(weekly[sid]), breaks=_hours(breaks[sid]),
                      days_off=frozenset(days_off[sid]), special_days=_hours(special[sid]))
        for sid in staff_ids
    )
    return schedules, frozenset(holidays)


def _hours(by_key: dict[int, list[tuple[time, time]]] | dict[date, list[tuple[time, time]]],
           ) -> dict[Any, tuple[tuple[time, time], ...]]:
    return {key: tuple(sorted(spans)) for key, spans in by_key.items() if spans}


def create_day_off(session: Session, *, tenant_id: int, day: date, staff_id: int | None = None,
                   reason: str = '') -> int:
    """A staff member's day off (a business holiday when `staff_id` is None); its id."""
    row = t.DayOff(tenant_id=tenant_id, staff_id=staff_id, day=day, reason=reason)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def days_off(session: Session, *, tenant_id: int, staff_id: int | None, since: date) -> list[DayOff]:
    """A staff member's days off (or, with `staff_id` None, the business's holidays) from `since` on, by date."""
    owner = col(t.DayOff.staff_id).is_(None) if staff_id is None else col(t.DayOff.staff_id) == staff_id
    rows = session.execute(sa.select(t.DayOff).where(col(t.DayOff.tenant_id) == tenant_id, owner,
                                                     col(t.DayOff.day) >= since)
                           .order_by(col(t.DayOff.day), col(t.DayOff.id))).scalars()
    return [DayOff(id=r.id or 0, staff_id=r.staff_id, day=r.day, reason=r.reason) for r in rows]


def remove_day_off(session: Session, *, tenant_id: int, day_off_id: int) -> DayOff | None:
    """Delete a day off or holiday of this business; what it was, or None when there was none."""
    row = session.get(t.DayOff, day_off_id)
    if row is None or row.tenant_id != tenant_id:
        return None
    gone = DayOff(id=day_off_id, staff_id=row.staff_id, day=row.day, reason=row.reason)
    session.delete(row)
    session.flush()
    return gone


def special_days(session: Session, *, tenant_id: int, staff_id: int, since: date) -> dict[date, Hours]:
    """A staff member's special days from `since` on, each with its hours, by date."""
    found: dict[date, list[tuple[time, time]]] = defaultdict(list)
    for day, lo, hi in session.execute(
            sa.select(col(t.SpecialDay.day), col(t.SpecialDay.start), col(t.SpecialDay.end))
            .where(col(t.SpecialDay.tenant_id) == tenant_id, col(t.SpecialDay.staff_id) == staff_id,
                   col(t.SpecialDay.day) >= since).order_by(col(t.SpecialDay.day), col(t.SpecialDay.start))):
        found[day].append((lo, hi))
    return {day: tuple(hours) for day, hours in found.items()}


def set_special_day(session: Session, *, tenant_id: int, staff_id: int, day: date,
                    hours: Sequence[tuple[time, time]]) -> None:
    """The staff member's hours on `day` are `hours` from now on (none: the special day is gone, the week rules)."""
    session.execute(sa.delete(t.SpecialDay).where(col(t.SpecialDay.tenant_id) == tenant_id,
                                                  col(t.SpecialDay.staff_id) == staff_id,
                                                  col(t.SpecialDay.day) == day))
    for start, end in hours:
        session.add(t.SpecialDay(tenant_id=tenant_id, staff_id=staff_id, day=day, start=start, end=end))
    session.flush()


def week(session: Session, *, tenant_id: int, staff_id: int) -> tuple[dict[int, Hours], dict[int, Hours]]:
    """A staff member's weekly hours and breaks, by weekday (0 = Monday), each day's intervals in order."""
    weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
    breaks: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for kind, _sid, weekday, _day, lo, hi in session.connection().execute(_SCHEDULE, {
            'tenant_id': tenant_id, 'staff_ids': [staff_id], 'first_day': date.max, 'last_day': date.min}):
        (weekly if kind == _WEEKLY else breaks)[weekday].append((lo, hi))
    return _hours(weekly), _hours(breaks)


def replace_week(session: Session, *, tenant_id: int, staff_id: int, weekly: Mapping[int, Sequence[tuple[time, time]]],
                 breaks: Mapping[int, Sequence[tuple[time, time]]]) -> None:
    """The staff member's weekly hours and breaks are these from now on (the caller checked them)."""
    for model in (t.WorkingHours, t.BreakTime):
        session.execute(sa.delete(model).where(col(model.tenant_id) == tenant_id, col(model.staff_id) == staff_id))
    for model, spans in ((t.WorkingHours, weekly), (t.BreakTime, breaks)):
        for weekday, intervals in spans.items():
            for start, end in intervals:
                session.add(model(tenant_id=tenant_id, staff_id=staff_id, weekday=weekday, start=start, end=end))
    session.flush()


def create_special_day(session: Session, *, tenant_id: int, staff_id: int, day: date, start: time, end: time) -> None:
    session.add(t.SpecialDay(tenant_id=tenant_id, staff_id=staff_id, day=day, start=start, end=end))


# ---- statements ---------------------------------------------------------------------------------------------------


# Built once: the loader runs on every calendar view and inside every booking, and building a statement costs more
# than running it.
_STAFF_IDS: sa.BindParameter[list[int]] = sa.bindparam('staff_ids', expanding=True)
_TENANT: sa.BindParameter[int] = sa.bindparam('tenant_id')
_WEEKLY, _BREAK, _DAY_OFF, _SPECIAL = 1, 2, 3, 4


def _schedule_statement() -> sa.CompoundSelect[Any]:
    """The four kinds in one UNION ALL of (kind, staff_id, weekday, day, start, end): one round trip instead of four.
    The columns a kind lacks are NULLs cast to the column's type (PostgreSQL would call two bare NULLs text)."""
    weekday, day = table_of(t.WorkingHours).c.weekday.type, table_of(t.DayOff).c.day.type
    clock = table_of(t.WorkingHours).c.start.type

    def none(kind: sa.types.TypeEngine[Any]) -> sa.ColumnElement[Any]:
        return sa.cast(sa.null(), kind)

    first: sa.BindParameter[date] = sa.bindparam('first_day')
    last: sa.BindParameter[date] = sa.bindparam('last_day')
    return sa.union_all(
        sa.select(sa.literal(_WEEKLY), col(t.WorkingHours.staff_id), col(t.WorkingHours.weekday), none(day),
                  col(t.WorkingHours.start), col(t.WorkingHours.end))
        .where(col(t.WorkingHours.tenant_id) == _TENANT, col(t.WorkingHours.staff_id).in_(_STAFF_IDS)),
        sa.select(sa.literal(_BREAK), col(t.BreakTime.staff_id), col(t.BreakTime.weekday), none(day),
                  col(t.BreakTime.start),
                  col(t.BreakTime.end))
        .where(col(t.BreakTime.tenant_id) == _TENANT, col(t.BreakTime.staff_id).in_(_STAFF_IDS)),
        sa.select(sa.literal(_DAY_OFF), col(t.DayOff.staff_id), none(weekday), col(t.DayOff.day), none(clock),
                  none(clock))
        .where(col(t.DayOff.tenant_id) == _TENANT, col(t.DayOff.day) >= first, col(t.DayOff.day) <= last,
               sa.or_(col(t.DayOff.staff_id).is_(None), col(t.DayOff.staff_id).in_(_STAFF_IDS))),
        sa.select(sa.literal(_SPECIAL), col(t.SpecialDay.staff_id), none(weekday), col(t.SpecialDay.day),
                  col(t.SpecialDay.start),
                  col(t.SpecialDay.end))
        .where(col(t.SpecialDay.tenant_id) == _TENANT, col(t.SpecialDay.staff_id).in_(_STAFF_IDS),
               col(t.SpecialDay.day) >= first, col(t.SpecialDay.day) <= last),
    )


_SCHEDULE = _schedule_statement()
