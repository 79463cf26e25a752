"""The composition root: every long-lived object of the process is built here, from the configuration.

One `Runtime` holds the configuration, the database handle (its engine and connection pool), the tenant cache, the
sign-in limiter, the live-update bus, the OIDC discovery cache, the email queue with its sender, the reminder
scheduler, and the password pool. Code reaches them through `get()` (most through the small functions of their own
modules: `get_db()`, `resolve_tenant()`, `events.publish()`, ...). `configure()` builds a runtime from given parts
instead of the environment; `reset()` closes the current one, and the next `get()` builds everything afresh: tests
call it once between tests instead of clearing each cache by hand.

The modules that own each part import this one and ask `get()` when called; this module imports them only to build
(inside functions), so either side may be imported first.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from services.config import Config
from storage.db import Database

if TYPE_CHECKING:
    from services.auth import Passwords
    from services.events import EventBus
    from services.mail import MailQueue
    from services.oidc import Discovery
    from services.ratelimit import Limiter
    from services.reminders import Scheduler
    from services.tenants import TenantCache

log = logging.getLogger(__name__)


@dataclass(eq=False, kw_only=True)
class Runtime:
    """The process's long-lived objects. The database and the limiter follow the configuration: a reloaded
    configuration (`forget_config`) gets a database handle for its URL and a limiter of its own on next use."""

    tenants: TenantCache
    events: EventBus
    oidc: Discovery
    mail: MailQueue
    passwords: Passwords
    reminders: Scheduler
    pinned_config: Config | None = None  # given to configure(): kept instead of reading the environment
    pinned_db: Database | None = None  # given to configure(): its owner closes it
    _config: Config | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)
    _limiter: Limiter | None = field(default=None, repr=False)
    _limiter_for: Config | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def config(self) -> Config:
        config = self._config
        if config is None:
            with self._lock:
                if self._config is None:
                    self._config = self.pinned_config or Config()
                config = self._config
        return config

    def forget_config(self) -> None:
        """Read the environment again on next use."""
        with self._lock:
            self._config = None

    @property
    def db(self) -> Database:
        """The database of the configured URL (or the one handed to configure())."""
        if self.pinned_db is not None:
            return self.pinned_db
        url = self.config.database_url
        current = self._db
        if current is not None and current.url == url:
            return current  # every request asks: no lock once made
        with self._lock:
            old = self._db
            if old is not None and old.url == url:
                return old
            fresh = self._db = Database(url)
        if old is not None:
            old.dispose()  # the configuration moved to another database
        return fresh

    def forget_db(self) -> None:
        """Close the database handle; the next use opens one for the configured URL."""
        with self._lock:
            old, self._db = self._db, None
        if old is not None:
            old.dispose()

    @property
    def limiter(self) -> Limiter:
        """The sign-in limiter; made anew for a reloaded configuration (in-memory counts start over)."""
        from services.ratelimit import for_config

        config = self.config
        with self._lock:
            if self._limiter is None or self._limiter_for is not config:
                self._limiter, self._limiter_for = for_config(config), config
            return self._limiter

    def reset_limiter(self) -> None:
        """Forget every counter, also those kept in Redis."""
        with self._lock:
            old, self._limiter = self._limiter, None
        if old is not None:
            old.storage.reset()

    def close(self) -> None:
        """Stop the threads, drop the subscriptions, caches and in-memory counts, and close the database handle."""
        for name, step in (('reminders', self.reminders.close), ('mail', self.mail.close),
                           ('events', self.events.close),
                           ('passwords', self.passwords.close), ('tenants', self.tenants.clear),
                           ('oidc', self.oidc.clear), ('limiter', self._close_limiter), ('database', self.forget_db)):
            try:
                step()
            except Exception:  # one part failing to close must not keep the others open
                log.exception('closing the runtime: %s failed', name)

    def _close_limiter(self) -> None:
        from limits.storage import MemoryStorage

        with self._lock:
            old, self._limiter = self._limiter, None
        # Counts in Redis are shared with the other instances: only this process's own counts go with it.
        if old is not None and isinstance(old.storage, MemoryStorage):
            old.storage.reset()


_current: Runtime | None = None
_lock = threading.Lock()


def get() -> Runtime:
    """The process's runtime, built on first use from the environment."""
    global _current
    current = _current
    if current is not None:
        return current
    fresh = build()  # outside the lock: building imports the parts' modules
    with _lock:
        if _current is None:
            _current = fresh
            return fresh
        current = _current
    fresh.close()  # another thread built one first
    return current


def configure(*, config: Config | None = None, db: Database | None = None) -> Runtime:
    """Close the current runtime and put one built from these parts in its place (the rest as usual)."""
    global _current
    fresh = build(config=config, db=db)
    with _lock:
        old, _current = _current, fresh
    if old is not None:
        old.close()
    return fresh


def reset() -> None:
    """Close the current runtime; the next get() builds everything afresh."""
    global _current
    with _lock:
        old, _current = _current, None
    if old is not None:
        old.close()


def build(*, config: Config | None = None, db: Database | None = None) -> Runtime:
    """A new runtime; the database, the limiter and the hasher are made on first use."""
    from services.auth import Passwords
    from services.events import EventBus
    from services.mail import MailQueue
    from services.oidc import Discovery
    from services.reminders import Scheduler
    from services.tenants import TenantCache

    return Runtime(tenants=TenantCache(), events=EventBus(), oidc=Discovery(), mail=MailQueue(),
                   passwords=Passwords(), reminders=Scheduler(), pinned_config=config, pinned_db=db)

