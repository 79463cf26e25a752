"""Storage for changing an appointment: locks, the busy bookings of a staff member, status writes, notices, ratings.

Functions take the session first and keyword-only arguments; they return domain values or plain data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from domain import model as d
from domain.availability import Booking
from storage import queries as q
from storage import tables as t


def lock_appointment(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int) -> bool:
    """Lock the customer's own appointment row for this transaction; False when it is not theirs (or not there).

    On SQLite the write transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    stmt = select(t.Appointment.id).where(t.Appointment.tenant_id == tenant_id,
                                          t.Appointment.customer_id == customer_id,
                                          t.Appointment.id == appointment_id)
    if session.get_bind().dialect.name == 'postgresql':
        stmt = stmt.with_for_update()
    return session.exec(stmt).first() is not None


def lock_staff(session: Session, *, tenant_id: int, staff_id: int) -> None:
    """Serialise writers that take this staff member's time (PostgreSQL row lock; SQLite is serialised already)."""
    if session.get_bind().dialect.name == 'postgresql':
        session.exec(select(t.Staff.id).where(t.Staff.tenant_id == tenant_id, t.Staff.id == staff_id)
                     .with_for_update()).first()


def busy_bookings(session: Session, *, tenant_id: int, staff_id: int, start: datetime, end: datetime,
                  busy_keys: Iterable[str], margin: timedelta = timedelta(days=1)) -> list[Booking]:
    """The staff member's bookings with a busy status near [start, end) (widened by `margin` for buffers)."""
    a, svc = t.Appointment, t.Service
    rows = session.execute(
        sa.select(a.id, a.staff_id, a.start, a.end, a.service_id, a.seats, svc.buffer_before_min, svc.buffer_after_min)
        .join(svc, svc.id == a.service_id)
        .where(a.tenant_id == tenant_id, a.staff_id == staff_id, a.status_key.in_(list(busy_keys)),  # type: ignore[attr-defined]
               a.start < end + margin, a.end > start - margin)
    ).all()
    return [Booking(staff_id=r.staff_id, start=r.start, end=r.end, service_id=r.service_id, seats=r.seats,
                    buffer_before=timedelta(minutes=r.buffer_before_min),
                    buffer_after=timedelta(minutes=r.buffer_after_min), appointment_id=r.id) for r in rows]


def tenant_timezone(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.timezone).where(t.Tenant.id == tenant_id)).one()


def set_status(session: Session, *, tenant_id: int, appointment_id: int, status_key: str) -> None:
    session.execute(sa.update(t.Appointment).where(t.Appointment.tenant_id == tenant_id,
                                                   t.Appointment.id == appointment_id).values(status_key=status_key))


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeData:
    """Everything an email about one appointment needs, read in one go."""

    tenant: d.Tenant
    customer: d.Customer
    appointment: d.Appointment
    statuses: tuple[d.Status, ...]


def tenant(session: Session, *, tenant_id: int) -> d.Tenant | None:
    row = session.get(t.Tenant, tenant_id)
    return q.to_tenant(row) if row is not None else None


def notice_data(session: Session, *, tenant_id: int, appointment_id: int) -> NoticeData | None:
    """The appointment (with history), its customer, the tenant and its statuses."""
    row = session.exec(select(t.Appointment.customer_id).where(t.Appointment.tenant_id == tenant_id,
                                                               t.Appointment.id == appointment_id)).first()
    if row is None:
        return None
    tenant_row = session.get(t.Tenant, tenant_id)
    customer = q.customer(session, tenant_id=tenant_id, customer_id=row)
    status_list = q.statuses(session, tenant_id=tenant_id)
    appt = q.customer_appointment(session, tenant_id=tenant_id, customer_id=row, appointment_id=appointment_id,
                                  status_list=status_list)
    if tenant_row is None or customer is None or appt is None:
        return None
    return NoticeData(tenant=q.to_tenant(tenant_row), customer=customer, appointment=appt, statuses=status_list)


# ---- ratings ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingValue:
    stars: int
    comment: str
    created_at: datetime


def rating(session: Session, *, tenant_id: int, appointment_id: int) -> RatingValue | None:
    row = session.exec(select(t.Rating).where(t.Rating.tenant_id == tenant_id,
                                              t.Rating.appointment_id == appointment_id)).first()
    return RatingValue(stars=row.stars, comment=row.comment, created_at=row.created_at) if row else None


def add_rating(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int, stars: int, comment: str,
               now: datetime) -> None:
    session.add(t.Rating(tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id, stars=stars,
                         comment=comment, created_at=now))
    session.flush()
