"""The admin's schedules: each staff member's week (several intervals a day, breaks), days off, special days with
their own hours, and the business's holidays.

Every change is checked by the domain (domain.schedules: inverted or overlapping intervals are refused with the
reason), written in one transaction with its audit entry, and then published on the business's availability topic so
every open booking and reschedule calendar reads its times again at once (ui.components.slot_picker listens). A change
answers with the upcoming bookings it leaves outside working hours, so the admin can move or cancel them: nothing is
moved or cancelled by itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain.availability import Hours
from domain.i18n import lazy
from domain.schedules import DayOff, Visit, as_hours, day_off_problem, outside_hours, special_day_problem, week_problems
from services import audit, events
from services.catalog import NOT_FOUND, CatalogRefused
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import schedules as schedule_db
from storage import tenants as tenant_db
from storage.db import Database

Intervals = Mapping[int, Sequence[tuple[time, time]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffSchedule:
    """What the schedule page shows for one staff member: their week, and their days off and special days ahead."""

    staff_id: int
    weekly: dict[int, Hours]
    breaks: dict[int, Hours]
    days_off: list[DayOff]
    special_days: dict[date, Hours]


def staff_schedule(db: Database, *, tenant_id: int, staff_id: int, today: date,
                   admin_id: int | None = None) -> StaffSchedule | None:
    """A staff member's schedule from `today` on; None when they are not this business's."""
    with db.read() as s:
        if staff_id not in catalog_db.catalog_ids(s, tenant_id=tenant_id)[1]:
            return None
        weekly, breaks = schedule_db.week(s, tenant_id=tenant_id, staff_id=staff_id)
        return StaffSchedule(staff_id=staff_id, weekly=weekly, breaks=breaks,
                             days_off=schedule_db.days_off(s, tenant_id=tenant_id, staff_id=staff_id, since=today),
                             special_days=schedule_db.special_days(s, tenant_id=tenant_id, staff_id=staff_id,
                                                                   since=today))


def holidays(db: Database, *, tenant_id: int, today: date, admin_id: int | None = None) -> list[DayOff]:
    """The business's holidays from `today` on, by date."""
    with db.read() as s:
        return schedule_db.days_off(s, tenant_id=tenant_id, staff_id=None, since=today)


def save_week(db: Database, *, tenant_id: int, admin_id: int | None, staff_id: int, weekly: Intervals,
              breaks: Intervals, now: datetime) -> list[Visit]:
    """The staff member's week is this from now on; CatalogRefused with the reason per day (`hours-<weekday>`,
    `breaks-<weekday>`). Returns the upcoming bookings now outside their hours."""
    problems = week_problems(weekly, breaks)
    if problems:
        raise CatalogRefused(problems)
    clean_weekly = {day: as_hours(spans) for day, spans in weekly.items() if spans}
    clean_breaks = {day: as_hours(spans) for day, spans in breaks.items() if spans}
    with db.write() as s:
        _check_staff(s, tenant_id=tenant_id, staff_id=staff_id)
        old_weekly, old_breaks = schedule_db.week(s, tenant_id=tenant_id, staff_id=staff_id)
        schedule_db.replace_week(s, tenant_id=tenant_id, staff_id=staff_id, weekly=clean_weekly, breaks=clean_breaks)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='schedule.week',
                     target=catalog_db.staff_name(s, tenant_id=tenant_id, staff_id=staff_id),
                     before=_week_record(old_weekly, old_breaks), after=_week_record(clean_weekly, clean_breaks),
                     now=now)
        stranded = _stranded(s, tenant_id=tenant_id, staff_ids=[staff_id], now=now)
    events.publish(events.availability_topic(tenant_id), {'kind': 'schedule', 'staff_id': staff_id})
    return stranded


def add_day_off(db: Database, *, tenant_id: int, admin_id: int | None, staff_id: int | None, day: date,
                reason: str = '', now: datetime) -> list[Visit]:
    """A day off for the staff member, or (`staff_id` None) a holiday for the whole business; CatalogRefused with
    the reason. Returns the upcoming bookings it leaves outside working hours."""
    reason = reason.strip()
    with db.write() as s:
        zone = _zone(s, tenant_id)
        problem = day_off_problem(day, reason, today=now.astimezone(zone).date())
        if problem is not None:
            raise CatalogRefused({'day': problem})
        staff_ids = _affected(s, tenant_id=tenant_id, staff_id=staff_id)
        taken = {d.day for d in schedule_db.days_off(s, tenant_id=tenant_id, staff_id=staff_id, since=day)}
        if day in taken:
            raise CatalogRefused({'day': lazy('That day is already off.')})
        schedule_db.create_day_off(s, tenant_id=tenant_id, staff_id=staff_id, day=day, reason=reason)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action='schedule.holiday_add' if staff_id is None else 'schedule.day_off_add',
                     target='' if staff_id is None else catalog_db.staff_name(s, tenant_id=tenant_id,
                                                                               staff_id=staff_id),
                     after={'day': day.isoformat(), 'reason': reason}, now=now)
        stranded = _stranded(s, tenant_id=tenant_id, staff_ids=staff_ids, now=now)
    _publish_day(tenant_id, staff_id, day)
    return stranded


def remove_day_off(db: Database, *, tenant_id: int, admin_id: int | None, day_off_id: int, now: datetime) -> None:
    """The day off (or holiday) is a working day again."""
    with db.write() as s:
        gone = schedule_db.remove_day_off(s, tenant_id=tenant_id, day_off_id=day_off_id)
        if gone is None:
            raise CatalogRefused(NOT_FOUND)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action='schedule.holiday_remove' if gone.staff_id is None else 'schedule.day_off_remove',
                     target='' if gone.staff_id is None else catalog_db.staff_name(s, tenant_id=tenant_id,
                                                                                    staff_id=gone.staff_id),
                     before={'day': gone.day.isoformat(), 'reason': gone.reason}, now=now)
    _publish_day(tenant_id, gone.staff_id, gone.day)


def set_special_day(db: Database, *, tenant_id: int, admin_id: int | None, staff_id: int, day: date,
                    hours: Sequence[tuple[time, time]], now: datetime) -> list[Visit]:
    """On `day` the staff member works `hours` instead of that weekday's hours and breaks (no hours: the special day
    is removed and the week rules again); CatalogRefused with the reason. Returns the bookings left outside."""
    with db.write() as s:
        zone = _zone(s, tenant_id)
        problem = special_day_problem(day, hours, today=now.astimezone(zone).date())
        if problem is not None:
            raise CatalogRefused({'special_day': problem})
        _check_staff(s, tenant_id=tenant_id, staff_id=staff_id)
        before = schedule_db.special_days(s, tenant_id=tenant_id, staff_id=staff_id, since=day).get(day, ())
        schedule_db.set_special_day(s, tenant_id=tenant_id, staff_id=staff_id, day=day, hours=as_hours(hours))
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='schedule.special_day',
                     target=catalog_db.staff_name(s, tenant_id=tenant_id, staff_id=staff_id),
                     before={'day': day.isoformat(), 'hours': _spans(before)},
                     after={'day': day.isoformat(), 'hours': _spans(as_hours(hours))}, now=now)
        stranded = _stranded(s, tenant_id=tenant_id, staff_ids=[staff_id], now=now)
    _publish_day(tenant_id, staff_id, day)
    return stranded


# ---- helpers ------------------------------------------------------------------------------------------------------


def _check_staff(s: Session, *, tenant_id: int, staff_id: int) -> None:
    if staff_id not in catalog_db.catalog_ids(s, tenant_id=tenant_id)[1]:
        raise CatalogRefused(NOT_FOUND)


def _affected(s: Session, *, tenant_id: int, staff_id: int | None) -> list[int]:
    """Whose bookings a day off touches: the staff member's, or everybody's for a holiday."""
    staff_ids = catalog_db.catalog_ids(s, tenant_id=tenant_id)[1]
    if staff_id is None:
        return sorted(staff_ids)
    if staff_id not in staff_ids:
        raise CatalogRefused(NOT_FOUND)
    return [staff_id]


def _zone(s: Session, tenant_id: int) -> ZoneInfo:
    return ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))


def _stranded(s: Session, *, tenant_id: int, staff_ids: list[int], now: datetime) -> list[Visit]:
    """The upcoming busy bookings of these staff that the schedule, as it is now in this transaction, leaves outside
    working hours: two statements (the bookings, then the schedules of the days they fall on)."""
    visits = appointment_db.upcoming_visits(s, tenant_id=tenant_id, staff_ids=staff_ids, since=now)
    if not visits:
        return []
    zone = _zone(s, tenant_id)
    first = min(v.start for v in visits).astimezone(zone).date() - timedelta(days=1)
    last = max(v.start for v in visits).astimezone(zone).date() + timedelta(days=1)
    schedules, closed = schedule_db.staff_schedules(s, tenant_id=tenant_id, staff_ids=sorted({v.staff_id for v in
                                                                                               visits}),
                                                    first_day=first, last_day=last)
    return outside_hours(visits, schedules, holidays=closed, zone=zone)


def _publish_day(tenant_id: int, staff_id: int | None, day: date) -> None:
    payload: dict[str, Any] = {'kind': 'schedule', 'day': day.isoformat()}
    if staff_id is not None:
        payload['staff_id'] = staff_id
    events.publish(events.availability_topic(tenant_id), payload)


def _spans(hours: Sequence[tuple[time, time]]) -> list[list[str]]:
    return [[lo.strftime('%H:%M'), hi.strftime('%H:%M')] for lo, hi in hours]


def _week_record(weekly: Mapping[int, Sequence[tuple[time, time]]],
                 breaks: Mapping[int, Sequence[tuple[time, time]]]) -> dict[str, Any]:
    return {'hours': {str(k): _spans(v) for k, v in sorted(weekly.items())},
            'breaks': {str(k): _spans(v) for k, v in sorted(breaks.items())}}
