"""The booking page (`/book`): service, staff or any, date, time, details, confirm; then a confirmation screen.

Public: a guest's booking is held for a short while and the address they typed gets a link to confirm it
(`/book/confirm`, ui/pages/book_confirm.py); the page says the same words whether or not the address has an account,
and only the click in that mailbox makes the appointment (and, for a new address, the account and its welcome email).
A signed-in customer finds their details filled in and books at once. `?service=<id>` preselects a service,
`?package=<customer_package_id>` (signed in) books a session of that package at no charge. A service that asks for a
deposit sends the customer to Stripe's hosted Checkout when card payment is set up; otherwise the confirmation says
how to pay at the desk. What was booked is kept in this browser's storage for `/book/done` (nothing by id in a link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from nicegui import app, context, run, ui

from domain import model as d
from domain import rules
from domain.accounts import guest_problems
from domain.availability import Slot
from domain.i18n import Text
from domain.rules import why_not_location
from services import accounts, availability, booking, packages, panel
from services import formatting as fmt
from services.context import get_db
from services.tenants import resolve_tenant
from ui.components.booking_confirmation import (
    confirmation,
    finish_booking,
    held_notice,
    last_booking,
    remember_hold,
)
from ui.components.slot_picker import SlotPicker, SlotQuery
from ui.context import PanelContext, known_timezones
from ui.i18n import choose_for, locale, show, t, tn
from ui.pages import session
from ui.theme import frame

ANY = 'any'


@dataclass
class PageState:
    """One visitor's page: the picker once a service is chosen (the zone learned later is applied to it)."""

    picker: SlotPicker | None = None
    service: int | None = None  # the service the staff list and picker were loaded for


@dataclass(frozen=True)
class Outcome:
    go: str = ''
    message: Text | str = ''  # a refusal, shown in the page's language
    taken: bool = False  # someone else got the time first: the picker reloads its times


@dataclass
class BookingForm:
    service: int | None = None
    location: int | None = None  # asked only when the service is offered at more than one place
    staff: int | str = ANY
    first_name: str = ''
    last_name: str = ''
    email: str = ''
    phone: str = ''
    notes: str = ''


@ui.page('/book')
async def book_page(request: Request, service: str = '', package: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    address = request.client.host if request.client else None
    session_id = app.storage.user.get('session')
    shell = await run.io_bound(panel.load_shell, get_db(), tenant_id=tenant.id, session_id=session_id)
    if shell is None and session_id:
        app.storage.user.pop('session', None)  # an ended session: book as a guest
    customer = shell.customer if shell else None
    settings = shell.settings if shell else await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    choose_for(request, settings, customer)
    ctx = PanelContext(tenant=tenant, customer=customer or _guest(tenant), session_id=session_id or '',
                       settings=settings)
    state = PageState()
    # A customer's saved zone stands; otherwise times read in the visitor's own clock once the browser says where it is.
    learn = None if customer is not None and customer.timezone else _zone_learner(ctx, state)
    with frame(tenant, title=t('Book'), signed_in=customer is not None, index=True, on_timezone=learn,
               description=t('Book an appointment with %(business)s online: pick a service, a day and a time.',
                             business=tenant.name)):
        if customer is not None and session_id:
            session.watch(tenant.id, customer.id, session_id)  # signed out elsewhere: this tab leaves too
        with ui.column().classes('w-full max-w-3xl self-center gap-4'):
            ui.label(t('Book an appointment')).classes('text-h5').props('role=heading aria-level=1')
            package_id = _int(package)
            cp = None
            if package_id is not None:
                cp = await _package(ctx, customer, package_id)
                if cp is None:
                    return
            only = cp.package.service_ids if cp else None
            offered = await run.io_bound(availability.bookable_services, get_db(), tenant_id=tenant.id, only_ids=only)
            if not offered:
                ui.label(t('There is nothing to book online right now. Please contact us.')).props('role=status')
                return
            await _booking_form(ctx, state, customer, offered, _int(service), cp, address)


@ui.page('/book/done')
async def booked_page(request: Request, paid: str = '', canceled: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    session_id = app.storage.user.get('session')
    shell = await run.io_bound(panel.load_shell, get_db(), tenant_id=tenant.id, session_id=session_id)
    settings = shell.settings if shell else await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    choose_for(request, settings, shell.customer if shell else None)
    with frame(tenant, title=t('Booked'), signed_in=shell is not None):
        with ui.column().classes('w-full max-w-3xl self-center gap-4'):
            booked = last_booking()
            if booked is None:
                ui.label(t('There is no booking to show here yet.')).classes('text-h6').props('role=status')
                ui.button(t('Book an appointment'), on_click=lambda: ui.navigate.to('/book')).props(
                    'unelevated no-caps')
                return
            if booked.get('held'):
                held_notice(booked)
                return
            confirmation(booked, paid=bool(paid), canceled=bool(canceled))


async def _booking_form(ctx: PanelContext, state: PageState, customer: d.Customer | None, offered: list[d.Service],
                        preselect: int | None, cp: d.CustomerPackage | None, address: str | None) -> None:
    tenant = ctx.tenant
    by_id = {s.id: s for s in offered}
    form = BookingForm(service=preselect if preselect in by_id else (offered[0].id if len(offered) == 1 else None))
    if customer is not None:
        form.first_name, form.last_name = customer.first_name, customer.last_name
        form.email, form.phone = customer.email, customer.phone
    staff: list[d.Staff] = []
    places: list[d.Location] = []

    def staff_here() -> list[d.Staff]:
        """The service's staff at the chosen location (all of them until one is chosen)."""
        return [x for x in staff if form.location is None or form.location in x.location_ids]

    def query() -> SlotQuery:
        service = by_id[form.service or 0]
        chosen = form.staff if isinstance(form.staff, int) else None
        return SlotQuery(tenant_id=tenant.id, service_id=service.id, staff_id=chosen,
                         staff_ids=(chosen,) if chosen else tuple(s.id for s in staff_here()),
                         group=service.capacity > 1, max_days_ahead=service.max_days_ahead, location_id=form.location)

    async def service_changed() -> None:
        nonlocal staff
        if form.service not in by_id or form.service == state.service:
            return  # the binding and the first paint both announce the preselected service: load it once
        state.service = form.service
        staff = await run.io_bound(availability.staff_for_service, get_db(), tenant_id=tenant.id,
                                   service_id=form.service) or []
        online = by_id[form.service].is_online  # an online visit happens nowhere in particular: nothing to ask
        places[:] = [] if online else await run.io_bound(availability.locations_for_service, get_db(),
                                                         tenant_id=tenant.id, service_id=form.service) or []
        form.location = None  # with one place (or none, online) the staff member's own is taken
        location_select.set_options({p.id: p.name for p in places}, value=form.location)
        location_select.set_visibility(len(places) > 1)
        form.staff = ANY
        show_staff()
        when_card.set_visibility(True)
        if state.picker is None:
            with picker_box:
                state.picker = SlotPicker(query(), tz=ctx.tz, business_tz=ctx.business_tz, now=ctx.now,
                                          on_pick=describe)
            await state.picker.start()
        else:
            await state.picker.set_query(query())

    def show_staff() -> None:
        here = staff_here()
        if form.staff not in [x.id for x in here]:
            form.staff = ANY
        staff_select.set_options({ANY: t('Any staff'), **{x.id: x.name for x in here}}, value=form.staff)
        staff_select.set_visibility(len(here) > 1)

    async def location_changed() -> None:
        if form.service not in by_id or form.service != state.service:
            return
        show_staff()
        await staff_changed()

    async def staff_changed() -> None:
        if state.picker is not None and form.service in by_id and state.picker.query != query():
            await state.picker.set_query(query())

    def describe(slot: Slot | None) -> None:
        error.text = ''
        service = by_id.get(form.service or 0)
        if slot is None or service is None:
            summary.text = t('Pick a date and a time.')
            confirm.disable()
            return
        names = {s.id: s.name for s in staff}
        who = names.get(slot.staff_ids[0], '') if slot.staff_ids else ''
        where = next((p.name for p in places if p.id == form.location), '')
        summary.text = _summary(service.name, who, fmt.when(slot.start, slot.end, ctx.tz, locale=locale()), where)
        confirm.enable()

    async def submit() -> None:
        slot = state.picker.selected if state.picker else None
        service = by_id.get(form.service or 0)
        if slot is None or service is None:
            return
        # The server's rule, asked early: someone who works at several places needs to know which one.
        who = form.staff if isinstance(form.staff, int) else (slot.staff_ids[0] if slot.staff_ids else None)
        works_at = () if service.is_online else next((x.location_ids for x in staff if x.id == who), ())
        problem = why_not_location(works_at, form.location) or (_details_problem(form) if customer is None else None)
        if problem:
            error.text = show(problem)
            return
        confirm.props('loading')
        try:
            done = await _book(ctx, customer, form, service, slot, cp, address)
        finally:
            confirm.props(remove='loading')
        if done.message:
            if done.taken and state.picker is not None:
                await state.picker.refresh(quiet=True)
            error.text = show(done.message)
            return
        ui.navigate.to(done.go)

    with _region(t('Choose a service')):
        ui.label(t('What would you like to book?')).classes('text-subtitle1 text-weight-medium').props(
            'role=heading aria-level=2')
        if cp is not None:
            ui.label(tn('From your package “%(package)s”: %(num)d session left, no charge.',
                        'From your package “%(package)s”: %(num)d sessions left, no charge.', cp.sessions_left,
                        package=cp.package.name)).classes('k-muted').mark('package-note')
        ui.select({s.id: _service_words(s, tenant.currency, cp is not None) for s in offered}, label=t('Service'),
                  on_change=service_changed).bind_value(form, 'service').props('outlined').classes('w-full').mark(
            'book-service')
        location_select = ui.select({}, label=t('Location'), on_change=location_changed).bind_value(
            form, 'location').props('outlined').classes('w-full').mark('book-location')
        location_select.set_visibility(False)
        staff_select = ui.select({ANY: t('Any staff')}, value=ANY, label=t('Staff'),
                                 on_change=staff_changed).bind_value(form, 'staff').props('outlined').classes(
            'w-full').mark('book-staff')
        staff_select.set_visibility(False)
    with _region(t('Date and time')) as when_card:
        ui.label(t('When?')).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
        picker_box = ui.column().classes('w-full')
    when_card.set_visibility(False)
    with _region(t('Your details')):
        ui.label(t('Your details')).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
        if customer is None:
            with ui.row().classes('items-center gap-1 text-body2'):
                ui.label(t('Been here before?')).classes('k-muted')
                ui.link(t('Sign in'), f'/login?next={quote(str(context.client.request.url.path) + _query())}').classes(
                    'text-primary text-weight-medium')
        with ui.row().classes('w-full gap-3 no-wrap'):
            ui.input(t('First name')).bind_value(form, 'first_name').props('outlined autocomplete=given-name').classes(
                'col').mark('book-first-name')
            ui.input(t('Last name')).bind_value(form, 'last_name').props('outlined autocomplete=family-name').classes(
                'col').mark('book-last-name')
        email = ui.input(t('Email')).bind_value(form, 'email').props('outlined type=email autocomplete=email').classes(
            'w-full').mark('book-email')
        if customer is not None:
            email.props('readonly')
            email.props['hint'] = t('You are signed in; change it in your profile.')  # by key: text, never parsed
        ui.input(t('Phone (optional)')).bind_value(form, 'phone').props('outlined type=tel autocomplete=tel').classes(
            'w-full').mark('book-phone')
        ui.textarea(t('Notes for the business (optional)')).bind_value(form, 'notes').props(
            f'outlined autogrow maxlength={rules.NOTES_MAX}').classes('w-full').mark('book-notes')
        summary = ui.label(t('Pick a date and a time.')).classes('text-body1 text-weight-medium').props(
            'aria-live=polite').mark('book-summary')
        error = ui.label().classes('text-negative').props('role=alert').mark('book-error')
        confirm = ui.button(t('Confirm booking'), on_click=submit).props('unelevated no-caps size=lg').classes(
            'w-full').mark('book-confirm')
        confirm.disable()
    if form.service is not None:
        await service_changed()


async def _book(ctx: PanelContext, customer: d.Customer | None, form: BookingForm, service: d.Service, slot: Slot,
                cp: d.CustomerPackage | None, address: str | None) -> Outcome:
    """Book it (a guest's booking is held until their mailbox confirms it); where to go next, or the message."""
    tenant_id, now = ctx.tenant.id, ctx.now()
    staff_id = form.staff if isinstance(form.staff, int) else None
    try:
        if customer is None:
            held = await run.io_bound(booking.hold_for_guest, get_db(), tenant_id=tenant_id, service_id=service.id,
                                      staff_id=staff_id, start=slot.start, first_name=form.first_name or '',
                                      last_name=form.last_name or '', email=form.email or '', phone=form.phone or '',
                                      notes=form.notes or '', now=now, address=address,
                                      location_id=form.location, locale=locale())
            remember_hold(ctx, held, service=service)
            return Outcome(go='/book/done')
        customer = await ctx.act(accounts.ensure_can_book)  # the session is checked right before booking
        appt = await run.io_bound(booking.book, get_db(), tenant_id=tenant_id, customer_id=customer.id,
                                  service_id=service.id, staff_id=staff_id, start=slot.start, now=now,
                                  notes=form.notes.strip(), customer_package_id=cp.id if cp else None,
                                  actor='customer', location_id=form.location)
    except booking.SlotTaken as taken:
        return Outcome(message=show(taken.message), taken=True)
    except (booking.BookingRefused, accounts.AccountError, packages.PackageRefused) as refusal:
        return Outcome(message=show(refusal.message))
    go = await finish_booking(ctx, appt, customer=customer, created=False, package=cp is not None,
                              signed_in=ctx.session_id != '')
    return Outcome(go=go)


async def _package(ctx: PanelContext, customer: d.Customer | None, package_id: int) -> d.CustomerPackage | None:
    """The customer's package to book from, or None after saying why not."""
    if customer is None:
        ui.label(t('Sign in to book a session from your package.')).props('role=status').mark('package-refusal')
        ui.button(t('Sign in'), on_click=lambda: ui.navigate.to(f'/login?next={quote(f"/book?package={package_id}")}')
                  ).props('unelevated no-caps')
        return None
    try:
        return await ctx.act(packages.package_for_booking, customer_package_id=package_id, now=ctx.now())
    except packages.PackageRefused as refusal:
        with ui.row().classes('items-start no-wrap gap-2').props('role=status').mark('package-refusal'):
            ui.icon('info', size='20px').props('aria-hidden=true')
            ui.label(show(refusal.message))
        ui.link(t('Back to my appointments'), '/packages')
        return None


def _service_words(service: d.Service, currency: str, package: bool) -> str:
    price = t('no charge') if package else (fmt.money(service.price, currency, locale=locale()) if service.price
                                            else t('free'))
    return f'{service.name} · {fmt.duration(service.duration, locale=locale())} · {price}'


def _summary(service: str, who: str, when: str, where: str) -> str:
    """What the Confirm button will book, in one sentence."""
    if who and where:
        return t('%(service)s with %(staff)s, %(when)s at %(place)s', service=service, staff=who, when=when,
                 place=where)
    if who:
        return t('%(service)s with %(staff)s, %(when)s', service=service, staff=who, when=when)
    if where:
        return t('%(service)s, %(when)s at %(place)s', service=service, when=when, place=where)
    return t('%(service)s, %(when)s', service=service, when=when)


def _region(name: str) -> ui.card:
    """One step of the form: a card that is a named landmark."""
    card = ui.card().classes('k-card w-full q-pa-md gap-3').props('role=region')
    card.props['aria-label'] = name  # by key: text, never parsed as props
    return card


def _details_problem(form: BookingForm) -> Text | None:
    """The profile's own rules for a guest's details (domain.accounts), the first thing to fix."""
    problems = guest_problems(first_name=form.first_name or '', last_name=form.last_name or '',
                              email=form.email or '', phone=form.phone or '')
    return next(iter(problems.values()), None)


def _guest(tenant: d.Tenant) -> d.Customer:
    """A stand-in for the PanelContext of someone not signed in (their zone is the business's until we learn it)."""
    return d.Customer(id=0, tenant_id=tenant.id, first_name='', last_name='', email='')


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _query() -> str:
    query = str(context.client.request.url.query)
    return f'?{query}' if query else ''


def _zone_learner(ctx: PanelContext, state: PageState) -> Callable[[str], None]:
    """What to do with the time zone the page frame hears from the browser: times read in the visitor's own clock."""
    def learn(zone: str) -> None:
        if zone not in known_timezones():
            return
        ctx.customer = replace(ctx.customer, timezone=zone)
        if state.picker is not None:
            state.picker.set_zone(ZoneInfo(zone))

    return learn
