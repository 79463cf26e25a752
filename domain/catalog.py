"""What a valid service, staff member and location look like: the rules the admin's catalog forms are checked by.

Each check takes what the admin typed (page-local values: whole minutes, minor units, ids) and answers with the
reasons, one per field that is wrong, keyed by the field's name, in words for the admin (`domain.i18n.Text`, shown in
their language next to the field). An empty answer means it may be saved. The services ask again on the server,
whatever the browser sent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from domain.accounts import EMAIL_MAX_LENGTH, email_problem
from domain.i18n import Text, lazy
from domain.web import color_problem, is_hidden_character, url_problem

NAME_MAX = 80
CATEGORY_MAX = 60
ADDRESS_MAX = 300
MINUTES_IN_DAY = 24 * 60
DURATION_MIN, DURATION_MAX = 5, MINUTES_IN_DAY - 1  # the slot engine assumes a visit lasts less than a day
BUFFER_MAX = 8 * 60
CAPACITY_MAX = 500
STEP_MIN, STEP_MAX = 5, 12 * 60
NOTICE_MAX = 90 * MINUTES_IN_DAY  # ninety days' notice is the most any business asks
DAYS_AHEAD_MAX = 730
MONEY_MAX = 100_000_000  # a million in the currency's main unit, in minor units

Problems = dict[str, Text]


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceInput:
    """A service as the admin enters it: minutes, minor units, and the staff who offer it."""

    name: str
    category: str = ''
    duration_min: int = 60
    price: int = 0
    deposit: int = 0
    buffer_before_min: int = 0
    buffer_after_min: int = 0
    capacity: int = 1
    slot_step_min: int = 15
    min_notice_min: int = 60
    max_days_ahead: int = 60
    meeting_url: str = ''
    color: str = '#6366f1'
    staff_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffInput:
    """A staff member as the admin enters them: where they work and what they offer, by id."""

    name: str
    email: str = ''
    location_ids: tuple[int, ...] = ()
    service_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationInput:
    name: str
    address: str = ''


def service_problems(value: ServiceInput, *, staff_ids: Collection[int] | None = None) -> Problems:
    """A service needs a name, a length from 5 minutes to under a day, a price and a deposit that are not negative
    (the deposit no more than the price), buffers and a grid step within reason, at least one seat, a notice and a
    horizon that are not negative, a meeting link that is a web address, and staff of this business (`staff_ids`:
    the business's bookable staff, when known)."""
    found: Problems = {}
    _put(found, 'name', name_problem(value.name))
    _put(found, 'category', _text_problem(value.category, limit=CATEGORY_MAX, required=False))
    _put(found, 'duration_min', _whole_problem(value.duration_min, DURATION_MIN, DURATION_MAX,
                                               lazy('A service lasts from %(low)s to %(high)s minutes.',
                                                    low=DURATION_MIN, high=DURATION_MAX)))
    price = money_problem(value.price)
    _put(found, 'price', price)
    deposit = money_problem(value.deposit)
    if deposit is None and price is None and value.deposit > value.price:
        deposit = lazy('The deposit cannot be more than the price.')
    _put(found, 'deposit', deposit)
    buffers = lazy('A buffer is from 0 to %(high)s minutes.', high=BUFFER_MAX)
    _put(found, 'buffer_before_min', _whole_problem(value.buffer_before_min, 0, BUFFER_MAX, buffers))
    _put(found, 'buffer_after_min', _whole_problem(value.buffer_after_min, 0, BUFFER_MAX, buffers))
    _put(found, 'capacity', _whole_problem(value.capacity, 1, CAPACITY_MAX,
                                           lazy('A slot has from 1 to %(high)s seats.', high=CAPACITY_MAX)))
    _put(found, 'slot_step_min', _whole_problem(value.slot_step_min, STEP_MIN, STEP_MAX,
                                                lazy('Times are offered every %(low)s to %(high)s minutes.',
                                                     low=STEP_MIN, high=STEP_MAX)))
    _put(found, 'min_notice_min', _whole_problem(value.min_notice_min, 0, NOTICE_MAX,
                                                 lazy('The notice is from 0 to %(high)s minutes.', high=NOTICE_MAX)))
    _put(found, 'max_days_ahead', _whole_problem(value.max_days_ahead, 0, DAYS_AHEAD_MAX,
                                                 lazy('Bookings open from 0 to %(high)s days ahead.',
                                                      high=DAYS_AHEAD_MAX)))
    if value.meeting_url and url_problem(value.meeting_url, label='') is not None:
        _put(found, 'meeting_url', lazy('The meeting link must be a web address starting with https:// or http://.'))
    if color_problem(value.color, label='') is not None:
        _put(found, 'color', lazy('The colour must be a hex colour like #0f766e.'))
    if staff_ids is not None and not set(value.staff_ids) <= set(staff_ids):
        _put(found, 'staff_ids', lazy('Choose staff members of this business.'))
    return found


def staff_problems(value: StaffInput, *, location_ids: Collection[int] | None = None,
                   service_ids: Collection[int] | None = None) -> Problems:
    """A staff member needs a name; an email is optional but must look like one; their locations and services must
    be this business's and not archived (`location_ids`, `service_ids`: those that may be chosen, when known)."""
    found: Problems = {}
    _put(found, 'name', name_problem(value.name))
    if value.email.strip():
        if email_problem(value.email) is not None or len(value.email) > EMAIL_MAX_LENGTH:
            _put(found, 'email', lazy('Enter an email address like name@example.com.'))
    if location_ids is not None and not set(value.location_ids) <= set(location_ids):
        _put(found, 'location_ids', lazy('Choose locations of this business.'))
    if service_ids is not None and not set(value.service_ids) <= set(service_ids):
        _put(found, 'service_ids', lazy('Choose services of this business.'))
    return found


def location_problems(value: LocationInput) -> Problems:
    """A location needs a name; its address is optional and at most 300 characters."""
    found: Problems = {}
    _put(found, 'name', name_problem(value.name))
    _put(found, 'address', _text_problem(value.address, limit=ADDRESS_MAX, required=False))
    return found


def name_problem(value: str) -> Text | None:
    """A catalog name is required, at most 80 characters, with no hidden characters."""
    return _text_problem(value, limit=NAME_MAX, required=True)


def money_problem(value: object) -> Text | None:
    """An amount is whole minor units (cents), not negative, and at most a million in the main unit."""
    if not _is_int(value) or not 0 <= value <= MONEY_MAX:  # type: ignore[operator]
        return lazy('Enter an amount from 0 to %(high)s.', high=MONEY_MAX // 100)
    return None


def ids_of(chosen: Sequence[int]) -> tuple[int, ...]:
    """Chosen ids, each once, in order (a form may send one twice)."""
    return tuple(dict.fromkeys(chosen))


# ---- helpers ------------------------------------------------------------------------------------------------------


def _put(found: Problems, key: str, problem: Text | None) -> None:
    if problem is not None:
        found[key] = problem


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_problem(value: object, low: int, high: int, reason: Text) -> Text | None:
    if not _is_int(value) or not low <= value <= high:  # type: ignore[operator]
        return reason
    return None


def _text_problem(value: str, *, limit: int, required: bool) -> Text | None:
    value = value.strip()
    if required and not value:
        return lazy('Enter a name.')
    if len(value) > limit:
        return lazy('At most %(limit)s characters.', limit=limit)
    if any(is_hidden_character(c) for c in value if c not in '\n'):
        return lazy('This contains characters that are not allowed.')
    return None
