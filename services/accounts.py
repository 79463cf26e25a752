"""Getting in and owning an account: sign-up with verification, reset and magic links, profile, password, deletion.

Every function takes the database first and keyword-only arguments, with `now` passed in. Refusals raise
AccountError (or a subclass) carrying a message for the customer. Emails go out after the transaction commits.
Emails are queued in the email outbox inside the transaction of the change that causes them (the token they carry,
the new account, the new password), so they leave after it commits, and even if the process dies first.
Functions that hash or check a password (Argon2) block: pages call them through `run.io_bound`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy.exc
from zxcvbn import zxcvbn

from domain import history as dh
from domain import model as d
from domain import rules
from domain import statuses as status_rules
from domain.accounts import (
    FIRST_NAME,
    LAST_NAME,
    PASSWORD_MAX_LENGTH,
    ProfileInput,
    email_problem,
    name_problem,
    password_problem,
    profile_problems,
    sign_in_too_long,
    why_cannot_book,
)
from domain.i18n import N_, Said, label, lazy, sentences
from services import appointments, auth, emails, mail, notify, payments, ratelimit
from services import formatting as fmt
from services.auth import SignedIn, SignInFailed
from services.config import get_config, public_link
from services.i18n import shipped_locale
from services.tokens import LIFETIME, InvalidToken, Purpose, redeem
from services.tokens import issue_in as issue_token
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import tenants as tenant_db
from storage.db import Database

log = logging.getLogger(__name__)

CHECK_INBOX = lazy('If that email belongs to an account, a link is on its way. Check your inbox (and the spam folder).')
# Links that die when the password changes or is reset: whoever held the old password (or asked for them with it)
# keeps nothing. The undo link of an email change is not among them: it must outlive a stranger's password change.
PASSWORD_BOUND = (Purpose.RESET.value, Purpose.WELCOME.value, Purpose.MAGIC.value, Purpose.VERIFY.value,
                  Purpose.EMAIL_CHANGE.value)
UNVERIFIED = lazy('Please confirm your email address first: we have sent you a new link.')
# A stranger who fills an account's count with wrong passwords must not lock its owner out: the emailed link works.
LINK_STILL_WORKS = lazy('You can still sign in with a link sent to your email.')


class AccountError(Exception):
    """A refusal with the reason in words for the customer (`message`, shown in their language)."""

    def __init__(self, message: Said) -> None:
        super().__init__(str(message))
        self.message = message


class ProfileInvalid(AccountError):
    def __init__(self, problems: Mapping[str, Said]) -> None:
        super().__init__(sentences(*problems.values()))
        self.problems = dict(problems)


# ---- signing in ------------------------------------------------------------------------------------------------


def attempt_sign_in(db: Database, *, tenant_id: int, email: str, password: str, address: str | None,
                    now: datetime) -> SignedIn:
    """Sign in with a password, counting failures per account and per client address.

    Raises SignInFailed whose .message is what to show: the one wrong-email-or-password text, the rate-limit text
    ("Too many attempts. Try again in N minutes.") or a request to confirm the email first.
    """
    account, *by_address = ratelimit.sign_in_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        _count_attempt(lim, account, by_address)
    except ratelimit.TooManyAttempts as e:
        raise SignInFailed(sentences(e.message, LINK_STILL_WORKS)) from e
    try:
        if sign_in_too_long(email, password):  # no account has such an email or password: no lookup, no Argon2
            raise SignInFailed()
        signed = auth.sign_in(db, tenant_id=tenant_id, email=email, password=password, now=now)
    except SignInFailed:
        lim.hit(*by_address)
        raise
    lim.clear(account)  # the owner got in: their account's count starts over (the address's does not)
    if not signed.customer.email_verified:
        auth.sign_out(db, session_id=signed.session_id, now=now)
        with db.read() as s:
            abandoned = _abandoned(s, signed.customer, now=now)
        if abandoned:  # an old unconfirmed sign-up signs in no more; signing up again replaces it
            raise SignInFailed()
        _try_send_verification(db, tenant_id=tenant_id, customer=signed.customer, address=address, now=now)
        raise SignInFailed(UNVERIFIED)
    return signed


def _count_attempt(lim: ratelimit.Limiter, account: ratelimit.Check, by_address: list[ratelimit.Check]) -> None:
    """Before a password is checked: the address must still be open, and the account's attempt is counted at once,
    so twenty guesses at one account sent together cannot all reach Argon2. The address counts failures only (an
    office behind one address signs in all day), after the check; the overshoot of parallel guesses at many accounts
    is bounded by the password pool these attempts run on (auth.password_work). Raises TooManyAttempts."""
    lim.ensure_open(*by_address)
    lim.take(account)


def _password_matches(*, tenant_id: int, email: str, password: str, password_hash: str, address: str | None) -> bool:
    """Check a signed-in customer's password (to confirm an email, to change the password or the email) under the
    same limits as signing in; AccountError when they are used up."""
    account, *by_address = ratelimit.sign_in_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        _count_attempt(lim, account, by_address)
    except ratelimit.TooManyAttempts as e:
        raise AccountError(e.message) from e
    if not auth.verify_password(password, password_hash):
        lim.hit(*by_address)
        return False
    lim.clear(account)
    return True


def sign_up(db: Database, *, tenant_id: int, email: str, password: str, first_name: str, last_name: str,
            now: datetime, address: str | None = None, locale: str | None = None) -> str:
    """Open an unverified account and email a confirmation link; the answer is the same for a known email.
    `locale` is the language the page was read in: a new account keeps it as its language (its emails and pages
    use it until the customer chooses another), and the email to a known address uses it when that account never
    chose one.

    Returns a sign-up proof for the browser that signed up ('' when the email already had an account): kept in that
    browser's server-side storage and handed to `verify_email`, it lets the confirmation link keep the password chosen
    here. A confirmation without it is a proof of the mailbox only, and a password nobody proved is cleared then.
    An unconfirmed sign-up older than KAIROS_UNVERIFIED_DAYS with no appointments is closed first, so the email can
    sign up again.
    """
    with db.read() as s:
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    closed = rules.why_not_sign_up(settings)
    if closed:
        raise AccountError(closed)
    problems = {k: v for k, v in {
        'email': email_problem(email),
        'first_name': name_problem(first_name, label=FIRST_NAME),
        'last_name': name_problem(last_name, label=LAST_NAME),
        'password': password_problem(password, score=password_score(password, [first_name, last_name,
                                                                                  first_name + last_name, email])),
    }.items() if v}
    if problems:
        raise ProfileInvalid(problems)
    _mail_allowed(tenant_id=tenant_id, email=email, address=address)
    password_hash = auth.hash_password(password)
    created: d.Customer | None = None
    try:
        with db.write() as s:
            existing = customer_db.active_customer_by_email(s, tenant_id=tenant_id, email=email)
            if existing is not None and _abandoned(s, existing, now=now):
                _close(s, tenant_id=tenant_id, customer_id=existing.id, now=now)
                existing = None
            if existing is None:
                created = customer_db.insert_customer(s, tenant_id=tenant_id, email=email, first_name=first_name,
                                                      last_name=last_name, phone='', password_hash=password_hash,
                                                      verified_at=None, now=now, language=shipped_locale(locale))
                _queue_verification(s, tenant_id=tenant_id, customer=created, now=now)
            else:
                _queue_account_exists(s, tenant_id=tenant_id, customer=existing, now=now, reading=locale)
    except sqlalchemy.exc.IntegrityError:  # someone signed up with this email a moment ago
        created, existing = None, _active_by_email(db, tenant_id, email)
        if existing is not None:
            with db.write() as s:
                _queue_account_exists(s, tenant_id=tenant_id, customer=existing, now=now, reading=locale)
    if created is not None:
        return signup_proof(created.id, password_hash)
    return ''


def verify_email(db: Database, *, tenant_id: int, token: str, now: datetime, signup_proof: str = '',
                 password: str = '', address: str | None = None) -> SignedIn:
    """Confirm the email behind a verification link and sign the customer in.

    The password chosen at sign-up survives only when the one who signed up is the one confirming: the same browser
    (its `signup_proof`) or someone who types that password. Otherwise the link proves the mailbox only: a password
    set by whoever signed up with this address is cleared and their sessions end (see `prove_email`), and the owner
    chooses their own password later.
    """
    customer = check_link(db, tenant_id=tenant_id, purpose=Purpose.VERIFY, token=token, now=now)
    with db.read() as s:
        current_hash = customer_db.password_hash_of(s, tenant_id=tenant_id, customer_id=customer.id)
    keep = bool(current_hash) and hmac.compare_digest(signup_proof, _signup_proof(customer.id, current_hash or ''))
    if current_hash and not keep and password:
        if not _password_matches(tenant_id=tenant_id, email=customer.email, password=password,
                                 password_hash=current_hash, address=address):
            raise ProfileInvalid({'password': lazy('That is not the password chosen at sign-up. Leave it empty to '
                                                   'choose a new one after confirming.')})
        keep = True
    customer = _redeem_for_active(db, tenant_id=tenant_id, purpose=Purpose.VERIFY, token=token, now=now,
                                  verify=True, keep_password=keep)
    return SignedIn(auth.open_session(db, tenant_id=tenant_id, customer_id=customer.id, now=now), customer)


def signup_proof(customer_id: int, password_hash: str) -> str:
    """What the signing-up browser keeps to show, at confirmation, that it chose the account's password."""
    return _signup_proof(customer_id, password_hash)


def _signup_proof(customer_id: int, password_hash: str) -> str:
    key = get_config().secret.encode()
    mac = hmac.new(key, f'signup:{customer_id}:{password_hash}'.encode(), hashlib.sha256).hexdigest()
    return f'{customer_id}.{mac}'  # the id in front lets a page tell which account a browser signed up for


def proof_is_for(proof: str, customer: d.Customer) -> bool:
    """Whether a sign-up proof kept by a browser names this account (the page then asks for no password)."""
    return proof.startswith(f'{customer.id}.')


def prove_email(db: Database, *, tenant_id: int, customer_id: int, now: datetime) -> None:
    """The owner of the address proved it (magic link, single sign-on, booking confirmation): see `_prove_email`."""
    with db.write() as s:
        _prove_email(s, tenant_id=tenant_id, customer_id=customer_id, now=now)


def _prove_email(s: Any, *, tenant_id: int, customer_id: int, now: datetime, keep_password: bool = False) -> None:
    """The first proof of the mailbox, whatever the channel, takes the account from whoever opened it without one:
    a password nobody proved is cleared, every session and open link of the account ends, then the email counts as
    verified. Later proofs change nothing."""
    customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None or customer.email_verified:
        return
    if not keep_password:
        customer_db.clear_password(s, tenant_id=tenant_id, customer_id=customer_id)
    auth.end_sessions_in(s, tenant_id=tenant_id, customer_id=customer_id, now=now)
    customer_db.retire_tokens(s, customer_id=customer_id, now=now)
    customer_db.mark_verified(s, tenant_id=tenant_id, customer_id=customer_id, now=now)


def _abandoned(s: Any, customer: d.Customer, *, now: datetime) -> bool:
    """An unconfirmed sign-up (a password, never a proof of the email) older than KAIROS_UNVERIFIED_DAYS that never
    booked: nobody owns it, and it must not keep the address from its owner."""
    if customer.email_verified or not customer.has_password or customer.created_at is None:
        return False
    if now - customer.created_at < timedelta(days=get_config().unverified_days):
        return False
    return not appointment_db.has_appointments(s, tenant_id=customer.tenant_id, customer_id=customer.id)


def _close(s: Any, *, tenant_id: int, customer_id: int, now: datetime) -> None:
    customer_db.soft_delete(s, tenant_id=tenant_id, customer_id=customer_id, now=now)
    auth.end_sessions_in(s, tenant_id=tenant_id, customer_id=customer_id, now=now)
    customer_db.retire_tokens(s, customer_id=customer_id, now=now)


# ---- links by email --------------------------------------------------------------------------------------------


def request_password_reset(db: Database, *, tenant_id: int, email: str, now: datetime,
                           address: str | None = None, locale: str | None = None) -> None:
    """Email a one-hour, single-use link to choose a password; also for accounts that never had one. It is written
    in the account's language, else in `locale` (the page's).

    Nothing in the answer (or its absence) tells whether the email has an account.
    """
    _email_link_if_account(db, tenant_id=tenant_id, email=email, address=address, purpose=Purpose.RESET,
                           template='reset', path='/reset', now=now, reading=locale)


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
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
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
        customer_db.set_password_hash(s, tenant_id=tenant_id, customer_id=redeemed.customer_id,
                                      password_hash=password_hash)
        customer_db.mark_verified(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, now=now)
        customer_db.retire_tokens(s, customer_id=redeemed.customer_id, now=now, purposes=PASSWORD_BOUND)
        customer_db.revoke_sessions(s, customer_id=redeemed.customer_id, now=now)
        _queue_password_changed(s, tenant_id=tenant_id, customer=customer, now=now)
    auth.sessions_ended(tenant_id=tenant_id, customer_id=redeemed.customer_id)
    return customer


def request_magic_link(db: Database, *, tenant_id: int, email: str, now: datetime, address: str | None = None,
                       locale: str | None = None) -> None:
    """Email a 15-minute, single-use sign-in link (same answer whether or not the email has an account), in the
    account's language, else in `locale` (the page's)."""
    _email_link_if_account(db, tenant_id=tenant_id, email=email, address=address, purpose=Purpose.MAGIC,
                           template='magic_link', path='/magic', now=now, reading=locale)


def sign_in_with_magic_link(db: Database, *, tenant_id: int, token: str, now: datetime) -> SignedIn:
    """Spend a magic link and open a session; following it also proves the email."""
    customer = _redeem_for_active(db, tenant_id=tenant_id, purpose=Purpose.MAGIC, token=token, now=now, verify=True)
    return SignedIn(auth.open_session(db, tenant_id=tenant_id, customer_id=customer.id, now=now), customer)


# ---- accounts made by booking (see services.booking.confirm_hold) ------------------------------------------------


def queue_welcome(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    """In the caller's write transaction: queue, for an account made by a booking, its one-time link to choose a
    password (the email commits with the account)."""
    _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.WELCOME, template='welcome',
                path='/set-password', now=now)


def send_welcome(db: Database, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    """Email an account made by a booking its one-time link to choose a password (`queue_welcome` in a
    transaction of its own)."""
    with db.write() as s:
        queue_welcome(s, tenant_id=tenant_id, customer=customer, now=now)


def prove_email_in(s: Any, *, tenant_id: int, customer_id: int, now: datetime) -> None:
    """`prove_email` inside the caller's write transaction (a confirmed booking)."""
    _prove_email(s, tenant_id=tenant_id, customer_id=customer_id, now=now)


def ensure_can_book(db: Database, *, tenant_id: int, customer_id: int) -> d.Customer:
    """The customer, read fresh, when the account may book; AccountError otherwise (closed or unknown)."""
    with db.read() as s:
        customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
    reason = why_cannot_book(customer)
    if reason:
        raise AccountError(reason)
    assert customer is not None
    return customer


# ---- the signed-in customer's own account ----------------------------------------------------------------------


def get_customer(db: Database, *, tenant_id: int, customer_id: int) -> d.Customer:
    with db.read() as s:
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None:
        raise AccountError(lazy('We could not find your account.'))
    return customer


def update_profile(db: Database, *, tenant_id: int, customer_id: int, profile: ProfileInput,
                   today: date) -> d.Customer:
    """Save names, phone, date of birth and gender when every field is valid; ProfileInvalid names what to fix."""
    problems = profile_problems(profile, today=today)
    if problems:
        raise ProfileInvalid(problems)
    with db.write() as s:
        customer_db.update_profile(s, tenant_id=tenant_id, customer_id=customer_id,
                                   first_name=profile.first_name.strip(),
                                   last_name=profile.last_name.strip(), phone=profile.phone.strip(),
                                   birth_date=profile.birth_date, gender=profile.gender)
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None:
        raise AccountError(lazy('We could not find your account.'))
    return customer


RECENT_SIGN_IN = timedelta(minutes=10)
NEEDS_PASSWORD = lazy('Enter your current password to change your email.')
NEEDS_RECENT_SIGN_IN = lazy('For your safety, sign in again (a sign-in link by email works) and change your email '
                            'within 10 minutes.')


def request_email_change(db: Database, *, tenant_id: int, customer_id: int, new_email: str, now: datetime,
                         password: str = '', signed_in_at: datetime | None = None,
                         address: str | None = None) -> None:
    """Send a confirmation link to the new address; the account keeps the old one until it is followed.

    Whoever asks must show it is the owner: the current password, or a sign-in less than RECENT_SIGN_IN ago (an
    account without a password has only that). A few requests an hour per account; a wrong password counts as a
    failed sign-in. The link dies when the password changes or is reset (PASSWORD_BOUND).
    """
    problem = email_problem(new_email)
    if problem:
        raise ProfileInvalid({'email': problem})
    customer = get_customer(db, tenant_id=tenant_id, customer_id=customer_id)
    if customer_db.normalise_email(new_email) == customer_db.normalise_email(customer.email):
        raise ProfileInvalid({'email': lazy('That is already your email address.')})
    limits = ratelimit.email_change_checks(tenant_id=tenant_id, customer_id=customer_id)
    lim = ratelimit.limiter()
    try:
        lim.ensure_open(*limits)
    except ratelimit.TooManyAttempts as e:
        raise AccountError(e.message) from e
    recent = signed_in_at is not None and timedelta(0) <= now - signed_in_at <= RECENT_SIGN_IN
    if not recent:
        _check_current_password(db, tenant_id=tenant_id, customer=customer, password=password, address=address)
    with db.read() as s:
        taken = customer_db.email_in_use(s, tenant_id=tenant_id, email=new_email, except_id=customer_id)
    if taken:
        raise ProfileInvalid({'email': lazy('That email address is already used by another account.')})
    lim.hit(*limits)
    with db.write() as s:
        _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.EMAIL_CHANGE,
                    template='email_change', path='/confirm-email', now=now, to=new_email.strip(),
                    payload=new_email.strip(), old_email=customer.email)


def _check_current_password(db: Database, *, tenant_id: int, customer: d.Customer, password: str,
                            address: str | None) -> None:
    with db.read() as s:
        current_hash = customer_db.password_hash_of(s, tenant_id=tenant_id, customer_id=customer.id)
    if not current_hash:
        raise ProfileInvalid({'password': NEEDS_RECENT_SIGN_IN})
    if not password:
        raise ProfileInvalid({'password': NEEDS_PASSWORD})
    if not _password_matches(tenant_id=tenant_id, email=customer.email, password=password,
                             password_hash=current_hash, address=address):
        raise ProfileInvalid({'password': lazy('Your current password is not right.')})


def confirm_email_change(db: Database, *, tenant_id: int, token: str, now: datetime) -> d.Customer:
    """Switch the account to the address the link was sent to, if no other active account took it meanwhile, and
    tell the old address, with a link that undoes the change (`undo_email_change`)."""
    try:
        with db.write() as s:
            redeemed = redeem(s, tenant_id=tenant_id, purpose=Purpose.EMAIL_CHANGE, token=token, now=now)
            before = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
            if before is None:
                raise InvalidToken()
            if customer_db.email_in_use(s, tenant_id=tenant_id, email=redeemed.payload, except_id=redeemed.customer_id):
                raise AccountError(lazy('That email address is now used by another account.'))
            customer_db.change_email(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, email=redeemed.payload,
                                     now=now)
            s.flush()
            customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
            assert customer is not None
            # The old address hears of it, with its undo link, in the same transaction as the change.
            _queue_link(s, tenant_id=tenant_id, customer=before, purpose=Purpose.EMAIL_UNDO,
                        template='email_changed', path='/undo-email', now=now, payload=before.email,
                        keep_earlier=True, new_email=customer.email, when=now)
    except sqlalchemy.exc.IntegrityError as e:
        raise AccountError(lazy('That email address is now used by another account.')) from e
    return customer


def undo_email_change(db: Database, *, tenant_id: int, token: str, now: datetime) -> d.Customer:
    """The old address says the change was not theirs: the account gets that address back, every session and open
    link of it ends (whoever changed it is signed out), and the owner is pointed to a new password."""
    try:
        with db.write() as s:
            redeemed = redeem(s, tenant_id=tenant_id, purpose=Purpose.EMAIL_UNDO, token=token, now=now)
            if customer_db.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id) is None:
                raise InvalidToken()
            if customer_db.email_in_use(s, tenant_id=tenant_id, email=redeemed.payload, except_id=redeemed.customer_id):
                raise AccountError(lazy('That address now belongs to another account. Please contact the business.'))
            customer_db.change_email(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, email=redeemed.payload,
                                     now=now)
            auth.end_sessions_in(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, now=now)
            customer_db.retire_tokens(s, customer_id=redeemed.customer_id, now=now, purposes=PASSWORD_BOUND)
            s.flush()
            customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
    except sqlalchemy.exc.IntegrityError as e:
        raise AccountError(lazy('That address now belongs to another account. Please contact the business.')) from e
    assert customer is not None
    return customer


def change_password(db: Database, *, tenant_id: int, customer_id: int, current: str, new: str, confirm: str,
                    keep_session_id: str | None, now: datetime, address: str | None = None) -> int:
    """Replace the password after checking the current one; ends every other session and emails a notice.

    Returns how many other sessions were ended. An account without a password (made by booking, magic link or
    single sign-on) sets its first one without a current password.
    """
    customer = get_customer(db, tenant_id=tenant_id, customer_id=customer_id)
    with db.read() as s:
        current_hash = customer_db.password_hash_of(s, tenant_id=tenant_id, customer_id=customer_id)
    if current_hash is not None and not _password_matches(tenant_id=tenant_id, email=customer.email, password=current,
                                                          password_hash=current_hash, address=address):
        raise ProfileInvalid({'current': lazy('Your current password is not right.')})
    if current_hash is not None and new == current:
        raise ProfileInvalid({'new': lazy('Choose a password different from your current one.')})
    _check_new_password(customer, new, confirm)
    password_hash = auth.hash_password(new)
    with db.write() as s:
        customer_db.set_password_hash(s, tenant_id=tenant_id, customer_id=customer_id, password_hash=password_hash)
        customer_db.retire_tokens(s, customer_id=customer_id, now=now, purposes=PASSWORD_BOUND)
        ended = customer_db.revoke_sessions(s, customer_id=customer_id, now=now,
                                            keep_hash=auth.session_hash(keep_session_id) if keep_session_id else None)
        _queue_password_changed(s, tenant_id=tenant_id, customer=customer, now=now)
    auth.sessions_ended(tenant_id=tenant_id, customer_id=customer_id)
    return ended


def delete_account(db: Database, *, tenant_id: int, customer_id: int, confirmation: str, now: datetime) -> None:
    """Close the account when the business allows it and the customer typed DELETE: it can no longer sign in or
    book, its sessions and links end, its email is free again and its past appointments stay as they are. Upcoming
    appointments that hold a slot are canceled (history, an email to the staff member, slots freed at once):
    nobody is left to come to them."""
    with db.read() as s:
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    refusal = rules.why_not_delete_account(settings)
    if refusal:
        raise AccountError(refusal)
    if confirmation.strip().upper() != 'DELETE':
        raise AccountError(lazy('Type DELETE to confirm.'))
    with db.write() as s:
        canceled = close_account_in(s, tenant_id=tenant_id, customer_id=customer_id, now=now)
        if canceled is None:
            raise AccountError(lazy('We could not find your account.'))
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
    after_close(db, tenant_id=tenant_id, customer_id=customer_id, canceled=canceled, now=now, zone=zone)


def close_account_in(s: Any, *, tenant_id: int, customer_id: int, now: datetime,
                     actor: str = dh.CUSTOMER) -> list[d.Appointment] | None:
    """Inside the caller's write transaction, close the account as the customer's own deletion does: the row stays
    (as closed), sessions and links end, upcoming appointments that hold a slot are canceled with their history
    (`actor`: who closed it). Returns those appointments as they were, or None when there is no open account; call
    `after_close` after the commit."""
    if not customer_db.soft_delete(s, tenant_id=tenant_id, customer_id=customer_id, now=now):
        return None
    customer_db.revoke_sessions(s, customer_id=customer_id, now=now)
    customer_db.retire_tokens(s, customer_id=customer_id, now=now)
    return _cancel_upcoming(s, tenant_id=tenant_id, customer_id=customer_id, now=now, actor=actor)


def after_close(db: Database, *, tenant_id: int, customer_id: int, canceled: list[d.Appointment], now: datetime,
                zone: ZoneInfo) -> None:
    """After a closing committed: open tabs sign out, the staff hear of each canceled appointment (slots freed at
    once), and unfinished checkouts expire."""
    auth.sessions_ended(tenant_id=tenant_id, customer_id=customer_id)
    for appt in canceled:
        appointments.announce_status_change(db, tenant_id=tenant_id, customer_id=customer_id, before=appt,
                                            busy_now=False, reason='', now=now, zone=zone)
    payments.expire_open_checkouts(db, tenant_id=tenant_id, customer_id=customer_id, now=now)


def _cancel_upcoming(s: Any, *, tenant_id: int, customer_id: int, now: datetime,
                     actor: str = dh.CUSTOMER) -> list[d.Appointment]:
    """Set the customer's upcoming busy appointments to what a customer's cancel sets (domain.statuses.freeing_status);
    returns them as they were."""
    statuses = tenant_db.statuses(s, tenant_id=tenant_id)
    free = status_rules.freeing_status(statuses)
    if free is None:
        return []
    upcoming = [a for a in appointment_db.customer_appointments(s, tenant_id=tenant_id, customer_id=customer_id,
                                                                status_list=statuses)
                if a.start > now and a.status.busy]
    for appt in upcoming:
        appointment_db.set_status(s, tenant_id=tenant_id, appointment_id=appt.id, status_key=free.key)
        appointments.record_history(s, tenant_id=tenant_id, appointment_id=appt.id, entry=dh.status_changed(
            at=now, actor=actor, from_status=appt.status.key, to_status=free.key, cause=dh.ACCOUNT_CLOSED))
        s.flush()
        notify.queue_change(s, tenant_id=tenant_id, appointment_id=appt.id, kind=notify.STATUS,
                            previous_status=appt.status.key, cause=dh.ACCOUNT_CLOSED, now=now)
    return upcoming


# ---- password strength -----------------------------------------------------------------------------------------


def password_score(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> int:
    """zxcvbn's 0..4 score, with the customer's own name and email counted as easy guesses."""
    if not password:
        return 0
    inputs = [part for value in user_inputs if value for part in _split_inputs(value)]
    return int(zxcvbn(password[:PASSWORD_MAX_LENGTH], user_inputs=inputs)['score'])


# zxcvbn's own advice, in English (its feedback module, zxcvbn 4.5): marked here so the catalogs translate it. Advice
# a later zxcvbn adds shows in English until it is added here.
ZXCVBN_FEEDBACK = frozenset({
    N_('Add another word or two. Uncommon words are better.'),
    N_("Capitalization doesn't help very much."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    N_('Use a few words, avoid common phrases.'),
    N_('No need for symbols, digits, or uppercase letters.'),
    N_('Straight rows of keys are easy to guess.'),
    N_('Short keyboard patterns are easy to guess.'),
    N_('This is a top-10 common password.'),
    N_('This is similar to a commonly used password.'),
    N_('A word by itself is easy to guess.'),
    N_('All-uppercase is almost as easy to guess as all-lowercase.'),
    N_('Use a longer keyboard pattern with more turns.'),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_('This is a top-100 common password.'),
    N_('This is a very common password.'),
    N_('Names and surnames by themselves are easy to guess.'),
    N_('Common names and surnames are easy to guess.'),
    N_('Avoid repeated words and characters.'),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_('Avoid sequences.'),
    N_('Recent years are easy to guess.'),
    N_('Dates are often easy to guess.'),
    N_('Avoid recent years.'),
    N_('Avoid years that are associated with you.'),
    N_('Avoid dates and years that are associated with you.'),
})


def strength(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> tuple[int, Said]:
    """(score 0..4, zxcvbn's first warning or suggestion, to be shown in the reader's language) for the live
    meter."""
    if not password:
        return 0, ''
    inputs = [part for value in user_inputs if value for part in _split_inputs(value)]
    result = zxcvbn(password[:PASSWORD_MAX_LENGTH], user_inputs=inputs)
    feedback = result['feedback']  # zxcvbn always answers with its feedback
    hint = str(feedback.get('warning') or next(iter(feedback.get('suggestions') or []), ''))
    return int(result['score']), label(hint) if hint in ZXCVBN_FEEDBACK else hint


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
        raise ProfileInvalid({'confirm': lazy('The two new passwords do not match.')})
    score = password_score(password, user_inputs_of(customer))
    problem = password_problem(password, score=score)
    if problem:
        raise ProfileInvalid({'new': problem})


def _email_link_if_account(db: Database, *, tenant_id: int, email: str, address: str | None, purpose: Purpose,
                           template: str, path: str, now: datetime, reading: str | None) -> None:
    """Check the address and the limits, then email a link only if an active account has that email: the caller
    answers the same either way."""
    problem = email_problem(email)
    if problem:
        raise AccountError(problem)
    _mail_allowed(tenant_id=tenant_id, email=email, address=address)
    # Looking the account up, issuing the link and queueing its email all happen on the background pool, so the
    # answer takes the same time whether or not the address has an account.
    mail.later(_link_if_account, db, tenant_id=tenant_id, email=email, purpose=purpose, template=template, path=path,
               now=now, reading=reading)


def _link_if_account(db: Database, *, tenant_id: int, email: str, purpose: Purpose, template: str, path: str,
                     now: datetime, reading: str | None) -> None:
    with db.write() as s:
        customer = customer_db.active_customer_by_email(s, tenant_id=tenant_id, email=email)
        if customer is not None:
            _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=purpose, template=template, path=path,
                        now=now, reading=reading)


def _active_by_email(db: Database, tenant_id: int, email: str) -> d.Customer | None:
    with db.read() as s:
        return customer_db.active_customer_by_email(s, tenant_id=tenant_id, email=email)


def _redeem_for_active(db: Database, *, tenant_id: int, purpose: Purpose, token: str, now: datetime,
                       verify: bool, keep_password: bool = False) -> d.Customer:
    with db.write() as s:
        redeemed = redeem(s, tenant_id=tenant_id, purpose=purpose, token=token, now=now)
        if verify:
            _prove_email(s, tenant_id=tenant_id, customer_id=redeemed.customer_id, now=now,
                         keep_password=keep_password)
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=redeemed.customer_id)
        if customer is None:
            raise InvalidToken()
    return customer


def _mail_allowed(*, tenant_id: int, email: str, address: str | None) -> None:
    checks = ratelimit.mail_checks(tenant_id=tenant_id, email=email, address=address)
    lim = ratelimit.limiter()
    try:
        lim.take(*reversed(checks))  # an address already refused does not use up the email's count
    except ratelimit.TooManyAttempts as e:
        raise AccountError(e.message) from e


def _queue_link(s: Any, *, tenant_id: int, customer: d.Customer, purpose: Purpose, template: str, path: str,
                now: datetime, to: str | None = None, payload: str = '', keep_earlier: bool = False,
                reading: str | None = None, **extra: str | datetime) -> None:
    """Issue a link and queue the email carrying it, both in the caller's write transaction; in the customer's
    language, else `reading` (the language of the page that asked for it), else the business's."""
    token = issue_token(s, tenant_id=tenant_id, customer_id=customer.id, purpose=purpose, now=now, payload=payload,
                        keep_earlier=keep_earlier)
    business, host = tenant_db.tenant_name_and_host(s, tenant_id=tenant_id)
    lifetime = LIFETIME[purpose]
    _queue(s, template, tenant_id=tenant_id, to=to or customer.email, language=customer.language, reading=reading,
           name=customer.first_name or emails.THERE, business=business, link=public_link(path, host, token=token),
           minutes=str(int(lifetime.total_seconds() // 60)), hours=str(int(lifetime.total_seconds() // 3600)),
           **extra)


def _queue_verification(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.VERIFY, template='verify', path='/verify',
                now=now)


def _queue_account_exists(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime,
                          reading: str | None) -> None:
    # Tell the owner, not the visitor: the page answers the same either way.
    _queue_link(s, tenant_id=tenant_id, customer=customer, purpose=Purpose.RESET, template='account_exists',
                path='/reset', now=now, reading=reading)


def _try_send_verification(db: Database, *, tenant_id: int, customer: d.Customer, address: str | None,
                           now: datetime) -> None:
    try:
        _mail_allowed(tenant_id=tenant_id, email=customer.email, address=address)
    except AccountError:
        return  # links went out recently; the customer has them
    with db.write() as s:
        _queue_verification(s, tenant_id=tenant_id, customer=customer, now=now)


def _queue_password_changed(s: Any, *, tenant_id: int, customer: d.Customer, now: datetime) -> None:
    business, host = tenant_db.tenant_name_and_host(s, tenant_id=tenant_id)
    _queue(s, 'password_changed', tenant_id=tenant_id, to=customer.email, language=customer.language,
           name=customer.first_name or emails.THERE, business=business, when=now, link=public_link('/forgot', host))


def _utc_moment(now: datetime, locale: str) -> str:
    """When an account changed, for its security emails: 'Tue 1 Dec 2026, 10:00 (UTC)'."""
    return f'{fmt.date_time(now, UTC, locale=locale)} (UTC)'


def _queue(s: Any, template: str, *, tenant_id: int, to: str, language: str | None, reading: str | None = None,
           **context: str | datetime) -> None:
    """Queue the email in the caller's transaction, in the customer's language (`language`, their saved choice;
    else `reading`, the page's; else the business's default); a moment among the values reads in that language.
    A template that cannot be rendered is logged, never allowed to undo the change or turn into a different answer
    for the visitor."""
    try:
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        locale = emails.recipient_locale(saved=language, reading=reading, business_default=settings.default_language)
        values = {k: _utc_moment(v, locale) if isinstance(v, datetime) else v for k, v in context.items()}
        subject, text, html = emails.render_for(template, values, locale=locale, settings=settings,
                                                own=emails.own_wording(s, tenant_id=tenant_id, name=template,
                                                                       locale=locale))
    except Exception:
        log.exception('could not render the %s email to %s', template, to)
        return
    mail.queue(s, tenant_id=tenant_id, template=template, to=to, subject=subject, text=text, html=html)
