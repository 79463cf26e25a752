"""Slowing down guessing: sign-in attempts counted per account and per client address (the `limits` library).

Counts live in memory for one process, or in Redis when KAIROS_REDIS_URL is set, so several instances share them.
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, storage, strategies

from domain.i18n import lazy_plural
from services import runtime
from services.config import REDIS_TIMEOUTS, Config

# Per account: 5 wrong passwords in 15 minutes; per address: 20 (a shared office or a phone network behind one IP).
ACCOUNT_LIMIT = parse('5/15minutes')
ADDRESS_LIMIT = parse('20/15minutes')
# Emails we send on request (reset, magic link, sign-up): a few per hour per address asked and per client address.
MAIL_PER_EMAIL = parse('5/hour')
MAIL_PER_ADDRESS = parse('30/hour')


class TooManyAttempts(Exception):
    def __init__(self, retry_after: float) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        self.message = lazy_plural('Too many attempts. Try again in %(num)d minute.',
                                   'Too many attempts. Try again in %(num)d minutes.', minutes)
        self.retry_after = retry_after
        super().__init__(str(self.message))


@dataclass(frozen=True, slots=True)
class Check:
    limit: RateLimitItem
    namespace: str
    key: str


class Limiter:
    def __init__(self, url: str) -> None:
        options = REDIS_TIMEOUTS if url.startswith(('redis://', 'rediss://', 'redis+')) else {}
        self.storage = storage.storage_from_string(url, **options)
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)

    def ensure_open(self, *checks: Check) -> None:
        """Raise TooManyAttempts when any of the counters is full, naming the longest wait."""
        waits = []
        for c in checks:
            if not self.strategy.test(c.limit, c.namespace, c.key):
                reset_at, _ = self.strategy.get_window_stats(c.limit, c.namespace, c.key)
                waits.append(reset_at - time.time())
        if waits:
            raise TooManyAttempts(max(waits))

    def take(self, *checks: Check) -> None:
        """Count one attempt on each counter before the work it guards (checking a password), or raise
        TooManyAttempts. Each counter is tested and counted in one atomic step (a lock in memory, a script in
        Redis), so parallel attempts cannot all pass a check that none of them has counted yet. Counters after a
        full one are left alone."""
        for i, c in enumerate(checks):
            if not self.strategy.hit(c.limit, c.namespace, c.key):
                waits = [self._wait(c)] + [self._wait(o) for o in checks[i + 1:]
                                            if not self.strategy.test(o.limit, o.namespace, o.key)]
                raise TooManyAttempts(max(waits))

    def _wait(self, c: Check) -> float:
        reset_at, _ = self.strategy.get_window_stats(c.limit, c.namespace, c.key)
        return float(reset_at - time.time())

    def hit(self, *checks: Check) -> None:
        for c in checks:
            self.strategy.hit(c.limit, c.namespace, c.key)

    def clear(self, *checks: Check) -> None:
        for c in checks:
            self.strategy.clear(c.limit, c.namespace, c.key)


def for_config(cfg: Config) -> Limiter:
    """The limiter a configuration asks for: counts in Redis when KAIROS_REDIS_URL is set, else in memory."""
    return Limiter(cfg.redis_url if cfg.redis_url else 'memory://')


def limiter() -> Limiter:
    """The process's limiter (the runtime's); made anew when the configuration is reloaded (in-memory counts start
    over)."""
    return runtime.get().limiter


def reset_limiter() -> None:
    """Forget every counter (tests, or a change of configuration)."""
    runtime.get().reset_limiter()


def client_key(address: str) -> str:
    """What one client address counts as: an IPv6 address by its /64 network (a home or a phone is handed a whole
    /64, so counting single addresses would give it billions of fresh counters), an IPv4 address (also written as
    IPv6-mapped) by itself; anything else as written."""
    try:
        ip = ipaddress.ip_address(address.strip().split('%', 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def sign_in_checks(*, tenant_id: int, email: str, address: str | None) -> tuple[Check, ...]:
    checks = [Check(ACCOUNT_LIMIT, 'signin-account', f'{tenant_id}:{email.strip().lower()}')]
    if address:
        checks.append(Check(ADDRESS_LIMIT, 'signin-address', f'{tenant_id}:{client_key(address)}'))
    return tuple(checks)


def mail_checks(*, tenant_id: int, email: str, address: str | None) -> tuple[Check, ...]:
    checks = [Check(MAIL_PER_EMAIL, 'mail-email', f'{tenant_id}:{email.strip().lower()}')]
    if address:
        checks.append(Check(MAIL_PER_ADDRESS, 'mail-address', f'{tenant_id}:{client_key(address)}'))
    return tuple(checks)


# Guest bookings (each one holds a time and mails a confirmation): a few per hour per email, more per client address.
BOOK_PER_EMAIL = parse('5/hour')
BOOK_PER_ADDRESS = parse('20/hour')


def booking_checks(*, tenant_id: int, email: str, address: str | None) -> tuple[Check, ...]:
    checks = [Check(BOOK_PER_EMAIL, 'book-email', f'{tenant_id}:{email.strip().lower()}')]
    if address:
        checks.append(Check(BOOK_PER_ADDRESS, 'book-address', f'{tenant_id}:{address}'))
    return tuple(checks)


# Email changes asked for by a signed-in account: a few per hour, whatever the new address.
EMAIL_CHANGE_PER_ACCOUNT = parse('3/hour')


def email_change_checks(*, tenant_id: int, customer_id: int) -> tuple[Check, ...]:
    return (Check(EMAIL_CHANGE_PER_ACCOUNT, 'email-change', f'{tenant_id}:{customer_id}'),)


def admin_sign_in_checks(*, tenant_id: int, email: str, address: str | None) -> tuple[Check, ...]:
    """The same limits as a customer's sign-in, counted apart: guesses at an admin account do not lock out a customer
    with the same email, and the reverse."""
    checks = [Check(ACCOUNT_LIMIT, 'admin-signin-account', f'{tenant_id}:{email.strip().lower()}')]
    if address:
        checks.append(Check(ADDRESS_LIMIT, 'admin-signin-address', f'{tenant_id}:{client_key(address)}'))
    return tuple(checks)
