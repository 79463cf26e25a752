"""The business itself: tenants, their hosts and panel settings, their statuses (admins: storage/admins.py).

Functions take the session first and keyword-only arguments; rows never leave: callers get domain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import model as d
from domain.i18n import sentences
from domain.settings import PanelSettings, SettingsError
from domain.statuses import status_problems
from domain.web import color_problem, url_problem
from storage import tables as t
from storage.db import for_update, table_of

# Where the page serves an uploaded logo (ui/pages/logo.py); the host names the business.
LOGO_PATH = '/logo'

# ---- conversions --------------------------------------------------------------------------------------------------


def to_tenant(row: t.Tenant | sa.Row[*tuple[Any, ...]]) -> d.Tenant:
    """From an ORM row or a plain row of the tenant table's columns."""
    assert row.id is not None
    return d.Tenant(
        id=row.id, slug=row.slug, name=row.name, timezone=row.timezone, currency=row.currency, host=row.host,
        booking_url=row.booking_url,
        branding=d.Branding(primary_color=row.primary_color, dark=row.dark, logo_url=row.logo_url),
    )


def to_role(value: str) -> d.StatusRole:
    """A role this version does not know reads as no special role, never as another one."""
    try:
        return d.StatusRole(value)
    except ValueError:
        return d.StatusRole.OTHER


def unknown_status(key: str) -> d.Status:
    return d.Status(key=key, label=key.replace('-', ' ').capitalize(), color='#6b7280', icon='help', busy=False)


# ---- tenants ------------------------------------------------------------------------------------------------------


def tenant_by_slug(session: Session, *, slug: str) -> d.Tenant | None:
    row = session.exec(select(t.Tenant).where(t.Tenant.slug == slug)).first()
    return to_tenant(row) if row else None


def tenant_by_host(session: Session, *, host: str) -> d.Tenant | None:
    row = session.exec(select(t.Tenant).where(t.Tenant.host == host.lower())).first()
    return to_tenant(row) if row else None


def tenant_hosts(session: Session) -> frozenset[str]:
    """Every host name a business is served on (multi-tenant mode)."""
    return frozenset(h for h in session.exec(select(col(t.Tenant.host)).where(col(t.Tenant.host).is_not(None))) if h)


def tenant(session: Session, *, tenant_id: int) -> d.Tenant | None:
    row = session.get(t.Tenant, tenant_id)
    return to_tenant(row) if row is not None else None


def tenant_and_settings(session: Session, *, tenant_id: int) -> tuple[d.Tenant, PanelSettings] | None:
    """The tenant and its panel settings from one read of its row (a booking needs both)."""
    row = session.connection().execute(_TENANT, {'tenant_id': tenant_id}).first()  # Core: no ORM instance
    return None if row is None else (to_tenant(row), PanelSettings.from_dict(dict(row.settings or {})))


_TENANT = sa.select(*table_of(t.Tenant).columns).where(col(t.Tenant.id) == sa.bindparam('tenant_id'))


def tenant_currency(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.currency).where(t.Tenant.id == tenant_id)).one()


def tenant_timezone(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.timezone).where(t.Tenant.id == tenant_id)).one()


def tenant_name(session: Session, *, tenant_id: int) -> str:
    return session.exec(select(t.Tenant.name).where(t.Tenant.id == tenant_id)).one()


def tenant_name_and_host(session: Session, *, tenant_id: int) -> tuple[str, str | None]:
    row = session.exec(select(t.Tenant.name, t.Tenant.host).where(t.Tenant.id == tenant_id)).one()
    return row[0], row[1]


def panel_settings(session: Session, *, tenant_id: int) -> PanelSettings:
    raw = session.exec(select(t.Tenant.settings).where(t.Tenant.id == tenant_id)).one()
    return PanelSettings.from_dict(dict(raw))


def all_panel_settings(session: Session) -> list[tuple[int, PanelSettings | None]]:
    """Every business's panel settings, in one statement (None for settings that do not load: the caller logs it)."""
    out: list[tuple[int, PanelSettings | None]] = []
    for tenant_id, raw in session.connection().execute(sa.select(col(t.Tenant.id), col(t.Tenant.settings))):
        try:
            out.append((int(tenant_id), PanelSettings.from_dict(dict(raw or {}))))
        except ValueError:
            out.append((int(tenant_id), None))
    return out


def save_panel_settings(session: Session, *, tenant_id: int, settings: PanelSettings) -> None:
    session.execute(sa.update(t.Tenant).where(col(t.Tenant.id) == tenant_id).values(settings=settings.to_dict()))


# ---- statuses -----------------------------------------------------------------------------------------------------


_STATUSES = sa.select(col(t.Status.key), col(t.Status.label), col(t.Status.color), col(t.Status.icon),
                      col(t.Status.busy), col(t.Status.role), col(t.Status.labels)).where(
    col(t.Status.tenant_id) == sa.bindparam('tenant_id')).order_by(col(t.Status.position), col(t.Status.id))


def statuses(session: Session, *, tenant_id: int) -> tuple[d.Status, ...]:
    """The tenant's statuses in the business's order."""
    return tuple(d.Status(key=key, label=label, color=color, icon=icon, busy=busy, role=to_role(role),
                          labels=_labels(labels))
                 for key, label, color, icon, busy, role, labels in session.connection().execute(
                     _STATUSES, {'tenant_id': tenant_id}))


def _labels(raw: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in raw.items() if v} if isinstance(raw, dict) else {}


def lock_statuses(session: Session, *, tenant_id: int) -> None:
    """Hold the business's row until the transaction ends: two admins editing the statuses at once take turns, so
    each checks the list the other left (SQLite's write transaction holds the whole database already)."""
    session.exec(for_update(session, select(t.Tenant.id).where(t.Tenant.id == tenant_id))).first()


def save_statuses(session: Session, *, tenant_id: int, statuses: Sequence[d.Status]) -> None:
    """Make the business's statuses exactly `statuses`, in that order (the caller checked the list): rows are kept
    by key, new keys added, missing keys deleted (the caller moved their appointments first)."""
    table = t.Status
    rows = {row.key: row for row in session.exec(select(table).where(table.tenant_id == tenant_id)).all()}
    wanted = {st.key for st in statuses}
    for key, row in rows.items():
        if key not in wanted:
            session.delete(row)
    # Roles first cleared: a role moving from one status to another never meets itself in the unique index.
    session.execute(sa.update(table).where(col(table.tenant_id) == tenant_id).values(role='other'))
    session.flush()
    for position, status in enumerate(statuses):
        kept = rows.get(status.key)
        if kept is None:
            session.add(table(tenant_id=tenant_id, key=status.key, role='other', label=status.label,
                              color=status.color, icon=status.icon, busy=status.busy, position=position,
                              labels=dict(status.labels)))
        else:
            session.execute(sa.update(table).where(col(table.id) == kept.id).values(
                label=status.label, color=status.color, icon=status.icon, busy=status.busy, position=position,
                labels=dict(status.labels)))
    session.flush()
    for status in statuses:
        if status.role != d.StatusRole.OTHER:
            session.execute(sa.update(table).where(col(table.tenant_id) == tenant_id, col(table.key) == status.key)
                            .values(role=status.role.value))
    session.flush()
    session.expire_all()


def busy_status_keys(session: Session, *, tenant_id: int) -> list[str]:
    return list(session.exec(select(col(t.Status.key)).where(col(t.Status.tenant_id) == tenant_id,
                                                        col(t.Status.busy).is_(True))).all())


# ---- writes -------------------------------------------------------------------------------------------------------


def create_tenant(session: Session, *, slug: str, name: str, timezone: str = 'UTC', currency: str = 'EUR',
                  host: str | None = None, booking_url: str = '/book', settings: PanelSettings | None = None,
                  statuses: Sequence[d.Status] = d.DEFAULT_STATUSES, primary_color: str = '#4f46e5') -> int:
    check_links(('booking_url', booking_url, True), colours=(('primary_color', primary_color),))
    unsound = status_problems(statuses)
    if unsound:
        raise SettingsError(sentences(*unsound))
    row = t.Tenant(slug=slug, name=name, timezone=timezone, currency=currency, host=host.lower() if host else None,
                   booking_url=booking_url, primary_color=primary_color,
                   settings=(settings or PanelSettings(booking_url=booking_url)).to_dict())
    session.add(row)
    session.flush()
    assert row.id is not None
    for i, status in enumerate(statuses):
        check_links(colours=(('The status colour', status.color),))
        session.add(t.Status(tenant_id=row.id, key=status.key, label=status.label, color=status.color,
                             icon=status.icon, busy=status.busy, position=i, role=status.role.value,
                             labels=dict(status.labels)))
    session.flush()
    return row.id


def check_links(*links: tuple[str, str | None, bool], colours: Sequence[tuple[str, str]] = ()) -> None:
    """A link or colour the business saves must be one our pages may draw (domain.web): refused with the reason."""
    for label, value, allow_path in links:
        problem = url_problem(value, label=label, allow_path=allow_path)
        if problem:
            raise SettingsError(problem)
    for label, colour in colours:
        problem = color_problem(colour, label=label)
        if problem:
            raise SettingsError(problem)


def update_branding(session: Session, *, tenant_id: int, primary_color: str | None = None,
                    dark: bool | None = None, name: str | None = None) -> d.Branding:
    """Change the business's primary colour, theme and/or name (the caller has checked them); returns the result."""
    row = session.get(t.Tenant, tenant_id)
    assert row is not None
    if primary_color is not None:
        row.primary_color = primary_color
    if dark is not None:
        row.dark = dark
    if name is not None:
        row.name = name
    session.add(row)
    session.flush()
    return d.Branding(primary_color=row.primary_color, dark=row.dark, logo_url=row.logo_url)


def save_logo(session: Session, *, tenant_id: int, content_type: str, data: bytes, now: datetime) -> None:
    """Keep the business's logo; its address changes with every upload, so browsers never show an old one."""
    row = session.get(t.TenantLogo, tenant_id)
    if row is None:
        session.add(t.TenantLogo(tenant_id=tenant_id, content_type=content_type, data=data, updated_at=now))
    else:
        row.content_type, row.data, row.updated_at = content_type, data, now
        session.add(row)
    session.execute(sa.update(t.Tenant).where(col(t.Tenant.id) == tenant_id)
                    .values(logo_url=f'{LOGO_PATH}?v={int(now.timestamp() * 1000)}'))
    session.flush()


def remove_logo(session: Session, *, tenant_id: int) -> None:
    session.execute(sa.delete(t.TenantLogo).where(col(t.TenantLogo.tenant_id) == tenant_id))
    session.execute(sa.update(t.Tenant).where(col(t.Tenant.id) == tenant_id).values(logo_url=None))


def logo(session: Session, *, tenant_id: int) -> tuple[str, bytes] | None:
    """The stored logo of this tenant only, as (content type, bytes)."""
    row = session.get(t.TenantLogo, tenant_id)
    return (row.content_type, row.data) if row else None
