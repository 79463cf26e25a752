"""The booking page (`/book`): service, staff or any, date, time, details, confirm; then a confirmation screen.

Public: a guest books with their details (a new email gets a customer record, and a welcome email when the business
auto-creates accounts); a signed-in customer finds their details filled in. `?service=<id>` preselects a service,
`?package=<customer_package_id>` (signed in) books a session of that package at no charge. A service that asks for a
deposit sends the customer to Stripe's hosted Checkout when card payment is set up; otherwise the confirmation says
how to pay at the desk. What was booked is kept in this browser's storage for `/book/done` (nothing by id in a link).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from nicegui import Client, app, background_tasks, context, run, ui

from domain import model as d
from domain import payments as dp
from domain.availability import Slot
from services import accounts, availability, booking, packages, panel, payments
from services.context import get_db
from services.tenants import resolve_tenant
from ui import format as fmt
from ui.components.booking_confirmation import confirmation, last_booking, remember_booking
from ui.components.pay_drawer import return_base
from ui.components.slot_picker import SlotPicker, SlotQuery
from ui.context import PanelContext, known_timezones
from ui.theme import frame

ANY = 'any'
TAKEN = 'That time was just taken. Please pick another.'


@dataclass
class PageState:
    """One visitor's page: the picker once a service is chosen (the zone learned later is applied to it)."""

    picker: SlotPicker | None = None
    service: int | None = None  # the service the staff list and picker were loaded for


@dataclass(frozen=True)
class Outcome:
    go: str = ''
    message: str = ''


@dataclass
class BookingForm:
    service: int | None = None
    staff: int | str = ANY
    first_name: str = ''
    last_name: str = ''
    email: str = ''
    phone: str = ''
    notes: str = ''


@ui.page('/book')
async def book_page(request: Request, service: str = '', package: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    session_id = app.storage.user.get('session')
    shell = await run.io_bound(panel.load_shell, get_db(), tenant_id=tenant.id, session_id=session_id)
    if shell is None and session_id:
        app.storage.user.pop('session', None)  # an ended session: book as a guest
    customer = shell.customer if shell else None
    settings = shell.settings if shell else await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    ctx = PanelContext(tenant=tenant, customer=customer or _guest(tenant), session_id=session_id or '',
                       settings=settings)
    with frame(tenant, title='Book', signed_in=customer is not None, index=True,
               description=f'Book an appointment with {tenant.name} online: pick a service, a day and a time.'):
        with ui.column().classes('w-full max-w-3xl self-center gap-4'):
            ui.label('Book an appointment').classes('text-h5').props('role=heading aria-level=1')
            package_id = _int(package)
            cp = None
            if package_id is not None:
                cp = await _package(ctx, customer, package_id)
                if cp is None:
                    return
            only = cp.package.service_ids if cp else None
            offered = await run.io_bound(availability.bookable_services, get_db(), tenant_id=tenant.id, only_ids=only)
            if not offered:
                ui.label('There is nothing to book online right now. Please contact us.').props('role=status')
                return
            state = PageState()
            await _booking_form(ctx, state, customer, offered, _int(service), cp)
    if customer is None or not customer.timezone:
        background_tasks.create(_learn_timezone(ctx, state, context.client), name='book-timezone')


@ui.page('/book/done')
async def booked_page(request: Request, paid: str = '', canceled: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    with frame(tenant, title='Booked', signed_in=bool(app.storage.user.get('session'))):
        with ui.column().classes('w-full max-w-3xl self-center gap-4'):
            booked = last_booking()
            if booked is None:
                ui.label('There is no booking to show here yet.').classes('text-h6').props('role=status')
                ui.button('Book an appointment', on_click=lambda: ui.navigate.to('/book')).props('unelevated no-caps')
                return
            confirmation(booked, paid=bool(paid), canceled=bool(canceled))


async def _booking_form(ctx: PanelContext, state: PageState, customer: d.Customer | None, offered: list[d.Service],
                        preselect: int | None, cp: d.CustomerPackage | None) -> None:
    tenant = ctx.tenant
    by_id = {s.id: s for s in offered}
    form = BookingForm(service=preselect if preselect in by_id else (offered[0].id if len(offered) == 1 else None))
    if customer is not None:
        form.first_name, form.last_name = customer.first_name, customer.last_name
        form.email, form.phone = customer.email, customer.phone
    staff: list[d.Staff] = []

    def query() -> SlotQuery:
        service = by_id[form.service or 0]
        chosen = form.staff if isinstance(form.staff, int) else None
        return SlotQuery(tenant_id=tenant.id, service_id=service.id, staff_id=chosen,
                         staff_ids=(chosen,) if chosen else tuple(s.id for s in staff), group=service.capacity > 1,
                         max_days_ahead=service.max_days_ahead)

    async def service_changed() -> None:
        nonlocal staff
        if form.service not in by_id or form.service == state.service:
            return  # the binding and the first paint both announce the preselected service: load it once
        state.service = form.service
        staff = await run.io_bound(availability.staff_for_service, get_db(), tenant_id=tenant.id,
                                   service_id=form.service) or []
        form.staff = ANY
        staff_select.set_options({ANY: 'Any staff', **{s.id: s.name for s in staff}}, value=ANY)
        staff_select.set_visibility(len(staff) > 1)
        when_card.set_visibility(True)
        if state.picker is None:
            with picker_box:
                state.picker = SlotPicker(query(), tz=ctx.tz, business_tz=ctx.business_tz, now=ctx.now,
                                          on_pick=describe)
            await state.picker.start()
        else:
            await state.picker.set_query(query())

    async def staff_changed() -> None:
        if state.picker is not None and form.service in by_id and state.picker.query != query():
            await state.picker.set_query(query())

    def describe(slot: Slot | None) -> None:
        error.text = ''
        service = by_id.get(form.service or 0)
        if slot is None or service is None:
            summary.text = 'Pick a date and a time.'
            confirm.disable()
            return
        names = {s.id: s.name for s in staff}
        who = names.get(slot.staff_ids[0], '') if slot.staff_ids else ''
        summary.text = f'{service.name}{" with " + who if who else ""}, {fmt.when(slot.start, slot.end, ctx.tz)}'
        confirm.enable()

    async def submit() -> None:
        slot = state.picker.selected if state.picker else None
        service = by_id.get(form.service or 0)
        if slot is None or service is None:
            return
        problem = _details_problem(form)
        if problem:
            error.text = problem
            return
        confirm.props('loading')
        try:
            done = await _book(ctx, customer, form, service, slot, cp)
        finally:
            confirm.props(remove='loading')
        if done.message:
            if done.message == TAKEN and state.picker is not None:
                await state.picker.refresh(quiet=True)
            error.text = done.message
            return
        ui.navigate.to(done.go)

    with ui.card().classes('k-card w-full q-pa-md gap-3').props('role=region aria-label="Choose a service"'):
        ui.label('What would you like to book?').classes('text-subtitle1 text-weight-medium').props(
            'role=heading aria-level=2')
        if cp is not None:
            ui.label(f'From your package “{cp.package.name}”: {cp.sessions_left} sessions left, no charge.').classes(
                'k-muted').mark('package-note')
        ui.select({s.id: _service_words(s, tenant.currency, cp is not None) for s in offered}, label='Service',
                  on_change=service_changed).bind_value(form, 'service').props('outlined').classes('w-full').mark(
            'book-service')
        staff_select = ui.select({ANY: 'Any staff'}, value=ANY, label='Staff', on_change=staff_changed).bind_value(
            form, 'staff').props('outlined').classes('w-full').mark('book-staff')
        staff_select.set_visibility(False)
    with ui.card().classes('k-card w-full q-pa-md gap-3').props('role=region aria-label="Date and time"') as when_card:
        ui.label('When?').classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
        picker_box = ui.column().classes('w-full')
    when_card.set_visibility(False)
    with ui.card().classes('k-card w-full q-pa-md gap-3').props('role=region aria-label="Your details"'):
        ui.label('Your details').classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
        if customer is None:
            with ui.row().classes('items-center gap-1 text-body2'):
                ui.label('Been here before?').classes('k-muted')
                ui.link('Sign in', f'/login?next={quote(str(context.client.request.url.path) + _query())}').classes(
                    'text-primary text-weight-medium')
        with ui.row().classes('w-full gap-3 no-wrap'):
            ui.input('First name').bind_value(form, 'first_name').props('outlined autocomplete=given-name').classes(
                'col').mark('book-first-name')
            ui.input('Last name').bind_value(form, 'last_name').props('outlined autocomplete=family-name').classes(
                'col').mark('book-last-name')
        email = ui.input('Email').bind_value(form, 'email').props('outlined type=email autocomplete=email').classes(
            'w-full').mark('book-email')
        if customer is not None:
            email.props('readonly hint="You are signed in; change it in your profile."')
        ui.input('Phone (optional)').bind_value(form, 'phone').props('outlined type=tel autocomplete=tel').classes(
            'w-full').mark('book-phone')
        ui.textarea('Notes for the business (optional)').bind_value(form, 'notes').props(
            'outlined autogrow maxlength=500').classes('w-full').mark('book-notes')
        summary = ui.label('Pick a date and a time.').classes('text-body1 text-weight-medium').props(
            'aria-live=polite').mark('book-summary')
        error = ui.label().classes('text-negative').props('role=alert').mark('book-error')
        confirm = ui.button('Confirm booking', on_click=submit).props('unelevated no-caps size=lg').classes(
            'w-full').mark('book-confirm')
        confirm.disable()
    if form.service is not None:
        await service_changed()


async def _book(ctx: PanelContext, customer: d.Customer | None, form: BookingForm, service: d.Service, slot: Slot,
                cp: d.CustomerPackage | None) -> Outcome:
    """Book it; where to go next, or the message to show."""
    tenant_id, now = ctx.tenant.id, ctx.now()
    created = False
    try:
        if customer is None:
            found = await run.io_bound(accounts.customer_for_booking, get_db(), tenant_id=tenant_id,
                                       email=form.email.strip(), first_name=form.first_name.strip(),
                                       last_name=form.last_name.strip(), phone=form.phone.strip(), now=now)
            if found is None:
                return Outcome(message='Please try again in a moment.')
            customer, created = found
        else:
            customer = await run.io_bound(accounts.ensure_can_book, get_db(), tenant_id=tenant_id,
                                          customer_id=customer.id)
        appt = await run.io_bound(booking.book, get_db(), tenant_id=tenant_id, customer_id=customer.id,
                                  service_id=service.id, staff_id=form.staff if isinstance(form.staff, int) else None,
                                  start=slot.start, now=now, notes=form.notes.strip(),
                                  customer_package_id=cp.id if cp else None, actor='customer')
    except booking.SlotTaken:
        return Outcome(message=TAKEN)
    except (booking.BookingRefused, accounts.AccountError, packages.PackageRefused) as refusal:
        return Outcome(message=refusal.message)
    if appt is None:
        return Outcome(message='Please try again in a moment.')
    deposit = 0 if cp else dp.booking_deposit(appt)
    card = deposit > 0 and payments.card_enabled()
    remember_booking(ctx, appt, customer=customer, created=created, deposit=deposit, card=card,
                     instructions=ctx.settings.offline_payment_instructions, signed_in=ctx.session_id != '')
    if card:
        base = return_base()
        try:
            url = await run.io_bound(payments.start_checkout, get_db(), tenant_id=tenant_id, customer_id=customer.id,
                                      appointment_id=appt.id, amount=deposit, success_url=f'{base}/book/done?paid=1',
                                      cancel_url=f'{base}/book/done?canceled=1', now=ctx.now())
        except payments.PaymentRefused:
            return Outcome(go='/book/done?canceled=1')
        return Outcome(go=url or '/book/done?canceled=1')
    return Outcome(go='/book/done')


async def _package(ctx: PanelContext, customer: d.Customer | None, package_id: int) -> d.CustomerPackage | None:
    """The customer's package to book from, or None after saying why not."""
    if customer is None:
        ui.label('Sign in to book a session from your package.').props('role=status').mark('package-refusal')
        ui.button('Sign in', on_click=lambda: ui.navigate.to(f'/login?next={quote(f"/book?package={package_id}")}')
                  ).props('unelevated no-caps')
        return None
    try:
        return await run.io_bound(packages.package_for_booking, get_db(), tenant_id=ctx.tenant.id,
                                  customer_id=customer.id, customer_package_id=package_id, now=ctx.now())
    except packages.PackageRefused as refusal:
        with ui.row().classes('items-start no-wrap gap-2').props('role=status').mark('package-refusal'):
            ui.icon('info', size='20px').props('aria-hidden=true')
            ui.label(refusal.message)
        ui.link('Back to my appointments', '/packages')
        return None


def _service_words(service: d.Service, currency: str, package: bool) -> str:
    price = 'no charge' if package else (fmt.money(service.price, currency) if service.price else 'free')
    return f'{service.name} · {fmt.duration(service.duration)} · {price}'


def _details_problem(form: BookingForm) -> str | None:
    if not form.first_name.strip() or not form.last_name.strip():
        return 'Please enter your first and last name.'
    email = form.email.strip()
    if '@' not in email or '.' not in email.rsplit('@', 1)[-1]:
        return 'Please enter a valid email address, so we can send you the confirmation.'
    return None


def _guest(tenant: d.Tenant) -> d.Customer:
    """A stand-in for the PanelContext of someone not signed in (their zone is the business's until we learn it)."""
    return d.Customer(id=0, tenant_id=tenant.id, first_name='', last_name='', email='')


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _query() -> str:
    query = str(context.client.request.url.query)
    return f'?{query}' if query else ''


async def _learn_timezone(ctx: PanelContext, state: PageState, client: Client) -> None:
    """Times read in the visitor's own clock once the browser says where it is."""
    try:
        await client.connected(timeout=10)
        zone = await client.run_javascript('Intl.DateTimeFormat().resolvedOptions().timeZone', timeout=5)
    except Exception:  # no browser (simulated tests) or it went away
        return
    if not isinstance(zone, str) or zone not in known_timezones():
        return
    ctx.customer = replace(ctx.customer, timezone=zone)
    if state.picker is not None:
        state.picker.set_zone(ZoneInfo(zone))
