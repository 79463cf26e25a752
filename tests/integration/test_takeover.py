"""Pre-account takeover: a stranger signs up with someone else's address and never confirms it.

Whichever way the real owner then proves the mailbox (magic link, single sign-on, set-password link, the
confirmation link), the stranger's password stops working and the stranger's sessions end. Unconfirmed sign-ups
expire, so the address can sign up again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.settings import PanelSettings
from services import accounts, auth, oidc
from services.auth import SignInFailed
from services.config import reset_config
from services.tokens import Purpose
from storage import tenants as tenant_db
from tests.support.oidc_provider import oidc_provider
from tests.support.smtp import token_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STRANGER = 'mallory-owns-this-71-now'
OWNERS = 'violet-harbour-71-tandem'
VICTIM = 'victim@example.com'

pytestmark = pytest.mark.usefixtures('fresh_limits')


def studio(db) -> int:
    with db.write() as s:
        return tenant_db.create_tenant(s, slug='default', name='Lumen Studio', settings=PanelSettings())


def stranger_signs_up(db, tenant: int, *, now: datetime = NOW) -> auth.SignedIn:
    """Mallory signs up with the victim's address and ends up holding a session on that account."""
    accounts.sign_up(db, tenant_id=tenant, email=VICTIM, password=STRANGER, first_name='Mallory', last_name='M',
                     now=now)
    # However the stranger came by it (an older release, a race, a future bug), a session opened with the
    # stranger's password is what must not survive the owner's proof.
    return auth.sign_in(db, tenant_id=tenant, email=VICTIM, password=STRANGER, now=now)


def stranger_is_out(db, tenant: int, held: auth.SignedIn, *, now: datetime) -> None:
    assert auth.current_customer(db, tenant_id=tenant, session_id=held.session_id, now=NOW) is None
    with pytest.raises(SignInFailed):
        accounts.attempt_sign_in(db, tenant_id=tenant, email=VICTIM, password=STRANGER, address='203.0.113.9',
                                 now=now)


def test_the_owner_signs_in_with_a_magic_link_and_the_strangers_password_dies(db, inbox) -> None:
    tenant = studio(db)
    held = stranger_signs_up(db, tenant)
    later = NOW + timedelta(hours=1)
    accounts.request_magic_link(db, tenant_id=tenant, email=VICTIM, now=later)
    owner = accounts.sign_in_with_magic_link(db, tenant_id=tenant, token=token_in(inbox.last_to(VICTIM), '/magic'),
                                             now=later)
    assert owner.customer.email_verified and not owner.customer.has_password
    stranger_is_out(db, tenant, held, now=later)
    assert auth.current_customer(db, tenant_id=tenant, session_id=owner.session_id, now=NOW).id == owner.customer.id


def test_the_owner_signs_in_with_single_sign_on_and_the_strangers_password_dies(db, monkeypatch) -> None:
    with oidc_provider() as provider:
        monkeypatch.setenv('KAIROS_OIDC_ISSUER', provider.url)
        monkeypatch.setenv('KAIROS_OIDC_CLIENT_ID', provider.client_id)
        monkeypatch.setenv('KAIROS_OIDC_CLIENT_SECRET', provider.client_secret)
        reset_config()
        oidc.forget_discovery()
        provider.user = {'sub': 'v-1', 'email': VICTIM, 'email_verified': True, 'given_name': 'Vera'}
        tenant = studio(db)
        held = stranger_signs_up(db, tenant, now=datetime.now(UTC))
        from tests.integration.test_oidc import CALLBACK, go_to_provider

        url, pending = oidc.begin(redirect_uri=CALLBACK)
        code, state = go_to_provider(url)
        owner = oidc.finish(db, tenant_id=tenant, pending=pending, code=code, state=state, now=datetime.now(UTC))
        assert owner.customer.email_verified and not owner.customer.has_password
        stranger_is_out(db, tenant, held, now=datetime.now(UTC))
        assert auth.current_customer(db, tenant_id=tenant, session_id=owner.session_id, now=NOW) is not None
    reset_config()
    oidc.forget_discovery()


def test_the_owner_sets_a_password_through_a_link_and_the_strangers_password_dies(db, inbox) -> None:
    tenant = studio(db)
    held = stranger_signs_up(db, tenant)
    later = NOW + timedelta(hours=1)
    accounts.request_password_reset(db, tenant_id=tenant, email=VICTIM, now=later)
    accounts.set_password_with_link(db, tenant_id=tenant, purpose=Purpose.RESET,
                                    token=token_in(inbox.last_to(VICTIM), '/reset'), password=OWNERS,
                                    confirm=OWNERS, now=later)
    stranger_is_out(db, tenant, held, now=later)
    assert accounts.attempt_sign_in(db, tenant_id=tenant, email=VICTIM, password=OWNERS, address=None,
                                    now=later).customer.email_verified


def test_the_owner_follows_the_confirmation_link_elsewhere_and_the_strangers_password_dies(db, inbox) -> None:
    """The stranger's sign-up mailed the owner a confirmation link; the owner clicks it in their own browser (no
    sign-up proof there) without typing a password: the address is theirs, the stranger's password is not kept."""
    tenant = studio(db)
    held = stranger_signs_up(db, tenant)
    later = NOW + timedelta(hours=1)
    token = token_in(inbox.last_to(VICTIM), '/verify')
    assert accounts.check_link(db, tenant_id=tenant, purpose=Purpose.VERIFY, token=token, now=later).email == VICTIM
    with pytest.raises(accounts.ProfileInvalid) as guess:  # typing a wrong password keeps nothing and spends nothing
        accounts.verify_email(db, tenant_id=tenant, token=token, now=later, password='not-the-one-12')
    assert 'password' in {k: str(v) for k, v in guess.value.problems.items()}
    owner = accounts.verify_email(db, tenant_id=tenant, token=token, now=later)
    assert owner.customer.email_verified and not owner.customer.has_password
    stranger_is_out(db, tenant, held, now=later)


def test_the_browser_that_signed_up_keeps_its_password_when_it_confirms(db, inbox) -> None:
    tenant = studio(db)
    proof = accounts.sign_up(db, tenant_id=tenant, email='nia@example.com', password=OWNERS, first_name='Nia',
                             last_name='Okafor', now=NOW)
    assert proof
    token = token_in(inbox.last_to('nia@example.com'), '/verify')
    with pytest.raises(accounts.ProfileInvalid):  # another account's proof is no proof
        accounts.verify_email(db, tenant_id=tenant, token=token, now=NOW, signup_proof='0' * 64, password='x' * 12)
    accounts.verify_email(db, tenant_id=tenant, token=token, now=NOW, signup_proof=proof)
    assert accounts.attempt_sign_in(db, tenant_id=tenant, email='nia@example.com', password=OWNERS, address=None,
                                    now=NOW).customer.first_name == 'Nia'


def test_on_another_device_typing_the_sign_up_password_keeps_it(db, inbox) -> None:
    tenant = studio(db)
    accounts.sign_up(db, tenant_id=tenant, email='nia@example.com', password=OWNERS, first_name='Nia',
                     last_name='Okafor', now=NOW)
    token = token_in(inbox.last_to('nia@example.com'), '/verify')
    accounts.verify_email(db, tenant_id=tenant, token=token, now=NOW, password=OWNERS)
    assert accounts.attempt_sign_in(db, tenant_id=tenant, email='nia@example.com', password=OWNERS, address=None,
                                    now=NOW)


def test_an_unconfirmed_sign_up_expires_and_the_address_can_sign_up_again(db, inbox) -> None:
    tenant = studio(db)
    stranger_signs_up(db, tenant)
    within = NOW + timedelta(days=6)
    accounts.sign_up(db, tenant_id=tenant, email=VICTIM, password=OWNERS, first_name='Vera', last_name='V',
                     now=within)
    assert inbox.last_to(VICTIM)['Subject'] == 'You already have an account at Lumen Studio'
    expired = NOW + timedelta(days=8)  # KAIROS_UNVERIFIED_DAYS is 7 by default
    with pytest.raises(SignInFailed) as refused:  # the old sign-up no longer even asks for a confirmation
        accounts.attempt_sign_in(db, tenant_id=tenant, email=VICTIM, password=STRANGER, address=None, now=expired)
    assert str(refused.value.message) == str(auth.SIGN_IN_FAILED)
    proof = accounts.sign_up(db, tenant_id=tenant, email=VICTIM, password=OWNERS, first_name='Vera', last_name='V',
                             now=expired)
    assert proof  # a new account, not "you already have one"
    msg = inbox.last_to(VICTIM)
    assert msg['Subject'] == 'Confirm your email for Lumen Studio'
    owner = accounts.verify_email(db, tenant_id=tenant, token=token_in(msg, '/verify'), now=expired,
                                  signup_proof=proof)
    assert owner.customer.first_name == 'Vera'
    with pytest.raises(SignInFailed):
        accounts.attempt_sign_in(db, tenant_id=tenant, email=VICTIM, password=STRANGER, address=None, now=expired)
