"""An appointment's history as a timeline for the Details drawer: newest first, in the reader's time zone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from nicegui import ui

from domain import history as dh
from domain import model as d
from services import formatting as fmt
from services import history_words
from ui import i18n

ICONS = {dh.BOOKED: 'event', dh.STATUS_CHANGED: 'swap_horiz', dh.RESCHEDULED: 'update', dh.PAID: 'payments',
         dh.PAYMENT_FAILED: 'payments', dh.PAYMENT_HELD: 'payments', dh.STAFF_CHANGED: 'person', dh.NOTE: 'notes'}


@dataclass(frozen=True, slots=True)
class TimelineItem:
    title: str
    subtitle: str
    body: str
    icon: str


def timeline_items(appt: d.Appointment, tz: ZoneInfo, statuses: Sequence[d.Status] = ()) -> list[TimelineItem]:
    """What each history entry says to the customer, newest first."""
    labels = {s.key: s.label for s in statuses}
    labels.setdefault(appt.status.key, appt.status.label)
    duration = appt.end - appt.start
    items = []
    for entry in reversed(appt.history):
        words = history_words.describe(entry, tz=tz, status_labels=labels, duration=duration, locale=i18n.locale(),
                                       overrides=i18n.overrides())
        subtitle = f'{fmt.date_time(entry.at, tz, locale=i18n.locale())} · {i18n.show(dh.actor_words(entry.actor))}'
        items.append(TimelineItem(title=words.title, subtitle=subtitle, body=words.body,
                                  icon=ICONS.get(entry.action, 'history')))
    return items


def history_timeline(appt: d.Appointment, tz: ZoneInfo, statuses: Sequence[d.Status] = ()) -> None:
    """Draw the history under a 'History' heading (nothing when there is none)."""
    items = timeline_items(appt, tz, statuses)
    if not items:
        return
    ui.label('History').classes('text-subtitle1 text-weight-medium q-mt-md').props('role=heading aria-level=3')
    with ui.timeline(side='right', layout='dense').classes('q-mt-none').props(
            'aria-label="History"').mark('history-timeline'):
        for item in items:
            # Title and time go in the body rather than Quasar's slots, which read as a large, spaced-out heading.
            with ui.timeline_entry(icon=item.icon).classes('k-history-entry').mark('history-entry'), \
                    ui.column().classes('gap-0'):
                ui.label(item.title).classes('text-body1 text-weight-medium').mark('history-title')
                ui.label(item.subtitle).classes('text-caption k-muted')
                for line in item.body.splitlines():
                    ui.label(line).classes('text-body2 q-mt-xs')


async def render(ctx, appt: d.Appointment, on_changed: Callable[[], Awaitable[None]] | None,
                 **_: object) -> None:
    """The Details drawer's extension hook."""
    history_timeline(appt, ctx.tz, ctx.statuses)
