"""A staff member's week at a glance: seven columns, the working hours as blocks on a shared time scale, breaks
hatched across them. Each day also says its hours in words (what a screen reader reads, and what a phone shows
under its narrow column)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time, timedelta

from nicegui import ui

from domain.availability import Hours
from services import formatting as fmt
from ui.components.styles import add_css_once
from ui.i18n import t

A_MONDAY = date(2024, 1, 1)

CSS = '''
.k-week { display: grid; grid-template-columns: auto repeat(7, minmax(0, 1fr)); gap: 4px; width: 100%; }
.k-week-axis { position: relative; height: 200px; width: 2.6em; font-size: 0.7rem; opacity: 0.75; }
.k-week-tick { position: absolute; right: 2px; transform: translateY(-50%); }
.k-week-day { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.k-week-name { font-weight: 600; font-size: 0.8rem; text-align: center; overflow: hidden; text-overflow: ellipsis; }
.k-week-track { position: relative; height: 200px; border-radius: 6px; background: rgba(127,127,127,0.12); }
.k-week-block { position: absolute; left: 3px; right: 3px; border-radius: 4px; background: var(--q-primary);
  opacity: 0.85; }
.k-week-break { position: absolute; left: 3px; right: 3px; background: repeating-linear-gradient(45deg,
  rgba(255,255,255,0.85) 0 4px, rgba(127,127,127,0.5) 4px 8px); border-radius: 2px; }
.k-sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.k-week-words { font-size: 0.75rem; line-height: 1.2; text-align: center; overflow-wrap: anywhere; }
'''


def day_name(weekday: int, *, locale: str) -> str:
    """The weekday's name in the reader's language (0 = Monday)."""
    return fmt.weekday(A_MONDAY + timedelta(days=weekday), locale=locale)


def clock(moment: time) -> str:
    return moment.strftime('%H:%M')


def spans_words(hours: Hours) -> str:
    return ', '.join(f'{clock(lo)}–{clock(hi)}' for lo, hi in hours)


def week_view(weekly: Mapping[int, Hours], breaks: Mapping[int, Hours], *, locale: str) -> ui.element:
    """Draw the week; returns its container (marked 'week-view')."""
    add_css_once(CSS)
    everything = [span for hours in (*weekly.values(), *breaks.values()) for span in hours]
    first = min((_minutes(lo) for lo, _ in everything), default=8 * 60)
    last = max((_minutes(hi, end=True) for _, hi in everything), default=18 * 60)
    first, last = (first // 60) * 60, -(-last // 60) * 60
    length = max(last - first, 60)
    grid = ui.element('div').classes('k-week').mark('week-view')
    grid.props['role'] = 'list'
    grid.props['aria-label'] = t('The week at a glance')
    every = 60 * max(1, -(-length // (60 * 6)))  # at most about six hour marks
    spacing = f'{every / length * 200:.2f}px'  # a faint line at each hour mark (the track is 200px high)
    lines = f'repeating-linear-gradient(to bottom, rgba(127,127,127,0.25) 0 1px, transparent 1px {spacing})'
    with grid:
        with ui.element('div').classes('k-week-day').props('aria-hidden=true'):
            ui.label('\u00a0').classes('k-week-name')
            with ui.element('div').classes('k-week-axis'):
                for mark in range(first, first + length + 1, every):
                    ui.label(f'{mark // 60 % 24:02d}:00').classes('k-week-tick').style(
                        f'top: {(mark - first) / length * 100:.2f}%')
        for weekday in range(7):
            name = day_name(weekday, locale=locale)
            hours, pauses = weekly.get(weekday, ()), breaks.get(weekday, ())
            words = spans_words(hours) if hours else t('Closed')
            if pauses:
                words += '; ' + t('break %(times)s', times=spans_words(pauses))
            with ui.element('div').classes('k-week-day').props('role=listitem').mark(f'week-day-{weekday}'):
                ui.label(name).classes('k-week-name').props('aria-hidden=true')
                with ui.element('div').classes('k-week-track').props('aria-hidden=true').style(
                        f'background-image: {lines}'):
                    for lo, hi in hours:
                        _block('k-week-block', lo, hi, first, length)
                    for lo, hi in pauses:
                        _block('k-week-break', lo, hi, first, length)
                # What the picture says, in words: read aloud with the day's name, and legible on a phone.
                ui.label(f'{name}: {words}').classes('k-sr-only')
                ui.label(words).classes('k-week-words').props('aria-hidden=true')
    return grid


def _block(kind: str, lo: time, hi: time, first: int, length: int) -> None:
    top = (_minutes(lo) - first) / length * 100
    height = (_minutes(hi, end=True) - _minutes(lo)) / length * 100
    ui.element('div').classes(kind).style(f'top: {top:.2f}%; height: {height:.2f}%')


def _minutes(moment: time, *, end: bool = False) -> int:
    return 24 * 60 if end and moment == time() else moment.hour * 60 + moment.minute
