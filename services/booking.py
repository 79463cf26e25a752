"""Booking a new appointment and moving one: the only writers that take a staff member's time.

Both follow one pattern so two customers can never get the last seat: inside one write transaction, lock the
candidate staff (storage.availability.lock_staff: PostgreSQL row locks in id order; SQLite's BEGIN IMMEDIATE already
serialises writers), read that day's busy bookings again, ask the slot engine whether this exact start still has the
seats asked for, write, record the history and queue the emails (services.notify.queue_change: the outbox rows
commit with the booking). Live updates go out, and the emails leave, only after the commit.

A new booking gets the status 'pending' (the business confirms it), or the tenant's first busy status when it has
no busy 'pending': whatever it gets must occupy the slot, or the next customer could take it too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlmodel import Session

from domain import model as d
from domain import rules
from domain.accounts import why_cannot_book
from domain.availability import Slot, SlotFinder
from services import appointments, events, notify
from services.availability import day_window
from services.packages import PackageRefused, claim_session
from storage import appointment_changes as changes
from storage import availability as store
from storage import queries as q
from storage.db import Database

TAKEN = 'That time was just taken. Please pick another.'
NOTES_MAX = 2000

__all__ = ['BookingRefused', 'SlotTaken', 'TAKEN', 'book', 'reschedule']


class SlotTaken(Exception):
    """Someone else got the time first; the customer should pick again from fresh slots."""

    def __init__(self, message: str = TAKEN) -> None:
        super().__init__(message)
        self.message = message


class BookingRefused(Exception):
    """The booking or move is not allowed; `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def book(db: Database, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int | None, start: datetime,
         now: datetime, seats: int = 1, notes: str = '', customer_package_id: int | None = None,
         actor: str = 'customer', location_id: int | None = None) -> d.Appointment:
    """Book a free time for the customer (staff None = whoever is free, least busy first), or raise SlotTaken when
    it was just taken, BookingRefused with the reason otherwise. From a package: one of its sessions, at no charge."""
    start = _utc(start)
    if seats < 1:
        raise BookingRefused('Please book at least one seat.')
    notes = (notes or '').strip()[:NOTES_MAX]
    with db.write() as s:
        customer = q.customer(s, tenant_id=tenant_id, customer_id=customer_id)
        reason = why_cannot_book(customer)
        if reason:
            raise BookingRefused(reason)
        assert customer is not None
        found = store.bookable_service(s, tenant_id=tenant_id, service_id=service_id)
        if found is None or not found.active:
            raise BookingRefused('That service cannot be booked online.')
        service = found.service
        slot, chosen = _hold_slot(s, tenant_id=tenant_id, found=found, staff_id=staff_id, location_id=location_id,
                                  start=start, now=now, seats=seats)
        price, deposit = service.price * seats, service.deposit * seats
        if customer_package_id is not None:
            try:
                claim_session(s, tenant_id=tenant_id, customer_id=customer_id,
                              customer_package_id=customer_package_id, service_id=service_id, now=now)
            except PackageRefused as refused:
                raise BookingRefused(refused.message) from None
            price = deposit = 0
        statuses = q.statuses(s, tenant_id=tenant_id)
        status = _new_booking_status(statuses)
        place = location_id if location_id is not None else store.staff_location(s, staff_id=chosen)
        appointment_id = store.insert_appointment(
            s, tenant_id=tenant_id, customer_id=customer_id, service_id=service_id, staff_id=chosen,
            location_id=place, start=slot.start, end=slot.end, seats=seats, status_key=status.key, price=price,
            deposit=deposit, notes=notes, customer_package_id=customer_package_id, now=now)
        appointments.record_history(s, tenant_id=tenant_id, appointment_id=appointment_id, at=now, actor=actor,
                                    action='created', to_value=status.key)
        s.flush()
        booked = _own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                      statuses=statuses, with_history=False)
        tenant = changes.tenant(s, tenant_id=tenant_id)
        assert tenant is not None
        # A new appointment's history is its 'created' line: the email needs nothing more than what is at hand.
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=notify.BOOKED, now=now,
                            known=changes.NoticeData(tenant=tenant, customer=customer, appointment=booked,
                                                     statuses=statuses))
    appointments.publish_change(tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                kind='booked', freed=(chosen, _local_day(slot.start, found)))
    return booked


def reschedule(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int, new_start: datetime,
               now: datetime, staff_id: int | None = None, reason: str = '') -> d.Appointment:
    """Move the customer's own appointment to a free time when the business's rules allow it now.

    staff None keeps the current staff member when they are free then, else takes whoever is; the appointment being
    moved never blocks itself. Raises SlotTaken when the time was just taken, BookingRefused with the reason else.
    """
    new_start = _utc(new_start)
    reason = ' '.join((reason or '').split())
    with db.write() as s:
        if not changes.lock_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                        appointment_id=appointment_id):
            raise BookingRefused(appointments.NOT_YOURS)
        before = _own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id)
        settings = q.panel_settings(s, tenant_id=tenant_id)
        refusal = rules.why_not_reschedule(before, settings, now=now)
        if refusal:
            raise BookingRefused(refusal)
        if rules.reschedule_needs_reason(before) and not reason:
            raise BookingRefused('Please tell the business why you are moving this appointment again.')
        found = store.bookable_service(s, tenant_id=tenant_id, service_id=before.service.id)
        if found is None or not found.active:
            raise BookingRefused('That service can no longer be booked online; please contact the business.')
        slot, chosen = _hold_slot(s, tenant_id=tenant_id, found=found, staff_id=staff_id,
                                  location_id=before.location.id if before.location else None, start=new_start,
                                  now=now, seats=before.seats, ignore_appointment_id=before.id,
                                  prefer=before.staff.id)
        if slot.start == before.start and chosen == before.staff.id:
            raise BookingRefused('The appointment is already at that time.')
        new_status = rules.status_after_reschedule(before, settings)
        store.move_appointment(s, tenant_id=tenant_id, appointment_id=before.id, staff_id=chosen, start=slot.start,
                               end=slot.end, status_key=new_status)
        appointments.record_reschedule(s, tenant_id=tenant_id, before=before, new_start=slot.start,
                                       new_status=new_status, reason=reason, now=now)
        if chosen != before.staff.id:
            appointments.record_history(s, tenant_id=tenant_id, appointment_id=before.id, at=now, actor='customer',
                                        action='staff_changed', from_value=before.staff.name,
                                        to_value=store.staff_name(s, tenant_id=tenant_id, staff_id=chosen))
        s.flush()
        moved = _own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id)
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=notify.RESCHEDULED,
                            previous_start=before.start, reason=reason, now=now)
    appointments.publish_change(tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                kind='rescheduled', freed=(before.staff.id, _local_day(before.start, found)))
    taken = (chosen, _local_day(slot.start, found))
    if taken != (before.staff.id, _local_day(before.start, found)):
        events.publish(events.availability_topic(tenant_id), {'staff_id': taken[0], 'day': taken[1].isoformat()})
    return moved


# ---- helpers ---------------------------------------------------------------------------------------------------


def _hold_slot(s: Session, *, tenant_id: int, found: store.BookableService, staff_id: int | None,
               location_id: int | None, start: datetime, now: datetime, seats: int,
               ignore_appointment_id: int | None = None, prefer: int | None = None) -> tuple[Slot, int]:
    """Lock the candidate staff, re-read their day and return the engine's slot at `start` with the staff to take."""
    service = found.service
    if start <= now:
        raise BookingRefused('That time has already passed. Please pick another.')
    if start < now + service.min_notice:
        words = rules.duration_words(int(service.min_notice.total_seconds() // 60))
        raise BookingRefused(f'This service needs {words} notice. Please pick a later time.')
    if seats > service.capacity:
        raise BookingRefused(f'At most {service.capacity} seat{"s" if service.capacity != 1 else ""} '
                             'can be booked at one time.')
    day = _local_day(start, found)
    if (day - now.astimezone(found.zone).date()).days > service.max_days_ahead:
        raise BookingRefused(f'This service can be booked at most {service.max_days_ahead} days ahead.')
    staff_ids = store.staff_ids_for(s, tenant_id=tenant_id, service_id=service.id, staff_id=staff_id,
                                    location_id=location_id)
    if not staff_ids:
        raise BookingRefused('Nobody offers that service there. Please pick another staff member.')
    store.lock_staff(s, tenant_id=tenant_id, staff_ids=staff_ids)
    # read after the lock: on PostgreSQL each statement sees what the previous holder committed
    lo, hi = day_window(day, day, found.zone)
    request = store.slot_request(s, tenant_id=tenant_id, found=found, staff_ids=staff_ids, start=lo, end=hi,
                                 seats=seats, ignore_appointment_id=ignore_appointment_id)
    finder = SlotFinder(request)
    slot = next((x for x in finder.free_slots(day=day, now=now) if x.start == start), None)
    if slot is None:
        empty = SlotFinder(replace(request, bookings=()))
        if any(x.start == start for x in empty.free_slots(day=day, now=now)):
            raise SlotTaken()
        raise BookingRefused('That time is not open for booking. Please pick another.')
    chosen = prefer if prefer in slot.staff_ids else slot.staff_ids[0]
    return slot, chosen


def _new_booking_status(statuses: tuple[d.Status, ...]) -> d.Status:
    busy = [st for st in statuses if st.busy]
    if not busy:
        raise BookingRefused('This business is not taking bookings online right now.')
    return next((st for st in busy if st.key == 'pending'), busy[0])


def _own(s: Session, *, tenant_id: int, customer_id: int, appointment_id: int,
         statuses: tuple[d.Status, ...] | None = None, with_history: bool = True) -> d.Appointment:
    appt = q.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                  status_list=statuses or q.statuses(s, tenant_id=tenant_id),
                                  with_history=with_history)
    if appt is None:
        raise BookingRefused(appointments.NOT_YOURS)
    return appt


def _local_day(instant: datetime, found: store.BookableService) -> date:
    return instant.astimezone(found.zone).date()


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError('booking times must be aware datetimes')
    return instant.astimezone(UTC)
