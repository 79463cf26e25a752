"""Sign-in through an OpenID Connect provider on loopback: the real authorization-code round trip with PKCE,
and every way a forged or stale answer is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from domain.settings import PanelSettings
from services import auth, oidc
from services.config import reset_config
from storage import customers as customer_db
from storage import tenants as tenant_db
from tests.support.oidc_provider import Provider, oidc_provider

NOW = datetime.now(UTC)


def now() -> datetime:
    """The real time: the provider signs tokens by the real clock, and a long run outlives a time read at import."""
    return datetime.now(UTC)
CALLBACK = 'http://127.0.0.1:9/auth/oidc/callback'


@pytest.fixture
def provider(monkeypatch):
    with oidc_provider() as p:
        monkeypatch.setenv('KAIROS_OIDC_ISSUER', p.url)
        monkeypatch.setenv('KAIROS_OIDC_CLIENT_ID', p.client_id)
        monkeypatch.setenv('KAIROS_OIDC_CLIENT_SECRET', p.client_secret)
        reset_config()
        oidc.forget_discovery()
        yield p
    reset_config()
    oidc.forget_discovery()


def tenant(db, **settings) -> int:
    with db.write() as s:
        t = tenant_db.create_tenant(s, slug='default', name='Lumen', settings=PanelSettings(**settings))
        customer_db.create_customer(s, tenant_id=t, email='Ada@Example.com', first_name='Ada', now=NOW, verified=False)
    return t


def go_to_provider(pending_url: str) -> tuple[str, str]:
    """Follow the authorization address like a browser and return (code, state) from the redirect back."""
    response = httpx.get(pending_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers['location'])
    assert f'{back.scheme}://{back.netloc}{back.path}' == CALLBACK
    args = parse_qs(back.query)
    return args['code'][0], args['state'][0]


def round_trip(db, tenant_id: int) -> auth.SignedIn:
    url, pending = oidc.begin(redirect_uri=CALLBACK)
    pending = oidc.unpack(oidc.pack(pending))  # as it comes back from the browser's cookie
    code, state = go_to_provider(url)
    return oidc.finish(db, tenant_id=tenant_id, pending=pending, code=code, state=state, now=now())


def test_the_provider_signs_in_the_account_with_its_verified_email(db, provider: Provider) -> None:
    t = tenant(db)
    url, _ = oidc.begin(redirect_uri=CALLBACK)
    query = parse_qs(urlsplit(url).query)
    assert query['code_challenge_method'] == ['S256'] and query['nonce'] and query['state']
    signed = round_trip(db, t)
    assert signed.customer.first_name == 'Ada'
    assert auth.current_customer(db, tenant_id=t, session_id=signed.session_id, now=NOW).email_verified


def test_a_new_email_gets_a_new_account_when_sign_up_is_open_and_is_refused_otherwise(db, provider) -> None:
    provider.user = {'sub': 'u2', 'email': 'grace@example.com', 'email_verified': True, 'given_name': 'Grace',
                     'family_name': 'Hopper'}
    t = tenant(db)
    signed = round_trip(db, t)
    assert (signed.customer.first_name, signed.customer.last_name, signed.customer.has_password) == (
        'Grace', 'Hopper', False)
    with db.write() as s:
        closed = tenant_db.create_tenant(s, slug='closed', name='Closed', settings=PanelSettings(allow_signup=False))
    with pytest.raises(oidc.OIDCError, match='No account uses this email'):
        round_trip(db, closed)


@pytest.mark.parametrize(('knob', 'value'), [
    ('sign_with', 'other-key'), ('audience', 'someone-else'), ('expires_in', -3600), ('drop_nonce', True),
])
def test_a_forged_misaddressed_expired_or_replayed_id_token_is_refused(db, provider, knob, value) -> None:
    t = tenant(db)
    setattr(provider, knob, RSAKey.generate_key(2048, parameters={'kid': 'k1'}) if value == 'other-key' else value)
    with pytest.raises(oidc.OIDCError, match='did not work'):
        round_trip(db, t)


def test_an_unverified_email_at_the_provider_is_not_trusted(db, provider) -> None:
    provider.user = dict(provider.user, email_verified=False)
    with pytest.raises(oidc.OIDCError, match='did not confirm an email'):
        round_trip(db, tenant(db))


def test_a_wrong_state_a_reused_code_and_a_tampered_cookie_are_refused(db, provider) -> None:
    t = tenant(db)
    url, pending = oidc.begin(redirect_uri=CALLBACK)
    code, state = go_to_provider(url)
    with pytest.raises(oidc.OIDCError):
        oidc.finish(db, tenant_id=t, pending=pending, code=code, state=state + 'x', now=now())
    oidc.finish(db, tenant_id=t, pending=pending, code=code, state=state, now=now())
    with pytest.raises(oidc.OIDCError):  # the provider accepts a code once
        oidc.finish(db, tenant_id=t, pending=pending, code=code, state=state, now=now())
    packed = oidc.pack(pending)
    assert oidc.unpack(packed) == pending
    assert oidc.unpack(packed[:-2] + ('00' if not packed.endswith('00') else '11')) is None
    assert oidc.unpack('garbage') is None
