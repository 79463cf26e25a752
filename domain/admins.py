"""The business's own people: admins, their roles, their invitations and the audit log of what they changed.

Two roles: the owner may do everything; a manager everything but the admins themselves and the payment settings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.accounts import NAME_MAX_LENGTH
from domain.i18n import N_, Text, lazy
from domain.web import is_hidden_character


class AdminRole(StrEnum):
    OWNER = 'owner'
    MANAGER = 'manager'


# Higher ranks may do what lower ones may.
_RANK: dict[AdminRole, int] = {AdminRole.MANAGER: 1, AdminRole.OWNER: 2}
ROLE_LABELS: dict[AdminRole, str] = {AdminRole.OWNER: N_('Owner'), AdminRole.MANAGER: N_('Manager')}

INVITE_LIFETIME = timedelta(hours=72)
AUDIT_PAGE_SIZE = 25
AUDIT_PAGE_MAX = 100


def to_role(value: str) -> AdminRole:
    """A stored role this version does not know reads as the lesser role, never as the owner."""
    try:
        return AdminRole(value)
    except ValueError:
        return AdminRole.MANAGER


def role_allows(role: AdminRole | str, needed: AdminRole | str) -> bool:
    """An owner may do everything a manager may; a manager not what only an owner may."""
    return _RANK[to_role(str(role))] >= _RANK[to_role(str(needed))]


def why_not_role(role: AdminRole | str, needed: AdminRole | str) -> Text | None:
    """None when `role` may do what needs `needed`; otherwise the reason."""
    if role_allows(role, needed):
        return None
    return lazy('Only the owner of the business can do this.')


class NotAllowed(Exception):
    """The admin may not do this (their role, or they are no admin of this business any more); `text` says why."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def require_role(admin: Admin | None, needed: AdminRole | str) -> Admin:
    """The admin, when they may do what needs `needed`; NotAllowed otherwise (also when there is no admin)."""
    if admin is None:
        raise NotAllowed(lazy('You are no longer an admin of this business.'))
    problem = why_not_role(admin.role, needed)
    if problem is not None:
        raise NotAllowed(problem)
    return admin


# The settings (domain.settings.PanelSettings fields) only an owner may change: how customers pay.
PAYMENT_SETTINGS: frozenset[str] = frozenset({'hide_pay_now', 'offline_payment_instructions'})


def why_not_change_settings(role: AdminRole | str, changed: Collection[str]) -> Text | None:
    """A manager may change every setting but the payment ones (PAYMENT_SETTINGS); an owner every one."""
    if role_allows(role, AdminRole.OWNER) or not PAYMENT_SETTINGS & set(changed):
        return None
    return lazy('Only the owner of the business can change the payment settings.')


def admin_name_problem(name: str) -> Text | None:
    """An admin's name is optional; when given at most 80 characters, without hidden characters (they make a name
    look like another's in the audit log)."""
    value = name.strip()
    if len(value) > NAME_MAX_LENGTH:
        return lazy('Your name can be at most %(limit)s characters.', limit=NAME_MAX_LENGTH)
    if any(is_hidden_character(c) for c in value):
        return lazy('Your name contains characters that are not allowed.')
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Admin:
    id: int
    tenant_id: int
    email: str
    name: str = ''
    role: AdminRole = AdminRole.OWNER
    language: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.email


@dataclass(frozen=True, slots=True, kw_only=True)
class Invitation:
    id: int
    email: str
    role: AdminRole
    invited_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One admin change: who (admin id and the name they had), when, what (a machine action key and its target),
    and the values before and after (plain JSON data, never sentences)."""

    id: int
    admin_id: int | None
    admin_name: str
    at: datetime
    action: str
    target: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    admin_id: int | None = None
    action: str | None = None
    page: int = 1
    per_page: int = AUDIT_PAGE_SIZE

    def bounded(self) -> AuditFilter:
        """Page numbers from 1, at most AUDIT_PAGE_MAX entries a page, whatever a request asked for."""
        return AuditFilter(admin_id=self.admin_id, action=(self.action or None) and self.action[:64],
                           page=max(1, self.page), per_page=min(max(1, self.per_page), AUDIT_PAGE_MAX))


# The audit log's actions in words. services.audit.record takes any '<area>.<verb>' key; name each one here so the
# log can say it in the reader's language (an unnamed key shows as it is).
ACTION_LABELS: dict[str, str] = {
    'admin.invite': N_('Invited an admin'),
    'admin.invite_cancel': N_('Cancelled an invitation'),
    'admin.join': N_('Joined as admin'),
    'admin.remove': N_('Removed an admin'),
    'admin.role': N_("Changed an admin's role"),
    'admin.sign_out_everywhere': N_('Signed out everywhere'),
    'settings.update': N_('Changed the settings'),
    'designer.update': N_('Changed the Panel Designer'),
    'branding.update': N_('Changed the branding'),
    'branding.logo': N_('Changed the logo'),
    'status.create': N_('Added a status'),
    'status.update': N_('Changed a status'),
    'status.reorder': N_('Reordered the statuses'),
    'status.merge': N_('Merged a status into another'),
    'status.delete': N_('Deleted a status'),
    'email_template.update': N_('Changed an email template'),
    'email_template.reset': N_('Restored an email template'),
    'email.test': N_('Sent a test email'),
    'email.resend': N_('Resent an email'),
    'appointment.status': N_("Changed an appointment's status"),
    'appointment.reschedule': N_('Moved an appointment'),
    'appointment.create': N_('Booked an appointment at the desk'),
    'payment.record': N_('Recorded a payment'),
    'payment.refund': N_('Refunded a payment'),
    'payment.accept': N_('Kept a flagged payment as credit'),
    'service.create': N_('Added a service'),
    'service.update': N_('Changed a service'),
    'service.archive': N_('Archived a service'),
    'service.restore': N_('Brought back a service'),
    'staff.create': N_('Added a staff member'),
    'staff.update': N_('Changed a staff member'),
    'staff.archive': N_('Archived a staff member'),
    'staff.restore': N_('Brought back a staff member'),
    'staff.photo': N_("Changed a staff member's photo"),
    'location.create': N_('Added a location'),
    'location.update': N_('Changed a location'),
    'location.archive': N_('Archived a location'),
    'location.restore': N_('Brought back a location'),
    'schedule.week': N_('Changed weekly hours'),
    'schedule.day_off_add': N_('Added a day off'),
    'schedule.day_off_remove': N_('Removed a day off'),
    'schedule.holiday_add': N_('Added a business holiday'),
    'schedule.holiday_remove': N_('Removed a business holiday'),
    'schedule.special_day': N_('Changed a special day'),
    'customer.create': N_('Added a customer'),
    'customer.update': N_('Changed a customer'),
    'customer.close': N_("Closed a customer's account"),
    'package.create': N_('Added a package'),
    'package.update': N_('Changed a package'),
    'package.sell': N_('Sold a package'),
    'reminders.update': N_('Changed the reminders'),
}

CHANGE_VALUE_MAX = 120  # characters of one value shown in the log


def changes(before: Any, after: Any, *, prefix: str = '') -> list[tuple[str, Any, Any]]:
    """What changed between two JSON values, as (dotted key, before, after): for mappings only the keys that
    differ (nested mappings by their dotted path), otherwise the values themselves (key ''). A mapping that was made
    or removed (None on the other side) reads key by key too."""
    if isinstance(before, dict) and after is None:
        after = {}
    if isinstance(after, dict) and before is None:
        before = {}
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[tuple[str, Any, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            path = f'{prefix}{key}'
            if isinstance(old, dict) and isinstance(new, dict):
                found.extend(changes(old, new, prefix=f'{path}.'))
            else:
                found.append((path, old, new))
        return found
    if before == after:
        return []
    return [(prefix.rstrip('.'), before, after)]
