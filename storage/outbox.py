"""The email outbox table: rows written in the caller's transaction, claimed and marked by the sender.

PostgreSQL: a sender claims one due row at a time with FOR UPDATE SKIP LOCKED and keeps the row lock until it has
marked the row, so senders on several instances never take the same row, and a sender that dies mid-send releases
it with its connection. SQLite has one process and one sender (services.mail serialises it), so it reads due rows
without locking and marks each in a short write transaction.
"""

from __future__ import annotations

import json as json_module
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, col, select

from storage import driver
from storage import tables as t
from storage.db import table_of

QUEUED, SENT, FAILED = 'queued', 'sent', 'failed'


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEmail:
    id: int
    tenant_id: int
    template: str
    recipient: str
    subject: str
    message_id: str
    content: dict[str, Any]
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


def _to_email(row: t.EmailOutbox) -> OutboxEmail:
    assert row.id is not None
    return OutboxEmail(id=row.id, tenant_id=row.tenant_id, template=row.template, recipient=row.recipient,
                       subject=row.subject, message_id=row.message_id, content=row.content, status=row.status,
                       attempts=row.attempts, last_error=row.last_error, created_at=row.created_at,
                       next_attempt_at=row.next_attempt_at, sent_at=row.sent_at)


_INSERT = sa.insert(t.EmailOutbox)  # built once: its compiled form is cached, a booking pays only for the row
# The columns a new row sets besides its content (`_values`), for the driver's statements below.
_SET = ('tenant_id', 'template', 'recipient', 'subject', 'message_id', 'status', 'attempts', 'last_error',
        'created_at', 'next_attempt_at')
# The same for the driver's cursor (storage.driver): every column it sets, named.
_INSERT_DRIVER = driver.Statement(sa.insert(t.EmailOutbox).values({
    name: sa.bindparam(name, type_=table_of(t.EmailOutbox).c[name].type) for name in (*_SET, 'content')}))


@dataclass(frozen=True, slots=True, kw_only=True)
class NewEmail:
    """A row to queue (`insert`), or to write in the statement that inserts the appointment it is about, whose id
    goes into its content at `APPOINTMENT_ID` then (storage.appointments.insert_booked)."""

    tenant_id: int
    template: str
    recipient: str
    subject: str
    message_id: str
    content: dict[str, Any]
    now: datetime


APPOINTMENT_ID = ('render', 'appointment_id')  # where a row about an appointment not yet written keeps its id


def with_appointment_id(email: NewEmail, appointment_id: int) -> NewEmail:
    """`email` with `appointment_id` at APPOINTMENT_ID in its content."""
    outer, inner = APPOINTMENT_ID
    return replace(email, content={**email.content, outer: {**email.content[outer], inner: appointment_id}})


def insert_about(inserted_id: sa.ColumnElement[int], *, prefixes: list[str]) -> sa.Insert:
    """The rows' INSERT ... SELECT for a statement that inserts the appointment they are about: the appointment's id
    (`inserted_id`, from its RETURNING) is set at APPOINTMENT_ID in each content; each row's values are bound with
    its prefix before their names (`bind_about`). One INSERT for them all, in their order (a UNION ALL runs its parts
    in turn), so they get their ids in that order, as one `insert` after another would. PostgreSQL."""
    outbox = table_of(t.EmailOutbox)
    path: sa.ColumnElement[Any] = sa.literal_column("'{" + ','.join(APPOINTMENT_ID) + "}'::text[]")

    def row(prefix: str) -> sa.Select[Any]:
        content = sa.func.jsonb_set(sa.cast(sa.bindparam(f'{prefix}content', type_=sa.Text()), JSONB), path,
                                    sa.func.to_jsonb(inserted_id))
        return sa.select(*(sa.bindparam(f'{prefix}{name}', type_=outbox.c[name].type) for name in _SET),
                         sa.cast(content, sa.JSON))

    rows = [row(prefix) for prefix in prefixes]
    return outbox.insert().from_select([*_SET, 'content'], rows[0] if len(rows) == 1 else sa.union_all(*rows))


def bind_about(email: NewEmail, *, prefix: str) -> dict[str, Any]:
    """The values of `insert_about`'s row, as the driver takes them (storage.driver)."""
    values = _values(tenant_id=email.tenant_id, template=email.template, recipient=email.recipient,
                     subject=email.subject, message_id=email.message_id, content=email.content, now=email.now)
    values['content'] = json_module.dumps(values['content'])
    values['created_at'] = values['next_attempt_at'] = driver.naive_utc(email.now)
    return {f'{prefix}{name}': value for name, value in values.items()}


def insert_new(session: Session, email: NewEmail) -> None:
    """`insert` of a NewEmail."""
    insert(session, tenant_id=email.tenant_id, template=email.template, recipient=email.recipient,
           subject=email.subject, message_id=email.message_id, content=email.content, now=email.now)


def _values(*, tenant_id: int, template: str, recipient: str, subject: str, message_id: str, content: dict[str, Any],
            now: datetime) -> dict[str, Any]:
    return {'tenant_id': tenant_id, 'template': template[:64], 'recipient': recipient[:320], 'subject': subject[:998],
            'message_id': message_id, 'content': content, 'status': QUEUED, 'attempts': 0, 'last_error': '',
            'created_at': now, 'next_attempt_at': now}


def insert(session: Session, *, tenant_id: int, template: str, recipient: str, subject: str, message_id: str,
           content: dict[str, Any], now: datetime) -> None:
    """Queue one rendered message in the caller's transaction (one INSERT, no flush); it is due at once."""
    values = _values(tenant_id=tenant_id, template=template, recipient=recipient, subject=subject,
                     message_id=message_id, content=content, now=now)
    if driver.enabled(session):  # PostgreSQL: a booking writes it under its staff locks, on the driver's cursor
        values['content'] = driver.json(content)
        values['created_at'] = values['next_attempt_at'] = driver.naive_utc(now)
        driver.rows(session, _INSERT_DRIVER, values)
        return
    session.connection().execute(_INSERT, values)  # Core, not the ORM's bulk path: it runs inside the booking's locks


def _due(now: datetime) -> Any:
    return select(t.EmailOutbox).where(col(t.EmailOutbox.status) == QUEUED,
                                       col(t.EmailOutbox.next_attempt_at) <= now).order_by(col(t.EmailOutbox.id))


def claim_due(session: Session, *, now: datetime) -> OutboxEmail | None:
    """PostgreSQL: lock the oldest due row no other sender holds, for the rest of the caller's transaction."""
    row = session.exec(_due(now).limit(1).with_for_update(skip_locked=True)).first()
    return _to_email(row) if row is not None else None


def due(session: Session, *, now: datetime, limit: int) -> list[OutboxEmail]:
    """The oldest due rows, unlocked (SQLite's single sender)."""
    return [_to_email(row) for row in session.exec(_due(now).limit(limit)).all()]


def count_due(session: Session, *, now: datetime) -> int:
    return int(session.exec(select(sa.func.count()).select_from(t.EmailOutbox).where(
        col(t.EmailOutbox.status) == QUEUED, col(t.EmailOutbox.next_attempt_at) <= now)).one())


def count_queued(session: Session) -> int:
    """Rows not yet sent nor given up, due now or waiting for a retry."""
    return int(session.exec(select(sa.func.count()).select_from(t.EmailOutbox).where(
        t.EmailOutbox.status == QUEUED)).one())


def mark_sent(session: Session, *, email_id: int, now: datetime) -> None:
    session.execute(sa.update(t.EmailOutbox).where(col(t.EmailOutbox.id) == email_id).values(
        status=SENT, sent_at=now, attempts=col(t.EmailOutbox.attempts) + 1, last_error=''))


def set_message(session: Session, *, email_id: int, subject: str, content: dict[str, Any]) -> None:
    """Keep the message rendered for a row queued with machine values (services.mail), for every later attempt."""
    session.execute(sa.update(t.EmailOutbox).where(col(t.EmailOutbox.id) == email_id).values(
        subject=subject[:998], content=content))


def mark_attempt_failed(session: Session, *, email_id: int, error: str, retry_at: datetime | None) -> None:
    """One more failed attempt: retry at `retry_at`, or give up (status 'failed') when it is None."""
    values: dict[str, Any] = {'attempts': t.EmailOutbox.attempts + 1, 'last_error': error[:2000]}
    if retry_at is None:
        values['status'] = FAILED
    else:
        values['next_attempt_at'] = retry_at
    session.execute(sa.update(t.EmailOutbox).where(col(t.EmailOutbox.id) == email_id).values(**values))


def emails(session: Session, *, tenant_id: int | None = None, status: str | None = None, limit: int = 50,
           offset: int = 0) -> list[OutboxEmail]:
    """Newest first, filtered and paged in SQL (for the admin area's outbox list)."""
    query = select(t.EmailOutbox)
    if tenant_id is not None:
        query = query.where(t.EmailOutbox.tenant_id == tenant_id)
    if status is not None:
        query = query.where(t.EmailOutbox.status == status)
    rows = session.exec(query.order_by(col(t.EmailOutbox.id).desc()).offset(offset).limit(limit)).all()
    return [_to_email(row) for row in rows]


def email(session: Session, *, tenant_id: int, email_id: int) -> OutboxEmail | None:
    """One of the business's emails (None when it is not theirs)."""
    row = session.exec(select(t.EmailOutbox).where(t.EmailOutbox.id == email_id,
                                                   t.EmailOutbox.tenant_id == tenant_id)).first()
    return _to_email(row) if row is not None else None


def counts(session: Session, *, tenant_id: int) -> dict[str, int]:
    """How many of the business's emails are queued, sent and failed."""
    found = {str(k): int(n) for k, n in session.execute(
        sa.select(col(t.EmailOutbox.status), sa.func.count()).where(col(t.EmailOutbox.tenant_id) == tenant_id)
        .group_by(col(t.EmailOutbox.status)))}
    return {status: found.get(status, 0) for status in (QUEUED, SENT, FAILED)}


def requeue(session: Session, *, tenant_id: int, email_id: int, now: datetime) -> bool:
    """A failed email of the business tries again now, from its first attempt; False when there is no such one."""
    result = session.execute(sa.update(t.EmailOutbox).where(
        col(t.EmailOutbox.id) == email_id, col(t.EmailOutbox.tenant_id) == tenant_id,
        col(t.EmailOutbox.status) == FAILED).values(status=QUEUED, attempts=0, next_attempt_at=now))
    return bool(getattr(result, 'rowcount', 0))
