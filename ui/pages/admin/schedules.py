"""Hours at /admin/schedules?staff=<id>: a staff member's week at a glance and its editor (several intervals a day,
breaks), their days off and special days, and the business's holidays.

Times are the business's wall clock. The server checks every change again (domain.schedules); a saved change reaches
every open booking and reschedule calendar at once (services.schedules publishes it), and the bookings it leaves
outside working hours are listed here, for the admin to move or cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time

from nicegui import ui

from domain import model as d
from domain.i18n import N_, Text
from domain.schedules import DayOff, Visit, parse_hours
from services import catalog, schedules
from services import formatting as fmt
from services.catalog import CatalogRefused
from ui.components.stranded import stranded_list
from ui.components.week_view import clock, day_name, spans_words, week_view
from ui.i18n import show, t, tn
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/schedules'
Rows = list[dict[str, str]]
Report = Callable[[Sequence[Visit]], None]


@admin_page(PATH, title=N_('Hours'))
async def schedules_page(ctx: AdminContext) -> None:
    ui.label(t('Hours')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t("Times are in the business's time zone: %(zone)s.", zone=ctx.tenant.timezone)).classes('k-muted')
    found = await ctx.act(catalog.catalog)
    staff = {p.id: p for p in found.staff}
    chosen = _chosen(ctx, staff)
    if staff:
        picker = ui.select({p.id: p.name if p.active else t('%(name)s (archived)', name=p.name)
                            for p in found.staff}, value=chosen, label=t('Staff member'),
                           on_change=lambda e: ui.navigate.to(f'{PATH}?staff={e.value}')).props('outlined').classes(
            'w-full').style('max-width: 24rem').mark('schedule-staff')
        picker.props['aria-label'] = t('Staff member')
    stranded_box = ui.column().classes('w-full gap-1').mark('stranded')
    stranded_box.props['role'] = 'status'

    def stranded(visits: Sequence[Visit]) -> None:
        heading = tn('%(num)d booking is now outside working hours:',
                     '%(num)d bookings are now outside working hours:', len(visits))
        stranded_list(stranded_box, visits, heading=heading, tz=ctx.tz, locale=ctx.locale)

    if chosen is not None:
        await _staff_sections(ctx, staff[chosen], stranded)
    else:
        ui.label(t('Add a staff member first; then give them hours here.')).classes('k-muted').mark('schedule-empty')
    await _holidays(ctx, stranded)


def _chosen(ctx: AdminContext, staff: dict[int, d.Staff]) -> int | None:
    wanted = ctx.request.query_params.get('staff', '')
    if wanted.isdigit() and int(wanted) in staff:
        return int(wanted)
    return next((p.id for p in staff.values() if p.active), next(iter(staff), None))


async def _staff_sections(ctx: AdminContext, person: d.Staff, stranded: Report) -> None:
    today = ctx.now().astimezone(ctx.tz).date()
    mine = await ctx.act(schedules.staff_schedule, staff_id=person.id, today=today)
    assert mine is not None
    report = stranded

    ui.label(t('The week of %(name)s', name=person.name)).classes('text-h6').props('role=heading aria-level=2')
    glance = ui.element('div').classes('w-full')
    with glance:
        week_view(mine.weekly, mine.breaks, locale=ctx.locale)

    # ---- weekly editor ----
    hours: dict[int, Rows] = {day: _rows(mine.weekly.get(day, ())) for day in range(7)}
    pauses: dict[int, Rows] = {day: _rows(mine.breaks.get(day, ())) for day in range(7)}
    errors: dict[int, ui.label] = {}
    ui.label(t('Weekly hours')).classes('text-h6').props('role=heading aria-level=2')
    with ui.column().classes('w-full gap-2').mark('week-editor'):
        for day in range(7):
            name = day_name(day, locale=ctx.locale)
            with ui.card().classes('k-card w-full q-pa-sm gap-1').mark(f'week-edit-{day}') as card:
                card.props['aria-label'] = name
                ui.label(name).classes('text-subtitle2')
                _intervals(hours[day], name=name, kind=t('Hours'), mark=f'hours-{day}', add=t('Add hours'))
                _intervals(pauses[day], name=name, kind=t('Break'), mark=f'breaks-{day}', add=t('Add a break'))
                errors[day] = ui.label().classes('text-negative text-body2').props('role=alert').mark(
                    f'week-error-{day}')

    async def save_week() -> None:
        weekly: dict[int, list[tuple[time, time]]] = {}
        breaks: dict[int, list[tuple[time, time]]] = {}
        problems: dict[str, Text] = {}
        for day in range(7):
            weekly[day], problem = parse_hours([(r['start'], r['end']) for r in hours[day]])
            if problem is not None:
                problems[f'hours-{day}'] = problem
            breaks[day], problem = parse_hours([(r['start'], r['end']) for r in pauses[day]])
            if problem is not None:
                problems[f'breaks-{day}'] = problem
        if not problems:
            try:
                visits = await ctx.act(schedules.save_week, staff_id=person.id, weekly=weekly, breaks=breaks,
                                       now=ctx.now())
            except CatalogRefused as refused:
                problems = dict(refused.problems)
            else:
                _show_day_errors(errors, {})
                report(visits)
                glance.clear()
                with glance:
                    week_view({k: tuple(v) for k, v in weekly.items() if v},
                              {k: tuple(v) for k, v in breaks.items() if v}, locale=ctx.locale)
                ui.notify(t('The hours of %(name)s are saved.', name=person.name), type='positive')
                return
        _show_day_errors(errors, problems)

    ui.button(t('Save the week'), on_click=save_week).props('unelevated no-caps').mark('week-save')

    await _days_off(ctx, person, mine.days_off, report)
    await _special_days(ctx, person, mine.special_days, report)


def _rows(spans: Sequence[tuple[time, time]]) -> Rows:
    return [{'start': clock(lo), 'end': clock(hi)} for lo, hi in spans]


def _intervals(rows: Rows, *, name: str, kind: str, mark: str, add: str) -> None:
    """Editable intervals: two time fields and a remove button each, and a button that adds one."""
    box = ui.column().classes('w-full gap-1').mark(mark)

    def draw() -> None:
        box.clear()
        with box:
            for index, row in enumerate(rows):
                with ui.row().classes('items-center gap-2 no-wrap'):
                    start = ui.input(t('From')).bind_value(row, 'start').props('type=time dense outlined').mark(
                        f'{mark}-start-{index}')
                    start.props['aria-label'] = t('%(day)s, %(kind)s %(n)s, from', day=name, kind=kind, n=index + 1)
                    end = ui.input(t('To')).bind_value(row, 'end').props('type=time dense outlined').mark(
                        f'{mark}-end-{index}')
                    end.props['aria-label'] = t('%(day)s, %(kind)s %(n)s, to', day=name, kind=kind, n=index + 1)
                    gone = ui.button(icon='delete', on_click=lambda i=index: remove(i)).props('flat round dense').mark(
                        f'{mark}-remove-{index}')
                    gone.props['aria-label'] = t('Remove %(kind)s %(n)s of %(day)s', kind=kind, n=index + 1, day=name)
            plus = ui.button(add, icon='add', on_click=append).props('flat no-caps dense').mark(f'{mark}-add')
            plus.props['aria-label'] = t('%(action)s on %(day)s', action=add, day=name)

    def append() -> None:
        rows.append({'start': '', 'end': ''})
        draw()

    def remove(index: int) -> None:
        rows.pop(index)
        draw()

    draw()


def _show_day_errors(errors: dict[int, ui.label], problems: dict[str, Text]) -> None:
    for day, label in errors.items():
        found = [show(problems[k]) for k in (f'hours-{day}', f'breaks-{day}') if k in problems]
        label.text = ' '.join(found)


async def _days_off(ctx: AdminContext, person: d.Staff, days: list[DayOff], report: Report) -> None:
    ui.label(t('Days off of %(name)s', name=person.name)).classes('text-h6').props('role=heading aria-level=2')
    await _day_list(ctx, staff_id=person.id, days=days, report=report, mark='day-off')


async def _holidays(ctx: AdminContext, report: Report) -> None:
    ui.label(t('Business holidays')).classes('text-h6').props('role=heading aria-level=2')
    ui.label(t('Closed for everyone on these days.')).classes('k-muted')
    today = ctx.now().astimezone(ctx.tz).date()
    days = await ctx.act(schedules.holidays, today=today)
    await _day_list(ctx, staff_id=None, days=days, report=report, mark='holiday')


async def _day_list(ctx: AdminContext, *, staff_id: int | None, days: list[DayOff], report: Report,
                    mark: str) -> None:
    """Days off (a staff member's, or the business's holidays): a list with Remove, and a date to add."""
    listing = ui.column().classes('w-full gap-1').mark(f'{mark}-list')
    shown = list(days)

    def draw() -> None:
        listing.clear()
        with listing:
            if not shown:
                ui.label(t('None planned.')).classes('k-muted')
            for item in shown:
                with ui.row().classes('items-center gap-2').mark(f'{mark}-item'):
                    text = fmt.long_date(item.day, locale=ctx.locale) + (f' · {item.reason}' if item.reason else '')
                    ui.label(text)
                    gone = ui.button(icon='delete', on_click=lambda i=item: remove(i)).props('flat round dense')
                    gone.props['aria-label'] = t('Remove %(day)s', day=fmt.long_date(item.day, locale=ctx.locale))

    async def remove(item: DayOff) -> None:
        await ctx.act(schedules.remove_day_off, day_off_id=item.id, now=ctx.now())
        shown.remove(item)
        draw()

    with ui.row().classes('items-start gap-2 w-full max-sm:flex-wrap'):
        day = ui.input(t('Date')).props('type=date outlined dense').mark(f'{mark}-date')
        reason = ui.input(t('Reason (optional)')).props('outlined dense maxlength=120').mark(f'{mark}-reason')

        async def add() -> None:
            day.props['error'] = False
            try:
                chosen = date.fromisoformat(day.value or '')
            except ValueError:
                _field_error(day, t('Choose a date.'))
                return
            try:
                visits = await ctx.act(schedules.add_day_off, staff_id=staff_id, day=chosen, reason=reason.value or '',
                                       now=ctx.now())
            except CatalogRefused as refused:
                _field_error(day, show(refused.message))
                return
            day.update()
            report(visits)
            shown[:] = await _reread(ctx, staff_id)
            day.value, reason.value = '', ''
            draw()

        ui.button(t('Add'), icon='add', on_click=add).props('outline no-caps').mark(f'{mark}-add')
    draw()


async def _reread(ctx: AdminContext, staff_id: int | None) -> list[DayOff]:
    today = ctx.now().astimezone(ctx.tz).date()
    if staff_id is None:
        return list(await ctx.act(schedules.holidays, today=today) or [])
    mine = await ctx.act(schedules.staff_schedule, staff_id=staff_id, today=today)
    return [] if mine is None else list(mine.days_off)


async def _special_days(ctx: AdminContext, person: d.Staff, days: dict[date, tuple[tuple[time, time], ...]],
                        report: Report) -> None:
    ui.label(t('Special days of %(name)s', name=person.name)).classes('text-h6').props('role=heading aria-level=2')
    ui.label(t("Hours of their own on one date, instead of that weekday's hours and breaks.")).classes('k-muted')
    listing = ui.column().classes('w-full gap-1').mark('special-list')
    shown = dict(days)

    def draw() -> None:
        listing.clear()
        with listing:
            if not shown:
                ui.label(t('None planned.')).classes('k-muted')
            for when, hours in sorted(shown.items()):
                with ui.row().classes('items-center gap-2').mark('special-item'):
                    ui.label(f'{fmt.long_date(when, locale=ctx.locale)} · {spans_words(hours)}')
                    gone = ui.button(icon='delete', on_click=lambda w=when: save(w, [])).props('flat round dense')
                    gone.props['aria-label'] = t('Remove %(day)s', day=fmt.long_date(when, locale=ctx.locale))

    rows: Rows = [{'start': '', 'end': ''}]

    async def save(when: date, hours: list[tuple[time, time]]) -> None:
        try:
            visits = await ctx.act(schedules.set_special_day, staff_id=person.id, day=when, hours=hours,
                                   now=ctx.now())
        except CatalogRefused as refused:
            error.text = show(refused.message)
            return
        error.text = ''
        report(visits)
        if hours:
            shown[when] = tuple(sorted(hours))
        else:
            shown.pop(when, None)
        draw()

    async def add() -> None:
        try:
            when = date.fromisoformat(day.value or '')
        except ValueError:
            error.text = t('Choose a date.')
            return
        hours, problem = parse_hours([(r['start'], r['end']) for r in rows])
        if problem is not None or not hours:
            error.text = show(problem) if problem is not None else t('Enter a start and an end time.')
            return
        await save(when, hours)

    day = ui.input(t('Date')).props('type=date outlined dense').mark('special-date')
    _intervals(rows, name=t('Special day'), kind=t('Hours'), mark='special-hours', add=t('Add hours'))
    error = ui.label().classes('text-negative text-body2').props('role=alert').mark('special-error')
    ui.button(t('Save special day'), on_click=add).props('outline no-caps').mark('special-save')
    draw()


def _field_error(element: ui.input, message: str) -> None:
    element.props['error'] = True
    element.props['error-message'] = message
    element.update()
