"""The front desk's customers: /admin/customers (search, pages, a new customer, the CSV of the search),
/admin/customers/{customer_id} (profile, appointments, packages, ratings; edit, sell a package, close the account)
and /admin/ratings (the customers' ratings per staff member and service).

The search runs on the server (services.customer_desk: index ranges, a page at a time); the query and page live in the
address (?q=&page=), so a search can be bookmarked and Back returns to it. Every action is checked again by the
service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from nicegui import ui

from domain import model as d
from domain.customer_desk import PAGE_SIZE, QUERY_MAX, CustomerInput
from domain.i18n import N_, lazy
from services import customer_desk as desk
from services import formatting as fmt
from services.customer_desk import DeskRefused, RatingSummary
from ui.components.admin_form import FieldErrors, form_dialog
from ui.i18n import show, t, tn
from ui.pages.admin.shell import AdminContext, admin_page
from ui.theme import status_badge

PATH = '/admin/customers'
SHOWN_APPOINTMENTS = 100  # newest first; the appointments list (desk) has them all, paged


@dataclass
class CustomerForm:
    first_name: str = ''
    last_name: str = ''
    email: str = ''
    phone: str = ''
    birth_date: str = ''  # YYYY-MM-DD as the date field sends it


@admin_page(PATH, title=N_('Customers'))
async def customers_page(ctx: AdminContext) -> None:
    query = (ctx.request.query_params.get('q') or '')[:QUERY_MAX]
    page = _page_number(ctx.request.query_params.get('page'))
    found = await ctx.act(desk.search, query=query, page=page)

    ui.label(t('Customers')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Find a customer by the start of their name, email or phone.')).classes('k-muted')

    def go(**changed: Any) -> None:
        params = {'q': query, 'page': 0, **changed}
        kept = {k: v for k, v in params.items() if v not in (None, '', 0)}
        ui.navigate.to(PATH + (f'?{urlencode(kept)}' if kept else ''))

    with ui.element('form').classes('row w-full gap-2 items-center no-wrap').props(
            'role=search onsubmit="return false"').mark('customer-search-form'):
        box = ui.input(t('Search customers'), value=query).props(
            f'outlined dense clearable type=search maxlength={QUERY_MAX} autocomplete=off').classes('col').mark(
            'customer-search')
        box.on('keydown.enter', lambda: go(q=(box.value or '').strip()))
        ui.button(t('Search'), icon='search', on_click=lambda: go(q=(box.value or '').strip())).props(
            'unelevated no-caps').mark('customer-search-go')

    with ui.row().classes('w-full gap-2 items-center'):
        ui.button(t('New customer'), icon='person_add', on_click=lambda: new_customer()).props(
            'outline no-caps').mark('customer-new')
        ui.button(t('Export CSV'), icon='download', on_click=lambda: export()).props('outline no-caps').mark(
            'customer-export')
        ui.link(t('Ratings per staff member and service'), '/admin/ratings').classes('q-ml-sm')

    ui.label(tn('%(num)d customer', '%(num)d customers', found.total)).props('role=status').mark('customer-count')
    if not found.customers:
        ui.label(t('No customer matches this search.') if query else t('No customers yet.')).classes(
            'k-muted').mark('customer-empty')
    with ui.element('ul').classes('w-full q-pa-none q-ma-none column no-wrap gap-2').style('list-style: none').mark(
            'customer-list'):
        for customer in found.customers:
            with ui.element('li'):
                _customer_row(customer, ctx)

    pages = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if pages > 1:
        with ui.row().classes('items-center gap-3').mark('customer-pager'):
            previous = ui.button(t('Previous'), icon='chevron_left', on_click=lambda: go(page=page - 1)).props(
                'outline no-caps').mark('customer-previous')
            previous.set_enabled(page > 0)
            ui.label(t('Page %(page)s of %(pages)s', page=page + 1, pages=pages)).mark('customer-page')
            following = ui.button(t('Next'), on_click=lambda: go(page=page + 1)).props(
                'outline no-caps icon-right=chevron_right').mark('customer-next')
            following.set_enabled(page + 1 < pages)

    async def export() -> None:
        text = await ctx.act(desk.customers_csv, query=query)
        ui.download.content(text.encode('utf-8-sig'), 'customers.csv', 'text/csv')

    def new_customer() -> None:
        _customer_dialog(ctx, None)


def _customer_row(customer: d.Customer, ctx: AdminContext) -> None:
    with ui.link(target=f'{PATH}/{customer.id}').classes(
            'k-customer-row row items-center no-wrap gap-3 q-pa-sm w-full').style(
            'color: inherit; text-decoration: none; border: 1px solid rgba(127,127,127,.3); border-radius: 8px'
    ).mark('customer-row'):
        ui.icon('person').props('aria-hidden=true')
        with ui.column().classes('gap-0 col').style('min-width: 0'):
            ui.label(customer.full_name or customer.email).classes('text-weight-medium ellipsis w-full')
            # Wraps on a phone (the desk reads the number), but never inside the number
            phone = customer.phone.replace(' ', '\u00a0')
            ui.label(' · '.join(x for x in (customer.email, phone) if x)).classes(
                'k-muted text-body2 w-full').style('overflow-wrap: anywhere')
        if not customer.active:
            ui.badge(t('Closed'), color='grey-8').mark('customer-closed')


def _customer_dialog(ctx: AdminContext, customer: d.Customer | None) -> None:
    form = CustomerForm() if customer is None else CustomerForm(
        first_name=customer.first_name, last_name=customer.last_name, email=customer.email, phone=customer.phone,
        birth_date=customer.birth_date.isoformat() if customer.birth_date else '')
    title = t('New customer') if customer is None else t('Edit %(name)s', name=customer.full_name or customer.email)
    dialog, body = form_dialog(title, mark='customer-dialog')
    with body:
        errors = FieldErrors()
        with ui.element('div').classes('k-form-grid w-full'):
            errors.field('first_name', ui.input(t('First name')).bind_value(form, 'first_name').props(
                'outlined maxlength=80 autocomplete=off').mark('customer-first-name'))
            errors.field('last_name', ui.input(t('Last name')).bind_value(form, 'last_name').props(
                'outlined maxlength=80 autocomplete=off').mark('customer-last-name'))
        errors.field('email', ui.input(t('Email')).bind_value(form, 'email').props(
            'outlined type=email maxlength=254 autocomplete=off').classes('w-full').mark('customer-email'))
        errors.field('phone', ui.input(t('Phone (optional)')).bind_value(form, 'phone').props(
            'outlined type=tel maxlength=24 autocomplete=off').classes('w-full').mark('customer-phone'))
        if customer is not None:
            errors.field('birth_date', ui.input(t('Date of birth (optional)')).bind_value(form, 'birth_date').props(
                'outlined type=date stack-label').classes('w-full').mark('customer-birth-date'))
        else:
            ui.label(t('They get an email with a link to choose their password.')).classes('k-muted text-body2')

        async def save() -> None:
            value = CustomerInput(first_name=form.first_name or '', last_name=form.last_name or '',
                                  email=form.email or '', phone=form.phone or '')
            try:
                if customer is None:
                    made = await ctx.act(desk.create_customer, value=value, now=ctx.now())
                else:
                    born = _date(form.birth_date)
                    if born is False:
                        errors.show({'birth_date': lazy('Enter a date like 1990-05-31.')})
                        return
                    await ctx.act(desk.update_customer, customer_id=customer.id, value=value,
                                  birth_date=born or None, today=ctx.now().astimezone(ctx.tz).date(), now=ctx.now())
            except DeskRefused as refused:
                errors.show(refused.problems)
                return
            dialog.close()
            if customer is None:
                ui.notify(t('%(name)s is added; the welcome email is on its way.',
                            name=f'{value.first_name} {value.last_name}'.strip()), type='positive')
                ui.navigate.to(f'{PATH}/{made}')
            else:
                ui.notify(t('%(name)s is saved.', name=f'{value.first_name} {value.last_name}'.strip()),
                          type='positive')
                ui.navigate.reload()

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Cancel'), on_click=dialog.close).props('flat no-caps')
            ui.button(t('Save'), on_click=save).props('unelevated no-caps').mark('customer-save')
    dialog.open()


@admin_page(PATH + '/{customer_id}', title=N_('Customer'))
async def customer_page(ctx: AdminContext) -> None:
    customer_id = _page_number(ctx.request.path_params.get('customer_id'))
    try:
        found = await ctx.act(desk.customer_file, customer_id=customer_id)
    except DeskRefused as refused:
        ui.label(t('Customer')).classes('text-h5').props('role=heading aria-level=1')
        ui.label(show(refused.message)).props('role=alert').mark('customer-missing')
        ui.link(t('Back to customers'), PATH)
        return
    customer = found.customer
    currency = ctx.tenant.currency

    ui.link(t('Back to customers'), PATH).mark('customer-back')
    with ui.row().classes('items-center gap-3'):
        ui.label(customer.full_name or customer.email).classes('text-h5').props(
            'role=heading aria-level=1').mark('customer-name')
        if not customer.active:
            ui.badge(t('Closed'), color='grey-8').mark('customer-closed')

    with ui.card().classes('w-full').mark('customer-profile'):
        ui.label(t('Profile')).classes('text-h6').props('role=heading aria-level=2')
        with ui.element('dl').classes('k-customer-facts q-ma-none'):
            for term, value in (
                    (t('Email'), customer.email),
                    (t('Phone'), customer.phone or '—'),
                    (t('Date of birth'), fmt.date(customer.birth_date, locale=ctx.locale)
                     if customer.birth_date else '—'),
                    (t('Customer since'), fmt.date(customer.created_at, ctx.tz, locale=ctx.locale)
                     if customer.created_at else '—'),
                    (t('Email confirmed'), t('Yes') if customer.email_verified else t('No')),
                    (t('Account closed'), fmt.date(customer.deleted_at, ctx.tz, locale=ctx.locale)
                     if customer.deleted_at else t('No'))):
                with ui.element('dt').classes('text-weight-medium'):
                    ui.label(term)
                with ui.element('dd').classes('q-ml-none q-mb-sm'):
                    ui.label(value)
        if customer.active:
            with ui.row().classes('gap-2'):
                ui.button(t('Edit'), icon='edit', on_click=lambda: _customer_dialog(ctx, customer)).props(
                    'outline no-caps').mark('customer-edit')
                ui.button(t('Sell a package'), icon='card_giftcard', on_click=lambda: sell()).props(
                    'outline no-caps').mark('customer-sell')
                ui.button(t('Close the account…'), icon='block', on_click=lambda: close()).props(
                    'outline no-caps color=negative').mark('customer-close')

    with ui.card().classes('w-full').mark('customer-appointments'):
        ui.label(t('Appointments')).classes('text-h6').props('role=heading aria-level=2')
        if not found.appointments:
            ui.label(t('No appointments yet.')).classes('k-muted')
        elif len(found.appointments) > SHOWN_APPOINTMENTS:
            ui.label(t('The newest %(shown)s of %(total)s appointments.', shown=SHOWN_APPOINTMENTS,
                       total=len(found.appointments))).classes('k-muted')
        if found.appointments:
            ui.link(t('All appointments'), f'/admin/appointments?customer={customer.id}').classes(
                'text-body2').mark('customer-all-appointments')
        with ui.element('ul').classes('q-pa-none q-ma-none column no-wrap gap-2').style('list-style: none'):
            for appt in found.appointments[:SHOWN_APPOINTMENTS]:
                with ui.element('li').classes('row items-center gap-3 wrap').mark('customer-appointment'):
                    ui.label(fmt.when(appt.start, appt.end, ctx.tz, locale=ctx.locale)).classes(
                        'text-weight-medium')
                    ui.label(t('%(service)s with %(staff)s', service=appt.service.name, staff=appt.staff.name))
                    status_badge(appt.status, mark='customer-appointment-status')
                    ui.label(fmt.money(appt.price, currency, locale=ctx.locale)).classes('k-muted')

    with ui.card().classes('w-full').mark('customer-packages'):
        ui.label(t('Packages')).classes('text-h6').props('role=heading aria-level=2')
        if not found.packages:
            ui.label(t('No packages.')).classes('k-muted')
        for held in found.packages:
            with ui.row().classes('items-center gap-3 wrap').mark('customer-package'):
                ui.label(held.package.name).classes('text-weight-medium')
                ui.label(tn('%(num)d session left', '%(num)d sessions left', held.sessions_left))
                ui.label(t('Valid until %(date)s', date=fmt.date(held.expires_at, ctx.tz, locale=ctx.locale)))
                ui.badge(t('Paid') if held.paid else t('Not paid yet'),
                         color='positive' if held.paid else 'grey-8').mark('customer-package-paid')

    with ui.card().classes('w-full').mark('customer-ratings'):
        ui.label(t('Their ratings')).classes('text-h6').props('role=heading aria-level=2')
        if not found.staff_ratings:
            ui.label(t('No ratings yet.')).classes('k-muted')
        else:
            _ratings_table(found.staff_ratings, t('Staff member'), mark='customer-staff-ratings', ctx=ctx)
            _ratings_table(found.service_ratings, t('Service'), mark='customer-service-ratings', ctx=ctx)

    async def sell() -> None:
        catalog = await ctx.act(desk.package_catalog)
        dialog, body = form_dialog(t('Sell a package'), mark='sell-dialog')
        with body:
            if not catalog.packages:
                ui.label(t('There are no packages yet.')).classes('k-muted')
                ui.link(t('Add packages'), '/admin/packages')
                dialog.open()
                return
            choice = ui.select({p.id: f'{p.name} · {fmt.money(p.price, currency, locale=ctx.locale)}'
                                for p in catalog.packages}, value=catalog.packages[0].id,
                               label=t('Package')).props('outlined').classes('w-full').mark('sell-package')
            paid = ui.radio({True: t('Paid now at the desk'), False: t('The customer pays in their panel')},
                            value=True).mark('sell-paid')
            paid.props['aria-label'] = t('Payment')

            async def confirm() -> None:
                try:
                    await ctx.act(desk.sell_package, customer_id=customer.id, package_id=int(choice.value),
                                  paid=bool(paid.value), now=ctx.now())
                except DeskRefused as refused:
                    ui.notify(show(refused.message), type='negative')
                    return
                dialog.close()
                ui.notify(t('The package is sold.'), type='positive')
                ui.navigate.reload()

            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(t('Cancel'), on_click=dialog.close).props('flat no-caps')
                ui.button(t('Sell'), on_click=confirm).props('unelevated no-caps').mark('sell-confirm')
        dialog.open()

    def close() -> None:
        dialog, body = form_dialog(t('Close the account…'), mark='close-dialog')
        with body:
            ui.label(t('%(name)s can no longer sign in or book. Upcoming appointments are canceled and the staff '
                       'are told; past appointments stay.', name=customer.full_name or customer.email))

            async def confirm() -> None:
                try:
                    canceled = await ctx.act(desk.close_customer, customer_id=customer.id, now=ctx.now())
                except DeskRefused as refused:
                    ui.notify(show(refused.message), type='negative')
                    return
                dialog.close()
                ui.notify(tn('The account is closed; %(num)d appointment was canceled.',
                             'The account is closed; %(num)d appointments were canceled.', canceled), type='positive')
                ui.navigate.reload()

            with ui.row().classes('w-full justify-end gap-2'):
                ui.button(t('Cancel'), on_click=dialog.close).props('flat no-caps')
                ui.button(t('Close the account'), on_click=confirm).props(
                    'unelevated no-caps color=negative').mark('close-confirm')
        dialog.open()


@admin_page('/admin/ratings', title=N_('Ratings'))
async def ratings_page(ctx: AdminContext) -> None:
    found = await ctx.act(desk.ratings)
    ui.label(t('Ratings')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t("The customers' ratings after their visits, per staff member and per service.")).classes('k-muted')
    ui.link(t('Back to customers'), PATH)
    if not found.staff:
        ui.label(t('No ratings yet.')).classes('k-muted').mark('ratings-empty')
        return
    ui.label(t('Team')).classes('text-h6').props('role=heading aria-level=2')
    _ratings_table(found.staff, t('Staff member'), mark='ratings-staff', ctx=ctx)
    ui.label(t('Services')).classes('text-h6').props('role=heading aria-level=2')
    _ratings_table(found.services, t('Service'), mark='ratings-services', ctx=ctx)


def _ratings_table(rows: list[RatingSummary], who: str, *, mark: str, ctx: AdminContext) -> None:
    columns = [{'name': 'name', 'label': who, 'field': 'name', 'align': 'left'},
               {'name': 'average', 'label': t('Average (out of 5)'), 'field': 'average', 'align': 'right'},
               {'name': 'count', 'label': t('Ratings'), 'field': 'count', 'align': 'right'}]
    table = ui.table(columns=columns, rows=[
        {'id': r.id, 'name': r.name, 'count': fmt.number(r.count, locale=ctx.locale),
         'average': _average(r.average, ctx.locale)} for r in rows], row_key='id').props(
        'flat bordered hide-pagination :rows-per-page-options="[0]"').classes('w-full').mark(mark)
    table.props['aria-label'] = who


def _average(value: float, locale: str) -> str:
    return str(format_decimal(value, format='0.0#', locale=locale.replace('-', '_')))


def _page_number(value: str | None) -> int:
    try:
        found = int(value) if value else 0
    except ValueError:
        return 0
    return found if 0 <= found < 2**31 else 0


def _date(value: str | None) -> date | None | bool:
    """A date typed as YYYY-MM-DD; None when empty, False when unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return False
