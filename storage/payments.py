"""Payments and the provider's webhook events. Domain values go up, rows stay here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain import model as d
from storage import appointments, packages
from storage import tables as t

# ---- conversions --------------------------------------------------------------------------------------------------


def to_payment(row: t.Payment) -> d.Payment:
    assert row.id is not None
    try:
        state = d.PaymentState(row.state)
    except ValueError:
        state = d.PaymentState.FLAGGED
    return d.Payment(id=row.id, amount=row.amount, currency=row.currency, method=row.method, state=state,
                     created_at=row.created_at, settled_at=row.settled_at, appointment_id=row.appointment_id,
                     customer_package_id=row.customer_package_id, provider_ref=row.provider_ref, note=row.note)


# ---- what a payment is for ----------------------------------------------------------------------------------------


def lock_target(session: Session, *, payment: d.Payment) -> tuple[bool, bool | None]:
    """Hold the payment's appointment or package row for this transaction through its table's one lock, so two
    payments for one target are credited one after the other, each seeing what the other added.

    Returns (the customer's account is open, the appointment still holds its slot; None for a package).
    """
    stands: bool | None = None
    if payment.appointment_id is not None:
        tenant_id, customer_id = session.execute(
            sa.select(col(t.Appointment.tenant_id), col(t.Appointment.customer_id))
            .where(col(t.Appointment.id) == payment.appointment_id)).one()
        appointments.lock_appointment(session, tenant_id=tenant_id, customer_id=customer_id,
                                      appointment_id=payment.appointment_id)
        status_key = session.execute(sa.select(col(t.Appointment.status_key))
                                     .where(col(t.Appointment.id) == payment.appointment_id)).scalar_one()
        stands = bool(session.execute(sa.select(col(t.Status.busy)).where(
            col(t.Status.tenant_id) == tenant_id, col(t.Status.key) == status_key)).scalar())
    else:
        assert payment.customer_package_id is not None
        tenant_id, customer_id = session.execute(
            sa.select(col(t.CustomerPackage.tenant_id), col(t.CustomerPackage.customer_id))
            .where(col(t.CustomerPackage.id) == payment.customer_package_id)).one()
        packages.lock_customer_package(session, tenant_id=tenant_id, customer_id=customer_id,
                                       customer_package_id=payment.customer_package_id)
    deleted_at = session.execute(sa.select(col(t.Customer.deleted_at))
                                 .where(col(t.Customer.id) == customer_id)).scalar()
    return deleted_at is None, stands


def pending_with_checkout(session: Session, *, tenant_id: int, customer_id: int) -> list[d.Payment]:
    """The customer's payments still pending that have a provider checkout opened for them."""
    return [p for p in customer_payments(session, tenant_id=tenant_id, customer_id=customer_id)
            if p.state == d.PaymentState.PENDING and p.provider_ref]


def amount_still_due(session: Session, *, payment: d.Payment) -> int:
    """What the payment's appointment or package still owes now (its price less what was received)."""
    if payment.appointment_id is not None:
        price, paid = session.execute(sa.select(col(t.Appointment.price), col(t.Appointment.amount_paid))
                                      .where(col(t.Appointment.id) == payment.appointment_id)).one()
    else:
        price, paid = session.execute(
            sa.select(col(t.Package.price), col(t.CustomerPackage.amount_paid))
            .join(t.Package, col(t.Package.id) == col(t.CustomerPackage.package_id))
            .where(col(t.CustomerPackage.id) == payment.customer_package_id)).one()
    return d.amount_due(price=int(price), paid=int(paid))


def target_tenant(session: Session, *, appointment_id: int | None = None,
                  customer_package_id: int | None = None) -> int | None:
    """The tenant an appointment or customer package belongs to (None when there is no such row)."""
    if appointment_id is not None:
        return session.exec(select(t.Appointment.tenant_id).where(t.Appointment.id == appointment_id)).first()
    return session.exec(select(t.CustomerPackage.tenant_id)
                        .where(t.CustomerPackage.id == customer_package_id)).first()


# ---- payments ---------------------------------------------------------------------------------------------------


def _target(stmt: sa.Select[Any], *, appointment_id: int | None, customer_package_id: int | None) -> sa.Select[Any]:
    if appointment_id is not None:
        return stmt.where(col(t.Payment.appointment_id) == appointment_id)
    return stmt.where(col(t.Payment.customer_package_id) == customer_package_id)


def settled_count(session: Session, *, tenant_id: int, appointment_id: int | None = None,
                  customer_package_id: int | None = None) -> int:
    """How many payments for the target are no longer pending (succeeded, failed or flagged)."""
    stmt = sa.select(sa.func.count()).select_from(t.Payment).where(
        col(t.Payment.tenant_id) == tenant_id, col(t.Payment.state) != d.PaymentState.PENDING.value)
    return int(session.execute(_target(stmt, appointment_id=appointment_id,
                                       customer_package_id=customer_package_id)).scalar_one())


def pending_payment_id(session: Session, *, tenant_id: int, idempotency_key: str) -> int | None:
    return session.exec(select(t.Payment.id).where(
        t.Payment.tenant_id == tenant_id, t.Payment.idempotency_key == idempotency_key,
        t.Payment.state == d.PaymentState.PENDING.value)).first()


def add_payment(session: Session, *, tenant_id: int, amount: int, currency: str, method: str, state: str,
                created_at: datetime, appointment_id: int | None = None, customer_package_id: int | None = None,
                idempotency_key: str = '', provider_ref: str = '', note: str = '') -> int:
    """A payment row; one recorded as already settled (paid in person) is settled when it is recorded."""
    settled_at = None if state == d.PaymentState.PENDING.value else created_at
    row = t.Payment(tenant_id=tenant_id, appointment_id=appointment_id, customer_package_id=customer_package_id,
                    amount=amount, currency=currency, method=method, state=state, created_at=created_at,
                    settled_at=settled_at, idempotency_key=idempotency_key, provider_ref=provider_ref, note=note)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def set_provider_ref(session: Session, *, payment_id: int, provider_ref: str) -> None:
    session.execute(sa.update(t.Payment).where(col(t.Payment.id) == payment_id).values(provider_ref=provider_ref))


def payment_customer(session: Session, *, payment: d.Payment) -> int | None:
    """The customer whose appointment or package a payment is for."""
    if payment.appointment_id is not None:
        return session.exec(select(t.Appointment.customer_id).where(t.Appointment.id == payment.appointment_id)).first()
    return session.exec(select(t.CustomerPackage.customer_id)
                        .where(t.CustomerPackage.id == payment.customer_package_id)).first()


def payment(session: Session, *, payment_id: int) -> d.Payment | None:
    row = session.get(t.Payment, payment_id)
    return to_payment(row) if row else None


def payment_for_update(session: Session, *, payment_id: int) -> tuple[int, d.Payment] | None:
    """(tenant id, payment), holding the row for this transaction."""
    row = session.exec(select(t.Payment).where(t.Payment.id == payment_id).with_for_update()).first()
    return (row.tenant_id, to_payment(row)) if row else None


def payment_by_provider_ref(session: Session, *, provider_ref: str) -> tuple[int, d.Payment] | None:
    row = session.exec(select(t.Payment).where(col(t.Payment.provider_ref) == provider_ref)
                       .order_by(col(t.Payment.id)).with_for_update()).first()
    return (row.tenant_id, to_payment(row)) if row else None


def settle_payment(session: Session, *, payment_id: int, state: d.PaymentState, at: datetime,
                   note: str | None = None, provider_ref: str | None = None) -> None:
    values: dict[str, object] = {'state': state.value, 'settled_at': at}
    if note is not None:
        values['note'] = note
    if provider_ref:
        values['provider_ref'] = provider_ref
    session.execute(sa.update(t.Payment).where(col(t.Payment.id) == payment_id).values(**values))


def customer_payments(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int | None = None,
                      customer_package_id: int | None = None) -> list[d.Payment]:
    """The customer's payments (optionally for one appointment or package), oldest first."""
    stmt = (select(t.Payment)
            .outerjoin(t.Appointment, col(t.Appointment.id) == col(t.Payment.appointment_id))
            .outerjoin(t.CustomerPackage,
                       col(t.CustomerPackage.id) == col(t.Payment.customer_package_id))
            .where(col(t.Payment.tenant_id) == tenant_id,
                   sa.or_(col(t.Appointment.customer_id) == customer_id,
                          col(t.CustomerPackage.customer_id) == customer_id)))
    if appointment_id is not None:
        stmt = stmt.where(t.Payment.appointment_id == appointment_id)
    if customer_package_id is not None:
        stmt = stmt.where(t.Payment.customer_package_id == customer_package_id)
    rows = session.exec(stmt.order_by(col(t.Payment.created_at), col(t.Payment.id))).all()
    return [to_payment(r) for r in rows]


def customer_payment(session: Session, *, tenant_id: int, customer_id: int, payment_id: int) -> d.Payment | None:
    """One payment, only when it is for this customer's appointment or package in this tenant."""
    stmt = (select(t.Payment)
            .outerjoin(t.Appointment, col(t.Appointment.id) == col(t.Payment.appointment_id))
            .outerjoin(t.CustomerPackage,
                       col(t.CustomerPackage.id) == col(t.Payment.customer_package_id))
            .where(col(t.Payment.id) == payment_id, col(t.Payment.tenant_id) == tenant_id,
                   sa.or_(col(t.Appointment.customer_id) == customer_id,
                          col(t.CustomerPackage.customer_id) == customer_id)))
    row = session.exec(stmt).first()
    return to_payment(row) if row else None


# ---- webhook events ---------------------------------------------------------------------------------------------


def record_event(session: Session, *, event_id: str, tenant_id: int | None, event_type: str, now: datetime) -> bool:
    """Remember a provider event inside the caller's transaction; False when it was already handled.

    The insert comes first so that on PostgreSQL a concurrent duplicate waits on the key and then fails here.
    """
    if session.get(t.WebhookEvent, event_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(t.WebhookEvent(id=event_id, tenant_id=tenant_id, type=event_type, received_at=now))
    except IntegrityError:
        return False
    return True


def create_payment(session: Session, *, tenant_id: int, amount: int, currency: str, method: str, state: str,
                   created_at: datetime, appointment_id: int | None = None, customer_package_id: int | None = None,
                   provider_ref: str = '', note: str = '') -> int:
    row = t.Payment(tenant_id=tenant_id, appointment_id=appointment_id, customer_package_id=customer_package_id,
                    amount=amount, currency=currency, method=method, state=state, created_at=created_at,
                    provider_ref=provider_ref, note=note)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
