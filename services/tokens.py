"""Single-use links sent by email: unguessable, bound to one purpose, stored only as an HMAC, and short-lived.

The link carries 32 random bytes; the database keeps HMAC-SHA256(server secret, purpose + token), so a copy of the
database cannot be turned into working links, and a reset token cannot be used as a magic link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from domain.i18n import Said, lazy
from services.config import get_config
from storage import customers as customer_db
from storage.db import Database


class Purpose(StrEnum):
    VERIFY = 'verify'
    RESET = 'reset'
    MAGIC = 'magic'
    WELCOME = 'welcome'
    EMAIL_CHANGE = 'email_change'
    EMAIL_UNDO = 'email_undo'
    REMINDER = 'reminder'  # a reminder's buttons (payload: the appointment id); used again until the visit starts


LIFETIME: dict[Purpose, timedelta] = {
    Purpose.VERIFY: timedelta(hours=48),
    Purpose.RESET: timedelta(hours=1),
    Purpose.MAGIC: timedelta(minutes=15),
    Purpose.WELCOME: timedelta(hours=72),
    Purpose.EMAIL_CHANGE: timedelta(hours=24),
    Purpose.EMAIL_UNDO: timedelta(days=7),
    Purpose.REMINDER: timedelta(days=15),  # at most; a reminder's link ends when its visit starts (issue_in)
}

INVALID_LINK = lazy('This link has expired or was already used. Ask for a new one.')


class InvalidToken(Exception):
    def __init__(self, message: Said = INVALID_LINK) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class Redeemed:
    customer_id: int
    payload: str


def digest(purpose: str, token: str) -> str:
    key = get_config().secret.encode()
    return hmac.new(key, f'{purpose}:{token}'.encode(), hashlib.sha256).hexdigest()


def issue(db: Database, *, tenant_id: int, customer_id: int, purpose: Purpose, now: datetime,
          payload: str = '', keep_earlier: bool = False) -> str:
    """A fresh token for the account; earlier open tokens of the same purpose stop working unless `keep_earlier`
    (each undo link of an email change must keep working: a second change must not cancel the first one's undo)."""
    with db.write() as s:
        return issue_in(s, tenant_id=tenant_id, customer_id=customer_id, purpose=purpose, now=now, payload=payload,
                        keep_earlier=keep_earlier)


def issue_in(session: Session, *, tenant_id: int, customer_id: int, purpose: Purpose, now: datetime,
             payload: str = '', keep_earlier: bool = False, expires_at: datetime | None = None) -> str:
    """`issue` inside the caller's write transaction (so the email carrying the link commits with it); `expires_at`
    ends it sooner than its purpose's lifetime."""
    token = secrets.token_urlsafe(32)
    if not keep_earlier:
        customer_db.retire_tokens(session, customer_id=customer_id, now=now, purposes=(purpose.value,))
    customer_db.add_token(session, tenant_id=tenant_id, customer_id=customer_id, purpose=purpose.value,
                          token_hash=digest(purpose, token), payload=payload, now=now,
                          expires_at=min(now + LIFETIME[purpose], expires_at or now + LIFETIME[purpose]))
    return token


def check(db: Database, *, tenant_id: int, purpose: Purpose, token: str, now: datetime) -> Redeemed:
    """What a token would grant, without spending it (to decide whether to show a form)."""
    with db.read() as s:
        row = _valid_row(s, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
    return Redeemed(row.customer_id, row.payload)


def redeem(session: Session, *, tenant_id: int, purpose: Purpose, token: str, now: datetime) -> Redeemed:
    """Spend a token inside the caller's write transaction; raise InvalidToken when it cannot be used."""
    row = _valid_row(session, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
    if not customer_db.use_token(session, token_id=row.id, now=now):
        raise InvalidToken()
    return Redeemed(row.customer_id, row.payload)


def _valid_row(session: Session, *, tenant_id: int, purpose: Purpose, token: str,
               now: datetime) -> customer_db.TokenRow:
    if not token or len(token) > 200:
        raise InvalidToken()
    row = customer_db.find_token(session, tenant_id=tenant_id, purpose=purpose.value, token_hash=digest(purpose, token))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise InvalidToken()
    return row
