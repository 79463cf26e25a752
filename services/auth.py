"""Signing in and out: Argon2 password hashes and server-side sessions that can be ended."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from domain import model as d
from services.config import get_config
from storage import queries as q
from storage import tables as t
from storage.db import Database

SIGN_IN_FAILED = 'That email and password do not match an account.'

_hasher: PasswordHash | None = None

P = ParamSpec('P')
T = TypeVar('T')
# Argon2 costs ~150 ms of a core and 64 MiB a call. Password work runs on this small pool of its own (one core is
# always left over), so a burst of sign-ins queues here instead of filling the pool that page loads use (NiceGUI's
# run.io_bound), and never holds more than a few hashes' memory at once.
PASSWORD_WORKERS = max(1, (os.cpu_count() or 2) - 1)
_password_pool = ThreadPoolExecutor(max_workers=PASSWORD_WORKERS, thread_name_prefix='kairos-argon2')


async def password_work(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Await `job` (a use case that checks or hashes a password) run on the password pool, off the event loop."""
    return await asyncio.wrap_future(_password_pool.submit(job, *args, **kwargs))


def hasher() -> PasswordHash:
    global _hasher
    if _hasher is None:
        if get_config().argon2_fast:
            _hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
        else:
            _hasher = PasswordHash((Argon2Hasher(),))
    return _hasher


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

    def __init__(self, message: str = SIGN_IN_FAILED) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_id: str
    customer: d.Customer


def open_session(db: Database, *, tenant_id: int, customer_id: int, now: datetime) -> str:
    session_id = secrets.token_urlsafe(32)
    with db.write() as s:
        s.add(t.AuthSession(id=session_id, tenant_id=tenant_id, customer_id=customer_id, created_at=now))
    return session_id


def sign_in(db: Database, *, tenant_id: int, email: str, password: str, now: datetime) -> SignedIn:
    """Open a session for an active customer whose password matches; otherwise raise SignInFailed."""
    with db.read() as s:
        row = q.active_customer_row_by_email(s, tenant_id=tenant_id, email=email)
        password_hash = row.password_hash if row else None
        found = q.to_customer(row) if row else None
    if not verify_password(password, password_hash) or found is None:
        raise SignInFailed()
    return SignedIn(open_session(db, tenant_id=tenant_id, customer_id=found.id, now=now), found)


def current_customer(db: Database, *, tenant_id: int, session_id: str | None) -> d.Customer | None:
    if not session_id:
        return None
    with db.read() as s:
        return q.session_customer(s, session_id=session_id, tenant_id=tenant_id)


def sign_out(db: Database, *, session_id: str, now: datetime) -> None:
    with db.write() as s:
        q.revoke_session(s, session_id=session_id, now=now)


def end_other_sessions(db: Database, *, customer_id: int, keep: str | None, now: datetime) -> int:
    """End every session of the account but the one in use (after a password change)."""
    with db.write() as s:
        return q.revoke_sessions(s, customer_id=customer_id, now=now, keep=keep)
