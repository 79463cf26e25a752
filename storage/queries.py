"""Queries that hand domain values upward. Rows never leave this module's callers' sessions.

Each function takes the session first and keyword-only arguments after it. A page's query count must not grow
with the number of appointments: related rows are loaded by one join or one query per kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from domain import model as d
from domain.settings import PanelSettings
from storage import tables as t

# ---- conversions ----------------------------------------------------------------------------------------------


def to_tenant(row: t.Tenant) -> d.Tenant:
    assert row.id is not None
    return d.Tenant(
        id=row.id, slug=row.slug, name=row.name, timezone=row.timezone, currency=row.currency, host=row.host,
        booking_url=row.booking_url,
        branding=d.Branding(primary_color=row.primary_color, dark=row.dark, logo_url=row.logo_url),
    )


def to_service(row: t.Service) -> d.Service:
    assert row.id is not None
    return d.Service(
        id=row.id, name=row.name, category=row.category, duration=timedelta(minutes=row.duration_min),
        price=row.price, deposit=row.deposit, buffer_before=timedelta(minutes=row.buffer_before_min),
        buffer_after=timedelta(minutes=row.buffer_after_min), capacity=row.capacity,
        slot_step=timedelta(minutes=row.slot_step_min), min_notice=timedelta(minutes=row.min_notice_min),
        max_days_ahead=row.max_days_ahead, meeting_url=row.meeting_url, color=row.color,
    )


def to_staff(row: t.Staff, *, location_ids: Iterable[int] = (), service_ids: Iterable[int] = ()) -> d.Staff:
    assert row.id is not None
    return d.Staff(id=row.id, name=row.name, email=row.email, avatar_url=row.avatar_url,
                   location_ids=tuple(location_ids), service_ids=tuple(service_ids))


def to_location(row: t.Location) -> d.Location:
    assert row.id is not None
    return d.Location(id=row.id, name=row.name, address=row.address)


def to_status(row: t.Status) -> d.Status:
    return d.Status(key=row.key, label=row.label, color=row.color, icon=row.icon, busy=row.busy)


def to_customer(row: t.Customer | sa.Row) -> d.Customer:
    """From an ORM row or a plain row of the customer table's columns."""
    assert row.id is not None
    return d.Customer(
        id=row.id, tenant_id=row.tenant_id, first_name=row.first_name, last_name=row.last_name, email=row.email,
        phone=row.phone, birth_date=row.birth_date, gender=row.gender,
        avatar_url=f'/avatar/{row.id}?v={row.avatar_version}' if row.avatar_version else None,
        timezone=row.timezone, has_password=bool(row.password_hash), email_verified=row.email_verified_at is not None,
        created_at=row.created_at, deleted_at=row.deleted_at,
    )


def unknown_status(key: str) -> d.Status:
    return d.Status(key=key, label=key.replace('-', ' ').capitalize(), color='#6b7280', icon='help', busy=False)


def to_appointment(row: t.Appointment, *, service: d.Service, staff: d.Staff, location: d.Location | None,
                   statuses: dict[str, d.Status], history: tuple[d.HistoryEntry, ...] = ()) -> d.Appointment:
    assert row.id is not None
    return d.Appointment(
        id=row.id, customer_id=row.customer_id, service=service, staff=staff, location=location,
        start=row.start, end=row.end, status=statuses.get(row.status_key) or unknown_status(row.status_key),
        price=row.price, amount_paid=row.amount_paid, deposit=row.deposit, seats=row.seats, notes=row.notes,
        customer_package_id=row.customer_package_id, reschedule_count=row.reschedule_count,
        created_at=row.created_at, history=history,
    )


def to_history(row: t.AppointmentHistory) -> d.HistoryEntry:
    return d.HistoryEntry(at=row.at, actor=row.actor, action=row.action, data=dict(row.data or {}))


# ---- tenants and settings --------------------------------------------------------------------------------------


def tenant_by_slug(session: Session, *, slug: str) -> d.Tenant | None:
    row = session.exec(select(t.Tenant).where(t.Tenant.slug == slug)).first()
    return to_tenant(row) if row else None


def tenant_by_host(session: Session, *, host: str) -> d.Tenant | None:
    row = session.exec(select(t.Tenant).where(t.Tenant.host == host.lower())).first()
    return to_tenant(row) if row else None


def tenant_hosts(session: Session) -> frozenset[str]:
    """Every host name a business is served on (multi-tenant mode)."""
    return frozenset(h for h in session.exec(select(t.Tenant.host).where(t.Tenant.host.is_not(None))) if h)


_STATUSES = sa.select(t.Status.key, t.Status.label, t.Status.color, t.Status.icon, t.Status.busy).where(
    t.Status.tenant_id == sa.bindparam('tenant_id')).order_by(t.Status.position)


def panel_settings(session: Session, *, tenant_id: int) -> PanelSettings:
    raw = session.exec(select(t.Tenant.settings).where(t.Tenant.id == tenant_id)).one()
    return PanelSettings.from_dict(raw)


def save_panel_settings(session: Session, *, tenant_id: int, settings: PanelSettings) -> None:
    session.execute(sa.update(t.Tenant).where(t.Tenant.id == tenant_id).values(settings=settings.to_dict()))


def statuses(session: Session, *, tenant_id: int) -> tuple[d.Status, ...]:
    """The tenant's statuses in the business's order."""
    return tuple(d.Status(key=key, label=label, color=color, icon=icon, busy=busy)
                 for key, label, color, icon, busy in session.connection().execute(_STATUSES,
                                                                                   {'tenant_id': tenant_id}))


# ---- customers -------------------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def active_customer_row_by_email(session: Session, *, tenant_id: int, email: str) -> t.Customer | None:
    return session.exec(select(t.Customer).where(
        t.Customer.tenant_id == tenant_id, t.Customer.email_norm == normalise_email(email),
        t.Customer.deleted_at.is_(None),  # type: ignore[union-attr]
    )).first()


def customer(session: Session, *, tenant_id: int, customer_id: int) -> d.Customer | None:
    row = session.exec(select(t.Customer).where(t.Customer.tenant_id == tenant_id,
                                                t.Customer.id == customer_id)).first()
    return to_customer(row) if row else None


# ---- appointments ----------------------------------------------------------------------------------------------

# Plain columns, read without the ORM: the panel reads these on every page view, and building ORM instances
# for a row and its service, staff and location cost more than the query.
_A, _S, _ST, _L = (t.Appointment.__table__.c, t.Service.__table__.c,  # type: ignore[attr-defined]
                   t.Staff.__table__.c, t.Location.__table__.c)  # type: ignore[attr-defined]
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
    .select_from(t.Appointment.__table__)  # type: ignore[attr-defined]
    .join(t.Service.__table__, _S.id == _A.service_id)  # type: ignore[attr-defined]
    .join(t.Staff.__table__, _ST.id == _A.staff_id)  # type: ignore[attr-defined]
    .outerjoin(t.Location.__table__, _L.id == _A.location_id)  # type: ignore[attr-defined]
)


def _appointments_from(session: Session, stmt: sa.Select, status_map: dict[str, d.Status],
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
            end=r.end, status=status_map.get(r.status_key) or unknown_status(r.status_key), price=r.price,
            amount_paid=r.amount_paid, deposit=r.deposit, seats=r.seats, notes=r.notes,
            customer_package_id=r.customer_package_id, reschedule_count=r.reschedule_count,
            created_at=r.created_at))
    return out


def customer_appointments(session: Session, *, tenant_id: int, customer_id: int,
                          status_list: Iterable[d.Status]) -> list[d.Appointment]:
    """Every appointment of one customer, newest first, with service, staff and location: one statement."""
    stmt = _APPOINTMENT_JOIN.where(t.Appointment.tenant_id == tenant_id,
                                   t.Appointment.customer_id == customer_id).order_by(
        t.Appointment.start.desc())  # type: ignore[union-attr]
    return _appointments_from(session, stmt, {s.key: s for s in status_list})


def customer_appointment(session: Session, *, tenant_id: int, customer_id: int, appointment_id: int,
                         status_list: Iterable[d.Status], with_history: bool = True) -> d.Appointment | None:
    """One appointment, only if it belongs to this customer of this tenant."""
    stmt = _APPOINTMENT_JOIN.where(t.Appointment.tenant_id == tenant_id, t.Appointment.customer_id == customer_id,
                                   t.Appointment.id == appointment_id)
    found = _appointments_from(session, stmt, {s.key: s for s in status_list})
    if not found:
        return None
    appt = found[0]
    if with_history:
        h = t.AppointmentHistory
        rows = session.exec(select(h).where(h.appointment_id == appointment_id).order_by(h.at, h.id)).all()
        appt = replace(appt, history=tuple(to_history(r) for r in rows))
    return appt


def add_history(session: Session, *, tenant_id: int, appointment_id: int, entry: d.HistoryEntry) -> None:
    # A prepared INSERT rather than an ORM instance: writers call this while they hold their locks.
    session.execute(_INSERT_HISTORY, [{'tenant_id': tenant_id, 'appointment_id': appointment_id, 'at': entry.at,
                                       'actor': entry.actor, 'action': entry.action, 'data': dict(entry.data)}])


_INSERT_HISTORY = sa.insert(t.AppointmentHistory)


# ---- sessions --------------------------------------------------------------------------------------------------
# Sessions are found by the SHA-256 of their token (services.auth makes it); the raw token never reaches the
# database. A session is live while it is not revoked, was opened after `born_after` (its absolute lifetime) and
# was last seen after `seen_after` (its idle time).


# The panel's hot statements are built once with bound parameters: building a statement costs more CPU than
# SQLite takes to run it, and every page view issues these.
_P = sa.bindparam
_A = t.AuthSession.__table__.c  # type: ignore[attr-defined]
_LIVE = sa.and_(_A.token_hash == _P('token_hash'), _A.tenant_id == _P('tenant_id'), _A.revoked_at.is_(None),
                _A.created_at > _P('born_after', type_=_A.created_at.type),
                _A.last_seen_at > _P('seen_after', type_=_A.last_seen_at.type))
_SESSION_CUSTOMER = (
    select(t.Customer, _A.last_seen_at).join(t.AuthSession,  # type: ignore[call-overload]
                                             t.AuthSession.customer_id == t.Customer.id)
    .where(_LIVE, t.Customer.deleted_at.is_(None))  # type: ignore[union-attr]
)


_C, _T = t.Customer.__table__.c, t.Tenant.__table__.c  # type: ignore[attr-defined]
_SESSION_CONTEXT = (
    sa.select(*_C, _T.settings.label('tenant_settings'), _A.last_seen_at.label('session_last_seen_at'),
              sa.exists().where(t.Package.tenant_id == _T.id).label('sells_packages'))
    .select_from(t.AuthSession.__table__)  # type: ignore[attr-defined]
    .join(t.Customer.__table__, _C.id == t.AuthSession.customer_id)  # type: ignore[attr-defined]
    .join(t.Tenant.__table__, _T.id == t.AuthSession.tenant_id)  # type: ignore[attr-defined]
    .where(_LIVE, _C.deleted_at.is_(None))
)


@dataclass(frozen=True, slots=True)
class LiveSession:
    """What a live session's lookup found: its customer and when the session was last seen (for the idle clock)."""

    customer: d.Customer
    last_seen_at: datetime


def open_session(session: Session, *, token_hash: str, tenant_id: int, customer_id: int, now: datetime) -> None:
    session.add(t.AuthSession(token_hash=token_hash, tenant_id=tenant_id, customer_id=customer_id, created_at=now,
                              last_seen_at=now))


def session_context(session: Session, *, token_hash: str, tenant_id: int, born_after: datetime,
                    seen_after: datetime) -> tuple[LiveSession, PanelSettings, bool] | None:
    """The live session's customer, the tenant's panel settings and whether it sells packages: one statement, read
    as plain columns (it runs on every panel view)."""
    row = session.connection().execute(_SESSION_CONTEXT, {'token_hash': token_hash, 'tenant_id': tenant_id,
                                                          'born_after': born_after, 'seen_after': seen_after}).first()
    if row is None:
        return None
    live = LiveSession(to_customer(row), row.session_last_seen_at)
    return live, PanelSettings.from_dict(row.tenant_settings), bool(row.sells_packages)


def session_customer(session: Session, *, token_hash: str, tenant_id: int, born_after: datetime,
                     seen_after: datetime) -> LiveSession | None:
    """The active customer behind a live session of this tenant, in one statement."""
    row = session.execute(_SESSION_CUSTOMER, {'token_hash': token_hash, 'tenant_id': tenant_id,
                                              'born_after': born_after, 'seen_after': seen_after}).first()
    return LiveSession(to_customer(row[0]), row[1]) if row else None


def touch_session(session: Session, *, token_hash: str, now: datetime) -> None:
    """The session was used now: its idle clock starts again."""
    session.execute(sa.update(t.AuthSession).where(t.AuthSession.token_hash == token_hash,
                                                   t.AuthSession.revoked_at.is_(None))  # type: ignore[union-attr]
                    .values(last_seen_at=now))


def revoke_sessions(session: Session, *, customer_id: int, now: datetime, keep_hash: str | None = None) -> int:
    stmt = sa.update(t.AuthSession).where(t.AuthSession.customer_id == customer_id,
                                          t.AuthSession.revoked_at.is_(None))  # type: ignore[union-attr]
    if keep_hash is not None:
        stmt = stmt.where(t.AuthSession.token_hash != keep_hash)
    return session.execute(stmt.values(revoked_at=now)).rowcount or 0


def revoke_session(session: Session, *, token_hash: str, now: datetime) -> tuple[int, int | None] | None:
    """End one session; returns its (tenant id, customer id) when it was live, so its other tabs can be told."""
    row = session.execute(sa.update(t.AuthSession).where(t.AuthSession.token_hash == token_hash,
                                                         t.AuthSession.revoked_at.is_(None))  # type: ignore[union-attr]
                          .values(revoked_at=now)
                          .returning(t.AuthSession.tenant_id, t.AuthSession.customer_id)).first()
    return (row[0], row[1]) if row else None


# ---- the panel's paged views: a fixed number of statements whatever the number of appointments ----------------

TABS = ('upcoming', 'past', 'all')


def _panel_counts_statement() -> sa.CompoundSelect:
    # Per status: every appointment and the past ones (one pass over ix_appointment_customer_status, grouped in index
    # order), then the future ones (a range of ix_appointment_customer_start). Which statuses are busy is the
    # business's to say, so the totals are made from these rows in Python.
    a = t.Appointment
    now = _P('now', type_=a.__table__.c.start.type)
    owned = sa.and_(a.tenant_id == _P('tenant_id'), a.customer_id == _P('customer_id'))
    every = (sa.select(a.status_key, sa.func.count().label('total'),
                       sa.func.count().filter(a.end <= now).label('past'), sa.literal_column('0').label('ahead'))
             .where(owned).group_by(a.status_key))
    ahead = (sa.select(a.status_key, sa.literal_column('0'), sa.literal_column('0'), sa.func.count())
             .where(owned, a.start > now).group_by(a.status_key))
    return sa.union_all(every, ahead)


_PANEL_COUNTS = _panel_counts_statement()


def panel_counts(session: Session, *, tenant_id: int, customer_id: int, now: datetime,
                 status_list: Iterable[d.Status]) -> dict[str, int]:
    """Upcoming visits (busy, ahead), completed visits (busy, over, not a no-show) and the size of each tab, in one
    statement whose cost grows with the number of statuses, not of rows read per appointment."""
    busy = {s.key for s in status_list if s.busy}
    counts = dict.fromkeys(('upcoming', 'completed', 'tab_upcoming', 'tab_past', 'tab_all'), 0)
    for key, total, past, ahead in session.connection().execute(
            _PANEL_COUNTS, {'tenant_id': tenant_id, 'customer_id': customer_id, 'now': now}):
        counts['tab_all'] += total
        counts['tab_past'] += past
        counts['tab_upcoming'] += ahead
        if key in busy:
            counts['upcoming'] += ahead
            if key != 'no-show':
                counts['completed'] += past
    return counts


def _owned(stmt: sa.Select) -> sa.Select:
    return stmt.where(t.Appointment.tenant_id == _P('tenant_id'), t.Appointment.customer_id == _P('customer_id'))


_NOW = _P('now', type_=t.Appointment.__table__.c.start.type)
_STATUS_RANK = sa.select(t.Status.position).where(t.Status.tenant_id == t.Appointment.tenant_id,
                                                  t.Status.key == t.Appointment.status_key).scalar_subquery()
_NEXT_APPOINTMENT = (
    _owned(_APPOINTMENT_JOIN).where(t.Appointment.start > _NOW, sa.exists().where(
        t.Status.tenant_id == t.Appointment.tenant_id, t.Status.key == t.Appointment.status_key,
        t.Status.busy.is_(True)))  # type: ignore[attr-defined]
    .order_by(t.Appointment.start).limit(1)  # type: ignore[arg-type]
)
_a = t.Appointment
_PAGES: dict[tuple[str, str], sa.Select] = {
    ('upcoming', ''): _owned(_APPOINTMENT_JOIN).where(_a.start > _NOW).order_by(_a.start, _a.id),  # type: ignore[arg-type]
    ('past', ''): _owned(_APPOINTMENT_JOIN).where(_a.end <= _NOW).order_by(
        _a.start.desc(), _a.id.desc()),  # type: ignore[union-attr]
    ('all', 'newest'): _owned(_APPOINTMENT_JOIN).order_by(_a.start.desc(), _a.id.desc()),  # type: ignore[union-attr]
    ('all', 'oldest'): _owned(_APPOINTMENT_JOIN).order_by(_a.start, _a.id),  # type: ignore[arg-type]
    ('all', 'status'): _owned(_APPOINTMENT_JOIN).order_by(
        sa.func.coalesce(_STATUS_RANK, 1_000_000), _a.start.desc(), _a.id.desc()),  # type: ignore[union-attr]
    ('all', 'price'): _owned(_APPOINTMENT_JOIN).order_by(
        _a.price.desc(), _a.start.desc(), _a.id.desc()),  # type: ignore[attr-defined,union-attr]
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



def set_customer_timezone(session: Session, *, tenant_id: int, customer_id: int, timezone: str) -> None:
    session.execute(sa.update(t.Customer).where(t.Customer.tenant_id == tenant_id, t.Customer.id == customer_id)
                    .values(timezone=timezone))
