"""Changing the email: only the owner may ask (the password, or a sign-in minutes ago), a few times an hour; the old
address is told and can undo it; a password change or reset kills a pending link."""

from __future__ import annotations

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


def world(db) -> tuple[int, int, int]:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Lumen Studio', settings=PanelSettings())
        ada = customer_db.create_customer(s, tenant_id=tenant, email='ada@example.com', first_name='Ada',
                                          last_name='Lovelace', password_hash=auth.hash_password('kairos-demo'),
                                          now=NOW)
        bob = customer_db.create_customer(s, tenant_id=tenant, email='bob@example.com', first_name='Bob', now=NOW)
    return tenant, ada, bob


def change(db, tenant: int, customer: int, new_email: str, **kw) -> None:
    accounts.request_email_change(db, tenant_id=tenant, customer_id=customer, new_email=new_email,
                                  now=kw.pop('now', NOW), **kw)


def test_someone_at_an_open_tab_cannot_change_the_email_without_the_password(db, inbox) -> None:
    tenant, ada, _ = world(db)
    with pytest.raises(accounts.ProfileInvalid) as missing:
        change(db, tenant, ada, 'mallory@evil.example')
    assert {k: str(v) for k, v in missing.value.problems.items()} == {
        'password': 'Enter your current password to change your email.'}
    with pytest.raises(accounts.ProfileInvalid) as wrong:
        change(db, tenant, ada, 'mallory@evil.example', password='guess-guess-1')
    assert {k: str(v) for k, v in wrong.value.problems.items()} == {'password': 'Your current password is not right.'}
    with pytest.raises(accounts.ProfileInvalid):  # a sign-in eleven minutes ago is not fresh any more
        change(db, tenant, ada, 'mallory@evil.example', signed_in_at=NOW - timedelta(minutes=11))
    assert inbox.to('mallory@evil.example') == []
    change(db, tenant, ada, 'ada@lovelace.org', signed_in_at=NOW - timedelta(minutes=3))  # just signed in: enough
    change(db, tenant, ada, 'ada@lovelace.org', password='kairos-demo')
    assert len(inbox.to('ada@lovelace.org')) == 2


def test_an_account_without_a_password_needs_a_fresh_sign_in(db, inbox) -> None:
    tenant, _, bob = world(db)
    with pytest.raises(accounts.ProfileInvalid) as refused:
        change(db, tenant, bob, 'bob@byte.example', password='anything-at-all')
    assert {k: str(v) for k, v in refused.value.problems.items()} == {'password': str(accounts.NEEDS_RECENT_SIGN_IN)}
    change(db, tenant, bob, 'bob@byte.example', signed_in_at=NOW - timedelta(minutes=2))
    assert inbox.last_to('bob@byte.example')['Subject'].startswith('Confirm your new email')


def test_email_changes_are_rate_limited_per_account(db, inbox) -> None:
    tenant, ada, _ = world(db)
    for i in range(3):
        change(db, tenant, ada, f'ada{i}@lovelace.org', password='kairos-demo')
    with pytest.raises(accounts.AccountError, match='Too many attempts'):
        change(db, tenant, ada, 'ada9@lovelace.org', password='kairos-demo')
    assert inbox.to('ada9@lovelace.org') == []


def test_a_wrong_password_counts_as_a_failed_sign_in(db, inbox) -> None:
    tenant, ada, _ = world(db)
    for i in range(5):
        with pytest.raises(accounts.ProfileInvalid):
            change(db, tenant, ada, 'mallory@evil.example', password=f'guess-{i}-guess')
    with pytest.raises(SignInFailed, match='Too many attempts'):
        accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                 address=None, now=NOW)


@pytest.mark.parametrize('how', ['change', 'reset'])
def test_a_pending_link_dies_when_the_password_changes_or_is_reset(db, inbox, how) -> None:
    tenant, ada, _ = world(db)
    change(db, tenant, ada, 'mallory@evil.example', password='kairos-demo')  # someone who knew the password
    link = token_in(inbox.last_to('mallory@evil.example'), '/confirm-email')
    if how == 'change':
        accounts.change_password(db, tenant_id=tenant, customer_id=ada, current='kairos-demo', new=STRONG,
                                 confirm=STRONG, keep_session_id=None, now=NOW)
    else:
        accounts.request_password_reset(db, tenant_id=tenant, email='ada@example.com', now=NOW)
        accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.RESET,
                                        token=token_in(inbox.last_to('ada@example.com'), '/reset'), password=STRONG,
                                        confirm=STRONG, now=NOW)
    with pytest.raises(InvalidToken):
        accounts.confirm_email_change(db, tenant_id=tenant, token=link, now=NOW + timedelta(minutes=1))
    assert accounts.get_customer(db, tenant_id=tenant, customer_id=ada).email == 'ada@example.com'


def test_the_old_address_is_told_and_its_undo_link_takes_the_account_back(db, inbox) -> None:
    """Mallory, at Ada's unlocked laptop with her password, moves the account to her own address, then changes the
    password and moves it once more. Ada's undo link from the first notice still brings it home and signs Mallory
    out everywhere."""
    tenant, ada, _ = world(db)
    change(db, tenant, ada, 'mallory@evil.example', password='kairos-demo')
    accounts.confirm_email_change(db, tenant_id=tenant, token=token_in(inbox.last_to('mallory@evil.example'),
                                                                       '/confirm-email'), now=NOW)
    notice = inbox.last_to('ada@example.com')
    assert notice['Subject'] == 'Your email address for Lumen Studio was changed'
    assert 'mallory@evil.example' in text_of(notice) and '168 hours' in text_of(notice)
    undo = token_in(notice, '/undo-email')
    mallory = auth.sign_in(db, tenant_id=tenant, email='mallory@evil.example', password='kairos-demo', now=NOW)
    accounts.change_password(db, tenant_id=tenant, customer_id=ada, current='kairos-demo', new=STRONG,
                             confirm=STRONG, keep_session_id=mallory.session_id, now=NOW)
    change(db, tenant, ada, 'mallory2@evil.example', password=STRONG, now=NOW + timedelta(minutes=1))
    accounts.confirm_email_change(db, tenant_id=tenant, token=token_in(inbox.last_to('mallory2@evil.example'),
                                                                       '/confirm-email'), now=NOW)
    assert accounts.check_link(db, tenant_id=tenant, purpose=Purpose.EMAIL_UNDO, token=undo,
                               now=NOW + timedelta(hours=1)).email == 'mallory2@evil.example'
    restored = accounts.undo_email_change(db, tenant_id=tenant, token=undo, now=NOW + timedelta(hours=1))
    assert restored.email == 'ada@example.com' and restored.id == ada
    assert auth.current_customer(db, tenant_id=tenant, session_id=mallory.session_id, now=NOW) is None
    with pytest.raises(SignInFailed):
        auth.sign_in(db, tenant_id=tenant, email='mallory2@evil.example', password=STRONG, now=NOW)
    with pytest.raises(InvalidToken):  # once
        accounts.undo_email_change(db, tenant_id=tenant, token=undo, now=NOW + timedelta(hours=1))
