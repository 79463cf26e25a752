"""The customer panel: one page, sections switched in place (no reload), each section its own module."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import ModuleType
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, run, ui

from domain.i18n import N_
from domain.settings import PanelSettings, SettingsError
from services import events, panel
from services.context import get_db
from services.tenants import resolve_tenant
from ui.components.live import LiveSubscription
from ui.components.pay_drawer import return_notice as payment_return_notice
from ui.context import PanelContext, known_timezones
from ui.i18n import choose_for, page_statuses, t
from ui.pages import appointments, packages, profile, security, session
from ui.theme import frame, panel_frame


@dataclass(frozen=True)
class Section:
    path: str
    label: str  # English, marked; shown as t(label)
    icon: str
    module: ModuleType  # its `build(ctx)` draws the section


SECTIONS: tuple[Section, ...] = (
    # Translators: a section of the customer's panel (a tab in the top bar).
    Section('/', N_('Appointments'), 'event', appointments),
    # Translators: a section of the customer's panel (a tab in the top bar).
    Section('/packages', N_('Packages'), 'redeem', packages),
    # Translators: a section of the customer's panel (a tab in the top bar).
    Section('/profile', N_('Profile'), 'person', profile),
    # Translators: a section of the customer's panel (a tab in the top bar).
    Section('/security', N_('Security'), 'lock', security),
)


def visible_sections(ctx: PanelContext, sells_packages: bool) -> list[Section]:
    """Packages appear only where the business sells them and the Panel Designer shows them."""
    show_packages = sells_packages and ctx.settings.designer.show_packages
    return [section for section in SECTIONS if section.path != '/packages' or show_packages]


def _builder(section: Section) -> Callable[..., Awaitable[None] | None]:
    def build(ctx: PanelContext) -> Awaitable[None] | None:
        ctx.on_settings = None  # the section that was on screen is gone
        # A section that has its data already (first paint) draws at once and returns None; otherwise it returns a
        # coroutine, which ui.sub_pages runs as a background task. Looked up at each call, so a bench can wrap it.
        result: Awaitable[None] | None = section.module.build(ctx)
        return result

    return build


async def panel_page(request: Request) -> RedirectResponse | None:
    tenant = resolve_tenant(request.headers.get('host'))
    session_id = app.storage.user.get('session')
    entry = await run.io_bound(panel.load_entry, get_db(), tenant_id=tenant.id, session_id=session_id,
                               now=datetime.now(UTC), appointments=request.url.path == '/')
    if entry is None:
        app.storage.user.pop('session', None)
        return RedirectResponse(f'/login?next={quote(request.url.path)}', status_code=303)
    shell, first_section = entry
    # Before anything is drawn: the customer's own language, else this browser's choice, else Accept-Language, else
    # the business's default.
    choose_for(request, shell.settings, shell.customer)
    if not shell.settings.panel_enabled:
        with frame(tenant, title=t('Unavailable'), signed_in=True):
            ui.label(t('%(business)s has switched the customer panel off for now.', business=tenant.name)).classes(
                'text-h6').props('role=status').mark('panel-off')
        return None
    assert session_id is not None
    # Labels in the page's language: the business's own translation, else its default name.
    statuses = page_statuses(shell.statuses)
    if first_section is not None:
        first_section = panel.with_statuses(first_section, statuses)
    ctx = PanelContext(tenant=tenant, customer=shell.customer, session_id=session_id, settings=shell.settings,
                       statuses=statuses, first_paint={'appointments': first_section} if first_section else {})
    opened = appointments.opened_from_link(request.query_params)  # an email's link: ?open=details&appointment=7
    if opened is not None:
        ctx.first_paint['open'] = opened
    sections = visible_sections(ctx, shell.sells_packages)
    current = request.url.path if any(s.path == request.url.path for s in sections) else '/'

    async def remember_timezone(zone: str) -> None:
        """Times read in the customer's own clock from the next visit on."""
        if zone != ctx.customer.timezone and zone in known_timezones():
            await ctx.act(panel.remember_timezone, timezone=zone)
            ctx.customer = replace(ctx.customer, timezone=zone)

    first_paint = appointments.first_paint_html(ctx, first_section) if current == '/' else ''
    with panel_frame(tenant, sections=[(s.path, t(s.label), s.icon) for s in sections], current=current,
                     zone=ctx.customer.timezone, on_timezone=remember_timezone, first_paint=first_paint) as chrome:
        payment_return_notice(request.query_params)  # back from Stripe: ?paid=<id> or ?canceled=<id>
        context.client.sub_pages_router.on_path_changed(chrome.show_current)
        session.watch(tenant.id, ctx.customer.id, session_id)  # a session ended elsewhere ends this tab too
        # The business saved its rules or Panel Designer: the section on screen redraws with them, no reload.
        LiveSubscription(events.settings_topic(tenant.id), lambda payload: apply_settings(ctx, payload))
        ui.sub_pages({s.path: _builder(s) for s in sections}, data={'ctx': ctx}).classes('w-full')
    return None


def apply_settings(ctx: PanelContext, payload: dict[str, Any]) -> None:
    """New settings from the admin area: kept for every later action and section, drawn by the one on screen; a
    panel switched off says so at once."""
    try:
        ctx.settings = PanelSettings.from_dict(payload.get('settings'))
    except SettingsError:
        return
    if not ctx.settings.panel_enabled:
        ui.navigate.reload()
    elif ctx.on_settings is not None:
        ctx.on_settings()


for _section in SECTIONS:
    ui.page(_section.path)(panel_page)
