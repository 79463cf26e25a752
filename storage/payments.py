"""Queries and writes for payments, webhook events and customers' packages. Domain values go up, rows stay here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from domain import model as d
from storage import tables as t

# ---- conversions ----------------------------------------------------------------------------------------------


def to_payment(row: t.Payment) -> d.Payment:
    assert row.id is not None
    try:
        state = d.PaymentState(row.state)
    except ValueError:
        state = d.PaymentState.FLAGGED
    return d.Payment(id=row.id, amount=row.amount, currency=row.currency, method=row.method, state=state,
                     created_at=row.created_at, settled_at=row.settled_at, appointment_id=row.appointment_id,
                     customer_package_id=row.customer_package_id, provider_ref=row.provider_ref, note=row.note)


def to_package(row: t.Package, service_ids: Iterable[int]) -> d.Package:
    assert row.id is not None
    return d.Package(id=row.id, name=row.name, sessions=row.sessions, price=row.price,
                     validity_days=row.validity_days, service_ids=tuple(sorted(service_ids)))


def to_customer_package(row: t.CustomerPackage, *, package: d.Package, sessions_used: int) -> d.CustomerPackage:
    assert row.id is not None
    return d.CustomerPackage(id=row.id, customer_id=row.customer_id, package=package, purchased_at=row.purchased_at,
                             expires_at=row.expires_at, sessions_used=sessions_used, amount_paid=row.amount_paid)


# ---- tenants ----------------------------------------------------------------------------------------------------


def tenant_currency(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.currency).where(t.Tenant.id == tenant_id)).one()


def tenant_timezone(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.timezone).where(t.Tenant.id == tenant_id)).one()


def tenant_name(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.name).where(t.Tenant.id == tenant_id)).one()


def busy_status_keys(session: Session, *, tenant_id: int) -> list[str]:
    return list(session.exec(select(t.Status.key).where(t.Status.tenant_id == tenant_id,
                                                        t.Status.busy.is_(True))).all())  # type: ignore[attr-defined]


# ---- packages ---------------------------------------------------------------------------------------------------


def tenant_sells_packages(session: Session, *, tenant_id: int) -> bool:
    return session.exec(select(t.Package.id).where(t.Package.tenant_id == tenant_id).limit(1)).first() is not None


def sessions_used(session: Session, *, tenant_id: int, customer_package_ids: Iterable[int]) -> dict[int, int]:
    """Sessions used per customer package: its appointments that hold a slot (a busy status), in one statement."""
    ids = list(customer_package_ids)
    if not ids:
        return {}
    busy = busy_status_keys(session, tenant_id=tenant_id)
    rows = session.execute(
        sa.select(t.Appointment.customer_package_id, sa.func.count())
        .where(t.Appointment.tenant_id == tenant_id,
               t.Appointment.customer_package_id.in_(ids),  # type: ignore[union-attr]
               t.Appointment.status_key.in_(busy))  # type: ignore[attr-defined]
        .group_by(t.Appointment.customer_package_id)
    ).all()
    return {pid: int(n) for pid, n in rows}


def _packages(session: Session, package_ids: Iterable[int]) -> dict[int, d.Package]:
    ids = list(set(package_ids))
    if not ids:
        return {}
    services: dict[int, list[int]] = {i: [] for i in ids}
    for pid, sid in session.execute(sa.select(t.PackageService.package_id, t.PackageService.service_id)
                                    .where(t.PackageService.package_id.in_(ids))).all():  # type: ignore[attr-defined]
        services[pid].append(sid)
    rows = session.exec(select(t.Package).where(t.Package.id.in_(ids))).all()  # type: ignore[union-attr]
    return {r.id: to_package(r, services[r.id]) for r in rows if r.id is not None}


def customer_packages(session: Session, *, tenant_id: int, customer_id: int) -> list[d.CustomerPackage]:
    """Every package the customer bought, newest first, with sessions used: four statements whatever the count."""
    rows = session.exec(select(t.CustomerPackage).where(
        t.CustomerPackage.tenant_id == tenant_id, t.CustomerPackage.customer_id == customer_id,
    ).order_by(t.CustomerPackage.purchased_at.desc(), t.CustomerPackage.id.desc())).all()  # type: ignore[union-attr]
    packages = _packages(session, (r.package_id for r in rows))
    used = sessions_used(session, tenant_id=tenant_id, customer_package_ids=(r.id for r in rows if r.id))
    return [to_customer_package(r, package=packages[r.package_id], sessions_used=used.get(r.id or 0, 0))
            for r in rows]


def customer_package(session: Session, *, tenant_id: int, customer_id: int, customer_package_id: int,
                     lock: bool = False) -> d.CustomerPackage | None:
    """One of the customer's packages with sessions used counted now; lock=True holds the row (PostgreSQL) so a
    concurrent booking from the same package waits and then counts this one's session."""
    stmt = select(t.CustomerPackage).where(t.CustomerPackage.tenant_id == tenant_id,
                                           t.CustomerPackage.customer_id == customer_id,
                                           t.CustomerPackage.id == customer_package_id)
    if lock:
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        return None
    package = _packages(session, [row.package_id])[row.package_id]
    used = sessions_used(session, tenant_id=tenant_id, customer_package_ids=[customer_package_id])
    return to_customer_package(row, package=package, sessions_used=used.get(customer_package_id, 0))


def credit_package(session: Session, *, customer_package_id: int, amount: int) -> None:
    session.execute(sa.update(t.CustomerPackage).where(t.CustomerPackage.id == customer_package_id)
                    .values(amount_paid=t.CustomerPackage.amount_paid + amount))


# ---- appointments -----------------------------------------------------------------------------------------------


def lock_appointment(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int) -> bool:
    """Hold the customer's appointment row for this transaction (PostgreSQL); False when it is not theirs."""
    found = session.exec(select(t.Appointment.id).where(
        t.Appointment.tenant_id == tenant_id, t.Appointment.customer_id == customer_id,
        t.Appointment.id == appointment_id).with_for_update()).first()
    return found is not None


def credit_appointment(session: Session, *, appointment_id: int,
                       amount: int) -> tuple[d.PaymentStatus, d.PaymentStatus]:
    """Add money received to the appointment; returns its payment status before and after."""
    price, deposit, before = session.execute(sa.select(t.Appointment.price, t.Appointment.deposit,
                                                       t.Appointment.amount_paid)
                                             .where(t.Appointment.id == appointment_id)).one()
    session.execute(sa.update(t.Appointment).where(t.Appointment.id == appointment_id)
                    .values(amount_paid=t.Appointment.amount_paid + amount))
    return (d.payment_status(price=price, deposit=deposit, paid=before),
            d.payment_status(price=price, deposit=deposit, paid=before + amount))


def lock_target(session: Session, *, payment: d.Payment) -> tuple[bool, bool | None]:
    """Hold the payment's appointment or package row for this transaction (PostgreSQL; SQLite's write lock already
    serialises), so two payments for one target are credited one after the other, each seeing what the other added.

    Returns (the customer's account is open, the appointment still holds its slot; None for a package).
    """
    stands: bool | None = None
    if payment.appointment_id is not None:
        customer_id, status_key, tenant_id = session.execute(
            sa.select(t.Appointment.customer_id, t.Appointment.status_key, t.Appointment.tenant_id)
            .where(t.Appointment.id == payment.appointment_id).with_for_update()).one()
        stands = bool(session.execute(sa.select(t.Status.busy).where(
            t.Status.tenant_id == tenant_id, t.Status.key == status_key)).scalar())
    else:
        customer_id = session.execute(sa.select(t.CustomerPackage.customer_id)
                                      .where(t.CustomerPackage.id == payment.customer_package_id)
                                      .with_for_update()).scalar_one()
    deleted_at = session.execute(sa.select(t.Customer.deleted_at).where(t.Customer.id == customer_id)).scalar()
    return deleted_at is None, stands


def pending_with_checkout(session: Session, *, tenant_id: int, customer_id: int) -> list[d.Payment]:
    """The customer's payments still pending that have a provider checkout opened for them."""
    return [p for p in customer_payments(session, tenant_id=tenant_id, customer_id=customer_id)
            if p.state == d.PaymentState.PENDING and p.provider_ref]


def amount_still_due(session: Session, *, payment: d.Payment) -> int:
    """What the payment's appointment or package still owes now (its price less what was received)."""
    if payment.appointment_id is not None:
        price, paid = session.execute(sa.select(t.Appointment.price, t.Appointment.amount_paid)
                                      .where(t.Appointment.id == payment.appointment_id)).one()
    else:
        price, paid = session.execute(
            sa.select(t.Package.price, t.CustomerPackage.amount_paid)
            .join(t.Package, t.Package.id == t.CustomerPackage.package_id)  # type: ignore[arg-type]
            .where(t.CustomerPackage.id == payment.customer_package_id)).one()
    return d.amount_due(price=int(price), paid=int(paid))


def target_tenant(session: Session, *, appointment_id: int | None = None,
                  customer_package_id: int | None = None) -> int | None:
    """The tenant an appointment or customer package belongs to (None when there is no such row)."""
    if appointment_id is not None:
        return session.exec(select(t.Appointment.tenant_id).where(t.Appointment.id == appointment_id)).first()
    return session.exec(select(t.CustomerPackage.tenant_id)
                        .where(t.CustomerPackage.id == customer_package_id)).first()


# ---- payments ---------------------------------------------------------------------------------------------------


def _target(stmt: sa.Select, *, appointment_id: int | None, customer_package_id: int | None) -> sa.Select:
    if appointment_id is not None:
        return stmt.where(t.Payment.appointment_id == appointment_id)
    return stmt.where(t.Payment.customer_package_id == customer_package_id)


def settled_count(session: Session, *, tenant_id: int, appointment_id: int | None = None,
                  customer_package_id: int | None = None) -> int:
    """How many payments for the target are no longer pending (succeeded, failed or flagged)."""
    stmt = sa.select(sa.func.count()).select_from(t.Payment).where(
        t.Payment.tenant_id == tenant_id, t.Payment.state != d.PaymentState.PENDING.value)
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
    session.execute(sa.update(t.Payment).where(t.Payment.id == payment_id).values(provider_ref=provider_ref))


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
    row = session.exec(select(t.Payment).where(t.Payment.provider_ref == provider_ref)
                       .order_by(t.Payment.id).with_for_update()).first()  # type: ignore[arg-type]
    return (row.tenant_id, to_payment(row)) if row else None


def settle_payment(session: Session, *, payment_id: int, state: d.PaymentState, at: datetime,
                   note: str | None = None, provider_ref: str | None = None) -> None:
    values: dict[str, object] = {'state': state.value, 'settled_at': at}
    if note is not None:
        values['note'] = note
    if provider_ref:
        values['provider_ref'] = provider_ref
    session.execute(sa.update(t.Payment).where(t.Payment.id == payment_id).values(**values))


def customer_payments(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int | None = None,
                      customer_package_id: int | None = None) -> list[d.Payment]:
    """The customer's payments (optionally for one appointment or package), oldest first."""
    stmt = (select(t.Payment)
            .outerjoin(t.Appointment, t.Appointment.id == t.Payment.appointment_id)  # type: ignore[arg-type]
            .outerjoin(t.CustomerPackage,
                       t.CustomerPackage.id == t.Payment.customer_package_id)  # type: ignore[arg-type]
            .where(t.Payment.tenant_id == tenant_id,
                   sa.or_(t.Appointment.customer_id == customer_id, t.CustomerPackage.customer_id == customer_id)))
    if appointment_id is not None:
        stmt = stmt.where(t.Payment.appointment_id == appointment_id)
    if customer_package_id is not None:
        stmt = stmt.where(t.Payment.customer_package_id == customer_package_id)
    rows = session.exec(stmt.order_by(t.Payment.created_at, t.Payment.id)).all()  # type: ignore[arg-type]
    return [to_payment(r) for r in rows]


def customer_payment(session: Session, *, tenant_id: int, customer_id: int, payment_id: int) -> d.Payment | None:
    """One payment, only when it is for this customer's appointment or package in this tenant."""
    stmt = (select(t.Payment)
            .outerjoin(t.Appointment, t.Appointment.id == t.Payment.appointment_id)  # type: ignore[arg-type]
            .outerjoin(t.CustomerPackage,
                       t.CustomerPackage.id == t.Payment.customer_package_id)  # type: ignore[arg-type]
            .where(t.Payment.id == payment_id, t.Payment.tenant_id == tenant_id,
                   sa.or_(t.Appointment.customer_id == customer_id, t.CustomerPackage.customer_id == customer_id)))
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
