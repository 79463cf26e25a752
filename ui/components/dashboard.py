"""The mini-dashboard: the next visit at a glance and the upcoming and completed counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import model as d
from ui import format as fmt
from ui.context import PanelContext


def mini_dashboard(ctx: PanelContext, nxt: d.Appointment | None, counts: dict[str, int],
                   on_details: Callable[[int], Awaitable[None]]) -> None:
    with ui.column().classes('w-full gap-3').props('role=region aria-label="Overview"').mark('dashboard'):
        with ui.card().classes('k-card w-full q-pa-md').props('flat bordered').mark('next-appointment'):
            ui.label('Your next appointment').classes('text-overline k-muted')
            if nxt is None:
                ui.label('Nothing booked yet.').classes('text-subtitle1')
                booking = ctx.settings.booking_url or ctx.tenant.booking_url
                ui.button('Book an appointment').props(f'href="{booking}" unelevated no-caps').mark('book-next')
            else:
                ui.label(nxt.service.name).classes('text-h6').props('role=heading aria-level=2')
                with ui.row().classes('items-center gap-x-6 gap-y-1 text-body1'):
                    _fact('event', fmt.day(nxt.start, ctx.tz), 'Date')
                    _fact('schedule', f'{fmt.clock(nxt.start, ctx.tz)}–{fmt.clock(nxt.end, ctx.tz)}', 'Time')
                    _fact('person', nxt.staff.name, 'Staff')
                    if nxt.location:
                        _fact('place', nxt.location.name, 'Location')
                    elif nxt.service.is_online:
                        _fact('videocam', 'Online', 'Location')
                ui.button('View details', on_click=lambda: on_details(nxt.id)).props(
                    'flat dense no-caps color=primary').mark('next-details')
        with ui.row().classes('gap-2'):
            ui.chip(f'{counts["upcoming"]} upcoming', icon='event').props(
                'outline color=primary').classes('k-chip').mark('chip-upcoming')
            ui.chip(f'{counts["completed"]} completed', icon='task_alt').props(
                'outline color=positive').classes('k-chip').mark('chip-completed')


def _fact(icon: str, text: str, what: str) -> None:
    with ui.row().classes('items-center gap-1 no-wrap'):
        ui.icon(icon, size='20px').classes('k-muted').props('aria-hidden=true')
        ui.label(text).props(f'aria-label="{what}: {text}"')
