"""What a customer may do to an appointment now, and if not, why (SPEC section 3).

Every function is pure: the appointment, the business's settings and `now` come in; a reason in plain words for the
customer comes out (None means allowed), as a `domain.i18n.Text` shown in the reader's language (`str()` of it is the
English, for logs). The panel uses them to hide or explain actions; the services ask them again
inside the write transaction, whatever the browser sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from domain.availability import Booking
from domain.i18n import Said, Text, label, lazy, lazy_plural
from domain.model import DEFAULT_STATUSES, Appointment, CustomerPackage, Service, Status
from domain.payments import why_nothing_to_pay
from domain.settings import DEFAULT_OFFLINE_INSTRUCTIONS, PanelSettings

PANEL_OFF = lazy('The customer panel is switched off for now. Please contact the business.')
# Someone else got the time first (a new booking, a move, a held booking confirmed): one message wherever it happens.
TAKEN = lazy('That time was just taken. Please pick another.')


class NotAllowed(Exception):
    """A refusal the customer should read: `message` says why in plain words (a Text, shown in their language;
    str() of the exception is the English)."""

    def __init__(self, message: Said) -> None:
        super().__init__(str(message))
        self.message = message


# ---- a new time ------------------------------------------------------------------------------------------------


def why_not_book_at(service: Service, *, start: datetime, now: datetime, seats: int, zone: tzinfo) -> Text | None:
    """A time may be booked (or an appointment moved to it) for at least one seat and at most the service's capacity,
    when it is still ahead, gives the service's notice, and is within its horizon (counted in the business's days)."""
    if seats < 1:
        return lazy('Please book at least one seat.')
    if start <= now:
        return lazy('That time has already passed. Please pick another.')
    if start < now + service.min_notice:
        words = duration_words(int(service.min_notice.total_seconds() // 60))
        return lazy('This service needs %(duration)s notice. Please pick a later time.', duration=words)
    if seats > service.capacity:
        return lazy_plural('At most %(num)d seat can be booked at one time.',
                           'At most %(num)d seats can be booked at one time.', service.capacity)
    if (start.astimezone(zone).date() - now.astimezone(zone).date()).days > service.max_days_ahead:
        return lazy_plural('This service can be booked at most %(num)d day ahead.',
                           'This service can be booked at most %(num)d days ahead.', service.max_days_ahead)
    return None


# ---- reschedule --------------------------------------------------------------------------------------------------


def why_not_reschedule(appt: Appointment, settings: PanelSettings, *, now: datetime) -> Said | None:
    """A customer may reschedule while it is on, from the listed statuses, within the quota and both time limits."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if not settings.reschedule_enabled:
        return NO_RESCHEDULING
    over = _why_not_over(appt, now)
    if over:
        return over
    if appt.status.key not in settings.reschedule_from_statuses:
        allowed = _words_or([_status_words(k) for k in settings.reschedule_from_statuses])
        if allowed is None:
            return NO_RESCHEDULING
        return lazy('Only %(statuses)s appointments can be rescheduled online.', statuses=allowed)
    quota = settings.reschedule_quota
    if quota and appt.reschedule_count >= quota:
        return lazy_plural('An appointment can be rescheduled at most once; this one already was.',
                           'An appointment can be rescheduled at most %(num)d times; this one already was.', quota)
    closed = _why_not_in_window(appt, settings, now)
    if closed:
        return closed
    minutes = settings.reschedule_closes_minutes
    if now >= appt.start - timedelta(minutes=minutes):
        if minutes <= 0:
            return lazy('Rescheduling closes at the start.')
        return lazy('Rescheduling closes %(duration)s before the start.', duration=duration_words(minutes))
    return None


NO_RESCHEDULING = lazy('This business does not offer rescheduling online.')


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
                          statuses: Sequence[Status] | None = None) -> Said | None:
    """A customer may open Change status while it is on, the appointment has not started, the time limit has not
    passed and some status may be reached from the current one (with `statuses`, busy targets count only if allowed)."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if not settings.status_change_enabled:
        return lazy('This business does not offer status changes online.')
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
        return lazy('An appointment that is %(status)s cannot be changed online.', status=status_word(appt.status))
    return None


def allowed_targets(appt: Appointment, settings: PanelSettings, statuses: Sequence[Status], *,
                    now: datetime) -> list[Status]:
    """The statuses the customer may set now, in the business's order (empty when none)."""
    return [s for s in statuses if why_not_set_status(appt, s, settings, now=now) is None]


def why_not_set_status(appt: Appointment, target: Status, settings: PanelSettings, *,
                       now: datetime) -> Said | None:
    """A status may be set when changes are open, the business lists it from the current status, and (for a busy
    status, one that occupies the slot) the business confirmed customers may set it."""
    if target.key == appt.status.key:
        return lazy('The appointment is already %(status)s.', status=status_word(target))
    closed = why_not_change_status(appt, settings, now=now)
    if closed:
        return closed
    sources = settings.status_transitions.get(target.key, ())
    if appt.status.key not in sources:
        return lazy('An appointment that is %(status)s cannot be set to %(target)s online.',
                    status=status_word(appt.status), target=status_word(target))
    if target.busy and not settings.allow_busy_targets:
        return lazy('Only the business can set an appointment to %(status)s.', status=status_word(target))
    return None


def needs_slot_check(appt: Appointment, target: Status) -> bool:
    """Moving from a status that frees the slot to one that occupies it must find the slot still free."""
    return target.busy and not appt.status.busy


def why_not_occupy(appt: Appointment, others: Iterable[Booking]) -> Text | None:
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
        return lazy('All seats at that time are taken now, so the appointment cannot be restored. '
                    'Please book a new time.')
    return None


_TAKEN = lazy('That time is no longer free, so the appointment cannot be restored. Please book a new time.')


# ---- pay ---------------------------------------------------------------------------------------------------------


def why_not_pay(appt: Appointment, settings: PanelSettings) -> Said | None:
    """Pay now is offered when the business shows it, the appointment still holds its slot and something is due."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if settings.hide_pay_now:
        return offline_instructions(settings) or IN_PERSON_ONLY
    return why_nothing_to_pay(appt)


def why_not_pay_package(cp: CustomerPackage, settings: PanelSettings) -> Said | None:
    """A package's Pay follows the same switch as an appointment's: offered when the business shows Pay now and the
    package is not paid yet."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if settings.hide_pay_now:
        return offline_instructions(settings) or IN_PERSON_ONLY
    if cp.paid:
        return lazy('This package is already paid.')
    return None


IN_PERSON_ONLY = lazy('This business takes payment in person.')


def offline_instructions(settings: PanelSettings) -> Said:
    """How to pay in person: the business's own words, or Kairos's default ones (translated) when it kept them."""
    own = settings.offline_payment_instructions
    return label(own) if own and own == DEFAULT_OFFLINE_INSTRUCTIONS else own


# ---- where the visit happens ---------------------------------------------------------------------------------------

CHOOSE_LOCATION = lazy('Please choose where you would like to come.')


def visit_location(staff_location_ids: Sequence[int], chosen: int | None) -> int | None:
    """Where a new booking takes place: the location the customer chose, or the staff member's only one (None when
    the staff member works nowhere in particular, as for an online service)."""
    if chosen is not None:
        return chosen
    return staff_location_ids[0] if len(staff_location_ids) == 1 else None


def why_not_location(staff_location_ids: Sequence[int], chosen: int | None) -> Text | None:
    """A booking with a staff member who works at several locations must say which one; a chosen location must be
    one where that staff member works."""
    if chosen is None:
        return CHOOSE_LOCATION if len(staff_location_ids) > 1 else None
    if chosen not in staff_location_ids:
        return lazy('That staff member does not work at that location. Please choose another place or person.')
    return None


# ---- the account ---------------------------------------------------------------------------------------------------

SIGNUP_CLOSED = lazy('Sign-up is closed. Ask the business to create an account for you.')


def why_not_sign_up(settings: PanelSettings) -> Text | None:
    """Visitors may open an account themselves only when the business allows sign-up."""
    return None if settings.allow_signup else SIGNUP_CLOSED


def why_not_delete_account(settings: PanelSettings) -> Text | None:
    """A customer may close their own account only when the business allows it."""
    if settings.allow_account_deletion:
        return None
    return lazy('Deleting your account is not offered here. Contact the business to close it.')


def why_not_upload_avatar(settings: PanelSettings) -> Text | None:
    """A profile photo may be uploaded only while the panel is on and the Panel Designer allows uploads."""
    if not settings.panel_enabled:
        return PANEL_OFF
    if settings.designer.allow_avatar_upload:
        return None
    return lazy('This business does not take profile photos.')


def sends_welcome(settings: PanelSettings) -> bool:
    """Someone who books with a new email is welcomed with a set-password link only when the business auto-creates
    accounts; otherwise the booking stands and no email offers them an account."""
    return settings.auto_create_account


# ---- helpers -----------------------------------------------------------------------------------------------------


def _why_not_over(appt: Appointment, now: datetime) -> Text | None:
    if appt.is_past(now):
        return lazy('This appointment is over, so it can no longer be changed.')
    if now >= appt.start:
        return lazy('This appointment has already started, so it can no longer be changed.')
    return None


def _why_not_in_window(appt: Appointment, settings: PanelSettings, now: datetime) -> Text | None:
    minutes = settings.change_closes_minutes
    if now >= appt.start - timedelta(minutes=minutes):
        if minutes <= 0:
            return lazy('Changes close at the start.')
        return lazy('Changes close %(duration)s before the start.', duration=duration_words(minutes))
    return None


def duration_words(minutes: int) -> Text:
    """Minutes as a customer says them: 45 minutes, 60 minutes, 2 hours, 1 day, 90 minutes."""
    if minutes >= 1440 and minutes % 1440 == 0:
        return lazy_plural('%(num)d day', '%(num)d days', minutes // 1440)
    if minutes > 60 and minutes % 60 == 0:
        return lazy_plural('%(num)d hour', '%(num)d hours', minutes // 60)
    return lazy_plural('%(num)d minute', '%(num)d minutes', minutes)


def status_word(status: Status) -> Text:
    """A status's label inside a sentence ('canceled'), in the reader's language when it is a default label."""
    return label(status.label, lowercase=True)


_DEFAULT_LABELS = {st.key: st.label for st in DEFAULT_STATUSES}


def _status_words(key: str) -> Text:
    """A status named only by its key: its default label when it is a default status, else the key in words."""
    return label(_DEFAULT_LABELS.get(key) or key.replace('-', ' ').replace('_', ' '), lowercase=True)


def _words_or(words: Sequence[Text]) -> Text | None:
    """'a', 'a or b', 'a, b or c'; None for none."""
    if not words:
        return None
    said = words[0]
    for word in words[1:-1]:
        # Translators: a list being written out, 'pending, approved'.
        said = lazy('%(first)s, %(next)s', first=said, next=word)
    # Translators: the end of a list of choices, 'pending or approved'.
    return lazy('%(first)s or %(last)s', first=said, last=words[-1]) if len(words) > 1 else said


# ---- free text ---------------------------------------------------------------------------------------------------

# Every free-text field has a limit, enforced by the service that saves it (the page's maxlength only helps).
NOTES_MAX = 2000  # what a customer tells the business when booking
REASON_MAX = 500  # why a customer changes or moves an appointment


NOTES, REASON, COMMENT = 'notes', 'reason', 'comment'
_TOO_LONG = {
    NOTES: lazy('Please keep the notes under %(limit)s characters.'),
    REASON: lazy('Please keep the reason under %(limit)s characters.'),
    COMMENT: lazy('Please keep the comment under %(limit)s characters.'),
}


def text_problem(value: str, *, limit: int, what: str) -> Text | None:
    """A free text may be at most `limit` characters; the answer names the field (NOTES, REASON or COMMENT) and its
    limit."""
    if len(value) > limit:
        return replace(_TOO_LONG[what], params={'limit': limit})
    return None


# ---- rating ------------------------------------------------------------------------------------------------------

RATING_COMMENT_MAX = 1000


def why_not_rate(appt: Appointment, *, now: datetime, already_rated: bool) -> Text | None:
    """A visit can be rated once, after it took place (completed: over, with a busy status other than no-show)."""
    if already_rated:
        return lazy('You have already rated this visit. Thank you!')
    if not appt.is_past(now):
        return lazy('You can rate this visit once it is over.')
    if not appt.is_completed(now):
        return lazy('Only visits that took place can be rated.')
    return None


def rating_problem(stars: int, comment: str) -> Text | None:
    """Ratings are whole stars from 1 to 5 with an optional comment of reasonable length."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        return lazy('Choose from 1 to 5 stars.')
    return text_problem(comment, limit=RATING_COMMENT_MAX, what=COMMENT)
