"""The customer panel: one page, sections switched in place (no reload), each section its own module."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, run, ui

from services import panel
from services.context import get_db
from services.tenants import resolve_tenant
from ui.components.pay_drawer import return_notice as payment_return_notice
from ui.context import PanelContext, known_timezones
from ui.pages import session
from ui.theme import frame, panel_frame


@dataclass(frozen=True)
class Section:
    path: str
    label: str
    icon: str
    module: str


SECTIONS: tuple[Section, ...] = (
    Section('/', 'Appointments', 'event', 'ui.pages.appointments'),
    Section('/packages', 'Packages', 'redeem', 'ui.pages.packages'),
    Section('/profile', 'Profile', 'person', 'ui.pages.profile'),
    Section('/security', 'Security', 'lock', 'ui.pages.security'),
)


INSTALLED = frozenset(s.module for s in SECTIONS if importlib.util.find_spec(s.module) is not None)


def visible_sections(ctx: PanelContext, sells_packages: bool) -> list[Section]:
    """Packages appear only where the business sells them and the Panel Designer shows them."""
    shown = []
    for section in SECTIONS:
        if section.path == '/packages' and not (sells_packages and ctx.settings.designer.show_packages):
            continue
        if section.module in INSTALLED:
            shown.append(section)
    return shown


def _builder(section: Section) -> Callable[..., Awaitable[None] | None]:
    def build(ctx: PanelContext) -> Awaitable[None] | None:
        # A section that has its data already (first paint) draws at once and returns None; otherwise it returns a
        # coroutine, which ui.sub_pages runs as a background task.
        module = importlib.import_module(section.module)
        result: Awaitable[None] | None = module.build(ctx)
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
    if not shell.settings.panel_enabled:
        with frame(tenant, title='Unavailable', signed_in=True):
            ui.label(f'{tenant.name} has switched the customer panel off for now.').classes('text-h6').props(
                'role=status').mark('panel-off')
        return None
    assert session_id is not None
    ctx = PanelContext(tenant=tenant, customer=shell.customer, session_id=session_id, settings=shell.settings,
                       statuses=shell.statuses, first_paint={'appointments': first_section} if first_section else {})
    sections = visible_sections(ctx, shell.sells_packages)
    current = request.url.path if any(s.path == request.url.path for s in sections) else '/'

    async def remember_timezone(zone: str) -> None:
        """Times read in the customer's own clock from the next visit on."""
        if zone != ctx.customer.timezone and zone in known_timezones():
            await ctx.act(panel.remember_timezone, timezone=zone)
            ctx.customer = replace(ctx.customer, timezone=zone)

    with panel_frame(tenant, sections=[(s.path, s.label, s.icon) for s in sections], current=current,
                     zone=ctx.customer.timezone, on_timezone=remember_timezone) as chrome:
        payment_return_notice(request.query_params)  # back from Stripe: ?paid=<id> or ?canceled=<id>
        context.client.sub_pages_router.on_path_changed(chrome.show_current)
        session.watch(tenant.id, ctx.customer.id, session_id)  # a session ended elsewhere ends this tab too
        ui.sub_pages({s.path: _builder(s) for s in sections}, data={'ctx': ctx}).classes('w-full')
    return None


for _section in SECTIONS:
    ui.page(_section.path)(panel_page)
