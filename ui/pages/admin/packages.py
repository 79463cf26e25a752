"""The package catalog at /admin/packages: what a package holds (services, sessions), its price and how long it is
valid; create and edit. A package is sold from a customer's page (/admin/customers/{id}).

Every field is checked again on the server (services.customer_desk asks domain.customer_desk); a refusal's reasons
are drawn under their fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from nicegui import ui

from domain import model as d
from domain.customer_desk import PackageInput
from domain.i18n import N_
from services import customer_desk as desk
from services import formatting as fmt
from services.customer_desk import DeskRefused
from ui.components.admin_form import (
    FieldErrors,
    form_dialog,
    major_units,
    minor_units,
    save_buttons,
    save_from_dialog,
    whole,
)
from ui.i18n import t, tn
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/packages'


@dataclass
class PackageForm:
    name: str = ''
    sessions: float | None = 5
    price: float | None = 0
    validity_days: float | None = 180
    service_ids: list[int] = field(default_factory=list)


@admin_page(PATH, title=N_('Packages'))
async def packages_page(ctx: AdminContext) -> None:
    currency = ctx.tenant.currency
    ui.label(t('Packages')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Sessions sold together: which services they cover, how many, the price and how long they last. '
               "Sell one from a customer's page.")).classes('k-muted')
    ui.button(t('New package'), icon='add', on_click=lambda: edit(None)).props('unelevated no-caps').mark(
        'package-new')
    listing = ui.column().classes('w-full gap-2').mark('package-list')
    services: dict[int, str] = {}

    async def draw() -> None:
        found = await ctx.act(desk.package_catalog)
        services.clear()
        services.update({s.id: s.name if s.active else t('%(name)s (archived)', name=s.name)
                         for s in found.services})
        listing.clear()
        with listing:
            if not found.packages:
                ui.label(t('No packages yet. Add the first one.')).classes('k-muted').mark('package-empty')
            for package in found.packages:
                with ui.card().classes('w-full').mark('package-card'):
                    with ui.row().classes('w-full items-center no-wrap gap-2'):
                        with ui.column().classes('col gap-1').style('min-width: 0'):
                            ui.label(package.name).classes('text-subtitle1 text-weight-medium').props(
                                'role=heading aria-level=2')
                            ui.label(' · '.join((
                                tn('%(num)d session', '%(num)d sessions', package.sessions),
                                fmt.money(package.price, currency, locale=ctx.locale),
                                tn('valid %(num)d day', 'valid %(num)d days', package.validity_days)))).classes(
                                'text-body2')
                            ui.label(', '.join(services.get(i, '?') for i in package.service_ids)).classes(
                                'k-muted text-body2')
                        button = ui.button(icon='edit', on_click=partial(edit, package)).props(
                            'flat round').mark('package-edit')
                        button.props['aria-label'] = t('Edit %(name)s', name=package.name)

    def edit(package: d.Package | None) -> None:
        form = PackageForm() if package is None else PackageForm(
            name=package.name, sessions=package.sessions, price=major_units(package.price, currency),
            validity_days=package.validity_days, service_ids=list(package.service_ids))
        title = t('New package') if package is None else t('Edit %(name)s', name=package.name)
        dialog, body = form_dialog(title, mark='package-dialog')
        with body:
            errors = FieldErrors()
            errors.field('name', ui.input(t('Name')).bind_value(form, 'name').props('outlined maxlength=80').classes(
                'w-full').mark('package-name'))
            with ui.element('div').classes('k-form-grid w-full'):
                errors.field('sessions', ui.number(t('Sessions'), min=1, step=1).bind_value(form, 'sessions').props(
                    'outlined').mark('package-sessions'))
                errors.field('price', ui.number(t('Price (%(currency)s)', currency=currency), min=0,
                                                step=10 ** -fmt.minor_unit_digits(currency)).bind_value(
                    form, 'price').props('outlined').mark('package-price'))
                errors.field('validity_days', ui.number(t('Valid for (days)'), min=1, step=1).bind_value(
                    form, 'validity_days').props('outlined').mark('package-validity'))
            errors.field('service_ids', ui.select(dict(services), multiple=True, label=t('Services')).bind_value(
                form, 'service_ids').props('outlined use-chips').classes('w-full').mark('package-services'))

            async def save() -> None:
                value = PackageInput(name=form.name or '', sessions=whole(form.sessions),
                                     price=minor_units(form.price, currency), validity_days=whole(form.validity_days),
                                     service_ids=tuple(form.service_ids or ()))
                saving = ctx.act(desk.save_package, value=value, package_id=None if package is None else package.id,
                                 now=ctx.now())
                await save_from_dialog(dialog, errors, saving, name=value.name, refused=DeskRefused, then=draw)

            save_buttons(dialog, on_save=save, mark='package-save')
        dialog.open()

    await draw()
