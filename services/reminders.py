"""Reminders before a visit, the follow-up after it, and what a customer does from a reminder's page.

A scheduler thread on every instance (`start_scheduler`, run by `kairos serve` like the email sender) calls
`run_due` every KAIROS_REMINDER_POLL_SECONDS: one query finds the appointments with a reminder due
(storage.reminders), and each is handled in a transaction of its own that claims the appointment (PostgreSQL:
FOR UPDATE SKIP LOCKED, so two instances never handle the same one; SQLite: one writer, one scheduler per process),
looks at it again as it is now, asks the domain which reminder goes (domain.reminders.reminder_plan), records it in
reminder_sent (unique per appointment, kind, start and reminder: exactly once) and queues the email in the outbox in
that same transaction, so it leaves only if the record commits, and leaves even if the process dies right after.

The emails are the kinds `reminder` and `follow_up` of services.emails, written in the customer's language (their
saved one, else the business's default) and time zone, with the appointment's facts, its .ics, and buttons that
open our page (`/reminder?token=...`): the page acts only after a click on it. The token is stored as an HMAC
(services.tokens) and works until the visit starts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain import reminders as dr
from domain import rules
from domain.admins import AdminRole
from domain.i18n import Overrides, Text, lazy, overrides_from_settings
from domain.rules import NotAllowed
from domain.settings import PanelSettings
from domain.statuses import awaits_confirmation, freeing_status, with_role
from services import admin_auth, appointments, audit, calendar, emails, mail, runtime, tokens
from services import formatting as fmt
from services import i18n as i18n_service
from services.config import get_config, public_base
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import reminders as reminder_db
from storage import tenants as tenant_db
from storage.db import Database

log = logging.getLogger(__name__)

CONFIRM, RESCHEDULE, CANCEL = 'confirm', 'reschedule', 'cancel'


class Scheduler:
    """The process's side of the reminders (one per runtime): the thread and, on SQLite, the one-at-a-time lock."""

    def __init__(self) -> None:
        self.sqlite_lock = threading.Lock()
        self.thread: _Thread | None = None

    def close(self) -> None:
        stop_scheduler(scheduler=self)


# ---- the scheduler -------------------------------------------------------------------------------------------------


def run_due(db: Database, *, now: datetime | None = None, limit: int = 500) -> int:
    """Send every reminder and follow-up due at `now` (up to `limit` of each); returns how many emails were queued.
    Safe to run on every instance at once."""
    at = now or datetime.now(UTC)
    if db.is_postgres:
        return _run_due(db, at, limit)
    with runtime.get().reminders.sqlite_lock:
        return _run_due(db, at, limit)


def _run_due(db: Database, now: datetime, limit: int) -> int:
    with db.read() as s:
        settings = {tenant_id: ps for tenant_id, ps in tenant_db.all_panel_settings(s) if ps is not None}
        groups = reminder_db.rule_groups((tid, ps.reminders) for tid, ps in settings.items())
        due = reminder_db.due_reminders(s, groups, now=now, limit=limit)
        follow_tenants = [tid for tid, ps in settings.items() if ps.reminders.follow_up]
        follow = reminder_db.due_follow_ups(s, tenant_ids=follow_tenants, now=now,
                                            earliest_end=now - dr.FOLLOW_UP_WINDOW,
                                            latest_end=now - dr.FOLLOW_UP_DELAY, limit=limit)
    queued = 0
    for item in due:
        queued += _handle(db, item, settings[item.tenant_id], now, _reminder)
    for item in follow:
        queued += _handle(db, item, settings[item.tenant_id], now, _follow_up)
    return queued


_Step = Callable[[Session, appointment_db.NoticeData, PanelSettings, datetime], int]


def _handle(db: Database, item: reminder_db.Due, settings: PanelSettings, now: datetime, step: _Step) -> int:
    try:
        with db.write() as s:
            if not reminder_db.claim(s, appointment_id=item.appointment_id):
                return 0  # another instance has it (or a customer is changing it): the next round looks again
            data = appointment_db.notice_data(s, tenant_id=item.tenant_id, appointment_id=item.appointment_id)
            if data is None:
                return 0
            return step(s, data, settings, now)
    except Exception:  # one appointment that cannot be handled must not stop the others
        log.exception('reminder for appointment %s not handled', item.appointment_id)
        return 0




def _reminder(s: Session, data: appointment_db.NoticeData, settings: PanelSettings, now: datetime) -> int:
    """The appointment as it is now (it may have moved, or been canceled, since the query): record and queue."""
    appt, customer = data.appointment, data.customer
    if not appt.status.busy or not customer.active or not customer.email_reminders:
        return 0
    offsets = settings.reminders.offsets_for(appt.service.id)
    done = reminder_db.handled(s, appointment_id=appt.id, kind=dr.REMINDER, for_start=appt.start)
    plan = dr.reminder_plan(start=appt.start, booked_at=appt.created_at, offsets=offsets, handled=done, now=now)
    for minutes in plan.skip:
        reminder_db.record(s, tenant_id=data.tenant.id, appointment_id=appt.id, kind=dr.REMINDER,
                           for_start=appt.start, minutes_before=minutes, skipped=True, now=now)
    if plan.send is None:
        return 0
    reminder_db.record(s, tenant_id=data.tenant.id, appointment_id=appt.id, kind=dr.REMINDER, for_start=appt.start,
                       minutes_before=plan.send, skipped=False, now=now)
    token = tokens.issue_in(s, tenant_id=data.tenant.id, customer_id=customer.id, purpose=tokens.Purpose.REMINDER,
                            now=now, payload=str(appt.id), keep_earlier=True, expires_at=appt.start)
    subject, text, html = render_reminder(data, settings, token=token, session=s)
    locale, _, own_words = _reader(data, settings)
    ics = calendar.appointment_ics(appt, tenant=data.tenant, method=calendar.REQUEST, now=now, attendee=customer,
                                   locale=locale, overrides=own_words)
    mail.queue(s, tenant_id=data.tenant.id, template=emails.REMINDER.name, to=customer.email, subject=subject,
               text=text, html=html, attachments=((calendar.ics_filename(appt), ics,
                                                   f'text/calendar; method={calendar.REQUEST}'),))
    return 1


def _follow_up(s: Session, data: appointment_db.NoticeData, settings: PanelSettings, now: datetime) -> int:
    appt, customer = data.appointment, data.customer
    if not settings.reminders.follow_up or not customer.active or not customer.email_reminders:
        return 0
    if reminder_db.has_follow_up(s, appointment_id=appt.id) or not dr.follow_up_due(appt, now=now):
        return 0
    if appointment_db.rating(s, tenant_id=data.tenant.id, appointment_id=appt.id) is not None:
        return 0
    reminder_db.record(s, tenant_id=data.tenant.id, appointment_id=appt.id, kind=dr.FOLLOW_UP, for_start=appt.start,
                       minutes_before=0, skipped=False, now=now)
    subject, text, html = render_follow_up(data, settings, session=s)
    mail.queue(s, tenant_id=data.tenant.id, template=emails.FOLLOW_UP.name, to=customer.email, subject=subject,
               text=text, html=html)
    return 1


# ---- the emails ----------------------------------------------------------------------------------------------------


def _reader(data: appointment_db.NoticeData, settings: PanelSettings) -> tuple[str, ZoneInfo, Overrides]:
    """The customer's language (their saved one, else the business's default), time zone and the business's own
    wording."""
    return (emails.recipient_locale(saved=data.customer.language, business_default=settings.default_language),
            ZoneInfo(data.customer.timezone or data.tenant.timezone), overrides_from_settings(settings.text_overrides))


def render_reminder(data: appointment_db.NoticeData, settings: PanelSettings, *, token: str,
                    session: Session | None = None) -> tuple[str, str, str | None]:
    """(subject, text, HTML) of a reminder (services.emails.REMINDER) in the customer's language and zone, with its
    buttons: confirm (when the business asks for it), reschedule and cancel, each to our page."""
    appt, tenant, customer = data.appointment, data.tenant, data.customer
    locale, tz, own_words = _reader(data, settings)
    base = public_base(tenant.host)
    page = f'{base}/reminder?token={token}&do='
    values = {
        'business': tenant.name, 'name': customer.first_name or customer.full_name or emails.THERE,
        'service': appt.service.name,
        'what': i18n_service.gettext('%(service)s with %(staff)s', locale=locale, overrides=own_words,
                                     service=appt.service.name, staff=appt.staff.name),
        'when': f'{fmt.when(appt.start, appt.end, tz, locale=locale)} ({tz.key})',
        'place': calendar.place_text(appt), 'meeting': appt.service.meeting_url or '',
        'confirm_link': page + CONFIRM if settings.reminders.ask_confirmation else '',
        'reschedule_link': page + RESCHEDULE, 'cancel_link': page + CANCEL, 'profile_link': f'{base}/profile'}
    return emails.render_for(emails.REMINDER.name, values, locale=locale, settings=settings,
                             own=_own(session, data, emails.REMINDER.name, locale))


def render_follow_up(data: appointment_db.NoticeData, settings: PanelSettings, *,
                     session: Session | None = None) -> tuple[str, str, str | None]:
    """(subject, text, HTML) of the follow-up (services.emails.FOLLOW_UP) asking for a rating, linking to the visit's
    Details in the panel, where the rating prompt is."""
    appt, tenant, customer = data.appointment, data.tenant, data.customer
    locale, tz, _own_words = _reader(data, settings)
    base = public_base(tenant.host)
    values = {'business': tenant.name, 'name': customer.first_name or customer.full_name or emails.THERE,
              'service': appt.service.name, 'staff': appt.staff.name,
              'when': fmt.date(appt.start, tz, locale=locale),
              'link': f'{base}/?open=details&appointment={appt.id}', 'profile_link': f'{base}/profile'}
    return emails.render_for(emails.FOLLOW_UP.name, values, locale=locale, settings=settings,
                             own=_own(session, data, emails.FOLLOW_UP.name, locale))


def _own(session: Session | None, data: appointment_db.NoticeData, name: str,
         locale: str) -> dict[tuple[str, str], emails.EmailOverride]:
    """The business's own wording of this email (admin area, Emails), read in the caller's transaction."""
    if session is None:
        return {}
    return emails.own_wording(session, tenant_id=data.tenant.id, name=name, locale=locale)


# ---- the reminder's page -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderView:
    """What the reminder's page shows: the appointment, and for each action None (allowed) or why not."""

    appointment: d.Appointment
    tenant: d.Tenant
    customer: d.Customer
    confirm: Text | str | None
    cancel: Text | str | None
    reschedule: Text | str | None
    asks_confirmation: bool
    confirmed_at: datetime | None


def reminder_view(db: Database, *, tenant_id: int, token: str, now: datetime) -> ReminderView:
    """The appointment a reminder's link names, with what the customer may do now; InvalidToken when the link is
    not (or no longer) valid."""
    held = tokens.check(db, tenant_id=tenant_id, purpose=tokens.Purpose.REMINDER, token=token, now=now)
    with db.read() as s:
        return _view(s, tenant_id=tenant_id, customer_id=held.customer_id, appointment_id=_id(held), now=now)


def confirm_visit(db: Database, *, tenant_id: int, token: str, now: datetime) -> ReminderView:
    """The customer confirms from a reminder: the visit is marked confirmed by the customer, and a pending one
    becomes confirmed (history: by the customer). NotAllowed with the reason when it cannot be."""
    held = tokens.check(db, tenant_id=tenant_id, purpose=tokens.Purpose.REMINDER, token=token, now=now)
    appointment_id = _id(held)
    with db.write() as s:
        if not appointment_db.lock_appointment(s, tenant_id=tenant_id, customer_id=held.customer_id,
                                               appointment_id=appointment_id):
            raise NotAllowed(appointments.NOT_YOURS)
        view = _view(s, tenant_id=tenant_id, customer_id=held.customer_id, appointment_id=appointment_id, now=now)
        if view.confirm is not None:
            raise NotAllowed(view.confirm)
        appt = view.appointment
        statuses = tenant_db.statuses(s, tenant_id=tenant_id)
        confirmed = with_role(statuses, d.StatusRole.CONFIRMED)
        reminder_db.set_confirmed(s, tenant_id=tenant_id, appointment_id=appt.id, by=dh.CUSTOMER, at=now)
        if awaits_confirmation(appt.status) and confirmed is not None and confirmed.busy:
            appointment_db.set_status(s, tenant_id=tenant_id, appointment_id=appt.id, status_key=confirmed.key)
            appointments.record_history(s, tenant_id=tenant_id, appointment_id=appt.id, entry=dh.status_changed(
                at=now, actor=dh.CUSTOMER, from_status=appt.status.key, to_status=confirmed.key,
                cause=dh.CONFIRMED_FROM_REMINDER))
            s.flush()
            appointments.queue_change(s, tenant_id=tenant_id, appointment_id=appt.id, kind='status',
                                      previous_status=appt.status.key, cause=dh.CONFIRMED_FROM_REMINDER, now=now)
        else:
            appointments.record_history(s, tenant_id=tenant_id, appointment_id=appt.id,
                                        entry=dh.confirmed(at=now, actor=dh.CUSTOMER))
        fresh = _view(s, tenant_id=tenant_id, customer_id=held.customer_id, appointment_id=appt.id, now=now)
    appointments.publish_change(tenant_id=tenant_id, customer_id=held.customer_id, appointment_id=appt.id,
                                kind='status')
    return fresh


def cancel_visit(db: Database, *, tenant_id: int, token: str, now: datetime) -> ReminderView:
    """The customer cancels from a reminder, within the business's rules (the panel's own cancel)."""
    held = tokens.check(db, tenant_id=tenant_id, purpose=tokens.Purpose.REMINDER, token=token, now=now)
    view = reminder_view(db, tenant_id=tenant_id, token=token, now=now)
    if view.cancel is not None:
        raise NotAllowed(view.cancel)
    with db.read() as s:
        target = freeing_status(tenant_db.statuses(s, tenant_id=tenant_id))
    assert target is not None  # view.cancel said there is one
    appointments.change_status(db, tenant_id=tenant_id, customer_id=held.customer_id, appointment_id=_id(held),
                               target=target.key, now=now)
    return reminder_view(db, tenant_id=tenant_id, token=token, now=now)


def set_email_reminders(db: Database, *, tenant_id: int, customer_id: int, on: bool) -> None:
    """The customer's "email me reminders" switch (Profile)."""
    from storage import customers as customer_db

    with db.write() as s:
        customer_db.set_email_reminders(s, tenant_id=tenant_id, customer_id=customer_id, on=on)


# ---- the business's settings (the admin area) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingsView:
    settings: dr.ReminderSettings
    services: list[tuple[int, str]]  # the business's active services (id, name)


def settings_view(db: Database, *, tenant_id: int, admin_id: int) -> SettingsView:
    """The business's reminder settings and its services, for the admin's Reminders page."""
    with db.read() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        services = catalog_db.bookable_services(s, tenant_id=tenant_id)
        return SettingsView(settings=tenant_db.panel_settings(s, tenant_id=tenant_id).reminders,
                            services=[(svc.id, svc.name) for svc in services])


def save_settings(db: Database, *, tenant_id: int, admin_id: int, reminders: dr.ReminderSettings,
                  now: datetime) -> dr.ReminderSettings:
    """An admin saves the reminder settings: validated with the rest of the panel settings, recorded in the audit
    log; ReminderSettingsError says what cannot hold."""
    reminders.validate()
    with db.write() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        current = tenant_db.panel_settings(s, tenant_id=tenant_id)
        fresh = replace(current, reminders=reminders).validate(tenant_db.statuses(s, tenant_id=tenant_id))
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='reminders.update', target='reminders',
                     before=current.reminders.to_dict(), after=reminders.to_dict(), now=now)
        tenant_db.save_panel_settings(s, tenant_id=tenant_id, settings=fresh)
    return reminders


def _view(s: Session, *, tenant_id: int, customer_id: int, appointment_id: int, now: datetime) -> ReminderView:
    data = appointment_db.notice_data(s, tenant_id=tenant_id, appointment_id=appointment_id)
    if data is None or data.customer.id != customer_id or not data.customer.active:
        raise tokens.InvalidToken()
    appt = data.appointment
    settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    confirmed_at, _by = reminder_db.confirmation(s, tenant_id=tenant_id, appointment_id=appt.id)
    confirm = dr.why_not_confirm(appt, settings.reminders, now=now, already_confirmed=confirmed_at is not None)
    target = freeing_status(data.statuses)
    cancel: Text | str | None = (rules.why_not_set_status(appt, target, settings, now=now) if target is not None
                                 else lazy('This business takes cancellations by phone only.'))
    reschedule = rules.why_not_reschedule(appt, settings, now=now)
    return ReminderView(appointment=appt, tenant=data.tenant, customer=data.customer, confirm=confirm, cancel=cancel,
                        reschedule=reschedule, asks_confirmation=settings.reminders.ask_confirmation,
                        confirmed_at=confirmed_at)


def _id(held: tokens.Redeemed) -> int:
    if not held.payload.isdigit():
        raise tokens.InvalidToken()
    return int(held.payload)


# ---- the thread ----------------------------------------------------------------------------------------------------


class _Thread(threading.Thread):
    def __init__(self, db: Database) -> None:
        super().__init__(name='kairos-reminders', daemon=True)
        self.db = db
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                run_due(self.db)
            except Exception:  # the database may be briefly away: try again at the next round
                log.exception('the reminder scheduler could not look for due reminders')
            self.stop.wait(get_config().reminder_poll_seconds)


def start_scheduler(db: Database) -> None:
    """Start this instance's scheduler (idempotent); `kairos serve` calls it at start-up."""
    scheduler = runtime.get().reminders
    if scheduler.thread is not None and scheduler.thread.is_alive():
        return
    scheduler.thread = _Thread(db)
    scheduler.thread.start()


def stop_scheduler(*, scheduler: Scheduler | None = None, timeout: float = 5) -> None:
    scheduler = scheduler or runtime.get().reminders
    thread, scheduler.thread = scheduler.thread, None
    if thread is not None:
        thread.stop.set()
        thread.join(timeout)
