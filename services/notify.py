"""Emails about a changed appointment, to the customer and to the staff member, each with a calendar file.

`queue_change` renders them and writes them to the email outbox inside the transaction that makes the change, so
they leave after it commits (and only then), and leave even when the process dies before the sender got to them.
The emails are services.emails' appointment_booked, appointment_rescheduled and appointment_status, each in its
reader's language: the customer's own (else the business's default), the business's for staff.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain.i18n import Said, label, overrides_from_settings
from services import calendar, emails, mail
from services import formatting as fmt
from services.config import public_base
from storage import appointments as appointment_db
from storage.db import Database
from storage.tenant_reads import TenantReads

log = logging.getLogger(__name__)

BOOKED, RESCHEDULED, STATUS = 'booked', 'rescheduled', 'status'
_TEMPLATES = {BOOKED: 'appointment_booked', RESCHEDULED: 'appointment_rescheduled', STATUS: 'appointment_status'}


def queue_change(session: Session, *, tenant_id: int, appointment_id: int, kind: str,
                 previous_start: datetime | None = None, previous_status: str = '', reason: str = '',
                 cause: str = '', now: datetime | None = None,
                 known: appointment_db.NoticeData | None = None, reads: TenantReads | None = None) -> int:
    """In the caller's write transaction, after its change is flushed: queue the emails about it (kind 'booked',
    'rescheduled' or 'status'), one to the customer and one to the staff member when they have an address. The
    change's why is `reason` (what a person typed) or `cause` (a why-code of domain.history), worded by the domain.
    `known`: what the caller already read in this transaction (the appointment as it is now, with its history when
    it has more than its 'booked' line), so it is not read again; `reads`: the business's setup as the caller has it
    (storage.tenant_reads: its own wording of the emails). Returns how many were queued. A template that
    cannot be rendered is logged and skipped: a broken email must never undo the change."""
    if kind not in _TEMPLATES:
        raise ValueError(f'unknown change kind {kind!r}')
    data = known or appointment_db.notice_data(session, tenant_id=tenant_id, appointment_id=appointment_id)
    if data is None:
        return 0
    try:
        emails = _render_change(session, data, kind=kind, previous_start=previous_start,
                                previous_status=previous_status, reason=dh.change_reason(reason=reason, cause=cause),
                                now=now or datetime.now(UTC), reads=reads)
    except Exception:
        log.exception('could not render the change emails for appointment %s', appointment_id)
        return 0
    for address, subject, text, html, attachment in emails:
        mail.queue(session, tenant_id=tenant_id, template=_TEMPLATES[kind], to=address, subject=subject, text=text,
                   html=html, attachments=(attachment,), tenant=data.tenant)
    return len(emails)


def notify_change(db: Database, *, tenant_id: int, appointment_id: int, kind: str,
                  previous_start: datetime | None = None, previous_status: str = '', reason: str = '',
                  cause: str = '', now: datetime | None = None) -> int:
    """Queue the emails about a change committed earlier, in a transaction of their own (prefer `queue_change`
    inside the change's own transaction: then a crash in between cannot lose them). Returns how many were queued."""
    with db.write() as s:
        return queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=kind,
                            previous_start=previous_start, previous_status=previous_status, reason=reason,
                            cause=cause, now=now)


def wait_for_notifications(timeout: float = 30) -> None:
    """Block until every queued email that is due was handed over (tests, and a clean shut-down)."""
    mail.wait_until_sent(timeout)


def _render_change(session: Session, data: appointment_db.NoticeData, *, kind: str,
                   previous_start: datetime | None, previous_status: str, reason: Said,
                   now: datetime,
                   reads: TenantReads | None = None) -> list[tuple[str, str, str, str | None, tuple[str, bytes, str]]]:
    appt, tenant, customer, settings = data.appointment, data.tenant, data.customer, data.settings
    method = calendar.REQUEST if appt.status.busy else calendar.CANCEL
    business_tz = ZoneInfo(tenant.timezone)
    own_words = overrides_from_settings(settings.text_overrides)
    # (address, first name, zone, language): the customer in their own language, staff in the business's.
    recipients: list[tuple[str, str, ZoneInfo, str]] = []
    if customer.active:
        recipients.append((customer.email, customer.first_name or customer.full_name or emails.THERE,
                           ZoneInfo(customer.timezone or tenant.timezone),
                           emails.recipient_locale(saved=customer.language,
                                                   business_default=settings.default_language)))
    if appt.staff.email:
        recipients.append((appt.staff.email, appt.staff.name.split()[0] if appt.staff.name else emails.THERE,
                           business_tz, emails.recipient_locale(saved=None,
                                                                business_default=settings.default_language)))
    out: list[tuple[str, str, str, str | None, tuple[str, bytes, str]]] = []
    for address, name, tz, locale in recipients:
        # The calendar file in the reader's language too (its summary and description).
        ics = calendar.appointment_ics(appt, tenant=tenant, method=method, now=now, attendee=customer, locale=locale,
                                       overrides=own_words)
        attachment = (calendar.ics_filename(appt), ics, f'text/calendar; method={method}')
        # Status names in the reader's language: the business's own there, else its default name.
        labels = {st.key: st.own_label(locale) or st.label for st in data.statuses}
        context = _context(appt, tenant=tenant, customer=customer, name=name, tz=tz, labels=labels,
                           previous_start=previous_start, previous_status=previous_status, reason=reason,
                           locale=locale)
        subject, text, html = emails.render_for(_TEMPLATES[kind], context, locale=locale, settings=settings,
                                                own=emails.own_wording(session, tenant_id=tenant.id,
                                                                       name=_TEMPLATES[kind], locale=locale,
                                                                       reads=reads))
        out.append((address, subject, text, html, attachment))
    return out


def _context(appt: d.Appointment, *, tenant: d.Tenant, customer: d.Customer, name: str, tz: ZoneInfo,
             labels: dict[str, str], previous_start: datetime | None, previous_status: str,
             reason: Said, locale: str) -> dict[str, object]:
    previous_when = (_when(previous_start, previous_start + (appt.end - appt.start), tz, locale)
                     if previous_start else '')
    previous = labels.get(previous_status, previous_status.replace('-', ' ').capitalize())
    return {
        'business': tenant.name,
        'name': name,
        'customer': customer.full_name or customer.email,
        'service': appt.service.name,
        'staff': appt.staff.name,
        'when': _when(appt.start, appt.end, tz, locale),
        'previous_when': previous_when,
        'place': calendar.place_words(appt) or '—',
        'status': appt.status.own_label(locale) or label(appt.status.label),
        'previous_status': label(previous),
        'reason': reason,
        'busy': 'yes' if appt.status.busy else '',
        'link': f'{public_base(tenant.host)}/',
    }


def _when(start: datetime, end: datetime, tz: ZoneInfo, locale: str) -> str:
    """'Tue 24 Nov 2026, 10:00–10:45 (Europe/Berlin)' in the reader's zone and language."""
    return f'{fmt.when(start, end, tz, locale=locale)} ({tz.key})'
