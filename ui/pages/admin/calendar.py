"""The business's calendar at /admin/calendar: a day (a time line per staff member, in columns) or a week (a row per
day, a column per staff member), on the business's clock. A day is drawn as long as it really is: the night the
clocks go back has 25 hours (one hour mark twice), the night they go forward 23; the day view draws 08:00-20:00,
widened to the hours of its first and last appointments (domain.desk.day_window), not the empty night. An appointment
opens in the appointments page (`/admin/appointments?open=<id>`).

Address: `?view=day|week&day=YYYY-MM-DD`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from nicegui import ui

from domain import desk as dd
from domain.history import CUSTOMER
from domain.i18n import N_
from services import desk
from services import formatting as fmt
from ui.i18n import page_statuses, t
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/calendar'
PX_PER_MINUTE = 0.8


def _day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


def _address(view: str, day: date) -> str:
    return f'{PATH}?{urlencode({"view": view, "day": day.isoformat()})}'


@admin_page(PATH, title=N_('Calendar'))
async def calendar_page(ctx: AdminContext) -> None:
    params = ctx.request.query_params
    view = 'day' if params.get('view') == 'day' else 'week'
    today = ctx.now().astimezone(ctx.tz).date()
    day = _day(params.get('day'), today)
    first = day if view == 'day' else dd.week_of(day)
    step = timedelta(days=1 if view == 'day' else 7)
    shown = await ctx.act(desk.calendar, first_day=first, days=1 if view == 'day' else 7)

    ui.add_css(CALENDAR_CSS)
    ui.label(t('Calendar')).classes('text-h5').props('role=heading aria-level=1')
    # Two groups that wrap as wholes on a phone: moving through time, and the view
    with ui.row().classes('w-full items-center justify-between gap-2').mark('calendar-controls'):
        with ui.row().classes('items-center no-wrap gap-2'):
            ui.link(t('Previous'), _address(view, first - step)).classes('k-cal-nav').mark('calendar-previous')
            ui.link(t('Today'), _address(view, today)).classes('k-cal-nav').mark('calendar-today')
            ui.link(t('Next'), _address(view, first + step)).classes('k-cal-nav').mark('calendar-next')
        with ui.row().classes('items-center no-wrap gap-2'):
            for key, label in (('day', t('Day')), ('week', t('Week'))):
                link = ui.link(label, _address(key, day)).classes('k-cal-nav').mark(f'calendar-{key}')
                if key == view:
                    link.props['aria-current'] = 'page'
                    link.classes('k-cal-nav--current')
    if view == 'day':
        heading = fmt.long_date(first, locale=ctx.locale)
    else:
        heading = t('%(first)s to %(last)s', first=fmt.date(first, locale=ctx.locale),
                    last=fmt.date(first + timedelta(days=6), locale=ctx.locale))
    ui.label(heading).classes('text-subtitle1').props('role=heading aria-level=2').mark('calendar-range')
    if not shown.staff:
        ui.label(t('No staff yet. Add a staff member first.')).classes('k-muted')
        return
    if view == 'day':
        _day_view(ctx, shown, shown.days[0])
    else:
        _week_view(ctx, shown)


def _label(ctx: AdminContext, shown: desk.CalendarView, row: dd.DeskRow) -> str:
    found = shown.statuses.get(row.status_key)
    status = page_statuses((found,))[0] if found else None
    said = t('%(when)s, %(customer)s, %(service)s, %(status)s',
             when=fmt.time_range(row.start, row.end, ctx.tz, locale=ctx.locale),
             customer=row.customer_name or row.customer_email, service=row.service_name,
             status=status.label if status else row.status_key)
    confirmed = _confirmed(row)
    return f'{said}, {confirmed}' if confirmed else said


def _confirmed(row: dd.DeskRow) -> str:
    """Who confirmed the visit from its reminder, in words; '' when nobody did."""
    if not row.confirmed_by:
        return ''
    return t('confirmed by the customer') if row.confirmed_by == CUSTOMER else t('confirmed by the staff')


def _confirmed_mark(row: dd.DeskRow) -> None:
    """A check on a confirmed visit's item (its name says it in words)."""
    if row.confirmed_by:
        ui.icon('task_alt', size='14px').classes('k-cal-confirmed').props('aria-hidden=true').mark(
            f'calendar-confirmed-{row.id}')


def _open(row: dd.DeskRow) -> str:
    return f'/admin/appointments?open={row.id}'


def _day_view(ctx: AdminContext, shown: desk.CalendarView, day: dd.DaySpan) -> None:
    booked = {staff_id: shown.on(day, staff_id) for staff_id, _ in shown.staff}
    lo, hi = dd.day_window(day, [row for rows in booked.values() for row in rows])
    height = int((hi - lo) * PX_PER_MINUTE)
    marks = [(label, int((minute - lo) * PX_PER_MINUTE)) for label, minute in day.marks if lo <= minute < hi]
    hours = len(day.marks)
    if hours != 24:
        ui.label(t('This day has %(hours)s hours: the clocks change.', hours=hours)).classes('text-body2').mark(
            'calendar-dst')
    scroller = ui.element('div').classes('k-cal-scroll w-full').props('tabindex=0 role=region').mark('calendar-day')
    scroller.props['aria-label'] = t('Appointments by staff member')
    with scroller:
        with ui.element('div').classes('k-cal-grid').style(
                f'grid-template-columns: 56px repeat({len(shown.staff)}, minmax(140px, 1fr))'):
            ui.element('div')  # the corner above the hours
            for _, name in shown.staff:
                ui.label(name).classes('k-cal-head text-weight-medium ellipsis').props('role=heading aria-level=3')
            with ui.element('div').classes('k-cal-col').style(f'height: {height}px').props('aria-hidden=true'):
                for label, top in marks:
                    ui.label(label).classes('k-cal-hour text-caption').style(f'top: {top}px')
            for staff_id, name in shown.staff:
                column = ui.element('div').classes('k-cal-col k-cal-lane').style(f'height: {height}px').mark(
                    f'calendar-staff-{staff_id}')
                column.props['role'] = 'list'
                column.props['aria-label'] = name
                with column:
                    for _, top in marks:
                        ui.element('div').classes('k-cal-line').style(f'top: {top}px')
                    for row in booked[staff_id]:
                        top = day.offset(row.start) - lo
                        length = max(15, day.offset(row.end) - lo - top)
                        with ui.element('div').props('role=listitem'):
                            link = ui.link(target=_open(row)).classes('k-cal-item').style(
                                f'top: {int(top * PX_PER_MINUTE)}px; height: {int(length * PX_PER_MINUTE)}px; '
                                f'border-left-color: {_color(row.color)}').mark(f'calendar-appt-{row.id}')
                            link.props['aria-label'] = _label(ctx, shown, row)
                            with link:
                                _confirmed_mark(row)
                                ui.label(fmt.time(row.start, ctx.tz, locale=ctx.locale)).classes('text-caption')
                                ui.label(row.customer_name or row.customer_email).classes(
                                    'text-caption text-weight-medium ellipsis')
                                ui.label(row.service_name).classes('text-caption ellipsis')


def _week_view(ctx: AdminContext, shown: desk.CalendarView) -> None:
    scroller = ui.element('div').classes('k-cal-scroll w-full').props('tabindex=0 role=region').mark('calendar-week')
    scroller.props['aria-label'] = t('Appointments by staff member')
    with scroller:
        with ui.element('table').classes('k-cal-table'):
            with ui.element('thead'), ui.element('tr'):
                with ui.element('th').props('scope=col'):
                    ui.label(t('Day')).classes('sr-only')
                for _, name in shown.staff:
                    with ui.element('th').props('scope=col'):
                        ui.label(name)
            with ui.element('tbody'):
                for day in shown.days:
                    with ui.element('tr'):
                        with ui.element('th').props('scope=row'):
                            link = ui.link(fmt.weekday(day.day, locale=ctx.locale) + ' ' +
                                           fmt.short_date(day.day, locale=ctx.locale), _address('day', day.day))
                            link.props['aria-label'] = t('Open %(day)s', day=fmt.long_date(day.day,
                                                                                           locale=ctx.locale))
                        for staff_id, _ in shown.staff:
                            with ui.element('td'):
                                for row in shown.on(day, staff_id):
                                    item = ui.link(target=_open(row)).classes('k-cal-chip').style(
                                        f'border-left-color: {_color(row.color)}').mark(f'calendar-appt-{row.id}')
                                    item.props['aria-label'] = _label(ctx, shown, row)
                                    with item:
                                        _confirmed_mark(row)
                                        ui.label(f'{_clock(row.start, ctx)} '
                                                 f'{row.customer_name or row.customer_email}').classes(
                                            'text-caption ellipsis')


def _clock(at: datetime, ctx: AdminContext) -> str:
    return fmt.time(at, ctx.tz, locale=ctx.locale)


def _color(value: str) -> str:
    ok = value.startswith('#') and len(value) in (4, 7) and all(c in '0123456789abcdefABCDEF' for c in value[1:])
    return value if ok else '#6366f1'


CALENDAR_CSS = '''
.k-cal-confirmed { float: inline-start; margin-inline-end: 2px; color: #15803d; }
.k-cal-scroll { overflow-x: auto; }
.k-cal-grid { display: grid; gap: 0 4px; min-width: 100%; }
.k-cal-head { padding: 4px; border-bottom: 1px solid rgba(0, 0, 0, 0.2); }
.k-cal-col { position: relative; }
.k-cal-lane { background: rgba(0, 0, 0, 0.02); }
.k-cal-hour { position: absolute; left: 0; transform: translateY(-2px); }
.k-cal-line { position: absolute; left: 0; right: 0; border-top: 1px solid rgba(0, 0, 0, 0.08); }
.nicegui-link.k-cal-item { position: absolute; left: 2px; right: 2px; overflow: hidden; padding: 2px 4px;
  background: #fff; color: #1f2937; border: 1px solid rgba(0, 0, 0, 0.2); border-left-width: 4px;
  border-radius: 4px; text-decoration: none; display: flex; flex-direction: column; }
.body--dark .nicegui-link.k-cal-item { background: #1f2937; color: #f9fafb; }
.k-cal-table { border-collapse: collapse; width: 100%; }
.k-cal-table th, .k-cal-table td { border: 1px solid rgba(0, 0, 0, 0.12); padding: 4px; vertical-align: top;
  text-align: left; min-width: 120px; }
.nicegui-link.k-cal-chip { display: block; margin-bottom: 4px; padding: 2px 4px; border-left: 4px solid;
  border-radius: 4px; background: rgba(0, 0, 0, 0.04); color: inherit; text-decoration: none; min-height: 24px; }
.nicegui-link.k-cal-nav { min-height: 44px; min-width: 44px; display: inline-flex; align-items: center;
  padding: 0 8px; }
.k-cal-nav--current { font-weight: 600; text-decoration: none; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
'''
