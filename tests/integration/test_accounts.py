"""Getting in: sign-up with verification, password reset, magic links, rate limits, and accounts made by booking.

Every email is read from a real SMTP server on loopback; links are followed as a customer would.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import pytest

from domain.settings import PanelSettings
from services import accounts, auth
from services.auth import SignInFailed
from services.tokens import InvalidToken, Purpose
from storage import customers as customer_db
from storage import tenants as tenant_db
from tests.support.smtp import text_of, token_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STRONG = 'violet-harbour-71-tandem'


pytestmark = pytest.mark.usefixtures('fresh_limits')


def make_tenant(db, **settings) -> int:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Lumen Studio', settings=PanelSettings(**settings))
        customer_db.create_customer(s, tenant_id=tenant, email='ada@example.com', first_name='Ada',
                                    last_name='Lovelace',
                                    password_hash=auth.hash_password('kairos-demo'), now=NOW)
    return tenant


def ada(db, tenant: int):
    with db.read() as s:
        from storage.customers import active_customer_by_email

        return active_customer_by_email(s, tenant_id=tenant, email='ada@example.com')


# ---- sign-up and verification ----------------------------------------------------------------------------------


def test_sign_up_sends_a_link_that_verifies_the_email_and_signs_in_once(db, inbox) -> None:
    tenant = make_tenant(db)
    proof = accounts.sign_up(db, tenant_id=tenant, email='Grace@Example.com', password=STRONG, first_name='Grace',
                             last_name='Hopper', now=NOW)
    with pytest.raises(SignInFailed) as unverified:
        accounts.attempt_sign_in(db, tenant_id=tenant, email='grace@example.com', password=STRONG, address='1.2.3.4',
                                 now=NOW)
    assert str(unverified.value.message) == str(accounts.UNVERIFIED)
    msg = inbox.last_to('Grace@Example.com')
    assert msg['Subject'] == 'Confirm your email for Lumen Studio'
    assert 'Hello Grace' in text_of(msg)
    signed = accounts.verify_email(db, tenant_id=tenant, token=token_in(msg, '/verify'), now=NOW, signup_proof=proof)
    assert signed.customer.email == 'Grace@Example.com' and signed.customer.email_verified
    assert auth.current_customer(db, tenant_id=tenant, session_id=signed.session_id, now=NOW).id == signed.customer.id
    with pytest.raises(InvalidToken):  # single use
        accounts.verify_email(db, tenant_id=tenant, token=token_in(msg, '/verify'), now=NOW)
    again = accounts.attempt_sign_in(db, tenant_id=tenant, email='grace@example.com', password=STRONG,
                                     address='1.2.3.4', now=NOW)
    assert again.customer.id == signed.customer.id


def test_sign_up_with_a_known_email_answers_the_same_and_tells_only_the_owner(db, inbox) -> None:
    tenant = make_tenant(db)
    accounts.sign_up(db, tenant_id=tenant, email='ada@example.com', password=STRONG, first_name='Eve',
                     last_name='Spy', now=NOW)  # no exception: the page shows the same "check your inbox"
    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'You already have an account at Lumen Studio'
    assert 'Hello Ada' in text_of(msg)  # the owner's name, not what the visitor typed
    assert auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)


def test_sign_up_is_refused_when_the_business_closed_it_and_weak_passwords_are_refused(db, inbox) -> None:
    closed = make_tenant(db, allow_signup=False)
    with pytest.raises(accounts.AccountError, match='Sign-up is closed'):
        accounts.sign_up(db, tenant_id=closed, email='new@example.com', password=STRONG, first_name='N',
                         last_name='N', now=NOW)
    with db.write() as s:
        open_tenant = tenant_db.create_tenant(s, slug='other', name='Other')
    with pytest.raises(accounts.ProfileInvalid) as weak:
        accounts.sign_up(db, tenant_id=open_tenant, email='grace@example.com', password='grace@example.com1',
                         first_name='Grace', last_name='Hopper', now=NOW)
    assert 'password' in {k: str(v) for k, v in weak.value.problems.items()}
    with pytest.raises(accounts.ProfileInvalid) as bad:
        accounts.sign_up(db, tenant_id=open_tenant, email='not-an-email', password=STRONG, first_name='',
                         last_name='Hopper', now=NOW)
    assert set({k: str(v) for k, v in bad.value.problems.items()}) == {'email', 'first_name'}
    assert inbox.messages == []


# ---- forgotten password ----------------------------------------------------------------------------------------


def test_reset_link_sets_a_new_password_once_and_ends_every_session(db, inbox) -> None:
    tenant = make_tenant(db)
    old_session = auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)
    accounts.request_password_reset(db, tenant_id=tenant, email=' ADA@example.com ', now=NOW)
    msg = inbox.last_to('ada@example.com')
    assert 'Reset your password' in msg['Subject'] and '60 minutes' in text_of(msg)
    token = token_in(msg, '/reset')
    assert accounts.check_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=token, now=NOW).first_name == 'Ada'
    with pytest.raises(accounts.ProfileInvalid) as mismatch:
        accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=token, password=STRONG,
                                        confirm=STRONG + 'x', now=NOW)
    assert 'do not match' in {k: str(v) for k, v in mismatch.value.problems.items()}['confirm']
    accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=token, password=STRONG,
                                    confirm=STRONG, now=NOW + timedelta(minutes=5))
    assert auth.current_customer(db, tenant_id=tenant, session_id=old_session.session_id, now=NOW) is None
    with pytest.raises(SignInFailed):
        auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)
    assert auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password=STRONG, now=NOW)
    with pytest.raises(InvalidToken):
        accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=token,
                                        password=STRONG + '!', confirm=STRONG + '!', now=NOW + timedelta(minutes=6))
    assert inbox.last_to('ada@example.com')['Subject'] == 'Your password for Lumen Studio was changed'


def test_a_reset_link_expires_after_one_hour_and_a_newer_link_replaces_it(db, inbox) -> None:
    tenant = make_tenant(db)
    accounts.request_password_reset(db, tenant_id=tenant, email='ada@example.com', now=NOW)
    first = token_in(inbox.last_to('ada@example.com'), '/reset')
    assert accounts.check_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=first,
                               now=NOW + timedelta(minutes=59))
    with pytest.raises(InvalidToken):
        accounts.check_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=first, now=NOW + timedelta(hours=1))
    accounts.request_password_reset(db, tenant_id=tenant, email='ada@example.com', now=NOW + timedelta(minutes=1))
    second = token_in(inbox.last_to('ada@example.com'), '/reset')
    with pytest.raises(InvalidToken):
        accounts.check_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=first, now=NOW + timedelta(minutes=2))
    with pytest.raises(InvalidToken):  # a reset token is no magic link, even for the same account
        accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=second, now=NOW + timedelta(minutes=2))
    assert accounts.check_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=second,
                               now=NOW + timedelta(minutes=2))


def test_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(db, inbox) -> None:
    tenant = make_tenant(db)
    assert accounts.request_password_reset(db, tenant_id=tenant, email='nobody@example.com', now=NOW) is None
    assert inbox.messages == []
    with pytest.raises(accounts.AccountError):
        accounts.request_password_reset(db, tenant_id=tenant, email='no at sign', now=NOW)


def test_tokens_are_stored_only_as_hashes(db, inbox) -> None:
    tenant = make_tenant(db)
    accounts.request_password_reset(db, tenant_id=tenant, email='ada@example.com', now=NOW)
    token = token_in(inbox.last_to('ada@example.com'), '/reset')
    import sqlalchemy as sa

    with db.read() as s:
        stored = [r[0] for r in s.execute(sa.text('SELECT token_hash FROM auth_token')).all()]
    assert stored and token not in stored and all(len(h) == 64 for h in stored)


# ---- magic link ------------------------------------------------------------------------------------------------


def test_a_magic_link_signs_in_once_within_fifteen_minutes(db, inbox) -> None:
    tenant = make_tenant(db)
    accounts.request_magic_link(db, tenant_id=tenant, email='ada@example.com', now=NOW)
    token = token_in(inbox.last_to('ada@example.com'), '/magic')
    with pytest.raises(InvalidToken):
        accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=token, now=NOW + timedelta(minutes=15))
    signed = accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=token, now=NOW + timedelta(minutes=14))
    assert signed.customer.first_name == 'Ada'
    with pytest.raises(InvalidToken):
        accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=token, now=NOW + timedelta(minutes=14))
    with pytest.raises(InvalidToken):
        accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=token[:-1] + 'A', now=NOW)


# ---- rate limits -----------------------------------------------------------------------------------------------


def test_failed_sign_ins_are_limited_per_account_with_a_clear_message(db) -> None:
    tenant = make_tenant(db)
    for i in range(5):
        with pytest.raises(SignInFailed) as e:
            accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password=f'wrong{i}',
                                     address=f'10.0.0.{i}', now=NOW)
        assert str(e.value.message) == str(auth.SIGN_IN_FAILED)
    with pytest.raises(SignInFailed) as limited:  # even the right password waits: the guesser must not learn it
        accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                 address='10.0.0.99', now=NOW)
    assert str(limited.value.message) == ('Too many attempts. Try again in 15 minutes. '
                                     'You can still sign in with a link sent to your email.')


def test_failed_sign_ins_are_limited_per_address_across_accounts(db) -> None:
    tenant = make_tenant(db)
    for i in range(20):
        with pytest.raises(SignInFailed):
            accounts.attempt_sign_in(db, tenant_id=tenant, email=f'guess{i}@example.com', password='x',
                                     address='203.0.113.7', now=NOW)
    with pytest.raises(SignInFailed, match='Too many attempts'):
        accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                 address='203.0.113.7', now=NOW)
    assert accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                    address='198.51.100.1', now=NOW).customer.first_name == 'Ada'


def test_twenty_wrong_passwords_sent_at_once_let_at_most_the_limit_reach_argon2(db, monkeypatch) -> None:
    """Each guess that gets through waits for the others before its password is checked (up to a second), the
    worst interleaving: if the count were taken only after the check, all twenty would pass it."""
    tenant = make_tenant(db)
    checked = []
    together = threading.Barrier(20, timeout=1.0)
    real_verify = auth.verify_password

    def verify_when_all_are_in(password: str, password_hash: str | None) -> bool:
        checked.append(password)
        with suppress(threading.BrokenBarrierError):
            together.wait()
        return real_verify(password, password_hash)

    monkeypatch.setattr(auth, 'verify_password', verify_when_all_are_in)

    def guess(i: int) -> str:
        try:
            accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password=f'guess-{i}',
                                     address=f'198.51.100.{i}', now=NOW)
        except SignInFailed as refusal:
            return str(refusal.message)
        return 'signed in'

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(guess, range(20)))
    assert len(checked) == 5  # the account's limit, however many arrive together
    assert answers.count(str(auth.SIGN_IN_FAILED)) == 5
    assert sum(a.startswith('Too many attempts.') for a in answers) == 15


def test_two_ipv6_addresses_of_one_network_share_one_count(db) -> None:
    """A phone or a home gets a whole /64: hopping between its addresses does not buy fresh attempts."""
    tenant = make_tenant(db)
    for i in range(20):
        with pytest.raises(SignInFailed, match='do not match'):
            accounts.attempt_sign_in(db, tenant_id=tenant, email=f'guess{i}@example.com', password='x',
                                     address=f'2001:db8:aa:bb:{i:x}::{i + 1:x}', now=NOW)
    with pytest.raises(SignInFailed, match='Too many attempts'):
        accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                 address='2001:db8:aa:bb:ffff:ffff:ffff:fffe', now=NOW)
    # The next network over is someone else.
    assert accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                    address='2001:db8:aa:bc::1', now=NOW).customer.first_name == 'Ada'


def test_a_stranger_who_locks_the_password_does_not_lock_the_owner_out(db, inbox) -> None:
    tenant = make_tenant(db)
    for i in range(5):  # someone else guesses, from several addresses
        with pytest.raises(SignInFailed):
            accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password=f'guess-{i}',
                                     address=f'203.0.113.{i}', now=NOW)
    with pytest.raises(SignInFailed) as limited:  # Ada's own right password now waits too...
        accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                 address='192.0.2.10', now=NOW)
    assert 'sign in with a link sent to your email' in str(limited.value.message)  # ...and she is told the way in
    accounts.request_magic_link(db, tenant_id=tenant, email='ada@example.com', now=NOW, address='192.0.2.10')
    token = token_in(inbox.last_to('ada@example.com'), '/magic')
    signed = accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=token, now=NOW)
    assert signed.customer.email == 'ada@example.com'
    assert auth.current_customer(db, tenant_id=tenant, session_id=signed.session_id, now=NOW).id == signed.customer.id


# ---- accounts made by booking ----------------------------------------------------------------------------------


def booked_account(db, tenant: int, email: str, *, welcome: bool):
    """An account as a confirmed guest booking leaves it (services.booking.confirm_hold): no password, the email
    proven by the click, and the welcome email when the business auto-creates accounts."""
    from storage import customers as customer_db

    with db.write() as s:
        customer = customer_db.insert_customer(s, tenant_id=tenant, email=email, first_name='Nia', last_name='Okafor',
                                               phone='+49 30 123456', password_hash=None, verified_at=NOW, now=NOW)
    if welcome:
        accounts.send_welcome(db, tenant_id=tenant, customer=customer, now=NOW)
    return customer


def test_an_account_made_by_booking_sets_its_password_through_the_welcome_link(db, inbox) -> None:
    tenant = make_tenant(db)
    customer = booked_account(db, tenant, 'new@example.com', welcome=True)
    welcome = inbox.last_to('new@example.com')
    assert welcome['Subject'] == 'Welcome to Lumen Studio: set your password'
    assert len(inbox.to('new@example.com')) == 1
    # The customer lost the email and asks again: a fresh link, the old one stops working.
    accounts.resend_welcome(db, tenant_id=tenant, email='new@example.com', now=NOW + timedelta(hours=1))
    again = inbox.last_to('new@example.com')
    with pytest.raises(InvalidToken):
        accounts.check_link(db, tenant_id=tenant, purpose=Purpose.WELCOME, token=token_in(welcome, '/set-password'),
                            now=NOW + timedelta(hours=1))
    accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.WELCOME,
                                    token=token_in(again, '/set-password'), password=STRONG, confirm=STRONG,
                                    now=NOW + timedelta(hours=2))
    signed = accounts.attempt_sign_in(db, tenant_id=tenant, email='new@example.com', password=STRONG, address=None,
                                      now=NOW + timedelta(hours=2))
    assert signed.customer.id == customer.id and signed.customer.email_verified


def test_forgot_password_also_works_for_an_account_made_by_booking(db, inbox) -> None:
    tenant = make_tenant(db, auto_create_account=False)
    customer = booked_account(db, tenant, 'quiet@example.com', welcome=False)
    assert inbox.messages == []
    accounts.request_password_reset(db, tenant_id=tenant, email='quiet@example.com', now=NOW)
    token = token_in(inbox.last_to('quiet@example.com'), '/reset')
    accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.RESET, token=token, password=STRONG,
                                    confirm=STRONG, now=NOW)
    assert auth.sign_in(db, tenant_id=tenant, email='quiet@example.com', password=STRONG, now=NOW).customer.id \
        == customer.id


def test_asking_for_a_link_does_not_wait_for_the_mail_server(db, inbox) -> None:
    """The answer comes before the mail server accepts anything, account or not, so how long it takes says nothing
    about whether the address has an account; the link arrives once the server takes it."""
    tenant = make_tenant(db)
    with inbox.holding():
        accounts.request_password_reset(db, tenant_id=tenant, email='ada@example.com', now=NOW)
        accounts.request_password_reset(db, tenant_id=tenant, email='nobody@example.com', now=NOW)
        accounts.request_magic_link(db, tenant_id=tenant, email='ada@example.com', now=NOW)
        assert inbox.received == []  # the calls returned while the server was still holding everything back
    assert sorted(m['Subject'] for m in inbox.to('ada@example.com')) == [
        'Reset your password for Lumen Studio', 'Your sign-in link for Lumen Studio']
    assert inbox.to('nobody@example.com') == []


def test_an_email_or_password_longer_than_any_account_has_is_refused_without_work(db, monkeypatch) -> None:
    tenant = make_tenant(db)
    hashed: list[int] = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, 'verify_password', lambda p, h: hashed.append(len(p)) or real_verify(p, h))
    for email, password in (('a' * 300 + '@example.com', 'kairos-demo'), ('ada@example.com', 'x' * 100_000)):
        with pytest.raises(SignInFailed) as refused:
            accounts.attempt_sign_in(db, tenant_id=tenant, email=email, password=password, address='192.0.2.1',
                                     now=NOW)
        assert str(refused.value.message) == str(auth.SIGN_IN_FAILED)
    assert hashed == []  # a 100,000-character password never reached Argon2
    signed = accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                      address='192.0.2.1', now=NOW)  # the owner is unaffected
    assert signed.customer.email == 'ada@example.com'


def test_an_office_behind_one_address_signs_in_all_day(db) -> None:
    tenant = make_tenant(db)  # successful sign-ins never fill the address's count: only failures do
    for _ in range(25):
        signed = accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                          address='192.0.2.50', now=NOW)
        assert signed.customer.email == 'ada@example.com'
