"""Packages the business sells and the ones customers bought, with the sessions they used.

Functions take the session first and keyword-only arguments; domain values go up, rows stay here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import model as d
from storage import tables as t
from storage.db import for_update
from storage.tenants import busy_status_keys

# ---- conversions --------------------------------------------------------------------------------------------------


def to_package(row: t.Package, service_ids: Iterable[int]) -> d.Package:
    assert row.id is not None
    return d.Package(id=row.id, name=row.name, sessions=row.sessions, price=row.price,
                     validity_days=row.validity_days, service_ids=tuple(sorted(service_ids)))


def to_customer_package(row: t.CustomerPackage, *, package: d.Package, sessions_used: int) -> d.CustomerPackage:
    assert row.id is not None
    return d.CustomerPackage(id=row.id, customer_id=row.customer_id, package=package, purchased_at=row.purchased_at,
                             expires_at=row.expires_at, sessions_used=sessions_used, amount_paid=row.amount_paid)


# ---- reads and writes ---------------------------------------------------------------------------------------------


def tenant_sells_packages(session: Session, *, tenant_id: int) -> bool:
    return session.exec(select(t.Package.id).where(t.Package.tenant_id == tenant_id).limit(1)).first() is not None


def sessions_used(session: Session, *, tenant_id: int, customer_package_ids: Iterable[int]) -> dict[int, int]:
    """Sessions used per customer package: its appointments that hold a slot (a busy status), in one statement."""
    ids = list(customer_package_ids)
    if not ids:
        return {}
    busy = busy_status_keys(session, tenant_id=tenant_id)
    rows = session.execute(
        sa.select(col(t.Appointment.customer_package_id), sa.func.count())
        .where(col(t.Appointment.tenant_id) == tenant_id,
               col(t.Appointment.customer_package_id).in_(ids),
               col(t.Appointment.status_key).in_(busy))
        .group_by(col(t.Appointment.customer_package_id))
    ).all()
    return {pid: int(n) for pid, n in rows}


def _packages(session: Session, package_ids: Iterable[int]) -> dict[int, d.Package]:
    ids = list(set(package_ids))
    if not ids:
        return {}
    services: dict[int, list[int]] = {i: [] for i in ids}
    for pid, sid in session.execute(sa.select(col(t.PackageService.package_id), col(t.PackageService.service_id))
                                    .where(col(t.PackageService.package_id).in_(ids))).all():
        services[pid].append(sid)
    rows = session.exec(select(t.Package).where(col(t.Package.id).in_(ids))).all()
    return {r.id: to_package(r, services[r.id]) for r in rows if r.id is not None}


def customer_packages(session: Session, *, tenant_id: int, customer_id: int) -> list[d.CustomerPackage]:
    """Every package the customer bought, newest first, with sessions used: four statements whatever the count."""
    rows = session.exec(select(t.CustomerPackage).where(
        col(t.CustomerPackage.tenant_id) == tenant_id, col(t.CustomerPackage.customer_id) == customer_id,
    ).order_by(col(t.CustomerPackage.purchased_at).desc(), col(t.CustomerPackage.id).desc())).all()
    packages = _packages(session, (r.package_id for r in rows))
    used = sessions_used(session, tenant_id=tenant_id, customer_package_ids=(r.id for r in rows if r.id))
    return [to_customer_package(r, package=packages[r.package_id], sessions_used=used.get(r.id or 0, 0))
            for r in rows]


def lock_customer_package(session: Session, *, tenant_id: int, customer_id: int, customer_package_id: int) -> bool:
    """Hold the customer's own package row for this transaction (PostgreSQL; on SQLite the write transaction already
    holds the database's write lock), so a concurrent booking or payment from the same package waits and then counts
    this one. False when the package is not theirs (or not there)."""
    stmt = select(t.CustomerPackage.id).where(t.CustomerPackage.tenant_id == tenant_id,
                                              t.CustomerPackage.customer_id == customer_id,
                                              t.CustomerPackage.id == customer_package_id)
    return session.exec(for_update(session, stmt)).first() is not None


def customer_package(session: Session, *, tenant_id: int, customer_id: int,
                     customer_package_id: int) -> d.CustomerPackage | None:
    """One of the customer's packages with sessions used counted now (lock it first with `lock_customer_package`
    when the count must hold until the transaction ends)."""
    row = session.exec(select(t.CustomerPackage).where(t.CustomerPackage.tenant_id == tenant_id,
                                                       t.CustomerPackage.customer_id == customer_id,
                                                       t.CustomerPackage.id == customer_package_id)).first()
    if row is None:
        return None
    package = _packages(session, [row.package_id])[row.package_id]
    used = sessions_used(session, tenant_id=tenant_id, customer_package_ids=[customer_package_id])
    return to_customer_package(row, package=package, sessions_used=used.get(customer_package_id, 0))


def credit_package(session: Session, *, customer_package_id: int, amount: int) -> None:
    session.execute(sa.update(t.CustomerPackage).where(col(t.CustomerPackage.id) == customer_package_id)
                    .values(amount_paid=col(t.CustomerPackage.amount_paid) + amount))


def create_package(session: Session, *, tenant_id: int, name: str, sessions: int, price: int, validity_days: int,
                   service_ids: Iterable[int]) -> int:
    row = t.Package(tenant_id=tenant_id, name=name, sessions=sessions, price=price, validity_days=validity_days)
    session.add(row)
    session.flush()
    assert row.id is not None
    for service_id in service_ids:
        session.add(t.PackageService(package_id=row.id, service_id=service_id))
    session.flush()
    return row.id


def create_customer_package(session: Session, *, tenant_id: int, customer_id: int, package_id: int,
                            purchased_at: datetime, validity_days: int, amount_paid: int = 0) -> int:
    row = t.CustomerPackage(tenant_id=tenant_id, customer_id=customer_id, package_id=package_id,
                            purchased_at=purchased_at, expires_at=purchased_at + timedelta(days=validity_days),
                            amount_paid=amount_paid)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
