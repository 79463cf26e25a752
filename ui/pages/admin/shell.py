"""The admin shell: every page under /admin is drawn in this frame, behind an admin's session.

Layout: one module per admin screen in `ui/pages/admin/` (CONVENTIONS, "The admin area"); add the module to
`MODULES` in `ui/pages/admin/pages.py` so the app imports it (its routes register on import), and its routes to
`e2e/routes.py` with `admin=True` (the accessibility audit then visits them signed in as the demo's owner).

The API, all a page needs:

    from domain.i18n import N_
    from ui.i18n import t
    from ui.pages.admin.shell import AdminContext, admin_page

    @admin_page('/admin/statuses', title=N_('Statuses'))            # role='manager' by default; 'owner' for owner-only
    async def statuses_page(ctx: AdminContext) -> None:
        rows = await ctx.act(statuses.list_statuses)                # re-checks the session and role on the server
        ui.label(t('Statuses')).classes('text-h5').props('role=heading aria-level=1')
        ...

`admin_page(path, *, title, role='manager')` registers `path` as a NiceGUI page that
- finds the business from the Host header and the admin from this browser's admin session (`ADMIN_SESSION`, apart
  from a customer's), and sends a visitor without a live admin session of *this* business to
  `/admin/login?next=<path>` (a customer's session does not count);
- chooses the page's language (`ui.i18n.choose`: the admin's saved language, else the browser's, else the business's
  default) before drawing anything, so `t(...)` works everywhere in the page and its handlers;
- draws the frame (top bar with the business, the admin and Sign out; a navigation drawer with every admin area,
  folded behind a menu button at phone width; the `main` landmark) and the page's `<h1>`-free content area;
- refuses, inside the frame, an admin whose role is short of `role` (a manager on an owner-only page);
- sends the tab to the sign-in page as soon as its session ends anywhere (sign out elsewhere, removed admin), and
  draws it again when an owner changes the admin's role;
- calls the decorated function with an `AdminContext` (may be sync or async). `title` is an English text marked
  with `N_` (it is translated when the page is drawn); the page draws its own heading.

`AdminContext` holds `tenant`, `admin` (domain.admins.Admin: id, email, name, role, language), `admin_id`, `role`,
`settings` (the business's PanelSettings as loaded), `request` (query parameters) and `locale`. `await ctx.act(
service_fn, **kwargs)` runs `service_fn(db, tenant_id=..., admin_id=..., **kwargs)` off the event loop after
services.admin_auth checked the session and that the admin's role allows `need` (the page's role unless given);
when the session ended the tab goes to the sign-in page and the handler stops; a role refusal raises
domain.admins.NotAllowed (its `.text` says why: `show(e.text)`). `ctx.may('owner')` tells whether to offer a control
at all (the service still checks). Services check roles again in their own transaction with
`services.admin_auth.require_role_in(s, tenant_id=..., admin_id=..., needed=AdminRole.OWNER)` (or the pure
`domain.admins.require_role(admin, role)`); a settings save asks `domain.admins.why_not_change_settings(role,
changed_keys)` (payment settings are the owner's). Audit: `services.audit.record(s, ...)` inside the service's
transaction (see its docstring; name new action keys in `domain.admins.ACTION_LABELS`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Client, app, context, run, ui

from domain import model as d
from domain.admins import Admin, AdminRole, role_allows
from domain.i18n import N_
from domain.settings import PanelSettings
from services import admin_auth, auth, events, panel
from services.context import get_db
from services.tenants import resolve_tenant
from ui import i18n
from ui.components.live import LiveSubscription
from ui.i18n import t
from ui.pages.session import ADMIN_SESSION
from ui.theme import apply_branding, describe_page

A = TypeVar('A')
PageBuilder = Callable[['AdminContext'], Awaitable[None] | None]

# Paths under /admin that need no admin session (the gate in ui/app.py lets them through).
PUBLIC_PATHS = ('/admin/login', '/admin/invite', '/admin/logout')
LOGIN = '/admin/login'


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str  # English, marked with N_; translated when drawn
    icon: str
    role: AdminRole = AdminRole.MANAGER


NAV: tuple[NavItem, ...] = (
    NavItem('/admin', N_('Overview'), 'home'),
    NavItem('/admin/calendar', N_('Calendar'), 'calendar_month'),
    NavItem('/admin/appointments', N_('Appointments'), 'event_note'),
    NavItem('/admin/payments', N_('Flagged payments'), 'flag'),
    NavItem('/admin/services', N_('Services'), 'design_services'),
    NavItem('/admin/staff', N_('Team'), 'badge'),
    NavItem('/admin/locations', N_('Locations'), 'place'),
    NavItem('/admin/schedules', N_('Hours'), 'schedule'),
    NavItem('/admin/customers', N_('Customers'), 'people'),
    NavItem('/admin/packages', N_('Packages'), 'card_giftcard'),
    NavItem('/admin/settings', N_('Settings'), 'tune'),
    NavItem('/admin/designer', N_('Panel Designer'), 'dashboard_customize'),
    NavItem('/admin/branding', N_('Branding'), 'palette'),
    NavItem('/admin/statuses', N_('Statuses'), 'label'),
    NavItem('/admin/emails', N_('Emails'), 'mail'),
    NavItem('/admin/reminders', N_('Reminders'), 'notifications'),
    NavItem('/admin/outbox', N_('Outbox'), 'outbox'),
    NavItem('/admin/audit', N_('Audit log'), 'history'),
    NavItem('/admin/admins', N_('Admins'), 'admin_panel_settings', AdminRole.OWNER),
    NavItem('/admin/account', N_('Your account'), 'person'),
)


def is_public(path: str) -> bool:
    return any(path == p or path.startswith(p + '/') for p in PUBLIC_PATHS)


@dataclass(slots=True, kw_only=True)
class AdminContext:
    tenant: d.Tenant
    admin: Admin
    session_id: str
    settings: PanelSettings
    request: Request
    role: AdminRole = AdminRole.MANAGER  # what the page needs
    locale: str = 'en'

    @property
    def admin_id(self) -> int:
        return self.admin.id

    def now(self) -> datetime:
        return datetime.now(UTC)

    @property
    def tz(self) -> ZoneInfo:
        """The business's time zone (the admin area shows the business's own clock)."""
        return ZoneInfo(self.tenant.timezone)

    def may(self, role: AdminRole | str) -> bool:
        """Whether the admin's role allows `role` (to decide what to offer; the services decide what happens)."""
        return role_allows(self.admin.role, role)

    async def act(self, action: Callable[..., A], /, *, need: AdminRole | str | None = None, **kwargs: Any) -> A:
        """Run a service action as this admin, off the event loop, after the server checked the session is live and
        the role allows `need` (the page's role by default). When the session ended, the tab goes to the sign-in page
        and the handler that asked stops here; a short role raises domain.admins.NotAllowed."""
        try:
            result = await run.io_bound(admin_auth.act, get_db(), action, tenant_id=self.tenant.id,
                                        session_id=self.session_id, need=AdminRole(need or self.role), **kwargs)
            return result  # type: ignore[return-value]  # None instead of the result only while the app shuts down
        except auth.SessionEnded:
            to_admin_sign_in()
            raise asyncio.CancelledError() from None


def admin_page(path: str, *, title: str, role: AdminRole | str = AdminRole.MANAGER) -> Callable[[PageBuilder],
                                                                                                 PageBuilder]:
    """Register `path` as an admin page drawn by the decorated function (see the module's docstring)."""
    needed = AdminRole(role)

    def register(build: PageBuilder) -> PageBuilder:
        async def page(request: Request) -> RedirectResponse | None:
            tenant = resolve_tenant(request.headers.get('host'))
            session_id = app.storage.user.get(ADMIN_SESSION)
            loaded = await run.io_bound(_load, tenant.id, session_id if isinstance(session_id, str) else None)
            if loaded is None:
                app.storage.user.pop(ADMIN_SESSION, None)
                return RedirectResponse(f'{LOGIN}?next={quote(request.url.path)}', status_code=303)
            admin, settings = loaded
            assert isinstance(session_id, str)
            locale = i18n.choose(request, settings, saved=admin.language)
            ctx = AdminContext(tenant=tenant, admin=admin, session_id=session_id, settings=settings,
                               request=request, role=needed, locale=locale)
            with admin_frame(ctx, title=t(title), current=path):
                watch(tenant.id, admin.id, session_id, admin.role)
                if not ctx.may(needed):
                    ui.label(t('Only the owner of the business can open this page.')).classes('text-h6').props(
                        'role=alert').mark('admin-not-allowed')
                    return None
                result = build(ctx)
                if inspect.isawaitable(result):
                    await result
            return None

        page.__name__ = f'admin_page_{build.__name__}'
        ui.page(path)(page)
        return build

    return register


def _load(tenant_id: int, session_id: str | None) -> tuple[Admin, PanelSettings] | None:
    db = get_db()
    admin = admin_auth.current_admin(db, tenant_id=tenant_id, session_id=session_id)
    if admin is None:
        return None
    return admin, panel.panel_settings(db, tenant_id=tenant_id)


class admin_frame:  # noqa: N801 - used like a function: `with admin_frame(ctx, ...):`
    """The admin frame as a context manager: top bar, navigation drawer (a menu button opens it at phone width) and
    the content column the page draws into."""

    def __init__(self, ctx: AdminContext, *, title: str, current: str) -> None:
        self.ctx, self.title, self.current = ctx, title, current
        self._content: ui.element | None = None

    def __enter__(self) -> ui.element:
        ctx = self.ctx
        apply_branding(ctx.tenant)
        describe_page(t('%(page)s · %(business)s admin', page=self.title, business=ctx.tenant.name), index=False)
        ui.page_title(t('%(page)s · %(business)s admin', page=self.title, business=ctx.tenant.name))
        ui.add_css(ADMIN_CSS)
        # Open on a wide screen, folded on a narrow one (Quasar's show-if-above), and known to the server from the
        # start: NiceGUI's value=None would ask the browser on connect and log a traceback when it answers late.
        drawer = ui.left_drawer(value=False, bordered=True).props('show-if-above width=248 breakpoint=1023').classes(
            'q-pa-none').mark('admin-drawer')
        with ui.header().classes('bg-primary text-white items-center q-px-sm q-py-xs no-wrap').mark('admin-bar'):
            menu = ui.button(icon='menu', on_click=drawer.toggle).props('flat round color=white').classes(
                'lt-md').mark('admin-menu')
            menu.props['aria-label'] = t('Menu')
            ui.label(ctx.tenant.name).classes('text-subtitle1 text-weight-medium ellipsis')
            ui.label(t('Admin')).classes('text-caption k-admin-tag gt-xs')
            ui.space()
            ui.label(ctx.admin.display_name).classes('text-body2 gt-xs ellipsis').mark('admin-name')
            with ui.element('form').props('method=post action=/admin/logout').classes('q-ma-none'):
                ui.button(t('Sign out')).props('type=submit flat no-caps color=white').mark('admin-sign-out')
        with drawer:
            nav = ui.element('nav').classes('column q-py-sm')
            nav.props['aria-label'] = t('Admin areas')
            with nav:
                for item in NAV:
                    if not ctx.may(item.role):
                        continue
                    link = ui.link(target=item.path).classes('k-admin-nav row items-center no-wrap q-px-md').mark(
                        f'admin-nav-{item.path.rsplit("/", 1)[-1]}')
                    with link:
                        ui.icon(item.icon).classes('q-mr-md').props('aria-hidden=true')
                        ui.label(t(item.label))
                    if item.path == self.current:
                        link.props['aria-current'] = 'page'
                        link.classes('k-admin-nav--current')
        self._content = ui.column().classes('k-admin-main w-full q-pa-md gap-4').mark('admin-main')
        self._content.__enter__()
        return self._content

    def __exit__(self, *exc: object) -> None:
        assert self._content is not None
        self._content.__exit__(*exc)


def watch(tenant_id: int, admin_id: int, session_id: str, role: AdminRole) -> None:
    """Send this tab to the admin sign-in page as soon as its session ends anywhere (or the admin is removed), draw
    it again when an owner changed the admin's role, and check on every reconnect."""
    client = context.client
    connects = 0

    async def check(_payload: object = None) -> None:
        admin = await run.io_bound(admin_auth.current_admin, get_db(), tenant_id=tenant_id, session_id=session_id)
        if admin is None:
            to_admin_sign_in(client)
        elif admin.role is not role:
            with client:
                ui.navigate.reload()

    async def reconnected() -> None:
        nonlocal connects
        connects += 1
        if connects > 1:
            await check()

    LiveSubscription(events.admin_sessions_topic(tenant_id, admin_id), check)
    client.on_connect(reconnected)


def to_admin_sign_in(client: Client | None = None) -> None:
    found = client if client is not None else context.client
    try:
        path = str(found.request.url.path)
    except (AttributeError, RuntimeError):
        path = '/admin'
    with found:
        ui.navigate.to(f'{LOGIN}?next={quote(path)}')


ADMIN_CSS = '''
.k-admin-main { max-width: 1100px; margin: 0 auto; }
.nicegui-link.k-admin-nav { min-height: 44px; color: inherit; text-decoration: none; border-radius: 0 22px 22px 0;
  margin-right: 8px; }
.k-admin-nav:hover, .k-admin-nav:focus-visible { background: rgba(0, 0, 0, 0.06); }
.k-admin-nav--current { background: rgba(0, 0, 0, 0.08); font-weight: 600; }
.body--dark .k-admin-nav--current { background: rgba(255, 255, 255, 0.12); }
.k-admin-tag { border: 1px solid rgba(255, 255, 255, 0.7); border-radius: 4px; padding: 0 6px; margin-left: 8px; }
'''
