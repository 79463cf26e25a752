"""Free dates and slots for the Reschedule drawer and the booking page, from the real schedule and bookings.

Each question opens one read session and loads its inputs with one query per kind (storage.schedules), for the
smallest window that can hold an answer: the month clipped to today and the service's horizon, or the one day. The
slot engine (domain.availability) does the rest. Unknown or inactive services have no free time.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain import model as d
from domain.availability import Slot, SlotFinder, SlotRequest, wall_to_utc
from storage import catalog as catalog_db
from storage import schedules as schedule_db
from storage.db import Database

__all__ = ['bookable_services', 'day_slots', 'day_window', 'locations_for_service', 'month_dates', 'staff_for_service']


def month_dates(db: Database, *, tenant_id: int, service_id: int, staff_id: int | None, year: int, month: int,
                now: datetime, ignore_appointment_id: int | None = None, seats: int = 1,
                location_id: int | None = None, current: tuple[datetime, int] | None = None) -> list[date]:
    """The local dates of a month with at least one free slot (staff None = any staff offering the service);
    `current` (the start and staff of the appointment being moved): a date whose only free time is that one is
    not free."""
    with db.read() as s:
        found = catalog_db.bookable_service(s, tenant_id=tenant_id, service_id=service_id)
        if found is None or not found.active:
            return []
        first, last = _bookable_part(found, year, month, now)
        if first > last:
            return []
        request = _load_request(s, tenant_id=tenant_id, found=found, staff_id=staff_id, location_id=location_id,
                           first=first, last=last, seats=seats, ignore_appointment_id=ignore_appointment_id, now=now)
    if request is None:
        return []
    return SlotFinder(request).available_dates(year=year, month=month, now=now, current=current)


def first_free(db: Database, *, tenant_id: int, service_id: int, staff_id: int | None, year: int, month: int,
               months: int, now: datetime, ignore_appointment_id: int | None = None, seats: int = 1,
               location_id: int | None = None,
               current: tuple[datetime, int] | None = None) -> tuple[int, int, list[date], list[Slot]] | None:
    """Where a slot picker opens, in one read: the first of `months` months from year/month with a free date, its
    free dates, and the free slots of the first of them (as `month_dates` and `day_slots` answer them). None when
    none of those months has a free date."""
    with db.read() as s:
        found = catalog_db.bookable_service(s, tenant_id=tenant_id, service_id=service_id)
        if found is None or not found.active:
            return None
        for _ in range(months):
            first, last = _bookable_part(found, year, month, now)
            request = None if first > last else _load_request(
                s, tenant_id=tenant_id, found=found, staff_id=staff_id, location_id=location_id, first=first,
                last=last, seats=seats, ignore_appointment_id=ignore_appointment_id, now=now)
            if request is not None:
                finder = SlotFinder(request)
                dates = finder.available_dates(year=year, month=month, now=now, current=current)
                if dates:
                    slots = finder.free_slots(day=dates[0], now=now, current=current)
                    return year, month, list(dates), slots
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _bookable_part(found: catalog_db.BookableService, year: int, month: int, now: datetime) -> tuple[date, date]:
    """The local dates of year/month a customer may book now: from today (in the business's zone) to the service's
    horizon; first > last when none."""
    today = now.astimezone(found.zone).date()
    first = max(date(year, month, 1), today)
    horizon = today + timedelta(days=found.service.max_days_ahead)
    last = min(date(year, month, calendar.monthrange(year, month)[1]), horizon)
    return first, last


def day_slots(db: Database, *, tenant_id: int, service_id: int, staff_id: int | None, day: date, now: datetime,
              ignore_appointment_id: int | None = None, seats: int = 1, location_id: int | None = None,
              current: tuple[datetime, int] | None = None) -> list[Slot]:
    """The free slots of one local day, earliest first, each with its free seats and the staff free then; `current`
    (the start and staff of the appointment being moved) is not offered as a new time."""
    with db.read() as s:
        found = catalog_db.bookable_service(s, tenant_id=tenant_id, service_id=service_id)
        if found is None or not found.active:
            return []
        request = _load_request(s, tenant_id=tenant_id, found=found, staff_id=staff_id, location_id=location_id,
                           first=day, last=day, seats=seats, ignore_appointment_id=ignore_appointment_id,
                           now=now)
    if request is None:
        return []
    return SlotFinder(request).free_slots(day=day, now=now, current=current)


def bookable_services(db: Database, *, tenant_id: int, only_ids: Sequence[int] | None = None) -> list[d.Service]:
    """The services a customer can book (active, offered by someone), by category and name; `only_ids` narrows
    them (a package's services)."""
    with db.read() as s:
        return catalog_db.bookable_services(s, tenant_id=tenant_id,
                                            only_ids=None if only_ids is None else list(only_ids))


def staff_for_service(db: Database, *, tenant_id: int, service_id: int) -> list[d.Staff]:
    """The staff who offer a service, by name, for the booking page's staff choice (with 'any' in front)."""
    with db.read() as s:
        return catalog_db.staff_for_service(s, tenant_id=tenant_id, service_id=service_id)


def locations_for_service(db: Database, *, tenant_id: int, service_id: int) -> list[d.Location]:
    """The places where the service is offered, by name, for the booking page's choice of location."""
    with db.read() as s:
        return catalog_db.service_locations(s, tenant_id=tenant_id, service_id=service_id)


def day_window(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants from the start of local date `first` to the end of local date `last`."""
    lo = wall_to_utc(datetime.combine(first, time()), zone)[0]
    hi = wall_to_utc(datetime.combine(last + timedelta(days=1), time()), zone)[0]
    return lo, hi


def _load_request(s: Session, *, tenant_id: int, found: catalog_db.BookableService, staff_id: int | None,
             location_id: int | None, first: date, last: date, seats: int,
             ignore_appointment_id: int | None, now: datetime) -> SlotRequest | None:
    """The engine's request for local dates first..last in the caller's session (a write re-checks with it)."""
    staff_ids = catalog_db.staff_ids_for(s, tenant_id=tenant_id, service_id=found.service.id,
                                         staff_id=staff_id, location_id=location_id)
    if not staff_ids or seats < 1:
        return None
    lo, hi = day_window(first, last, found.zone)
    return schedule_db.slot_request(s, tenant_id=tenant_id, found=found, staff_ids=staff_ids,
                                    start=lo, end=hi, seats=seats, ignore_appointment_id=ignore_appointment_id,
                                    held_at=now)
