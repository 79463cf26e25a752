"""Receipts in the Details drawer: one download per payment received for the appointment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import model as d
from services import formatting as fmt
from services import panel, receipts
from ui.context import PanelContext
from ui.i18n import locale, t


async def render(ctx: PanelContext, appt: d.Appointment, on_changed: Callable[[], Awaitable[None]] | None, *,
                 details: panel.Details | None = None) -> None:
    """The Details drawer's extension hook: nothing when no money was received for this appointment."""
    paid = details.receipts if details is not None else await ctx.act(receipts.customer_receipts,
                                                                      appointment_id=appt.id)
    receipt_list(ctx, paid)


def receipt_list(ctx: PanelContext, paid: list[d.Payment]) -> None:
    if not paid:
        return
    loc = locale()
    ui.label(t('Receipts')).classes('text-subtitle1 text-weight-medium q-mt-md').props('role=heading aria-level=3')
    with ui.column().classes('w-full gap-1').mark('receipts'):
        for payment in paid:
            amount = fmt.money(payment.amount, payment.currency, locale=loc)
            # The receipt's own day and file name (services.receipts), in the zone the receipt is written in.
            when = fmt.date(receipts.paid_at(payment), ctx.tz, locale=loc)
            filename = receipts.receipt_filename(tenant_id=ctx.tenant.id, payment_id=payment.id)
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                ui.icon('receipt_long', size='20px').props('aria-hidden=true')
                ui.label(f'{amount} · {when}').classes('col text-body2')
                download = ui.button(t('Download receipt')).props(
                    f'flat dense no-caps href="/receipts/{payment.id}" download="{filename}"').mark('receipt-download')
                download.props['aria-label'] = t('Download receipt for %(amount)s paid %(date)s', amount=amount,
                                                 date=when)
