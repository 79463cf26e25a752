"""The Appointments section: the mini-dashboard, then Upcoming, Past and All as pages of cards."""

from __future__ import annotations

import importlib
import importlib.util
import math
from dataclasses import dataclass

from nicegui import run, ui

from domain.panel import SORTS
from services import events, panel
from services.context import get_db
from ui.components.appointment_grid import AppointmentGrid, card_row
from ui.components.dashboard import mini_dashboard
from ui.components.details_drawer import open_details_drawer
from ui.components.live import LiveSubscription
from ui.context import PanelContext

TAB_LABELS = {'upcoming': 'Upcoming', 'past': 'Past', 'all': 'All'}
SORT_LABELS = {'newest': 'Newest first', 'oldest': 'Oldest first', 'status': 'Status', 'price': 'Price (high to low)'}
EMPTY = {
    'upcoming': 'No upcoming appointments. When you book one, it will be waiting for you here.',
    'past': 'No past appointments yet. Your visits will be listed here once they are over.',
    'all': 'You have no appointments yet. Your first one is only a few taps away.',
}
# Drawer modules for card actions; an action whose module is not installed is not offered.
DRAWERS = {
    'reschedule': ('ui.components.reschedule_drawer', 'open_reschedule_drawer'),
    'pay': ('ui.components.pay_drawer', 'open_pay_drawer'),
    'status': ('ui.components.status_drawer', 'open_status_drawer'),
}


@dataclass
class View:
    tab: str = 'upcoming'
    sort: str = 'newest'
    page: int = 1


async def build(ctx: PanelContext) -> None:
    view = View()
    now = ctx.now()
    data = await run.io_bound(panel.load_panel, get_db(), tenant_id=ctx.tenant.id, customer_id=ctx.customer.id,
                              now=now, statuses=ctx.statuses, tab=view.tab, sort=view.sort)
    if data is None:  # the server is shutting down
        return
    available = frozenset(kind for kind, (module, _) in DRAWERS.items() if importlib.util.find_spec(module))
    counts = data.counts

    async def act(kind: str, appointment_id: int) -> None:
        if kind == 'details':
            await open_details_drawer(ctx, appointment_id, reload)
        elif kind in DRAWERS and kind in available:
            module, function = DRAWERS[kind]
            await getattr(importlib.import_module(module), function)(ctx, appointment_id, reload)

    async def reload() -> None:
        """After a change: fresh counts, next visit and the current page."""
        nonlocal counts
        fresh = await run.io_bound(panel.load_panel, get_db(), tenant_id=ctx.tenant.id,
                                   customer_id=ctx.customer.id, now=ctx.now(), statuses=ctx.statuses,
                                   tab=view.tab, sort=view.sort)
        if fresh is None:
            return
        counts = fresh.counts
        dashboard.clear()
        with dashboard:
            if ctx.settings.designer.show_mini_dashboard:
                mini_dashboard(ctx, fresh.next_appointment, counts, lambda i: act('details', i))
        await show_page(view.page)

    async def show_page(number: int) -> None:
        total = counts[f'tab_{view.tab}']
        pages = max(1, math.ceil(total / panel.PAGE_SIZE))
        view.page = min(max(number, 1), pages)
        rows = await run.io_bound(panel.load_page, get_db(), tenant_id=ctx.tenant.id, customer_id=ctx.customer.id,
                                  now=ctx.now(), tab=view.tab, sort=view.sort, statuses=ctx.statuses,
                                  page=view.page)
        if rows is not None:
            render(rows, total, pages)

    def render(appointments: list, total: int, pages: int) -> None:
        now_ = ctx.now()
        grid.show([card_row(a, ctx, now_, available=available) for a in appointments])
        empty.set_visibility(total == 0)
        empty_text.text = EMPTY[view.tab]
        grid.set_visibility(total > 0)
        pager.max = pages
        pager.value = view.page
        pager.set_visibility(pages > 1)
        sort.set_visibility(view.tab == 'all')
        for key, tab in tab_elements.items():
            tab.props(f'label="{TAB_LABELS[key]} ({counts[f"tab_{key}"]})"')

    async def change_tab(event) -> None:  # noqa: ANN001
        view.tab = event.value
        await show_page(1)

    async def change_sort(event) -> None:  # noqa: ANN001
        view.sort = event.value
        await show_page(1)

    async def change_page(event) -> None:  # noqa: ANN001
        if event.value != view.page:
            await show_page(int(event.value))

    dashboard = ui.column().classes('w-full')
    with dashboard:
        if ctx.settings.designer.show_mini_dashboard:
            mini_dashboard(ctx, data.next_appointment, counts, lambda i: act('details', i))

    ui.label('Appointments').classes('text-h6 q-mt-sm').props('role=heading aria-level=2')
    with ui.row().classes('w-full items-center justify-between gap-2'):
        with ui.tabs(value=view.tab, on_change=change_tab).props('no-caps dense align=left').classes(
                'k-appointment-tabs').props('aria-label="Appointments"') as tabs:
            tab_elements = {key: ui.tab(key, label=label).mark(f'tab-{key}') for key, label in TAB_LABELS.items()}
        for key, element in tab_elements.items():  # a click selects the tab on the server too (keyboard: QTabs)
            element.on('click', lambda k=key: tabs.set_value(k))
        sort = ui.select({k: SORT_LABELS[k] for k in SORTS}, value=view.sort, label='Sort by',
                         on_change=change_sort).props('outlined dense options-dense').classes('w-48').mark('sort')
    grid = AppointmentGrid(act)
    with ui.column().classes('w-full items-center q-pa-lg gap-3 text-center').props(
            'role=status').mark('empty-state') as empty:
        ui.icon('event_available', size='48px').classes('k-muted').props('aria-hidden=true')
        empty_text = ui.label(EMPTY[view.tab]).classes('text-body1')
        booking = ctx.settings.booking_url or ctx.tenant.booking_url
        ui.button('Book an appointment').props(f'href="{booking}" unelevated no-caps').mark('book')
    pager = ui.pagination(1, 1, direction_links=True).props('max-pages=6 boundary-numbers').classes(
        'self-center').on_value_change(change_page).mark('pager')
    pager.props('aria-label="Pages"')
    _ = tabs
    # Changes made elsewhere (another tab, the front desk, a payment webhook) show up without a reload.
    LiveSubscription(events.customer_topic(ctx.tenant.id, ctx.customer.id), lambda _: reload())
    render(data.page, counts[f'tab_{view.tab}'], max(1, math.ceil(counts[f'tab_{view.tab}'] / panel.PAGE_SIZE)))

