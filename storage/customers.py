"""Customers with their sign-in sessions, emailed tokens and avatars.

Functions take the session first and keyword-only arguments; rows never leave: callers get domain values,
ids or plain tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import model as d
from domain.settings import PanelSettings
from storage import driver
from storage import tables as t
from storage.db import table_of

# ---- conversions --------------------------------------------------------------------------------------------------


def to_customer(row: t.Customer | sa.Row[*tuple[Any, ...]] | _DriverRow) -> d.Customer:
    """From an ORM row or a plain row of the customer table's columns (SQLAlchemy's or the driver's)."""
    assert row.id is not None
    return d.Customer(
        id=row.id, tenant_id=row.tenant_id, first_name=row.first_name, last_name=row.last_name, email=row.email,
        phone=row.phone, birth_date=row.birth_date, gender=row.gender,
        avatar_url=f'/avatar/{row.id}?v={row.avatar_version}' if row.avatar_version else None,
        timezone=row.timezone, language=row.language, email_reminders=row.email_reminders,
        has_password=bool(row.password_hash),
        email_verified=row.email_verified_at is not None,
        created_at=row.created_at, deleted_at=row.deleted_at,
    )


# ---- customers ----------------------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def active_customer_row_by_email(session: Session, *, tenant_id: int, email: str) -> t.Customer | None:
    return session.exec(select(t.Customer).where(
        col(t.Customer.tenant_id) == tenant_id, col(t.Customer.email_norm) == normalise_email(email),
        col(t.Customer.deleted_at).is_(None),
    )).first()


def customer(session: Session, *, tenant_id: int, customer_id: int) -> d.Customer | None:
    # The table's columns through Core, no ORM instance: every booking reads its customer first (on PostgreSQL on
    # the driver's cursor, storage.driver).
    params = {'tenant_id': tenant_id, 'customer_id': customer_id}
    if driver.enabled(session):
        found = driver.rows(session, _CUSTOMER_DRIVER, params)
        return to_customer(_DriverRow.of(found[0])) if found else None
    row = session.connection().execute(_CUSTOMER, params).first()
    return to_customer(row) if row else None


_CUSTOMER = sa.select(*table_of(t.Customer).columns).where(
    col(t.Customer.tenant_id) == sa.bindparam('tenant_id'), col(t.Customer.id) == sa.bindparam('customer_id'))
_CUSTOMER_DRIVER = driver.Statement(_CUSTOMER)
_CUSTOMER_NAMES = tuple(c.name for c in table_of(t.Customer).columns)
_CUSTOMER_UTC = frozenset(c.name for c in table_of(t.Customer).columns if isinstance(c.type, t.UTCDateTime))

# `customer`'s read as columns another statement can carry (an outer join to it, parameters tenant_id and
# customer_id): a booking reads its customer in the statement that locks its staff (storage.catalog), one round trip
# less. Named customer_<column>, in the table's order; `customer_of` makes the customer of their values.
_ALONGSIDE = _CUSTOMER.subquery('customer_read')
ALONGSIDE_COLUMNS = tuple(_ALONGSIDE.c[name].label(f'customer_{name}') for name in _CUSTOMER_NAMES)


def alongside(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`stmt` with ALONGSIDE_COLUMNS added after its own: every row it returns carries the customer's columns (all
    None when there is no such customer)."""
    return stmt.add_columns(*ALONGSIDE_COLUMNS).outerjoin(_ALONGSIDE, sa.true())


def customer_of(values: Sequence[Any]) -> d.Customer | None:
    """The customer of ALONGSIDE_COLUMNS' values, as the driver or SQLAlchemy returns them; None: not found."""
    return None if values[0] is None else to_customer(_DriverRow.of(tuple(values)))


class _DriverRow:
    """A customer row as the driver returns it, by column name, its UTC times made aware as UTCDateTime does."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> _DriverRow:
        values = dict(zip(_CUSTOMER_NAMES, row, strict=True))
        for name in _CUSTOMER_UTC:
            if values[name] is not None:
                values[name] = values[name].replace(tzinfo=UTC)
        return cls(values)

    def __getattr__(self, name: str) -> Any:  # the columns set in __init__; this only tells mypy they exist
        raise AttributeError(name)


def set_email_reminders(session: Session, *, tenant_id: int, customer_id: int, on: bool) -> None:
    session.execute(sa.update(t.Customer).where(col(t.Customer.tenant_id) == tenant_id,
                                                col(t.Customer.id) == customer_id).values(email_reminders=on))


def active_customer_by_email(session: Session, *, tenant_id: int, email: str) -> d.Customer | None:
    row = active_customer_row_by_email(session, tenant_id=tenant_id, email=email)
    return to_customer(row) if row else None


def active_customer(session: Session, *, tenant_id: int, customer_id: int) -> d.Customer | None:
    row = _active_row(session, tenant_id=tenant_id, customer_id=customer_id)
    return to_customer(row) if row else None


def password_hash_of(session: Session, *, tenant_id: int, customer_id: int) -> str | None:
    return session.exec(select(col(t.Customer.password_hash)).where(
        col(t.Customer.tenant_id) == tenant_id, col(t.Customer.id) == customer_id,
        col(t.Customer.deleted_at).is_(None))).first()


def email_in_use(session: Session, *, tenant_id: int, email: str, except_id: int | None = None) -> bool:
    row = active_customer_row_by_email(session, tenant_id=tenant_id, email=email)
    return row is not None and row.id != except_id


def insert_customer(session: Session, *, tenant_id: int, email: str, first_name: str, last_name: str, phone: str,
                    password_hash: str | None, verified_at: datetime | None, now: datetime,
                    language: str | None = None) -> d.Customer:
    row = t.Customer(tenant_id=tenant_id, email=email.strip(), email_norm=normalise_email(email),
                     first_name=first_name.strip(), last_name=last_name.strip(), phone=phone.strip(),
                     password_hash=password_hash, email_verified_at=verified_at, created_at=now, language=language)
    session.add(row)
    session.flush()
    return to_customer(row)


def set_password_hash(session: Session, *, tenant_id: int, customer_id: int, password_hash: str) -> None:
    _update(session, tenant_id, customer_id, password_hash=password_hash)


def clear_password(session: Session, *, tenant_id: int, customer_id: int) -> None:
    _update(session, tenant_id, customer_id, password_hash=None)


def mark_verified(session: Session, *, tenant_id: int, customer_id: int, now: datetime) -> None:
    session.execute(sa.update(t.Customer).where(col(t.Customer.tenant_id) == tenant_id,
                                                col(t.Customer.id) == customer_id,
                                                col(t.Customer.email_verified_at).is_(None))
                    .values(email_verified_at=now))


def update_profile(session: Session, *, tenant_id: int, customer_id: int, first_name: str, last_name: str,
                   phone: str, birth_date: date | None, gender: str) -> None:
    _update(session, tenant_id, customer_id, first_name=first_name, last_name=last_name, phone=phone,
            birth_date=birth_date, gender=gender)


def change_email(session: Session, *, tenant_id: int, customer_id: int, email: str, now: datetime) -> None:
    _update(session, tenant_id, customer_id, email=email.strip(), email_norm=normalise_email(email),
            email_verified_at=now)


def soft_delete(session: Session, *, tenant_id: int, customer_id: int, now: datetime) -> bool:
    """Close the account: it keeps its row (and its appointments) but counts as gone from now on."""
    result = session.execute(sa.update(t.Customer).where(
        col(t.Customer.tenant_id) == tenant_id, col(t.Customer.id) == customer_id,
        col(t.Customer.deleted_at).is_(None)).values(deleted_at=now, password_hash=None))
    session.execute(sa.delete(t.Avatar).where(col(t.Avatar.customer_id) == customer_id))
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]  # DML answers a CursorResult


def set_customer_timezone(session: Session, *, tenant_id: int, customer_id: int, timezone: str) -> None:
    session.execute(sa.update(t.Customer).where(col(t.Customer.tenant_id) == tenant_id,
                                                col(t.Customer.id) == customer_id)
                    .values(timezone=timezone))


def set_customer_language(session: Session, *, tenant_id: int, customer_id: int, language: str | None) -> None:
    session.execute(sa.update(t.Customer).where(col(t.Customer.tenant_id) == tenant_id,
                                                col(t.Customer.id) == customer_id)
                    .values(language=language))


def create_customer(session: Session, *, tenant_id: int, email: str, first_name: str = '', last_name: str = '',
                    password_hash: str | None = None, phone: str = '', now: datetime,
                    verified: bool = True, timezone: str | None = None) -> int:
    row = t.Customer(tenant_id=tenant_id, email=email.strip(), email_norm=normalise_email(email),
                     first_name=first_name, last_name=last_name, password_hash=password_hash, phone=phone,
                     created_at=now, email_verified_at=now if verified else None, timezone=timezone)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


# ---- avatars ------------------------------------------------------------------------------------------------------


def save_avatar(session: Session, *, tenant_id: int, customer_id: int, content_type: str, data: bytes,
                now: datetime) -> None:
    row = session.get(t.Avatar, customer_id)
    if row is None:
        session.add(t.Avatar(customer_id=customer_id, tenant_id=tenant_id, content_type=content_type, data=data,
                             updated_at=now))
    else:
        row.content_type, row.data, row.updated_at = content_type, data, now
        session.add(row)
    session.execute(sa.update(t.Customer).where(col(t.Customer.id) == customer_id)
                    .values(avatar_version=col(t.Customer.avatar_version) + 1))


def remove_avatar(session: Session, *, tenant_id: int, customer_id: int) -> None:
    session.execute(sa.delete(t.Avatar).where(col(t.Avatar.tenant_id) == tenant_id,
                                              col(t.Avatar.customer_id) == customer_id))
    _update(session, tenant_id, customer_id, avatar_version=0)


def avatar(session: Session, *, tenant_id: int, customer_id: int) -> tuple[str, bytes] | None:
    """The stored image of a customer of this tenant only, as (content type, bytes)."""
    row = session.exec(select(t.Avatar).where(t.Avatar.tenant_id == tenant_id,
                                              t.Avatar.customer_id == customer_id)).first()
    return (row.content_type, row.data) if row else None


# ---- helpers ------------------------------------------------------------------------------------------------------


def _active_row(session: Session, *, tenant_id: int, customer_id: int) -> t.Customer | None:
    return session.exec(select(t.Customer).where(col(t.Customer.tenant_id) == tenant_id,
                                                 col(t.Customer.id) == customer_id,
                                                 col(t.Customer.deleted_at).is_(None))).first()


def _update(session: Session, tenant_id: int, customer_id: int, **values: object) -> None:
    session.execute(sa.update(t.Customer).where(col(t.Customer.tenant_id) == tenant_id,
                                                col(t.Customer.id) == customer_id,
                                                col(t.Customer.deleted_at).is_(None))
                    .values(**values))


# ---- tokens -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    customer_id: int
    payload: str
    expires_at: datetime
    used_at: datetime | None


def add_token(session: Session, *, tenant_id: int, customer_id: int, purpose: str, token_hash: str, payload: str,
              now: datetime, expires_at: datetime) -> None:
    session.add(t.AuthToken(tenant_id=tenant_id, customer_id=customer_id, purpose=purpose, token_hash=token_hash,
                            payload=payload, created_at=now, expires_at=expires_at))
    session.flush()


def find_token(session: Session, *, tenant_id: int, purpose: str, token_hash: str) -> TokenRow | None:
    row = session.exec(select(t.AuthToken).where(t.AuthToken.tenant_id == tenant_id, t.AuthToken.purpose == purpose,
                                                 t.AuthToken.token_hash == token_hash)).first()
    if row is None or row.id is None:
        return None
    return TokenRow(row.id, row.customer_id, row.payload, row.expires_at, row.used_at)


def use_token(session: Session, *, token_id: int, now: datetime) -> bool:
    """Mark a token used; False when another request used it first (the update is its own guard)."""
    result = session.execute(sa.update(t.AuthToken).where(col(t.AuthToken.id) == token_id,
                                                          col(t.AuthToken.used_at).is_(None))
                             .values(used_at=now))
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]  # DML answers a CursorResult


def retire_tokens(session: Session, *, customer_id: int, now: datetime, purposes: tuple[str, ...] | None = None) -> int:
    """Spend every open token of the account (of the given purposes), so older links stop working."""
    stmt = sa.update(t.AuthToken).where(col(t.AuthToken.customer_id) == customer_id,
                                        col(t.AuthToken.used_at).is_(None))
    if purposes is not None:
        stmt = stmt.where(col(t.AuthToken.purpose).in_(purposes))
    return session.execute(stmt.values(used_at=now)).rowcount or 0  # type: ignore[attr-defined]  # DML answers a CursorResult


# ---- sessions --------------------------------------------------------------------------------------------------
# Sessions are found by the SHA-256 of their token (services.auth makes it); the raw token never reaches the
# database. A session is live while it is not revoked, was opened after `born_after` (its absolute lifetime) and
# was last seen after `seen_after` (its idle time).


# The panel's hot statements are built once with bound parameters: building a statement costs more CPU than
# SQLite takes to run it, and every page view issues these.
_P = sa.bindparam
_A = table_of(t.AuthSession).c
_LIVE = sa.and_(_A.token_hash == _P('token_hash'), _A.tenant_id == _P('tenant_id'), _A.revoked_at.is_(None),
                _A.created_at > _P('born_after', type_=_A.created_at.type),
                _A.last_seen_at > _P('seen_after', type_=_A.last_seen_at.type))
_C, _T = table_of(t.Customer).c, table_of(t.Tenant).c
# Plain columns, not an ORM entity: every customer action checks its session first (services.auth.act), and the
# ORM's entity loading cost more than the statement.
_SESSION_CUSTOMER = (
    sa.select(*_C, _A.last_seen_at.label('session_last_seen_at'))
    .select_from(table_of(t.AuthSession))
    .join(table_of(t.Customer), _C.id == _A.customer_id)
    .where(_LIVE, _C.deleted_at.is_(None))
)
_SESSION_CONTEXT = (
    sa.select(*_C, _T.settings.label('tenant_settings'), _A.last_seen_at.label('session_last_seen_at'),
              sa.exists().where(col(t.Package.tenant_id) == _T.id).label('sells_packages'))
    .select_from(table_of(t.AuthSession))
    .join(table_of(t.Customer), _C.id == col(t.AuthSession.customer_id))
    .join(table_of(t.Tenant), _T.id == col(t.AuthSession.tenant_id))
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
    row = session.connection().execute(_SESSION_CUSTOMER, {'token_hash': token_hash, 'tenant_id': tenant_id,
                                                           'born_after': born_after, 'seen_after': seen_after}).first()
    return LiveSession(to_customer(row), row.session_last_seen_at) if row else None


def touch_session(session: Session, *, token_hash: str, now: datetime) -> None:
    """The session was used now: its idle clock starts again."""
    session.execute(sa.update(t.AuthSession).where(col(t.AuthSession.token_hash) == token_hash,
                                                   col(t.AuthSession.revoked_at).is_(None))
                    .values(last_seen_at=now))


def revoke_sessions(session: Session, *, customer_id: int, now: datetime, keep_hash: str | None = None) -> int:
    stmt = sa.update(t.AuthSession).where(col(t.AuthSession.customer_id) == customer_id,
                                          col(t.AuthSession.revoked_at).is_(None))
    if keep_hash is not None:
        stmt = stmt.where(col(t.AuthSession.token_hash) != keep_hash)
    return session.execute(stmt.values(revoked_at=now)).rowcount or 0  # type: ignore[attr-defined]  # DML answers a CursorResult


def revoke_session(session: Session, *, token_hash: str, now: datetime) -> tuple[int, int | None] | None:
    """End one customer session (an admin's is storage.admins'); returns its (tenant id, customer id) when it was live,
    so its other tabs can be told."""
    row = session.execute(sa.update(t.AuthSession).where(col(t.AuthSession.token_hash) == token_hash,
                                                         col(t.AuthSession.customer_id).is_not(None),
                                                         col(t.AuthSession.revoked_at).is_(None))
                          .values(revoked_at=now)
                          .returning(col(t.AuthSession.tenant_id), col(t.AuthSession.customer_id))).first()
    return (row[0], row[1]) if row else None
