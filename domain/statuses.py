"""A business's statuses as the rules read them: by role and by whether they hold the slot, never by key.

A business may rename its statuses or add its own; the rules below keep working as long as the list is sound
(`status_problems`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from domain.i18n import SHIPPED_LOCALES, Text, lazy
from domain.model import SINGULAR_ROLES, Status, StatusRole
from domain.web import is_hidden_character, safe_color

LABEL_MAX = 40  # characters of a status's label: it is a badge
KEY_MAX = 40
ICONS = ('hourglass_empty', 'check_circle', 'cancel', 'block', 'person_off', 'event_available', 'event_busy',
         'schedule', 'done_all', 'star', 'flag', 'paid', 'pending', 'help', 'label', 'login', 'logout',
         'home_repair_service', 'local_hospital', 'videocam', 'directions_walk', 'thumb_up', 'thumb_down', 'info')
_ICON = re.compile(r'^[a-z0-9_]{1,48}$')  # a Material icon name: what a badge can draw, nothing else


def with_role(statuses: Iterable[Status], role: StatusRole) -> Status | None:
    """The business's first status with this role (None when it has none)."""
    return next((st for st in statuses if st.role == role), None)


def busy_keys(statuses: Iterable[Status]) -> frozenset[str]:
    """The keys of the statuses that occupy the slot: an appointment in one of them blocks its time."""
    return frozenset(st.key for st in statuses if st.busy)


def new_booking_status(statuses: Sequence[Status]) -> Status | None:
    """A new booking gets the new-booking status (it waits for the business to confirm), or the first busy status
    when that one does not hold the slot or there is none; whatever it gets must occupy the slot, or the next customer
    could take the time too. None when no status holds a slot: the business takes no bookings online."""
    busy = [st for st in statuses if st.busy]
    if not busy:
        return None
    return next((st for st in busy if st.role == StatusRole.NEW_BOOKING), busy[0])


def freeing_status(statuses: Sequence[Status]) -> Status | None:
    """What a cancel by the customer sets (closing an account does it to every visit ahead): the customer-cancel
    status, else the first status that frees the slot; None when no status frees it."""
    return with_role(statuses, StatusRole.CUSTOMER_CANCEL) or next((st for st in statuses if not st.busy), None)


def awaits_confirmation(status: Status) -> bool:
    """An appointment in the new-booking status is tentative: the business has not confirmed it yet."""
    return status.role == StatusRole.NEW_BOOKING


def status_problems(statuses: Sequence[Status]) -> list[Text]:
    """A sound list of statuses: at least one, keys unique and non-empty, a singular role on at most one status, the
    new-booking status holds the slot (or a second customer could book the same time) and the customer-cancel status
    frees it."""
    problems: list[Text] = []
    if not statuses:
        problems.append(lazy('A business needs at least one status.'))
    keys = [st.key for st in statuses]
    if any(not k for k in keys):
        problems.append(lazy('Every status needs a key.'))
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        problems.append(lazy('Status keys must be unique: %(keys)s.', keys=', '.join(repeated)))
    for role in sorted(SINGULAR_ROLES):
        holders = [st.key for st in statuses if st.role == role]
        if len(holders) > 1:
            problems.append(lazy('Only one status can have the role %(role)s: %(keys)s.', role=str(role),
                                 keys=', '.join(holders)))
    new = with_role(statuses, StatusRole.NEW_BOOKING)
    if new is not None and not new.busy:
        problems.append(lazy('The status new bookings get (%(key)s) must occupy the slot.', key=new.key))
    cancel = with_role(statuses, StatusRole.CUSTOMER_CANCEL)
    if cancel is not None and cancel.busy:
        problems.append(lazy('The status a customer cancel sets (%(key)s) must free the slot.', key=cancel.key))
    return problems


def status_field_problems(status: Status) -> dict[str, Text]:
    """What the business typed for one status, field by field: a label of 1 to 40 visible characters (per language
    too, each in a language Kairos ships), a hex colour and a Material icon name (a badge draws nothing else)."""
    problems: dict[str, Text] = {}
    label = label_problem(status.label)
    if label is not None:
        problems['label'] = label
    for locale, text in status.labels.items():
        if locale not in SHIPPED_LOCALES:
            problems[f'label_{locale}'] = lazy('Kairos does not speak %(locale)s.', locale=locale)
        elif text:
            found = label_problem(text)
            if found is not None:
                problems[f'label_{locale}'] = found
    if not safe_color(status.color):
        problems['color'] = lazy('The colour must be a hex colour like #0f766e.')
    if not _ICON.match(status.icon or ''):
        problems['icon'] = lazy('The icon must be a Material icon name, like check_circle.')
    return problems


def label_problem(label: str) -> Text | None:
    """A status label is shown on a badge: 1 to 40 characters, none of them hidden."""
    if not label or not label.strip():
        return lazy('Give the status a name.')
    if len(label) > LABEL_MAX:
        return lazy('A status name can be at most %(max)s characters.', max=LABEL_MAX)
    if any(is_hidden_character(ch) for ch in label):
        return lazy('The name contains a hidden character; type it again.')
    return None


def clean_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """The translations worth keeping: trimmed, empty ones dropped (the default label shows instead)."""
    return {loc: ' '.join(text.split()) for loc, text in labels.items() if text and text.strip()}


def key_for(label: str, taken: Iterable[str]) -> str:
    """A new status's key, made once from its first label (it never changes after: history and settings name it):
    lower-case ASCII words joined by '-', made unique among `taken`."""
    ascii_text = unicodedata.normalize('NFKD', label).encode('ascii', 'ignore').decode('ascii')
    base = re.sub(r'[^a-z0-9]+', '-', ascii_text.lower()).strip('-')[:KEY_MAX - 4] or 'status'
    used = set(taken)
    key, n = base, 2
    while key in used:
        key, n = f'{base}-{n}', n + 1
    return key


def icon_name(value: str | None) -> str | None:
    """An icon a badge may draw: a Material icon name (saved before names were checked, anything else is left out)."""
    return value if value and _ICON.match(value) else None


def order_problem(statuses: Sequence[Status], keys: Sequence[str]) -> Text | None:
    """A new order names every status once, and nothing else."""
    if sorted(keys) != sorted(st.key for st in statuses):
        return lazy('The new order must list every status once; reload the page and try again.')
    return None


def reordered(statuses: Sequence[Status], keys: Sequence[str]) -> tuple[Status, ...]:
    """The statuses in the order of `keys` (checked by `order_problem`)."""
    by_key = {st.key: st for st in statuses}
    return tuple(by_key[k] for k in keys)


def merge_problem(statuses: Sequence[Status], source: str, target: str) -> Text | None:
    """A status merges into another status of the same business: its appointments move there and it goes."""
    keys = {st.key for st in statuses}
    if source not in keys or target not in keys:
        return lazy('That status is not one this business uses.')
    if source == target:
        return lazy('Choose another status to merge it into.')
    return None
