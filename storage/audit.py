"""The audit log: one row per admin change, written in the change's transaction, read newest first in pages.

Filtering and paging happen in SQL (indexes by tenant and time, by admin and by action), never in Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from domain.admins import AuditEntry, AuditFilter, AuditPage
from storage import tables as t

_E = t.AuditEntry
_U = t.AdminUser


def add_entry(session: Session, *, tenant_id: int, admin_id: int | None, at: datetime, action: str, target: str,
              before: Any, after: Any) -> int:
    row = t.AuditEntry(tenant_id=tenant_id, admin_id=admin_id, at=at, action=action, target=target, before=before,
                       after=after)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def entries(session: Session, *, tenant_id: int, where: AuditFilter) -> AuditPage:
    """One page of the tenant's entries, newest first, with the count of all that match the filter."""
    where = where.bounded()
    conditions = [col(_E.tenant_id) == tenant_id]
    if where.admin_id is not None:
        conditions.append(col(_E.admin_id) == where.admin_id)
    if where.action:
        conditions.append(col(_E.action) == where.action)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(_E).where(*conditions)) or 0)
    rows = session.execute(
        sa.select(col(_E.id), col(_E.admin_id), col(_U.name), col(_U.email), col(_E.at), col(_E.action),
                  col(_E.target), col(_E.before), col(_E.after))
        .select_from(_E).outerjoin(_U, sa.and_(col(_U.id) == col(_E.admin_id), col(_U.tenant_id) == tenant_id))
        .where(*conditions).order_by(col(_E.at).desc(), col(_E.id).desc())
        .limit(where.per_page).offset((where.page - 1) * where.per_page)).all()
    found = tuple(AuditEntry(id=r[0], admin_id=r[1], admin_name=(r[2] or r[3] or ''), at=r[4], action=r[5],
                             target=r[6], before=r[7], after=r[8]) for r in rows)
    return AuditPage(entries=found, total=total, page=where.page, per_page=where.per_page)


def actions(session: Session, *, tenant_id: int) -> list[str]:
    """The action keys the tenant's log holds (for the filter), in order."""
    return list(session.scalars(sa.select(col(_E.action)).where(col(_E.tenant_id) == tenant_id).distinct()
                                .order_by(col(_E.action))))
