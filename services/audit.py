"""The audit log: every admin change, who made it, when, and the values before and after.

Other admin use cases call `record(s, ...)` inside the write transaction of the change itself, so a change and its
entry commit or roll back together:

    with db.write() as s:
        before = tenant_db.panel_settings(s, tenant_id=tenant_id).to_dict()
        ...save...
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='settings.update', target='panel',
                     before=before, after=after, now=now)

`action` is a short machine key ('<area>.<verb>', at most 64 characters; name new ones in
domain.admins.ACTION_LABELS so the log shows them in words), `target` what was changed (a status key, a template
name, an admin's email; at most 255 characters), `before` and `after` JSON-ready values (dicts, lists, strings,
numbers), never sentences. For a dict, the log shows only the keys that differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from domain.admins import AdminRole, AuditFilter, AuditPage, require_role
from storage import admins as admin_db
from storage import audit as audit_db
from storage.db import Database

ACTION_MAX = 64
TARGET_MAX = 255


def record(s: Session, *, tenant_id: int, admin_id: int | None, action: str, target: str = '', before: Any = None,
           after: Any = None, now: datetime | None = None) -> int:
    """Write one audit entry in the caller's transaction; returns its id."""
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f'an audit action is 1 to {ACTION_MAX} characters: {action!r}')
    return audit_db.add_entry(s, tenant_id=tenant_id, admin_id=admin_id, at=now or datetime.now(UTC), action=action,
                              target=target[:TARGET_MAX], before=before, after=after)


@dataclass(frozen=True, slots=True)
class AuditView:
    """What the audit page shows: one page of entries, and the choices of its filters."""

    page: AuditPage
    admins: dict[int, str]
    actions: list[str]


def audit_view(db: Database, *, tenant_id: int, admin_id: int, where: AuditFilter) -> AuditView:
    """One page of the business's audit log, newest first (owners and managers may read it)."""
    with db.read() as s:
        require_role(admin_db.active_admin(s, tenant_id=tenant_id, admin_id=admin_id), AdminRole.MANAGER)
        return AuditView(page=audit_db.entries(s, tenant_id=tenant_id, where=where),
                         admins=admin_db.admin_names(s, tenant_id=tenant_id),
                         actions=audit_db.actions(s, tenant_id=tenant_id))
