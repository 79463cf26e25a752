"""An appointment's history as a timeline for the Details drawer: newest first, in the reader's time zone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from nicegui import ui

from domain import model as d
from ui import format as fmt

ACTORS = {'customer': 'by you', 'staff': 'by the staff', 'admin': 'by the business', 'system': 'automatically'}
ICONS = {'created': 'event', 'status': 'swap_horiz', 'rescheduled': 'update', 'payment': 'payments',
         'rated': 'star', 'staff_changed': 'person'}


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
        title, body = _describe(entry, tz, labels, duration)
        subtitle = f'{fmt.day(entry.at, tz)}, {fmt.clock(entry.at, tz)} · {ACTORS.get(entry.actor, entry.actor)}'
        items.append(TimelineItem(title=title, subtitle=subtitle, body=body,
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


async def render(ctx, appt: d.Appointment, on_changed: Callable[[], Awaitable[None]] | None,  # noqa: ANN001
                 **_: object) -> None:
    """The Details drawer's extension hook."""
    history_timeline(appt, ctx.tz, ctx.statuses)


def _describe(entry: d.HistoryEntry, tz: ZoneInfo, labels: dict[str, str], duration) -> tuple[str, str]:  # noqa: ANN001
    def label(key: str) -> str:
        return labels.get(key) or key.replace('-', ' ').capitalize()

    reason = f'Reason: {entry.reason}' if entry.reason else ''
    if entry.action == 'created':
        return 'Booked', f'Status: {label(entry.to_value)}' if entry.to_value else ''
    if entry.action == 'status':
        return f'{label(entry.from_value)} → {label(entry.to_value)}', reason
    if entry.action == 'rescheduled':
        moved = f'{_when(entry.from_value, tz, duration)} → {_when(entry.to_value, tz, duration)}'
        return 'Rescheduled', f'{moved}\n{reason}'.strip()
    if entry.action == 'staff_changed':
        return 'Staff changed', f'{entry.from_value} → {entry.to_value}'
    if entry.action == 'payment':
        detail = ' · '.join(p for p in (entry.to_value, entry.reason) if p)
        return 'Payment', detail
    return entry.action.replace('_', ' ').capitalize(), ' · '.join(
        p for p in (entry.from_value, entry.to_value, entry.reason) if p)


def _when(value: str, tz: ZoneInfo, duration) -> str:  # noqa: ANN001
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return value
    if start.tzinfo is None:
        return value
    return fmt.when(start, start + duration, tz)
