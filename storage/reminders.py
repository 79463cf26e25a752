"""The reminder_sent table: which reminder and follow-up each appointment got, for which start; and the scheduler's
query for what is due.

`due_reminders` is one statement over the index on appointment.start: the appointments starting between now and the
farthest reminder of any business, that hold their slot, whose customer wants reminders, and that have a reminder
whose moment has come and that was not handled for this start (neither it nor a nearer one). A business's rules
come in as groups (its services and their minutes before), each with its own moment `start <= now + minutes`, so
the database needs no date arithmetic of its own (SQLite and PostgreSQL alike).

Claiming: on PostgreSQL `claim` locks one appointment row with FOR UPDATE SKIP LOCKED, so schedulers on several
instances never work on the same appointment at once, and the unique key (appointment, kind, start, minutes) makes a
second row impossible anyway; SQLite has one writer (BEGIN IMMEDIATE) and one scheduler per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from domain.reminders import FOLLOW_UP, REMINDER
from storage import tables as t
from storage.db import table_of

_A, _ST, _C, _R = (table_of(t.Appointment).c, table_of(t.Status).c, table_of(t.Customer).c,
                   table_of(t.ReminderSent).c)


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """One business's reminder at `minutes` before the start, for its services `service_ids` (None: every service
    but `except_ids`, which have reminders of their own)."""

    tenant_id: int
    minutes: int
    service_ids: tuple[int, ...] | None = None
    except_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Due:
    appointment_id: int
    tenant_id: int
    start: datetime


def _wants_email() -> Any:
    return sa.exists().where(_C.id == _A.customer_id, _C.email_reminders.is_(True), _C.deleted_at.is_(None))


def _busy() -> Any:
    return sa.exists().where(_ST.tenant_id == _A.tenant_id, _ST.key == _A.status_key, _ST.busy.is_(True))


def due_statement(groups: Sequence[RuleGroup], *, now: datetime, limit: int) -> sa.Select[Any]:
    """The appointments with a reminder due now (see the module's docstring), soonest first.

    For each appointment in the window, a CASE picks the nearest reminder whose moment has come (`nearest`); it is
    due unless reminder_sent holds that one, or a nearer one, for the appointment's current start: one probe of the
    unique key per appointment in the window."""
    horizon = now + timedelta(minutes=max(g.minutes for g in groups))
    whens = []
    for g in sorted(groups, key=lambda g: g.minutes):  # the nearest reminder first: CASE takes the first match
        cond = [_A.tenant_id == g.tenant_id, _A.start <= now + timedelta(minutes=g.minutes)]
        if g.service_ids is not None:
            cond.append(_A.service_id.in_(g.service_ids))
        elif g.except_ids:
            cond.append(_A.service_id.not_in(g.except_ids))
        whens.append((sa.and_(*cond), g.minutes))
    nearest = sa.case(*whens, else_=None)
    handled = sa.exists().where(_R.appointment_id == _A.id, _R.kind == REMINDER, _R.for_start == _A.start,
                                _R.minutes_before <= nearest)
    return (sa.select(_A.id, _A.tenant_id, _A.start)
            .where(_A.start > now, _A.start <= horizon, nearest.is_not(None), ~handled, _busy(), _wants_email())
            .order_by(_A.start).limit(limit))


def due_reminders(session: Session, groups: Sequence[RuleGroup], *, now: datetime, limit: int = 500) -> list[Due]:
    if not groups:
        return []
    rows = session.connection().execute(due_statement(groups, now=now, limit=limit))
    return [Due(r.id, r.tenant_id, r.start) for r in rows]


def due_follow_ups(session: Session, *, tenant_ids: Iterable[int], now: datetime, earliest_end: datetime,
                   latest_end: datetime, limit: int = 500) -> list[Due]:
    """Visits of these businesses that ended between `earliest_end` and `latest_end`, held a slot, whose customer
    wants emails, with no follow-up yet and no rating (the rules of what completed means are checked again on each)."""
    ids = tuple(tenant_ids)
    if not ids:
        return []
    # The start range keeps the index in use: a visit ends at most a day after it starts (storage.appointments).
    stmt = (sa.select(_A.id, _A.tenant_id, _A.start)
            .where(_A.start > earliest_end - timedelta(days=1), _A.start <= latest_end,
                   _A.end > earliest_end, _A.end <= latest_end, _A.tenant_id.in_(ids), _busy(), _wants_email(),
                   ~sa.exists().where(_R.appointment_id == _A.id, _R.kind == FOLLOW_UP),
                   ~sa.exists().where(table_of(t.Rating).c.appointment_id == _A.id))
            .order_by(_A.start).limit(limit))
    return [Due(r.id, r.tenant_id, r.start) for r in session.connection().execute(stmt)]


def claim(session: Session, *, appointment_id: int) -> bool:
    """Hold the appointment's row for this transaction: PostgreSQL skips it (False) when another transaction holds
    it (another instance's scheduler, or a customer changing it: the next round looks again)."""
    stmt = sa.select(_A.id).where(_A.id == appointment_id)
    if session.get_bind().dialect.name == 'postgresql':
        stmt = stmt.with_for_update(skip_locked=True)
    return session.connection().execute(stmt).first() is not None


def handled(session: Session, *, appointment_id: int, kind: str, for_start: datetime) -> set[int]:
    """The reminders (minutes before) already handled for this start."""
    rows = session.connection().execute(sa.select(_R.minutes_before).where(
        _R.appointment_id == appointment_id, _R.kind == kind, _R.for_start == for_start))
    return {int(r[0]) for r in rows}


def has_follow_up(session: Session, *, appointment_id: int) -> bool:
    return session.connection().execute(sa.select(_R.id).where(
        _R.appointment_id == appointment_id, _R.kind == FOLLOW_UP).limit(1)).first() is not None


def record(session: Session, *, tenant_id: int, appointment_id: int, kind: str, for_start: datetime,
           minutes_before: int, skipped: bool, now: datetime) -> None:
    session.connection().execute(sa.insert(t.ReminderSent), {
        'tenant_id': tenant_id, 'appointment_id': appointment_id, 'kind': kind, 'for_start': for_start,
        'minutes_before': minutes_before, 'skipped': skipped, 'sent_at': now})


def sent(session: Session, *, tenant_id: int, appointment_id: int | None = None) -> list[tuple[int, str, datetime,
                                                                                                  int, bool]]:
    """(appointment, kind, for start, minutes before, skipped) of a business's rows, oldest first (tests, admin)."""
    stmt = sa.select(_R.appointment_id, _R.kind, _R.for_start, _R.minutes_before, _R.skipped).where(
        _R.tenant_id == tenant_id)
    if appointment_id is not None:
        stmt = stmt.where(_R.appointment_id == appointment_id)
    return [(r[0], r[1], r[2], r[3], r[4]) for r in session.connection().execute(stmt.order_by(_R.id))]


def set_confirmed(session: Session, *, tenant_id: int, appointment_id: int, by: str, at: datetime) -> None:
    session.execute(sa.update(t.Appointment).where(col(t.Appointment.tenant_id) == tenant_id,
                                                   col(t.Appointment.id) == appointment_id)
                    .values(confirmed_at=at, confirmed_by=by))


def confirmation(session: Session, *, tenant_id: int, appointment_id: int) -> tuple[datetime | None, str | None]:
    """(when, by whom) the visit was confirmed; (None, None) when it was not."""
    row = session.connection().execute(sa.select(_A.confirmed_at, _A.confirmed_by).where(
        _A.tenant_id == tenant_id, _A.id == appointment_id)).first()
    return (row[0], row[1]) if row else (None, None)


def rule_groups(settings: Iterable[tuple[int, Any]]) -> list[RuleGroup]:
    """The groups of `due_statement` for (tenant id, domain.reminders.ReminderSettings) pairs."""
    groups: list[RuleGroup] = []
    for tenant_id, rs in settings:
        own = tuple(sorted(rs.per_service))
        for minutes in rs.minutes_before:
            groups.append(RuleGroup(tenant_id, minutes, None, own))
        by_minutes: dict[int, list[int]] = {}
        for service_id, offsets in rs.per_service.items():
            for minutes in offsets:
                by_minutes.setdefault(minutes, []).append(service_id)
        for minutes, ids in sorted(by_minutes.items()):
            groups.append(RuleGroup(tenant_id, minutes, tuple(sorted(ids))))
    return groups
