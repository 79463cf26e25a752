"""The front desk's reads and writes: the customer search, ratings per staff member and service, the package
catalog and packages sold at the desk.

The search reads only index ranges (see the customer table's `ix_customer_desk_*` indexes): every word the desk
types is a prefix, `x >= prefix AND x < bound`, which SQLite and PostgreSQL answer from an ordinary index, then
`LIKE prefix%` keeps exactly the rows that start with it (a collation may sort a few others into the range). A
page is two statements whatever the number of customers: the page, and the count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from domain import model as d
from domain.customer_desk import SearchTerms, prefix_upper_bound
from storage import tables as t
from storage.customers import to_customer
from storage.db import table_of

_C = table_of(t.Customer).c
_LAST, _FIRST = sa.func.lower(_C.last_name), sa.func.lower(_C.first_name)
_ORDER = (_LAST, _FIRST, _C.id)
BROAD = 2000  # matches from which SQLite reads a page along the name index


def _escape_like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _prefix(column: Any, prefix: str, *, binary: bool) -> sa.ColumnElement[bool]:
    """`column` starts with `prefix`: exactly the range in a binary (code point) order, as SQLite compares; under a
    linguistic collation (PostgreSQL's default) the range may hold a few others, which LIKE then drops."""
    within = sa.and_(column >= prefix, column < prefix_upper_bound(prefix))
    return within if binary else sa.and_(within, column.like(_escape_like(prefix) + '%', escape='\\'))


def _matches(terms: SearchTerms, *, binary: bool) -> sa.ColumnElement[bool]:
    """The customers the search finds: one indexed range per way of matching, any of them (PostgreSQL ORs the
    index scans in a bitmap, SQLite runs one index range per term)."""
    ways = [_prefix(_C.email_norm, terms.text, binary=binary), _prefix(_LAST, terms.text, binary=binary),
            _prefix(_FIRST, terms.text, binary=binary)]
    if terms.first and terms.last:
        ways.append(sa.and_(_prefix(_FIRST, terms.first, binary=binary), _prefix(_LAST, terms.last, binary=binary)))
    if terms.phone:
        ways.append(_prefix(_C.phone, terms.phone, binary=binary))
    return sa.or_(*ways)


@dataclass(frozen=True, slots=True)
class CustomerPage:
    customers: list[d.Customer]
    total: int
    page: int  # from 0


def search_customers(session: Session, *, tenant_id: int, terms: SearchTerms, page: int,
                     page_size: int) -> CustomerPage:
    """One page of the business's customers (closed accounts too) whose email, first name, last name or phone
    starts with what was typed, ordered by last then first name; every customer when nothing was typed."""
    page = max(page, 0)
    conn = session.connection()
    sqlite = conn.dialect.name == 'sqlite'
    where = _C.tenant_id == tenant_id
    if not terms.empty:
        where = sa.and_(where, _matches(terms, binary=sqlite))
    total = int(conn.execute(sa.select(sa.func.count()).select_from(table_of(t.Customer)).where(where)).scalar_one())
    stmt = sa.select(*_C).where(where).order_by(*_ORDER).limit(page_size).offset(page * page_size)
    if sqlite and not terms.empty and total > BROAD:
        # Many matches: walking the name index in order finds a page sooner than reading every match to sort them
        # (SQLite's planner would read them all; PostgreSQL's chooses by itself).
        stmt = stmt.with_hint(table_of(t.Customer), 'INDEXED BY ix_customer_desk_last', 'sqlite')
    rows = conn.execute(stmt).all()
    return CustomerPage([to_customer(r) for r in rows], total, page)


def iter_customers(session: Session, *, tenant_id: int, terms: SearchTerms, batch: int = 2000) -> Iterator[d.Customer]:
    """Every customer the search finds, in the list's order, read in batches (for the CSV export)."""
    page = 0
    while True:
        found = search_customers(session, tenant_id=tenant_id, terms=terms, page=page, page_size=batch)
        yield from found.customers
        if (page + 1) * batch >= found.total:
            return
        page += 1


def customer_count(session: Session, *, tenant_id: int) -> int:
    return int(session.execute(sa.select(sa.func.count()).where(_C.tenant_id == tenant_id)).scalar_one())


# ---- ratings ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """The customers' ratings of one staff member or service: how many, and their average in stars."""

    id: int
    name: str
    count: int
    average: float


def ratings_by(session: Session, *, tenant_id: int, by: str, customer_id: int | None = None) -> list[RatingSummary]:
    """Ratings grouped per staff member (`by='staff'`) or service (`by='service'`), best first; one statement. With
    `customer_id`, only that customer's ratings."""
    _R, _A = table_of(t.Rating).c, table_of(t.Appointment).c
    target = table_of(t.Staff) if by == 'staff' else table_of(t.Service)
    key = _A.staff_id if by == 'staff' else _A.service_id
    stmt = (sa.select(target.c.id, target.c.name, sa.func.count(), sa.func.avg(_R.stars))
            .select_from(table_of(t.Rating))
            .join(table_of(t.Appointment), _A.id == _R.appointment_id)
            .join(target, target.c.id == key)
            .where(_R.tenant_id == tenant_id, _A.tenant_id == tenant_id)
            .group_by(target.c.id, target.c.name))
    if customer_id is not None:
        stmt = stmt.where(_R.customer_id == customer_id)
    found = [RatingSummary(int(i), str(n), int(c), round(float(a), 2)) for i, n, c, a in session.execute(stmt)]
    return sorted(found, key=lambda r: (-r.average, -r.count, r.name.lower()))


# ---- packages -----------------------------------------------------------------------------------------------------


def packages(session: Session, *, tenant_id: int) -> list[d.Package]:
    """The business's package catalog by name, with the services each covers: two statements."""
    rows = session.execute(sa.select(col(t.Package.id), col(t.Package.name), col(t.Package.sessions),
                                     col(t.Package.price), col(t.Package.validity_days))
                           .where(col(t.Package.tenant_id) == tenant_id)).all()
    services: dict[int, list[int]] = {int(r[0]): [] for r in rows}
    if services:
        for pid, sid in session.execute(sa.select(col(t.PackageService.package_id), col(t.PackageService.service_id))
                                        .where(col(t.PackageService.package_id).in_(list(services)))):
            services[pid].append(sid)
    found = [d.Package(id=int(r[0]), name=r[1], sessions=r[2], price=r[3], validity_days=r[4],
                       service_ids=tuple(sorted(services[int(r[0])]))) for r in rows]
    return sorted(found, key=lambda p: (p.name.lower(), p.id))


def update_package(session: Session, *, tenant_id: int, package_id: int, name: str, sessions: int, price: int,
                   validity_days: int, service_ids: Iterable[int]) -> bool:
    done = session.execute(sa.update(t.Package).where(col(t.Package.tenant_id) == tenant_id,
                                                      col(t.Package.id) == package_id)
                           .values(name=name, sessions=sessions, price=price, validity_days=validity_days))
    if (done.rowcount or 0) != 1:  # type: ignore[attr-defined]  # DML answers a CursorResult
        return False
    session.execute(sa.delete(t.PackageService).where(col(t.PackageService.package_id) == package_id))
    for service_id in sorted(set(service_ids)):
        session.add(t.PackageService(package_id=package_id, service_id=service_id))
    session.flush()
    return True


def sell_package(session: Session, *, tenant_id: int, customer_id: int, package: d.Package, now: datetime,
                 paid: bool) -> int:
    """Give the customer a package from now for its validity; paid at the desk (its price recorded as paid) or left
    for the customer to pay in the panel."""
    row = t.CustomerPackage(tenant_id=tenant_id, customer_id=customer_id, package_id=package.id, purchased_at=now,
                            expires_at=now + timedelta(days=package.validity_days),
                            amount_paid=package.price if paid else 0)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
