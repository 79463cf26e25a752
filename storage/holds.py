"""Reads and writes of guest bookings held until their mailbox confirms them (the booking_hold table)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import model as d
from domain.availability import Booking
from storage import tables as t

_H, _SVC = t.BookingHold, t.Service


def to_held(row: t.BookingHold, *, service_name: str) -> d.HeldBooking:
    assert row.id is not None
    return d.HeldBooking(id=row.id, service_id=row.service_id, service_name=service_name, staff_id=row.staff_id,
                         location_id=row.location_id, start=row.start, end=row.end, seats=row.seats, email=row.email,
                         first_name=row.first_name, last_name=row.last_name, phone=row.phone, notes=row.notes,
                         expires_at=row.expires_at, locale=row.locale)


def insert_hold(session: Session, *, tenant_id: int, service_id: int, staff_id: int, location_id: int | None,
                start: datetime, end: datetime, seats: int, email: str, first_name: str, last_name: str, phone: str,
                notes: str, token_hash: str, now: datetime, expires_at: datetime, locale: str | None = None) -> int:
    row = t.BookingHold(tenant_id=tenant_id, service_id=service_id, staff_id=staff_id, location_id=location_id,
                        start=start, end=end, seats=seats, email=email, first_name=first_name, last_name=last_name,
                        phone=phone, notes=notes, token_hash=token_hash, created_at=now, expires_at=expires_at,
                        locale=locale)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def live_hold(session: Session, *, tenant_id: int, token_hash: str, now: datetime) -> d.HeldBooking | None:
    """The hold behind a link while it still holds its time; None when unknown, confirmed or expired."""
    found = session.exec(select(t.BookingHold, col(t.Service.name))
                         .join(t.Service, col(t.Service.id) == col(t.BookingHold.service_id))
                         .where(col(t.BookingHold.tenant_id) == tenant_id,
                                col(t.BookingHold.token_hash) == token_hash)).first()
    if found is None or found[0].expires_at <= now:
        return None
    return to_held(found[0], service_name=found[1])


def take_hold(session: Session, *, hold_id: int) -> bool:
    """Remove the hold as it becomes an appointment; False when another request took it first."""
    result = session.execute(sa.delete(t.BookingHold).where(col(t.BookingHold.id) == hold_id))
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]  # DML answers a CursorResult


def held_bookings(session: Session, *, tenant_id: int, staff_ids: list[int], start: datetime, end: datetime,
                  reach: timedelta, now: datetime) -> tuple[Booking, ...]:
    """Holds still running at `now` on these staff reaching into [start, end), as the engine's bookings."""
    if not staff_ids:
        return ()
    rows = session.connection().execute(_HELD, {  # built once: a booking reads it under its staff locks
        'tenant_id': tenant_id, 'staff_ids': list(staff_ids), 'now': now, 'before': end + reach,
        'after': start - reach})
    return tuple(Booking(staff_id=sid, start=lo, end=hi, service_id=svc, seats=seats,
                         buffer_before=timedelta(minutes=before), buffer_after=timedelta(minutes=after))
                 for sid, lo, hi, svc, seats, before, after in rows)


_HELD = (sa.select(col(_H.staff_id), col(_H.start), col(_H.end), col(_H.service_id), col(_H.seats),
                   col(_SVC.buffer_before_min), col(_SVC.buffer_after_min))
         .join(_SVC, col(_SVC.id) == col(_H.service_id))
         .where(col(_H.tenant_id) == sa.bindparam('tenant_id'),
                col(_H.staff_id).in_(sa.bindparam('staff_ids', expanding=True)),
                col(_H.expires_at) > sa.bindparam('now'),
                col(_H.start) < sa.bindparam('before'),
                col(_H.end) > sa.bindparam('after')))


def purge_expired(session: Session, *, now: datetime) -> int:
    """Forget holds that ran out (they hold nothing any more, and keep a guest's details for no reason)."""
    result = session.execute(sa.delete(t.BookingHold).where(col(t.BookingHold.expires_at) <= now))
    return result.rowcount or 0  # type: ignore[attr-defined]  # DML answers a CursorResult
