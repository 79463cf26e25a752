"""Getting in and owning an account: sign-up with verification, reset and magic links, profile, password, deletion.

Every function takes the database first and keyword-only arguments, with `now` passed in. Refusals raise
AccountError (or a subclass) carrying a message for the customer. Emails go out after the transaction commits.
Emails are queued in the email outbox inside the transaction of the change that causes them (the token they carry,
the new account, the new password), so they leave after it commits, and even if the process dies first.
Functions that hash or check a password (Argon2) block: pages call them through `run.io_bound`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy.exc
from zxcvbn import zxcvbn

from domain import model as d
from domain.accounts import (
    PASSWORD_MAX_LENGTH,
    ProfileInput,
    email_problem,
    name_problem,
    password_problem,
    profile_problems,
    why_cannot_book,
)
from services import appointments, auth, mail, notify, ratelimit
from services.auth import SignedIn, SignInFailed
from services.config import get_config
from services.tokens import LIFETIME, InvalidToken, Purpose, redeem
from services.tokens import issue_in as issue_token
from storage import accounts as store
from storage import appointment_changes as changes
from storage import queries as q
from storage.db import Database

log = logging.getLogger(__name__)

CHECK_INBOX = 'If that email belongs to an account, a link is on its way. Check your inbox (and the spam folder).'
UNVERIFIED = 'Please confirm your email address first: we have sent you a new link.'


class AccountError(Exception):
    """A refusal with the reason in words for the customer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProfileInvalid(AccountError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(' '.join(problems.values()))
        self.problems = problems


# ---- signing in ------------------------------------------------------------------------------------------------


def attempt_sign_in(db: Database, *, tenant_id: int, email: str, password: str, address: str | None,
                    now: datetime) -> SignedIn:
    """Sign in with a password, counting failures per account and per client address.

    Raises SignInFailed whose .message is what to show: the one wrong-email-or-password text, the rate-limit text
    ("Too many attempts. Try again in N minutes.") or a request to confirm the email first.
    """
    checks = ratelimit.sign_in_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        lim.ensure_open(*checks)
    except ratelimit.TooManyAttempts as e:
        raise SignInFailed(e.message) from e
    try:
        signed = auth.sign_in(db, tenant_id=tenant_id, email=email, password=password, now=now)
    except SignInFailed:
        lim.hit(*checks)
        raise
    lim.clear(checks[0])  # the owner got in: their account's count starts over (the address's does not)
    if not signed.customer.email_verified:
        auth.sign_out(db, session_id=signed.session_id, now=now)
        _try_send_verification(db, tenant_id=tenant_id, customer=signed.customer, address=address, now=now)
        raise SignInFailed(UNVERIFIED)
    return signed


def sign_up(db: Database, *, tenant_id: int, email: str, password: str, first_name: str, last_name: str,
            now: datetime, address: str | None = None) -> None:
    """Open an unverified account and email a confirmation link; the answer is the same for a known email."""
    with db.read() as s:
        settings = q.panel_settings(s, tenant_id=tenant_id)
    if not settings.allow_signup:
        raise AccountError('Sign-up is closed. Ask the business to create an account for you.')
    problems = {k: v for k, v in {
        'email': email_problem(email),
        'first_name': name_problem(first_name, label='first name'),
        'last_name': name_problem(last_name, label='last name'),
        'password': password_problem(password, score=password_score(password, [first_name, last_name,
                                                                                  first_name + last_name, email])),
    }.items() if v}
    if problems:
        raise ProfileInvalid(problems)
    _mail_allowed(tenant_id=tenant_id, email=email, address=address)
    password_hash = auth.hash_password(password)
    try:
        with db.write() as s:
            existing = store.active_customer_by_email(s, tenant_id=tenant_id, email=email)
            if existing is None:
                created = store.insert_customer(s, tenant_id=tenant_id, email=email, first_name=first_name,
                                                last_name=last_name, phone='', password_hash=password_hash,
                                                verified_at=None, now=now)
                _queue_verification(s, tenant_id=tenant_id, customer=created, now=now)
            else:
                _queue_account_exists(s, tenant_id=tenant_id, customer=existing, now=now)
        return
    except sqlalchemy.exc.IntegrityError:  # someone signed up with this email a moment ago
        existing = _active_by_email(db, tenant_id, email)
    if existing is not None:
        with db.write() as s:
            _queue_account_exists(s, tenant_id=tenant_id, customer=existing, now=now)


def verify_email(db: Database, *, tenant_id: int, token: str, now: datetime) -> SignedIn:
    """Confirm the email behind a verification link and sign the customer in."""
    customer = _redeem_for_active(db, tenant_id=tenant_id, purpose=Purpose.VERIFY, token=token, now=now,
                                  verify=True)
    return SignedIn(auth.open_session(db, tenant_id=tenant_id, customer_id=customer.id, now=now), customer)


def resend_verification(db: Database, *, tenant_id: int, email: str, now: datetime, address: str | None = None) -> None:
    """Send a fresh confirmation link to an unverified account (same answer for any email)."""
    _mail_allowed(tenant_id=tenant_id, email=email, address=address)
    customer = _active_by_email(db, tenant_id, email)
    if customer is not None and not customer.email_verified:
        with db.write() as s:
            _queue_verification(s, tenant_id=tenant_id, customer=customer, now=now)


# ---- links by email --------------------------------------------------------------------------------------------


def request_password_reset(db: Database, *, tenant_id: int, email: str, now: datetime,
                           address: str | None = None) -> None:
    """Email a one-hour, single-use link to choose a password; also for accounts that never had one.

    Nothing in the answer (or its absence) tells whether the email has an account.
    """
    _email_link_if_account(db, tenant_id=tenant_id, email=email, address=address, purpose=Purpose.RESET,
                           template='reset', path='/reset', now=now)


def resend_welcome(db: Database, *, tenant_id: int, email: str, now: datetime, address: str | None = None) -> None:
    """Send the set-password link again: the welcome email for an account without a password, else a reset."""
    _mail_allowed(tenant_id=tenant_id, email=email, address=address)
    customer = _active_by_email(db, tenant_id, email)
    if customer is None:
        return
    with db.write() as s:
        if customer.has_password:
            _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.RESET, template='reset',
                        path='/reset', now=now)
        else:
            _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.WELCOME, template='welcome',
                        path='/set-password', now=now)


def check_link(db: Database, *, tenant_id: int, purpose: Purpose, token: str, now: datetime) -> d.Customer:
    """The active account a link would act on, without spending it; InvalidToken when it cannot be used."""
    from services.tokens import check

    redeemed = check(db, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
    with db.read() as s:
        customer = store.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
    if customer is None:
        raise InvalidToken()
    return customer


def set_password_with_link(db: Database, *, tenant_id: int, purpose: Purpose, token: str, password: str,
                           confirm: str, now: datetime) -> d.Customer:
    """Choose a password through a reset or welcome link: spends the link and signs out every device."""
    if purpose not in (Purpose.RESET, Purpose.WELCOME):
        raise InvalidToken()
    customer = check_link(db, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
    _check_new_password(customer, password, confirm)
    password_hash = auth.hash_password(password)
    with db.write() as s:
        redeemed = redeem(s, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
        store.set_password_hash(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, password_hash=password_hash)
        store.mark_verified(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, now=now)
        store.retire_tokens(s, customer_id=redeemed.customer_id, now=now,
                            purposes=(Purpose.RESET.value, Purpose.WELCOME.value, Purpose.MAGIC.value))
        q.revoke_sessions(s, customer_id=redeemed.customer_id, now=now)
        _queue_password_changed(s, tenant_id=tenant_id, customer=customer, now=now)
    return customer


def request_magic_link(db: Database, *, tenant_id: int, email: str, now: datetime, address: str | None = None) -> None:
    """Email a 15-minute, single-use sign-in link (same answer whether or not the email has an account)."""
    _email_link_if_account(db, tenant_id=tenant_id, email=email, address=address, purpose=Purpose.MAGIC,
                           template='magic_link', path='/magic', now=now)


def sign_in_with_magic_link(db: Database, *, tenant_id: int, token: str, now: datetime) -> SignedIn:
    """Spend a magic link and open a session; following it also proves the email."""
    customer = _redeem_for_active(db, tenant_id=tenant_id, purpose=Purpose.MAGIC, token=token, now=now, verify=True)
    return SignedIn(auth.open_session(db, tenant_id=tenant_id, customer_id=customer.id, now=now), customer)


# ---- accounts made by booking ----------------------------------------------------------------------------------


def customer_for_booking(db: Database, *, tenant_id: int, email: str, first_name: str, last_name: str, phone: str,
                         now: datetime) -> tuple[d.Customer, bool]:
    """The active account with this email, or a new one (True); a new one gets the welcome email when the
    business auto-creates accounts."""
    problem = email_problem(email)
    if problem:
        raise AccountError(problem)
    try:
        with db.write() as s:
            existing = store.active_customer_by_email(s, tenant_id=tenant_id, email=email)
            if existing is not None:
                return existing, False
            settings = q.panel_settings(s, tenant_id=tenant_id)
            created = store.insert_customer(s, tenant_id=tenant_id, email=email, first_name=first_name,
                                            last_name=last_name, phone=phone, password_hash=None, verified_at=None,
                                            now=now)
            if settings.auto_create_account:
                _queue_link(s, tenant_id=tenant_id, customer=created, purpose=Purpose.WELCOME, template='welcome',
                            path='/set-password', now=now)
    except sqlalchemy.exc.IntegrityError:  # the same person booked twice at once: use the account that won
        found = _active_by_email(db, tenant_id, email)
        if found is None:
            raise
        return found, False
    return created, True


def ensure_can_book(db: Database, *, tenant_id: int, customer_id: int) -> d.Customer:
    """The customer, read fresh, when the account may book; AccountError otherwise (closed or unknown)."""
    with db.read() as s:
        customer = q.customer(s, tenant_id=tenant_id, customer_id=customer_id)
    reason = why_cannot_book(customer)
    if reason:
        raise AccountError(reason)
    assert customer is not None
    return customer


# ---- the signed-in customer's own account ----------------------------------------------------------------------


def get_customer(db: Database, *, tenant_id: int, customer_id: int) -> d.Customer:
    with db.read() as s:
        customer = store.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None:
        raise AccountError('We could not find your account.')
    return customer


def update_profile(db: Database, *, tenant_id: int, customer_id: int, profile: ProfileInput,
                   today: date) -> d.Customer:
    """Save names, phone, date of birth and gender when every field is valid; ProfileInvalid names what to fix."""
    problems = profile_problems(profile, today=today)
    if problems:
        raise ProfileInvalid(problems)
    with db.write() as s:
        store.update_profile(s, tenant_id=tenant_id, customer_id=customer_id, first_name=profile.first_name.strip(),
                             last_name=profile.last_name.strip(), phone=profile.phone.strip(),
                             birth_date=profile.birth_date, gender=profile.gender)
        customer = store.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None:
        raise AccountError('We could not find your account.')
    return customer


def request_email_change(db: Database, *, tenant_id: int, customer_id: int, new_email: str, now: datetime) -> None:
    """Send a confirmation link to the new address; the account keeps the old one until it is followed."""
    problem = email_problem(new_email)
    if problem:
        raise ProfileInvalid({'email': problem})
    customer = get_customer(db, tenant_id=tenant_id, customer_id=customer_id)
    if q.normalise_email(new_email) == q.normalise_email(customer.email):
        raise ProfileInvalid({'email': 'That is already your email address.'})
    with db.read() as s:
        taken = store.email_in_use(s, tenant_id=tenant_id, email=new_email, except_id=customer_id)
    if taken:
        raise ProfileInvalid({'email': 'That email address is already used by another account.'})
    with db.write() as s:
        _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.EMAIL_CHANGE,
                    template='email_change', path='/confirm-email', now=now, to=new_email.strip(),
                    payload=new_email.strip(), old_email=customer.email)


def confirm_email_change(db: Database, *, tenant_id: int, token: str, now: datetime) -> d.Customer:
    """Switch the account to the address the link was sent to, if no other active account took it meanwhile."""
    try:
        with db.write() as s:
            redeemed = redeem(s, tenant_id=tenant_id, purpose=Purpose.EMAIL_CHANGE, token=token, now=now)
            if store.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id) is None:
                raise InvalidToken()
            if store.email_in_use(s, tenant_id=tenant_id, email=redeemed.payload, except_id=redeemed.customer_id):
                raise AccountError('That email address is now used by another account.')
            store.change_email(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, email=redeemed.payload,
                               now=now)
            s.flush()
            customer = store.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
    except sqlalchemy.exc.IntegrityError as e:
        raise AccountError('That email address is now used by another account.') from e
    assert customer is not None
    return customer


def change_password(db: Database, *, tenant_id: int, customer_id: int, current: str, new: str, confirm: str,
                    keep_session_id: str | None, now: datetime, address: str | None = None) -> int:
    """Replace the password after checking the current one; ends every other session and emails a notice.

    Returns how many other sessions were ended. An account without a password (made by booking, magic link or
    single sign-on) sets its first one without a current password.
    """
    customer = get_customer(db, tenant_id=tenant_id, customer_id=customer_id)
    checks = ratelimit.sign_in_checks(tenant_id=tenant_id, email=customer.email, address=address)
    lim = ratelimit.limiter()
    try:
        lim.ensure_open(*checks)
    except ratelimit.TooManyAttempts as e:
        raise AccountError(e.message) from e
    with db.read() as s:
        current_hash = store.password_hash_of(s, tenant_id=tenant_id, customer_id=customer_id)
    if current_hash is not None and not auth.verify_password(current, current_hash):
        lim.hit(*checks)
        raise ProfileInvalid({'current': 'Your current password is not right.'})
    if current_hash is not None and new == current:
        raise ProfileInvalid({'new': 'Choose a password different from your current one.'})
    _check_new_password(customer, new, confirm)
    password_hash = auth.hash_password(new)
    with db.write() as s:
        store.set_password_hash(s, tenant_id=tenant_id, customer_id=customer_id, password_hash=password_hash)
        store.retire_tokens(s, customer_id=customer_id, now=now, purposes=(Purpose.RESET.value, Purpose.MAGIC.value,
                                                                           Purpose.WELCOME.value))
        ended = q.revoke_sessions(s, customer_id=customer_id, now=now, keep=keep_session_id)
        _queue_password_changed(s, tenant_id=tenant_id, customer=customer, now=now)
    return ended


CLOSED_REASON = 'The customer closed their account.'


def delete_account(db: Database, *, tenant_id: int, customer_id: int, confirmation: str, now: datetime) -> None:
    """Close the account when the business allows it and the customer typed DELETE: it can no longer sign in or
    book, its sessions and links end, its email is free again and its past appointments stay as they are. Upcoming
    appointments that hold a slot are canceled (history, an email to the staff member, slots freed at once):
    nobody is left to come to them."""
    with db.read() as s:
        settings = q.panel_settings(s, tenant_id=tenant_id)
    if not settings.allow_account_deletion:
        raise AccountError('Deleting your account is not offered here. Contact the business to close it.')
    if confirmation.strip().upper() != 'DELETE':
        raise AccountError('Type DELETE to confirm.')
    with db.write() as s:
        if not store.soft_delete(s, tenant_id=tenant_id, customer_id=customer_id, now=now):
            raise AccountError('We could not find your account.')
        q.revoke_sessions(s, customer_id=customer_id, now=now)
        store.retire_tokens(s, customer_id=customer_id, now=now)
        canceled = _cancel_upcoming(s, tenant_id=tenant_id, customer_id=customer_id, now=now)
        zone = ZoneInfo(changes.tenant_timezone(s, tenant_id=tenant_id))
    for appt in canceled:
        appointments.announce_status_change(db, tenant_id=tenant_id, customer_id=customer_id, before=appt,
                                            busy_now=False, reason=CLOSED_REASON, now=now, zone=zone)


def _cancel_upcoming(s: Any, *, tenant_id: int, customer_id: int, now: datetime) -> list[d.Appointment]:
    """Set the customer's upcoming busy appointments to the business's first status that frees the slot
    ('canceled' when it has one); returns them as they were."""
    statuses = q.statuses(s, tenant_id=tenant_id)
    free = next((st for st in statuses if st.key == 'canceled'), None) or next(
        (st for st in statuses if not st.busy), None)
    if free is None:
        return []
    upcoming = [a for a in q.customer_appointments(s, tenant_id=tenant_id, customer_id=customer_id,
                                                   status_list=statuses) if a.start > now and a.status.busy]
    for appt in upcoming:
        changes.set_status(s, tenant_id=tenant_id, appointment_id=appt.id, status_key=free.key)
        appointments.record_history(s, tenant_id=tenant_id, appointment_id=appt.id, at=now, actor='customer',
                                    action='status', from_value=appt.status.key, to_value=free.key,
                                    reason=CLOSED_REASON)
        s.flush()
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appt.id, kind=notify.STATUS,
                            previous_status=appt.status.key, reason=CLOSED_REASON, now=now)
    return upcoming


# ---- password strength -----------------------------------------------------------------------------------------


def password_score(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> int:
    """zxcvbn's 0..4 score, with the customer's own name and email counted as easy guesses."""
    if not password:
        return 0
    inputs = [part for value in user_inputs if value for part in _split_inputs(value)]
    return int(zxcvbn(password[:PASSWORD_MAX_LENGTH], user_inputs=inputs)['score'])


def strength(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> tuple[int, str]:
    """(score 0..4, zxcvbn's first suggestion or warning in words) for the live meter."""
    if not password:
        return 0, ''
    inputs = [part for value in user_inputs if value for part in _split_inputs(value)]
    result = zxcvbn(password[:PASSWORD_MAX_LENGTH], user_inputs=inputs)
    feedback = result.get('feedback') or {}
    hint = feedback.get('warning') or next(iter(feedback.get('suggestions') or []), '')
    return int(result['score']), str(hint)


def user_inputs_of(customer: d.Customer) -> list[str]:
    """What zxcvbn should treat as easy guesses for this customer: names, the names run together, the email."""
    return [customer.first_name, customer.last_name, customer.first_name + customer.last_name, customer.email]


# ---- helpers ---------------------------------------------------------------------------------------------------


def _split_inputs(value: str) -> list[str]:
    # An email counts whole and by its parts: "ada.lovelace@example.com" -> ada, lovelace, example.
    parts = [value]
    if '@' in value:
        local, _, domain = value.partition('@')
        parts += [p for p in local.replace('_', '.').replace('-', '.').replace('+', '.').split('.') if p]
        parts.append(domain.split('.')[0])
    return parts


def _check_new_password(customer: d.Customer, password: str, confirm: str) -> None:
    if password != confirm:
        raise ProfileInvalid({'confirm': 'The two new passwords do not match.'})
    score = password_score(password, user_inputs_of(customer))
    problem = password_problem(password, score=score)
    if problem:
        raise ProfileInvalid({'new': problem})


def _email_link_if_account(db: Database, *, tenant_id: int, email: str, address: str | None, purpose: Purpose,
                           template: str, path: str, now: datetime) -> None:
    """Check the address and the limits, then email a link only if an active account has that email: the caller
    answers the same either way."""
    problem = email_problem(email)
    if problem:
        raise AccountError(problem)
    _mail_allowed(tenant_id=tenant_id, email=email, address=address)
    # Looking the account up, issuing the link and queueing its email all happen on the background pool, so the
    # answer takes the same time whether or not the address has an account.
    mail.later(_link_if_account, db, tenant_id=tenant_id, email=email, purpose=purpose, template=template, path=path,
               now=now)


def _link_if_account(db: Database, *, tenant_id: int, email: str, purpose: Purpose, template: str, path: str,
                     now: datetime) -> None:
    with db.write() as s:
        customer = store.active_customer_by_email(s, tenant_id=tenant_id, email=email)
        if customer is not None:
            _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=purpose, template=template, path=path,
                        now=now)


def _active_by_email(db: Database, tenant_id: int, email: str) -> d.Customer | None:
    with db.read() as s:
        return store.active_customer_by_email(s, tenant_id=tenant_id, email=email)


def _redeem_for_active(db: Database, *, tenant_id: int, purpose: Purpose, token: str, now: datetime,
                       verify: bool) -> d.Customer:
    with db.write() as s:
        redeemed = redeem(s, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
        if verify:
            store.mark_verified(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, now=now)
        customer = store.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
        if customer is None:
            raise InvalidToken()
    return customer


def _mail_allowed(*, tenant_id: int, email: str, address: str | None) -> None:
    checks = ratelimit.mail_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        lim.ensure_open(*checks)
    except ratelimit.TooManyAttempts as e:
        raise AccountError(e.message) from e
    lim.hit(*checks)


def link(path: str, host: str | None = None, **params: str) -> str:
    """An absolute address on this install (on the tenant's own host name in multi-tenant mode)."""
    cfg = get_config()
    base = cfg.public_url.rstrip('/')
    if cfg.multi_tenant and host:
        parts = urlsplit(base)
        base = f'{parts.scheme}://{host}' + (f':{parts.port}' if parts.port else '')
    return f'{base}{path}' + (f'?{urlencode(params)}' if params else '')


def _queue_link(s: Any, *, tenant_id: int, customer: d.Customer, purpose: Purpose, template: str, path: str,
                now: datetime, to: str | None = None, payload: str = '', **extra: str) -> None:
    """Issue a link and queue the email carrying it, both in the caller's write transaction."""
    token = issue_token(s, tenant_id=tenant_id, customer_id=customer.id, purpose=purpose, now=now, payload=payload)
    business, host = store.tenant_name_and_host(s, tenant_id=tenant_id)
    lifetime = LIFETIME[purpose]
    _queue(s, template, tenant_id=tenant_id, to=to or customer.email, name=customer.first_name or 'there',
           business=business, link=link(path, host, token=token), minutes=str(int(lifetime.total_seconds() // 60)),
           hours=str(int(lifetime.total_seconds() // 3600)), **extra)


def _queue_verification(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.VERIFY, template='verify', path='/verify',
                now=now)


def _queue_account_exists(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    # Tell the owner, not the visitor: the page answers the same either way.
    _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.RESET, template='account_exists',
                path='/reset', now=now)


def _try_send_verification(db: Database, *, tenant_id: int, customer: d.Customer, address: str | None,
                           now: datetime) -> None:
    try:
        _mail_allowed(tenant_id=tenant_id, email=customer.email, address=address)
    except AccountError:
        return  # links went out recently; the customer has them
    with db.write() as s:
        _queue_verification(s, tenant_id=tenant_id, customer=customer, now=now)


def _queue_password_changed(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    business, host = store.tenant_name_and_host(s, tenant_id=tenant_id)
    _queue(s, 'password_changed', tenant_id=tenant_id, to=customer.email, name=customer.first_name or 'there',
           business=business, when=now.strftime('%d %b %Y at %H:%M UTC'), link=link('/forgot', host))


def _queue(s: Any, template: str, *, tenant_id: int, to: str, **context: str) -> None:
    """Queue the email in the caller's transaction; a template that cannot be rendered is logged, never allowed to
    undo the change or turn into a different answer for the visitor."""
    try:
        subject, text, html = mail.render_email(template, **context)
    except Exception:
        log.exception('could not render the %s email to %s', template, to)
        return
    mail.queue(s, tenant_id=tenant_id, template=template, to=to, subject=subject, text=text, html=html)
