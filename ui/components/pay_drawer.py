"""The Pay drawer: the amount due and the business's ways to pay: card through Stripe's hosted Checkout, or in person.

The balance is never changed from here: it moves when Stripe's signed webhook arrives (services.payments).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from nicegui import context, ui

from domain import model as d
from domain import payments as dp
from domain import rules
from domain.i18n import N_
from services import formatting as fmt
from services import payments
from services.config import get_config
from ui.components.drawer import drawer, own_appointment
from ui.components.words import say
from ui.context import PanelContext
from ui.i18n import locale, t
from ui.i18n import show as show_text

PAID_NOTICE = N_('Payment received — your balance updates as soon as Stripe confirms it.')
CANCELED_NOTICE = N_('Payment canceled — nothing was charged. You can pay whenever you like.')


@dataclass
class PayForm:
    method: str | None = None


async def open_pay_drawer(ctx: PanelContext, appointment_id: int,
                          on_changed: Callable[[], Awaitable[None]] | None = None) -> None:
    appt = await own_appointment(ctx, appointment_id)
    if appt is None:
        return
    reason = rules.why_not_pay(appt, ctx.settings)
    options = None
    if reason is None:
        try:
            options = await ctx.act(payments.payment_options, appointment_id=appt.id)
        except payments.PaymentRefused as refused:
            reason = refused.message
    with drawer(t('Pay'), mark='pay-drawer') as pay_drawer:
        _summary(ctx, appt)
        if reason or options is None:
            _notice(say(reason or dp.NOTHING_DUE), 'pay-refusal')
            ui.button(t('Close'), on_click=pay_drawer.close).props('flat no-caps').mark('pay-close')
        else:
            async def checkout() -> str:
                base = return_base()
                return await ctx.act(payments.start_checkout, appointment_id=appt.id,
                                     success_url=f'{base}/?paid={appt.id}',
                                     cancel_url=f'{base}/?canceled={appt.id}', now=ctx.now())

            payment_choices(options, checkout, pay_drawer.close)
    pay_drawer.open()


def payment_choices(options: payments.PaymentOptions, checkout: Callable[[], Awaitable[str]],
                    close: Callable[[], object]) -> None:
    """The amount due, a choice of method, and what each method does next. Shared with the Packages view."""
    amount = fmt.money(options.amount_due, options.currency, locale=locale())
    with ui.column().classes('w-full gap-0 q-pa-md rounded-borders').style(
            'background: rgba(127,127,127,.10)').mark('pay-amount'):
        ui.label(t('Amount due')).classes('text-body2 k-muted')
        ui.label(amount).classes('text-h5 text-weight-bold')
    if not options.methods:
        _notice(t('Online payment is not available. Please contact the business to pay.'), 'pay-refusal')
        return
    form = PayForm(method=options.methods[0].key)
    by_key = {m.key: m for m in options.methods}
    ui.label(t('How would you like to pay?')).classes('text-body2 text-weight-medium q-mt-sm').props(
        'id=pay-method-label')
    ui.radio({m.key: say(m.label) for m in options.methods}, value=form.method,
             on_change=lambda: show()).bind_value(form, 'method').props(
        'aria-labelledby=pay-method-label').mark('pay-method')
    card_box = ui.column().classes('w-full gap-2')
    with card_box:
        ui.label(t("You will be taken to Stripe's secure checkout and brought back here afterwards.")).classes(
            'text-body2 k-muted')
        error = ui.label().classes('text-negative text-body2').props('role=alert').mark('pay-error')
        pay = ui.button(t('Pay %(amount)s by card', amount=amount), icon='lock').props(
            'unelevated no-caps').classes('w-full').mark('pay-card')
    offline_box = ui.column().classes('w-full gap-2')
    with offline_box:
        offline = by_key.get(dp.OFFLINE)
        how = ui.row().classes('items-start no-wrap gap-2 q-pa-sm rounded-borders k-notice').props(
            'role=note').mark('pay-instructions')
        how.props['aria-label'] = t('How to pay in person')
        with how:
            ui.icon('storefront', size='20px').props('aria-hidden=true')
            ui.label(show_text(offline.instructions) if offline else '').style('white-space: pre-line')
        ui.button(t('Done'), on_click=close).props('flat no-caps').mark('pay-done')

    async def go() -> None:
        pay.disable()
        error.text = ''
        try:
            url = await checkout()
        except payments.PaymentRefused as refused:
            error.text = show_text(refused.message)
            pay.enable()
            return
        ui.navigate.to(url)

    pay.on_click(go)

    def show() -> None:
        card_box.set_visibility(form.method == dp.CARD)
        offline_box.set_visibility(form.method == dp.OFFLINE)

    show()


def return_base() -> str:
    """Where Stripe sends the customer back: the configured public address; in multi-tenant mode the same scheme on
    the host the customer is using (each business has its own)."""
    cfg = get_config()
    base = cfg.public_url.rstrip('/')
    if cfg.multi_tenant:
        host = context.client.request.headers.get('host')
        if host:
            base = f'{urlsplit(base).scheme or "https"}://{host}'
    return base


def return_notice(params: Mapping[str, str]) -> None:
    """The panel's banner after coming back from Stripe (?paid=<id> or ?canceled=<id>)."""
    if 'paid' in params:
        _notice(t(PAID_NOTICE), 'payment-notice', icon='check_circle')
    elif 'canceled' in params:
        _notice(t(CANCELED_NOTICE), 'payment-notice', icon='info')


def _summary(ctx: PanelContext, appt: d.Appointment) -> None:
    with ui.column().classes('w-full gap-1'):
        ui.label(appt.service.name).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=3')
        loc = locale()
        ui.label(fmt.when(appt.start, appt.end, ctx.tz, locale=loc)).classes('text-body2')
        paid = fmt.money(appt.amount_paid, ctx.tenant.currency, locale=loc)
        price = fmt.money(appt.price, ctx.tenant.currency, locale=loc)
        ui.label(t('Price %(price)s · paid so far %(paid)s', price=price, paid=paid)).classes('text-body2 k-muted')


def _notice(text: str, mark: str, icon: str = 'info') -> None:
    with ui.row().classes('w-full items-start no-wrap gap-2 q-pa-sm rounded-borders k-notice').style(
            'background: rgba(0,0,0,.04)').props('role=status').mark(mark):
        ui.icon(icon, size='20px').props('aria-hidden=true')
        ui.label(text)
