"""What a customer may do to an appointment now, and if not, why (SPEC section 3).

Every function is pure: the appointment, the business's settings and `now` come in; a reason in plain words for the
customer comes out (None means allowed). The panel uses them to hide or explain actions; the services ask them again
inside the write transaction, whatever the browser sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo

from domain.availability import Booking
from domain.model import Appointment, CustomerPackage, Service, Status
from domain.payments import why_nothing_to_pay
from domain.settings import PanelSettings

PANEL_OFF = 'The customer panel is switched off for now. Please contact the business.'
# Someone else got the time first (a new booking, a move, a held booking confirmed): one message wherever it happens.
TAKEN = 'That time was just taken. Please pick another.'


class NotAllowed(Exception):
    """A refusal the customer should read: `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---- a new time ------------------------------------------------------------------------------------------------


def why_not_book_at(service: Service, *, start: datetime, now: datetime, seats: int, zone: tzinfo) -> str | None:
    """A time may be booked (or an appointment moved to it) for at least one seat and at most the service's capacity,
    when it is still ahead, gives the service's notice, and is within its horizon (counted in the business's days)."""
    if seats < 1:
        return 'Please book at least one seat.'
    if start <= now:
        return 'That time has already passed. Please pick another.'
    if start < now + service.min_notice:
        words = duration_words(int(service.min_notice.total_seconds() // 60))
        return f'This service needs {words} notice. Please pick a later time.'
    if seats > service.capacity:
        return f'At most {service.capacity} seat{"s" if service.capacity != 1 else ""} can be booked at one time.'
    if (start.astimezone(zone).date() - now.astimezone(zone).date()).days > service.max_days_ahead:
        return f'This service can be booked at most {service.max_days_ahead} days ahead.'
    return None


# ---- reschedule --------------------------------------------------------------------------------------------------


def why_not_reschedule(appt: Appointment, settings: PanelSettings, *, now: datetime) -> str | None:
    """A customer may reschedule while it is on, from the listed statuses, within the quota and both time limits."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if not settings.reschedule_enabled:
        return 'This business does not offer rescheduling online.'
    over = _why_not_over(appt, now)
    if over:
        return over
    if appt.status.key not in settings.reschedule_from_statuses:
        allowed = _words_or([_status_words(k) for k in settings.reschedule_from_statuses])
        if not allowed:
            return 'This business does not offer rescheduling online.'
        return f'Only {allowed} appointments can be rescheduled online.'
    quota = settings.reschedule_quota
    if quota and appt.reschedule_count >= quota:
        times = 'once' if quota == 1 else f'{quota} times'
        return f'An appointment can be rescheduled at most {times}; this one already was.'
    closed = _why_not_in_window(appt, settings, now)
    if closed:
        return closed
    if now >= appt.start - timedelta(minutes=settings.reschedule_closes_minutes):
        return f'Rescheduling closes {_before(settings.reschedule_closes_minutes)} the start.'
    return None


def reschedule_needs_reason(appt: Appointment) -> bool:
    """The first reschedule needs no explanation; every later one asks the customer why."""
    return appt.reschedule_count >= 1


def status_after_reschedule(appt: Appointment, settings: PanelSettings) -> str:
    """The status key a rescheduled appointment gets: its own ('keep') or the one the business set."""
    if settings.status_after_reschedule == 'keep':
        return appt.status.key
    return settings.status_after_reschedule


# ---- status change -----------------------------------------------------------------------------------------------


def why_not_change_status(appt: Appointment, settings: PanelSettings, *, now: datetime,
                          statuses: Sequence[Status] | None = None) -> str | None:
    """A customer may open Change status while it is on, the appointment has not started, the time limit has not
    passed and some status may be reached from the current one (with `statuses`, busy targets count only if allowed)."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if not settings.status_change_enabled:
        return 'This business does not offer status changes online.'
    over = _why_not_over(appt, now)
    if over:
        return over
    closed = _why_not_in_window(appt, settings, now)
    if closed:
        return closed
    targets = [key for key, sources in settings.status_transitions.items()
               if key != appt.status.key and appt.status.key in sources]
    if statuses is not None:
        by_key = {s.key: s for s in statuses}
        targets = [k for k in targets if k in by_key and (settings.allow_busy_targets or not by_key[k].busy)]
    if not targets:
        return f'An appointment that is {appt.status.label.lower()} cannot be changed online.'
    return None


def allowed_targets(appt: Appointment, settings: PanelSettings, statuses: Sequence[Status], *,
                    now: datetime) -> list[Status]:
    """The statuses the customer may set now, in the business's order (empty when none)."""
    return [s for s in statuses if why_not_set_status(appt, s, settings, now=now) is None]


def why_not_set_status(appt: Appointment, target: Status, settings: PanelSettings, *, now: datetime) -> str | None:
    """A status may be set when changes are open, the business lists it from the current status, and (for a busy
    status, one that occupies the slot) the business confirmed customers may set it."""
    if target.key == appt.status.key:
        return f'The appointment is already {target.label.lower()}.'
    closed = why_not_change_status(appt, settings, now=now)
    if closed:
        return closed
    sources = settings.status_transitions.get(target.key, ())
    if appt.status.key not in sources:
        return (f'An appointment that is {appt.status.label.lower()} cannot be set to '
                f'{target.label.lower()} online.')
    if target.busy and not settings.allow_busy_targets:
        return f'Only the business can set an appointment to {target.label.lower()}.'
    return None


def needs_slot_check(appt: Appointment, target: Status) -> bool:
    """Moving from a status that frees the slot to one that occupies it must find the slot still free."""
    return target.busy and not appt.status.busy


def why_not_occupy(appt: Appointment, others: Iterable[Booking]) -> str | None:
    """The appointment may take its slot again when its staff member's other busy bookings leave room: no overlap
    of buffered spans, except bookings of the same service at the very same start, which share seats up to capacity."""
    svc = appt.service
    lo, hi = appt.start - svc.buffer_before, appt.end + svc.buffer_after
    seats_taken = 0
    for b in others:
        if b.appointment_id == appt.id or b.staff_id != appt.staff.id:
            continue
        if b.end + b.buffer_after <= lo or b.start - b.buffer_before >= hi:
            continue
        if b.service_id == svc.id and b.start == appt.start:
            seats_taken += b.seats
            continue
        return _TAKEN
    if seats_taken + appt.seats > svc.capacity:
        if svc.capacity == 1:
            return _TAKEN
        return 'All seats at that time are taken now, so the appointment cannot be restored. Please book a new time.'
    return None


_TAKEN = 'That time is no longer free, so the appointment cannot be restored. Please book a new time.'


# ---- pay ---------------------------------------------------------------------------------------------------------


def why_not_pay(appt: Appointment, settings: PanelSettings) -> str | None:
    """Pay now is offered when the business shows it, the appointment still holds its slot and something is due."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if settings.hide_pay_now:
        return settings.offline_payment_instructions or 'This business takes payment in person.'
    return why_nothing_to_pay(appt)


def why_not_pay_package(cp: CustomerPackage, settings: PanelSettings) -> str | None:
    """A package's Pay follows the same switch as an appointment's: offered when the business shows Pay now and the
    package is not paid yet."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if settings.hide_pay_now:
        return settings.offline_payment_instructions or 'This business takes payment in person.'
    if cp.paid:
        return 'This package is already paid.'
    return None


# ---- where the visit happens ---------------------------------------------------------------------------------------

CHOOSE_LOCATION = 'Please choose where you would like to come.'


def visit_location(staff_location_ids: Sequence[int], chosen: int | None) -> int | None:
    """Where a new booking takes place: the location the customer chose, or the staff member's only one (None when
    the staff member works nowhere in particular, as for an online service)."""
    if chosen is not None:
        return chosen
    return staff_location_ids[0] if len(staff_location_ids) == 1 else None


def why_not_location(staff_location_ids: Sequence[int], chosen: int | None) -> str | None:
    """A booking with a staff member who works at several locations must say which one; a chosen location must be
    one where that staff member works."""
    if chosen is None:
        return CHOOSE_LOCATION if len(staff_location_ids) > 1 else None
    if chosen not in staff_location_ids:
        return 'That staff member does not work at that location. Please choose another place or person.'
    return None


# ---- the account ---------------------------------------------------------------------------------------------------

SIGNUP_CLOSED = 'Sign-up is closed. Ask the business to create an account for you.'


def why_not_sign_up(settings: PanelSettings) -> str | None:
    """Visitors may open an account themselves only when the business allows sign-up."""
    return None if settings.allow_signup else SIGNUP_CLOSED


def why_not_delete_account(settings: PanelSettings) -> str | None:
    """A customer may close their own account only when the business allows it."""
    if settings.allow_account_deletion:
        return None
    return 'Deleting your account is not offered here. Contact the business to close it.'


def why_not_upload_avatar(settings: PanelSettings) -> str | None:
    """A profile photo may be uploaded only while the panel is on and the Panel Designer allows uploads."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if settings.designer.allow_avatar_upload:
        return None
    return 'This business does not take profile photos.'


def sends_welcome(settings: PanelSettings) -> bool:
    """Someone who books with a new email is welcomed with a set-password link only when the business auto-creates
    accounts; otherwise the booking stands and no email offers them an account."""
    return settings.auto_create_account


# ---- helpers -----------------------------------------------------------------------------------------------------


def _why_not_over(appt: Appointment, now: datetime) -> str | None:
    if appt.is_past(now):
        return 'This appointment is over, so it can no longer be changed.'
    if now >= appt.start:
        return 'This appointment has already started, so it can no longer be changed.'
    return None


def _why_not_in_window(appt: Appointment, settings: PanelSettings, now: datetime) -> str | None:
    if now >= appt.start - timedelta(minutes=settings.change_closes_minutes):
        return f'Changes close {_before(settings.change_closes_minutes)} the start.'
    return None


def _before(minutes: int) -> str:
    """'60 minutes before', '2 hours before', '1 day before'; zero reads 'at'."""
    if minutes <= 0:
        return 'at'
    return f'{duration_words(minutes)} before'


def duration_words(minutes: int) -> str:
    """Minutes as a customer says them: 45 minutes, 60 minutes, 2 hours, 1 day, 90 minutes."""
    if minutes >= 1440 and minutes % 1440 == 0:
        n, unit = minutes // 1440, 'day'
    elif minutes > 60 and minutes % 60 == 0:
        n, unit = minutes // 60, 'hour'
    else:
        n, unit = minutes, 'minute'
    return f'{n} {unit}{"" if n == 1 else "s"}'


def _status_words(key: str) -> str:
    return key.replace('-', ' ').replace('_', ' ')


def _words_or(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return ''.join(words)
    return ', '.join(words[:-1]) + ' or ' + words[-1]


# ---- free text ---------------------------------------------------------------------------------------------------

# Every free-text field has a limit, enforced by the service that saves it (the page's maxlength only helps).
NOTES_MAX = 2000  # what a customer tells the business when booking
REASON_MAX = 500  # why a customer changes or moves an appointment


def text_problem(value: str, *, limit: int, what: str) -> str | None:
    """A free text may be at most `limit` characters; the answer names the field and its limit."""
    if len(value) > limit:
        return f'Please keep {what} under {limit:,} characters.'
    return None


# ---- rating ------------------------------------------------------------------------------------------------------

RATING_COMMENT_MAX = 1000


def why_not_rate(appt: Appointment, *, now: datetime, already_rated: bool) -> str | None:
    """A visit can be rated once, after it took place (completed: over, with a busy status other than no-show)."""
    if already_rated:
        return 'You have already rated this visit. Thank you!'
    if not appt.is_past(now):
        return 'You can rate this visit once it is over.'
    if not appt.is_completed(now):
        return 'Only visits that took place can be rated.'
    return None


def rating_problem(stars: int, comment: str) -> str | None:
    """Ratings are whole stars from 1 to 5 with an optional comment of reasonable length."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        return 'Choose from 1 to 5 stars.'
    return text_problem(comment, limit=RATING_COMMENT_MAX, what='the comment')
