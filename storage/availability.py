"""Everything the slot engine needs for one service and one stretch of time, read with one query per kind.

The kinds: the service with the business's zone; the staff who offer it (optionally one of them, optionally only
those at a location); their weekly hours; their breaks; days off and business holidays; special days; and the busy
bookings of those staff that reach into the window. Never a query per day, per staff member or per candidate slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from domain import model as d
from domain.availability import Booking, ServiceRules, SlotRequest, StaffSchedule
from storage import holds
from storage import queries as q
from storage import tables as t

REACH = timedelta(days=1)
"""How far a booking's busy span may reach beyond its start or end (its buffers), and a booking's longest length."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BookableService:
    """A service as the engine sees it: the domain value, whether it can be booked now, and the business's zone."""

    service: d.Service
    active: bool
    zone: ZoneInfo


def bookable_service(session: Session, *, tenant_id: int, service_id: int) -> BookableService | None:
    """The tenant's service with the business's time zone, in one statement; None when it is not this tenant's."""
    row = session.connection().execute(_SERVICE, {'tenant_id': tenant_id, 'service_id': service_id}).first()
    if row is None:
        return None
    return BookableService(service=q.to_service(row), active=row.active, zone=ZoneInfo(row.zone))  # type: ignore[arg-type]


def rules_of(service: d.Service) -> ServiceRules:
    """The engine's rules for a service."""
    return ServiceRules(duration=service.duration, step=service.slot_step, capacity=service.capacity,
                        buffer_before=service.buffer_before, buffer_after=service.buffer_after,
                        min_notice=service.min_notice, max_days_ahead=service.max_days_ahead)


def staff_ids_for(session: Session, *, tenant_id: int, service_id: int, staff_id: int | None = None,
                  location_id: int | None = None) -> list[int]:
    """The staff who offer the service (only `staff_id` when given; only those at `location_id` when given)."""
    params = {'tenant_id': tenant_id, 'service_id': service_id, 'staff_id': staff_id, 'location_id': location_id}
    stmt = _STAFF_OFFERING[(staff_id is not None, location_id is not None)]
    return list(session.connection().execute(stmt, params).scalars())


def staff_for_service(session: Session, *, tenant_id: int, service_id: int) -> list[d.Staff]:
    """The staff who offer the service, by name, with their locations and services: three statements."""
    rows = session.execute(
        sa.select(t.Staff).join(t.StaffService, t.StaffService.staff_id == t.Staff.id)  # type: ignore[arg-type]
        .where(t.Staff.tenant_id == tenant_id, t.StaffService.service_id == service_id)
        .order_by(t.Staff.name, t.Staff.id)
    ).scalars().all()
    ids = [r.id for r in rows]
    locations: dict[int, list[int]] = defaultdict(list)
    services: dict[int, list[int]] = defaultdict(list)
    for sid, lid in session.execute(sa.select(t.StaffLocation.staff_id, t.StaffLocation.location_id)
                                    .where(t.StaffLocation.staff_id.in_(ids))  # type: ignore[attr-defined]
                                    .order_by(t.StaffLocation.location_id)):
        locations[sid].append(lid)
    for sid, svc in session.execute(sa.select(t.StaffService.staff_id, t.StaffService.service_id)
                                    .where(t.StaffService.staff_id.in_(ids))  # type: ignore[attr-defined]
                                    .order_by(t.StaffService.service_id)):
        services[sid].append(svc)
    return [q.to_staff(r, location_ids=locations[r.id or 0], service_ids=services[r.id or 0]) for r in rows]


def bookable_services(session: Session, *, tenant_id: int, only_ids: list[int] | None = None) -> list[d.Service]:
    """Active services that at least one staff member offers, by category then name."""
    offered = sa.exists().where(t.StaffService.service_id == t.Service.id)
    stmt = (sa.select(t.Service).where(t.Service.tenant_id == tenant_id, t.Service.active.is_(True),  # type: ignore[attr-defined]
                                       offered)
            .order_by(t.Service.category, t.Service.name, t.Service.id))
    if only_ids is not None:
        stmt = stmt.where(t.Service.id.in_(only_ids))  # type: ignore[union-attr]
    return [q.to_service(r) for r in session.execute(stmt).scalars()]


def slot_request(session: Session, *, tenant_id: int, found: BookableService, staff_ids: list[int], start: datetime,
                 end: datetime, seats: int = 1, ignore_appointment_id: int | None = None,
                 held_at: datetime | None = None) -> SlotRequest:
    """The engine's request for the service and these staff over the UTC window [start, end).

    Schedules are read for the local dates the window touches (a day either side, for zones and midnight), bookings
    for those that reach into the window with their buffers (a booking lasts less than a day, buffers less than
    `REACH`). One statement per kind: hours, breaks, days off and holidays, special days, bookings; with `held_at`,
    one more for guests' bookings held at that instant until their mailbox confirms them (storage.holds).
    """
    zone = found.zone
    weekly: dict[int, dict[int, list[tuple[time, time]]]] = {s: defaultdict(list) for s in staff_ids}
    breaks: dict[int, dict[int, list[tuple[time, time]]]] = {s: defaultdict(list) for s in staff_ids}
    days_off: dict[int, set[date]] = {s: set() for s in staff_ids}
    special: dict[int, dict[date, list[tuple[time, time]]]] = {s: defaultdict(list) for s in staff_ids}
    holidays: set[date] = set()
    if staff_ids:
        conn = session.connection()
        params = {'tenant_id': tenant_id, 'staff_ids': staff_ids,
                  'first_day': start.astimezone(zone).date() - timedelta(days=1),
                  'last_day': end.astimezone(zone).date() + timedelta(days=1)}
        for sid, weekday, lo, hi in conn.execute(_HOURS, params):
            weekly[sid][weekday].append((lo, hi))
        for sid, weekday, lo, hi in conn.execute(_BREAKS, params):
            breaks[sid][weekday].append((lo, hi))
        for sid, day in conn.execute(_DAYS_OFF, params):
            (holidays if sid is None else days_off[sid]).add(day)
        for sid, day, lo, hi in conn.execute(_SPECIAL_DAYS, params):
            special[sid][day].append((lo, hi))
    schedules = tuple(
        StaffSchedule(staff_id=sid, weekly=_hours(weekly[sid]), breaks=_hours(breaks[sid]),
                      days_off=frozenset(days_off[sid]), special_days=_hours(special[sid]))
        for sid in staff_ids
    )
    return SlotRequest(tz=zone, service_id=found.service.id, rules=rules_of(found.service), staff=schedules,
                       holidays=frozenset(holidays),
                       bookings=busy_bookings(session, tenant_id=tenant_id, staff_ids=staff_ids, start=start, end=end)
                       + (holds.held_bookings(session, tenant_id=tenant_id, staff_ids=staff_ids, start=start, end=end,
                                              reach=REACH, now=held_at) if held_at is not None else ()),
                       seats=seats, ignore_appointment_id=ignore_appointment_id)


def busy_bookings(session: Session, *, tenant_id: int, staff_ids: list[int], start: datetime,
                  end: datetime) -> tuple[Booking, ...]:
    """The staff's appointments with a busy status reaching into [start, end), each with its service's buffers, in
    start order: one statement (the staff/start index bounds it; the end test trims what reaches no further)."""
    if not staff_ids:
        return ()
    rows = session.connection().execute(_BUSY, {
        'tenant_id': tenant_id, 'staff_ids': staff_ids, 'from_start': start - 2 * REACH, 'to_start': end + REACH,
        'from_end': start - REACH}).all()
    minutes: dict[int, timedelta] = {}
    instants: dict[object, datetime] = {}
    out = []
    for appointment_id, staff_id, raw_start, raw_end, service_id, seats, before, after in rows:
        lo = instants.get(raw_start) or instants.setdefault(raw_start, _utc(raw_start))
        hi = instants.get(raw_end) or instants.setdefault(raw_end, _utc(raw_end))
        buffer_before = minutes.get(before)
        if buffer_before is None:
            buffer_before = minutes[before] = timedelta(minutes=before)
        buffer_after = minutes.get(after)
        if buffer_after is None:
            buffer_after = minutes[after] = timedelta(minutes=after)
        out.append(Booking(staff_id=staff_id, start=lo, end=hi, service_id=service_id, seats=seats,
                           buffer_before=buffer_before, buffer_after=buffer_after, appointment_id=appointment_id))
    return tuple(out)


def _staff_offering(one: bool, located: bool) -> sa.Select:  # type: ignore[type-arg]
    stmt = (sa.select(t.Staff.id)
            .join(t.StaffService, t.StaffService.staff_id == t.Staff.id)  # type: ignore[arg-type]
            .where(t.Staff.tenant_id == sa.bindparam('tenant_id'),
                   t.StaffService.service_id == sa.bindparam('service_id'))
            .order_by(t.Staff.id))
    if one:
        stmt = stmt.where(t.Staff.id == sa.bindparam('staff_id'))
    if located:
        stmt = stmt.where(sa.exists().where(t.StaffLocation.staff_id == t.Staff.id,
                                            t.StaffLocation.location_id == sa.bindparam('location_id')))
    return stmt


# Built once: the loader runs on every calendar view and inside every booking, and building a statement costs more
# than running it.
_STAFF_IDS = sa.bindparam('staff_ids', expanding=True)
_TENANT = sa.bindparam('tenant_id')
_HOURS = sa.select(t.WorkingHours.staff_id, t.WorkingHours.weekday, t.WorkingHours.start, t.WorkingHours.end).where(
    t.WorkingHours.tenant_id == _TENANT, t.WorkingHours.staff_id.in_(_STAFF_IDS))  # type: ignore[attr-defined]
_BREAKS = sa.select(t.BreakTime.staff_id, t.BreakTime.weekday, t.BreakTime.start, t.BreakTime.end).where(
    t.BreakTime.tenant_id == _TENANT, t.BreakTime.staff_id.in_(_STAFF_IDS))  # type: ignore[attr-defined]
_DAYS_OFF = sa.select(t.DayOff.staff_id, t.DayOff.day).where(
    t.DayOff.tenant_id == _TENANT, t.DayOff.day >= sa.bindparam('first_day'), t.DayOff.day <= sa.bindparam('last_day'),
    sa.or_(t.DayOff.staff_id.is_(None), t.DayOff.staff_id.in_(_STAFF_IDS)))  # type: ignore[union-attr]
_SPECIAL_DAYS = sa.select(t.SpecialDay.staff_id, t.SpecialDay.day, t.SpecialDay.start, t.SpecialDay.end).where(
    t.SpecialDay.tenant_id == _TENANT, t.SpecialDay.staff_id.in_(_STAFF_IDS),  # type: ignore[attr-defined]
    t.SpecialDay.day >= sa.bindparam('first_day'), t.SpecialDay.day <= sa.bindparam('last_day'))
_STAFF_OFFERING = {(one, located): _staff_offering(one, located) for one in (False, True) for located in (False, True)}
_SERVICE = (sa.select(*t.Service.__table__.columns, t.Tenant.timezone.label('zone'))  # type: ignore[attr-defined]
            .join(t.Tenant, t.Tenant.id == t.Service.tenant_id)  # type: ignore[arg-type]
            .where(t.Service.tenant_id == sa.bindparam('tenant_id'), t.Service.id == sa.bindparam('service_id')))
_A, _SVC, _ST = t.Appointment, t.Service, t.Status
_BUSY = (
    # start and end come raw from the driver: a month holds thousands of bookings but far fewer distinct times, and
    # converting each distinct time once (see busy_bookings) halves the load
    sa.select(_A.id, _A.staff_id, sa.type_coerce(_A.start, sa.types.NullType()),
              sa.type_coerce(_A.end, sa.types.NullType()), _A.service_id, _A.seats, _SVC.buffer_before_min,
              _SVC.buffer_after_min)
    .join(_SVC, _SVC.id == _A.service_id)
    .join(_ST, sa.and_(_ST.tenant_id == _A.tenant_id, _ST.key == _A.status_key))
    .where(_A.tenant_id == _TENANT, _A.staff_id.in_(_STAFF_IDS), _ST.busy.is_(True),  # type: ignore[attr-defined]
           _A.start >= sa.bindparam('from_start', type_=t.UTCDateTime()),
           _A.start < sa.bindparam('to_start', type_=t.UTCDateTime()),
           _A.end > sa.bindparam('from_end', type_=t.UTCDateTime()))
    .order_by(_A.start, _A.id)
)


def _utc(raw: object) -> datetime:
    """A stored UTC time as the driver hands it over (SQLite: text; PostgreSQL: a naive datetime), made aware."""
    value = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC)


def lock_staff(session: Session, *, tenant_id: int, staff_ids: list[int]) -> None:
    """Serialise every writer that takes these staff members' time, until the transaction ends.

    PostgreSQL: row locks on the staff rows in id order (the same lock a status change back to a busy status takes,
    so the two cannot interleave; id order so two bookings for 'any' cannot deadlock). SQLite: the write
    transaction's BEGIN IMMEDIATE already holds the database's only write lock.
    """
    if staff_ids and session.get_bind().dialect.name == 'postgresql':
        session.execute(sa.select(t.Staff.id).where(t.Staff.tenant_id == tenant_id,
                                                    t.Staff.id.in_(sorted(staff_ids)))  # type: ignore[union-attr]
                        .order_by(t.Staff.id).with_for_update()).all()


def staff_name(session: Session, *, tenant_id: int, staff_id: int) -> str:
    return session.execute(sa.select(t.Staff.name).where(t.Staff.tenant_id == tenant_id,
                                                         t.Staff.id == staff_id)).scalar_one()


def staff_location_ids(session: Session, *, staff_id: int) -> list[int]:
    """The locations where the staff member works, by id."""
    return list(session.execute(sa.select(t.StaffLocation.location_id).where(t.StaffLocation.staff_id == staff_id)
                                .order_by(t.StaffLocation.location_id)).scalars())


def service_locations(session: Session, *, tenant_id: int, service_id: int) -> list[d.Location]:
    """The locations where someone offers the service, by name (the booking page's choice of place)."""
    rows = session.execute(
        sa.select(t.Location).where(t.Location.tenant_id == tenant_id, sa.exists().where(
            t.StaffLocation.location_id == t.Location.id, t.StaffService.staff_id == t.StaffLocation.staff_id,
            t.StaffService.service_id == service_id)).order_by(t.Location.name, t.Location.id)).scalars().all()
    return [q.to_location(r) for r in rows]


def insert_appointment(session: Session, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int,
                       location_id: int | None, start: datetime, end: datetime, seats: int, status_key: str,
                       price: int, deposit: int, notes: str, customer_package_id: int | None, now: datetime) -> int:
    # One prepared INSERT ... RETURNING, not an ORM instance and a flush: this runs while the staff rows are locked.
    return int(session.execute(_INSERT_APPOINTMENT, {
        'tenant_id': tenant_id, 'customer_id': customer_id, 'service_id': service_id, 'staff_id': staff_id,
        'location_id': location_id, 'start': start, 'end': end, 'seats': seats, 'status_key': status_key,
        'price': price, 'deposit': deposit, 'amount_paid': 0, 'notes': notes,
        'customer_package_id': customer_package_id, 'reschedule_count': 0, 'created_at': now}).scalar_one())


_INSERT_APPOINTMENT = sa.insert(t.Appointment).returning(t.Appointment.id)  # type: ignore[arg-type]


def move_appointment(session: Session, *, tenant_id: int, appointment_id: int, staff_id: int, start: datetime,
                     end: datetime, status_key: str) -> None:
    session.execute(sa.update(t.Appointment).where(t.Appointment.tenant_id == tenant_id,
                                                   t.Appointment.id == appointment_id)
                    .values(staff_id=staff_id, start=start, end=end, status_key=status_key,
                            reschedule_count=t.Appointment.reschedule_count + 1))


def _hours(by_key: dict[int, list[tuple[time, time]]] | dict[date, list[tuple[time, time]]]) -> dict:  # type: ignore[type-arg]
    return {key: tuple(sorted(spans)) for key, spans in by_key.items() if spans}


__all__ = ['REACH', 'BookableService', 'bookable_service', 'bookable_services', 'busy_bookings',
           'insert_appointment', 'lock_staff', 'move_appointment', 'rules_of', 'slot_request', 'staff_for_service',
           'service_locations', 'staff_ids_for', 'staff_location_ids', 'staff_name']
