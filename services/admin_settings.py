"""What an admin does to the customer panel from the browser: its rules (Settings), what it shows (Panel Designer)
and how it looks (Branding).

The same validation as `kairos settings set` (domain.settings.PanelSettings.validate, domain.branding), each refusal
tied to the field it concerns so the form can say it next to that field. Every save is one transaction that also
records who changed what (services.audit), and after the commit it is published on the tenant's settings topic, so
the customer panels open at that moment apply it without a reload.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from domain import branding
from domain import model as d
from domain.admins import PAYMENT_SETTINGS, AdminRole, why_not_change_settings
from domain.i18n import Text, lazy
from domain.settings import PanelDesigner, PanelSettings, SettingsError
from services import admin_auth, audit, avatars, events, i18n
from services.tenants import forget_tenants
from storage import tenants as tenant_db
from storage.db import Database

NAME_MAX = 120
LOGO_TYPE = avatars.OUTPUT_TYPE
LOGO_PATH = tenant_db.LOGO_PATH  # ui/pages/logo.py serves it there

# The settings form's fields, in its order: every customer-panel rule of SPEC section 3 (the designer's switches and
# the business's own wording have pages of their own).
FORM_FIELDS: tuple[str, ...] = (
    'panel_enabled', 'booking_url', 'default_language', 'change_closes_minutes',
    'reschedule_enabled', 'reschedule_from_statuses', 'reschedule_closes_minutes', 'status_after_reschedule',
    'reschedule_quota', 'status_change_enabled', 'status_transitions', 'allow_busy_targets',
    'allow_account_deletion', 'allow_signup', 'auto_create_account', 'hide_pay_now', 'offline_payment_instructions',
)
DESIGNER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PanelDesigner))


class Refused(SettingsError):
    """What the admin asked cannot be saved: each refusal by the field it concerns (a form shows it there)."""

    def __init__(self, problems: Mapping[str, Text | str]) -> None:
        self.problems: dict[str, Text | str] = dict(problems)
        super().__init__(' '.join(str(p) for p in self.problems.values()))


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelAdmin:
    """What the settings, designer and branding pages start from."""

    tenant: d.Tenant
    settings: PanelSettings
    statuses: tuple[d.Status, ...]


def load(db: Database, *, tenant_id: int, admin_id: int | None = None) -> PanelAdmin:
    """The business with its settings and statuses (`admin_id`: who asks, as every admin action names it)."""
    with db.read() as s:
        tenant = tenant_db.tenant(s, tenant_id=tenant_id)
        assert tenant is not None
        return PanelAdmin(tenant=tenant, settings=tenant_db.panel_settings(s, tenant_id=tenant_id),
                          statuses=tenant_db.statuses(s, tenant_id=tenant_id))


def problems(settings: PanelSettings, statuses: tuple[d.Status, ...], *,
             fallback: PanelSettings | None = None) -> dict[str, Text | str]:
    """Every refusal the domain has for `settings`, by field. The domain names the first problem it finds; the field
    it concerns is set back (to `fallback`'s value, else the default) and the rest checked again, so the admin reads
    every problem at once rather than one per save."""
    texts = i18n.template_msgids()
    found: dict[str, Text | str] = {}
    candidate = settings
    back = fallback or PanelSettings()
    for _ in range(len(FORM_FIELDS) + 2):
        try:
            candidate.validate(statuses, texts=texts)
            return found
        except SettingsError as refusal:
            # The domain's words: a Text once it is translated (its `message`), else the error's own text.
            message: Text | str = getattr(refusal, 'message', None) or (refusal.args[0] if refusal.args else '')
            name = refusal_field(str(message), candidate)
            if name in found or name == '':
                found.setdefault(name or 'form', message)
                return found
            found[name] = message
            candidate = replace(candidate, **{name: getattr(back, name)})
            if name == 'status_transitions' or name == 'allow_busy_targets':
                candidate = replace(candidate, status_transitions={}, allow_busy_targets=False)
    return found


def save_settings(db: Database, *, tenant_id: int, admin_id: int, settings: PanelSettings,
                  now: datetime) -> PanelSettings:
    """Save the rules of the settings form (the designer and the wording stay as stored); Refused says why not."""
    with db.write() as s:
        admin = admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        stored = tenant_db.panel_settings(s, tenant_id=tenant_id)
        merged = replace(stored, **{name: getattr(settings, name) for name in FORM_FIELDS})
        changed = [name for name in FORM_FIELDS if getattr(merged, name) != getattr(stored, name)]
        not_yours = why_not_change_settings(admin.role, changed)
        found: dict[str, Text | str] = {name: not_yours for name in changed if name in PAYMENT_SETTINGS} \
            if not_yours else {}
        found.update({name: text for name, text in problems(
            merged, tenant_db.statuses(s, tenant_id=tenant_id), fallback=stored).items() if name not in found})
        if found:
            raise Refused(found)
        tenant_db.save_panel_settings(s, tenant_id=tenant_id, settings=merged)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='settings.update', now=now,
               before=_changed(stored.to_dict(), merged.to_dict(), FORM_FIELDS),
               after=_changed(merged.to_dict(), stored.to_dict(), FORM_FIELDS))
    _announce(tenant_id, merged)
    return merged


def save_designer(db: Database, *, tenant_id: int, admin_id: int, designer: PanelDesigner,
                  now: datetime) -> PanelSettings:
    """Save the Panel Designer's switches; open customer panels redraw with them."""
    with db.write() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        stored = tenant_db.panel_settings(s, tenant_id=tenant_id)
        merged = replace(stored, designer=designer)
        tenant_db.save_panel_settings(s, tenant_id=tenant_id, settings=merged)
        before, after = stored.to_dict()['designer'], merged.to_dict()['designer']
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='designer.update', now=now,
               before=_changed(before, after, DESIGNER_FIELDS), after=_changed(after, before, DESIGNER_FIELDS))
    _announce(tenant_id, merged)
    return merged


def branding_problems(*, name: str, primary_color: str) -> dict[str, Text | str]:
    """Why the business's name or colour cannot be saved, by field (empty when both can)."""
    found: dict[str, Text | str] = {}
    clean = name.strip()
    if not clean:
        found['name'] = lazy('Give the business a name.')
    elif len(clean) > NAME_MAX:
        found['name'] = lazy('The name can be at most %(max)d characters.', max=NAME_MAX)
    colour = branding.brand_color_problem(primary_color)
    if colour:
        found['primary_color'] = colour
    return found


def save_branding(db: Database, *, tenant_id: int, admin_id: int, name: str, primary_color: str, dark: bool,
                  now: datetime) -> d.Tenant:
    """The business's name, primary colour (white text on it must read: 4.5:1) and theme; Refused says why not."""
    found = branding_problems(name=name, primary_color=primary_color)
    if found:
        raise Refused(found)
    colour = branding.to_hex(branding.parse_hex(primary_color))
    with db.write() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        before = tenant_db.tenant(s, tenant_id=tenant_id)
        assert before is not None
        tenant_db.update_branding(s, tenant_id=tenant_id, primary_color=colour, dark=dark, name=name.strip())
        after = tenant_db.tenant(s, tenant_id=tenant_id)
        assert after is not None
        old, new = _branding_dict(before), _branding_dict(after)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='branding.update', now=now,
               before=_changed(old, new, tuple(old)), after=_changed(new, old, tuple(new)))
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    _announce(tenant_id, settings, tenant=after)
    return after


def save_logo(db: Database, *, tenant_id: int, admin_id: int, data: bytes, now: datetime) -> d.Tenant:
    """A new logo, checked and re-encoded by the avatar pipeline (JPG, PNG or WEBP, at most 2 MB, EXIF dropped);
    avatars.AvatarRefused says what is wrong with the file. Blocking (Pillow): call it through run.io_bound."""
    clean = avatars.process_avatar(data)
    return _change_logo(db, tenant_id=tenant_id, admin_id=admin_id, data=clean, now=now)


def remove_logo(db: Database, *, tenant_id: int, admin_id: int, now: datetime) -> d.Tenant:
    return _change_logo(db, tenant_id=tenant_id, admin_id=admin_id, data=None, now=now)


def logo_image(db: Database, *, tenant_id: int) -> tuple[str, bytes] | None:
    """(content type, bytes) of the business's logo, or None."""
    with db.read() as s:
        return tenant_db.logo(s, tenant_id=tenant_id)


def refusal_field(message: str, settings: PanelSettings) -> str:
    """The form field a domain refusal concerns: the one it names, else the one holding the status it calls
    unknown; '' when none can be told."""
    for name in sorted(FORM_FIELDS, key=len, reverse=True):
        if re.search(rf'(?<![\w.]){re.escape(name)}(?!\w)', message):
            return name
    unknown = re.match(r'Unknown status: (.+)\.$', message)
    if unknown:
        keys = {k.strip() for k in unknown.group(1).split(',')}
        if keys & set(settings.reschedule_from_statuses):
            return 'reschedule_from_statuses'
        if settings.status_after_reschedule in keys:
            return 'status_after_reschedule'
        return 'status_transitions'
    return ''


# ---- helpers ------------------------------------------------------------------------------------------------------


def _change_logo(db: Database, *, tenant_id: int, admin_id: int, data: bytes | None, now: datetime) -> d.Tenant:
    with db.write() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        before = tenant_db.tenant(s, tenant_id=tenant_id)
        assert before is not None
        if data is None:
            tenant_db.remove_logo(s, tenant_id=tenant_id)
        else:
            tenant_db.save_logo(s, tenant_id=tenant_id, content_type=LOGO_TYPE, data=data, now=now)
        after = tenant_db.tenant(s, tenant_id=tenant_id)
        assert after is not None
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='branding.logo', now=now,
               before={'logo_url': before.branding.logo_url}, after={'logo_url': after.branding.logo_url})
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    _announce(tenant_id, settings, tenant=after)
    return after


def _announce(tenant_id: int, settings: PanelSettings, *, tenant: d.Tenant | None = None) -> None:
    """After the commit: pages of this instance read the business afresh, and every open panel hears the change."""
    payload: dict[str, Any] = {'settings': settings.to_dict()}
    if tenant is not None:
        forget_tenants()
        payload['branding'] = _branding_dict(tenant)
    events.publish(events.settings_topic(tenant_id), payload)


def _branding_dict(tenant: d.Tenant) -> dict[str, Any]:
    return {'name': tenant.name, 'primary_color': tenant.branding.primary_color, 'dark': tenant.branding.dark,
            'logo_url': tenant.branding.logo_url}


def _changed(mine: Mapping[str, Any], other: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The entries of `mine` that differ from `other`: what an audit entry shows changed."""
    return {name: mine.get(name) for name in names if mine.get(name) != other.get(name)}


def _audit(session: Session, *, tenant_id: int, admin_id: int, action: str, now: datetime, before: dict[str, Any],
           after: dict[str, Any]) -> None:
    audit.record(session, tenant_id=tenant_id, admin_id=admin_id, action=action, target='panel', before=before,
                 after=after, now=now)
