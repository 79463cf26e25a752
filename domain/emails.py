"""A business's own wording of an email: what it may contain, checked when it is saved.

A template has a subject, a text body and an optional HTML body, per kind of email and per language. Placeholders
are `$name` or `${name}` (string.Template: a business editing a template cannot run code); each kind offers its own
placeholders, and a template naming any other is refused, saying which, because nothing would fill it.
"""

from __future__ import annotations

import string
from collections.abc import Collection
from dataclasses import dataclass

from domain.i18n import N_, SHIPPED_LOCALES, Text, lazy
from domain.web import is_hidden_character

SUBJECT_MAX = 200
TEXT_MAX = 20_000
HTML_MAX = 100_000

# What each kind of email is for, in the admin's words (the kinds are the built-in templates' names).
KIND_NAMES: dict[str, str] = {
    'appointment_booked': N_('Booking confirmation'),
    'appointment_rescheduled': N_('Appointment rescheduled'),
    'appointment_status': N_('Appointment status changed'),
    'booking_hold': N_('Confirm a guest booking'),
    'payment_received': N_('Payment receipt'),
    'payment_refunded': N_('Refund sent'),
    'welcome': N_('Welcome (set a password)'),
    'verify': N_('Verify an email address'),
    'magic_link': N_('Sign-in link'),
    'reset': N_('Password reset'),
    'password_changed': N_('Password changed'),
    'email_change': N_('Confirm a new email address'),
    'email_changed': N_('Email address changed'),
    'account_exists': N_('Someone tried to sign up again'),
    'admin_invite': N_('Invitation to the admin area'),
    'reminder': N_('Reminder before a visit'),
    'follow_up': N_('Rating request after a visit'),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailTemplate:
    kind: str
    locale: str
    subject: str
    text: str
    html: str | None = None  # None: the email goes out as text only


def placeholders_in(source: str) -> set[str]:
    """The placeholders a template text names ($name and ${name}; $$ is a dollar sign)."""
    found: set[str] = set()
    for match in string.Template.pattern.finditer(source):
        name = match.group('named') or match.group('braced')
        if name:
            found.add(name)
    return found


def _stray_dollar(source: str) -> bool:
    return any(match.group('invalid') is not None for match in string.Template.pattern.finditer(source))


def template_problems(template: EmailTemplate, *, kinds: Collection[str],
                      placeholders: Collection[str]) -> dict[str, Text]:
    """What is wrong with a template, field by field (empty when it may be saved): a kind and a language Kairos has,
    a one-line subject and a text body within their limits, and only the kind's `placeholders`."""
    problems: dict[str, Text] = {}
    if template.kind not in kinds:
        problems['kind'] = lazy('Kairos sends no email of the kind %(kind)s.', kind=template.kind)
    if template.locale not in SHIPPED_LOCALES:
        problems['locale'] = lazy('Kairos does not speak %(locale)s.', locale=template.locale)
    fields = (('subject', template.subject, SUBJECT_MAX), ('text', template.text, TEXT_MAX),
              ('html', template.html or '', HTML_MAX))
    for field, value, limit in fields:
        problem = _field_problem(field, value, limit, placeholders)
        if problem is not None:
            problems[field] = problem
    return problems


def _field_problem(field: str, value: str, limit: int, placeholders: Collection[str]) -> Text | None:
    if field in ('subject', 'text') and not value.strip():
        return lazy('This part cannot be empty.')
    if len(value) > limit:
        return lazy('This part can be at most %(max)s characters.', max=f'{limit:,}')
    if field == 'subject' and ('\n' in value or '\r' in value or any(is_hidden_character(c) for c in value)):
        return lazy('The subject must be one line of visible characters.')
    unknown = sorted(placeholders_in(value) - set(placeholders))
    if unknown:
        return lazy('Unknown placeholders: %(names)s. This email can use: %(allowed)s.',
                    names=', '.join(f'${n}' for n in unknown),
                    allowed=', '.join(f'${n}' for n in sorted(placeholders)))
    if _stray_dollar(value):
        return lazy('A $ must start a placeholder such as $name; write $$ for a dollar sign.')
    return None
