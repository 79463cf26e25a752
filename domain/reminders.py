"""Reminders before a visit and a follow-up after it: the business's settings and the rules of when each goes out.

The business sets one or two reminders (minutes before the start, e.g. 1440 and 120) for all its services, and
may give a service its own (or none). Each reminder of an appointment is sent once for each start time it has: a
rescheduled appointment gets its reminders again for the new time. A reminder whose moment passed while no server
ran is sent late, but only while the visit is still ahead (at least MIN_LEAD before the start), and of several that
are due at once only the nearest to the start goes out (a customer gets one email, not two in the same minute).
A reminder whose moment came before the appointment was booked is not sent: the booking's own email just went.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.i18n import N_, Text, lazy
from domain.model import Appointment

MAX_REMINDERS = 2
MIN_OFFSET_MINUTES = 15
MAX_OFFSET_MINUTES = 14 * 24 * 60
MIN_LEAD = timedelta(minutes=10)  # a reminder that would arrive later than this before the start is not sent
FOLLOW_UP_DELAY = timedelta(hours=2)  # after the end of the visit
FOLLOW_UP_WINDOW = timedelta(days=3)  # a follow-up not sent by then is dropped (a server down, a switch turned on)

REMINDER, FOLLOW_UP = 'reminder', 'follow_up'


class ReminderSettingsError(ValueError):
    """Reminder settings that cannot hold: `message` says why, in the admin's language when shown (str() is the
    English, for the command line)."""

    def __init__(self, message: Text) -> None:
        super().__init__(str(message))
        self.message = message


_PER_SERVICE_SHAPE = N_('reminders.per_service must map service ids to lists of minutes.')


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSettings:
    # Minutes before the start; empty: no reminders. At most MAX_REMINDERS, each distinct.
    minutes_before: tuple[int, ...] = ()
    # A service's own reminders (service id -> minutes before), instead of minutes_before; () sends none for it.
    per_service: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # The reminder asks the customer to confirm; a pending appointment confirmed from it becomes approved.
    ask_confirmation: bool = False
    # One email after a completed visit asking for a rating.
    follow_up: bool = False

    def offsets_for(self, service_id: int) -> tuple[int, ...]:
        """The reminders (minutes before the start) an appointment of this service gets."""
        return self.per_service.get(service_id, self.minutes_before)

    @property
    def sends_reminders(self) -> bool:
        return bool(self.minutes_before) or any(self.per_service.values())

    def validate(self) -> ReminderSettings:
        """At most two reminders per service, each distinct, between a quarter of an hour and two weeks ahead."""
        _check_offsets(self.minutes_before, 'reminders.minutes_before')
        if not isinstance(self.per_service, dict):
            raise ReminderSettingsError(lazy(_PER_SERVICE_SHAPE))
        for service_id, offsets in self.per_service.items():
            if not isinstance(service_id, int) or isinstance(service_id, bool) or service_id <= 0:
                raise ReminderSettingsError(lazy(_PER_SERVICE_SHAPE))
            _check_offsets(offsets, f'reminders.per_service.{service_id}')
        for name in ('ask_confirmation', 'follow_up'):
            if not isinstance(getattr(self, name), bool):
                raise ReminderSettingsError(lazy('%(name)s must be true or false.', name=f'reminders.{name}'))
        return self

    def to_dict(self) -> dict[str, Any]:
        return {'minutes_before': list(self.minutes_before),
                'per_service': {str(k): list(v) for k, v in sorted(self.per_service.items())},
                'ask_confirmation': self.ask_confirmation, 'follow_up': self.follow_up}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ReminderSettings:
        """From stored JSON: defaults for what is missing, unknown keys and wrong shapes refused."""
        data = dict(data or {})
        unknown = sorted(set(data) - {'minutes_before', 'per_service', 'ask_confirmation', 'follow_up'})
        if unknown:
            raise ReminderSettingsError(lazy('Unknown reminder setting: %(keys)s.', keys=', '.join(unknown)))
        minutes = data.get('minutes_before', [])
        if not isinstance(minutes, (list, tuple)):
            raise ReminderSettingsError(lazy('reminders.minutes_before must be a list of minutes, such as '
                                             '[1440, 120].'))
        raw_services = data.get('per_service', {})
        if not isinstance(raw_services, dict):
            raise ReminderSettingsError(lazy(_PER_SERVICE_SHAPE))
        per_service: dict[int, tuple[int, ...]] = {}
        for key, offsets in raw_services.items():
            if not str(key).isdigit() or not isinstance(offsets, (list, tuple)):
                raise ReminderSettingsError(lazy(_PER_SERVICE_SHAPE))
            per_service[int(key)] = tuple(offsets)
        return cls(minutes_before=tuple(minutes), per_service=per_service,
                   ask_confirmation=data.get('ask_confirmation', False),
                   follow_up=data.get('follow_up', False)).validate()


def _check_offsets(offsets: object, name: str) -> None:
    if not isinstance(offsets, tuple) or len(offsets) > MAX_REMINDERS or not all(
            isinstance(m, int) and not isinstance(m, bool) for m in offsets):
        raise ReminderSettingsError(lazy('%(name)s must be a list of at most %(most)s whole numbers of minutes.',
                                         name=name, most=MAX_REMINDERS))
    if any(not MIN_OFFSET_MINUTES <= m <= MAX_OFFSET_MINUTES for m in offsets):
        raise ReminderSettingsError(lazy('%(name)s: each reminder goes between %(least)s minutes and %(days)s days '
                                         'before the start.', name=name, least=MIN_OFFSET_MINUTES,
                                         days=MAX_OFFSET_MINUTES // 1440))
    if len(set(offsets)) != len(offsets):
        raise ReminderSettingsError(lazy('%(name)s: the two reminders must go at different times.', name=name))


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """What to do now for one appointment at one start: send `send` (minutes before; None: nothing) and record
    `skip` as handled without an email (too late, or superseded by a nearer one)."""

    send: int | None
    skip: tuple[int, ...]


def reminder_plan(*, start: datetime, booked_at: datetime | None, offsets: Collection[int],
                  handled: Collection[int], now: datetime) -> ReminderPlan:
    """Which reminder of an appointment starting at `start` goes now: of the reminders whose moment has come and
    that were not handled yet, the one nearest to the start, while the visit is at least MIN_LEAD ahead; the others
    due are skipped, and so is one whose moment came before the booking (`booked_at`)."""
    due = sorted(m for m in offsets if m not in handled and start - timedelta(minutes=m) <= now)
    if not due or start - now < MIN_LEAD:
        return ReminderPlan(None, ())  # nothing due, or too late: the visit leaves the window by itself
    nearest = due[0]
    if booked_at is not None and start - timedelta(minutes=nearest) < booked_at:
        return ReminderPlan(None, tuple(due))
    return ReminderPlan(nearest, tuple(due[1:]))


def follow_up_due(appt: Appointment, *, now: datetime) -> bool:
    """A completed visit gets its follow-up FOLLOW_UP_DELAY after its end, and never after FOLLOW_UP_WINDOW."""
    return appt.is_completed(now) and appt.end + FOLLOW_UP_DELAY <= now < appt.end + FOLLOW_UP_WINDOW


def why_not_confirm(appt: Appointment, settings: ReminderSettings, *, now: datetime,
                    already_confirmed: bool) -> Text | None:
    """A customer confirms from a reminder when the business asks for it, only an upcoming visit that holds its
    slot, and once."""
    if not settings.ask_confirmation:
        return lazy('This business does not ask you to confirm your visits.')
    if not appt.is_upcoming(now):
        return lazy('This visit has already started or is over.')
    if not appt.status.busy:
        return lazy('This appointment is no longer booked.')
    if already_confirmed:
        return lazy('You have already confirmed this visit. Thank you!')
    return None
