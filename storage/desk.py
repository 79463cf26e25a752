"""The front desk's reads: the business's appointments filtered, sorted and paged, the calendar's range, and the
export's stream. Every read is a fixed number of statements, whatever the number of appointments: a page is one
statement (the page's ids by an index, then their rows joined), its count another, bounded by COUNT_CAP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from domain import model as d
from domain.desk import COUNT_CAP, AppointmentFilter, Cursor, DeskRow, FlaggedPayment, descending
from storage import tables as t
from storage.db import for_update, table_of

_A, _C, _S, _ST, _L = (table_of(t.Appointment).c, table_of(t.Customer).c, table_of(t.Service).c,
                       table_of(t.Staff).c, table_of(t.Location).c)
LONGEST = timedelta(days=1)
"""An appointment's longest length: the calendar looks this far back for ones that reach into its range."""


def _matching_customers(tenant_id: int, text: str, *, postgres: bool) -> sa.Select[Any]:
    """The business's customers whose first or last name, email or phone holds every word of `text`, ignoring
    case (SQLite's LIKE ignores the case of ASCII letters). A word with letters is looked for in the names and
    email, one with '@' in the email, one without letters in the phone (and, when only digits, the email). Plain
    LIKEs over the columns, no lower() of a joined name: a scan of 50,000 customers stays in the tens of
    milliseconds."""
    words = []
    for word in text.split()[:5]:
        pattern = '%' + word.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
        if not any(ch.isalpha() for ch in word):
            columns: tuple[Any, ...] = (_C.phone,) if not word.isdigit() else (_C.phone, _C.email_norm)
        elif '@' in word:
            columns = (_C.email_norm,)
        else:
            columns = (_C.first_name, _C.last_name, _C.email_norm)
        words.append(sa.or_(*(c.ilike(pattern, escape='\\') if postgres else c.like(pattern, escape='\\')
                              for c in columns)))
    return sa.select(_C.id).where(_C.tenant_id == tenant_id, *words)


def _conditions(session: Session, *, tenant_id: int, where: AppointmentFilter, lo: datetime | None,
                hi: datetime | None, matching: sa.CTE | None = None) -> list[Any]:
    postgres = session.get_bind().dialect.name == 'postgresql'
    conds: list[Any] = [_A.tenant_id == tenant_id]
    if lo is not None:
        conds.append(_A.start >= lo)
    if hi is not None:
        conds.append(_A.start < hi)
    if where.customer_id is not None:
        conds.append(_A.customer_id == where.customer_id)
    if where.staff_id is not None:
        conds.append(_A.staff_id == where.staff_id)
    if where.service_id is not None:
        conds.append(_A.service_id == where.service_id)
    if where.location_id is not None:
        conds.append(_A.location_id == where.location_id)
    if where.status_key:
        conds.append(_A.status_key == where.status_key)
    if where.payment == 'paid':
        conds.append(_A.amount_paid >= _A.price)
    elif where.payment == 'deposit_paid':
        conds.extend((_A.amount_paid < _A.price, _A.amount_paid > 0, _A.amount_paid >= _A.deposit))
    elif where.payment == 'unpaid':
        conds.extend((_A.amount_paid < _A.price, sa.or_(_A.amount_paid <= 0, _A.amount_paid < _A.deposit)))
    if where.text:
        found = (sa.select(matching.c.id) if matching is not None
                 else _matching_customers(tenant_id, where.text, postgres=postgres))
        conds.append(_A.customer_id.in_(found))
    return conds


def _order(sort: str) -> tuple[Any, ...]:
    if sort == 'start_asc':
        return _A.start.asc(), _A.id.asc()
    if sort == 'created_desc':
        return _A.created_at.desc(), _A.id.desc()
    return _A.start.desc(), _A.id.desc()


_ROW_COLUMNS = (
    _A.id, _A.start, _A.end, _A.status_key, _A.customer_id, _A.staff_id, _A.price, _A.deposit, _A.amount_paid,
    _A.created_at, _A.confirmed_by, _A.confirmed_at,
    _C.first_name, _C.last_name, _C.email, _C.phone, _S.name.label('service_name'), _S.color,
    _ST.name.label('staff_name'), _L.name.label('location_name'),
)


def _joined(base: sa.FromClause | sa.TableClause) -> sa.Select[Any]:
    return (sa.select(*_ROW_COLUMNS).select_from(base)
            .join(table_of(t.Customer), _C.id == _A.customer_id)
            .join(table_of(t.Service), _S.id == _A.service_id)
            .join(table_of(t.Staff), _ST.id == _A.staff_id)
            .outerjoin(table_of(t.Location), _L.id == _A.location_id))


def _to_row(r: Any) -> DeskRow:
    return DeskRow(id=r.id, start=r.start, end=r.end, status_key=r.status_key, customer_id=r.customer_id,
                   customer_name=f'{r.first_name} {r.last_name}'.strip(), customer_email=r.email,
                   customer_phone=r.phone or '', service_name=r.service_name, color=r.color, staff_id=r.staff_id,
                   staff_name=r.staff_name, location_name=r.location_name or '', price=r.price, deposit=r.deposit,
                   amount_paid=r.amount_paid, created_at=r.created_at, confirmed_by=r.confirmed_by,
                   confirmed_at=r.confirmed_at)


def page(session: Session, *, tenant_id: int, where: AppointmentFilter, lo: datetime | None, hi: datetime | None,
         move: str = 'first', cursor: Cursor | None = None, limit: int) -> tuple[list[DeskRow], int, bool]:
    """One page of the filter's appointments (keyset paging: `move` 'first', 'last', or 'next'/'previous' from
    `cursor`), how many match in all (up to COUNT_CAP + 1), and whether there is more beyond it in the direction
    of the move. One statement: the page's ids come from an index, then their rows with customer, service, staff
    and location, each carrying the count. The customers a text matches are found once (a materialised CTE)."""
    matching = None
    if where.text:
        postgres = session.get_bind().dialect.name == 'postgresql'
        matching = _matching_customers(tenant_id, where.text, postgres=postgres).cte('matching').prefix_with(
            'MATERIALIZED')
    conds = _conditions(session, tenant_id=tenant_id, where=where, lo=lo, hi=hi, matching=matching)
    down = descending(where.sort, move)
    key = _A.created_at if where.sort == 'created_desc' else _A.start
    order = (key.desc(), _A.id.desc()) if down else (key.asc(), _A.id.asc())
    seek = list(conds)
    if cursor is not None and move in ('next', 'previous'):
        here = sa.tuple_(key, _A.id)
        there = sa.tuple_(sa.bindparam('cursor_key', cursor.key, type_=key.type), sa.bindparam('cursor_id', cursor.id))
        seek.append(here < there if down else here > there)
    ids = sa.select(_A.id).where(*seek).order_by(*order).limit(limit + 1).subquery('page_ids')
    total = sa.select(sa.func.count()).select_from(
        sa.select(_A.id).where(*conds).limit(COUNT_CAP + 1).subquery('capped')).scalar_subquery()
    appointment = table_of(t.Appointment)
    stmt = _joined(appointment.join(ids, ids.c.id == _A.id)).add_columns(total.label('total')).order_by(*order)
    found = session.connection().execute(stmt).all()
    if not found:  # an empty page carries no count: ask for it (when nothing matches, or nothing is left that way)
        return [], 0 if cursor is None else count(session, tenant_id=tenant_id, where=where, lo=lo, hi=hi), False
    rows = [_to_row(r) for r in found[:limit]]
    if move in ('previous', 'last'):
        rows.reverse()
    return rows, int(found[0].total), len(found) > limit


def count(session: Session, *, tenant_id: int, where: AppointmentFilter, lo: datetime | None,
          hi: datetime | None) -> int:
    """How many appointments match, counted up to COUNT_CAP + 1 (more than COUNT_CAP reads as 'more than')."""
    capped = (sa.select(_A.id).where(*_conditions(session, tenant_id=tenant_id, where=where, lo=lo, hi=hi))
              .limit(COUNT_CAP + 1).subquery('capped'))
    return int(session.connection().execute(sa.select(sa.func.count()).select_from(capped)).scalar_one())


def stream(session: Session, *, tenant_id: int, where: AppointmentFilter, lo: datetime | None,
           hi: datetime | None) -> Iterator[DeskRow]:
    """Every appointment the filter matches, in its order, read in batches (the export)."""
    stmt = _joined(table_of(t.Appointment)).where(
        *_conditions(session, tenant_id=tenant_id, where=where, lo=lo, hi=hi)).order_by(*_order(where.sort))
    result = session.connection().execution_options(stream_results=True, yield_per=500).execute(stmt)
    for r in result:
        yield _to_row(r)


def in_range(session: Session, *, tenant_id: int, lo: datetime, hi: datetime) -> list[DeskRow]:
    """The appointments that overlap [lo, hi), by start, with their customers: two statements (the customers apart,
    by their ids, so PostgreSQL looks up the week's few hundred instead of hashing all 50,000)."""
    conds = (_A.tenant_id == tenant_id, _A.start >= lo - LONGEST, _A.start < hi, _A.end > lo)
    columns = [c for c in _ROW_COLUMNS if c.table is not table_of(t.Customer)]
    stmt = (sa.select(*columns).select_from(table_of(t.Appointment))
            .join(table_of(t.Service), _S.id == _A.service_id)
            .join(table_of(t.Staff), _ST.id == _A.staff_id)
            .outerjoin(table_of(t.Location), _L.id == _A.location_id)
            .where(*conds).order_by(_A.start, _A.id))
    found = session.connection().execute(stmt).all()
    people = {r.id: r for r in session.connection().execute(
        sa.select(_C.id, _C.first_name, _C.last_name, _C.email, _C.phone).where(
            _C.id.in_(sa.select(_A.customer_id).where(*conds))))}
    rows = []
    for r in found:
        who = people.get(r.customer_id)
        rows.append(DeskRow(
            id=r.id, start=r.start, end=r.end, status_key=r.status_key, customer_id=r.customer_id,
            customer_name=f'{who.first_name} {who.last_name}'.strip() if who else '',
            customer_email=who.email if who else '', customer_phone=(who.phone or '') if who else '',
            service_name=r.service_name, color=r.color, staff_id=r.staff_id, staff_name=r.staff_name,
            location_name=r.location_name or '', price=r.price, deposit=r.deposit, amount_paid=r.amount_paid,
            created_at=r.created_at, confirmed_by=r.confirmed_by, confirmed_at=r.confirmed_at))
    return rows


def one(session: Session, *, tenant_id: int, appointment_id: int) -> DeskRow | None:
    stmt = _joined(table_of(t.Appointment)).where(_A.tenant_id == tenant_id, _A.id == appointment_id)
    found = session.connection().execute(stmt).first()
    return None if found is None else _to_row(found)


def lock(session: Session, *, tenant_id: int, appointment_id: int) -> int | None:
    """Lock the business's appointment for this transaction; its customer's id, or None when it is not theirs."""
    stmt = sa.select(_A.customer_id).where(_A.tenant_id == tenant_id, _A.id == appointment_id)
    found = session.connection().execute(for_update(session, stmt)).first()
    return None if found is None else int(found[0])


def staff_columns(session: Session, *, tenant_id: int) -> list[tuple[int, str, bool]]:
    """(id, name, active) of every staff member, active first then by name."""
    rows = session.connection().execute(sa.select(_ST.id, _ST.name, _ST.active).where(_ST.tenant_id == tenant_id)
                                        .order_by(_ST.active.desc(), _ST.name, _ST.id))
    return [(int(r.id), str(r.name), bool(r.active)) for r in rows]


def choices(session: Session, *, tenant_id: int) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """The filter's choices: staff, services and locations by id (names), one statement."""
    union = sa.union_all(
        sa.select(sa.literal('staff').label('kind'), _ST.id, _ST.name).where(_ST.tenant_id == tenant_id),
        sa.select(sa.literal('service').label('kind'), _S.id, _S.name).where(_S.tenant_id == tenant_id),
        sa.select(sa.literal('location').label('kind'), _L.id, _L.name).where(_L.tenant_id == tenant_id),
    )
    found: dict[str, dict[int, str]] = {'staff': {}, 'service': {}, 'location': {}}
    for kind, row_id, name in session.connection().execute(union):
        found[kind][int(row_id)] = str(name)
    return ({k: v for k, v in sorted(found['staff'].items(), key=lambda kv: kv[1])},
            {k: v for k, v in sorted(found['service'].items(), key=lambda kv: kv[1])},
            {k: v for k, v in sorted(found['location'].items(), key=lambda kv: kv[1])})


def flagged_payments(session: Session, *, tenant_id: int) -> list[FlaggedPayment]:
    """The business's payments held for review, oldest first, with their customer and appointment: one statement."""
    p, cp = table_of(t.Payment).c, table_of(t.CustomerPackage).c
    stmt = (sa.select(p.id, p.amount, p.currency, p.method, p.state, p.note, p.created_at, p.appointment_id,
                      _C.first_name, _C.last_name, _C.email, _S.name.label('service_name'), _A.start)
            .select_from(table_of(t.Payment))
            .outerjoin(table_of(t.Appointment), _A.id == p.appointment_id)
            .outerjoin(table_of(t.CustomerPackage), cp.id == p.customer_package_id)
            .outerjoin(table_of(t.Customer), _C.id == sa.func.coalesce(_A.customer_id, cp.customer_id))
            .outerjoin(table_of(t.Service), _S.id == _A.service_id)
            .where(*_flagged(tenant_id)).order_by(p.created_at, p.id))
    return [FlaggedPayment(payment_id=r.id, amount=r.amount, currency=r.currency, method=r.method, state=r.state,
                           note=r.note or '', created_at=r.created_at,
                           customer_name=f'{r.first_name or ""} {r.last_name or ""}'.strip(),
                           customer_email=r.email or '', appointment_id=r.appointment_id,
                           service_name=r.service_name or '', start=r.start)
            for r in session.connection().execute(stmt)]


def count_flagged_payments(session: Session, *, tenant_id: int) -> int:
    """How many of the business's payments are held for review (the admin overview's line): one count."""
    return int(session.connection().execute(
        sa.select(sa.func.count()).select_from(table_of(t.Payment)).where(*_flagged(tenant_id))).scalar_one())


def _flagged(tenant_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    p = table_of(t.Payment).c
    return p.tenant_id == tenant_id, p.state == 'flagged'


def payment_status(session: Session, *, appointment_id: int) -> str:
    """The appointment's payment status now (domain.model.payment_status)."""
    price, deposit, paid = session.connection().execute(
        sa.select(_A.price, _A.deposit, _A.amount_paid).where(_A.id == appointment_id)).one()
    return d.payment_status(price=price, deposit=deposit, paid=paid).value


def customers_matching(session: Session, *, tenant_id: int, text: str, limit: int = 10) -> list[tuple[int, str]]:
    """Up to `limit` of the business's open accounts whose name, email or phone holds the words: (id, 'Name
    <email>'), by name."""
    postgres = session.get_bind().dialect.name == 'postgresql'
    ids = _matching_customers(tenant_id, text, postgres=postgres).where(_C.deleted_at.is_(None))
    rows = session.connection().execute(
        sa.select(_C.id, _C.first_name, _C.last_name, _C.email).where(_C.id.in_(ids))
        .order_by(_C.first_name, _C.last_name, _C.id).limit(limit))
    return [(int(r.id), f'{r.first_name} {r.last_name}'.strip() + f' <{r.email}>') for r in rows]
