"""The business's admins getting in: sign-in, sessions, roles, invitations by emailed link, the list of admins.

Admin sessions follow the customers' rules (Argon2, the same rate limits counted apart, idle and absolute expiry,
revocation, sign out everywhere) but are their own kind: storage.admins finds one only through an active admin of the
same business, so a customer's token never opens an admin page and an admin's never opens the panel.

Every admin action goes through `act`: the session is checked on the server right before it, the admin's role
against what the action needs, and the action gets `admin_id` from the session. Use cases that only the owner may run
check it again inside their own transaction (`require_role_in`). Refusals carry a `domain.i18n.Text`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy
from sqlmodel import Session

from domain.accounts import email_problem, password_problem, sign_in_too_long
from domain.admins import (
    INVITE_LIFETIME,
    ROLE_LABELS,
    Admin,
    AdminRole,
    Invitation,
    admin_name_problem,
    require_role,
)
from domain.admins import NotAllowed as NotAllowed  # re-exported: pages catch it from here
from domain.i18n import SHIPPED_LOCALES, Text, lazy, lazy_plural
from services import audit, auth, emails, events, mail, ratelimit, tokens
from services.accounts import password_score
from services.config import public_link
from storage import admins as admin_db
from storage import tenants as tenant_db
from storage.db import Database

A = TypeVar('A')
INVITE_PURPOSE = 'admin_invite'
SIGN_IN_FAILED = lazy('That email and password do not match an admin account of this business.')
INVALID_INVITE = lazy('This invitation has expired or was already used. Ask the owner for a new one.')


class AdminSignInFailed(Exception):
    """One refusal for a wrong email or a wrong password (it never says which), or the rate limit's."""

    def __init__(self, text: Text = SIGN_IN_FAILED) -> None:
        super().__init__(str(text))
        self.text = text


class AdminRefused(Exception):
    """A request the rules refuse, with the reason (`text`) and, for a form, the field it is about."""

    def __init__(self, text: Text, *, field: str = '') -> None:
        super().__init__(str(text))
        self.text = text
        self.field = field


@dataclass(frozen=True, slots=True)
class AdminSignedIn:
    session_id: str
    admin: Admin


# ---- signing in and out ---------------------------------------------------------------------------------------------


def attempt_sign_in(db: Database, *, tenant_id: int, email: str, password: str, address: str | None,
                    now: datetime) -> AdminSignedIn:
    """Open an admin session when the email and password match an active admin of this business; counted like a
    customer's sign-in (per account and per client address). Blocks on Argon2: call it through auth.password_work."""
    account, *by_address = ratelimit.admin_sign_in_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        lim.ensure_open(*by_address)
        lim.take(account)
    except ratelimit.TooManyAttempts as e:
        raise AdminSignInFailed(_wait_text(e)) from e
    found: tuple[Admin, str] | None = None
    if not sign_in_too_long(email, password):
        with db.read() as s:
            found = admin_db.active_admin_by_email(s, tenant_id=tenant_id, email=email)
    if not auth.verify_password(password, found[1] if found else None) or found is None:
        lim.hit(*by_address)
        raise AdminSignInFailed()
    lim.clear(account)
    return AdminSignedIn(open_session(db, tenant_id=tenant_id, admin_id=found[0].id, now=now), found[0])


def open_session(db: Database, *, tenant_id: int, admin_id: int, now: datetime) -> str:
    """A new admin session; returns its token, which only the browser keeps."""
    session_id = secrets.token_urlsafe(32)
    with db.write() as s:
        admin_db.open_session(s, token_hash=auth.session_hash(session_id), tenant_id=tenant_id, admin_id=admin_id,
                              now=now)
    return session_id


def current_admin(db: Database, *, tenant_id: int, session_id: str | None, now: datetime | None = None) -> Admin | None:
    """The active admin behind a live admin session of this business (not revoked, idle or too old), else None."""
    if not session_id:
        return None
    now = now or datetime.now(UTC)
    born_after, seen_after = auth.live_window(now)
    token_hash = auth.session_hash(session_id)
    with db.read() as s:
        live = admin_db.session_admin(s, token_hash=token_hash, tenant_id=tenant_id, born_after=born_after,
                                      seen_after=seen_after)
    if live is None:
        return None
    auth.seen(db, token_hash=token_hash, last_seen_at=live.last_seen_at, now=now)
    return live.admin


def require_admin(db: Database, *, tenant_id: int, session_id: str | None, role: AdminRole = AdminRole.MANAGER,
                  now: datetime | None = None) -> Admin:
    """The live session's admin; auth.SessionEnded when the session is over, NotAllowed when the role is short."""
    admin = current_admin(db, tenant_id=tenant_id, session_id=session_id, now=now)
    if admin is None:
        raise auth.SessionEnded()
    return require_role(admin, role)


def act(db: Database, action: Callable[..., A], /, *, tenant_id: int, session_id: str | None,
        need: AdminRole = AdminRole.MANAGER, **kwargs: Any) -> A:
    """Do an admin's action only while their session is live and their role allows `need`, as the session's own
    admin: `action` is a service function taking (db, *, tenant_id, admin_id, ...)."""
    now = kwargs.get('now')
    admin = require_admin(db, tenant_id=tenant_id, session_id=session_id, role=need,
                          now=now if isinstance(now, datetime) else None)
    return action(db, tenant_id=tenant_id, admin_id=admin.id, **kwargs)


def require_role_in(s: Session, *, tenant_id: int, admin_id: int, needed: AdminRole) -> Admin:
    """Inside a use case's transaction: the admin is still an active admin of the business with the role needed."""
    return require_role(admin_db.active_admin(s, tenant_id=tenant_id, admin_id=admin_id), needed)


def sign_out(db: Database, *, session_id: str, now: datetime) -> None:
    """End this admin session; the same browser's other admin tabs leave for the sign-in page."""
    with db.write() as s:
        owner = admin_db.revoke_session(s, token_hash=auth.session_hash(session_id), now=now)
    if owner is not None:
        sessions_ended(tenant_id=owner[0], admin_id=owner[1])


def sign_out_everywhere(db: Database, *, tenant_id: int, admin_id: int, now: datetime) -> int:
    """End every session of the admin, on every device (this one too); returns how many ended."""
    with db.write() as s:
        ended = admin_db.revoke_sessions(s, admin_id=admin_id, now=now)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='admin.sign_out_everywhere', now=now,
                     after={'sessions': ended})
        _tell_after_commit(s, tenant_id=tenant_id, admin_id=admin_id)
    return ended


def sessions_ended(*, tenant_id: int, admin_id: int) -> None:
    """Tell the admin's open pages, on every instance, that some of their sessions ended: each checks its own."""
    events.publish(events.admin_sessions_topic(tenant_id, admin_id))


def _tell_after_commit(s: Session, *, tenant_id: int, admin_id: int) -> None:
    sqlalchemy.event.listen(s, 'after_commit', lambda _s: sessions_ended(tenant_id=tenant_id, admin_id=admin_id),
                            once=True)


def set_language(db: Database, *, tenant_id: int, admin_id: int, language: str | None) -> None:
    """The language the admin reads the admin area in (None: their browser's, else the business's default)."""
    if language is not None and language not in SHIPPED_LOCALES:
        raise AdminRefused(lazy('Choose one of the languages offered.'), field='language')
    with db.write() as s:
        admin_db.set_language(s, tenant_id=tenant_id, admin_id=admin_id, language=language)


# ---- the admins and their invitations (owner only) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminsView:
    admins: list[Admin]
    invitations: list[Invitation]


def admins_view(db: Database, *, tenant_id: int, admin_id: int, now: datetime) -> AdminsView:
    """The business's admins and its open invitations (only the owner manages admins)."""
    with db.read() as s:
        require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.OWNER)
        return AdminsView(admin_db.admins(s, tenant_id=tenant_id), admin_db.open_invites(s, tenant_id=tenant_id,
                                                                                          now=now))


def invite(db: Database, *, tenant_id: int, admin_id: int, email: str, role: AdminRole | str, now: datetime) -> str:
    """Email an invitation link to become an admin with `role`; returns the normalised address. Only the owner may.
    A newer invitation to the same address replaces the older one."""
    email = email.strip()
    problem = email_problem(email)
    if problem:
        raise AdminRefused(problem, field='email')
    try:
        chosen = AdminRole(role)
    except ValueError:
        raise AdminRefused(lazy('Choose the role: owner or manager.'), field='role') from None
    token = secrets.token_urlsafe(32)
    with db.read() as s:
        require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.OWNER)
    try:  # a few invitations an hour to one address, like every email sent on request
        ratelimit.limiter().take(*ratelimit.mail_checks(tenant_id=tenant_id, email=email, address=None))
    except ratelimit.TooManyAttempts as e:
        raise AdminRefused(_wait_text(e), field='email') from e
    with db.write() as s:
        inviter = require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.OWNER)
        existing = admin_db.admin_by_email(s, tenant_id=tenant_id, email=email)
        if existing is not None and not existing[1]:
            raise AdminRefused(lazy('%(email)s is already an admin of this business.', email=email), field='email')
        admin_db.add_invite(s, tenant_id=tenant_id, email=email, role=chosen, invited_by=admin_id,
                                        token_hash=tokens.digest(INVITE_PURPOSE, token), now=now,
                                        expires_at=now + INVITE_LIFETIME)
        business, host = tenant_db.tenant_name_and_host(s, tenant_id=tenant_id)
        # In the business's language: nothing is known yet of the invitee's.
        language = tenant_db.panel_settings(s, tenant_id=tenant_id).default_language
        mail.queue_template(s, 'admin_invite', tenant_id=tenant_id, to=email,
                            locale=emails.recipient_locale(saved=None, business_default=language),
                            business=business, name='', inviter=inviter.display_name,
                            role=Text(ROLE_LABELS[chosen]), link=public_link('/admin/invite', host, token=token),
                            hours=int(INVITE_LIFETIME.total_seconds() // 3600))
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='admin.invite', target=email, now=now,
                     after={'email': email, 'role': chosen.value})
    return email


def cancel_invitation(db: Database, *, tenant_id: int, admin_id: int, invitation_id: int, now: datetime) -> None:
    """The invitation's link stops working (owner only)."""
    with db.write() as s:
        require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.OWNER)
        cancelled = admin_db.cancel_invite(s, tenant_id=tenant_id, invite_id=invitation_id, now=now)
        if cancelled is not None:
            audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='admin.invite_cancel',
                         target=cancelled.email, now=now, before={'email': cancelled.email,
                                                                  'role': cancelled.role.value})


def check_invitation(db: Database, *, tenant_id: int, token: str, now: datetime) -> Invitation:
    """The invitation a link carries, without spending it; AdminRefused when it cannot be used."""
    with db.read() as s:
        return _valid_invitation(s, tenant_id=tenant_id, token=token, now=now)


def accept_invitation(db: Database, *, tenant_id: int, token: str, name: str, password: str, confirm: str,
                      now: datetime) -> AdminSignedIn:
    """The invited person chooses their name and a password meeting the password rule, becomes an admin with the
    invited role, and is signed in. The link works once. Blocks on Argon2: call it through auth.password_work."""
    name = name.strip()
    problem = admin_name_problem(name)
    if problem:
        raise AdminRefused(problem, field='name')
    with db.read() as s:
        invitation = _valid_invitation(s, tenant_id=tenant_id, token=token, now=now)
    problem = password_problem(password, score=password_score(password, (invitation.email, name)))
    if problem:
        raise AdminRefused(problem, field='password')
    if password != confirm:
        raise AdminRefused(lazy('The two passwords are not the same.'), field='confirm')
    password_hash = auth.hash_password(password)
    with db.write() as s:
        invitation = _valid_invitation(s, tenant_id=tenant_id, token=token, now=now)
        if not admin_db.use_invite(s, invite_id=invitation.id, now=now):
            raise AdminRefused(INVALID_INVITE)
        existing = admin_db.admin_by_email(s, tenant_id=tenant_id, email=invitation.email)
        if existing is not None and not existing[1]:
            raise AdminRefused(lazy('%(email)s is already an admin of this business.', email=invitation.email))
        if existing is not None:
            admin_id = existing[0].id
            admin_db.restore_admin(s, tenant_id=tenant_id, admin_id=admin_id, role=invitation.role,
                                   password_hash=password_hash, name=name)
        else:
            admin_id = admin_db.create_admin(s, tenant_id=tenant_id, email=invitation.email,
                                             password_hash=password_hash, name=name, role=invitation.role)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='admin.join', target=invitation.email,
                     now=now, after={'email': invitation.email, 'role': invitation.role.value, 'name': name})
        admin = admin_db.active_admin(s, tenant_id=tenant_id, admin_id=admin_id)
    assert admin is not None
    return AdminSignedIn(open_session(db, tenant_id=tenant_id, admin_id=admin.id, now=now), admin)


def change_role(db: Database, *, tenant_id: int, admin_id: int, target_id: int, role: AdminRole | str,
                now: datetime) -> None:
    """Make another admin an owner or a manager (owner only); the last owner stays one. Takes effect at their next
    action: every action checks the role again."""
    try:
        chosen = AdminRole(role)
    except ValueError:
        raise AdminRefused(lazy('Choose the role: owner or manager.'), field='role') from None
    if target_id == admin_id:
        raise AdminRefused(lazy('Another owner has to change your role.'))
    with db.write() as s:
        require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.OWNER)
        everyone = admin_db.lock_admins(s, tenant_id=tenant_id)
        target = next((a for a in everyone if a.id == target_id), None)
        if target is None:
            raise AdminRefused(lazy('That admin was already removed.'))
        if target.role is chosen:
            return
        if target.role is AdminRole.OWNER and sum(a.role is AdminRole.OWNER for a in everyone) <= 1:
            raise AdminRefused(lazy('The business needs at least one owner.'))
        admin_db.set_role(s, tenant_id=tenant_id, admin_id=target_id, role=chosen)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='admin.role', target=target.email, now=now,
                     before={'role': target.role.value}, after={'role': chosen.value})
        _tell_after_commit(s, tenant_id=tenant_id, admin_id=target_id)  # their open pages reload with the new role


def remove_admin(db: Database, *, tenant_id: int, admin_id: int, target_id: int, now: datetime) -> None:
    """Another admin stops being one (owner only): their sessions end at once. The last owner cannot be removed."""
    if target_id == admin_id:
        raise AdminRefused(lazy('You cannot remove yourself.'))
    with db.write() as s:
        require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.OWNER)
        everyone = admin_db.lock_admins(s, tenant_id=tenant_id)
        target = next((a for a in everyone if a.id == target_id), None)
        if target is None:
            raise AdminRefused(lazy('That admin was already removed.'))
        if target.role is AdminRole.OWNER and sum(a.role is AdminRole.OWNER for a in everyone) <= 1:
            raise AdminRefused(lazy('The business needs at least one owner.'))
        admin_db.remove_admin(s, tenant_id=tenant_id, admin_id=target_id, now=now)
        admin_db.revoke_sessions(s, admin_id=target_id, now=now)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='admin.remove', target=target.email, now=now,
                     before={'email': target.email, 'role': target.role.value, 'name': target.name})
        _tell_after_commit(s, tenant_id=tenant_id, admin_id=target_id)


def _valid_invitation(s: Session, *, tenant_id: int, token: str, now: datetime) -> Invitation:
    if not token or len(token) > 200:
        raise AdminRefused(INVALID_INVITE)
    found = admin_db.invite_by_token(s, tenant_id=tenant_id, token_hash=tokens.digest(INVITE_PURPOSE, token))
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise AdminRefused(INVALID_INVITE)
    return found



def _wait_text(e: ratelimit.TooManyAttempts) -> Text:
    minutes = max(1, math.ceil(e.retry_after / 60))
    return lazy_plural('Too many attempts. Try again in %(num)d minute.',
                       'Too many attempts. Try again in %(num)d minutes.', minutes)
