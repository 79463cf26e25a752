"""The business's services at /admin/services: list, create, edit, archive and bring back.

Every field is checked again on the server (services.catalog asks domain.catalog); a refusal's reasons come back per
field and are drawn under their fields. Archived services stay listed, after the active ones and marked, with their
history intact.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from nicegui import ui

from domain import model as d
from domain.catalog import ServiceInput
from domain.i18n import N_
from domain.web import safe_color
from services import catalog
from services import formatting as fmt
from services.catalog import CatalogRefused
from ui.components.admin_form import (
    FieldErrors,
    form_dialog,
    major_units,
    minor_units,
    save_buttons,
    save_from_dialog,
    whole,
)
from ui.i18n import show, t, tn
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/services'
Handler = Callable[[], Awaitable[None] | None]


@dataclass
class ServiceForm:
    """The form's values as typed: minutes, the price and deposit in the currency's main unit."""

    name: str = ''
    category: str = ''
    duration_min: float | None = 60
    price: float | None = 0
    deposit: float | None = 0
    buffer_before_min: float | None = 0
    buffer_after_min: float | None = 0
    capacity: float | None = 1
    slot_step_min: float | None = 15
    min_notice_min: float | None = 60
    max_days_ahead: float | None = 60
    meeting_url: str = ''
    color: str = '#6366f1'
    staff_ids: list[int] = field(default_factory=list)


@admin_page(PATH, title=N_('Services'))
async def services_page(ctx: AdminContext) -> None:
    currency = ctx.tenant.currency

    ui.label(t('Services')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('What customers can book: length, price, seats and who offers it.')).classes('k-muted')
    ui.button(t('New service'), icon='add', on_click=lambda: edit(None)).props('unelevated no-caps').mark(
        'service-new')
    listing = ui.column().classes('w-full gap-2').mark('service-list')

    state: dict[str, dict[int, Any]] = {'staff': {}, 'offered': {}}

    async def draw() -> None:
        found = await ctx.act(catalog.catalog)
        offered_by: dict[int, list[str]] = {}
        for person in found.staff:
            for service_id in person.service_ids:
                offered_by.setdefault(service_id, []).append(person.name)
        listing.clear()
        with listing:
            if not found.services:
                ui.label(t('No services yet. Add the first one.')).classes('k-muted').mark('service-empty')
            for svc in found.services:
                _service_card(svc, currency=currency, locale=ctx.locale, staff=offered_by.get(svc.id, []),
                              on_edit=partial(edit, svc), on_archive=partial(archive, svc))
        state['staff'] = {p.id: p.name if p.active else t('%(name)s (archived)', name=p.name) for p in found.staff}
        state['offered'] = {svc.id: [p.id for p in found.staff if svc.id in p.service_ids] for svc in found.services}

    async def archive(svc: d.Service) -> None:
        try:
            await ctx.act(catalog.set_archived, kind='service', row_id=svc.id, archived=svc.active, now=ctx.now())
        except CatalogRefused as refused:
            ui.notify(show(refused.message), type='negative')
            return
        ui.notify(t('%(name)s is archived.', name=svc.name) if svc.active else
                  t('%(name)s can be booked again.', name=svc.name), type='positive')
        await draw()

    def edit(svc: d.Service | None) -> None:
        form = ServiceForm() if svc is None else _form_of(svc, currency, state['offered'].get(svc.id, []))
        title = t('New service') if svc is None else t('Edit %(name)s', name=svc.name)
        dialog, body = form_dialog(title, mark='service-dialog')
        with body:
            errors = FieldErrors()
            _fields(form, errors, currency=currency, staff=state['staff'])

            async def save() -> None:
                value = ServiceInput(
                    name=form.name, category=form.category, duration_min=whole(form.duration_min),
                    price=minor_units(form.price, currency), deposit=minor_units(form.deposit, currency),
                    buffer_before_min=whole(form.buffer_before_min), buffer_after_min=whole(form.buffer_after_min),
                    capacity=whole(form.capacity), slot_step_min=whole(form.slot_step_min),
                    min_notice_min=whole(form.min_notice_min), max_days_ahead=whole(form.max_days_ahead),
                    meeting_url=form.meeting_url, color=form.color, staff_ids=tuple(form.staff_ids))
                saving = ctx.act(catalog.save_service, value=value, service_id=None if svc is None else svc.id,
                                 now=ctx.now())
                await save_from_dialog(dialog, errors, saving, name=value.name, refused=CatalogRefused, then=draw)

            save_buttons(dialog, on_save=save, mark='service-save')
        dialog.open()

    await draw()


def _fields(form: ServiceForm, errors: FieldErrors, *, currency: str, staff: dict[int, str]) -> None:
    money_step = 10 ** -fmt.minor_unit_digits(currency)
    errors.field('name', ui.input(t('Name')).bind_value(form, 'name').props('outlined maxlength=80').classes(
        'w-full').mark('service-name'))
    errors.field('category', ui.input(t('Category (optional)')).bind_value(form, 'category').props(
        'outlined maxlength=60').classes('w-full').mark('service-category'))
    with ui.element('div').classes('k-form-grid w-full'):
        _number(errors, form, 'duration_min', t('Duration (minutes)'), 'service-duration')
        _number(errors, form, 'price', t('Price (%(currency)s)', currency=currency), 'service-price', step=money_step)
        _number(errors, form, 'deposit', t('Deposit (%(currency)s)', currency=currency), 'service-deposit',
                step=money_step)
        _number(errors, form, 'capacity', t('Seats per time'), 'service-capacity')
        _number(errors, form, 'buffer_before_min', t('Buffer before (minutes)'), 'service-buffer-before')
        _number(errors, form, 'buffer_after_min', t('Buffer after (minutes)'), 'service-buffer-after')
        _number(errors, form, 'slot_step_min', t('A time every (minutes)'), 'service-step')
        _number(errors, form, 'min_notice_min', t('Minimum notice (minutes)'), 'service-notice')
        _number(errors, form, 'max_days_ahead', t('Bookable up to (days ahead)'), 'service-days-ahead')
    errors.field('meeting_url', ui.input(t('Meeting link (online services)')).bind_value(form, 'meeting_url').props(
        'outlined type=url maxlength=2000').classes('w-full').mark('service-meeting'))
    errors.field('color', ui.input(t('Colour')).bind_value(form, 'color').props('outlined maxlength=9').classes(
        'w-full').mark('service-color'))
    errors.field('staff_ids', ui.select(staff, multiple=True, label=t('Offered by')).bind_value(
        form, 'staff_ids').props('outlined use-chips').classes('w-full').mark('service-staff'))


def _number(errors: FieldErrors, form: ServiceForm, key: str, label: str, mark: str, *, step: float = 1) -> None:
    errors.field(key, ui.number(label, step=step, min=0).bind_value(form, key).props('outlined').mark(mark))


def _form_of(svc: d.Service, currency: str, staff_ids: list[int]) -> ServiceForm:
    return ServiceForm(
        name=svc.name, category=svc.category, duration_min=_minutes(svc.duration),
        price=major_units(svc.price, currency), deposit=major_units(svc.deposit, currency),
        buffer_before_min=_minutes(svc.buffer_before), buffer_after_min=_minutes(svc.buffer_after),
        capacity=svc.capacity, slot_step_min=_minutes(svc.slot_step), min_notice_min=_minutes(svc.min_notice),
        max_days_ahead=svc.max_days_ahead, meeting_url=svc.meeting_url or '', color=svc.color,
        staff_ids=list(staff_ids))


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _service_card(svc: d.Service, *, currency: str, locale: str, staff: list[str], on_edit: Handler,
                  on_archive: Handler) -> None:
    with ui.card().classes('k-card w-full q-pa-md').mark(f'service-{svc.id}') as card:
        card.props['aria-label'] = svc.name
        with ui.row().classes('w-full items-center gap-2'):
            ui.element('span').classes('inline-block rounded-full').style(
                f'width: 12px; height: 12px; background: {safe_color(svc.color) or "#6366f1"}').props(
                'aria-hidden=true')
            ui.label(svc.name).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
            if svc.category:
                ui.label(svc.category).classes('k-muted text-body2')
            if not svc.active:
                ui.badge(t('Archived'), color='grey-7').mark('service-archived')
            ui.space()
            edit = ui.button(t('Edit'), on_click=on_edit).props('outline no-caps dense').mark(f'service-edit-{svc.id}')
            edit.props['aria-label'] = t('Edit %(name)s', name=svc.name)
            label = t('Archive') if svc.active else t('Bring back')
            toggle = ui.button(label, on_click=on_archive).props('flat no-caps dense').mark(f'service-archive-{svc.id}')
            toggle.props['aria-label'] = (t('Archive %(name)s', name=svc.name) if svc.active
                                          else t('Bring back %(name)s', name=svc.name))
        minutes = _minutes(svc.duration)
        facts = [tn('%(num)d minute', '%(num)d minutes', minutes), fmt.money(svc.price, currency, locale=locale)]
        if svc.deposit:
            facts.append(t('deposit %(amount)s', amount=fmt.money(svc.deposit, currency, locale=locale)))
        if svc.capacity > 1:
            facts.append(tn('%(num)d seat', '%(num)d seats', svc.capacity))
        if svc.is_online:
            facts.append(t('online'))
        ui.label(' · '.join(facts)).classes('text-body2')
        ui.label(t('Offered by %(names)s', names=', '.join(staff)) if staff else t('Nobody offers it yet.')).classes(
            'k-muted text-body2')
