"""What a customer does to one of their appointments: change its status, rate the visit, take it to a calendar.

Every write follows one pattern, which reschedule (the slot engine's) reuses through the helpers below:
load only the customer's own appointment of this tenant, ask the domain, write in one transaction (re-checking
whatever the domain asked about), record the history (who, when, from, to, reason) and queue the emails in that same
transaction (`notify.queue_change`), and after the commit publish a live-update event (`publish_change`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain import rules
from domain.i18n import lazy, overrides_from_settings
from domain.rules import NotAllowed
from domain.statuses import awaits_confirmation
from services import calendar, events, i18n, notify
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import tenants as tenant_db
from storage.db import Database

NOT_YOURS = lazy('That appointment is not in your account.')
REASON_MAX = rules.REASON_MAX

__all__ = ['NOT_YOURS', 'NotAllowed', 'announce_status_change', 'appointment_calendar', 'change_status',
           'publish_change', 'rate', 'rating_of', 'record_history', 'record_reschedule', 'notify_change',
           'queue_change']

notify_change = notify.notify_change
queue_change = notify.queue_change


def change_status(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int, target: str,
                  reason: str = '', now: datetime, actor: str = 'customer') -> d.Appointment:
    """Move the customer's appointment to `target` when the business's rules allow it now, or raise NotAllowed."""
    too_long = rules.text_problem(' '.join((reason or '').split()), limit=rules.REASON_MAX, what=rules.REASON)
    if too_long:
        raise NotAllowed(too_long)
    reason = _clean_reason(reason)
    with db.write() as s:
        appt, statuses = _load_own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id)
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        wanted = next((st for st in statuses if st.key == target), None)
        if wanted is None:
            raise NotAllowed(lazy('That status is not one this business uses.'))
        refusal = rules.why_not_set_status(appt, wanted, settings, now=now)
        if refusal:
            raise NotAllowed(refusal)
        ensure_slot_still_free(s, tenant_id=tenant_id, appt=appt, target=wanted)
        appointment_db.set_status(s, tenant_id=tenant_id, appointment_id=appointment_id, status_key=wanted.key)
        record_history(s, tenant_id=tenant_id, appointment_id=appointment_id,
                       entry=dh.status_changed(at=now, actor=actor, from_status=appt.status.key,
                                               to_status=wanted.key, reason=reason))
        s.flush()
        changed = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                      appointment_id=appointment_id, status_list=statuses)
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appointment_id, kind=notify.STATUS,
                            previous_status=appt.status.key, reason=reason, now=now)
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
    assert changed is not None
    announce_status_change(db, tenant_id=tenant_id, customer_id=customer_id, before=appt, busy_now=wanted.busy,
                           reason=reason, now=now, zone=zone)
    return changed


def ensure_slot_still_free(session: Session, *, tenant_id: int, appt: d.Appointment, target: d.Status) -> None:
    """Before `appt` takes its slot again (a non-busy status going to a busy one): the slot was given up earlier and
    someone may have booked it since, so lock the staff member and check inside this transaction; NotAllowed when it
    is taken. Customers and the front desk both go through here."""
    if not rules.needs_slot_check(appt, target):
        return
    catalog_db.lock_staff(session, tenant_id=tenant_id, staff_ids=[appt.staff.id])
    others = appointment_db.busy_bookings(session, tenant_id=tenant_id, staff_ids=[appt.staff.id], start=appt.start,
                                          end=appt.end)
    taken = rules.why_not_occupy(appt, others)
    if taken:
        raise NotAllowed(taken)


def announce_status_change(db: Database, *, tenant_id: int, customer_id: int, before: d.Appointment, busy_now: bool,
                           reason: str, now: datetime, zone: ZoneInfo) -> None:
    """After a status change commits: the customer's open panels, and the slot pickers when the appointment
    stopped (or started) holding its time. (Its emails were queued in the change's transaction with
    `notify.queue_change`.)"""
    slot_moved = before.status.busy != busy_now
    publish_change(tenant_id=tenant_id, customer_id=customer_id, appointment_id=before.id, kind='status',
                   freed=(before.staff.id, before.start.astimezone(zone).date()) if slot_moved else None)


# ---- shared write helpers (reschedule uses these too) -------------------------------------------------------------


def record_history(session: Session, *, tenant_id: int, appointment_id: int, entry: d.HistoryEntry) -> None:
    """One line of the appointment's history (made by domain.history), in the caller's transaction; a reason a
    person typed is stored cleaned."""
    if entry.data.get('reason'):
        entry = replace(entry, data={**entry.data, 'reason': _clean_reason(str(entry.data['reason']))})
    appointment_db.add_history(session, tenant_id=tenant_id, appointment_id=appointment_id, entry=entry)


def record_reschedule(session: Session, *, tenant_id: int, before: d.Appointment, new_start: datetime,
                      new_status: str, reason: str, now: datetime, actor: str = 'customer') -> None:
    """History for a reschedule: the move, and the status change it brought (settings.status_after_reschedule)."""
    record_history(session, tenant_id=tenant_id, appointment_id=before.id,
                   entry=dh.rescheduled(at=now, actor=actor, from_start=before.start, to_start=new_start,
                                        reason=reason))
    if new_status != before.status.key:
        status = next((st for st in tenant_db.statuses(session, tenant_id=tenant_id) if st.key == new_status), None)
        cause = dh.AWAITS_CONFIRMATION if status and awaits_confirmation(status) else dh.AFTER_RESCHEDULE
        record_history(session, tenant_id=tenant_id, appointment_id=before.id,
                       entry=dh.status_changed(at=now, actor=dh.SYSTEM, from_status=before.status.key,
                                               to_status=new_status, cause=cause))


def publish_change(*, tenant_id: int, customer_id: int, appointment_id: int, kind: str,
                   freed: tuple[int, date] | None = None) -> None:
    """Tell open panels of this customer that an appointment changed, and slot pickers when time was freed or taken.

    Customer topic payload: {'type': 'appointment.changed', 'appointment_id', 'kind'} ('status', 'rescheduled',
    'rated'). `freed` = (staff_id, local day in the business's zone) also publishes on the availability topic.
    """
    events.publish(events.customer_topic(tenant_id, customer_id),
                   {'type': 'appointment.changed', 'appointment_id': appointment_id, 'kind': kind})
    if freed is not None:
        staff_id, day = freed
        events.publish(events.availability_topic(tenant_id), {'staff_id': staff_id, 'day': day.isoformat()})


# ---- rating and calendar ------------------------------------------------------------------------------------------


def rating_of(db: Database, *, tenant_id: int, customer_id: int,
              appointment_id: int) -> appointment_db.RatingValue | None:
    """The customer's rating of their visit, if they gave one."""
    with db.read() as s:
        if not appointment_db.lock_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                               appointment_id=appointment_id):
            raise NotAllowed(NOT_YOURS)
        return appointment_db.rating(s, tenant_id=tenant_id, appointment_id=appointment_id)


def rate(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int, stars: int, comment: str = '',
         now: datetime) -> appointment_db.RatingValue:
    """Rate a completed visit, once: 1 to 5 stars and an optional comment."""
    comment = comment.strip()
    problem = rules.rating_problem(stars, comment)
    if problem:
        raise NotAllowed(problem)
    with db.write() as s:
        appt, _ = _load_own(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id)
        already = appointment_db.rating(s, tenant_id=tenant_id, appointment_id=appointment_id) is not None
        refusal = rules.why_not_rate(appt, now=now, already_rated=already)
        if refusal:
            raise NotAllowed(refusal)
        appointment_db.add_rating(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                  stars=stars,
                                  comment=comment, now=now)
    publish_change(tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id, kind='rated')
    return appointment_db.RatingValue(stars=stars, comment=comment, created_at=now)


def appointment_calendar(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int,
                         now: datetime, locale: str | None = None) -> tuple[str, bytes]:
    """(file name, .ics bytes) of the customer's own appointment, for "Add to calendar", its words in `locale` (the
    page's language; None: the customer's saved one, else the business's default)."""
    with db.read() as s:
        data = appointment_db.notice_data(s, tenant_id=tenant_id, appointment_id=appointment_id)
    if data is None or data.customer.id != customer_id:
        raise NotAllowed(NOT_YOURS)
    appt = data.appointment
    method = calendar.PUBLISH if appt.status.busy else calendar.CANCEL
    language = locale or i18n.choose_locale(data.customer.language, None, data.settings.default_language)
    return calendar.ics_filename(appt), calendar.appointment_ics(
        appt, tenant=data.tenant, method=method, now=now, locale=language,
        overrides=overrides_from_settings(data.settings.text_overrides))


# ---- helpers ---------------------------------------------------------------------------------------------------


def _load_own(s: Session, *, tenant_id: int, customer_id: int,
              appointment_id: int) -> tuple[d.Appointment, tuple[d.Status, ...]]:
    if not appointment_db.lock_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                           appointment_id=appointment_id):
        raise NotAllowed(NOT_YOURS)
    statuses = tenant_db.statuses(s, tenant_id=tenant_id)
    appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                               appointment_id=appointment_id,
                                               status_list=statuses)
    if appt is None:
        raise NotAllowed(NOT_YOURS)
    return appt, statuses


def _clean_reason(reason: str) -> str:
    """The reason on one line; what a customer types is checked against REASON_MAX before it gets here."""
    return ' '.join((reason or '').split())[:REASON_MAX]
