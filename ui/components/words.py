"""Words the signed-in panel's screens share, in the page's language: a status's name, a refusal.

Dates, times and money are `services.formatting` with the page's locale (`ui.i18n.locale()`); these are the words
around them.
"""

from __future__ import annotations

from domain import model as d
from domain.i18n import Text, label
from ui.i18n import show, t


def status_label(status: d.Status) -> str:
    """A status's name for the customer: Kairos's default names (marked where they are defined) in the page's
    language, a business's own name as it wrote it (domain.i18n.label)."""
    return show(label(status.label))


def translated_status(status: d.Status) -> d.Status:
    """The same status with its name in the page's language (for ui.theme.status_badge)."""
    name = status_label(status)
    return status if name == status.label else d.Status(key=status.key, label=name, color=status.color,
                                                         icon=status.icon, busy=status.busy, role=status.role)


def say(text: Text | str | None) -> str:
    """One of Kairos's own texts in the page's language, whether it comes as a Text (a rule's refusal) or as a marked
    English constant (N_); never for a business's own words, which `show` leaves as they are."""
    if text is None:
        return ''
    if isinstance(text, Text):
        return show(text)
    return t(text) if text else ''
