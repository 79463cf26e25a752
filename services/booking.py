"""Booking a new appointment and moving one: the only writers that take a staff member's time.

Both follow one pattern so two customers can never get the last seat: inside one write transaction, lock the
candidate staff (storage.catalog.lock_staff_offering: PostgreSQL row locks in id order; SQLite's BEGIN IMMEDIATE
already serialises writers), read that day's busy bookings again, ask the slot engine whether this exact start still
has the seats asked for, write, record the history and queue the emails (services.notify.queue_change: the outbox
rows commit with the booking). Live updates go out, and the emails leave, only after the commit.

What time may be booked at all (past, notice, seats, horizon) and which status a new booking gets are the domain's
rules (domain.rules.why_not_book_at, domain.statuses.new_booking_status); this module only asks them in the write.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain import rules
from domain import statuses as status_rules
from domain.accounts import guest_problems, why_cannot_book
from domain.availability import Slot, SlotFinder
from domain.i18n import Said, lazy, sentences
from domain.settings import PanelSettings
from services import accounts, appointments, audit, emails, events, mail, metrics, notify, ratelimit
from services import formatting as fmt
from services.availability import day_window
from services.config import public_link
from services.i18n import shipped_locale
from services.packages import PackageRefused, claim_session
from services.tokens import digest
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import holds, tenant_reads
from storage import schedules as schedule_db
from storage import tenants as tenant_db
from storage.db import Database

TAKEN = rules.TAKEN
NOTES_MAX = rules.NOTES_MAX
HOLD = timedelta(minutes=30)  # how long a guest's booking holds its time while waiting for the click in the mailbox
HOLD_PURPOSE = 'booking_hold'
HOLD_GONE = lazy('This booking was not confirmed in time or was already confirmed. Please book again.')

log = logging.getLogger(__name__)

__all__ = ['HOLD', 'BookingRefused', 'GuestInvalid', 'SlotTaken', 'TAKEN', 'book', 'confirm_hold', 'held_booking',
           'hold_for_guest', 'reschedule']


class SlotTaken(Exception):
    """Someone else got the time first; the customer should pick again from fresh slots."""

    def __init__(self, message: Said = TAKEN) -> None:
        super().__init__(str(message))
        self.message = message


class _Stale(Exception):  # noqa: N818 - not an error: the kept setup changed, the booking starts again
    """The business's setup changed since the reads the booking used were kept (storage.tenant_reads)."""


class BookingRefused(Exception):
    """The booking or move is not allowed; `message` says why in plain words."""

    def __init__(self, message: Said) -> None:
        super().__init__(str(message))
        self.message = message


def book(db: Database, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int | None, start: datetime,
         now: datetime, seats: int = 1, notes: str = '', customer_package_id: int | None = None,
         actor: str = 'customer', location_id: int | None = None, admin_id: int | None = None) -> d.Appointment:
    """Book a free time for the customer (staff None = whoever is free, least busy first), or raise SlotTaken when
    it was just taken, BookingRefused with the reason otherwise. From a package: one of its sessions, at no charge.
    `admin_id`: booked at the desk by this admin (actor dh.STAFF), named in the audit log."""
    start = _utc(start)
    notes = (notes or '').strip()
    too_long = rules.text_problem(notes, limit=NOTES_MAX, what=rules.NOTES)
    if too_long:
        raise BookingRefused(too_long)

    def booking(s: Session, reads: tenant_reads.TenantReads) -> tuple[d.Appointment, tuple[int, date]]:
        # The candidate staff are locked (until the commit) by the statement that reads the customer: one round
        # trip. Every rule is still asked in the order it was; a refusal only rolls back the lock.
        locked = catalog_db.lock_staff_offering_reading_customer(
            s, tenant_id=tenant_id, service_id=service_id, customer_id=customer_id, staff_id=staff_id,
            location_id=location_id)
        customer = locked[2]
        reason = why_cannot_book(customer)
        if reason:
            raise BookingRefused(reason)
        assert customer is not None
        found = _bookable(s, reads, service_id=service_id)
        booked, freed = _insert_booking(s, reads, customer=customer, found=found, staff_id=staff_id,
                                        location_id=location_id, start=start, now=now, seats=seats, notes=notes,
                                        customer_package_id=customer_package_id, actor=actor, locked=locked[:2])
        if admin_id is not None:
            audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='appointment.create',
                         target=f'appointment {booked.id}',
                         after={'customer': customer_id, 'service': service_id, 'staff': booked.staff.id,
                                'start': booked.start.isoformat()}, now=now)
        return booked, freed

    # Core and the driver on one connection's transaction, no ORM Session of its own: the outbox's wake-up still
    # runs once it commits (storage.db.after_commit).
    booked, freed = _with_setup(db, tenant_id, booking, on_connection=True)
    _announce_booked(tenant_id, booked=booked, freed=freed)
    return booked


# ---- guests: a booking held until the mailbox it names confirms it ---------------------------------------------


class GuestInvalid(BookingRefused):
    """The guest's details break the profile's rules; `problems` maps each field to what to fix."""

    def __init__(self, problems: Mapping[str, Said]) -> None:
        super().__init__(sentences(*problems.values()))
        self.problems = dict(problems)


def hold_for_guest(db: Database, *, tenant_id: int, service_id: int, staff_id: int | None, start: datetime,
                   first_name: str, last_name: str, email: str, phone: str, notes: str, now: datetime,
                   address: str | None = None, location_id: int | None = None,
                   locale: str | None = None) -> d.HeldBooking:
    """Hold a free time for a guest for HOLD minutes and email a confirmation link to the address they typed, in
    `locale` (the language the guest booked in; None: the business's default).

    Nothing here looks the address up: a known and an unknown email get the same work, the same answer and the same
    email, so neither the page nor its timing tells whether the address has an account. The appointment (and, for a
    new address, the account and its welcome email) exist only once the mailbox owner confirms (`confirm_hold`), so
    a stranger cannot fill someone's account with bookings, and a time never confirmed is free again after HOLD.
    Raises GuestInvalid (fields to fix), BookingRefused (limits and rules, with the reason) or SlotTaken.
    """
    first_name, last_name, email, phone = first_name.strip(), last_name.strip(), email.strip(), phone.strip()
    problems = guest_problems(first_name=first_name, last_name=last_name, email=email, phone=phone)
    if problems:
        raise GuestInvalid(problems)
    too_long = rules.text_problem(notes, limit=NOTES_MAX, what=rules.NOTES)
    if too_long:
        raise BookingRefused(too_long)
    checks = ratelimit.booking_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        lim.take(*checks)  # tested and counted in one step: parallel submits cannot all pass
    except ratelimit.TooManyAttempts as e:
        raise BookingRefused(e.message) from e
    start = _utc(start)
    token = secrets.token_urlsafe(32)
    with db.write() as s:
        holds.purge_expired(s, now=now)
        reads = tenant_reads.TenantReads(tenant_id, None)
        found = _bookable(s, reads, service_id=service_id)
        slot, chosen = _hold_slot(s, reads, found=found, staff_id=staff_id, location_id=location_id,
                                  start=start, now=now, seats=1)
        place = _visit_place(s, found=found, staff_id=chosen, location_id=location_id)
        hold_id = holds.insert_hold(s, tenant_id=tenant_id, service_id=found.service.id, staff_id=chosen,
                                    location_id=place, start=slot.start, end=slot.end, seats=1, email=email,
                                    first_name=first_name, last_name=last_name, phone=phone,
                                    notes=(notes or '').strip(), token_hash=digest(HOLD_PURPOSE, token),
                                    now=now, expires_at=now + HOLD, locale=shipped_locale(locale))
        held = holds.live_hold(s, tenant_id=tenant_id, token_hash=digest(HOLD_PURPOSE, token), now=now)
        business, host = tenant_db.tenant_name_and_host(s, tenant_id=tenant_id)
        staff = catalog_db.staff_name(s, tenant_id=tenant_id, staff_id=chosen)
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        language = emails.recipient_locale(saved=locale, business_default=settings.default_language)
        when = f'{fmt.when(slot.start, slot.end, found.zone, locale=language)} ({found.zone.key})'
        # The confirmation link is queued with the hold: both commit together, or neither does.
        _queue_quietly(s, emails.BOOKING_HOLD.name, {
            'name': first_name, 'business': business, 'service': found.service.name, 'staff': staff, 'when': when,
            'link': public_link('/book/confirm', host, token=token), 'minutes': str(int(HOLD.total_seconds() // 60)),
        }, tenant_id=tenant_id, to=email, locale=language, settings=settings)
    assert held is not None and held.id == hold_id
    events.publish(events.availability_topic(tenant_id), {'staff_id': chosen,
                                                          'day': _local_day(slot.start, found).isoformat()})
    return held


def held_booking(db: Database, *, tenant_id: int, token: str, now: datetime) -> d.HeldBooking:
    """What a confirmation link would book, without acting on it; BookingRefused when it cannot be used any more."""
    with db.read() as s:
        held = _live(s, tenant_id=tenant_id, token=token, now=now)
    return held


def confirm_hold(db: Database, *, tenant_id: int, token: str, now: datetime) -> tuple[d.Appointment, d.Customer, bool]:
    """The mailbox owner clicked: in one transaction the hold becomes an appointment of the account with that email
    (a new one when there is none, True), re-checking the time. Following the link proves the mailbox, as a magic link
    does. A new account keeps the language the guest booked in, and gets its welcome email in it, queued in the
    same transaction, when the business auto-creates accounts."""
    with db.write() as s:
        held = _live(s, tenant_id=tenant_id, token=token, now=now)
        if not holds.take_hold(s, hold_id=held.id):  # the same link clicked twice at once: one of them books
            raise BookingRefused(HOLD_GONE)
        reads = tenant_reads.TenantReads(tenant_id, None)
        found = _bookable(s, reads, service_id=held.service_id)
        customer = customer_db.active_customer_by_email(s, tenant_id=tenant_id, email=held.email)
        created = customer is None
        if customer is None:
            customer = customer_db.insert_customer(s, tenant_id=tenant_id, email=held.email,
                                                   first_name=held.first_name, last_name=held.last_name,
                                                   phone=held.phone, password_hash=None, verified_at=now, now=now,
                                                   language=held.locale)
        else:
            accounts.prove_email_in(s, tenant_id=tenant_id, customer_id=customer.id, now=now)
        booked, freed = _insert_booking(s, reads, customer=customer, found=found,
                                        staff_id=held.staff_id, location_id=held.location_id, start=held.start,
                                        now=now, seats=held.seats, notes=held.notes, customer_package_id=None,
                                        actor='customer')
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        if created and rules.sends_welcome(settings):
            accounts.queue_welcome(s, tenant_id=tenant_id, customer=customer, now=now)
    _announce_booked(tenant_id, booked=booked, freed=freed)
    return booked, customer, created


def _live(s: Session, *, tenant_id: int, token: str, now: datetime) -> d.HeldBooking:
    if not token or len(token) > 200:
        raise BookingRefused(HOLD_GONE)
    held = holds.live_hold(s, tenant_id=tenant_id, token_hash=digest(HOLD_PURPOSE, token), now=now)
    if held is None:
        raise BookingRefused(HOLD_GONE)
    return held


def _queue_quietly(s: Session, template: str, values: Mapping[str, object], /, *, tenant_id: int, to: str,
                   locale: str, settings: PanelSettings) -> None:
    """Queue the email in the caller's transaction; a template that cannot be rendered is logged, never allowed to
    undo the change or change what the guest is told."""
    try:
        subject, text, html = emails.render_for(template, values, locale=locale, settings=settings,
                                                own=emails.own_wording(s, tenant_id=tenant_id, name=template,
                                                                       locale=locale))
        mail.queue(s, tenant_id=tenant_id, template=template, to=to, subject=subject, text=text, html=html)
    except Exception:
        log.exception('could not queue the %s email to %s', template, to)


def reschedule(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int, new_start: datetime,
               now: datetime, staff_id: int | None = None, reason: str = '', actor: str = dh.CUSTOMER,
               admin_id: int | None = None) -> d.Appointment:
    """Move the customer's own appointment to a free time when the business's rules allow it now.
    `actor` dh.STAFF: the desk moves it for the customer; the rules for customers (how late, how often, a reason)
    do not apply, the free time does, and the history says "by the staff".

    staff None keeps the current staff member when they are free then, else takes whoever is; the appointment being
    moved never blocks itself. Raises SlotTaken when the time was just taken, BookingRefused with the reason else.
    """
    new_start = _utc(new_start)
    reason = ' '.join((reason or '').split())
    too_long = rules.text_problem(reason, limit=rules.REASON_MAX, what=rules.REASON)
    if too_long:
        raise BookingRefused(too_long)
    moved, before, found, chosen, slot = _with_setup(db, tenant_id, lambda s, reads: _move(
        s, reads, customer_id=customer_id, appointment_id=appointment_id, new_start=new_start, now=now,
        staff_id=staff_id, reason=reason, actor=actor, admin_id=admin_id))
    appointments.publish_change(tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                kind='rescheduled', freed=(before.staff.id, _local_day(before.start, found)))
    taken = (chosen, _local_day(slot.start, found))
    if taken != (before.staff.id, _local_day(before.start, found)):
        events.publish(events.availability_topic(tenant_id), {'staff_id': taken[0], 'day': taken[1].isoformat()})
    return moved


def _move(s: Session, reads: tenant_reads.TenantReads, *, customer_id: int, appointment_id: int, new_start: datetime,
          now: datetime, staff_id: int | None, reason: str, actor: str, admin_id: int | None,
          ) -> tuple[d.Appointment, d.Appointment, catalog_db.BookableService, int, Slot]:
    """`reschedule`'s transaction: the appointment moved, as it was, its service, the staff taken and the slot."""
    tenant_id = reads.tenant_id
    if not appointment_db.lock_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                           appointment_id=appointment_id):
        raise BookingRefused(appointments.NOT_YOURS)
    statuses = reads.statuses(s)
    before = _own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id, statuses=statuses)
    read = reads.tenant_and_settings(s)
    assert read is not None
    tenant, settings = read
    refusal = rules.why_not_reschedule(before, settings, now=now) if actor == dh.CUSTOMER else None
    if refusal:
        raise BookingRefused(refusal)
    if actor == dh.CUSTOMER and rules.reschedule_needs_reason(before) and not reason:
        raise BookingRefused(lazy('Please tell the business why you are moving this appointment again.'))
    found = reads.bookable_service(s, service_id=before.service.id)
    if found is None or not found.active:
        raise BookingRefused(lazy('That service can no longer be booked online; please contact the business.'))
    customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)  # the emails' reader
    slot, chosen = _hold_slot(s, reads, found=found, staff_id=staff_id,
                              location_id=before.location.id if before.location else None, start=new_start,
                              now=now, seats=before.seats, ignore_appointment_id=before.id, prefer=before.staff.id)
    if slot.start == before.start and chosen == before.staff.id:
        raise BookingRefused(lazy('The appointment is already at that time.'))
    # The desk moving it keeps its status (the business chose the time); a customer's move may need confirming.
    new_status = rules.status_after_reschedule(before, settings) if actor == dh.CUSTOMER else before.status.key
    appointment_db.move_appointment(s, tenant_id=tenant_id, appointment_id=before.id, staff_id=chosen,
                                    start=slot.start, end=slot.end, status_key=new_status)
    appointments.record_reschedule(s, tenant_id=tenant_id, before=before, new_start=slot.start,
                                   new_status=new_status, reason=reason, now=now, actor=actor)
    if chosen != before.staff.id:
        appointments.record_history(s, tenant_id=tenant_id, appointment_id=before.id, entry=dh.staff_changed(
            at=now, actor=actor, from_staff=before.staff.name,
            to_staff=catalog_db.staff_name(s, tenant_id=tenant_id, staff_id=chosen)))
    if admin_id is not None:
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='appointment.reschedule',
                     target=f'appointment {appointment_id}',
                     before={'start': before.start.isoformat(), 'staff': before.staff.id},
                     after={'start': slot.start.isoformat(), 'staff': chosen}, now=now)
    s.flush()
    moved = _own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id, statuses=statuses)
    known = None if customer is None else appointment_db.NoticeData(
        tenant=tenant, customer=customer, appointment=moved, statuses=statuses, settings=settings)
    notify.queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=notify.RESCHEDULED,
                        previous_start=before.start, reason=reason, now=now, known=known, reads=reads)
    return moved, before, found, chosen, slot


_R = TypeVar('_R')


def _with_setup(db: Database, tenant_id: int, work: Callable[[Session, tenant_reads.TenantReads], _R], *,
                on_connection: bool = False) -> _R:
    """`work(s, reads)` in one write transaction (`on_connection`: Database.write_on_connection), `reads` the
    business's setup as kept from an earlier booking or move (storage.tenant_reads). The statement that locks the
    staff checks its token (_hold_slot): when the setup changed meanwhile, the work starts again, reading everything
    anew. So what the work does not decide is read before the staff lock, or not at all; the lock is held to the
    commit, and other bookings and moves of the same staff wait for it.

    A time found taken ends the transaction with a commit, not a rollback: SlotTaken comes from _hold_slot, before
    the work writes anything, so both only release the locks; but on a rollback psycopg forgets every statement it
    had prepared on the connection (and sends DEALLOCATE ALL), and the next bookings on it send and plan their
    statements whole again. Any other exception rolls back."""
    kept = tenant_reads.kept(db, tenant_id=tenant_id)
    for fresh in (False, True):
        taken: SlotTaken | None = None
        try:
            with db.write_on_connection() if on_connection else db.write() as s:
                reads = (tenant_reads.TenantReads(tenant_id, None) if fresh
                         else kept or tenant_reads.TenantReads(tenant_id, tenant_reads.token(s, tenant_id=tenant_id)))
                try:
                    result = work(s, reads)
                except SlotTaken as e:
                    taken = e
        except _Stale:
            tenant_reads.forget(db, tenant_id=tenant_id)
            continue
        if reads is not kept:
            tenant_reads.keep(db, reads)  # its token was found current under the lock (before SlotTaken too)
        if taken is not None:
            raise taken
        return result
    raise AssertionError('fresh reads are never stale')  # their token is None: _hold_slot never finds it changed


# ---- helpers ---------------------------------------------------------------------------------------------------


def _bookable(s: Session, reads: tenant_reads.TenantReads, *, service_id: int) -> catalog_db.BookableService:
    found = reads.bookable_service(s, service_id=service_id)
    if found is None or not found.active:
        raise BookingRefused(lazy('That service cannot be booked online.'))
    return found


def _insert_booking(s: Session, reads: tenant_reads.TenantReads, *, customer: d.Customer,
                    found: catalog_db.BookableService,
                    staff_id: int | None, location_id: int | None, start: datetime, now: datetime, seats: int,
                    notes: str, customer_package_id: int | None, actor: str,
                    locked: tuple[list[int], int | None] | None = None) -> tuple[d.Appointment, tuple[int, date]]:
    """Inside the caller's write transaction: take the slot, write the appointment and its history, and queue its
    emails (they commit with it). `reads`: the business's setup (checked under the staff lock, see _hold_slot).
    `locked`: the candidate staff and the token, when the caller locked them already (_hold_slot)."""
    tenant_id = reads.tenant_id
    service = found.service
    customer_id = customer.id
    # What does not change with the staff's bookings is read before their lock (the lock is held to the commit), or
    # kept (storage.tenant_reads: no statement) when `book` locked them first, with its customer's read.
    statuses = reads.statuses(s)
    status = _new_booking_status(statuses)
    read = reads.tenant_and_settings(s)  # one read: the emails' business and language
    assert read is not None
    tenant, settings = read
    offering = reads.offering_staff(s, service_id=service.id, staff_id=staff_id)
    slot, chosen = _hold_slot(s, reads, found=found, staff_id=staff_id, location_id=location_id,
                              start=start, now=now, seats=seats, locked=locked)
    price, deposit = service.price * seats, service.deposit * seats
    if customer_package_id is not None:
        try:
            claim_session(s, tenant_id=tenant_id, customer_id=customer_id, customer_package_id=customer_package_id,
                          service_id=service.id, now=now)
        except PackageRefused as refused:
            raise BookingRefused(refused.message) from None
        price = deposit = 0
    person = offering.staff.get(chosen)  # None only when the staff member began to offer it meanwhile
    place = _visit_place(s, found=found, staff_id=chosen, location_id=location_id,
                         works_at=None if person is None else offering.works_at.get(chosen, ()))
    entry = dh.booked(at=now, actor=actor, status=status.key)
    if person is None or (place is not None and place not in offering.locations):
        appointment_id = appointment_db.insert_booked(
            s, tenant_id=tenant_id, customer_id=customer_id, service_id=service.id, staff_id=chosen,
            location_id=place, start=slot.start, end=slot.end, seats=seats, status_key=status.key, price=price,
            deposit=deposit, notes=notes, customer_package_id=customer_package_id, now=now, entry=entry)
        s.flush()
        booked = _own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                      statuses=statuses, with_history=False)
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=notify.BOOKED, now=now,
                            known=appointment_db.NoticeData(tenant=tenant, customer=customer, appointment=booked,
                                                            statuses=statuses, settings=settings), reads=reads)
    else:  # all of it is at hand: no reading it back while the staff are locked
        draft = d.Appointment(
            id=0, customer_id=customer_id, service=service, staff=person,
            location=None if place is None else offering.locations.get(place), start=slot.start, end=slot.end,
            status=status, price=price, amount_paid=0, deposit=deposit, seats=seats, notes=notes,
            customer_package_id=customer_package_id, reschedule_count=0, created_at=now)
        # A new appointment's history is its 'booked' line: the emails need nothing more than what is at hand, and
        # are written by the statement that inserts it (one round trip less under the staff locks), with its id.
        emails = notify.booked_emails(s, data=appointment_db.NoticeData(
            tenant=tenant, customer=customer, appointment=draft, statuses=statuses, settings=settings), now=now,
            reads=reads)
        appointment_id = appointment_db.insert_booked(
            s, tenant_id=tenant_id, customer_id=customer_id, service_id=service.id, staff_id=chosen,
            location_id=place, start=slot.start, end=slot.end, seats=seats, status_key=status.key, price=price,
            deposit=deposit, notes=notes, customer_package_id=customer_package_id, now=now, entry=entry,
            emails=emails)
        s.flush()
        booked = replace(draft, id=appointment_id)
    return booked, (chosen, _local_day(slot.start, found))


def _visit_place(s: Session, *, found: catalog_db.BookableService, staff_id: int, location_id: int | None,
                 works_at: tuple[int, ...] | None = None) -> int | None:
    """Where the visit happens: the place the customer chose (one of the staff member's), or the staff member's only
    one; an online service happens nowhere in particular. BookingRefused when the choice is missing or wrong.
    `works_at`: the staff member's places when the caller read them already."""
    if found.service.is_online:
        works_at = ()
    elif works_at is None:
        works_at = tuple(catalog_db.staff_location_ids(s, staff_id=staff_id))
    unplaced = rules.why_not_location(works_at, location_id)
    if unplaced:
        raise BookingRefused(unplaced)
    return rules.visit_location(works_at, location_id)


def _announce_booked(tenant_id: int, *, booked: d.Appointment, freed: tuple[int, date]) -> None:
    """After the commit (its emails are already in the outbox): count it and tell the open pages."""
    metrics.booked()
    appointments.publish_change(tenant_id=tenant_id, customer_id=booked.customer_id, appointment_id=booked.id,
                                kind='booked', freed=freed)


def _hold_slot(s: Session, reads: tenant_reads.TenantReads, *, found: catalog_db.BookableService,
               staff_id: int | None,
               location_id: int | None, start: datetime, now: datetime, seats: int,
               ignore_appointment_id: int | None = None, prefer: int | None = None,
               locked: tuple[list[int], int | None] | None = None) -> tuple[Slot, int]:
    """Lock the candidate staff, re-read their day and return the engine's slot at `start` with the staff to take.
    Raises _Stale when `reads` were kept with a token the business's setup no longer has (nothing was written yet).
    `locked`: what catalog.lock_staff_offering returned, when the caller locked them already."""
    tenant_id = reads.tenant_id
    service = found.service
    refusal = rules.why_not_book_at(service, start=start, now=now, seats=seats, zone=found.zone)
    if refusal:
        raise BookingRefused(refusal)
    day = _local_day(start, found)
    # One statement finds and locks them (until the commit); what follows reads after the lock, and on PostgreSQL
    # each statement sees what the previous holder committed.
    staff_ids, token = locked or catalog_db.lock_staff_offering(s, tenant_id=tenant_id, service_id=service.id,
                                                                staff_id=staff_id, location_id=location_id)
    if reads.token is not None and token != reads.token:
        raise _Stale()  # what was checked before the lock may not hold: start again, reading it all now
    if not staff_ids:
        raise BookingRefused(lazy('Nobody offers that service there. Please pick another staff member.'))
    if len(staff_ids) == 1:
        # One candidate: the day's other bookings rank nobody (the least busy first), so only what can stand in the
        # way of this slot with its buffers is read (slot_request adds the buffers). Several: the whole day, for
        # their day's load.
        lo, hi = start, start + service.duration
    else:
        lo, hi = day_window(day, day, found.zone)
    request = schedule_db.slot_request(s, tenant_id=tenant_id, found=found, staff_ids=staff_ids, start=lo, end=hi,
                                       seats=seats, ignore_appointment_id=ignore_appointment_id, held_at=now,
                                       schedules=reads.staff_schedules)
    finder = SlotFinder(request)
    slot = finder.slot_at(day=day, start=start, now=now)
    if slot is None:
        if finder.with_bookings(()).slot_at(day=day, start=start, now=now) is not None:
            raise SlotTaken()
        raise BookingRefused(lazy('That time is not open for booking. Please pick another.'))
    chosen = prefer if prefer in slot.staff_ids else slot.staff_ids[0]
    return slot, chosen


def _new_booking_status(statuses: tuple[d.Status, ...]) -> d.Status:
    status = status_rules.new_booking_status(statuses)
    if status is None:
        raise BookingRefused(lazy('This business is not taking bookings online right now.'))
    return status


def _own(s: Session, *, tenant_id: int, customer_id: int, appointment_id: int,
         statuses: tuple[d.Status, ...] | None = None, with_history: bool = True) -> d.Appointment:
    appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                               appointment_id=appointment_id,
                                               status_list=statuses or tenant_db.statuses(s, tenant_id=tenant_id),
                                               with_history=with_history)
    if appt is None:
        raise BookingRefused(appointments.NOT_YOURS)
    return appt


def _local_day(instant: datetime, found: catalog_db.BookableService) -> date:
    return instant.astimezone(found.zone).date()


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError('booking times must be aware datetimes')
    return instant.astimezone(UTC)
