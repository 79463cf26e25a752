"""The Panel Designer's and Branding's live preview: the real customer panel (the same frame and Appointments element)
drawn in frames at phone and at desktop width, for a sample customer, with the admin's unsaved draft.

The admin's page keeps its draft in the browser's own user storage under a random token and publishes every change on
the token's topic; the preview page (ui/pages/admin/preview.py, in the frames) draws the draft and redraws on each
event, so a toggle shows in the preview before anything is saved. A new colour or theme reloads the frames' page, as
the page's head carries the colours.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from nicegui import app, ui

from domain import model as d
from domain.settings import PanelSettings, SettingsError
from services import events, panel, panel_preview
from ui.components.appointments_view import (
    EMPTY,
    AppointmentsView,
    dashboard_state,
    rows_state,
    sorts_state,
    tabs_state,
)
from ui.components.live import LiveSubscription
from ui.context import PanelContext
from ui.i18n import locale, t

PREVIEW_PATH = '/admin/preview'
_DRAFTS = 'kairos-admin-previews'  # in the browser's user storage: {token: draft}
_KEEP = 8  # drafts of as many open designer tabs at most


def preview_topic(tenant_id: int, token: str) -> str:
    return f'tenant:{tenant_id}:preview:{token}'


class Draft:
    """One designer tab's unsaved settings and branding, shared with its preview frames."""

    def __init__(self, tenant: d.Tenant, settings: PanelSettings) -> None:
        self.token = secrets.token_urlsafe(16)
        self.tenant = tenant
        self.settings = settings
        self._save()

    def change(self, *, settings: PanelSettings | None = None, tenant: d.Tenant | None = None) -> None:
        """Show `settings` and/or `tenant` (name and branding) in the preview frames now."""
        # The colours and the section tabs are drawn with the page: those changes reload the frames' page.
        restyle = tenant is not None or (settings is not None and settings.designer.show_packages
                                         != self.settings.designer.show_packages)
        self.settings = settings or self.settings
        self.tenant = tenant or self.tenant
        self._save()
        events.publish(preview_topic(self.tenant.id, self.token), {'settings': self.settings.to_dict(),
                                                                   'restyle': restyle})

    def _save(self) -> None:
        drafts: dict[str, Any] = dict(app.storage.user.get(_DRAFTS) or {})
        drafts.pop(self.token, None)
        drafts[self.token] = {'tenant_id': self.tenant.id, 'settings': self.settings.to_dict(),
                              'name': self.tenant.name, 'primary_color': self.tenant.branding.primary_color,
                              'dark': self.tenant.branding.dark, 'logo_url': self.tenant.branding.logo_url}
        while len(drafts) > _KEEP:
            drafts.pop(next(iter(drafts)))
        app.storage.user[_DRAFTS] = drafts


def draft_of(token: str, tenant: d.Tenant, stored: PanelSettings) -> tuple[d.Tenant, PanelSettings]:
    """The draft a preview frame shows: this browser's, of this business only; else what is saved."""
    found = (app.storage.user.get(_DRAFTS) or {}).get(token)
    if not isinstance(found, dict) or found.get('tenant_id') != tenant.id:
        return tenant, stored
    try:
        settings = PanelSettings.from_dict(found['settings'])
    except (SettingsError, KeyError, TypeError):
        return tenant, stored
    look = d.Branding(primary_color=str(found.get('primary_color') or tenant.branding.primary_color),
                      dark=bool(found.get('dark')), logo_url=found.get('logo_url'))
    return replace(tenant, name=str(found.get('name') or tenant.name), branding=look), settings


def preview_frames(draft: Draft) -> None:
    """The preview at phone width (375 px) and at desktop width (1280 px, drawn at half size)."""
    src = f'{PREVIEW_PATH}?t={draft.token}'
    with ui.row().classes('gap-4 items-start w-full').mark('preview'):
        for name, title, width, height, scale, mark in (
                (t('Phone'), t('Preview of the customer panel at phone width'), 375, 700, 1.0, 'preview-phone'),
                (t('Desktop'), t('Preview of the customer panel at desktop width'), 1280, 900, 0.5, 'preview-desktop')):
            with ui.column().classes('gap-1').style('max-width: 100%; overflow-x: auto') as box:
                # On a narrow screen a frame scrolls sideways: a keyboard must reach the scrolling too.
                box.props.update({'tabindex': '0', 'role': 'region', 'aria-label': name})
                ui.label(name).classes('text-subtitle2')
                _frame(src, title, width=width, height=height, scale=scale, mark=mark)


def _frame(src: str, title: str, *, width: int, height: int, scale: float, mark: str) -> None:
    with ui.element('div').classes('k-card').style(
            f'width: {math.ceil(width * scale)}px; height: {math.ceil(height * scale)}px; overflow: hidden; '
            'border: 1px solid #d1d5db'):
        frame = ui.element('iframe').style(f'width: {width}px; height: {height}px; border: 0; '
                                           f'transform: scale({scale}); transform-origin: 0 0').mark(mark)
        frame.props['src'] = src  # our own path with a token we made: nothing anyone typed
        frame.props['title'] = title


def sample_section(tenant: d.Tenant, settings: PanelSettings, statuses: tuple[d.Status, ...], *,
                   token: str) -> AppointmentsView:
    """The Appointments section for the sample customer, redrawn on every draft change of `token`."""
    now = datetime.now(UTC)
    loc = locale()
    ctx = PanelContext(tenant=tenant, customer=panel_preview.sample_customer(tenant, locale=loc), session_id='',
                       settings=settings, statuses=statuses)
    view = {'tab': 'upcoming', 'sort': 'newest'}

    def state() -> dict[str, Any]:
        data = panel_preview.sample_panel(tenant, statuses, now=now, locale=loc, tab=view['tab'])
        return preview_state(ctx, data, tab=view['tab'], sort=view['sort'], now=now)

    async def act(_kind: str, _appointment_id: int) -> None:
        ui.notify(t('This is a preview: its buttons do nothing.'))

    async def change(changes: dict[str, Any]) -> None:
        view.update({k: v for k, v in changes.items() if k in view})
        element.show(**state())

    def drafted(payload: dict[str, Any]) -> Awaitable[None] | None:
        if payload.get('restyle'):
            ui.navigate.reload()  # the colours live in the page's head
            return None
        try:
            ctx.settings = PanelSettings.from_dict(payload.get('settings'))
        except SettingsError:
            return None
        element.show(**state())
        return None

    element = AppointmentsView(state(), on_action=act, on_view=change).classes('w-full').mark('appointments')
    LiveSubscription(preview_topic(tenant.id, token), drafted)
    return element


def preview_state(ctx: PanelContext, data: panel.PanelData, *, tab: str, sort: str, now: datetime) -> dict[str, Any]:
    """What ui/pages/appointments.py sends the element, for data that fits on one page."""
    return {
        'dashboard': dashboard_state(ctx, data.next_appointment, data.counts),
        'tab': tab, 'sort': sort, 'page': 1, 'pages': 1,
        'tabs': tabs_state(data.counts), 'sorts': sorts_state(),
        'rows': rows_state(data.page, ctx, now),
        'empty_text': EMPTY[tab],
        'booking_url': '#',
    }
