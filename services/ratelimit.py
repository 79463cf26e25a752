"""Slowing down guessing: failed sign-ins counted per account and per client address (the `limits` library).

Counts live in memory for one process, or in Redis when KAIROS_REDIS_URL is set, so several instances share them.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, storage, strategies

from services.config import REDIS_TIMEOUTS, get_config

# Per account: 5 wrong passwords in 15 minutes; per address: 20 (a shared office or a phone network behind one IP).
ACCOUNT_LIMIT = parse('5/15minutes')
ADDRESS_LIMIT = parse('20/15minutes')
# Emails we send on request (reset, magic link, sign-up): a few per hour per address asked and per client address.
MAIL_PER_EMAIL = parse('5/hour')
MAIL_PER_ADDRESS = parse('30/hour')


class TooManyAttempts(Exception):
    def __init__(self, retry_after: float) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        unit = 'minute' if minutes == 1 else 'minutes'
        self.message = f'Too many attempts. Try again in {minutes} {unit}.'
        self.retry_after = retry_after
        super().__init__(self.message)


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

    def hit(self, *checks: Check) -> None:
        for c in checks:
            self.strategy.hit(c.limit, c.namespace, c.key)

    def clear(self, *checks: Check) -> None:
        for c in checks:
            self.strategy.clear(c.limit, c.namespace, c.key)


_limiter: Limiter | None = None
_made_for: object = None
_lock = threading.Lock()


def limiter() -> Limiter:
    """The process's limiter; made anew when the configuration is reloaded (in-memory counts start over)."""
    global _limiter, _made_for
    cfg = get_config()
    with _lock:
        if _limiter is None or _made_for is not cfg:
            _limiter = Limiter(cfg.redis_url if cfg.redis_url else 'memory://')
            _made_for = cfg
        return _limiter


def reset_limiter() -> None:
    """Forget every counter (tests, or a change of configuration)."""
    global _limiter
    with _lock:
        if _limiter is not None:
            _limiter.storage.reset()
        _limiter = None


def sign_in_checks(*, tenant_id: int, email: str, address: str | None) -> tuple[Check, ...]:
    checks = [Check(ACCOUNT_LIMIT, 'signin-account', f'{tenant_id}:{email.strip().lower()}')]
    if address:
        checks.append(Check(ADDRESS_LIMIT, 'signin-address', f'{tenant_id}:{address}'))
    return tuple(checks)


def mail_checks(*, tenant_id: int, email: str, address: str | None) -> tuple[Check, ...]:
    checks = [Check(MAIL_PER_EMAIL, 'mail-email', f'{tenant_id}:{email.strip().lower()}')]
    if address:
        checks.append(Check(MAIL_PER_ADDRESS, 'mail-address', f'{tenant_id}:{address}'))
    return tuple(checks)
