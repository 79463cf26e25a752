"""Flagged payments at /admin/payments: money that arrived and was held for a person (after the balance was paid
another way, after a cancellation or a closed account, or for another amount), each with what it was for, why it
was held, and the two ways out: refund it through Stripe, or accept it as the customer's credit."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from domain import desk as dd
from domain.i18n import N_, text_from_data
from domain.payments import PaymentRefused
from domain.rules import NotAllowed
from services import desk_money
from services import formatting as fmt
from ui.i18n import show, t
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/payments'


@admin_page(PATH, title=N_('Flagged payments'))
async def payments_page(ctx: AdminContext) -> None:
    ui.label(t('Flagged payments')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t("Money that arrived but was not credited. Refund it, or keep it as the customer's credit.")).classes(
        'k-muted')
    listing = ui.column().classes('w-full gap-2').mark('flagged-list')

    async def draw() -> None:
        found = await ctx.act(desk_money.flagged_payments)
        listing.clear()
        with listing:
            if not found:
                ui.label(t('Nothing to look at: no payment is waiting.')).classes('k-muted').mark('flagged-empty')
            for item in found:
                _card(ctx, item, on_refund=refund, on_accept=accept)

    async def refund(item: dd.FlaggedPayment) -> None:
        try:
            await ctx.act(desk_money.refund, payment_id=item.payment_id, now=ctx.now())
        except (NotAllowed, PaymentRefused) as refused:
            ui.notify(show(refused.message), type='negative')
            return
        ui.notify(t('%(amount)s is refunded.', amount=_money(ctx, item)), type='positive')
        await draw()

    async def accept(item: dd.FlaggedPayment) -> None:
        try:
            await ctx.act(desk_money.accept, payment_id=item.payment_id, now=ctx.now())
        except NotAllowed as refused:
            ui.notify(show(refused.message), type='negative')
            return
        ui.notify(t('%(amount)s is kept as credit.', amount=_money(ctx, item)), type='positive')
        await draw()

    await draw()


def _money(ctx: AdminContext, item: dd.FlaggedPayment) -> str:
    return fmt.money(item.amount, item.currency, locale=ctx.locale)


def _card(ctx: AdminContext, item: dd.FlaggedPayment, *, on_refund: Any, on_accept: Any) -> None:
    amount = _money(ctx, item)
    who = item.customer_name or item.customer_email
    with ui.card().classes('k-card w-full q-pa-md').mark(f'flagged-{item.payment_id}') as card:
        card.props['aria-label'] = t('%(amount)s from %(name)s', amount=amount, name=who)
        with ui.row().classes('w-full items-center gap-2'):
            ui.label(t('%(amount)s from %(name)s', amount=amount, name=who)).classes(
                'text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
            ui.space()
            ui.label(fmt.date_time(item.created_at, ctx.tz, locale=ctx.locale)).classes('k-muted text-body2')
        if item.appointment_id is not None and item.start is not None:
            link = ui.link(t('%(service)s on %(when)s', service=item.service_name,
                             when=fmt.date_time(item.start, ctx.tz, locale=ctx.locale)),
                           f'/admin/appointments?open={item.appointment_id}').classes('text-body2')
            link.props['aria-label'] = t('Open the appointment: %(service)s on %(when)s', service=item.service_name,
                                         when=fmt.date_time(item.start, ctx.tz, locale=ctx.locale))
        else:
            ui.label(t('For a package')).classes('text-body2')
        if item.note:
            ui.label(show(text_from_data(item.note))).classes('text-body2')
        with ui.row().classes('w-full justify-end gap-2'):
            if item.method == 'card':
                refund = ui.button(t('Refund'), on_click=lambda: on_refund(item)).props('unelevated no-caps').mark(
                    f'flagged-refund-{item.payment_id}')
                refund.props['aria-label'] = t('Refund %(amount)s to %(name)s', amount=amount, name=who)
            keep = ui.button(t('Keep as credit'), on_click=lambda: on_accept(item)).props('outline no-caps').mark(
                f'flagged-accept-{item.payment_id}')
            keep.props['aria-label'] = t('Keep %(amount)s from %(name)s as credit', amount=amount, name=who)
