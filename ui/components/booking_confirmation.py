"""What the booking page shows once a time is booked: the booked time, how the deposit is paid, the way to the panel.

The booking is remembered in this browser's own storage (`app.storage.user`), so the confirmation survives the trip
to Stripe and back without putting an appointment id in a link anyone could change. It is shown for an hour at most
and signing out forgets it, so the next person at a shared computer does not find it.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import app, run, ui

from domain import model as d
from domain import payments as dp
from domain.rules import offline_instructions
from services import formatting as fmt
from services import payments
from services.booking import HOLD
from services.context import get_db
from ui.components.pay_drawer import return_base
from ui.components.slot_picker import zone_words
from ui.context import PanelContext
from ui.i18n import locale, show, t, tn

KEY = 'last_booking'
SHOWN_FOR = 3600  # seconds: long enough to pay at Stripe and come back
HOLD_MINUTES = int(HOLD.total_seconds() // 60)


def remember_booking(ctx: PanelContext, appt: d.Appointment, *, customer: d.Customer, created: bool, deposit: int,
                     card: bool, instructions: str, signed_in: bool) -> None:
    # Kept as words in the page's language: the confirmation shows them after the trip to Stripe and back.
    tz, business, loc = ctx.tz, ctx.business_tz, locale()
    when = _when(appt.start, appt.end, tz)
    business_when = ''
    if appt.start.astimezone(tz).utcoffset() != appt.start.astimezone(business).utcoffset():
        business_when = _when(appt.start, appt.end, business)
    app.storage.user[KEY] = {
        'service': appt.service.name,
        'when': when,
        'business_when': business_when,
        'staff': appt.staff.name,
        'location': appt.location.name if appt.location else (t('Online') if appt.service.is_online else ''),
        'price': fmt.money(appt.price, ctx.tenant.currency, locale=loc) if appt.price else t('No charge'),
        'deposit': fmt.money(deposit, ctx.tenant.currency, locale=loc) if deposit else '',
        'card': card,
        'instructions': instructions.strip(),
        'email': customer.email,
        'created': created,
        'signed_in': signed_in,
        'at': time.time(),
    }


def remember_hold(ctx: PanelContext, held: d.HeldBooking, *, service: d.Service) -> None:
    """What a guest is told after asking for a booking: the same words for any address (see held_notice)."""
    tz = ctx.tz
    app.storage.user[KEY] = {
        'held': True,
        'at': time.time(),
        'service': service.name,
        'when': _when(held.start, held.end, tz),
        'email': held.email,
        'minutes': HOLD_MINUTES,
    }


def _when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    return t('%(when)s (%(zone)s)', when=fmt.when(start, end, tz, locale=locale()), zone=zone_words(tz, start))


async def finish_booking(ctx: PanelContext, appt: d.Appointment, *, customer: d.Customer, created: bool,
                         package: bool, signed_in: bool) -> str:
    """Remember what was booked for /book/done and return where to go: Stripe's checkout when a deposit is due and
    card payment is set up, else the confirmation."""
    deposit = 0 if package else dp.booking_deposit(appt)
    card = deposit > 0 and payments.card_enabled()
    remember_booking(ctx, appt, customer=customer, created=created, deposit=deposit, card=card,
                     instructions=show(offline_instructions(ctx.settings)), signed_in=signed_in)
    if not card:
        return '/book/done'
    base = return_base()
    try:
        url = await run.io_bound(payments.start_checkout, get_db(), tenant_id=ctx.tenant.id, customer_id=customer.id,
                                  appointment_id=appt.id, amount=deposit, success_url=f'{base}/book/done?paid=1',
                                  cancel_url=f'{base}/book/done?canceled=1', now=ctx.now())
    except payments.PaymentRefused:
        return '/book/done?canceled=1'
    return url or '/book/done?canceled=1'


def held_notice(held: dict[str, Any]) -> None:
    """'Check your email to confirm': the guest's only answer, word for word the same whether or not the address
    has an account (the email itself tells the mailbox owner the rest)."""
    with _region(t('Confirm by email')).mark('booking-held'):
        with ui.row().classes('items-center no-wrap gap-2'):
            ui.icon('mark_email_unread', size='32px', color='primary').props('aria-hidden=true')
            ui.label(t('Check your email to confirm')).classes('text-h5').props('role=heading aria-level=1')
        ui.label(t('%(service)s, %(when)s', service=held['service'], when=held['when'])).classes('text-h6').props(
            'role=heading aria-level=2')
        ui.label(tn('We sent a link to %(email)s. Open it and press "Confirm booking" to book this time. We hold it '
                    'for you for %(num)d minute; if it is not confirmed by then, the time is released.',
                    'We sent a link to %(email)s. Open it and press "Confirm booking" to book this time. We hold it '
                    'for you for %(num)d minutes; if it is not confirmed by then, the time is released.',
                    int(held['minutes']), email=held['email'])).classes('text-body1').props('role=status').mark(
            'held-text')
        ui.button(t('Book another'), on_click=lambda: ui.navigate.to('/book')).props('flat no-caps').mark(
            'book-another')


def last_booking() -> dict[str, Any] | None:
    found = app.storage.user.get(KEY)
    if not isinstance(found, dict) or time.time() - float(found.get('at', 0)) > SHOWN_FOR:
        return None
    return found


def confirmation(booked: dict[str, Any], *, paid: bool = False, canceled: bool = False) -> None:
    with _region(t('Booking confirmed')).mark('booking-confirmed'):
        with ui.row().classes('items-center no-wrap gap-2'):
            ui.icon('event_available', size='32px', color='positive').props('aria-hidden=true')
            ui.label(t('You are booked')).classes('text-h5').props('role=heading aria-level=1')
        ui.label(booked['service']).classes('text-h6').props('role=heading aria-level=2')
        with ui.element('dl').classes('w-full q-ma-none').mark('booking-facts'):
            for term, value in _facts(booked):
                with ui.element('div').classes('row no-wrap q-py-xs').style(
                        'border-bottom: 1px solid rgba(0,0,0,.06)'):
                    with ui.element('dt').classes('col-4 k-muted'):
                        ui.label(term)
                    with ui.element('dd').classes('col q-ma-none text-weight-medium'):
                        ui.label(value)
        _payment_notice(booked, paid=paid, canceled=canceled)
        if booked.get('created'):
            ui.label(t('We have created an account for %(email)s. Check your inbox for a link to set your password; '
                       'then you can see and change this booking online.', email=booked['email'])).classes(
                'text-body2').mark('account-created')
        with ui.row().classes('w-full gap-2 q-mt-sm'):
            target = t('Go to my appointments') if booked.get('signed_in') else t('Sign in to see my appointments')
            ui.button(target, on_click=lambda: ui.navigate.to('/')).props('unelevated no-caps').mark('to-panel')
            ui.button(t('Book another'), on_click=lambda: ui.navigate.to('/book')).props('flat no-caps').mark(
                'book-another')


def _region(name: str) -> ui.card:
    card = ui.card().classes('k-card w-full q-pa-lg gap-3').props('role=region')
    card.props['aria-label'] = name  # by key: text, never parsed as props
    return card


def _facts(booked: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [(t('When'), booked['when'])]
    if booked.get('business_when'):
        rows.append((t('Business time'), booked['business_when']))
    rows.append((t('Staff'), booked['staff']))
    if booked.get('location'):
        rows.append((t('Location'), booked['location']))
    rows.append((t('Price'), booked['price']))
    return rows


def _payment_notice(booked: dict[str, Any], *, paid: bool, canceled: bool) -> None:
    deposit = booked.get('deposit')
    if not deposit:
        return
    if paid:
        text = t('Deposit of %(amount)s received. Thank you! It shows in your panel once Stripe confirms it.',
                 amount=deposit)
        icon = 'check_circle'
    else:
        parts = [t('The card payment was canceled; nothing was charged.')] if canceled else []
        parts += [t('A deposit of %(amount)s is due.', amount=deposit),
                  booked.get('instructions') or t('Please pay at the desk.')]
        text = ' '.join(parts)
        icon = 'storefront'
    with ui.row().classes('w-full items-start no-wrap gap-2 q-pa-sm rounded-borders').style(
            'background: rgba(0,0,0,.04)').props('role=status').mark('deposit-notice'):
        ui.icon(icon, size='20px').props('aria-hidden=true')
        ui.label(text).style('white-space: pre-line')
