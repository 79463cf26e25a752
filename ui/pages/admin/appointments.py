"""The business's appointments at /admin/appointments: filters, sorting and pages from the server, one appointment
opened in a dialog (details, history, change its status, take a payment), and the current filter as CSV at
/admin/appointments.csv.

The filter lives in the address (`?staff=2&status=pending&open=17`), so the calendar links to an open
appointment and the export link carries the filter the admin sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from nicegui import app, context, run, ui
from nicegui.slot import Slot

from domain import desk as dd
from domain import history as dh
from domain import model as d
from domain import payments as dp
from domain.admins import AdminRole, role_allows
from domain.i18n import N_
from domain.payments import PaymentRefused
from domain.rules import NotAllowed
from services import admin_auth, desk, desk_money
from services import formatting as fmt
from services.booking import BookingRefused, SlotTaken
from services.context import get_db
from services.tenants import resolve_tenant
from ui.components.admin_form import major_units, minor_units
from ui.components.drawer import discard, one_use_canary
from ui.components.history_timeline import history_timeline
from ui.components.slot_picker import SlotPicker, SlotQuery
from ui.i18n import page_statuses, show, t, tn
from ui.pages.admin.shell import AdminContext, admin_page
from ui.pages.session import ADMIN_SESSION

PATH = '/admin/appointments'
CSV_PATH = '/admin/appointments.csv'


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filter_from(params: Mapping[str, str]) -> dd.AppointmentFilter:
    """The filter an address asks for (anything unreadable is left out)."""
    where = dd.AppointmentFilter(
        first_day=_day(params.get('from')), last_day=_day(params.get('to')), staff_id=_int(params.get('staff')),
        service_id=_int(params.get('service')), location_id=_int(params.get('location')),
        status_key=params.get('status') or '', payment=params.get('payment') or '', text=params.get('q') or '',
        sort=params.get('sort') or 'start_desc', customer_id=_int(params.get('customer'))).cleaned()
    return where


def query_of(where: dd.AppointmentFilter) -> str:
    values: dict[str, Any] = {
        'from': where.first_day.isoformat() if where.first_day else None,
        'to': where.last_day.isoformat() if where.last_day else None, 'staff': where.staff_id,
        'service': where.service_id, 'location': where.location_id, 'status': where.status_key,
        'payment': where.payment, 'q': where.text, 'sort': where.sort if where.sort != 'start_desc' else None,
        'customer': where.customer_id}
    return urlencode({k: v for k, v in values.items() if v not in (None, '')})


@app.get(CSV_PATH)
async def appointments_csv(request: Request) -> Response:
    """The appointments of the filter in the address, streamed as CSV; only for an admin of this business."""
    tenant = resolve_tenant(request.headers.get('host'))
    session_id = app.storage.user.get(ADMIN_SESSION)
    admin = await run.io_bound(admin_auth.current_admin, get_db(), tenant_id=tenant.id,
                               session_id=session_id if isinstance(session_id, str) else None)
    if admin is None or not role_allows(admin.role, AdminRole.MANAGER):
        return PlainTextResponse('Please sign in again.', status_code=401)
    where = filter_from(dict(request.query_params))
    locale = admin.language or 'en'
    rows = desk.export_csv(get_db(), tenant_id=tenant.id, admin_id=admin.id, where=where, locale=locale)
    return StreamingResponse(iter_in_thread(rows), media_type='text/csv; charset=utf-8', headers={
        'Content-Disposition': 'attachment; filename="appointments.csv"', 'Cache-Control': 'private, no-store'})


async def iter_in_thread(parts: Any) -> Any:
    """Read the export's pieces off the event loop, one at a time."""
    done = object()
    while True:
        piece = await run.io_bound(next, parts, done)
        if piece is done:
            return
        yield piece


@admin_page(PATH, title=N_('Appointments'))
async def appointments_page(ctx: AdminContext) -> None:
    where = filter_from(dict(ctx.request.query_params))
    # The page shown: its number when known (counted from the first or, with an exact count, the last), and its
    # first and last rows' cursors to move from.
    state: dict[str, Any] = {'where': where, 'page': 1, 'shown': None, 'customer': where.customer_id, 'asked': 0}
    # The page's own place. A handler runs inside the element that fired it, and a redraw deletes the list's rows
    # with their Open buttons (the change just made, or another filter's answer arriving late): what must outlive a
    # row (a dialog, which NiceGUI deletes with the place it was made in, and the redraw itself) is made here.
    home = context.slot
    found = await ctx.act(desk.choices)
    labels = {st.key: st.label for st in page_statuses(found.statuses)}

    ui.label(t('Appointments')).classes('text-h5').props('role=heading aria-level=1')
    ui.button(t('New appointment'), icon='add', on_click=lambda: _new_dialog(ctx, home, found, on_done=refilter)).props(
        'unelevated no-caps').mark('appt-new')
    filters = ui.element('div').classes('k-form-grid w-full').mark('appt-filters')
    with filters:
        start = ui.input(t('From')).props('outlined dense type=date stack-label').mark('appt-from')
        end = ui.input(t('To')).props('outlined dense type=date stack-label').mark('appt-to')
        staff = ui.select({0: t('Anyone'), **found.staff}, label=t('Staff'), value=where.staff_id or 0).props(
            'outlined dense').mark('appt-staff')
        service = ui.select({0: t('Any service'), **found.services}, label=t('Service'),
                            value=where.service_id or 0).props('outlined dense').mark('appt-service')
        location = ui.select({0: t('Any location'), **found.locations}, label=t('Location'),
                             value=where.location_id or 0).props('outlined dense').mark('appt-location')
        status = ui.select({'': t('Any status'), **labels}, label=t('Status'),
                           value=where.status_key if where.status_key in labels else '').props(
            'outlined dense').mark('appt-status')
        payment = ui.select({'': t('Any payment'), **{k: t(v) for k, v in dd.PAYMENT_STATES.items()}},
                            label=t('Payment'), value=where.payment).props('outlined dense').mark('appt-payment')
        text = ui.input(t('Customer name, email or phone'), value=where.text).props(
            f'outlined dense clearable debounce=400 maxlength={dd.TEXT_MAX}').mark('appt-text')
        sort = ui.select({k: t(v) for k, v in dd.SORTS.items()}, label=t('Order'), value=where.sort).props(
            'outlined dense').mark('appt-sort')
    if where.customer_id is not None:  # one customer's appointments, from their page's "All appointments"
        with ui.row().classes('items-center gap-2').mark('appt-one-customer') as one:
            ui.label(t("Only one customer's appointments.")).classes('text-body2')

            async def everyone() -> None:
                state['customer'] = None
                one.set_visibility(False)
                await refilter()

            ui.button(t('Show every customer'), icon='close', on_click=everyone).props(
                'flat dense no-caps').mark('appt-every-customer')
    start.value = where.first_day.isoformat() if where.first_day else ''
    end.value = where.last_day.isoformat() if where.last_day else ''
    with ui.row().classes('w-full items-center gap-2'):
        summary = ui.label().classes('text-body2').props('aria-live=polite').mark('appt-count')
        ui.space()
        export = ui.link(t('Export CSV'), CSV_PATH).props('download').classes('text-body2').mark('appt-export')
    listing = ui.column().classes('w-full gap-2').mark('appt-list')
    pager = ui.element('nav').classes('row w-full items-center justify-center gap-2').mark('appt-pager')
    pager.props['aria-label'] = t('Pages')

    def current() -> dd.AppointmentFilter:
        return dd.AppointmentFilter(
            first_day=_day(start.value), last_day=_day(end.value), staff_id=staff.value or None,
            service_id=service.value or None, location_id=location.value or None, status_key=status.value or '',
            payment=payment.value or '', text=text.value or '', sort=sort.value or 'start_desc',
            customer_id=state['customer']).cleaned()

    async def refilter() -> None:
        state['where'] = current()
        await draw('first')

    async def draw(move: str = 'first') -> None:
        with home:
            await _draw(move)

    async def _draw(move: str) -> None:
        before: desk.DeskPage | None = state['shown']
        cursor = None
        if before is not None and move in ('next', 'previous'):
            cursor = before.last if move == 'next' else before.first
        state['asked'] += 1
        asked = state['asked']
        shown = await ctx.act(desk.appointment_list, where=state['where'], move=move, cursor=cursor, zone=ctx.tz)
        if asked != state['asked']:
            return  # a later filter or page was asked for meanwhile: its answer is the one to show, whenever it comes
        number = state['page']
        if move == 'first':
            number = 1
        elif move == 'last':
            number = shown.pages
        elif number is not None:
            number += 1 if move == 'next' else -1
        if not shown.has_previous:
            number = 1
        state['shown'], state['page'] = shown, number
        query = query_of(state['where'])
        ui.run_javascript(f'history.replaceState(null, "", {PATH + ("?" + query if query else "")!r})')
        export.props(f'href="{CSV_PATH}?{query}"')
        if shown.more_than_cap:
            summary.text = t('More than %(num)s appointments', num=fmt.number(dd.COUNT_CAP, locale=ctx.locale))
        else:
            summary.text = tn('%(num)d appointment', '%(num)d appointments', shown.count)
        listing.clear()
        with listing:
            if not shown.rows:
                ui.label(t('No appointments match.')).classes('k-muted').mark('appt-empty')
            for row in shown.rows:
                _row(ctx, row, labels, on_open=open_one)
        pager.clear()
        with pager:
            for move_to, text, icon, enabled in (
                    ('first', t('First'), 'first_page', shown.has_previous),
                    ('previous', t('Previous'), 'chevron_left', shown.has_previous),
                    ('next', t('Next'), 'chevron_right', shown.has_next),
                    ('last', t('Last'), 'last_page', shown.has_next)):
                if move_to == 'next':
                    if number is not None and shown.pages:
                        where_now = t('Page %(page)s of %(pages)s', page=number, pages=shown.pages)
                    elif number is not None:
                        where_now = t('Page %(page)s', page=number)
                    else:
                        where_now = ''
                    ui.label(where_now).classes('text-body2').mark('appt-page')
                button = ui.button(text, icon=icon, on_click=lambda m=move_to: draw(m)).props(
                    'flat no-caps' + (' icon-right' if move_to in ('next', 'last') else '')).mark(f'appt-{move_to}')
                button.set_enabled(enabled)

    async def open_one(appointment_id: int) -> None:
        with home:
            try:
                opened = await ctx.act(desk.detail, appointment_id=appointment_id)
            except NotAllowed as refused:
                ui.notify(show(refused.message), type='negative')
                return
            _detail_dialog(ctx, home, opened, on_change=draw)

    for control in (start, end, staff, service, location, status, payment, text, sort):
        control.on_value_change(refilter)
    await draw()
    wanted = _int(ctx.request.query_params.get('open'))
    if wanted:
        await open_one(wanted)


def _row(ctx: AdminContext, row: dd.DeskRow, labels: dict[str, str], *, on_open: Any) -> None:
    when = fmt.when(row.start, row.end, ctx.tz, locale=ctx.locale)
    with ui.card().classes('k-card w-full q-pa-sm').mark(f'appt-{row.id}'):
        with ui.row().classes('w-full items-center gap-2 no-wrap'):
            ui.element('span').classes('inline-block rounded-full').style(
                f'width: 10px; height: 10px; flex: none; background: {_color(row.color)}').props('aria-hidden=true')
            with ui.column().classes('gap-0 col'):
                ui.label(when).classes('text-body2 text-weight-medium')
                ui.label(f'{row.customer_name or row.customer_email} · {row.service_name}').classes('text-body2')
                ui.label(' · '.join(x for x in (row.staff_name, row.location_name) if x)).classes(
                    'k-muted text-caption')
            with ui.column().classes('gap-1 items-end'):
                ui.badge(labels.get(row.status_key, row.status_key), color='grey-8').mark(f'appt-status-{row.id}')
                ui.label(t(dd.PAYMENT_STATES[row.payment])).classes('text-caption')
            button = ui.button(t('Open'), on_click=lambda: on_open(row.id)).props('outline no-caps dense').mark(
                f'appt-open-{row.id}')
            button.props['aria-label'] = t('Open the appointment of %(name)s on %(when)s',
                                           name=row.customer_name or row.customer_email, when=when)


def _color(value: str) -> str:
    ok = value.startswith('#') and len(value) in (4, 7) and all(c in '0123456789abcdefABCDEF' for c in value[1:])
    return value if ok else '#6366f1'


def _one_use_dialog(home: Slot) -> ui.dialog:
    """A dialog made in the page's own place, not in the row whose button opened it: ui.dialog leaves a hidden
    "canary" element where it is made and deletes itself when that goes, so a list redraw threw away a dialog a person
    had just opened. It is deleted, canary too, as soon as it closes: nothing piles up on the page, and a closed
    dialog's controls are not left behind to act on a stale appointment. So a handler in it says what it did before it
    closes it, and anything after runs in `home`."""
    with home:
        before = len(home.children)
        dialog = ui.dialog()
    canary = one_use_canary(home, before)

    def closed(e: Any) -> None:
        if not e.value:
            discard(dialog, canary)

    dialog.on_value_change(closed)
    return dialog


async def _new_dialog(ctx: AdminContext, home: Slot, found: desk.Choices, *, on_done: Any) -> None:
    """Book for a customer at the desk: find them, choose the service and staff member, then a free time."""
    with _one_use_dialog(home) as dialog, ui.card().classes('w-full q-pa-md').style('max-width: 720px').mark(
            'new-dialog'):
        dialog.props['aria-label'] = t('New appointment')
        ui.label(t('New appointment')).classes('text-h6').props('role=heading aria-level=2')
        search = ui.input(t('Find the customer (name, email or phone)')).props(
            f'outlined dense debounce=300 maxlength={dd.TEXT_MAX}').classes('w-full').mark('new-customer-search')
        customer = ui.select({}, label=t('Customer')).props('outlined dense').classes('w-full').mark(
            'new-customer')
        service = ui.select(found.services, label=t('Service')).props('outlined dense').classes('w-full').mark(
            'new-service')
        staff = ui.select(found.staff, label=t('Staff')).props('outlined dense').classes('w-full').mark('new-staff')
        error = ui.label().classes('text-negative text-body2').props('role=alert').mark('new-error')
        holder = ui.column().classes('w-full')
        picker: dict[str, SlotPicker] = {}

        async def find() -> None:
            matches = await ctx.act(desk.find_customers, text=search.value or '')
            customer.set_options(dict(matches), value=matches[0][0] if len(matches) == 1 else None)

        async def show_times() -> None:
            holder.clear()
            picker.pop('now', None)
            if not service.value or not staff.value:
                return
            with holder:
                made = SlotPicker(SlotQuery(tenant_id=ctx.tenant.id, service_id=service.value, staff_id=staff.value,
                                            staff_ids=(staff.value,), max_days_ahead=365),
                                  tz=ctx.tz, business_tz=ctx.tz, now=ctx.now)
            picker['now'] = made
            await made.start()

        async def book() -> None:
            chosen = picker.get('now')
            if not customer.value or chosen is None or chosen.selected is None:
                error.text = t('Choose the customer, the service, the staff member and a free time.')
                return
            try:
                await ctx.act(desk.book, customer_id=customer.value, service_id=service.value, staff_id=staff.value,
                              start=chosen.selected.start, now=ctx.now())
            except BookingRefused as refused:
                error.text = show(refused.message)
                return
            except SlotTaken:
                error.text = t('That time was just taken. Please pick another.')
                return
            ui.notify(t('The appointment is booked.'), type='positive')
            dialog.close()
            await on_done()

        search.on_value_change(find)
        service.on_value_change(show_times)
        staff.on_value_change(show_times)
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Cancel'), on_click=dialog.close).props('flat no-caps')
            ui.button(t('Book'), on_click=book).props('unelevated no-caps').mark('new-book')
    dialog.open()


async def _move_dialog(ctx: AdminContext, home: Slot, appt: d.Appointment, *, on_change: Any) -> None:
    """The same slot picker the customer moves with, for this appointment's service and staff member."""
    query = SlotQuery(tenant_id=ctx.tenant.id, service_id=appt.service.id, staff_id=appt.staff.id,
                      staff_ids=(appt.staff.id,), group=appt.service.capacity > 1, max_days_ahead=365,
                      ignore_appointment_id=appt.id, seats=appt.seats,
                      location_id=appt.location.id if appt.location else None, current=(appt.start, appt.staff.id))
    with _one_use_dialog(home) as dialog, ui.card().classes('w-full q-pa-md').style('max-width: 720px').mark(
            'move-dialog'):
        dialog.props['aria-label'] = t('Move to another time')
        ui.label(t('Move to another time')).classes('text-h6').props('role=heading aria-level=2')
        ui.label(t('%(service)s with %(name)s', service=appt.service.name, name=appt.staff.name)).classes(
            'text-body2')
        error = ui.label().classes('text-negative text-body2').props('role=alert').mark('move-error')
        picker = SlotPicker(query, tz=ctx.tz, business_tz=ctx.tz, now=ctx.now)

        async def confirm() -> None:
            slot = picker.selected
            if slot is None:
                error.text = t('Choose a free time first.')
                return
            try:
                await ctx.act(desk.reschedule, appointment_id=appt.id, new_start=slot.start, staff_id=appt.staff.id,
                              now=ctx.now())
            except (BookingRefused, NotAllowed) as refused:
                error.text = show(refused.message)
                return
            except SlotTaken:
                error.text = t('That time was just taken. Please pick another.')
                return
            ui.notify(t('The appointment is moved.'), type='positive')
            dialog.close()
            await on_change()

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Cancel'), on_click=dialog.close).props('flat no-caps')
            ui.button(t('Move here'), on_click=confirm).props('unelevated no-caps').mark('move-confirm')
    dialog.open()
    with home:
        await picker.start()


def _payment_line(ctx: AdminContext, paid: d.Payment, *, dialog: ui.dialog, error: ui.label, on_change: Any) -> None:
    money = fmt.money(paid.amount, paid.currency, locale=ctx.locale)
    with ui.row().classes('w-full items-center gap-2').mark(f'appt-payment-{paid.id}'):
        ui.label(f'{money} · {desk.method_words(paid.method, locale=ctx.locale)} · '
                 f'{t(PAYMENT_STATE_WORDS.get(paid.state.value, paid.state.value))}').classes('text-body2 col')
        if paid.method == dp.CARD and paid.state == d.PaymentState.SUCCEEDED:
            async def refund() -> None:
                try:
                    await ctx.act(desk_money.refund, payment_id=paid.id, now=ctx.now())
                except (NotAllowed, PaymentRefused) as refused:
                    error.text = show(refused.message)
                    return
                ui.notify(t('%(amount)s is refunded.', amount=money), type='positive')
                dialog.close()
                await on_change()

            button = ui.button(t('Refund'), on_click=refund).props('outline no-caps dense').mark(
                f'appt-refund-{paid.id}')
            button.props['aria-label'] = t('Refund %(amount)s to %(name)s', amount=money, name=t('the customer'))


PAYMENT_STATE_WORDS = {'pending': N_('Pending'), 'succeeded': N_('Received'), 'failed': N_('Not completed'),
                       'flagged': N_('Held for review'), 'refunded': N_('Refunded')}


def _detail_dialog(ctx: AdminContext, home: Slot, opened: desk.Detail, *, on_change: Any) -> None:
    appt, row, customer = opened.appointment, opened.row, opened.customer
    currency = ctx.tenant.currency
    with _one_use_dialog(home) as dialog, ui.card().classes('w-full q-pa-md').style('max-width: 640px').mark(
            'appt-dialog'):
        dialog.props['aria-label'] = t('Appointment')
        ui.label(t('%(service)s with %(name)s', service=row.service_name, name=row.staff_name)).classes(
            'text-h6').props('role=heading aria-level=2')
        ui.label(fmt.when(appt.start, appt.end, ctx.tz, locale=ctx.locale)).classes('text-body1')
        facts = [
            (t('Customer'), f'{row.customer_name} <{customer.email}>'),
            (t('Phone'), customer.phone or '—'),
            (t('Location'), row.location_name or '—'),
            (t('Status'), appt.status.label),
            (t('Price'), fmt.money(appt.price, currency, locale=ctx.locale)),
            (t('Paid'), fmt.money(appt.amount_paid, currency, locale=ctx.locale)),
            (t('Payment'), t(dd.PAYMENT_STATES[row.payment])),
        ]
        if appt.notes:
            facts.append((t('Notes'), appt.notes))
        with ui.element('div').classes('k-form-grid w-full').mark('appt-facts'):
            for name, value in facts:
                with ui.column().classes('gap-0'):
                    ui.label(name).classes('text-caption k-muted')
                    ui.label(value).classes('text-body2')
        error = ui.label().classes('text-negative text-body2').props('role=alert').mark('appt-error')

        ui.label(t('Change the status')).classes('text-subtitle1').props('role=heading aria-level=3')
        with ui.row().classes('w-full items-start gap-2'):
            target = ui.select({st.key: st.label for st in page_statuses(opened.statuses) if st.key != appt.status.key},
                               label=t('New status')).props('outlined dense').classes('col-grow').style(
                'min-width: 11rem').mark('appt-new-status')  # its label whole on a phone: the row wraps instead
            reason = ui.input(t('Reason (optional)')).props('outlined dense maxlength=500').classes('col-grow').mark(
                'appt-reason')

            async def set_status() -> None:
                if not target.value:
                    error.text = t('Choose a status.')
                    return
                try:
                    await ctx.act(desk.set_status, appointment_id=appt.id, target=target.value,
                                  reason=reason.value or '', now=ctx.now())
                except NotAllowed as refused:
                    error.text = show(refused.message)
                    return
                ui.notify(t('The status is changed.'), type='positive')
                dialog.close()
                await on_change()

            ui.button(t('Change status'), on_click=set_status).props('unelevated no-caps').mark('appt-set-status')

        due = max(0, appt.price - appt.amount_paid)
        ui.label(t('Take a payment')).classes('text-subtitle1').props('role=heading aria-level=3')
        with ui.row().classes('w-full items-start gap-2'):
            amount = ui.number(t('Amount (%(currency)s)', currency=currency), value=major_units(due, currency),
                               min=0, step=10 ** -fmt.minor_unit_digits(currency)).props('outlined dense').mark(
                'appt-amount')
            method = ui.select({m: desk.method_words(m, locale=ctx.locale) for m in desk.METHODS}, value='cash',
                               label=t('Paid by')).props('outlined dense').style('min-width: 9rem').mark(
                'appt-method')

            async def take() -> None:
                minor = minor_units(amount.value, currency)
                if minor <= 0:
                    error.text = t('Enter an amount more than zero.')
                    return
                try:
                    await ctx.act(desk.take_payment, appointment_id=appt.id, amount=minor, method=method.value,
                                  now=ctx.now())
                except (NotAllowed, PaymentRefused) as refused:
                    error.text = show(refused.message)
                    return
                ui.notify(t('The payment is recorded.'), type='positive')
                dialog.close()
                await on_change()

            ui.button(t('Record payment'), on_click=take).props('unelevated no-caps').mark('appt-take-payment')
        if opened.payments:
            ui.label(t('Payments')).classes('text-subtitle1').props('role=heading aria-level=3')
            for paid in opened.payments:
                _payment_line(ctx, paid, dialog=dialog, error=error, on_change=on_change)
        history_timeline(appt, ctx.tz, page_statuses(opened.statuses), reader=dh.ADMIN)

        async def move() -> None:
            dialog.close()
            with home:
                await _move_dialog(ctx, home, appt, on_change=on_change)

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Move to another time'), icon='update', on_click=move).props('outline no-caps').mark(
                'appt-move')
            ui.button(t('Close'), on_click=dialog.close).props('flat no-caps').mark('appt-close')
    dialog.open()

