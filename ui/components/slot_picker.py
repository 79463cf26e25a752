"""The slot picker: a month calendar in which only dates with a free time can be picked, then that day's free times.

Shared by the Reschedule drawer and the booking page; both ask the same engine through services.availability.

Accessible names (what people with screen readers hear and what QA suites select by):
- the calendar is a group named 'Date'; dates without a free time are disabled, its arrows are 'Previous month' and
  'Next month' (Quasar's own names, in its language pack); its month and day names are CLDR's for the page's locale
  (Babel), and so is the first day of its weeks;
- the times of the picked day form a group named 'Free times on <day>', e.g. 'Free times on Tue 24 Nov 2026';
- each time is a button named by its start in the customer's zone, e.g. '10:30'; a group class adds the seats left,
  '10:30, 3 seats left' (shown under the time). The chosen time has aria-pressed="true".

The day's times are one element, `SlotTimes` (mark `slot-grid`), drawn in the browser by slot_times.js: its `times`
are what each button shows, its `chosen` the start of the chosen time, and a click comes back as its `choose` event
with the time's start. Simulated-browser tests pick a time through that event (tests/ui/conftest.py `pick_time`); a
time that is not one the picker offers is ignored. The marks: `slot-picker` (the whole), `slot-date` (the calendar),
`slot-grid` (the times), `slot-status` (what it says when a chosen time was taken), `no-slots`, `zone-note`.

Every text is in the page's language (ui.i18n), dates and times in its locale (services.formatting).

Live: while it is on the page it listens to the business's availability topic; when a staff member it shows gets a
booking (or loses one) it reloads the month's dates and the picked day's times, so a time taken anywhere disappears
without a reload. If the chosen time goes, the choice is cleared and the customer is told. It stops listening when
its drawer closes (ui.components.drawer) and while the browser is disconnected; when the browser comes back it
listens again and reloads.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import run, ui
from nicegui.events import GenericEventArguments

from domain.availability import Slot
from domain.rules import TAKEN
from services import availability, events
from services import formatting as fmt
from services.context import get_db
from ui.components.live import LiveSubscription
from ui.components.styles import add_css_once
from ui.components.wire import ascii_json
from ui.components.words import say
from ui.context import off_loop
from ui.i18n import locale, t, tn

PickHandler = Callable[[Slot | None], Awaitable[None] | None]
CSS = '''
.k-slot-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(88px, 1fr)); gap: 8px; width: 100%; }
.k-slot-grid .q-btn { min-height: 44px; }
.k-date { width: 100%; }
.k-date .q-date__calendar-weekdays > div { color: #4b5563; opacity: 1; }
.body--dark .k-date .q-date__calendar-weekdays > div { color: #cbd5e1; }
.k-date .q-date__calendar-item--out { color: #6b7280; opacity: 1; }
.body--dark .k-date .q-date__calendar-item--out { color: #9ca3af; }
.k-date .q-date__calendar-item--in .q-btn--flat {
  background: color-mix(in srgb, var(--q-primary) 12%, transparent); font-weight: 700; }
.k-pick-row { display: flex; flex-wrap: wrap; gap: 16px; width: 100%; align-items: flex-start; }
.k-pick-date { flex: 0 1 340px; min-width: 0; }
.k-pick-times { flex: 1 1 260px; min-width: 0; }
'''
# How many months ahead the picker looks for a first free date before saying there is none.
LOOKAHEAD_MONTHS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotQuery:
    """What to find times for. `staff_id` None means any staff; `staff_ids` are the people shown (for live events)."""

    tenant_id: int
    service_id: int
    staff_id: int | None
    staff_ids: tuple[int, ...]
    group: bool = False
    max_days_ahead: int = 365
    ignore_appointment_id: int | None = None
    seats: int = 1
    location_id: int | None = None
    current: tuple[datetime, int] | None = None  # a moved appointment's start and staff: not offered again


def slot_label(slot: Slot, tz: ZoneInfo, day: date, loc: str | None = None) -> str:
    """The start in the customer's clock; the weekday is added when that is not the picked (business) day."""
    loc = loc or locale()
    local = slot.start.astimezone(tz)
    text = fmt.time(local, locale=loc)
    return text if local.date() == day else f'{text} {fmt.weekday(local, locale=loc)}'


def seats_words(free: int) -> str:
    return tn('%(num)d seat left', '%(num)d seats left', free)


@cache
def date_picker_locale(loc: str) -> tuple[dict[str, list[str]], int]:
    """QDate's `locale` prop (day and month names, Sunday first as Quasar counts) and its first day of the week
    (0 Sunday) for a locale, from CLDR (Babel): the same names as the dates written elsewhere on the page."""
    where = fmt.cldr_locale(loc)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # Babel counts from Monday (0)
    days = where.days['stand-alone']['wide']
    short = where.days['format']['abbreviated']
    if any(len(short[i]) > 4 for i in range(7)):  # 'segunda' is a name, not a column heading: 'seg.'
        short = where.days['stand-alone']['short']
    months = where.months['stand-alone']['wide']
    months_short = where.months['stand-alone']['abbreviated']
    names = {
        'days': [days[i] for i in sunday_first],
        'daysShort': [short[i] for i in sunday_first],
        'months': [months[i] for i in range(1, 13)],
        'monthsShort': [months_short[i] for i in range(1, 13)],
    }
    return names, (where.first_week_day + 1) % 7


class SlotTimes(ui.element, component='slot_times.js'):
    """A day's free times as one element, drawn in the browser (slot_times.js). As one button element a time, a day's
    dozens were each built, serialized and sent, and every choice updated them all: the panel's largest cost on the
    event loop under load. `times` are what the buttons show (SlotPicker._time), `chosen` the chosen one's start;
    a click comes back as the `choose` event with the time's start."""

    def __init__(self, label: str, times: list[dict[str, str]], *, chosen: str,
                 on_choose: Callable[[GenericEventArguments], Awaitable[None]]) -> None:
        super().__init__()
        self.label: str = ''
        self.times: list[dict[str, str]] = []
        self.chosen: str = ''  # the chosen time's start, '' for none
        self.props('role=group').mark('slot-grid')
        self._set(label, times, chosen)
        self.on('choose', on_choose)

    def show(self, label: str, times: list[dict[str, str]], chosen: str) -> None:
        if (label, times, chosen) != (self.label, self.times, self.chosen):
            self._set(label, times, chosen)
            self.update()

    def choose(self, start: str) -> None:
        if start != self.chosen:
            self.chosen = self._props['chosen'] = start
            self.update()

    def _set(self, label: str, times: list[dict[str, str]], chosen: str) -> None:
        self.label, self.times, self.chosen = label, list(times), chosen
        self._props['aria-label'] = label
        # One ASCII JSON string (ui.components.wire): NiceGUI would otherwise wrap every time in observable containers
        self._props['times'] = ascii_json(self.times)
        self._props['chosen'] = chosen

    def _displayed_contents(self, *, only_visible: bool) -> list:
        # What a person reads on the buttons, for the simulated user's content search (`user.should_see('10:30')`).
        return [*super()._displayed_contents(only_visible=only_visible),
                *(text for time in self.times for text in (time['label'], time['seats']) if text)]


class SlotPicker:
    """Build it inside a container, then `await picker.start()`; `picker.selected` is the chosen Slot or None."""

    def __init__(self, query: SlotQuery, *, tz: ZoneInfo, business_tz: ZoneInfo, now: Callable[[], datetime],
                 on_pick: PickHandler | None = None) -> None:
        self.query = query
        self.tz, self.business_tz, self.now = tz, business_tz, now
        self.on_pick = on_pick
        self.selected: Slot | None = None
        self.day: date | None = None
        self.view: tuple[int, int] = (0, 0)
        self.dates: list[date] = []
        self.slots: list[Slot] = []
        self._generation = 0  # a new click (another day, query) makes every older read's answer moot
        self._reads = 0  # every read of a day, numbered as it starts ...
        self._shown_read = 0  # ... and the one whose answer is shown: an older answer never replaces a newer one
        self._grid: SlotTimes | None = None
        self._heading: ui.label | None = None
        self._shown_day: date | None = None
        self._changed: set[date | None] = set()  # days named by live events not read again yet (None: all)
        self._reloading = False
        self._opening = False  # start() is reading where to open
        self._missed = False  # a live event came while it read: read again once it has shown
        add_css_once(CSS)
        self.loc = locale()
        names, first_day = date_picker_locale(self.loc)
        with ui.column().classes('w-full gap-2').mark('slot-picker') as self.root:
            self.zone_note = ui.label().classes('text-caption k-muted').mark('zone-note')
            with ui.element('div').classes('k-pick-row'):
                with ui.column().classes('k-pick-date gap-1'):
                    ui.label(t('Date')).classes('text-body2 text-weight-medium').props('aria-hidden=true')
                    self.calendar = ui.date(mask='YYYY-MM-DD', on_change=self._date_changed).props(
                        f'minimal flat bordered first-day-of-week={first_day} role=group').classes(
                        'k-date').mark('slot-date')
                    self.calendar.props['aria-label'] = t('Date')
                    self.calendar.props['locale'] = names
                    self.calendar.on('navigation', self._navigated)
                with ui.column().classes('k-pick-times gap-2'):
                    self.status = ui.label().classes('text-body2 text-negative').props(
                        'role=status aria-live=polite').mark('slot-status')
                    self.slots_box = ui.column().classes('w-full gap-2')
            self._live = LiveSubscription(events.availability_topic(query.tenant_id), self._on_event,
                                          catch_up=self._catch_up)
        self._show_zone_note()

    # ---- what the owner calls --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open on the first month with a free date (within a few months) and pick its first free date: one read on
        the worker threads for both (under load each hop waits for a busy event loop again)."""
        self._limit_navigation()
        today = self._today()
        q = self.query
        self._generation += 1
        generation = self._generation
        self._opening, self._missed = True, False
        try:
            opening = await run.io_bound(availability.first_free, get_db(), tenant_id=q.tenant_id,
                                         service_id=q.service_id, staff_id=q.staff_id, year=today.year,
                                         month=today.month, months=LOOKAHEAD_MONTHS, now=self.now(),
                                         ignore_appointment_id=q.ignore_appointment_id, seats=q.seats,
                                         location_id=q.location_id, current=q.current)
        finally:
            self._opening = False
        if self.root.is_deleted or generation != self._generation:
            return  # the drawer closed, or a newer query started meanwhile
        if opening is not None:
            year, month, dates, slots = opening
            self._show_month(year, month, dates)
            self.day = dates[0]
            self.calendar.value = dates[0].isoformat()
            await self._show_day(dates[0], slots)
            if self._missed:  # what was read may be older than a booking made meanwhile
                await self.refresh()
            return
        self._show_month(today.year, today.month, [])
        self._clear_slots(t('No free times in the coming weeks. Please try again later or contact us.'))

    async def set_query(self, query: SlotQuery) -> None:
        """Another service, staff member or 'any': start again."""
        self.query = query
        await self._choose(None)
        self.day = self._shown_day = None
        self.dates = []
        self.calendar.value = None
        await self.start()

    async def refresh(self, *, quiet: bool = False, live: bool = False) -> None:
        """Reload the shown month and the picked day (after a refused booking, or a live event). `quiet`: the owner
        tells the customer about a lost choice itself. `live`: for a change made elsewhere (read on the live-update
        threads, ui.context.live_call)."""
        year, month = self.view
        dates = await self._month(year, month, live=live)
        if dates is not None and self.view == (year, month):
            self._show_month(year, month, dates)
        if self.day is not None:
            await self._load_day(self.day, quiet=quiet, live=live)

    async def pick_day(self, day: date) -> None:
        self.day = day
        self.calendar.value = day.isoformat()
        await self._load_day(day)

    # ---- events --------------------------------------------------------------------------------------------

    async def _date_changed(self, event: Any) -> None:
        value = event.value
        if not value:
            return
        day = date.fromisoformat(value)
        if day in (self._shown_day, self.day):
            return  # shown already, or being read (pick_day sets the calendar's value, which lands here too)
        if day not in self.dates:  # another month's date (keyboard, tests): only a date the engine offers
            dates = await self._month(day.year, day.month)
            if dates is None or day not in dates:
                return
            self._show_month(day.year, day.month, dates)
        self.day = day
        await self._load_day(day)

    async def _navigated(self, event: Any) -> None:
        args = event.args or {}
        year, month = int(args.get('year', 0)), int(args.get('month', 0))
        if not (1 <= month <= 12) or (year, month) == self.view:
            return
        self.view = (year, month)
        dates = await self._month(year, month)
        if dates is not None and self.view == (year, month):
            self._show_month(year, month, dates)

    async def _on_event(self, payload: dict[str, Any]) -> None:
        """A booking changed somewhere in the business. Only a day this picker shows (of its month, or the picked
        day) of a staff member it shows matters, and then only that day is read again, not the month. Events that
        arrive while a reload runs are gathered and read once after it."""
        staff_id = payload.get('staff_id')
        if staff_id is not None and staff_id not in self.query.staff_ids:
            return
        if self._opening:
            self._missed = True
            return
        day = _event_day(payload.get('day'))
        if day is not None and (day.year, day.month) != self.view and day != self.day:
            return
        self._changed.add(day)
        if self._reloading:
            return
        self._reloading = True
        try:
            while self._changed:
                days, self._changed = self._changed, set()
                if None in days:
                    await self.refresh(live=True)
                    continue
                for changed in sorted(d for d in days if d is not None):
                    await self._reload_day(changed)
        finally:
            self._reloading = False

    async def _reload_day(self, day: date) -> None:
        """Read one day again: whether it still has a free time (the calendar's options) and, when it is the picked
        day, its times."""
        if day == self.day:
            await self._load_day(day, live=True)
            free = bool(self.slots) if self.day == day else None
        else:
            slots = await self._day_slots(day, live=True)
            free = None if slots is None else bool(slots)
        if free is None or free == (day in self.dates) or (day.year, day.month) != self.view:
            return
        self.dates = sorted(set(self.dates) | {day}) if free else [d for d in self.dates if d != day]
        self._show_month(*self.view, [d for d in self.dates if (d.year, d.month) == self.view])

    async def _catch_up(self) -> None:
        """The browser is back after a lost connection: times may have been taken while the picker did not listen."""
        if self.view != (0, 0):  # started
            await self.refresh(live=True)

    # ---- loading -------------------------------------------------------------------------------------------

    # Both loaders answer None when the server is shutting down or the picker was removed (its drawer closed) while
    # they read: the callers then leave the page alone. `live`: for a change made elsewhere, on the live-update
    # threads (ui.context.live_call), not on those that answer clicks.
    async def _month(self, year: int, month: int, *, live: bool = False) -> list[date] | None:
        q = self.query
        found = await off_loop(
            live, availability.month_dates, get_db(), tenant_id=q.tenant_id, service_id=q.service_id,
            staff_id=q.staff_id, year=year, month=month, now=self.now(), ignore_appointment_id=q.ignore_appointment_id,
            seats=q.seats, location_id=q.location_id, current=q.current)
        return None if found is None or self.root.is_deleted else list(found)

    async def _day_slots(self, day: date, *, live: bool = False) -> list[Slot] | None:
        q = self.query
        found = await off_loop(
            live, availability.day_slots, get_db(), tenant_id=q.tenant_id, service_id=q.service_id,
            staff_id=q.staff_id, day=day, now=self.now(), ignore_appointment_id=q.ignore_appointment_id,
            seats=q.seats, location_id=q.location_id, current=q.current)
        return None if found is None or self.root.is_deleted else list(found)

    async def _load_day(self, day: date, *, quiet: bool = False, live: bool = False) -> None:
        """Read a day's times and show them, unless something newer was asked for meanwhile. A click's read makes
        older reads moot; a live read (a change made elsewhere) does not, so a click is answered by its own read even
        while a live read of the same day waits for a live thread, and whichever of the two started later is shown
        last."""
        if not live:
            self._generation += 1
        generation = self._generation
        self._reads += 1
        read = self._reads
        slots = await self._day_slots(day, live=live)
        if slots is None or generation != self._generation or self.day != day or read < self._shown_read:
            return  # shutting down, another day or query asked for, or a newer read of this day is shown already
        self._shown_read = read
        await self._show_day(day, slots, quiet=quiet)

    async def _show_day(self, day: date, slots: list[Slot], *, quiet: bool = False) -> None:
        """Show a day's free times just read; a chosen time that is gone is let go (and said, unless `quiet`)."""
        unchanged = day == self._shown_day and [(s.start, s.free_seats) for s in slots] == [
            (s.start, s.free_seats) for s in self.slots]
        self.slots = list(slots)
        chosen = self.selected
        if chosen is not None and not any(s.start == chosen.start for s in self.slots):
            await self._choose(None)
            self.status.text = '' if quiet else say(TAKEN)
        elif chosen is not None:
            # keep the choice, but with the fresh seats and staff
            self.selected = next(s for s in self.slots if s.start == chosen.start)
        if not unchanged:  # else a live event about another time of the day: the times shown are still right
            self._render_slots(day)

    # ---- drawing -------------------------------------------------------------------------------------------

    def _show_month(self, year: int, month: int, dates: list[date]) -> None:
        self.view = (year, month)
        known = [d for d in self.dates if (d.year, d.month) != (year, month)]
        self.dates = sorted(set(known) | set(dates))
        self.calendar.props['options'] = [d.strftime('%Y/%m/%d') for d in self.dates]
        self.calendar.props['default-year-month'] = f'{year:04d}/{month:02d}'
        self.calendar.update()

    def _render_slots(self, day: date) -> None:
        """Draw the day's free times. While times are shown, the one times element and its heading are updated in
        place (another day, a time taken or back, another zone): nothing is built again."""
        self._shown_day = day
        day_words = fmt.date(datetime(day.year, day.month, day.day, 12, tzinfo=self.business_tz), self.business_tz,
                             locale=self.loc)
        heading = t('Free times on %(day)s', day=day_words)
        times = [self._time(slot, day) for slot in self.slots]
        grid = self._grid
        if self.slots and grid is not None and not grid.is_deleted and self._heading is not None:
            if self._heading.text != heading:
                self._heading.text = heading
            grid.show(heading, times, _key(self.selected))
            return
        self.slots_box.clear()
        self._grid = self._heading = None
        with self.slots_box:
            self._heading = ui.label(heading).classes('text-subtitle2').props('role=heading aria-level=3')
            if not self.slots:
                ui.label(t('No free times left on this day. Please pick another date.')).classes(
                    'k-muted').mark('no-slots')
                return
            self._grid = SlotTimes(heading, times, chosen=_key(self.selected), on_choose=self._choose_start)

    def _time(self, slot: Slot, day: date) -> dict[str, str]:
        """What one time's button shows (slot_times.js): its label, its name for screen readers and, in a group
        class, the seats left under it; `start` is how a click names it back."""
        label = slot_label(slot, self.tz, day, self.loc)
        if not self.query.group:
            return {'start': _key(slot), 'label': label, 'name': label, 'seats': ''}
        seats = seats_words(slot.free_seats)
        # Translators: a time's name for screen readers in a group class, "10:30, 3 seats left".
        name = t('%(time)s, %(seats)s', time=label, seats=seats)
        return {'start': _key(slot), 'label': label, 'name': name, 'seats': seats}

    async def _choose_start(self, event: GenericEventArguments) -> None:
        """A time clicked in the browser: picked as the picker knows it now (its seats and staff may have changed
        since it was drawn); a time it does not offer (taken meanwhile, or never shown) is ignored."""
        start = event.args if isinstance(event.args, str) else None
        await self._choose(next((s for s in self.slots if _key(s) == start), None), only_shown=True)

    async def _choose(self, slot: Slot | None, *, only_shown: bool = False) -> None:
        if only_shown and slot is None:
            return
        if slot is not None and not any(s.start == slot.start for s in self.slots):
            return
        self.selected = slot
        self.status.text = ''
        if self._grid is not None and not self._grid.is_deleted:
            self._grid.choose(_key(slot))
        if self.on_pick is not None:
            result = self.on_pick(slot)
            if inspect.isawaitable(result):
                await result

    def _clear_slots(self, message: str) -> None:
        self.slots = []
        self._shown_day = None
        self.slots_box.clear()
        self._grid = self._heading = None
        with self.slots_box:
            ui.label(message).classes('k-muted').mark('no-slots')

    def _show_zone_note(self) -> None:
        at = self.now()
        if self.tz.key == self.business_tz.key:
            self.zone_note.text = t('Times are in %(zone)s.', zone=zone_words(self.tz, at))
        else:
            self.zone_note.text = t('Times are in your time zone, %(zone)s. Dates follow the business, in '
                                    '%(business_zone)s.', zone=zone_words(self.tz, at),
                                    business_zone=zone_words(self.business_tz, at))

    def set_zone(self, tz: ZoneInfo) -> None:
        """The browser told us the customer's zone: show times in it."""
        if tz.key == self.tz.key:
            return
        self.tz = tz
        self._show_zone_note()
        if self.day is not None and self._shown_day == self.day:
            self._render_slots(self.day)

    def _limit_navigation(self) -> None:
        today = self._today()
        last = today + timedelta(days=self.query.max_days_ahead)
        self.calendar.props(f'navigation-min-year-month={today:%Y/%m} navigation-max-year-month={last:%Y/%m}')

    def _today(self) -> date:
        return self.now().astimezone(self.business_tz).date()


def _key(slot: Slot | None) -> str:
    """How the browser names a time back (SlotTimes' `choose`): its start as the server knows it; '' for none."""
    return '' if slot is None else slot.start.isoformat()


def _event_day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def zone_words(tz: ZoneInfo, at: datetime) -> str:
    label = fmt.zone_label(tz, at)
    return tz.key if label == f'{tz.key} · {tz.key}' else label  # 'UTC', not 'UTC · UTC'
