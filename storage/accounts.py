"""Reads and writes of customer accounts: emailed tokens, profile and email changes, passwords, deletion, avatars.

Each function takes the session first and keyword-only arguments; rows never leave: callers get domain values,
ids or plain tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from domain import model as d
from storage import tables as t
from storage.queries import active_customer_row_by_email, normalise_email, to_customer

# ---- tokens ----------------------------------------------------------------------------------------------------


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
    result = session.execute(sa.update(t.AuthToken).where(t.AuthToken.id == token_id,
                                                          t.AuthToken.used_at.is_(None))  # type: ignore[union-attr]
                             .values(used_at=now))
    return (result.rowcount or 0) == 1


def retire_tokens(session: Session, *, customer_id: int, now: datetime, purposes: tuple[str, ...] | None = None) -> int:
    """Spend every open token of the account (of the given purposes), so older links stop working."""
    stmt = sa.update(t.AuthToken).where(t.AuthToken.customer_id == customer_id,
                                        t.AuthToken.used_at.is_(None))  # type: ignore[union-attr]
    if purposes is not None:
        stmt = stmt.where(t.AuthToken.purpose.in_(purposes))  # type: ignore[attr-defined]
    return session.execute(stmt.values(used_at=now)).rowcount or 0


# ---- customers -------------------------------------------------------------------------------------------------


def active_customer_by_email(session: Session, *, tenant_id: int, email: str) -> d.Customer | None:
    row = active_customer_row_by_email(session, tenant_id=tenant_id, email=email)
    return to_customer(row) if row else None


def active_customer(session: Session, *, tenant_id: int, customer_id: int) -> d.Customer | None:
    row = _active_row(session, tenant_id=tenant_id, customer_id=customer_id)
    return to_customer(row) if row else None


def password_hash_of(session: Session, *, tenant_id: int, customer_id: int) -> str | None:
    return session.exec(select(t.Customer.password_hash).where(
        t.Customer.tenant_id == tenant_id, t.Customer.id == customer_id,
        t.Customer.deleted_at.is_(None))).first()  # type: ignore[union-attr]


def email_in_use(session: Session, *, tenant_id: int, email: str, except_id: int | None = None) -> bool:
    row = active_customer_row_by_email(session, tenant_id=tenant_id, email=email)
    return row is not None and row.id != except_id


def insert_customer(session: Session, *, tenant_id: int, email: str, first_name: str, last_name: str, phone: str,
                    password_hash: str | None, verified_at: datetime | None, now: datetime) -> d.Customer:
    row = t.Customer(tenant_id=tenant_id, email=email.strip(), email_norm=normalise_email(email),
                     first_name=first_name.strip(), last_name=last_name.strip(), phone=phone.strip(),
                     password_hash=password_hash, email_verified_at=verified_at, created_at=now)
    session.add(row)
    session.flush()
    return to_customer(row)


def set_password_hash(session: Session, *, tenant_id: int, customer_id: int, password_hash: str) -> None:
    _update(session, tenant_id, customer_id, password_hash=password_hash)


def clear_password(session: Session, *, tenant_id: int, customer_id: int) -> None:
    _update(session, tenant_id, customer_id, password_hash=None)


def has_appointments(session: Session, *, tenant_id: int, customer_id: int) -> bool:
    return session.execute(sa.select(sa.exists().where(t.Appointment.tenant_id == tenant_id,
                                                       t.Appointment.customer_id == customer_id))).scalar() is True


def mark_verified(session: Session, *, tenant_id: int, customer_id: int, now: datetime) -> None:
    session.execute(sa.update(t.Customer).where(t.Customer.tenant_id == tenant_id, t.Customer.id == customer_id,
                                                t.Customer.email_verified_at.is_(None))  # type: ignore[union-attr]
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
        t.Customer.tenant_id == tenant_id, t.Customer.id == customer_id,
        t.Customer.deleted_at.is_(None)).values(deleted_at=now, password_hash=None))  # type: ignore[union-attr]
    session.execute(sa.delete(t.Avatar).where(t.Avatar.customer_id == customer_id))  # type: ignore[arg-type]
    return (result.rowcount or 0) == 1


# ---- avatars ---------------------------------------------------------------------------------------------------


def save_avatar(session: Session, *, tenant_id: int, customer_id: int, content_type: str, data: bytes,
                now: datetime) -> None:
    row = session.get(t.Avatar, customer_id)
    if row is None:
        session.add(t.Avatar(customer_id=customer_id, tenant_id=tenant_id, content_type=content_type, data=data,
                             updated_at=now))
    else:
        row.content_type, row.data, row.updated_at = content_type, data, now
        session.add(row)
    session.execute(sa.update(t.Customer).where(t.Customer.id == customer_id)
                    .values(avatar_version=t.Customer.avatar_version + 1))


def remove_avatar(session: Session, *, tenant_id: int, customer_id: int) -> None:
    session.execute(sa.delete(t.Avatar).where(t.Avatar.tenant_id == tenant_id,  # type: ignore[arg-type]
                                              t.Avatar.customer_id == customer_id))  # type: ignore[arg-type]
    _update(session, tenant_id, customer_id, avatar_version=0)


def avatar(session: Session, *, tenant_id: int, customer_id: int) -> tuple[str, bytes] | None:
    """The stored image of a customer of this tenant only, as (content type, bytes)."""
    row = session.exec(select(t.Avatar).where(t.Avatar.tenant_id == tenant_id,
                                              t.Avatar.customer_id == customer_id)).first()
    return (row.content_type, row.data) if row else None


# ---- helpers ---------------------------------------------------------------------------------------------------


def _active_row(session: Session, *, tenant_id: int, customer_id: int) -> t.Customer | None:
    return session.exec(select(t.Customer).where(t.Customer.tenant_id == tenant_id, t.Customer.id == customer_id,
                                                 t.Customer.deleted_at.is_(None))).first()  # type: ignore[union-attr]


def _update(session: Session, tenant_id: int, customer_id: int, **values: object) -> None:
    session.execute(sa.update(t.Customer).where(t.Customer.tenant_id == tenant_id, t.Customer.id == customer_id,
                                                t.Customer.deleted_at.is_(None))  # type: ignore[union-attr]
                    .values(**values))


# ---- the tenant, for emails ------------------------------------------------------------------------------------


def tenant_name_and_host(session: Session, *, tenant_id: int) -> tuple[str, str | None]:
    row = session.exec(select(t.Tenant.name, t.Tenant.host).where(t.Tenant.id == tenant_id)).one()
    return row[0], row[1]
