"""`/book/confirm?token=...`: the link a guest's booking sends to the address they typed.

Like every link page it acts only after a click on the page (a mail scanner that fetches the link books nothing).
It shows what would be booked and for which address before the button; the click turns the hold into the appointment,
in the account with that email (a new one, with its welcome email, when there is none).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from nicegui import app, run, ui

from domain import model as d
from domain.accounts import masked_email
from services import booking, panel
from services import formatting as fmt
from services.context import get_db
from services.tenants import resolve_tenant
from ui.components.booking_confirmation import finish_booking
from ui.components.slot_picker import zone_words
from ui.context import PanelContext
from ui.i18n import choose_for, locale, show, t
from ui.theme import frame


@ui.page('/book/confirm')
async def confirm_booking_page(request: Request, token: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    settings = await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    ctx = PanelContext(tenant=tenant, customer=d.Customer(id=0, tenant_id=tenant.id, first_name='', last_name='',
                                                          email=''), session_id='', settings=settings)
    choose_for(request, settings)
    with frame(tenant, title=t('Confirm your booking')):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
            ui.label(t('Confirm your booking')).classes('text-h5').props('role=heading aria-level=1')
            try:
                held = await run.io_bound(booking.held_booking, get_db(), tenant_id=tenant.id, token=token,
                                          now=datetime.now(UTC))
            except booking.BookingRefused as refusal:
                ui.label(show(refusal.message)).classes('text-negative').props('role=alert').mark('hold-invalid')
                ui.button(t('Book an appointment'), on_click=lambda: ui.navigate.to('/book')).props(
                    'unelevated no-caps')
                return
            tz = ctx.tz
            ui.label(held.service_name).classes('text-h6').props('role=heading aria-level=2')
            ui.label(t('%(when)s (%(zone)s)', when=fmt.when(held.start, held.end, tz, locale=locale()),
                       zone=zone_words(tz, held.start))).classes('text-body1')
            ui.label(t('For %(name)s · %(email)s', name=f'{held.first_name} {held.last_name}'.strip(),
                       email=masked_email(held.email))).classes(
                'text-body1 text-weight-medium').mark('hold-account')
            error = ui.label('').classes('text-negative').props('role=alert').mark('flow-error')

            async def confirm() -> None:
                error.text = ''
                button.props('loading')
                try:
                    appt, customer, created = await run.io_bound(booking.confirm_hold, get_db(), tenant_id=tenant.id,
                                                                 token=token, now=datetime.now(UTC))
                except booking.SlotTaken as taken:
                    error.text = show(taken.message)
                    return
                except booking.BookingRefused as refusal:
                    error.text = show(refusal.message)
                    return
                finally:
                    button.props(remove='loading')
                signed_in = bool(app.storage.user.get('session'))
                ui.navigate.to(await finish_booking(ctx, appt, customer=customer, created=created, package=False,
                                                    signed_in=signed_in))

            button = ui.button(t('Confirm booking'), on_click=confirm).props('unelevated no-caps size=lg').classes(
                'w-full').mark('hold-confirm')

