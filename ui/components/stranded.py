"""Bookings a change leaves behind (outside working hours, or with a staff member who was archived), listed for the
admin to move or cancel: nothing is changed for them by itself."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from nicegui import ui

from domain.schedules import Visit
from services import formatting as fmt
from ui.i18n import t


def stranded_list(box: ui.element, visits: Sequence[Visit], *, heading: str, tz: ZoneInfo, locale: str) -> None:
    """Draw `visits` into `box` (a live region the page keeps) under `heading`; nothing when there are none."""
    box.clear()
    if not visits:
        return
    with box, ui.card().classes('k-card w-full q-pa-md bg-orange-1 text-black'):
        ui.label(heading).classes('text-subtitle1 text-weight-medium')
        with ui.element('ul').classes('q-ma-none q-pl-md'):
            for v in visits:
                with ui.element('li'):
                    when = fmt.when(v.start, v.end, tz, locale=locale)
                    ui.label(t('%(when)s · %(service)s · %(customer)s', when=when, service=v.service_name,
                               customer=v.customer_name or '—'))
        ui.label(t('Move or cancel them in the calendar; nothing was changed for them.')).classes('text-body2')
