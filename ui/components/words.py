"""Words the signed-in panel's screens share, in the page's language: a status's name, a duration, a refusal.

Dates, times and money are `services.formatting` with the page's locale (`ui.i18n.locale()`); these are the words
around them.
"""

from __future__ import annotations

from datetime import timedelta

from domain import model as d
from domain.i18n import N_, Text
from ui.i18n import show, t

# Kairos's own names of the statuses a business starts with, marked for the catalogs. A business that keeps one of
# these names reads it in the customer's language; a name of its own is its data and shows as it wrote it.
DEFAULT_STATUS_WORDS = (
    # Translators: an appointment's status.
    N_('Pending'),
    # Translators: an appointment's status.
    N_('Approved'),
    # Translators: an appointment's status (the appointment was canceled).
    N_('Canceled'),
    # Translators: an appointment's status (the business declined the booking).
    N_('Rejected'),
    # Translators: an appointment's status (the customer did not come).
    N_('No-show'),
)
_KAIROS_LABELS = frozenset(s.label for s in d.DEFAULT_STATUSES) | frozenset(DEFAULT_STATUS_WORDS)


def status_label(status: d.Status) -> str:
    """A status's name for the customer: Kairos's default names translated, the business's own as they are."""
    return t(status.label) if status.label in _KAIROS_LABELS else status.label


def translated_status(status: d.Status) -> d.Status:
    """The same status with its name in the page's language (for ui.theme.status_badge)."""
    label = status_label(status)
    return status if label == status.label else d.Status(key=status.key, label=label, color=status.color,
                                                         icon=status.icon, busy=status.busy, role=status.role)


def duration_words(value: timedelta) -> str:
    """'1 h 15 min', in the page's language."""
    minutes = int(value.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        # Translators: a duration in hours and minutes, abbreviated.
        return t('%(hours)d h %(minutes)d min', hours=hours, minutes=rest)
    if hours:
        # Translators: a duration in whole hours, abbreviated.
        return t('%(hours)d h', hours=hours)
    # Translators: a duration in minutes, abbreviated.
    return t('%(minutes)d min', minutes=rest)


def say(text: Text | str | None) -> str:
    """One of Kairos's own texts in the page's language, whether it comes as a Text (a rule's refusal) or as a marked
    English constant (N_); never for a business's own words, which `show` leaves as they are."""
    if text is None:
        return ''
    if isinstance(text, Text):
        return show(text)
    return t(text) if text else ''
