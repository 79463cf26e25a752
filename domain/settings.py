"""The business's rules for its customer panel (SPEC section 3), as one typed, validated value per tenant."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.i18n import N_, SHIPPED_LOCALES, Said, Text, lazy, override_problem, overrides_shape_problem
from domain.model import DEFAULT_STATUSES, Status, StatusRole
from domain.reminders import ReminderSettings, ReminderSettingsError
from domain.statuses import busy_keys
from domain.web import url_problem

OFFLINE_INSTRUCTIONS_MAX = 1000
# Kept as it is, it is shown in the reader's language (domain.rules.offline_instructions); reworded, as written.
DEFAULT_OFFLINE_INSTRUCTIONS = N_('Pay at the front desk by card or cash on the day of your visit.')


class SettingsError(ValueError):
    """A setting that cannot hold, with the reason in words for the admin: `message` (a Text in the admin's language
    where Kairos words it; str() of the error is the English, for the command line)."""

    def __init__(self, message: Said) -> None:
        super().__init__(str(message))
        self.message = message


def _default_key(role: StatusRole) -> str:
    """The key of the default status with this role: the defaults below name statuses a new business is made with."""
    return next(st.key for st in DEFAULT_STATUSES if st.role == role)


_NEW, _CONFIRMED, _CANCEL = (_default_key(r) for r in (StatusRole.NEW_BOOKING, StatusRole.CONFIRMED,
                                                         StatusRole.CUSTOMER_CANCEL))


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelDesigner:
    show_mini_dashboard: bool = True
    show_staff: bool = True
    show_staff_avatar: bool = True
    show_location: bool = True
    show_price: bool = True
    show_status_badge: bool = True
    show_rebook: bool = True
    allow_avatar_upload: bool = True
    show_packages: bool = True
    show_payment_status: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelSettings:
    panel_enabled: bool = True
    booking_url: str = '/book'
    # Customers may change an appointment only until this many minutes before it starts.
    change_closes_minutes: int = 60
    reschedule_enabled: bool = True
    reschedule_from_statuses: tuple[str, ...] = (_NEW, _CONFIRMED)
    reschedule_closes_minutes: int = 120
    # 'keep' keeps the status; any other value is the status key a rescheduled appointment gets.
    status_after_reschedule: str = _NEW
    reschedule_quota: int = 0  # 0 = no limit; beyond the reference products
    status_change_enabled: bool = True
    # target status -> statuses it may be reached from
    status_transitions: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {_CANCEL: (_NEW, _CONFIRMED)}
    )
    # A customer may move to a busy status (one that occupies the slot) only when the admin confirmed it here.
    allow_busy_targets: bool = False
    allow_account_deletion: bool = True
    hide_pay_now: bool = False
    allow_signup: bool = True
    auto_create_account: bool = True
    offline_payment_instructions: str = DEFAULT_OFFLINE_INSTRUCTIONS
    # The language of customers who chose none and whose browser asks for none Kairos speaks, and of staff emails.
    default_language: str = 'en'
    # The business's own wording: {locale: {English text: wording}}, shown instead of the catalog's translation.
    text_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    designer: PanelDesigner = field(default_factory=PanelDesigner)
    # Reminders before a visit and the follow-up after it (domain.reminders).
    reminders: ReminderSettings = field(default_factory=ReminderSettings)

    def validate(self, statuses: Sequence[Status] | None = None, *,
                 texts: Collection[str] | None = None) -> PanelSettings:
        """Settings must be internally consistent; with the business's `statuses` (saving) they name only statuses
        that exist, the booking link is a path or an http(s) address, a rescheduled appointment keeps holding its
        slot, and a busy status may be a customer's target only when allow_busy_targets confirms it; with `texts`
        (the English texts Kairos shows) a business's own wording names only texts that exist."""
        for name in ('change_closes_minutes', 'reschedule_closes_minutes', 'reschedule_quota'):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise SettingsError(lazy('%(name)s must be a whole number of zero or more.', name=name))
        if not _is_keys(self.reschedule_from_statuses):
            raise SettingsError(_FROM_SHAPE)
        if not isinstance(self.status_transitions, dict) or not all(
            isinstance(k, str) and k and _is_keys(v) for k, v in self.status_transitions.items()
        ):
            raise SettingsError(_TRANSITIONS_SHAPE)
        if not isinstance(self.status_after_reschedule, str) or not self.status_after_reschedule:
            raise SettingsError(lazy('status_after_reschedule must be "keep" or a status key.'))
        if not isinstance(self.booking_url, str):
            raise SettingsError(lazy('%(name)s must be text.', name='booking_url'))
        if self.default_language not in SHIPPED_LOCALES:
            raise SettingsError(lazy('default_language must be one of %(choices)s.',
                                     choices=', '.join(SHIPPED_LOCALES)))
        shape = overrides_shape_problem(self.text_overrides)
        if shape:
            raise SettingsError(shape)
        if not isinstance(self.reminders, ReminderSettings):
            raise SettingsError(lazy('reminders must be a group of reminder settings.'))
        try:
            self.reminders.validate()
        except ReminderSettingsError as exc:
            raise SettingsError(exc.message) from exc
        if statuses is not None:
            self._check_against(statuses, texts)
        return self

    def _check_against(self, statuses: Sequence[Status], texts: Collection[str] | None) -> None:
        """Checked when the business saves: what is stored already still loads, and the pages draw no link for an
        unsafe booking_url (ui.context.PanelContext.booking_url)."""
        status_keys = frozenset(st.key for st in statuses)
        busy = busy_keys(statuses)
        bad_url = url_problem(self.booking_url, label='booking_url', allow_path=True)
        if bad_url:
            raise SettingsError(bad_url)
        if len(self.offline_payment_instructions) > OFFLINE_INSTRUCTIONS_MAX:
            raise SettingsError(lazy('offline_payment_instructions can be at most %(limit)s characters.',
                                     limit=OFFLINE_INSTRUCTIONS_MAX))
        named = set(self.reschedule_from_statuses) | set(self.status_transitions)
        for sources in self.status_transitions.values():
            named |= set(sources)
        if self.status_after_reschedule != 'keep':
            named.add(self.status_after_reschedule)
        # Checked on saving only: a stored wording whose English text changed later falls back to the catalog.
        for wordings in self.text_overrides.values():
            for msgid, text in wordings.items():
                problem = override_problem(msgid, text, texts=texts)
                if problem:
                    raise SettingsError(problem)
        unknown = sorted(named - status_keys)
        if unknown:
            raise SettingsError(lazy('Unknown status: %(keys)s.', keys=', '.join(unknown)))
        if self.status_after_reschedule != 'keep' and self.status_after_reschedule not in busy:
            raise SettingsError(lazy('status_after_reschedule must be "keep" or a status that occupies the slot: '
                                     'with %(key)s every reschedule would free the new time for someone else.',
                                     key=self.status_after_reschedule))
        if not self.allow_busy_targets:
            risky = sorted(set(self.status_transitions) & busy)
            if risky:
                raise SettingsError(lazy('Customers could set %(keys)s, a status that occupies the slot: set '
                                         'allow_busy_targets to true to confirm.', keys=', '.join(risky)))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data['reschedule_from_statuses'] = list(self.reschedule_from_statuses)
        data['status_transitions'] = {k: list(v) for k, v in self.status_transitions.items()}
        data['reminders'] = self.reminders.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PanelSettings:
        """Build settings from stored JSON, keeping defaults for anything missing and refusing unknown keys."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(lazy('Unknown setting: %(keys)s.', keys=', '.join(unknown)))
        designer_data = dict(data.pop('designer', None) or {})
        reminder_data = data.pop('reminders', None) or {}
        if not isinstance(reminder_data, dict):
            raise SettingsError(lazy('reminders must be a group of reminder settings.'))
        try:
            reminders = ReminderSettings.from_dict(reminder_data)
        except ReminderSettingsError as exc:
            raise SettingsError(exc.message) from exc
        designer_known = {f.name for f in fields(PanelDesigner)}
        bad = sorted(set(designer_data) - designer_known)
        if bad:
            raise SettingsError(lazy('Unknown Panel Designer setting: %(keys)s.', keys=', '.join(bad)))
        for key, value in designer_data.items():
            if not isinstance(value, bool):
                raise SettingsError(lazy('%(name)s must be true or false.', name=f'designer.{key}'))
        if 'reschedule_from_statuses' in data:
            value = data['reschedule_from_statuses']
            if not isinstance(value, (list, tuple)) or not _is_keys(tuple(value)):
                raise SettingsError(_FROM_SHAPE)
            data['reschedule_from_statuses'] = tuple(value)
        if 'status_transitions' in data:
            value = data['status_transitions']
            if not isinstance(value, dict) or not all(isinstance(v, (list, tuple)) for v in value.values()):
                raise SettingsError(_TRANSITIONS_SHAPE)
            data['status_transitions'] = {str(k): tuple(v) for k, v in value.items()}
        defaults = cls()
        for key, value in data.items():
            default = getattr(defaults, key)
            if isinstance(default, bool) and not isinstance(value, bool):
                raise SettingsError(lazy('%(name)s must be true or false.', name=key))
            if isinstance(default, int) and not isinstance(default, bool) and (
                not isinstance(value, int) or isinstance(value, bool)
            ):
                raise SettingsError(lazy('%(name)s must be a whole number.', name=key))
            if isinstance(default, str) and not isinstance(value, str):
                raise SettingsError(lazy('%(name)s must be text.', name=key))
        return replace(defaults, designer=PanelDesigner(**designer_data), reminders=reminders, **data).validate()


def status_removal_problem(settings: PanelSettings, key: str, *, into: str | None = None) -> Text | None:
    """A status the settings give rescheduled appointments can go only by merging into another: deleting it would
    leave reschedules without their status."""
    if into is None and settings.status_after_reschedule == key:
        return lazy('Rescheduled appointments get this status: choose another for them in Settings first, or merge '
                    'it into another status.')
    return None


def forget_status(settings: PanelSettings, key: str, *, into: str | None = None) -> PanelSettings:
    """The settings once status `key` is gone: merged `into` another, they name that one wherever they named it;
    deleted, they forget it (a transition to it goes, and it is no longer a source)."""

    def swap(keys: Sequence[str]) -> tuple[str, ...]:
        out: list[str] = []
        for k in keys:
            now = into if k == key else k
            if now is not None and now not in out:
                out.append(now)
        return tuple(out)

    transitions: dict[str, tuple[str, ...]] = {}
    for target, sources in settings.status_transitions.items():
        now_target = into if target == key else target
        if now_target is None:
            continue
        merged = tuple(k for k in swap(transitions.get(now_target, ()) + swap(sources)) if k != now_target)
        if merged:
            transitions[now_target] = merged
    after = into if settings.status_after_reschedule == key and into is not None else settings.status_after_reschedule
    return replace(settings, reschedule_from_statuses=swap(settings.reschedule_from_statuses),
                   status_transitions=transitions, status_after_reschedule=after)


def booking_link(base: str, **params: str | int) -> str:
    """The booking page at `base` with `params` added to its query (replacing any of the same name), so a link
    that already carries a query (/book?lang=de) or a fragment stays well formed."""
    parts = urlsplit(base or '/book')
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


# What each setting means, for the admin: `kairos settings help` prints these and the README repeats them.
HELP: dict[str, str] = {
    'panel_enabled': 'The customer panel is open. Off: customers can still sign in, but every panel page only says '
                     'the panel is switched off.',
    'booking_url': 'Where "Book an appointment", "Rebook" and "Schedule a session" lead: a path on this site or an '
                   'http(s) address; it may carry its own query.',
    'change_closes_minutes': 'Customers may change an appointment (reschedule or change its status) only until this '
                             'many minutes before it starts.',
    'reschedule_enabled': 'Customers may reschedule online.',
    'reschedule_from_statuses': 'The statuses from which an appointment may be rescheduled.',
    'reschedule_closes_minutes': 'Rescheduling closes this many minutes before the start.',
    'status_after_reschedule': '"keep", or the status a rescheduled appointment gets. It must be a status that '
                               'occupies the slot, or the new time would be free for someone else.',
    'reschedule_quota': 'How many times one appointment may be rescheduled (0: no limit).',
    'status_change_enabled': 'Customers may change the status of an appointment online.',
    'status_transitions': 'Which statuses a customer may set, each with the statuses it may be set from.',
    'allow_busy_targets': 'Confirms that customers may set a status that occupies the slot (such as approved).',
    'allow_account_deletion': 'Customers may close their own account.',
    'hide_pay_now': 'Hides "Pay" on appointment and package cards, and the server refuses to start such a payment '
                    '(a deposit asked for at booking is still charged).',
    'allow_signup': 'Visitors may create an account themselves.',
    'auto_create_account': 'Someone who books with a new email gets a welcome email with a link to set a password. '
                           'Off: the booking is kept, no welcome email is sent.',
    'offline_payment_instructions': 'How to pay in person, shown in the Pay drawer and after booking.',
    'default_language': 'The language of customers who chose none and whose browser asks for none Kairos speaks, '
                        'and of emails to staff: one of ' + ', '.join(SHIPPED_LOCALES) + '.',
    'text_overrides': "The business's own wording of any text, per language, shown instead of Kairos's: "
                      '{"pt_PT": {"Language": "Língua"}}; the English text exactly as in services/locales/kairos.pot.',
    'reminders.minutes_before': 'Reminder emails before each visit, in minutes before the start: at most two, such '
                                'as [1440, 120] (a day and two hours before); [] sends none.',
    'reminders.per_service': 'A service\'s own reminders instead: {"<service id>": [60]}; [] sends none for it.',
    'reminders.ask_confirmation': 'Reminders ask the customer to confirm; a pending appointment confirmed from a '
                                  'reminder becomes confirmed.',
    'reminders.follow_up': 'One email after a completed visit asking for a rating (off by default).',
    'designer.show_mini_dashboard': 'The next-appointment card and the upcoming and completed counts.',
    'designer.show_staff': 'The staff member on cards, the next-appointment card and the Details drawer.',
    'designer.show_staff_avatar': "The staff member's photo next to their name (only with show_staff).",
    'designer.show_location': 'The location on cards, the next-appointment card and the Details drawer.',
    'designer.show_price': 'The price on cards and in Details ("Free" when it costs nothing). Separate from '
                          'show_payment_status.',
    'designer.show_payment_status': 'The payment line on cards (paid, deposit paid, or what is still due) and '
                                    'Paid and Due in Details. Separate from show_price.',
    'designer.show_status_badge': 'The colour-coded status badge on cards.',
    'designer.show_rebook': '"Rebook" on past appointments.',
    'designer.allow_avatar_upload': 'Customers may upload a profile photo (the server refuses uploads when off).',
    'designer.show_packages': 'The Packages section, where the business sells packages.',
}


_TRANSITIONS_SHAPE = lazy('status_transitions must map each status a customer may set to the list of statuses it may '
                          'be set from.')
_FROM_SHAPE = lazy('reschedule_from_statuses must be a list of status keys.')


def _is_keys(value: object) -> bool:
    """A tuple of non-empty status keys."""
    return isinstance(value, tuple) and all(isinstance(k, str) and k for k in value)
