"""The front desk: the business's appointments as a list, a calendar and a CSV file, and what the staff do to one
(change its status, take a payment). Every change lands in the appointment's history "by the staff", in the audit
log, and sends the usual emails, in the change's own transaction.

Reads are a fixed number of SQL statements whatever the number of appointments (storage/desk.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain import desk as dd
from domain import history as dh
from domain import model as d
from domain import rules
from domain.admins import AdminRole
from domain.i18n import N_, lazy
from domain.payments import method_label
from domain.rules import NotAllowed
from services import admin_auth, audit, booking, notify
from services import formatting as fmt
from services import payments as payment_service
from services.appointments import announce_status_change, ensure_slot_still_free, record_history
from services.i18n import gettext, render
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import desk as desk_db
from storage import outbox as outbox_db
from storage import payments as payment_db
from storage import tenants as tenant_db
from storage.db import Database

NOT_HERE = lazy('That appointment was not found.')
METHODS = ('cash', 'offline', 'transfer')


@dataclass(frozen=True, slots=True)
class Choices:
    """What the desk's filters offer: staff, services, locations (id -> name) and the business's statuses."""

    staff: dict[int, str]
    services: dict[int, str]
    locations: dict[int, str]
    statuses: tuple[d.Status, ...]


@dataclass(frozen=True, slots=True)
class DeskPage:
    rows: list[dd.DeskRow]
    count: int  # up to COUNT_CAP + 1
    page_size: int
    has_previous: bool
    has_next: bool
    sort: str

    @property
    def more_than_cap(self) -> bool:
        return self.count > dd.COUNT_CAP

    @property
    def pages(self) -> int | None:
        """How many pages, when the count is exact."""
        if self.more_than_cap:
            return None
        return max(1, -(-self.count // self.page_size))

    @property
    def first(self) -> dd.Cursor | None:
        return dd.cursor_of(self.rows[0], self.sort) if self.rows else None

    @property
    def last(self) -> dd.Cursor | None:
        return dd.cursor_of(self.rows[-1], self.sort) if self.rows else None


def choices(db: Database, *, tenant_id: int, admin_id: int) -> Choices:
    with db.read() as s:
        staff, services, locations = desk_db.choices(s, tenant_id=tenant_id)
        return Choices(staff=staff, services=services, locations=locations,
                       statuses=tenant_db.statuses(s, tenant_id=tenant_id))


def appointment_list(db: Database, *, tenant_id: int, admin_id: int, where: dd.AppointmentFilter,
                     move: str = 'first', cursor: dd.Cursor | None = None, page_size: int = dd.PAGE_SIZE,
                     zone: ZoneInfo | None = None) -> DeskPage:
    """A page of the business's appointments matching `where` (its days on the business's clock): the first, the
    last, or the next or previous one from `cursor` (DeskPage.last / .first of the page shown), and how many match.
    One statement whatever the page's depth."""
    where = where.cleaned()
    if move not in dd.MOVES or (move in ('next', 'previous') and cursor is None):
        move, cursor = 'first', None
    with db.read() as s:
        zone = zone or ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
        lo, hi = dd.utc_range(where.first_day, where.last_day, zone)
        rows, total, more = desk_db.page(s, tenant_id=tenant_id, where=where, lo=lo, hi=hi, move=move,
                                         cursor=cursor, limit=page_size)
    forward = move in ('first', 'next')
    return DeskPage(rows=rows, count=total, page_size=page_size, sort=where.sort,
                    has_previous=more if not forward else move == 'next',
                    has_next=more if forward else move == 'previous')


@dataclass(frozen=True, slots=True)
class Detail:
    """One appointment as the desk opens it: the appointment with its history, who booked it, and its payments."""

    row: dd.DeskRow
    appointment: d.Appointment
    customer: d.Customer
    statuses: tuple[d.Status, ...]
    payments: list[d.Payment]


def detail(db: Database, *, tenant_id: int, admin_id: int, appointment_id: int) -> Detail:
    with db.read() as s:
        row = desk_db.one(s, tenant_id=tenant_id, appointment_id=appointment_id)
        if row is None:
            raise NotAllowed(NOT_HERE)
        statuses = tenant_db.statuses(s, tenant_id=tenant_id)
        appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=row.customer_id,
                                                   appointment_id=appointment_id, status_list=statuses)
        customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=row.customer_id)
        paid = payment_db.customer_payments(s, tenant_id=tenant_id, customer_id=row.customer_id,
                                            appointment_id=appointment_id)
    if appt is None or customer is None:
        raise NotAllowed(NOT_HERE)
    return Detail(row=row, appointment=appt, customer=customer, statuses=statuses, payments=list(paid))


def set_status(db: Database, *, tenant_id: int, admin_id: int, appointment_id: int, target: str, reason: str = '',
               now: datetime) -> None:
    """The staff set any of the business's statuses; one that holds the slot again finds the slot still free first.
    History "by the staff", the audit log, and the customer's and staff member's emails, in one transaction."""
    reason = ' '.join((reason or '').split())
    too_long = rules.text_problem(reason, limit=rules.REASON_MAX, what=rules.REASON)
    if too_long:
        raise NotAllowed(too_long)
    with db.write() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        customer_id = desk_db.lock(s, tenant_id=tenant_id, appointment_id=appointment_id)
        if customer_id is None:
            raise NotAllowed(NOT_HERE)
        statuses = tenant_db.statuses(s, tenant_id=tenant_id)
        appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                   appointment_id=appointment_id, status_list=statuses,
                                                   with_history=False)
        assert appt is not None
        wanted = next((st for st in statuses if st.key == target), None)
        if wanted is None:
            raise NotAllowed(lazy('That status is not one this business uses.'))
        if wanted.key == appt.status.key:
            raise NotAllowed(lazy('The appointment is already %(status)s.', status=rules.status_word(wanted)))
        ensure_slot_still_free(s, tenant_id=tenant_id, appt=appt, target=wanted)
        appointment_db.set_status(s, tenant_id=tenant_id, appointment_id=appointment_id, status_key=wanted.key)
        record_history(s, tenant_id=tenant_id, appointment_id=appointment_id,
                       entry=dh.status_changed(at=now, actor=dh.STAFF, from_status=appt.status.key,
                                               to_status=wanted.key, reason=reason))
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='appointment.status',
                     target=f'appointment {appointment_id}', before={'status': appt.status.key},
                     after={'status': wanted.key}, now=now)
        s.flush()
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=notify.STATUS,
                            previous_status=appt.status.key, reason=reason, now=now)
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
    announce_status_change(db, tenant_id=tenant_id, customer_id=customer_id, before=appt, busy_now=wanted.busy,
                           reason=reason, now=now, zone=zone)


def take_payment(db: Database, *, tenant_id: int, admin_id: int, appointment_id: int, amount: int, method: str,
                 note: str = '', now: datetime) -> int:
    """Money taken at the desk for an appointment: credited at once, history "by the staff", a receipt emailed."""
    if method not in METHODS:
        raise NotAllowed(lazy('Choose how the customer paid.'))
    with db.read() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
    return payment_service.record_offline_payment(db, tenant_id=tenant_id, amount=amount, method=method,
                                                  appointment_id=appointment_id, note=' '.join(note.split())[:200],
                                                  now=now, admin_id=admin_id, actor=dh.STAFF)


# ---- calendar -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarView:
    """Days of the business's clock (each with its true length), staff columns, and the appointments that overlap
    them."""

    days: tuple[dd.DaySpan, ...]
    staff: tuple[tuple[int, str], ...]
    rows: list[dd.DeskRow]
    statuses: dict[str, d.Status]

    def on(self, day: dd.DaySpan, staff_id: int) -> list[dd.DeskRow]:
        return [r for r in self.rows if r.staff_id == staff_id and r.start < day.end and r.end > day.start]


def calendar(db: Database, *, tenant_id: int, admin_id: int, first_day: date, days: int = 7) -> CalendarView:
    """The appointments of `days` days from `first_day` by staff member: three statements."""
    days = max(1, min(days, 7))
    with db.read() as s:
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
        spans = tuple(dd.day_span(first_day + timedelta(days=i), zone) for i in range(days))
        rows = desk_db.in_range(s, tenant_id=tenant_id, lo=spans[0].start, hi=spans[-1].end)
        staff = desk_db.staff_columns(s, tenant_id=tenant_id)
        statuses = {st.key: st for st in tenant_db.statuses(s, tenant_id=tenant_id)}
    booked = {r.staff_id for r in rows}
    columns = tuple((sid, name) for sid, name, active in staff if active or sid in booked)
    return CalendarView(days=spans, staff=columns, rows=rows, statuses=statuses)


@dataclass(frozen=True, slots=True)
class Today:
    """The admin overview's today: the day on the business's clock, its visits, and what waits for someone."""

    day: date
    glance: dd.DayGlance
    statuses: tuple[d.Status, ...]
    flagged_payments: int
    failed_emails: int


def today(db: Database, *, tenant_id: int, admin_id: int, now: datetime) -> Today:
    """Today's visits and what needs a look (payments held for review, emails that failed): four statements."""
    del admin_id  # any admin reads the overview
    with db.read() as s:
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
        span = dd.day_span(now.astimezone(zone).date(), zone)
        rows = desk_db.in_range(s, tenant_id=tenant_id, lo=span.start, hi=span.end)
        statuses = tuple(tenant_db.statuses(s, tenant_id=tenant_id))
        flagged = desk_db.count_flagged_payments(s, tenant_id=tenant_id)
        failed = outbox_db.counts(s, tenant_id=tenant_id)[outbox_db.FAILED]
    busy = {st.key for st in statuses if st.busy}
    return Today(day=span.day, glance=dd.day_glance(rows, busy, now), statuses=statuses, flagged_payments=flagged,
                 failed_emails=failed)


# ---- export -------------------------------------------------------------------------------------------------------

_HEADERS = (N_('Appointment'), N_('Date'), N_('Start'), N_('End'), N_('Customer'), N_('Email'), N_('Phone'),
            N_('Service'), N_('Staff'), N_('Location'), N_('Status'), N_('Price'), N_('Paid'), N_('Payment'))


def export_csv(db: Database, *, tenant_id: int, admin_id: int, where: dd.AppointmentFilter,
               locale: str = fmt.DEFAULT_LOCALE) -> Iterator[str]:
    """Every appointment the filter matches, as CSV text in pieces (a header line, then batches of rows), in the
    admin's language; cells that start like a spreadsheet formula are made plain text."""
    where = where.cleaned()
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([dd.csv_cell(gettext(h, locale=locale)) for h in _HEADERS])
    with db.snapshot() as s:
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
        currency = tenant_db.tenant_currency(s, tenant_id=tenant_id)
        labels = {st.key: st.label for st in tenant_db.statuses(s, tenant_id=tenant_id)}
        lo, hi = dd.utc_range(where.first_day, where.last_day, zone)
        digits = fmt.minor_unit_digits(currency)
        for n, row in enumerate(desk_db.stream(s, tenant_id=tenant_id, where=where, lo=lo, hi=hi), start=1):
            start, end = row.start.astimezone(zone), row.end.astimezone(zone)
            out.writerow([dd.csv_cell(v) for v in (
                row.id, start.date().isoformat(), start.strftime('%H:%M'), end.strftime('%H:%M'), row.customer_name,
                row.customer_email, row.customer_phone, row.service_name, row.staff_name, row.location_name,
                labels.get(row.status_key, row.status_key), _amount(row.price, digits),
                _amount(row.amount_paid, digits), render(lazy(dd.PAYMENT_STATES[row.payment]), locale=locale))])
            if n % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def _amount(minor: int, digits: int) -> str:
    if digits == 0:
        return str(minor)
    sign = '-' if minor < 0 else ''
    whole, part = divmod(abs(minor), 10 ** digits)
    return f'{sign}{whole}.{part:0{digits}d}'


def method_words(method: str, *, locale: str) -> str:
    return render(method_label(method), locale=locale)


# ---- the desk books and moves -------------------------------------------------------------------------------------


def reschedule(db: Database, *, tenant_id: int, admin_id: int, appointment_id: int, new_start: datetime,
               staff_id: int | None = None, now: datetime) -> d.Appointment:
    """Move an appointment to a free time (the same slots the customer sees); the customer's rules on moving do not
    bind the desk, the free time does. History "by the staff", the audit log, the usual emails."""
    with db.read() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        row = desk_db.one(s, tenant_id=tenant_id, appointment_id=appointment_id)
    if row is None:
        raise NotAllowed(NOT_HERE)
    return booking.reschedule(db, tenant_id=tenant_id, customer_id=row.customer_id, appointment_id=appointment_id,
                              new_start=new_start, now=now, staff_id=staff_id, actor=dh.STAFF, admin_id=admin_id)


def book(db: Database, *, tenant_id: int, admin_id: int, customer_id: int, service_id: int, staff_id: int | None,
         start: datetime, notes: str = '', now: datetime) -> d.Appointment:
    """Book a free time for a customer at the desk: history "by the staff", the audit log, the usual emails."""
    with db.read() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
    return booking.book(db, tenant_id=tenant_id, customer_id=customer_id, service_id=service_id, staff_id=staff_id,
                        start=start, now=now, notes=notes, actor=dh.STAFF, admin_id=admin_id)


def find_customers(db: Database, *, tenant_id: int, admin_id: int, text: str) -> list[tuple[int, str]]:
    """Customers to book for: up to ten whose name, email or phone holds the words (at least two characters)."""
    text = ' '.join(text.split())[:dd.TEXT_MAX]
    if len(text) < 2:
        return []
    with db.read() as s:
        return desk_db.customers_matching(s, tenant_id=tenant_id, text=text)
