"""The business's catalog: services, staff (with where they work and what they offer) and locations.

Functions take the session first and keyword-only arguments; rows never leave: callers get domain values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from domain import model as d
from storage import customers as customer_db
from storage import driver
from storage import tables as t
from storage.db import table_of
from storage.tenants import check_links

# ---- conversions --------------------------------------------------------------------------------------------------


def to_service(row: t.Service | sa.Row[*tuple[Any, ...]]) -> d.Service:
    assert row.id is not None
    return d.Service(
        id=row.id, name=row.name, category=row.category, duration=timedelta(minutes=row.duration_min),
        price=row.price, deposit=row.deposit, buffer_before=timedelta(minutes=row.buffer_before_min),
        buffer_after=timedelta(minutes=row.buffer_after_min), capacity=row.capacity,
        slot_step=timedelta(minutes=row.slot_step_min), min_notice=timedelta(minutes=row.min_notice_min),
        max_days_ahead=row.max_days_ahead, meeting_url=row.meeting_url, color=row.color, active=row.active,
    )


def to_staff(row: t.Staff, *, location_ids: Iterable[int] = (), service_ids: Iterable[int] = ()) -> d.Staff:
    assert row.id is not None
    return d.Staff(id=row.id, name=row.name, email=row.email, avatar_url=row.avatar_url,
                   location_ids=tuple(location_ids), service_ids=tuple(service_ids), active=row.active)


def to_location(row: t.Location) -> d.Location:
    assert row.id is not None
    return d.Location(id=row.id, name=row.name, address=row.address, active=row.active)


# ---- services -----------------------------------------------------------------------------------------------------


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
    return BookableService(service=to_service(row), active=row.active, zone=ZoneInfo(row.zone))


def bookable_services(session: Session, *, tenant_id: int, only_ids: list[int] | None = None) -> list[d.Service]:
    """Active services that at least one active staff member offers, by category then name."""
    offered = sa.exists().where(col(t.StaffService.service_id) == col(t.Service.id),
                                col(t.Staff.id) == col(t.StaffService.staff_id), col(t.Staff.active).is_(True))
    stmt = (sa.select(t.Service).where(col(t.Service.tenant_id) == tenant_id, col(t.Service.active).is_(True),
                                       offered)
            .order_by(col(t.Service.category), col(t.Service.name), col(t.Service.id)))
    if only_ids is not None:
        stmt = stmt.where(col(t.Service.id).in_(only_ids))
    return [to_service(r) for r in session.execute(stmt).scalars()]


# ---- staff --------------------------------------------------------------------------------------------------------


def lock_staff(session: Session, *, tenant_id: int, staff_ids: list[int]) -> None:
    """Serialise every writer that takes these staff members' time, until the transaction ends.

    PostgreSQL: row locks on the staff rows in id order (the same lock a status change back to a busy status takes,
    so the two cannot interleave; id order so two bookings for 'any' cannot deadlock). SQLite: the write
    transaction's BEGIN IMMEDIATE already holds the database's only write lock.
    """
    if staff_ids and session.get_bind().dialect.name == 'postgresql':
        session.execute(sa.select(col(t.Staff.id)).where(col(t.Staff.tenant_id) == tenant_id,
                                                    col(t.Staff.id).in_(sorted(staff_ids)))
                        .order_by(col(t.Staff.id)).with_for_update()).all()


def lock_staff_offering(session: Session, *, tenant_id: int, service_id: int, staff_id: int | None = None,
                        location_id: int | None = None) -> tuple[list[int], int | None]:
    """`staff_ids_for` and `lock_staff` in one statement: the staff who offer the service (with the same filters),
    locked as `lock_staff` locks them (PostgreSQL: their staff rows, in id order, until the transaction ends); and,
    read in the same statement, the business's token (storage.tenant_reads): what a booking read of the business's
    setup before the lock still holds when the token is the one it read it with. The token is None when no staff
    member was found."""
    params = {'tenant_id': tenant_id, 'service_id': service_id, 'staff_id': staff_id, 'location_id': location_id}
    return _staff_and_token(_lock_staff_offering(session, params, with_customer=False))


def lock_staff_offering_reading_customer(
        session: Session, *, tenant_id: int, service_id: int, customer_id: int, staff_id: int | None = None,
        location_id: int | None = None) -> tuple[list[int], int | None, d.Customer | None]:
    """`lock_staff_offering` and the customer's read (storage.customers.customer) in one statement: a booking reads
    its customer too, and this is one round trip less. When no staff member is found the customer is read alone."""
    params = {'tenant_id': tenant_id, 'service_id': service_id, 'staff_id': staff_id, 'location_id': location_id,
              'customer_id': customer_id}
    rows = _lock_staff_offering(session, params, with_customer=True)
    if not rows:
        return [], None, customer_db.customer(session, tenant_id=tenant_id, customer_id=customer_id)
    return *_staff_and_token(rows), customer_db.customer_of(rows[0][2:])


def _staff_and_token(rows: Sequence[Any]) -> tuple[list[int], int | None]:
    """The staff ids and the setup's token of a _lock_staff_offering answer (the token None when nobody was found)."""
    return [r[0] for r in rows], (None if not rows or rows[0][1] is None else int(rows[0][1]))


def _lock_staff_offering(session: Session, params: dict[str, Any], *, with_customer: bool) -> Sequence[Any]:
    key = (params['staff_id'] is not None, params['location_id'] is not None, with_customer)
    if driver.enabled(session):  # PostgreSQL: a booking runs this under its locks, on the driver's cursor
        return driver.rows(session, _STAFF_OFFERING_LOCKING[key], params)
    locking = session.get_bind().dialect.name == 'postgresql'
    return session.connection().execute(_STAFF_OFFERING_TOKEN[(*key, locking)], params).all()


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferingStaff:
    """The staff who offer a service, each with the places they work at (as an appointment shows them)."""

    staff: dict[int, d.Staff]
    works_at: dict[int, tuple[int, ...]]
    locations: dict[int, d.Location]


def offering_staff(session: Session, *, tenant_id: int, service_id: int,
                   staff_id: int | None = None) -> OfferingStaff:
    """Who offers the service (only `staff_id` when given) and where each works, in one statement: what a booking
    needs to place and describe the visit, read before it locks the staff."""
    params = {'tenant_id': tenant_id, 'service_id': service_id, 'staff_id': staff_id}
    staff: dict[int, d.Staff] = {}
    works_at: dict[int, list[int]] = defaultdict(list)
    locations: dict[int, d.Location] = {}
    for r in session.connection().execute(_OFFERING_WITH_PLACES[staff_id is not None], params):
        if r.id not in staff:
            staff[r.id] = d.Staff(id=r.id, name=r.name, email=r.email, avatar_url=r.avatar_url)
        if r.l_id is not None:
            works_at[r.id].append(r.l_id)
            locations.setdefault(r.l_id, d.Location(id=r.l_id, name=r.l_name, address=r.address))
    return OfferingStaff(staff=staff, works_at={k: tuple(v) for k, v in works_at.items()}, locations=locations)


def staff_ids_for(session: Session, *, tenant_id: int, service_id: int, staff_id: int | None = None,
                  location_id: int | None = None) -> list[int]:
    """The staff who offer the service (only `staff_id` when given; only those at `location_id` when given)."""
    params = {'tenant_id': tenant_id, 'service_id': service_id, 'staff_id': staff_id, 'location_id': location_id}
    stmt = _STAFF_OFFERING[(staff_id is not None, location_id is not None)]
    return list(session.connection().execute(stmt, params).scalars())


def staff_for_service(session: Session, *, tenant_id: int, service_id: int) -> list[d.Staff]:
    """The active staff who offer the service, by name, with their (active) locations and services: three
    statements."""
    rows = session.execute(
        sa.select(t.Staff).join(t.StaffService, col(t.StaffService.staff_id) == col(t.Staff.id))
        .where(col(t.Staff.tenant_id) == tenant_id, col(t.StaffService.service_id) == service_id,
               col(t.Staff.active).is_(True))
        .order_by(col(t.Staff.name), col(t.Staff.id))
    ).scalars().all()
    ids = [r.id for r in rows]
    locations: dict[int, list[int]] = defaultdict(list)
    services: dict[int, list[int]] = defaultdict(list)
    for sid, lid in session.execute(sa.select(col(t.StaffLocation.staff_id), col(t.StaffLocation.location_id))
                                    .join(t.Location, col(t.Location.id) == col(t.StaffLocation.location_id))
                                    .where(col(t.StaffLocation.staff_id).in_(ids), col(t.Location.active).is_(True))
                                    .order_by(col(t.StaffLocation.location_id))):
        locations[sid].append(lid)
    for sid, svc in session.execute(sa.select(col(t.StaffService.staff_id), col(t.StaffService.service_id))
                                    .where(col(t.StaffService.staff_id).in_(ids))
                                    .order_by(col(t.StaffService.service_id))):
        services[sid].append(svc)
    return [to_staff(r, location_ids=locations[r.id or 0], service_ids=services[r.id or 0]) for r in rows]


def staff_name(session: Session, *, tenant_id: int, staff_id: int) -> str:
    name: str = session.execute(sa.select(col(t.Staff.name)).where(col(t.Staff.tenant_id) == tenant_id,
                                                                    col(t.Staff.id) == staff_id)).scalar_one()
    return name


def staff_location_ids(session: Session, *, staff_id: int) -> list[int]:
    """The (active) locations where the staff member works, by id."""
    return list(session.execute(sa.select(col(t.StaffLocation.location_id))
                                .join(t.Location, col(t.Location.id) == col(t.StaffLocation.location_id))
                                .where(col(t.StaffLocation.staff_id) == staff_id, col(t.Location.active).is_(True))
                                .order_by(col(t.StaffLocation.location_id))).scalars())


# ---- locations ----------------------------------------------------------------------------------------------------


def service_locations(session: Session, *, tenant_id: int, service_id: int) -> list[d.Location]:
    """The active locations where an active staff member offers the service, by name (the booking page's choice
    of place)."""
    offered_there = sa.exists().where(
        col(t.StaffLocation.location_id) == col(t.Location.id),
        col(t.StaffService.staff_id) == col(t.StaffLocation.staff_id),
        col(t.StaffService.service_id) == service_id,
        col(t.Staff.id) == col(t.StaffLocation.staff_id), col(t.Staff.active).is_(True))
    rows = session.execute(
        sa.select(t.Location).where(col(t.Location.tenant_id) == tenant_id, col(t.Location.active).is_(True),
                                    offered_there).order_by(col(t.Location.name), col(t.Location.id))
    ).scalars().all()
    return [to_location(r) for r in rows]


# ---- writes -------------------------------------------------------------------------------------------------------


def create_location(session: Session, *, tenant_id: int, name: str, address: str = '') -> int:
    row = t.Location(tenant_id=tenant_id, name=name, address=address)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_service(session: Session, *, tenant_id: int, name: str, duration_min: int = 60, price: int = 0,
                   deposit: int = 0, category: str = '', capacity: int = 1, slot_step_min: int = 15,
                   buffer_before_min: int = 0, buffer_after_min: int = 0, min_notice_min: int = 60,
                   max_days_ahead: int = 60, meeting_url: str | None = None, color: str = '#6366f1') -> int:
    check_links(('The meeting link', meeting_url, False), colours=(('The service colour', color),))
    row = t.Service(tenant_id=tenant_id, name=name, duration_min=duration_min, price=price, deposit=deposit,
                    category=category, capacity=capacity, slot_step_min=slot_step_min,
                    buffer_before_min=buffer_before_min, buffer_after_min=buffer_after_min,
                    min_notice_min=min_notice_min, max_days_ahead=max_days_ahead, meeting_url=meeting_url,
                    color=color)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_staff(session: Session, *, tenant_id: int, name: str, email: str = '', avatar_url: str | None = None,
                 location_ids: Iterable[int] = (), service_ids: Iterable[int] = (),
                 weekly: dict[int, Sequence[tuple[time, time]]] | None = None,
                 breaks: dict[int, Sequence[tuple[time, time]]] | None = None) -> int:
    """A staff member with their locations, services, weekly hours (weekday -> intervals) and breaks."""
    check_links(('The staff photo', avatar_url, True))
    row = t.Staff(tenant_id=tenant_id, name=name, email=email, avatar_url=avatar_url)
    session.add(row)
    session.flush()
    assert row.id is not None
    for location_id in location_ids:
        session.add(t.StaffLocation(staff_id=row.id, location_id=location_id))
    for service_id in service_ids:
        session.add(t.StaffService(staff_id=row.id, service_id=service_id))
    for weekday, intervals in (weekly or {}).items():
        for start, end in intervals:
            session.add(t.WorkingHours(tenant_id=tenant_id, staff_id=row.id, weekday=weekday, start=start, end=end))
    for weekday, intervals in (breaks or {}).items():
        for start, end in intervals:
            session.add(t.BreakTime(tenant_id=tenant_id, staff_id=row.id, weekday=weekday, start=start, end=end))
    session.flush()
    return row.id


# ---- the admin's catalog ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    """Everything of a business's catalog, archived included (each value says whether it is `active`)."""

    services: list[d.Service]
    staff: list[d.Staff]
    locations: list[d.Location]


def catalog(session: Session, *, tenant_id: int) -> Catalog:
    """The business's services, staff (with their locations and services) and locations, active first, then by
    name: five statements, whatever the size."""
    services = [to_service(r) for r in session.execute(
        sa.select(t.Service).where(col(t.Service.tenant_id) == tenant_id)
        .order_by(col(t.Service.active).desc(), col(t.Service.category), col(t.Service.name), col(t.Service.id))
    ).scalars()]
    rows = session.execute(sa.select(t.Staff).where(col(t.Staff.tenant_id) == tenant_id)
                           .order_by(col(t.Staff.active).desc(), col(t.Staff.name), col(t.Staff.id))).scalars().all()
    owned = sa.select(col(t.Staff.id)).where(col(t.Staff.tenant_id) == tenant_id).scalar_subquery()
    locations: dict[int, list[int]] = defaultdict(list)
    offers: dict[int, list[int]] = defaultdict(list)
    for sid, lid in session.execute(sa.select(col(t.StaffLocation.staff_id), col(t.StaffLocation.location_id))
                                    .where(col(t.StaffLocation.staff_id).in_(owned))
                                    .order_by(col(t.StaffLocation.location_id))):
        locations[sid].append(lid)
    for sid, svc in session.execute(sa.select(col(t.StaffService.staff_id), col(t.StaffService.service_id))
                                    .where(col(t.StaffService.staff_id).in_(owned))
                                    .order_by(col(t.StaffService.service_id))):
        offers[sid].append(svc)
    staff = [to_staff(r, location_ids=locations[r.id or 0], service_ids=offers[r.id or 0]) for r in rows]
    places = [to_location(r) for r in session.execute(
        sa.select(t.Location).where(col(t.Location.tenant_id) == tenant_id)
        .order_by(col(t.Location.active).desc(), col(t.Location.name), col(t.Location.id))).scalars()]
    return Catalog(services=services, staff=staff, locations=places)


def catalog_ids(session: Session, *, tenant_id: int) -> tuple[set[int], set[int], set[int]]:
    """The ids of the business's services, staff and locations (archived included): what a form may link."""
    found: tuple[set[int], set[int], set[int]] = (set(), set(), set())
    for kind, row_id in session.execute(sa.union_all(
            sa.select(sa.literal(0), col(t.Service.id)).where(col(t.Service.tenant_id) == tenant_id),
            sa.select(sa.literal(1), col(t.Staff.id)).where(col(t.Staff.tenant_id) == tenant_id),
            sa.select(sa.literal(2), col(t.Location.id)).where(col(t.Location.tenant_id) == tenant_id))):
        found[kind].add(row_id)
    return found


SERVICE_FIELDS = ('name', 'category', 'duration_min', 'price', 'deposit', 'buffer_before_min', 'buffer_after_min',
                  'capacity', 'slot_step_min', 'min_notice_min', 'max_days_ahead', 'meeting_url', 'color')


def update_service(session: Session, *, tenant_id: int, service_id: int, values: dict[str, Any]) -> bool:
    """Change the service's fields (names in SERVICE_FIELDS, the caller checked them); False when it is not this
    business's."""
    check_links(('The meeting link', values.get('meeting_url'), False))
    row = session.get(t.Service, service_id)
    if row is None or row.tenant_id != tenant_id:
        return False
    for key in SERVICE_FIELDS:
        if key in values:
            setattr(row, key, values[key])
    session.add(row)
    session.flush()
    return True


def set_service_staff(session: Session, *, service_id: int, staff_ids: Iterable[int]) -> None:
    """Who offers the service from now on (the caller checked both belong to the business)."""
    session.execute(sa.delete(t.StaffService).where(col(t.StaffService.service_id) == service_id))
    for staff_id in dict.fromkeys(staff_ids):
        session.add(t.StaffService(staff_id=staff_id, service_id=service_id))
    session.flush()


def update_staff(session: Session, *, tenant_id: int, staff_id: int, name: str, email: str,
                 location_ids: Iterable[int], service_ids: Iterable[int]) -> bool:
    """Change a staff member's name, email, places and services; False when they are not this business's."""
    row = session.get(t.Staff, staff_id)
    if row is None or row.tenant_id != tenant_id:
        return False
    row.name, row.email = name, email
    session.add(row)
    session.execute(sa.delete(t.StaffLocation).where(col(t.StaffLocation.staff_id) == staff_id))
    session.execute(sa.delete(t.StaffService).where(col(t.StaffService.staff_id) == staff_id))
    for location_id in dict.fromkeys(location_ids):
        session.add(t.StaffLocation(staff_id=staff_id, location_id=location_id))
    for service_id in dict.fromkeys(service_ids):
        session.add(t.StaffService(staff_id=staff_id, service_id=service_id))
    session.flush()
    return True


def update_location(session: Session, *, tenant_id: int, location_id: int, name: str, address: str) -> bool:
    row = session.get(t.Location, location_id)
    if row is None or row.tenant_id != tenant_id:
        return False
    row.name, row.address = name, address
    session.add(row)
    session.flush()
    return True


_KINDS: dict[str, type[t.Service] | type[t.Staff] | type[t.Location]] = {
    'service': t.Service, 'staff': t.Staff, 'location': t.Location}


def set_active(session: Session, *, tenant_id: int, kind: str, row_id: int, active: bool) -> bool:
    """Archive (False) or bring back (True) a service, staff member or location; False when it is not this
    business's. Nothing is deleted: its appointments keep pointing at it."""
    row = session.get(_KINDS[kind], row_id)
    if row is None or getattr(row, 'tenant_id', None) != tenant_id:
        return False
    setattr(row, 'active', active)  # noqa: B010 - each of the three tables has it
    session.add(row)
    session.flush()
    return True


def staff_offering(session: Session, *, service_id: int) -> list[int]:
    """Who offers the service, archived staff included (the service form's choice)."""
    return list(session.execute(sa.select(col(t.StaffService.staff_id))
                                .where(col(t.StaffService.service_id) == service_id)
                                .order_by(col(t.StaffService.staff_id))).scalars())


# ---- staff photos -------------------------------------------------------------------------------------------------


def save_staff_photo(session: Session, *, tenant_id: int, staff_id: int, content_type: str, data: bytes,
                     now: datetime) -> str | None:
    """Keep the cleaned photo and point the staff member at it (a new address each time, so no cache shows the old
    one); None when the staff member is not this business's."""
    staff = session.get(t.Staff, staff_id)
    if staff is None or staff.tenant_id != tenant_id:
        return None
    row = session.get(t.StaffPhoto, staff_id)
    if row is None:
        row = t.StaffPhoto(staff_id=staff_id, tenant_id=tenant_id, content_type=content_type, data=data,
                           updated_at=now)
    else:
        row.content_type, row.data, row.updated_at = content_type, data, now
    staff.avatar_url = f'/staff-photo/{staff_id}?v={int(now.timestamp())}'
    session.add_all([row, staff])
    session.flush()
    return staff.avatar_url


def remove_staff_photo(session: Session, *, tenant_id: int, staff_id: int) -> bool:
    staff = session.get(t.Staff, staff_id)
    if staff is None or staff.tenant_id != tenant_id:
        return False
    session.execute(sa.delete(t.StaffPhoto).where(col(t.StaffPhoto.staff_id) == staff_id))
    staff.avatar_url = None
    session.add(staff)
    session.flush()
    return True


def staff_photo(session: Session, *, tenant_id: int, staff_id: int) -> tuple[str, bytes] | None:
    """(content type, bytes) of the staff member's photo, only within their business."""
    row = session.execute(sa.select(col(t.StaffPhoto.content_type), col(t.StaffPhoto.data))
                          .where(col(t.StaffPhoto.tenant_id) == tenant_id,
                                 col(t.StaffPhoto.staff_id) == staff_id)).first()
    return None if row is None else (row[0], bytes(row[1]))


# ---- statements ---------------------------------------------------------------------------------------------------


def _staff_offering(one: bool, located: bool) -> sa.Select[Any]:
    stmt = (sa.select(col(t.Staff.id))
            .join(t.StaffService, col(t.StaffService.staff_id) == col(t.Staff.id))
            .where(col(t.Staff.tenant_id) == sa.bindparam('tenant_id'),
                   col(t.StaffService.service_id) == sa.bindparam('service_id'), col(t.Staff.active).is_(True))
            .order_by(col(t.Staff.id)))
    if one:
        stmt = stmt.where(col(t.Staff.id) == sa.bindparam('staff_id'))
    if located:
        stmt = stmt.where(sa.exists().where(col(t.StaffLocation.staff_id) == col(t.Staff.id),
                                            col(t.StaffLocation.location_id) == sa.bindparam('location_id'),
                                            col(t.Location.id) == col(t.StaffLocation.location_id),
                                            col(t.Location.active).is_(True)))
    return stmt


_STAFF_OFFERING = {(one, located): _staff_offering(one, located) for one in (False, True) for located in (False, True)}
_TOKEN_COLUMN = (sa.select(col(t.TenantVersion.token))
                 .where(col(t.TenantVersion.tenant_id) == sa.bindparam('tenant_id')).scalar_subquery())


def _with_token(stmt: sa.Select[Any], *, with_customer: bool, locking: bool) -> sa.Select[Any]:
    stmt = stmt.add_columns(_TOKEN_COLUMN)
    if with_customer:  # lock_staff_offering_reading_customer
        stmt = customer_db.alongside(stmt)
    return stmt.with_for_update(of=t.Staff) if locking else stmt


# Built once with and without FOR UPDATE OF staff (only PostgreSQL has it), with and without the customer's columns:
# a statement built per call costs its cache key every time, and a booking runs this one under its staff locks.
_STAFF_OFFERING_TOKEN = {(*key, with_customer, locking): _with_token(stmt, with_customer=with_customer, locking=locking)
                         for key, stmt in _STAFF_OFFERING.items()
                         for with_customer in (False, True) for locking in (False, True)}
_STAFF_OFFERING_LOCKING = {key[:3]: driver.Statement(stmt) for key, stmt in _STAFF_OFFERING_TOKEN.items() if key[3]}


def _offering_with_places(one: bool) -> sa.Select[Any]:
    staff, link, place = (table_of(t.Staff).c, table_of(t.StaffLocation).c,
                          table_of(t.Location).c)
    stmt = (sa.select(staff.id, staff.name, staff.email, staff.avatar_url, place.id.label('l_id'),
                      place.name.label('l_name'), place.address)
            .select_from(table_of(t.Staff))
            .join(table_of(t.StaffService), table_of(t.StaffService).c.staff_id == staff.id)
            .outerjoin(table_of(t.StaffLocation), link.staff_id == staff.id)
            .outerjoin(table_of(t.Location), sa.and_(place.id == link.location_id, place.active.is_(True)))
            .where(staff.tenant_id == sa.bindparam('tenant_id'), staff.active.is_(True),
                   table_of(t.StaffService).c.service_id == sa.bindparam('service_id'))
            .order_by(staff.id, link.location_id))
    return stmt.where(staff.id == sa.bindparam('staff_id')) if one else stmt


_OFFERING_WITH_PLACES = {one: _offering_with_places(one) for one in (False, True)}
_SERVICE = (sa.select(*table_of(t.Service).columns, col(t.Tenant.timezone).label('zone'))
            .join(t.Tenant, col(t.Tenant.id) == col(t.Service.tenant_id))
            .where(col(t.Service.tenant_id) == sa.bindparam('tenant_id'),
                   col(t.Service.id) == sa.bindparam('service_id')))
