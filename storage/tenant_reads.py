"""What a booking reads of a business's setup, read once per change of it and kept in memory.

The business and its settings, its statuses, its services, who offers them and where, the staff's schedules and the
business's own email wording change rarely; a booking used to read all of them again, each a statement. A
`TenantReads` holds them for one value of the business's token (table tenant_version, migration 0020: triggers give
it a new random value on every change to those tables, whoever makes it). A booking takes the reads kept for its
database and business (`kept`), uses them for what it checks before the lock, and in the statement that locks the
staff reads the token again (storage.catalog.lock_staff_offering): only when it is the same did nothing change, and the
booking goes on as if it had read everything after the lock; else it starts again with fresh reads (services.booking).

Every value is read through the usual storage function the first time it is asked for, then kept: the reads of one
token are filled lazily, and never change once kept. Many threads share them: a race fills a value twice, with the same
answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from domain import model as d
from domain.availability import StaffSchedule
from domain.emails import EmailTemplate
from domain.settings import PanelSettings
from storage import catalog as catalog_db
from storage import email_templates as template_db
from storage import schedules as schedule_db
from storage import tables as t
from storage import tenants as tenant_db
from storage.db import Database

_T = TypeVar('_T')
_MAX_SCHEDULES = 1024  # kept schedule windows per business and token: a long-running process asks new days daily

_TOKEN = sa.select(col(t.TenantVersion.token)).where(col(t.TenantVersion.tenant_id) == sa.bindparam('tenant_id'))


def token(session: Session, *, tenant_id: int) -> int | None:
    """The business's token now (None for a business without one: it is then never kept)."""
    value = session.connection().execute(_TOKEN, {'tenant_id': tenant_id}).scalar_one_or_none()
    return None if value is None else int(value)


class TenantReads:
    """One business's setup as of one token, read lazily; `token` None: read for one transaction, never kept."""

    def __init__(self, tenant_id: int, token: int | None) -> None:
        self.tenant_id = tenant_id
        self.token = token
        self._memo: dict[Any, Any] = {}

    def _get(self, key: Any, read: Callable[[], _T]) -> _T:
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = read()
            return value

    def bookable_service(self, s: Session, *, service_id: int) -> catalog_db.BookableService | None:
        return self._get(('service', service_id),
                         lambda: catalog_db.bookable_service(s, tenant_id=self.tenant_id, service_id=service_id))

    def statuses(self, s: Session) -> tuple[d.Status, ...]:
        return self._get('statuses', lambda: tenant_db.statuses(s, tenant_id=self.tenant_id))

    def tenant_and_settings(self, s: Session) -> tuple[d.Tenant, PanelSettings] | None:
        return self._get('tenant', lambda: tenant_db.tenant_and_settings(s, tenant_id=self.tenant_id))

    def offering_staff(self, s: Session, *, service_id: int, staff_id: int | None) -> catalog_db.OfferingStaff:
        return self._get(('offering', service_id, staff_id), lambda: catalog_db.offering_staff(
            s, tenant_id=self.tenant_id, service_id=service_id, staff_id=staff_id))

    def staff_schedules(self, s: Session, /, *, staff_ids: list[int], first_day: date,
                        last_day: date) -> tuple[tuple[StaffSchedule, ...], frozenset[date]]:
        key = ('schedules', tuple(staff_ids), first_day, last_day)
        if key not in self._memo and len(self._memo) > _MAX_SCHEDULES:
            self._memo = {k: v for k, v in self._memo.items() if k[0] != 'schedules'}
        return self._get(key, lambda: schedule_db.staff_schedules(s, tenant_id=self.tenant_id, staff_ids=staff_ids,
                                                                  first_day=first_day, last_day=last_day))

    def email_template(self, s: Session, *, kind: str, locale: str) -> EmailTemplate | None:
        return self._get(('template', kind, locale), lambda: template_db.template(
            s, tenant_id=self.tenant_id, kind=kind, locale=locale))


def kept(db: Database, *, tenant_id: int) -> TenantReads | None:
    """The reads kept for this database's business, None when there are none yet (or they were found stale)."""
    found: TenantReads | None = db.kept_reads.get(tenant_id)
    return found


def keep(db: Database, reads: TenantReads) -> None:
    """Keep `reads` (its token was just found current) for the next transactions; reads without a token are not."""
    if reads.token is not None:
        db.kept_reads[reads.tenant_id] = reads  # one dict store: threads need no lock


def forget(db: Database, *, tenant_id: int) -> None:
    db.kept_reads.pop(tenant_id, None)
