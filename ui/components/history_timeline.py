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
from ui.i18n import locale, overrides, show, t

ICONS = {dh.BOOKED: 'event', dh.STATUS_CHANGED: 'swap_horiz', dh.RESCHEDULED: 'update', dh.PAID: 'payments',
         dh.PAYMENT_FAILED: 'payments', dh.PAYMENT_HELD: 'payments', dh.STAFF_CHANGED: 'person', dh.NOTE: 'notes'}


@dataclass(frozen=True, slots=True)
class TimelineItem:
    title: str
    subtitle: str
    body: str
    icon: str


def timeline_items(appt: d.Appointment, tz: ZoneInfo, statuses: Sequence[d.Status] = (), *,
                   loc: str | None = None, reader: str = dh.CUSTOMER) -> list[TimelineItem]:
    """What each history entry says to `reader` (the customer, or dh.ADMIN for the business), newest first, in the
    page's language (or `loc`)."""
    loc = loc or locale()
    labels = {s.key: s.label for s in statuses}  # history_words says a default label in the reader's language
    labels.setdefault(appt.status.key, appt.status.label)
    duration = appt.end - appt.start
    items = []
    for entry in reversed(appt.history):
        words = history_words.describe(entry, tz=tz, status_labels=labels, duration=duration, locale=loc,
                                       overrides=overrides())
        # Translators: when a history entry happened and who did it, "Tue 24 Nov 2026, 10:00 · by you".
        subtitle = t('%(when)s · %(who)s', when=fmt.date_time(entry.at, tz, locale=loc),
                     who=show(dh.actor_words(entry.actor, reader=reader)))
        items.append(TimelineItem(title=words.title, subtitle=subtitle, body=words.body,
                                  icon=ICONS.get(entry.action, 'history')))
    return items


def history_timeline(appt: d.Appointment, tz: ZoneInfo, statuses: Sequence[d.Status] = (), *,
                     reader: str = dh.CUSTOMER) -> None:
    """Draw the history under a 'History' heading (nothing when there is none), worded for `reader`."""
    items = timeline_items(appt, tz, statuses, reader=reader)
    if not items:
        return
    ui.label(t('History')).classes('text-subtitle1 text-weight-medium q-mt-md').props('role=heading aria-level=3')
    timeline = ui.timeline(side='right', layout='dense').classes('q-mt-none').mark('history-timeline')
    timeline.props['aria-label'] = t('History')
    with timeline:
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
