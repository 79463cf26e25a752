"""The Appointments section: the mini-dashboard, then Upcoming, Past and All as pages of cards.

Everything here is one element (AppointmentsView) fed with plain state, so a visitor costs the server the same
few elements whether they have two appointments or two thousand.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from services import events, panel
from ui.components.appointments_view import (
    AppointmentsView,
    dashboard_html,
    dashboard_state,
    empty_text,
    page_words,
    panel_labels,
    rows_state,
    sorts_state,
    tabs_state,
)
from ui.components.details_drawer import open_details_drawer
from ui.components.live import once_more_at_most
from ui.components.pay_drawer import open_pay_drawer
from ui.components.reschedule_drawer import open_reschedule_drawer
from ui.components.status_drawer import open_status_drawer
from ui.context import PanelContext
from ui.i18n import page_statuses

# The drawer each card action opens (Details is every card's own; these are offered where the rules allow).
DRAWERS: dict[str, Callable[[PanelContext, int, Callable[[], Awaitable[None]]], Awaitable[None]]] = {
    'reschedule': open_reschedule_drawer,
    'pay': open_pay_drawer,
    'status': open_status_drawer,
}


@dataclass
class View:
    tab: str = 'upcoming'
    sort: str = 'newest'
    page: int = 1


def build(ctx: PanelContext) -> Awaitable[None] | None:
    """Draw the section now when the page loaded its data with the shell; else load it first (a coroutine)."""
    data = ctx.first_paint.pop('appointments', None) if ctx.first_paint else None
    if isinstance(data, panel.PanelData):
        draw(ctx, data)
        return None
    return _load_and_draw(ctx)


def opened_from_link(params: Mapping[str, str]) -> tuple[str, int] | None:
    """The drawer an email's link opens on arrival (a follow-up's rating prompt is in Details, a reminder's
    reschedule in Reschedule): ('details' or 'reschedule', appointment id). The drawer itself checks that the
    appointment is the customer's."""
    kind, raw = params.get('open', ''), params.get('appointment', '')
    if kind in ('details', 'reschedule') and raw.isdigit() and len(raw) < 12:
        return kind, int(raw)
    return None


def first_paint_html(ctx: PanelContext, data: panel.PanelData | None) -> str:
    """The section's top, the mini-dashboard, as static HTML for the page frame's first paint ('' without it), in the
    page's language (chosen before the page draws)."""
    state = dashboard_state(ctx, data.next_appointment, data.counts) if data is not None else None
    return dashboard_html(state) if state is not None else ''


async def _load_and_draw(ctx: PanelContext) -> None:
    data = await ctx.act(panel.load_panel, now=ctx.now(), statuses=ctx.statuses)
    if data is not None:  # None: the server is shutting down
        draw(ctx, data)


def draw(ctx: PanelContext, data: panel.PanelData) -> None:
    view = View()
    counts = data.counts
    shown: tuple[list, Any] = (data.page, data.next_appointment)  # what the cards are drawn from now

    def state(appointments: list, next_appointment: Any) -> dict[str, Any]:
        total = counts[f'tab_{view.tab}']
        pages = max(1, math.ceil(total / panel.PAGE_SIZE))
        return {
            'dashboard': dashboard_state(ctx, next_appointment, counts),
            'tab': view.tab, 'sort': view.sort, 'page': view.page,
            'pages': pages, 'page_text': page_words(view.page, pages),
            'tabs': tabs_state(counts), 'sorts': sorts_state(),
            'rows': rows_state(appointments, ctx, ctx.now()),
            'empty_text': empty_text(view.tab),
            'booking_url': ctx.booking_url,
        }

    async def act(kind: str, appointment_id: int) -> None:
        if kind == 'details':
            await open_details_drawer(ctx, appointment_id, reload)
        elif kind in DRAWERS:
            await DRAWERS[kind](ctx, appointment_id, reload)

    async def change(changes: dict[str, Any]) -> None:
        nonlocal shown
        if 'tab' in changes or 'sort' in changes:
            view.page = 1
        view.tab = changes.get('tab', view.tab)
        view.sort = changes.get('sort', view.sort)
        pages = max(1, math.ceil(counts[f'tab_{view.tab}'] / panel.PAGE_SIZE))
        view.page = min(max(int(changes.get('page', view.page)), 1), pages)
        asked = (view.tab, view.sort, view.page)
        rows = await ctx.act(panel.load_page, now=ctx.now(), tab=view.tab, sort=view.sort, statuses=ctx.statuses,
                             page=view.page)
        # Another click came meanwhile: its own answer draws (these rows would show under the wrong tab).
        if rows is not None and (view.tab, view.sort, view.page) == asked:
            shown = (rows, shown[1])
            element.show(**{k: v for k, v in state(rows, shown[1]).items() if k != 'dashboard'})

    async def reload(*, live: bool = False) -> None:
        """After a change: fresh counts, next visit and the current page. `live`: the change was made elsewhere (read
        on the live-update threads, ui.context.live_call)."""
        nonlocal counts, shown
        while True:
            asked = (view.tab, view.sort)
            fresh = await ctx.act(panel.load_panel, live=live, now=ctx.now(), statuses=ctx.statuses, tab=asked[0],
                                  sort=asked[1])
            if fresh is None:
                return
            if (view.tab, view.sort) == asked:
                break  # else the customer switched tab or sort while it loaded: read what is shown now
        counts = fresh.counts
        view.page = 1
        shown = (fresh.page, fresh.next_appointment)
        element.show(**state(*shown))

    def redraw() -> None:
        """The business changed its rules or Panel Designer: the same appointments, drawn as they say now."""
        if not element.is_deleted:
            element.show(**state(*shown))

    element = AppointmentsView(state(data.page, data.next_appointment), on_action=act, on_view=change,
                               labels=panel_labels()).classes(
        'w-full').mark('appointments')
    opened = ctx.first_paint.pop('open', None) if ctx.first_paint else None
    if isinstance(opened, tuple):
        ui.timer(0.1, lambda: act(*opened), once=True)
    # Changes made elsewhere (another tab, the front desk, a payment webhook) show up without a reload. Events that
    # come while one is being read are read once after it: live reads wait for a thread of their own under load.
    element.listen(events.customer_topic(ctx.tenant.id, ctx.customer.id),
                   once_more_at_most(lambda: reload(live=True)))

    async def statuses_changed(_: dict[str, Any]) -> None:
        """The business renamed, recoloured or merged statuses: badges and lists follow without a reload."""
        fresh = await ctx.act(panel.statuses, live=True)
        if fresh is not None:
            ctx.statuses = page_statuses(fresh)
            await reload(live=True)

    element.listen(events.statuses_topic(ctx.tenant.id), statuses_changed)
    ctx.on_settings = redraw
