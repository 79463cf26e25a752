"""The business's rules for its customer panel (SPEC section 3) as one form: a control per rule with what it means in
plain words, and each refusal of the server next to the field it concerns."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from nicegui import ui

from domain import model as d
from domain.i18n import N_, SHIPPED_LOCALES, Text
from domain.settings import OFFLINE_INSTRUCTIONS_MAX, PanelSettings
from services import i18n as service_i18n
from ui.components.admin_fields import FieldErrors, field
from ui.i18n import locale, t

KEEP = 'keep'

# Each rule's help, in the admin's words (the CLI's are in domain.settings.HELP).
HELP: dict[str, str] = {
    'panel_enabled': N_('Off: customers can still sign in, but the panel only says it is switched off.'),
    'booking_url': N_('Where "Book an appointment", "Rebook" and "Schedule a session" lead: a path on this site '
                      '(such as /book) or a web address starting with https://.'),
    'default_language': N_('For customers who chose no language and whose browser asks for none Kairos speaks, and '
                           'for emails to staff.'),
    'change_closes_minutes': N_('Customers may reschedule or change the status of an appointment only until this '
                                'many minutes before it starts.'),
    'reschedule_enabled': N_('Customers may move their appointment to another free time themselves.'),
    'reschedule_from_statuses': N_('Only appointments in these statuses can be rescheduled.'),
    'reschedule_closes_minutes': N_('Rescheduling closes this many minutes before the start.'),
    'status_after_reschedule': N_('Keep the status, or give the moved appointment this one (for example back to '
                                  'pending, so you confirm the new time). It must hold the time slot.'),
    'reschedule_quota': N_('How many times one appointment may be rescheduled. 0 means no limit.'),
    'status_change_enabled': N_('Customers may change the status of their appointment (for example cancel it).'),
    'status_transitions': N_('For each status a customer may choose, the statuses it may be chosen from. Leave a '
                             'status empty and customers cannot choose it.'),
    'allow_busy_targets': N_('A status that holds the time slot (such as approved) would let customers confirm '
                             'their own booking. Switch this on only if you mean it.'),
    'allow_account_deletion': N_('Customers may close their own account. Their past appointments stay.'),
    'allow_signup': N_('Visitors may create an account themselves.'),
    'auto_create_account': N_('Someone who books with a new email gets an account and a welcome email with a link '
                              'to set a password.'),
    'hide_pay_now': N_('Hides "Pay" in the panel; a deposit asked for when booking is still charged.'),
    'offline_payment_instructions': N_('How to pay in person, shown in the Pay drawer and after booking.'),
}
LABELS: dict[str, str] = {
    'panel_enabled': N_('Customer panel is open'),
    'booking_url': N_('Booking page'),
    'default_language': N_('Default language'),
    'change_closes_minutes': N_('Changes close (minutes before the start)'),
    'reschedule_enabled': N_('Customers may reschedule'),
    'reschedule_from_statuses': N_('Reschedule from these statuses'),
    'reschedule_closes_minutes': N_('Rescheduling closes (minutes before the start)'),
    'status_after_reschedule': N_('Status after rescheduling'),
    'reschedule_quota': N_('Reschedules per appointment'),
    'status_change_enabled': N_('Customers may change the status'),
    'status_transitions': N_('Statuses customers may choose'),
    'allow_busy_targets': N_('Customers may choose a status that holds the slot'),
    'allow_account_deletion': N_('Customers may close their account'),
    'allow_signup': N_('Visitors may sign up'),
    'auto_create_account': N_('Create an account for new customers who book'),
    'hide_pay_now': N_('Hide "Pay now"'),
    'offline_payment_instructions': N_('Paying in person'),
}
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_('The panel'), ('panel_enabled', 'booking_url', 'default_language', 'change_closes_minutes')),
    (N_('Rescheduling'), ('reschedule_enabled', 'reschedule_from_statuses', 'reschedule_closes_minutes',
                          'status_after_reschedule', 'reschedule_quota')),
    (N_('Changing the status'), ('status_change_enabled', 'status_transitions', 'allow_busy_targets')),
    (N_('Accounts'), ('allow_signup', 'auto_create_account', 'allow_account_deletion')),
    (N_('Payments'), ('hide_pay_now', 'offline_payment_instructions')),
)
SWITCHES = frozenset({'panel_enabled', 'reschedule_enabled', 'status_change_enabled', 'allow_busy_targets',
                      'allow_account_deletion', 'allow_signup', 'auto_create_account', 'hide_pay_now'})
NUMBERS = frozenset({'change_closes_minutes', 'reschedule_closes_minutes', 'reschedule_quota'})


class SettingsForm:
    """The form over a working copy of the settings (`values`); `value()` is what Save sends, `show_problems` puts
    the server's refusals by their fields."""

    def __init__(self, settings: PanelSettings, statuses: tuple[d.Status, ...], *,
                 locked: Collection[str] = (), on_change: Callable[[], None] | None = None) -> None:
        """`locked`: the rules this admin may not change (a manager: the payment settings), shown disabled."""
        self.statuses = statuses
        self.statuses_by_key = {st.key: st for st in statuses}
        self.errors = FieldErrors()
        self.controls: dict[str, ui.element] = {}
        self.transitions: dict[str, ui.select] = {}
        self._on_change = on_change or (lambda: None)
        # Drawn with their values (not set afterwards: a value set on a control before the page is live is sent to
        # the browser once it connects, over whatever was typed by then).
        self.base = settings
        self.values: dict[str, Any] = {name: getattr(settings, name) for name in HELP}
        with ui.column().classes('gap-6 w-full').mark('settings-form'):
            for title, names in SECTIONS:
                with ui.column().classes('gap-3 w-full') as group:
                    group.props['role'] = 'group'
                    group.props['aria-label'] = t(title)
                    ui.label(t(title)).classes('text-h6').props('role=heading aria-level=2')
                    for name in names:
                        self.controls[name] = field(self.errors, name, t(HELP[name]), partial(self._control, name))
                        if name in locked:
                            self.controls[name].disable()  # type: ignore[attr-defined]
                            ui.label(t('Only the owner of the business can change this.')).classes(
                                'text-caption k-muted').mark(f'locked-{name}')
            self.errors.form_slot()

    def load(self, settings: PanelSettings) -> None:
        """Show `settings` again (Discard, after Save)."""
        self.base = settings
        self.values = {name: getattr(settings, name) for name in HELP}
        for name, control in self.controls.items():
            if name == 'status_transitions':
                continue
            control.set_value(self._shown(name, self.values[name]))  # type: ignore[attr-defined]
        for target, select in self.transitions.items():
            select.set_value([k for k in settings.status_transitions.get(target, ())
                              if k != target and k in self.statuses_by_key])
        self.errors.show_all({})

    def value(self) -> PanelSettings:
        """The settings as the form shows them (the server checks them again)."""
        transitions = {target: tuple(select.value or ()) for target, select in self.transitions.items()
                       if select.value}
        values = dict(self.values)
        values['reschedule_from_statuses'] = tuple(values['reschedule_from_statuses'] or ())
        values['status_transitions'] = transitions
        return replace(self.base, **values)

    def show_problems(self, problems: Mapping[str, Text | str]) -> None:
        self.errors.show_all(problems)

    # ---- controls ---------------------------------------------------------------------------------------------

    def _control(self, name: str) -> ui.element:
        label = t(LABELS[name])
        value = self._shown(name, self.values[name])
        if name in SWITCHES:
            return ui.switch(label, value=value, on_change=lambda e: self._set(name, bool(e.value))).mark(
                f'setting-{name}')
        if name in NUMBERS:
            return ui.number(label, value=value, min=0, step=1, precision=0, on_change=lambda e: self._set(
                name, int(e.value) if e.value is not None else -1)).props('outlined').classes('max-w-md w-full').mark(
                f'setting-{name}')
        if name == 'default_language':
            options = {loc: service_i18n.language_name(loc, reader=locale()) for loc in SHIPPED_LOCALES}
            return ui.select(options, label=label, value=value, on_change=lambda e: self._set(name, e.value)).props(
                'outlined').classes('max-w-md w-full').mark(f'setting-{name}')
        if name == 'reschedule_from_statuses':
            return ui.select(self._status_options(), label=label, multiple=True, value=value,
                             on_change=lambda e: self._set(name, tuple(e.value or ()))).props(
                'outlined use-chips').classes('max-w-md w-full').mark(f'setting-{name}')
        if name == 'status_after_reschedule':
            options = {KEEP: t('Keep its status'), **self._status_options()}
            return ui.select(options, label=label, value=value, on_change=lambda e: self._set(name, e.value)).props(
                'outlined').classes('max-w-md w-full').mark(f'setting-{name}')
        if name == 'status_transitions':
            return self._transitions(label)
        if name == 'offline_payment_instructions':
            area = ui.textarea(label, value=value, on_change=lambda e: self._set(name, e.value or '')).props(
                'outlined autogrow counter').classes('max-w-xl w-full').mark(f'setting-{name}')
            area.props['maxlength'] = OFFLINE_INSTRUCTIONS_MAX
            return area
        return ui.input(label, value=value, on_change=lambda e: self._set(name, (e.value or '').strip())).props(
            'outlined').classes('max-w-md w-full').mark(f'setting-{name}')

    def _transitions(self, label: str) -> ui.element:
        """One row per status: the statuses a customer may choose it from (none: they cannot choose it)."""
        with ui.column().classes('gap-2 w-full') as box:
            box.props['role'] = 'group'
            box.props['aria-label'] = label
            ui.label(label).classes('text-subtitle1')
            for status in self.statuses:
                choice = ui.select(self._status_options(exclude=status.key), multiple=True,
                                   value=[k for k in self.base.status_transitions.get(status.key, ())
                                          if k != status.key and k in self.statuses_by_key],
                                   label=t('%(status)s may be chosen from', status=status.label),
                                   on_change=lambda _: self._on_change()).props('outlined use-chips clearable') \
                    .classes('max-w-xl w-full').mark(f'transition-{status.key}')
                self.transitions[status.key] = choice
        return box

    def _status_options(self, *, exclude: str = '') -> dict[str, str]:
        return {st.key: st.label for st in self.statuses if st.key != exclude}

    def _shown(self, name: str, value: Any) -> Any:
        """The value as its control shows it; a status the business no longer has is left out (a select cannot show
        it), and saving then drops it."""
        known = {st.key for st in self.statuses}
        if name == 'reschedule_from_statuses':
            return [key for key in value if key in known]
        if name == 'status_after_reschedule' and value not in known:
            return KEEP
        return value

    def _set(self, name: str, value: Any) -> None:
        self.values[name] = value
        self._on_change()
