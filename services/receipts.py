"""Receipts: one per payment received, for the customer it belongs to only, as a small self-contained HTML page in
the customer's language (their saved choice, else the business's default); and the email that confirms a payment to
the customer with its receipt attached."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain import model as d
from domain import payments as dp
from domain.i18n import SOURCE_LOCALE, Said, lazy, lazy_plural
from services import emails, i18n, mail
from services import formatting as fmt
from services.config import public_link
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import packages as package_db
from storage import payments as payment_db
from storage import tenants as tenant_db
from storage.db import Database

log = logging.getLogger(__name__)

class ReceiptNotFound(Exception):
    """No receipt for this customer: the payment is someone else's, or no money was received for it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    number: str
    business: str
    customer_name: str
    customer_email: str
    paid_at: datetime
    timezone: str
    item: Said
    amount: int
    currency: str
    method: Said
    reference: str
    locale: str = SOURCE_LOCALE  # the customer's language: the receipt's words, dates and money read in it

    @property
    def filename(self) -> str:
        return f'receipt-{self.number}.html'


def receipt_number(*, tenant_id: int, payment_id: int) -> str:
    """A receipt's number: the business and the payment, '3-000042'."""
    return f'{tenant_id}-{payment_id:06d}'


def receipt_filename(*, tenant_id: int, payment_id: int) -> str:
    """The receipt's file name, the same in the Details list's download link and on the download itself."""
    return f'receipt-{receipt_number(tenant_id=tenant_id, payment_id=payment_id)}.html'


def paid_at(payment: d.Payment) -> datetime:
    """When a receipt says the money arrived: when the payment settled (older rows: when it started)."""
    return payment.settled_at or payment.created_at


def customer_receipts(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int | None = None,
                      customer_package_id: int | None = None) -> list[d.Payment]:
    """The customer's payments that have a receipt (money received), oldest first."""
    with db.read() as s:
        found = payment_db.customer_payments(s, tenant_id=tenant_id, customer_id=customer_id,
                                             appointment_id=appointment_id,
                                             customer_package_id=customer_package_id)
    return [p for p in found if p.state == d.PaymentState.SUCCEEDED]


def receipt(db: Database, *, tenant_id: int, customer_id: int, payment_id: int) -> Receipt:
    """The receipt of one of the customer's received payments; ReceiptNotFound for anything else."""
    with db.read() as s:
        return _receipt(s, tenant_id=tenant_id, customer_id=customer_id, payment_id=payment_id)


def _receipt(s: Session, *, tenant_id: int, customer_id: int, payment_id: int) -> Receipt:
    payment = payment_db.customer_payment(s, tenant_id=tenant_id, customer_id=customer_id, payment_id=payment_id)
    if payment is None or payment.state != d.PaymentState.SUCCEEDED:
        raise ReceiptNotFound()
    customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
    assert customer is not None
    # The customer's own zone (else the business's): the one their panel and their emails use, so the receipt, its
    # email and the Details list name the same day.
    tz = customer.timezone or tenant_db.tenant_timezone(s, tenant_id=tenant_id)
    locale = i18n.choose_locale(customer.language, None,
                                tenant_db.panel_settings(s, tenant_id=tenant_id).default_language)
    item = _item(s, tenant_id=tenant_id, customer_id=customer_id, payment=payment, tz=tz, locale=locale)
    business = tenant_db.tenant_name(s, tenant_id=tenant_id)
    return Receipt(number=receipt_number(tenant_id=tenant_id, payment_id=payment.id), business=business,
                   customer_name=customer.full_name, customer_email=customer.email, paid_at=paid_at(payment),
                   timezone=tz, item=item, amount=payment.amount, currency=payment.currency,
                   method=dp.method_label(payment.method), reference=payment.provider_ref, locale=locale)


def _item(s: Session, *, tenant_id: int, customer_id: int, payment: d.Payment, tz: str, locale: str) -> Said:
    """What a payment was for, in words: the appointment (service, staff, when) or the package."""
    if payment.appointment_id is not None:
        appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                   appointment_id=payment.appointment_id,
                                                   status_list=tenant_db.statuses(s, tenant_id=tenant_id),
                                                   with_history=False)
        assert appt is not None
        return lazy('%(service)s with %(staff)s, %(when)s', service=appt.service.name, staff=appt.staff.name,
                    when=fmt.date_time(appt.start, ZoneInfo(tz), locale=locale))
    cp = package_db.customer_package(s, tenant_id=tenant_id, customer_id=customer_id,
                                     customer_package_id=payment.customer_package_id or 0)
    assert cp is not None
    return lazy_plural('Package: %(name)s (%(num)d session)', 'Package: %(name)s (%(num)d sessions)',
                       cp.package.sessions, name=cp.package.name)


# ---- the payment confirmation email -----------------------------------------------------------------------------


def queue_payment_confirmation(s: Session, *, tenant_id: int, payment_id: int) -> bool:
    """In the transaction that credits a payment (a card payment confirmed by Stripe, or money taken at the desk):
    queue the email that tells the customer their payment arrived, the receipt attached (template payment_received),
    so it commits with the payment. False when there is nobody to tell (no such received payment in this business,
    or the account is closed). A failure to render is logged and never undoes or hides the payment itself."""
    try:
        return _queue_confirmation(s, tenant_id=tenant_id, payment_id=payment_id)
    except Exception:
        log.exception('could not queue the confirmation of payment %s', payment_id)
        return False


def send_payment_confirmation(db: Database, *, tenant_id: int, payment_id: int) -> bool:
    """`queue_payment_confirmation` in a transaction of its own (a payment credited earlier)."""
    with db.write() as s:
        return queue_payment_confirmation(s, tenant_id=tenant_id, payment_id=payment_id)


def _queue_confirmation(s: Session, *, tenant_id: int, payment_id: int) -> bool:
    s.flush()
    payment = payment_db.payment(s, payment_id=payment_id)
    customer_id = payment_db.payment_customer(s, payment=payment) if payment else None
    if customer_id is None:
        return False
    customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None or not customer.active:
        return False
    try:
        found = _receipt(s, tenant_id=tenant_id, customer_id=customer_id, payment_id=payment_id)
    except ReceiptNotFound:
        return False
    business, host = tenant_db.tenant_name_and_host(s, tenant_id=tenant_id)
    loc = found.locale
    subject, text, html = emails.render_for(emails.PAYMENT_RECEIVED.name, {
        'business': business, 'name': customer.first_name or customer.full_name or emails.THERE,
        'amount': fmt.money(found.amount, found.currency, code=True, locale=loc), 'item': found.item,
        'method': found.method, 'number': found.number, 'when': receipt_date(found),
        'link': public_link(f'/receipts/{payment_id}', host, view='1'),
    }, locale=loc, settings=tenant_db.panel_settings(s, tenant_id=tenant_id),
        own=emails.own_wording(s, tenant_id=tenant_id, name=emails.PAYMENT_RECEIVED.name, locale=loc))
    mail.queue(s, tenant_id=tenant_id, template=emails.PAYMENT_RECEIVED.name, to=customer.email, subject=subject,
               text=text, html=html, attachments=((found.filename, receipt_html(found).encode('utf-8'), 'text/html'),))
    return True


def queue_refund_notice(s: Session, *, tenant_id: int, payment_id: int, now: datetime) -> bool:
    """In the transaction that records a refund: queue the email that tells the customer, in their language, what
    was refunded, for which appointment or package, and when to expect the money (template payment_refunded). False
    when there is nobody to tell (a closed account)."""
    s.flush()
    payment = payment_db.payment(s, payment_id=payment_id)
    customer_id = payment_db.payment_customer(s, payment=payment) if payment else None
    customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id) if customer_id else None
    if payment is None or customer is None or not customer.active:
        return False
    settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    tz = customer.timezone or tenant_db.tenant_timezone(s, tenant_id=tenant_id)
    loc = emails.recipient_locale(saved=customer.language, business_default=settings.default_language)
    business, host = tenant_db.tenant_name_and_host(s, tenant_id=tenant_id)
    name = emails.PAYMENT_REFUNDED.name
    subject, text, html = emails.render_for(name, {
        'business': business, 'name': customer.first_name or customer.full_name or emails.THERE,
        'amount': fmt.money(payment.amount, payment.currency, code=True, locale=loc),
        'item': _item(s, tenant_id=tenant_id, customer_id=customer.id, payment=payment, tz=tz, locale=loc),
        'paid_when': fmt.date_time(paid_at(payment), ZoneInfo(tz), style='long_date', locale=loc),
        'when': fmt.date_time(now, ZoneInfo(tz), style='long_date', locale=loc),
        'link': public_link('/', host),
    }, locale=loc, settings=settings, own=emails.own_wording(s, tenant_id=tenant_id, name=name, locale=loc))
    mail.queue(s, tenant_id=tenant_id, template=name, to=customer.email, subject=subject, text=text, html=html)
    return True


def receipt_date(r: Receipt) -> str:
    """'23 November 2026, 13:20 (Europe/Berlin)': the receipt's date, on the receipt and in its email."""
    return f'{fmt.date_time(r.paid_at, ZoneInfo(r.timezone), style="long_date", locale=r.locale)} ({r.timezone})'


def receipt_html(r: Receipt) -> str:
    """A tidy, printable page with nothing to load from elsewhere, in the customer's language."""
    e = html.escape

    def say(text: Said) -> str:
        return i18n.render(text, locale=r.locale)

    rows = [(lazy('Receipt number'), r.number), (lazy('Date'), receipt_date(r)),
            (lazy('Billed to'), f'{r.customer_name} <{r.customer_email}>' if r.customer_name else r.customer_email),
            (lazy('For'), say(r.item)), (lazy('Paid by'), say(r.method))]
    if r.reference:
        rows.append((lazy('Reference'), r.reference))
    body = '\n'.join(f'<tr><th scope="row">{e(say(k))}</th><td>{e(v)}</td></tr>' for k, v in rows)
    lang, direction = r.locale.replace('_', '-'), 'rtl' if i18n.is_rtl(r.locale) else 'ltr'
    title = e(say(lazy('Receipt %(number)s', number=r.number)))
    receipt_word = e(say(lazy('Receipt')))
    paid = e(say(lazy('Amount paid: %(amount)s', amount=fmt.money(r.amount, r.currency, code=True, locale=r.locale))))
    thanks = e(say(lazy('Thank you. Keep this receipt for your records.')))
    return f'''<!doctype html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {e(r.business)}</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; color: #1f2937; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ font-size: 1.4rem; margin: 0 0 .25rem; }} .muted {{ color: #6b7280; }}
table {{ width: 100%; border-collapse: collapse; margin: 1.5rem 0; }}
th, td {{ text-align: start; padding: .5rem 0; border-bottom: 1px solid #e5e7eb; vertical-align: top; }}
th {{ width: 40%; font-weight: 500; color: #6b7280; }}
.total {{ font-size: 1.3rem; font-weight: 600; }}
</style></head>
<body>
<h1>{e(r.business)}</h1>
<p class="muted">{receipt_word}</p>
<table>
{body}
</table>
<p class="total">{paid}</p>
<p class="muted">{thanks}</p>
</body></html>
'''
