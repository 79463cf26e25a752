"""A business's statuses as the rules read them: by role and by whether they hold the slot, never by key.

A business may rename its statuses or add its own; the rules below keep working as long as the list is sound
(`status_problems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.i18n import Text, lazy
from domain.model import SINGULAR_ROLES, Status, StatusRole


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
    """A sound list of statuses: keys unique and non-empty, a singular role on at most one status, the new-booking
    status holds the slot (or a second customer could book the same time) and the customer-cancel status frees it."""
    problems: list[Text] = []
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
