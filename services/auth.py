"""Signing in and out: Argon2 password hashes and server-side sessions that can be ended."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import sqlalchemy
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from domain import model as d
from domain.i18n import Said, lazy
from services import events, runtime
from services.config import get_config
from storage import customers as customer_db
from storage.db import Database

SIGN_IN_FAILED = lazy('That email and password do not match an account.')
SESSION_ENDED = lazy('Your session has ended. Please sign in again.')

P = ParamSpec('P')
T = TypeVar('T')
# Argon2 costs ~150 ms of a core and 64 MiB a call. Password work runs on this small pool of its own (one core is
# always left over), so a burst of sign-ins queues here instead of filling the pool that page loads use (NiceGUI's
# run.io_bound), and never holds more than a few hashes' memory at once.
PASSWORD_WORKERS = max(1, (os.cpu_count() or 2) - 1)


class Passwords:
    """The password pool and the Argon2 hasher (one of each per runtime; the hasher is made on first use)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=PASSWORD_WORKERS, thread_name_prefix='kairos-argon2')
        self._hasher: PasswordHash | None = None

    @property
    def hasher(self) -> PasswordHash:
        if self._hasher is None:
            if get_config().argon2_fast:
                self._hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
            else:
                self._hasher = PasswordHash((Argon2Hasher(),))
        return self._hasher

    def close(self) -> None:
        self.pool.shutdown(wait=False)


async def password_work(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Await `job` (a use case that checks or hashes a password) run on the password pool, off the event loop."""
    return await asyncio.wrap_future(runtime.get().passwords.pool.submit(job, *args, **kwargs))


def hasher() -> PasswordHash:
    return runtime.get().passwords.hasher


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        hasher().hash(password)  # same cost whether or not the account has a password: no timing hint
        return False
    try:
        return hasher().verify(password, password_hash)
    except Exception:  # a malformed hash is a failed sign-in, never a crash
        return False


class SignInFailed(Exception):
    """The one message for a wrong email or a wrong password: it never says which."""

    def __init__(self, message: Said = SIGN_IN_FAILED) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_id: str
    customer: d.Customer


class SessionEnded(Exception):
    """The session behind an open page was signed out, replaced by a password change or reset, closed with its
    account, or timed out: nothing more may be done with it."""

    def __init__(self) -> None:
        self.message = SESSION_ENDED
        super().__init__(str(SESSION_ENDED))


# The idle clock is refreshed at most this often, so an ordinary page view stays a read.
TOUCH_EVERY = timedelta(minutes=5)

A = TypeVar('A')


def session_hash(session_id: str) -> str:
    """What the database keeps of a session token: its SHA-256 (the token has 256 random bits, no key needed)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def live_window(now: datetime) -> tuple[datetime, datetime]:
    """(born after, seen after): a session opened before the first or unused since the second has ended."""
    cfg = get_config()
    return now - cfg.session_lifetime, now - cfg.session_idle


def open_session(db: Database, *, tenant_id: int, customer_id: int, now: datetime) -> str:
    """A new session for the customer; returns its token, which only the browser keeps."""
    session_id = secrets.token_urlsafe(32)
    with db.write() as s:
        customer_db.open_session(s, token_hash=session_hash(session_id), tenant_id=tenant_id, customer_id=customer_id,
                                 now=now)
    return session_id


def sign_in(db: Database, *, tenant_id: int, email: str, password: str, now: datetime) -> SignedIn:
    """Open a session for an active customer whose password matches; otherwise raise SignInFailed."""
    with db.read() as s:
        row = customer_db.active_customer_row_by_email(s, tenant_id=tenant_id, email=email)
        password_hash = row.password_hash if row else None
        found = customer_db.to_customer(row) if row else None
    if not verify_password(password, password_hash) or found is None:
        raise SignInFailed()
    return SignedIn(open_session(db, tenant_id=tenant_id, customer_id=found.id, now=now), found)


def current_customer(db: Database, *, tenant_id: int, session_id: str | None,
                     now: datetime | None = None) -> d.Customer | None:
    """The active customer behind a live session (not revoked, not idle too long, not too old), else None."""
    if not session_id:
        return None
    now = now or datetime.now(UTC)
    born_after, seen_after = live_window(now)
    token_hash = session_hash(session_id)
    with db.read() as s:
        live = customer_db.session_customer(s, token_hash=token_hash, tenant_id=tenant_id, born_after=born_after,
                                            seen_after=seen_after)
    if live is None:
        return None
    seen(db, token_hash=token_hash, last_seen_at=live.last_seen_at, now=now)
    return live.customer


def require_customer(db: Database, *, tenant_id: int, session_id: str | None,
                     now: datetime | None = None) -> d.Customer:
    """The live session's customer; SessionEnded when the session is over."""
    customer = current_customer(db, tenant_id=tenant_id, session_id=session_id, now=now)
    if customer is None:
        raise SessionEnded()
    return customer


def act(db: Database, action: Callable[..., A], /, *, tenant_id: int, session_id: str | None, **kwargs: Any) -> A:
    """Do a customer's action only while their session is live, as the session's own customer.

    Every action of a signed-in page goes through here: the session is checked on the server right before the
    action (SessionEnded when it is over) and the action gets `customer_id` from the session, never from what the
    page remembers. `action` is a service function taking (db, *, tenant_id, customer_id, ...); when it takes a `now`,
    the session is judged at that same moment."""
    now = kwargs.get('now')
    customer = require_customer(db, tenant_id=tenant_id, session_id=session_id,
                                now=now if isinstance(now, datetime) else None)
    return action(db, tenant_id=tenant_id, customer_id=customer.id, **kwargs)


def seen(db: Database, *, token_hash: str, last_seen_at: datetime, now: datetime) -> None:
    """Restart the session's idle clock, when it was last restarted a while ago."""
    if now - last_seen_at >= min(TOUCH_EVERY, get_config().session_idle / 10):
        with db.write() as s:
            customer_db.touch_session(s, token_hash=token_hash, now=now)


def sign_out(db: Database, *, session_id: str, now: datetime) -> None:
    """End this session; the open tabs of the same browser leave for the sign-in page."""
    with db.write() as s:
        owner = customer_db.revoke_session(s, token_hash=session_hash(session_id), now=now)
    if owner is not None and owner[1] is not None:
        sessions_ended(tenant_id=owner[0], customer_id=owner[1])


def sessions_ended(*, tenant_id: int, customer_id: int) -> None:
    """Tell the customer's open pages, on every instance, that some of their sessions ended: each checks its own.
    Call it after the transaction that revoked them committed."""
    events.publish(events.sessions_topic(tenant_id, customer_id))


def end_sessions_in(s: Any, *, tenant_id: int, customer_id: int, now: datetime) -> None:
    """Revoke every session of the account inside the caller's write transaction, and tell its open pages once that
    transaction commits (before it, they would find their session still live and stay)."""
    customer_db.revoke_sessions(s, customer_id=customer_id, now=now)
    sqlalchemy.event.listen(s, 'after_commit', lambda _s: sessions_ended(tenant_id=tenant_id, customer_id=customer_id),
                            once=True)
