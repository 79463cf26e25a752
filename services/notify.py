"""Emails about a changed appointment, to the customer and to the staff member, each with a calendar file.

Called after the change commits. `notify_change` hands the work to the mail pool (`mail.later`), so neither the event
loop nor the customer waits for SMTP; `send_change_emails` does the work and can be called directly.
Templates: services/templates/appointment_booked.*, appointment_rescheduled.* and appointment_status.*
(KAIROS_TEMPLATES_DIR overrides).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain import model as d
from services import calendar, mail
from services.config import public_base
from services.mail import render_email, send_email
from storage import appointment_changes as store
from storage.db import Database

log = logging.getLogger(__name__)

BOOKED, RESCHEDULED, STATUS = 'booked', 'rescheduled', 'status'
_TEMPLATES = {BOOKED: 'appointment_booked', RESCHEDULED: 'appointment_rescheduled', STATUS: 'appointment_status'}

def notify_change(db: Database, *, tenant_id: int, appointment_id: int, kind: str,
                  previous_start: datetime | None = None, previous_status: str = '', reason: str = '',
                  now: datetime | None = None) -> Future[int]:
    """Queue the emails about one committed change (kind 'booked', 'rescheduled' or 'status'); the future gives the
    count sent."""
    if kind not in _TEMPLATES:
        raise ValueError(f'unknown change kind {kind!r}')
    return mail.later(_send_logged, db, tenant_id=tenant_id, appointment_id=appointment_id, kind=kind,
                      previous_start=previous_start, previous_status=previous_status, reason=reason, now=now)


def wait_for_notifications(timeout: float = 30) -> None:
    """Block until every queued email was handed over (tests, and a clean shut-down)."""
    mail.wait_until_sent(timeout)


def send_change_emails(db: Database, *, tenant_id: int, appointment_id: int, kind: str,
                       previous_start: datetime | None = None, previous_status: str = '', reason: str = '',
                       now: datetime | None = None) -> int:
    """Send the change emails now: one to the customer, one to the staff member (when they have an address)."""
    with db.read() as s:
        data = store.notice_data(s, tenant_id=tenant_id, appointment_id=appointment_id)
    if data is None:
        return 0
    appt, tenant, customer = data.appointment, data.tenant, data.customer
    now = now or datetime.now(UTC)
    labels = {st.key: st.label for st in data.statuses}
    method = calendar.REQUEST if appt.status.busy else calendar.CANCEL
    ics = calendar.appointment_ics(appt, tenant=tenant, method=method, now=now, attendee=customer)
    attachment = (calendar.ics_filename(appt), ics, f'text/calendar; method={method}')
    business_tz = ZoneInfo(tenant.timezone)
    recipients: list[tuple[str, str, ZoneInfo]] = []
    if customer.active:
        recipients.append((customer.email, customer.first_name or customer.full_name or 'there',
                           ZoneInfo(customer.timezone or tenant.timezone)))
    if appt.staff.email:
        recipients.append((appt.staff.email, appt.staff.name.split()[0] if appt.staff.name else 'there',
                           business_tz))
    sent = 0
    for address, name, tz in recipients:
        context = _context(appt, tenant=tenant, customer=customer, name=name, tz=tz, labels=labels,
                           previous_start=previous_start, previous_status=previous_status, reason=reason)
        subject, text, html = render_email(_TEMPLATES[kind], **context)
        send_email(to=address, subject=subject, text=text, html=html, attachments=(attachment,))
        sent += 1
    return sent


# ---- helpers ---------------------------------------------------------------------------------------------------


def _context(appt: d.Appointment, *, tenant: d.Tenant, customer: d.Customer, name: str, tz: ZoneInfo,
             labels: dict[str, str], previous_start: datetime | None, previous_status: str,
             reason: str) -> dict[str, object]:
    previous_when = _when(previous_start, previous_start + (appt.end - appt.start), tz) if previous_start else ''
    calendar_line = ('The updated calendar entry is attached.' if appt.status.busy
                     else 'The attached calendar file removes the event from your calendar.')
    return {
        'business': tenant.name,
        'name': name,
        'customer': customer.full_name or customer.email,
        'service': appt.service.name,
        'staff': appt.staff.name,
        'when': _when(appt.start, appt.end, tz),
        'previous_when': previous_when,
        'place': calendar.place_text(appt) or '—',
        'status': appt.status.label,
        'previous_status': labels.get(previous_status, previous_status.replace('-', ' ').capitalize()),
        'reason': reason,
        'reason_line': f'Reason given: {reason}\n' if reason else '',
        'calendar_line': calendar_line,
        'link': f'{public_base(tenant.host)}/',
    }


def _when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Tue 24 Nov 2026, 10:00–10:45 (Europe/Berlin)' in the reader's zone."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f'{a:%a} {a.day} {a:%b %Y}, {a:%H:%M}–{b:%H:%M} ({tz.key})'


def _send_logged(db: Database, **kwargs: object) -> int:
    try:
        return send_change_emails(db, **kwargs)  # type: ignore[arg-type]
    except Exception:  # a mail failure must never undo or hide the change itself
        log.exception('could not send the change emails for appointment %s', kwargs.get('appointment_id'))
        return 0
