"""The business's admins: their accounts, their invitations, and their sign-in sessions.

Admin sessions live in the same `auth_session` table as customers' but are found only through `admin_id` joined to
an active admin of the same tenant (and customers' only through `customer_id` joined to a customer), so a token of
one kind never opens a page of the other. Functions take the session first and keyword-only arguments; rows never
leave: callers get domain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.admins import Admin, AdminRole, Invitation, to_role
from storage import tables as t
from storage.customers import normalise_email
from storage.db import for_update

# ---- conversions --------------------------------------------------------------------------------------------------


def to_admin(row: t.AdminUser) -> Admin:
    assert row.id is not None
    return Admin(id=row.id, tenant_id=row.tenant_id, email=row.email, name=row.name, role=to_role(row.role),
                 language=row.language)


def _active() -> sa.ColumnElement[bool]:
    return col(t.AdminUser.removed_at).is_(None)


# ---- accounts -----------------------------------------------------------------------------------------------------


def create_admin(session: Session, *, tenant_id: int, email: str, password_hash: str, name: str = '',
                 role: AdminRole = AdminRole.OWNER) -> int:
    row = t.AdminUser(tenant_id=tenant_id, email=normalise_email(email), password_hash=password_hash, name=name,
                      role=role.value)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def active_admin_by_email(session: Session, *, tenant_id: int, email: str) -> tuple[Admin, str] | None:
    """The active admin with this email in this tenant, and their password hash."""
    row = session.exec(select(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.email) == normalise_email(email), _active())).first()
    return (to_admin(row), row.password_hash) if row else None


def admin_by_email(session: Session, *, tenant_id: int, email: str) -> tuple[Admin, bool] | None:
    """The admin with this email in this tenant, removed or not (True when removed)."""
    row = session.exec(select(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.email) == normalise_email(email))).first()
    return (to_admin(row), row.removed_at is not None) if row else None


def active_admin(session: Session, *, tenant_id: int, admin_id: int) -> Admin | None:
    row = session.exec(select(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.id) == admin_id, _active())).first()
    return to_admin(row) if row else None


def lock_admins(session: Session, *, tenant_id: int) -> list[Admin]:
    """Every active admin of the tenant, rows held until the transaction ends (so two owners cannot remove each
    other at once and leave none)."""
    rows = session.exec(for_update(session, select(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                                      _active()).order_by(col(t.AdminUser.id)))).all()
    return [to_admin(r) for r in rows]


def admins(session: Session, *, tenant_id: int) -> list[Admin]:
    """The tenant's active admins, oldest first."""
    rows = session.exec(select(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id, _active())
                        .order_by(col(t.AdminUser.id))).all()
    return [to_admin(r) for r in rows]


def admin_names(session: Session, *, tenant_id: int) -> dict[int, str]:
    """Every admin the tenant ever had (removed ones too: the audit log names them), id to name or email."""
    rows = session.execute(sa.select(col(t.AdminUser.id), col(t.AdminUser.name), col(t.AdminUser.email))
                           .where(col(t.AdminUser.tenant_id) == tenant_id).order_by(col(t.AdminUser.id))).all()
    return {r[0]: r[1] or r[2] for r in rows}


def set_password_hash(session: Session, *, tenant_id: int, admin_id: int, password_hash: str) -> None:
    session.execute(sa.update(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.id) == admin_id).values(password_hash=password_hash))


def set_language(session: Session, *, tenant_id: int, admin_id: int, language: str | None) -> None:
    session.execute(sa.update(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.id) == admin_id).values(language=language))


def set_role(session: Session, *, tenant_id: int, admin_id: int, role: AdminRole) -> None:
    session.execute(sa.update(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.id) == admin_id).values(role=role.value))


def restore_admin(session: Session, *, tenant_id: int, admin_id: int, role: AdminRole, password_hash: str,
                  name: str) -> None:
    """An admin removed earlier comes back (invited again): new role, password and name."""
    session.execute(sa.update(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                 col(t.AdminUser.id) == admin_id)
                    .values(removed_at=None, role=role.value, password_hash=password_hash, name=name))


def remove_admin(session: Session, *, tenant_id: int, admin_id: int, now: datetime) -> bool:
    result = session.execute(sa.update(t.AdminUser).where(col(t.AdminUser.tenant_id) == tenant_id,
                                                          col(t.AdminUser.id) == admin_id, _active())
                             .values(removed_at=now))
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]  # DML answers a CursorResult


# ---- invitations --------------------------------------------------------------------------------------------------


def add_invite(session: Session, *, tenant_id: int, email: str, role: AdminRole, invited_by: int, token_hash: str,
               now: datetime, expires_at: datetime) -> int:
    # An earlier open invitation to the same address stops working: only the newest link counts.
    session.execute(sa.update(t.AdminInvite).where(col(t.AdminInvite.tenant_id) == tenant_id,
                                                   col(t.AdminInvite.email) == normalise_email(email),
                                                   col(t.AdminInvite.used_at).is_(None)).values(used_at=now))
    row = t.AdminInvite(tenant_id=tenant_id, email=normalise_email(email), role=role.value, invited_by=invited_by,
                        token_hash=token_hash, created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _to_invitation(row: t.AdminInvite) -> Invitation:
    assert row.id is not None
    return Invitation(id=row.id, email=row.email, role=to_role(row.role), invited_by=row.invited_by,
                      created_at=row.created_at, expires_at=row.expires_at, used_at=row.used_at)


def invite_by_token(session: Session, *, tenant_id: int, token_hash: str) -> Invitation | None:
    row = session.exec(select(t.AdminInvite).where(col(t.AdminInvite.tenant_id) == tenant_id,
                                                   col(t.AdminInvite.token_hash) == token_hash)).first()
    return _to_invitation(row) if row else None


def open_invites(session: Session, *, tenant_id: int, now: datetime) -> list[Invitation]:
    rows = session.exec(select(t.AdminInvite).where(col(t.AdminInvite.tenant_id) == tenant_id,
                                                    col(t.AdminInvite.used_at).is_(None),
                                                    col(t.AdminInvite.expires_at) > now)
                        .order_by(col(t.AdminInvite.id))).all()
    return [_to_invitation(r) for r in rows]


def use_invite(session: Session, *, invite_id: int, now: datetime) -> bool:
    """Mark an invitation used; False when another request used it first (the update is its own guard)."""
    result = session.execute(sa.update(t.AdminInvite).where(col(t.AdminInvite.id) == invite_id,
                                                            col(t.AdminInvite.used_at).is_(None)).values(used_at=now))
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]  # DML answers a CursorResult


def cancel_invite(session: Session, *, tenant_id: int, invite_id: int, now: datetime) -> Invitation | None:
    row = session.exec(select(t.AdminInvite).where(col(t.AdminInvite.tenant_id) == tenant_id,
                                                   col(t.AdminInvite.id) == invite_id,
                                                   col(t.AdminInvite.used_at).is_(None))).first()
    if row is None:
        return None
    row.used_at = now
    session.add(row)
    session.flush()
    return _to_invitation(row)


# ---- sessions -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveAdminSession:
    admin: Admin
    last_seen_at: datetime


_A = t.AuthSession


def open_session(session: Session, *, token_hash: str, tenant_id: int, admin_id: int, now: datetime) -> None:
    session.add(t.AuthSession(token_hash=token_hash, tenant_id=tenant_id, admin_id=admin_id, created_at=now,
                              last_seen_at=now))


def session_admin(session: Session, *, token_hash: str, tenant_id: int, born_after: datetime,
                  seen_after: datetime) -> LiveAdminSession | None:
    """The active admin behind a live admin session of this tenant, in one statement (a customer's session has no
    admin and is never found here)."""
    row = session.execute(
        sa.select(t.AdminUser, col(_A.last_seen_at))
        .join(_A, col(_A.admin_id) == col(t.AdminUser.id))
        .where(col(_A.token_hash) == token_hash, col(_A.tenant_id) == tenant_id, col(_A.revoked_at).is_(None),
               col(_A.customer_id).is_(None), col(_A.created_at) > born_after, col(_A.last_seen_at) > seen_after,
               col(t.AdminUser.tenant_id) == tenant_id, _active())).first()
    return LiveAdminSession(to_admin(row[0]), row[1]) if row else None


def revoke_sessions(session: Session, *, admin_id: int, now: datetime, keep_hash: str | None = None) -> int:
    stmt = sa.update(t.AuthSession).where(col(_A.admin_id) == admin_id, col(_A.revoked_at).is_(None))
    if keep_hash is not None:
        stmt = stmt.where(col(_A.token_hash) != keep_hash)
    return session.execute(stmt.values(revoked_at=now)).rowcount or 0  # type: ignore[attr-defined]  # DML answers a CursorResult


def revoke_session(session: Session, *, token_hash: str, now: datetime) -> tuple[int, int] | None:
    """End one admin session; returns its (tenant id, admin id) when it was live, so its other tabs can be told."""
    row = session.execute(sa.update(t.AuthSession).where(col(_A.token_hash) == token_hash,
                                                         col(_A.admin_id).is_not(None),
                                                         col(_A.revoked_at).is_(None))
                          .values(revoked_at=now)
                          .returning(col(_A.tenant_id), col(_A.admin_id))).first()
    return (row[0], row[1]) if row else None


def live_session_count(session: Session, *, admin_id: int) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(t.AuthSession).where(
        col(_A.admin_id) == admin_id, col(_A.revoked_at).is_(None))) or 0)
