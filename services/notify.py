"""Emails about a changed appointment, to the customer and to the staff member, each with a calendar file.

`queue_change` writes them to the email outbox inside the transaction that makes the change, so they leave after it
commits (and only then), and leave even when the process dies before the sender got to them. A row holds the
recipient, the subject, the Message-ID and the change's machine values; the sender renders the body and the calendar
file when it sends it (`render_queued`, called by services.mail), from the appointment as it is then, and keeps what
it rendered on the row, so a retry sends the very same message.
The emails are services.emails' appointment_booked, appointment_rescheduled and appointment_status, each in its
reader's language: the customer's own (else the business's default), the business's for staff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain.i18n import Said, label, overrides_from_settings
from services import calendar, emails, mail
from services import formatting as fmt
from services.config import public_base
from storage import appointments as appointment_db
from storage import outbox as store
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
    cannot be rendered is logged and skipped: a broken email must never undo the change.

    Each row is written with its recipient, its subject and the change's machine values (`_change_values`); its
    body and calendar file are rendered by the sender when it sends it (`render_queued`), not here: rendering them
    was a quarter of a booking's CPU, spent while it held its staff row locks."""
    if kind not in _TEMPLATES:
        raise ValueError(f'unknown change kind {kind!r}')
    data = known or appointment_db.notice_data(session, tenant_id=tenant_id, appointment_id=appointment_id)
    if data is None:
        return 0
    rows = _change_emails(session, tenant_id=tenant_id, appointment_id=appointment_id, data=data, kind=kind,
                          previous_start=previous_start, previous_status=previous_status, reason=reason, cause=cause,
                          now=now, reads=reads)
    for row in rows:
        store.insert_new(session, row)
    return len(rows)


def booked_emails(session: Session, *, data: appointment_db.NoticeData, now: datetime,
                  reads: TenantReads | None = None) -> list[store.NewEmail]:
    """The rows `queue_change` would write about a new booking (kind 'booked'), for the statement that inserts the
    appointment to write (storage.appointments.insert_booked, which sets its id in them: `data.appointment`'s is not
    used). A booking writes them with its appointment in one statement: one round trip less under its staff locks."""
    return _change_emails(session, tenant_id=data.tenant.id, appointment_id=0, data=data, kind=BOOKED,
                          previous_start=None, previous_status='', reason='', cause='', now=now, reads=reads)


def _change_emails(session: Session, *, tenant_id: int, appointment_id: int, data: appointment_db.NoticeData,
                   kind: str, previous_start: datetime | None, previous_status: str, reason: str, cause: str,
                   now: datetime | None, reads: TenantReads | None) -> list[store.NewEmail]:
    change = _change_values(appointment_id=appointment_id, kind=kind, previous_start=previous_start,
                            previous_status=previous_status, reason=reason, cause=cause, now=now or datetime.now(UTC))
    recipients = _recipients(data)
    try:
        subjects = [_render_one(session, data, r, change, reads=reads, subject_only=True)[0] for r in recipients]
    except Exception:
        log.exception('could not render the change emails for appointment %s', appointment_id or 'being booked')
        return []
    return [mail.rendered_later(session, tenant_id=tenant_id, template=_TEMPLATES[kind], to=recipient.address,
                                subject=subject, render={**change, 'to': recipient.role, 'locale': recipient.locale})
            for recipient, subject in zip(recipients, subjects, strict=True)]


def render_queued(session: Session, *, tenant_id: int, values: Mapping[str, Any]) -> mail.Rendered | None:
    """The email a row of `queue_change` holds the machine values of (services.mail's sender calls this when it
    sends it): subject, text, html and the calendar file, from the appointment, its customer and the business as
    they are now, with the change's own values (its kind, the time and status before, its why, its moment) and the
    reader's language as they were queued. None when the appointment or that reader is no longer there."""
    data = appointment_db.notice_data(session, tenant_id=tenant_id, appointment_id=int(values['appointment_id']))
    if data is None:
        return None
    recipient = next((r for r in _recipients(data) if r.role == values['to']), None)
    if recipient is None:
        return None
    recipient = _Recipient(recipient.role, recipient.address, recipient.name, recipient.zone, str(values['locale']))
    subject, text, html, attachment = _render_one(session, data, recipient, values, reads=None)
    assert attachment is not None
    return mail.Rendered(subject=subject, text=text, html=html, attachments=(attachment,), tenant=data.tenant)


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


class _Recipient(NamedTuple):
    role: str  # CUSTOMER or STAFF
    address: str
    name: str  # the first name to greet
    zone: ZoneInfo
    locale: str


CUSTOMER, STAFF = 'customer', 'staff'


def _change_values(*, appointment_id: int, kind: str, previous_start: datetime | None, previous_status: str,
                   reason: str, cause: str, now: datetime) -> dict[str, Any]:
    """What an email about the change needs besides the appointment as it is, as machine values (JSON)."""
    return {'change': kind, 'appointment_id': appointment_id,
            'previous_start': None if previous_start is None else previous_start.astimezone(UTC).isoformat(),
            'previous_status': previous_status, 'reason': reason, 'cause': cause,
            'now': now.astimezone(UTC).isoformat()}


def _recipients(data: appointment_db.NoticeData) -> list[_Recipient]:
    """The customer in their own language and zone, the staff member in the business's."""
    appt, tenant, customer, settings = data.appointment, data.tenant, data.customer, data.settings
    out: list[_Recipient] = []
    if customer.active:
        out.append(_Recipient(CUSTOMER, customer.email, customer.first_name or customer.full_name or emails.THERE,
                              ZoneInfo(customer.timezone or tenant.timezone),
                              emails.recipient_locale(saved=customer.language,
                                                      business_default=settings.default_language)))
    if appt.staff.email:
        out.append(_Recipient(STAFF, appt.staff.email, appt.staff.name.split()[0] if appt.staff.name else emails.THERE,
                              ZoneInfo(tenant.timezone),
                              emails.recipient_locale(saved=None, business_default=settings.default_language)))
    return out


def _render_one(session: Session, data: appointment_db.NoticeData, recipient: _Recipient, change: Mapping[str, Any],
                *, reads: TenantReads | None,
                subject_only: bool = False) -> tuple[str, str, str | None, tuple[str, bytes, str] | None]:
    """(subject, text, html, calendar file) of the email about `change` to `recipient`; `subject_only`: the rest
    is left empty (the row's subject is written with the change, the rest when it is sent)."""
    appt, tenant, customer, settings = data.appointment, data.tenant, data.customer, data.settings
    kind, locale = str(change['change']), recipient.locale
    previous_start = None if change['previous_start'] is None else datetime.fromisoformat(change['previous_start'])
    context = _context(appt, tenant=tenant, customer=customer, name=recipient.name, tz=recipient.zone,
                       statuses=data.statuses, previous_start=previous_start,
                       previous_status=str(change['previous_status']), reason=str(change['reason']),
                       cause=str(change['cause']), locale=locale)
    own = emails.own_wording(session, tenant_id=tenant.id, name=_TEMPLATES[kind], locale=locale, reads=reads)
    if subject_only:
        return emails.subject_for(_TEMPLATES[kind], context, locale=locale, settings=settings, own=own), '', None, None
    subject, text, html = emails.render_for(_TEMPLATES[kind], context, locale=locale, settings=settings, own=own)
    method = calendar.REQUEST if appt.status.busy else calendar.CANCEL
    # The calendar file in the reader's language too (its summary and description).
    ics = calendar.appointment_ics(appt, tenant=tenant, method=method, now=datetime.fromisoformat(change['now']),
                                   attendee=customer, locale=locale,
                                   overrides=overrides_from_settings(settings.text_overrides))
    return subject, text, html, (calendar.ics_filename(appt), ics, f'text/calendar; method={method}')


def _context(appt: d.Appointment, *, tenant: d.Tenant, customer: d.Customer, name: str, tz: ZoneInfo,
             statuses: tuple[d.Status, ...], previous_start: datetime | None, previous_status: str, reason: str,
             cause: str, locale: str) -> Mapping[str, object]:
    def previous() -> Said:
        # Status names in the reader's language: the business's own there, else its default name.
        labels = {st.key: st.own_label(locale) or st.label for st in statuses}
        return label(labels.get(previous_status, previous_status.replace('-', ' ').capitalize()))

    return _WhenAsked({
        'business': lambda: tenant.name,
        'name': lambda: name,
        'customer': lambda: customer.full_name or customer.email,
        'service': lambda: appt.service.name,
        'staff': lambda: appt.staff.name,
        'when': lambda: _when(appt.start, appt.end, tz, locale),
        'previous_when': lambda: (_when(previous_start, previous_start + (appt.end - appt.start), tz, locale)
                                  if previous_start else ''),
        'place': lambda: calendar.place_words(appt) or '—',
        'status': lambda: appt.status.own_label(locale) or label(appt.status.label),
        'previous_status': previous,
        'reason': lambda: dh.change_reason(reason=reason, cause=cause),
        'busy': lambda: 'yes' if appt.status.busy else '',
        'link': lambda: f'{public_base(tenant.host)}/',
    })


class _WhenAsked(Mapping[str, object]):
    """An email's values, each worked out the first time a template asks for it: the subject a change writes in its
    transaction asks for two or three of them (services.emails.subject_for fills only those), the body for most."""

    __slots__ = ('_make', '_made')

    def __init__(self, make: dict[str, Callable[[], object]]) -> None:
        self._make = make
        self._made: dict[str, object] = {}

    def __getitem__(self, key: str) -> object:
        try:
            return self._made[key]
        except KeyError:
            value = self._made[key] = self._make[key]()
            return value

    def __contains__(self, key: object) -> bool:
        return key in self._make

    def __iter__(self) -> Iterator[str]:
        return iter(self._make)

    def __len__(self) -> int:
        return len(self._make)


def _when(start: datetime, end: datetime, tz: ZoneInfo, locale: str) -> str:
    """'Tue 24 Nov 2026, 10:00–10:45 (Europe/Berlin)' in the reader's zone and language."""
    return f'{fmt.when(start, end, tz, locale=locale)} ({tz.key})'
