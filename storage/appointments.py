"""Appointments with their history and ratings: the panel's reads, the busy bookings, locks and writes.

Each function takes the session first and keyword-only arguments after it. A page's query count must not grow
with the number of appointments: related rows are loaded by one join or one query per kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import history as dh
from domain import model as d
from domain.availability import Booking
from domain.schedules import Visit
from domain.settings import PanelSettings
from storage import customers, driver, outbox, tenants
from storage import tables as t
from storage.db import for_update, table_of

REACH = timedelta(days=1)
"""How far a booking's busy span may reach beyond its start or end (its buffers), and a booking's longest length."""


# ---- conversions --------------------------------------------------------------------------------------------------


def to_history(row: t.AppointmentHistory) -> d.HistoryEntry:
    return d.HistoryEntry(at=row.at, actor=row.actor, action=row.action, data=dict(row.data or {}))


# ---- appointments ----------------------------------------------------------------------------------------------

# Plain columns, read without the ORM: the panel reads these on every page view, and building ORM instances
# for a row and its service, staff and location cost more than the query.
_A, _S, _ST, _L = (table_of(t.Appointment).c, table_of(t.Service).c,
                   table_of(t.Staff).c, table_of(t.Location).c)
_APPOINTMENT_COLUMNS = (
    _A.id, _A.customer_id, _A.start, _A.end, _A.status_key, _A.price, _A.amount_paid, _A.deposit, _A.seats,
    _A.notes, _A.customer_package_id, _A.reschedule_count, _A.created_at,
    _S.id.label('s_id'), _S.name.label('s_name'), _S.category, _S.duration_min, _S.price.label('s_price'),
    _S.deposit.label('s_deposit'), _S.buffer_before_min, _S.buffer_after_min, _S.capacity, _S.slot_step_min,
    _S.min_notice_min, _S.max_days_ahead, _S.meeting_url, _S.color,
    _ST.id.label('p_id'), _ST.name.label('p_name'), _ST.email.label('p_email'), _ST.avatar_url,
    _L.id.label('l_id'), _L.name.label('l_name'), _L.address,
)
_APPOINTMENT_JOIN = (
    sa.select(*_APPOINTMENT_COLUMNS)
    .select_from(table_of(t.Appointment))
    .join(table_of(t.Service), _S.id == _A.service_id)
    .join(table_of(t.Staff), _ST.id == _A.staff_id)
    .outerjoin(table_of(t.Location), _L.id == _A.location_id)
)


def _appointments_from(session: Session, stmt: sa.Select[Any], status_map: dict[str, d.Status],
                       params: dict[str, object] | None = None) -> list[d.Appointment]:
    services: dict[int, d.Service] = {}
    staff: dict[int, d.Staff] = {}
    locations: dict[int, d.Location] = {}
    out = []
    for r in session.connection().execute(stmt, params or {}):
        svc = services.get(r.s_id)
        if svc is None:
            svc = services[r.s_id] = d.Service(
                id=r.s_id, name=r.s_name, category=r.category, duration=timedelta(minutes=r.duration_min),
                price=r.s_price, deposit=r.s_deposit, buffer_before=timedelta(minutes=r.buffer_before_min),
                buffer_after=timedelta(minutes=r.buffer_after_min), capacity=r.capacity,
                slot_step=timedelta(minutes=r.slot_step_min), min_notice=timedelta(minutes=r.min_notice_min),
                max_days_ahead=r.max_days_ahead, meeting_url=r.meeting_url, color=r.color)
        person = staff.get(r.p_id)
        if person is None:
            person = staff[r.p_id] = d.Staff(id=r.p_id, name=r.p_name, email=r.p_email, avatar_url=r.avatar_url)
        place = None
        if r.l_id is not None:
            place = locations.get(r.l_id)
            if place is None:
                place = locations[r.l_id] = d.Location(id=r.l_id, name=r.l_name, address=r.address)
        out.append(d.Appointment(
            id=r.id, customer_id=r.customer_id, service=svc, staff=person, location=place, start=r.start,
            end=r.end, status=status_map.get(r.status_key) or tenants.unknown_status(r.status_key), price=r.price,
            amount_paid=r.amount_paid, deposit=r.deposit, seats=r.seats, notes=r.notes,
            customer_package_id=r.customer_package_id, reschedule_count=r.reschedule_count,
            created_at=r.created_at))
    return out


def customer_appointments(session: Session, *, tenant_id: int, customer_id: int,
                          status_list: Iterable[d.Status]) -> list[d.Appointment]:
    """Every appointment of one customer, newest first, with service, staff and location: one statement."""
    stmt = _APPOINTMENT_JOIN.where(col(t.Appointment.tenant_id) == tenant_id,
                                   col(t.Appointment.customer_id) == customer_id).order_by(
        col(t.Appointment.start).desc())
    return _appointments_from(session, stmt, {s.key: s for s in status_list})


def customer_appointment(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int,
                         status_list: Iterable[d.Status], with_history: bool = True) -> d.Appointment | None:
    """One appointment, only if it belongs to this customer of this tenant."""
    stmt = _APPOINTMENT_JOIN.where(col(t.Appointment.tenant_id) == tenant_id,
                                   col(t.Appointment.customer_id) == customer_id,
                                   col(t.Appointment.id) == appointment_id)
    found = _appointments_from(session, stmt, {s.key: s for s in status_list})
    if not found:
        return None
    appt = found[0]
    if with_history:
        h = t.AppointmentHistory
        rows = session.exec(select(h).where(col(h.appointment_id) == appointment_id).order_by(col(h.at),
                                                                                              col(h.id))).all()
        appt = replace(appt, history=tuple(to_history(r) for r in rows))
    return appt


def add_history(session: Session, *, tenant_id: int, appointment_id: int, entry: d.HistoryEntry) -> None:
    # A prepared INSERT rather than an ORM instance: writers call this while they hold their locks.
    session.connection().execute(_INSERT_HISTORY, {  # one row on the Core path, not the ORM's bulk insert
        'tenant_id': tenant_id, 'appointment_id': appointment_id, 'at': entry.at, 'actor': entry.actor,
        'action': entry.action, 'data': dict(entry.data)})


_INSERT_HISTORY = sa.insert(t.AppointmentHistory)


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeData:
    """Everything an email about one appointment needs, read in one go."""

    tenant: d.Tenant
    customer: d.Customer
    appointment: d.Appointment
    statuses: tuple[d.Status, ...]
    settings: PanelSettings  # the business's default language and its own wording


def notice_data(session: Session, *, tenant_id: int, appointment_id: int) -> NoticeData | None:
    """The appointment (with history), its customer, the tenant and its statuses."""
    row = session.exec(select(t.Appointment.customer_id).where(t.Appointment.tenant_id == tenant_id,
                                                               t.Appointment.id == appointment_id)).first()
    if row is None:
        return None
    tenant_row = session.get(t.Tenant, tenant_id)
    customer = customers.customer(session, tenant_id=tenant_id, customer_id=row)
    status_list = tenants.statuses(session, tenant_id=tenant_id)
    appt = customer_appointment(session, tenant_id=tenant_id, customer_id=row, appointment_id=appointment_id,
                                  status_list=status_list)
    if tenant_row is None or customer is None or appt is None:
        return None
    return NoticeData(tenant=tenants.to_tenant(tenant_row), customer=customer, appointment=appt, statuses=status_list,
                      settings=tenants.panel_settings(session, tenant_id=tenant_id))


def has_appointments(session: Session, *, tenant_id: int, customer_id: int) -> bool:
    return session.execute(sa.select(sa.exists().where(col(t.Appointment.tenant_id) == tenant_id,
                                                       col(t.Appointment.customer_id) == customer_id))).scalar() is True


# ---- locks and writes ---------------------------------------------------------------------------------------------


def lock_appointment(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int) -> bool:
    """Lock the customer's own appointment row for this transaction; False when it is not theirs (or not there).

    On SQLite the write transaction already holds the database's write lock (BEGIN IMMEDIATE).
    """
    stmt = select(t.Appointment.id).where(t.Appointment.tenant_id == tenant_id,
                                          t.Appointment.customer_id == customer_id,
                                          t.Appointment.id == appointment_id)
    return session.exec(for_update(session, stmt)).first() is not None


def set_status(session: Session, *, tenant_id: int, appointment_id: int, status_key: str) -> None:
    session.execute(sa.update(t.Appointment).where(col(t.Appointment.tenant_id) == tenant_id,
                                                   col(t.Appointment.id) == appointment_id)
                    .values(status_key=status_key))


def move_all_to_status(session: Session, *, tenant_id: int, from_key: str, to_key: str) -> list[tuple[int, int]]:
    """Every appointment of the business in `from_key` now in `to_key` (a status merged into another); returns
    the (appointment id, customer id) of each moved."""
    a = t.Appointment
    # One statement that moves and tells which moved: a booking landing in `from_key` meanwhile is moved and told too.
    moved = [(int(i), int(c)) for i, c in session.execute(
        sa.update(a).where(col(a.tenant_id) == tenant_id, col(a.status_key) == from_key)
        .values(status_key=to_key).returning(col(a.id), col(a.customer_id)))]
    return sorted(moved)


def count_in_status(session: Session, *, tenant_id: int, status_key: str) -> int:
    """How many of the business's appointments are in the status (one in use cannot simply be deleted)."""
    a = t.Appointment
    return int(session.execute(sa.select(sa.func.count()).select_from(a).where(
        col(a.tenant_id) == tenant_id, col(a.status_key) == status_key)).scalar_one())


def status_use_counts(session: Session, *, tenant_id: int) -> dict[str, int]:
    """How many of the business's appointments each status holds (statuses holding none are left out)."""
    a = t.Appointment
    return {str(k): int(n) for k, n in session.execute(
        sa.select(col(a.status_key), sa.func.count()).where(col(a.tenant_id) == tenant_id).group_by(col(a.status_key)))}


def add_histories(session: Session, *, tenant_id: int, entries: Sequence[tuple[int, d.HistoryEntry]]) -> None:
    """Many (appointment id, entry) pairs in one statement."""
    if entries:
        session.execute(_INSERT_HISTORY, [{'tenant_id': tenant_id, 'appointment_id': appointment_id, 'at': e.at,
                                           'actor': e.actor, 'action': e.action, 'data': dict(e.data)}
                                          for appointment_id, e in entries])


def insert_appointment(session: Session, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int,
                       location_id: int | None, start: datetime, end: datetime, seats: int, status_key: str,
                       price: int, deposit: int, notes: str, customer_package_id: int | None, now: datetime) -> int:
    # One prepared INSERT ... RETURNING, not an ORM instance and a flush: this runs while the staff rows are locked.
    # Core, not the ORM's bulk-insert path: a third of the CPU for the same statement.
    return int(session.connection().execute(_INSERT_APPOINTMENT, {
        'tenant_id': tenant_id, 'customer_id': customer_id, 'service_id': service_id, 'staff_id': staff_id,
        'location_id': location_id, 'start': start, 'end': end, 'seats': seats, 'status_key': status_key,
        'price': price, 'deposit': deposit, 'amount_paid': 0, 'notes': notes,
        'customer_package_id': customer_package_id, 'reschedule_count': 0, 'created_at': now}).scalar_one())


_INSERT_APPOINTMENT = sa.insert(t.Appointment).returning(table_of(t.Appointment).c.id)


def insert_booked(session: Session, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int,
                  location_id: int | None, start: datetime, end: datetime, seats: int, status_key: str, price: int,
                  deposit: int, notes: str, customer_package_id: int | None, now: datetime,
                  entry: d.HistoryEntry, emails: Sequence[outbox.NewEmail] = ()) -> int:
    """`insert_appointment`, its first history line (`add_history`) and `emails` about it (storage.outbox, each
    given the new id at outbox.APPOINTMENT_ID): on PostgreSQL through the driver one statement (the history and
    outbox rows are inserted from the appointment's RETURNING), else one for each. Its id."""
    if not driver.enabled(session):
        appointment_id = insert_appointment(
            session, tenant_id=tenant_id, customer_id=customer_id, service_id=service_id, staff_id=staff_id,
            location_id=location_id, start=start, end=end, seats=seats, status_key=status_key, price=price,
            deposit=deposit, notes=notes, customer_package_id=customer_package_id, now=now)
        add_history(session, tenant_id=tenant_id, appointment_id=appointment_id, entry=entry)
        for email in emails:
            outbox.insert_new(session, outbox.with_appointment_id(email, appointment_id))
        return appointment_id
    params: dict[str, Any] = {
        'tenant_id': tenant_id, 'customer_id': customer_id, 'service_id': service_id, 'staff_id': staff_id,
        'location_id': location_id, 'start': start, 'end': end, 'seats': seats, 'status_key': status_key,
        'price': price, 'deposit': deposit, 'amount_paid': 0, 'notes': notes,
        'customer_package_id': customer_package_id, 'reschedule_count': 0, 'created_at': now,
        'h_at': entry.at, 'h_actor': entry.actor, 'h_action': entry.action, 'h_data': dict(entry.data)}
    # under the booking's staff locks: on the driver's cursor
    for name in ('start', 'end', 'created_at', 'h_at'):
        params[name] = driver.naive_utc(params[name])
    params['h_data'] = driver.json(params['h_data'])
    for i, email in enumerate(emails):
        params.update(outbox.bind_about(email, prefix=f'e{i}_'))
    statement = _INSERT_BOOKED_DRIVER.get(len(emails))
    if statement is None:
        statement = _INSERT_BOOKED_DRIVER[len(emails)] = driver.Statement(_insert_booked(emails=len(emails)))
    [(appointment_id,)] = driver.rows(session, statement, params)
    return int(appointment_id)


def _insert_booked(*, emails: int) -> sa.Select[*tuple[Any, ...]]:
    appointment, history = table_of(t.Appointment), table_of(t.AppointmentHistory)
    names = ('tenant_id', 'customer_id', 'service_id', 'staff_id', 'location_id', 'start', 'end', 'seats',
             'status_key', 'price', 'deposit', 'amount_paid', 'notes', 'customer_package_id', 'reschedule_count',
             'created_at')
    booked = (sa.insert(appointment).values({name: sa.bindparam(name, type_=appointment.c[name].type)
                                             for name in names})
              .returning(appointment.c.id).cte('booked'))
    first_line = sa.insert(history).from_select(
        ['tenant_id', 'appointment_id', 'at', 'actor', 'action', 'data'],
        sa.select(sa.bindparam('tenant_id', type_=history.c.tenant_id.type), booked.c.id,
                  sa.bindparam('h_at', type_=history.c.at.type), sa.bindparam('h_actor', type_=history.c.actor.type),
                  sa.bindparam('h_action', type_=history.c.action.type),
                  sa.bindparam('h_data', type_=history.c.data.type))).cte('first_line')
    written = [first_line]
    if emails:
        written.append(outbox.insert_about(booked.c.id, prefixes=[f'e{i}_' for i in range(emails)]).cte('emails'))
    return sa.select(booked.c.id).add_cte(*written)


# by the number of emails written with it; built when first needed
_INSERT_BOOKED_DRIVER: dict[int, driver.Statement] = {0: driver.Statement(_insert_booked(emails=0))}


def move_appointment(session: Session, *, tenant_id: int, appointment_id: int, staff_id: int, start: datetime,
                     end: datetime, status_key: str) -> None:
    session.execute(sa.update(t.Appointment).where(col(t.Appointment.tenant_id) == tenant_id,
                                                   col(t.Appointment.id) == appointment_id)
                    .values(staff_id=staff_id, start=start, end=end, status_key=status_key,
                            reschedule_count=col(t.Appointment.reschedule_count) + 1,
                            # a confirmation was for the old time (services.reminders asks again for the new one)
                            confirmed_at=None, confirmed_by=None))


def credit_appointment(session: Session, *, appointment_id: int,
                       amount: int) -> tuple[d.PaymentStatus, d.PaymentStatus]:
    """Add money received to the appointment; returns its payment status before and after."""
    price, deposit, before = session.execute(sa.select(col(t.Appointment.price), col(t.Appointment.deposit),
                                                       col(t.Appointment.amount_paid))
                                             .where(col(t.Appointment.id) == appointment_id)).one()
    session.execute(sa.update(t.Appointment).where(col(t.Appointment.id) == appointment_id)
                    .values(amount_paid=col(t.Appointment.amount_paid) + amount))
    return (d.payment_status(price=price, deposit=deposit, paid=before),
            d.payment_status(price=price, deposit=deposit, paid=before + amount))


def create_appointment(session: Session, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int,
                       start: datetime, duration: timedelta, location_id: int | None = None,
                       status_key: str = 'approved', price: int = 0, deposit: int = 0, amount_paid: int = 0,
                       seats: int = 1, notes: str = '', customer_package_id: int | None = None,
                       created_at: datetime | None = None, actor: str = 'system') -> int:
    """An appointment with its first history entry ('booked')."""
    row = t.Appointment(tenant_id=tenant_id, customer_id=customer_id, service_id=service_id, staff_id=staff_id,
                        location_id=location_id, start=start, end=start + duration, status_key=status_key,
                        price=price, deposit=deposit, amount_paid=amount_paid, seats=seats, notes=notes,
                        customer_package_id=customer_package_id, created_at=created_at or start - timedelta(days=7))
    session.add(row)
    session.flush()
    assert row.id is not None
    first = dh.booked(at=row.created_at, actor=actor, status=status_key)
    session.add(t.AppointmentHistory(tenant_id=tenant_id, appointment_id=row.id, at=first.at, actor=first.actor,
                                     action=first.action, data=dict(first.data)))
    return row.id


# ---- busy bookings ------------------------------------------------------------------------------------------------


def busy_bookings(session: Session, *, tenant_id: int, staff_ids: list[int], start: datetime,
                  end: datetime) -> tuple[Booking, ...]:
    """The staff's appointments with a busy status reaching into [start, end), each with its service's buffers, in
    start order: one statement (the staff/start index bounds it; the end test trims what reaches no further)."""
    if not staff_ids:
        return ()
    rows = session.connection().execute(_BUSY, {
        'tenant_id': tenant_id, 'staff_ids': staff_ids, 'from_start': start - 2 * REACH, 'to_start': end + REACH,
        'from_end': start - REACH}).all()
    return _as_bookings(rows)


def _as_bookings(rows: Iterable[Sequence[Any]]) -> tuple[Booking, ...]:
    """(id, staff, start, end, service, seats, buffer before, buffer after) rows as the engine's bookings, each
    distinct time and buffer converted once."""
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


_STAFF_IDS: sa.BindParameter[list[int]] = sa.bindparam('staff_ids', expanding=True)
_TENANT: sa.BindParameter[int] = sa.bindparam('tenant_id')
_BA, _BSVC, _BST = t.Appointment, t.Service, t.Status
_BUSY = (
    # start and end come raw from the driver: a month holds thousands of bookings but far fewer distinct times, and
    # converting each distinct time once (see busy_bookings) halves the load
    sa.select(col(_BA.id), col(_BA.staff_id), sa.type_coerce(col(_BA.start), sa.types.NullType()),
              sa.type_coerce(col(_BA.end),
                             sa.types.NullType()), col(_BA.service_id), col(_BA.seats), col(_BSVC.buffer_before_min),
              col(_BSVC.buffer_after_min))
    .join(_BSVC, col(_BSVC.id) == col(_BA.service_id))
    .join(_BST, sa.and_(col(_BST.tenant_id) == col(_BA.tenant_id), col(_BST.key) == col(_BA.status_key)))
    .where(col(_BA.tenant_id) == _TENANT, col(_BA.staff_id).in_(_STAFF_IDS), col(_BST.busy).is_(True),
           col(_BA.start) >= sa.bindparam('from_start', type_=t.UTCDateTime()),
           col(_BA.start) < sa.bindparam('to_start', type_=t.UTCDateTime()),
           col(_BA.end) > sa.bindparam('from_end', type_=t.UTCDateTime()))
    .order_by(col(_BA.start), col(_BA.id))
)


def busy_and_held(session: Session, *, tenant_id: int, staff_ids: list[int], start: datetime, end: datetime,
                  now: datetime) -> tuple[Booking, ...]:
    """`busy_bookings` followed by the guests' holds still running at `now` on these staff that reach into
    [start, end) (storage.holds.held_bookings), in one statement: a booking reads both under its staff locks.

    On PostgreSQL only those whose span with their own service's buffers reaches into [start, end) are read (the
    REACH bounds, which the staff/start index uses, then only pick the rows to test): a booking's window is its slot
    with its own buffers, and what lies outside it changes nothing the slot engine answers about that slot, but the
    bounds alone read the staff member's two days around it, each row converted and indexed by the engine (about a
    tenth of a booking's CPU). Elsewhere the bounds alone decide, a superset: the engine skips the rest."""
    if not staff_ids:
        return ()
    rows: Sequence[Sequence[Any]]
    if driver.enabled(session):  # PostgreSQL: a booking reads this under its staff locks, on the driver's cursor
        rows = driver.rows(session, _BUSY_AND_HELD_DRIVER, {
            'tenant_id': tenant_id, 'staff_ids': staff_ids, 'from_start': driver.naive_utc(start - 2 * REACH),
            'to_start': driver.naive_utc(end + REACH), 'from_end': driver.naive_utc(start - REACH),
            'now': driver.naive_utc(now), 'span_lo': driver.naive_utc(start), 'span_hi': driver.naive_utc(end)})
    else:
        rows = session.connection().execute(_BUSY_AND_HELD, {
            'tenant_id': tenant_id, 'staff_ids': staff_ids, 'from_start': start - 2 * REACH, 'to_start': end + REACH,
            'from_end': start - REACH, 'now': now}).all()
    return _as_bookings(row[1:] for row in rows)  # after the kind column (appointment or hold)


_BH = t.BookingHold
_RAW = sa.types.NullType()
_MINUTE = sa.literal_column("interval '1 minute'", sa.Interval())  # PostgreSQL's


def _reaches(start: Any, end: Any) -> sa.ColumnElement[bool]:
    """A booking's span with its service's buffers reaches into [span_lo, span_hi) (PostgreSQL)."""
    return sa.and_(start - col(_BSVC.buffer_before_min) * _MINUTE < sa.bindparam('span_hi', type_=t.UTCDateTime()),
                   end + col(_BSVC.buffer_after_min) * _MINUTE > sa.bindparam('span_lo', type_=t.UTCDateTime()))


def _busy_and_held(*, exact: bool) -> sa.CompoundSelect[*tuple[Any, ...]]:
    booked: sa.Select[*tuple[Any, ...]] = _BUSY.with_only_columns(
        sa.literal(0, sa.Integer).label('kind'), col(_BA.id).label('id'), col(_BA.staff_id),
        sa.type_coerce(col(_BA.start), _RAW).label('start'), sa.type_coerce(col(_BA.end), _RAW).label('end'),
        col(_BA.service_id), col(_BA.seats), col(_BSVC.buffer_before_min), col(_BSVC.buffer_after_min),
        maintain_column_froms=True).order_by(None)
    held = (sa.select(sa.literal(1, sa.Integer), sa.cast(sa.null(), sa.Integer), col(_BH.staff_id),
                      sa.type_coerce(col(_BH.start), _RAW), sa.type_coerce(col(_BH.end), _RAW), col(_BH.service_id),
                      col(_BH.seats), col(_BSVC.buffer_before_min), col(_BSVC.buffer_after_min))
            .join(_BSVC, col(_BSVC.id) == col(_BH.service_id))
            .where(col(_BH.tenant_id) == _TENANT, col(_BH.staff_id).in_(_STAFF_IDS),
                   col(_BH.expires_at) > sa.bindparam('now', type_=t.UTCDateTime()),
                   col(_BH.start) < sa.bindparam('to_start', type_=t.UTCDateTime()),
                   col(_BH.end) > sa.bindparam('from_end', type_=t.UTCDateTime())))
    if exact:
        booked = booked.where(_reaches(col(_BA.start), col(_BA.end)))
        held = held.where(_reaches(col(_BH.start), col(_BH.end)))
    return sa.union_all(booked, held).order_by(sa.column('kind'), sa.column('start'), sa.column('id'))


_BUSY_AND_HELD = _busy_and_held(exact=False)
_BUSY_AND_HELD_DRIVER = driver.Statement(_busy_and_held(exact=True))


def _utc(raw: object) -> datetime:
    """A stored UTC time as the driver hands it over (SQLite: text; PostgreSQL: a naive datetime), made aware."""
    value = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC)


def upcoming_visits(session: Session, *, tenant_id: int, staff_ids: Sequence[int], since: datetime,
                    limit: int = 2000) -> list[Visit]:
    """The staff's appointments with a busy status that end after `since`, earliest first, with their service's and
    customer's names: one statement (what a schedule change checks for bookings it strands)."""
    if not staff_ids:
        return []
    customer = table_of(t.Customer).c
    stmt = (sa.select(_A.id, _A.staff_id, _A.start, _A.end, _S.name, customer.first_name, customer.last_name)
            .select_from(table_of(t.Appointment))
            .join(table_of(t.Service), _S.id == _A.service_id)
            .join(table_of(t.Customer), customer.id == _A.customer_id)
            .join(table_of(t.Status), sa.and_(table_of(t.Status).c.tenant_id == _A.tenant_id,
                                              table_of(t.Status).c.key == _A.status_key))
            .where(_A.tenant_id == tenant_id, _A.staff_id.in_(list(staff_ids)), _A.end > since,
                   table_of(t.Status).c.busy.is_(True))
            .order_by(_A.start, _A.id).limit(limit))
    return [Visit(appointment_id=r[0], staff_id=r[1], start=r[2], end=r[3], service_name=r[4],
                  customer_name=f'{r[5]} {r[6]}'.strip()) for r in session.execute(stmt)]


# ---- ratings ------------------------------------------------------------------------------------------------------


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


# ---- the panel's paged views: a fixed number of statements whatever the number of appointments --------------------


_P = sa.bindparam
TABS = ('upcoming', 'past', 'all')


def _panel_counts_statement() -> sa.CompoundSelect[Any]:
    # Per status: every appointment and the past ones (one pass over ix_appointment_customer_status, grouped in index
    # order), then the future ones (a range of ix_appointment_customer_start). Which statuses are busy is the
    # business's to say, so the totals are made from these rows in Python.
    a = t.Appointment
    now = _P('now', type_=table_of(a).c.start.type)
    owned = sa.and_(col(a.tenant_id) == _P('tenant_id'), col(a.customer_id) == _P('customer_id'))
    every: sa.Select[str, int, int, Any] = (sa.select(col(a.status_key), sa.func.count().label('total'),
                       sa.func.count().filter(col(a.end) <= now).label('past'), sa.literal_column('0').label('ahead'))
             .where(owned).group_by(col(a.status_key)))
    ahead: sa.Select[str, Any, Any, int] = (sa.select(col(a.status_key), sa.literal_column('0'),
                                                      sa.literal_column('0'), sa.func.count())
             .where(owned, col(a.start) > now).group_by(col(a.status_key)))
    return sa.union_all(every, ahead)


_PANEL_COUNTS = _panel_counts_statement()


def panel_counts(session: Session, *, tenant_id: int, customer_id: int, now: datetime,
                 status_list: Iterable[d.Status]) -> dict[str, int]:
    """Upcoming visits (busy, ahead), completed visits (over, in a status that completes) and the size of each tab,
    in one statement whose cost grows with the number of statuses, not of rows read per appointment."""
    by_key = {s.key: s for s in status_list}
    counts = dict.fromkeys(('upcoming', 'completed', 'tab_upcoming', 'tab_past', 'tab_all'), 0)
    for key, total, past, ahead in session.connection().execute(
            _PANEL_COUNTS, {'tenant_id': tenant_id, 'customer_id': customer_id, 'now': now}):
        counts['tab_all'] += total
        counts['tab_past'] += past
        counts['tab_upcoming'] += ahead
        status = by_key.get(key)
        if status is not None and status.busy:
            counts['upcoming'] += ahead
        if status is not None and status.completes:
            counts['completed'] += past
    return counts


def _owned(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.where(col(t.Appointment.tenant_id) == _P('tenant_id'),
                      col(t.Appointment.customer_id) == _P('customer_id'))


_NOW = _P('now', type_=table_of(t.Appointment).c.start.type)
_STATUS_RANK = sa.select(col(t.Status.position)).where(col(t.Status.tenant_id) == col(t.Appointment.tenant_id),
                                                  col(t.Status.key) == col(t.Appointment.status_key)).scalar_subquery()
_NEXT_APPOINTMENT = (
    _owned(_APPOINTMENT_JOIN).where(col(t.Appointment.start) > _NOW, sa.exists().where(
        col(t.Status.tenant_id) == col(t.Appointment.tenant_id), col(t.Status.key) == col(t.Appointment.status_key),
        col(t.Status.busy).is_(True)))
    .order_by(col(t.Appointment.start)).limit(1)
)
_a = t.Appointment
_PAGES: dict[tuple[str, str], sa.Select[Any]] = {
    ('upcoming', ''): _owned(_APPOINTMENT_JOIN).where(col(_a.start) > _NOW).order_by(col(_a.start), col(_a.id)),
    ('past', ''): _owned(_APPOINTMENT_JOIN).where(col(_a.end) <= _NOW).order_by(
        col(_a.start).desc(), col(_a.id).desc()),
    ('all', 'newest'): _owned(_APPOINTMENT_JOIN).order_by(col(_a.start).desc(), col(_a.id).desc()),
    ('all', 'oldest'): _owned(_APPOINTMENT_JOIN).order_by(col(_a.start), col(_a.id)),
    ('all', 'status'): _owned(_APPOINTMENT_JOIN).order_by(
        sa.func.coalesce(_STATUS_RANK, 1_000_000), col(_a.start).desc(), col(_a.id).desc()),
    ('all', 'price'): _owned(_APPOINTMENT_JOIN).order_by(
        col(_a.price).desc(), col(_a.start).desc(), col(_a.id).desc()),
}
_PAGES = {key: stmt.offset(_P('offset')).limit(_P('limit')) for key, stmt in _PAGES.items()}


def next_appointment(session: Session, *, tenant_id: int, customer_id: int, now: datetime,
                     status_list: Iterable[d.Status]) -> d.Appointment | None:
    """The soonest future appointment that holds its slot."""
    found = _appointments_from(session, _NEXT_APPOINTMENT, {s.key: s for s in status_list},
                               {'tenant_id': tenant_id, 'customer_id': customer_id, 'now': now})
    return found[0] if found else None


def appointment_page(session: Session, *, tenant_id: int, customer_id: int, now: datetime, tab: str, sort: str,
                     status_list: Sequence[d.Status], offset: int, limit: int) -> list[d.Appointment]:
    """One page of a tab: Upcoming soonest first, Past latest first, All by newest, oldest, status or price."""
    if tab not in TABS:
        raise ValueError(f'unknown tab: {tab}')
    key = (tab, sort if tab == 'all' else '')
    if key not in _PAGES:
        raise ValueError(f'unknown sort: {sort}')
    params = {'tenant_id': tenant_id, 'customer_id': customer_id, 'now': now, 'offset': offset, 'limit': limit}
    return _appointments_from(session, _PAGES[key], {s.key: s for s in status_list}, params)
