"""What the operator does from the command line: migrate, create a business and its admins, read and change the
panel settings. Thin wrappers so the CLI never touches storage itself."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from domain import branding
from domain import model as d
from domain.accounts import email_problem, password_problem
from domain.admins import AdminRole
from domain.settings import PanelSettings, SettingsError
from services import i18n
from services.accounts import password_score
from services.auth import hash_password
from services.config import get_config
from storage import admins as admin_db
from storage import tenants as tenant_db
from storage.db import Database, migrate


class UnknownBusiness(LookupError):
    """No tenant with that slug."""


def migrate_database(url: str | None = None) -> str:
    """Bring the configured database (or `url`) to the latest schema; returns the URL migrated."""
    url = url or get_config().database_url
    migrate(url)
    return url


def create_business(db: Database, *, slug: str, name: str, timezone: str, currency: str,
                    host: str | None = None) -> int:
    """A new tenant with the default statuses and panel settings."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f'Unknown time zone: {timezone}.') from exc
    with db.write() as s:
        if tenant_db.tenant_by_slug(s, slug=slug) is not None:
            raise SettingsError(f"A business with the slug '{slug}' already exists.")
        return tenant_db.create_tenant(s, slug=slug, name=name, timezone=timezone, currency=currency.upper(), host=host)


def create_admin_user(db: Database, *, tenant_slug: str, email: str, password: str, name: str = '',
                      role: AdminRole = AdminRole.OWNER) -> int:
    """An admin account of the business (an owner unless told), with an Argon2-hashed password; the email and the
    password follow the same rules as a customer's (domain.accounts)."""
    problem = email_problem(email) or password_problem(password, score=password_score(password, (email, name)))
    if problem:
        raise SettingsError(problem)
    password_hash = hash_password(password)
    with db.write() as s:
        tenant = _tenant_id(s, tenant_slug)
        if admin_db.admin_by_email(s, tenant_id=tenant, email=email) is not None:
            raise SettingsError(f'The business already has an admin with the email {email}.')
        return admin_db.create_admin(s, tenant_id=tenant, email=email, password_hash=password_hash, name=name,
                                     role=role)


def show_settings(db: Database, *, tenant_slug: str) -> dict[str, Any]:
    """The business's panel settings as plain JSON-ready data."""
    with db.read() as s:
        return tenant_db.panel_settings(s, tenant_id=_tenant_id(s, tenant_slug)).to_dict()


def update_setting(db: Database, *, tenant_slug: str, key: str, raw_value: str) -> PanelSettings:
    """Set one (dotted) setting from text, validate the whole result against the business's statuses, save it."""
    with db.write() as s:
        tenant = _tenant_id(s, tenant_slug)
        current = tenant_db.panel_settings(s, tenant_id=tenant).to_dict()
        changed = apply_setting(current, key, raw_value)
        try:
            settings = PanelSettings.from_dict(changed).validate(tenant_db.statuses(s, tenant_id=tenant),
                                                                texts=i18n.template_msgids())
        except SettingsError:
            raise
        except (TypeError, ValueError) as exc:  # e.g. a list where a mapping belongs
            raise SettingsError(f'{key}: that value has the wrong shape ({exc}).') from exc
        tenant_db.save_panel_settings(s, tenant_id=tenant, settings=settings)
        return settings


def update_branding(db: Database, *, tenant_slug: str, primary_color: str | None = None,
                    dark: bool | None = None) -> d.Branding:
    """Change the primary colour and/or the theme; a colour white text cannot be read on is refused with the reason
    (SettingsError), so what the business picks is what its customers see."""
    if primary_color is not None:
        problem = branding.brand_color_problem(primary_color)
        if problem:
            raise SettingsError(problem)
        primary_color = branding.to_hex(branding.parse_hex(primary_color))
    with db.write() as s:
        return tenant_db.update_branding(s, tenant_id=_tenant_id(s, tenant_slug), primary_color=primary_color,
                                         dark=dark)


def apply_setting(settings: dict[str, Any], key: str, raw_value: str) -> dict[str, Any]:
    """A copy of `settings` with the dotted `key` set to `raw_value`, read as JSON when it is JSON.

    Text settings keep the raw text even when it happens to look like JSON (a booking URL of `123`).
    """
    parts = key.split('.')
    if not all(parts):
        raise SettingsError(f'Not a setting name: {key!r}.')
    result: dict[str, Any] = json.loads(json.dumps(settings))
    node = result
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if not isinstance(child, dict):
            where = '.'.join(parts[: i + 1])
            raise SettingsError(f'Unknown setting: {where}.' if child is None else f'{where} has no sub-settings.')
        node = child
    leaf = parts[-1]
    if leaf not in node:
        raise SettingsError(f'Unknown setting: {key}.')
    try:
        value: Any = json.loads(raw_value)
    except json.JSONDecodeError:
        value = raw_value
    if isinstance(node[leaf], str) and not isinstance(value, str):
        value = raw_value
    node[leaf] = value
    return result


def _tenant_id(session: Session, slug: str) -> int:
    tenant = tenant_db.tenant_by_slug(session, slug=slug)
    if tenant is None:
        raise UnknownBusiness(f"No business with the slug '{slug}'. Run `kairos demo` or `kairos create-business`.")
    return tenant.id
