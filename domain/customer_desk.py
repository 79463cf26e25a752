"""The front desk's pure rules for customers and packages: reading a customer search, its index-friendly prefix ranges,
and the checks on a new customer and on a package of the catalog (spreadsheet-safe CSV cells: domain.desk.csv_cell).

Standard library only; storage turns `SearchTerms` into index ranges, services and pages use the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.accounts import email_problem, guest_problems
from domain.i18n import Text, lazy

PAGE_SIZE = 25
QUERY_MAX = 120
PACKAGE_NAME_MAX = 80
PACKAGE_SESSIONS_MAX = 1000
PACKAGE_PRICE_MAX = 100_000_00
PACKAGE_VALIDITY_MAX = 3660


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """What a desk search looks for, each a lower-case prefix ('' means: every customer).

    One word is a prefix of the email, first name, last name or phone; several words are also the first name's
    prefix followed by the last name's (`first`, `last`), and the whole text a prefix of either name."""

    text: str = ''
    first: str = ''
    last: str = ''
    phone: str = ''

    @property
    def empty(self) -> bool:
        return not self.text


def search_terms(query: str) -> SearchTerms:
    """Read what the desk typed: trimmed, lower-case, inner spaces collapsed, at most QUERY_MAX characters."""
    words = query.strip().lower()[:QUERY_MAX].split()
    if not words:
        return SearchTerms()
    text = ' '.join(words)
    first, last = (words[0], ' '.join(words[1:])) if len(words) > 1 else ('', '')
    phone = text if any(c.isdigit() for c in text) else ''
    return SearchTerms(text=text, first=first, last=last, phone=phone)


def prefix_upper_bound(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (for `x >= prefix AND x < bound`, which an
    ordinary index answers on SQLite and PostgreSQL alike)."""
    if not prefix:
        raise ValueError('an empty prefix has no upper bound')
    last = prefix[-1]
    if ord(last) >= 0x10FFFF:
        return prefix + '\uffff'
    return prefix[:-1] + chr(ord(last) + 1)


# ---- a customer made at the desk ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerInput:
    first_name: str
    last_name: str
    email: str
    phone: str = ''


def customer_problems(value: CustomerInput) -> dict[str, Text]:
    """A customer made or changed at the desk follows a guest booking's rules (names, a real-looking email, an
    optional phone). Field name -> what to fix."""
    found = guest_problems(first_name=value.first_name, last_name=value.last_name, email=value.email,
                           phone=value.phone)
    if 'email' not in found:
        problem = email_problem(value.email)
        if problem:
            found['email'] = problem
    return found


# ---- the package catalog ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageInput:
    name: str
    sessions: int
    price: int  # in cents
    validity_days: int
    service_ids: tuple[int, ...] = field(default_factory=tuple)


def package_problems(value: PackageInput, *, service_ids: set[int] | frozenset[int]) -> dict[str, Text]:
    """Each field of a package checked: field name -> what to fix. `service_ids`: the business's active services."""
    found: dict[str, Text] = {}
    name = value.name.strip()
    if not name:
        found['name'] = lazy('Enter a name.')
    elif len(name) > PACKAGE_NAME_MAX:
        found['name'] = lazy('At most %(limit)s characters.', limit=PACKAGE_NAME_MAX)
    if not 1 <= value.sessions <= PACKAGE_SESSIONS_MAX:
        found['sessions'] = lazy('A package has from 1 to %(high)s sessions.', high=PACKAGE_SESSIONS_MAX)
    if not 0 <= value.price <= PACKAGE_PRICE_MAX:
        found['price'] = lazy('Enter an amount from 0 to %(high)s.', high=PACKAGE_PRICE_MAX // 100)
    if not 1 <= value.validity_days <= PACKAGE_VALIDITY_MAX:
        found['validity_days'] = lazy('A package lasts from 1 to %(high)s days.', high=PACKAGE_VALIDITY_MAX)
    if not value.service_ids:
        found['service_ids'] = lazy('Choose at least one service.')
    elif not set(value.service_ids) <= set(service_ids):
        found['service_ids'] = lazy('Choose services of this business.')
    return found
