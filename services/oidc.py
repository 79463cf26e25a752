"""Sign-in with an OpenID Connect provider (authorization code flow with PKCE), when KAIROS_OIDC_* are set.

authlib builds the authorization request and exchanges the code; joserfc checks the id_token's RS256 signature
against the provider's published keys and then every claim we rely on (issuer, audience, expiry, nonce), since
`jwt.decode` checks none of them by itself. The account is matched by the provider's verified email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime

import httpx
import sqlalchemy.exc
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from domain import model as d
from domain.i18n import lazy
from services import auth, runtime
from services.accounts import AccountError, prove_email
from services.auth import SignedIn
from services.config import get_config
from storage import customers as customer_db
from storage import tenants as tenant_db
from storage.db import Database

with warnings.catch_warnings():  # authlib announces a future move of its httpx client; the API is unchanged
    import authlib.deprecate  # noqa: F401  # imported first: it turns its own warnings on ("always") when imported
    warnings.simplefilter('ignore')
    from authlib.integrations.httpx_client import OAuth2Client

PENDING_MAX_AGE = 600  # seconds a visitor has to come back from the provider
FAILED = lazy('Signing in with your provider did not work. Please try again.')


class OIDCError(AccountError):
    pass


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True, slots=True)
class Pending:
    """What we must remember between sending the visitor away and their return."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    issued: float


def enabled() -> bool:
    cfg = get_config()
    return bool(cfg.oidc_issuer and cfg.oidc_client_id)


def provider_name() -> str:
    return get_config().oidc_name


class Discovery:
    """Providers' endpoints as their discovery documents gave them, for an hour (one cache per runtime)."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[float, ProviderInfo]] = {}
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.found.clear()


def discover() -> ProviderInfo:
    """The provider's endpoints from its discovery document (cached for an hour)."""
    cfg = get_config()
    cache = runtime.get().oidc
    issuer = (cfg.oidc_issuer or '').rstrip('/')
    with cache.lock:
        hit = cache.found.get(issuer)
        if hit and hit[0] > time.monotonic():
            return hit[1]
    response = httpx.get(f'{issuer}/.well-known/openid-configuration', timeout=10)
    response.raise_for_status()
    doc = response.json()
    if doc.get('issuer', '').rstrip('/') != issuer:
        raise OIDCError(FAILED)
    info = ProviderInfo(doc['issuer'], doc['authorization_endpoint'], doc['token_endpoint'], doc['jwks_uri'])
    with cache.lock:
        cache.found[issuer] = (time.monotonic() + 3600, info)
    return info


def forget_discovery() -> None:
    runtime.get().oidc.clear()


def begin(*, redirect_uri: str) -> tuple[str, Pending]:
    """The provider's authorization address to send the visitor to, and what to remember until they return."""
    cfg = get_config()
    info = discover()
    pending = Pending(state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24),
                      code_verifier=secrets.token_urlsafe(48), redirect_uri=redirect_uri, issued=time.time())
    with _client(redirect_uri) as client:
        url, _ = client.create_authorization_url(info.authorization_endpoint, state=pending.state,
                                                 code_verifier=pending.code_verifier, nonce=pending.nonce)
    assert cfg.oidc_client_id
    return url, pending


def finish(db: Database, *, tenant_id: int, pending: Pending, code: str, state: str, now: datetime) -> SignedIn:
    """Exchange the code, check the id_token, and open a session for the account with the provider's email."""
    if not code or not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise OIDCError(FAILED)
    if time.time() - pending.issued > PENDING_MAX_AGE:
        raise OIDCError(lazy('That took too long. Please try again.'))
    info = discover()
    try:
        with _client(pending.redirect_uri) as client:
            token = client.fetch_token(info.token_endpoint, code=code, code_verifier=pending.code_verifier,
                                       grant_type='authorization_code')
    except Exception as e:  # the provider refused the code or could not be reached
        raise OIDCError(FAILED) from e
    claims = verify_id_token(str(token.get('id_token', '')), nonce=pending.nonce, info=info, now=now)
    email = str(claims.get('email') or '')
    if not email or claims.get('email_verified') is not True:
        raise OIDCError(lazy('Your provider did not confirm an email address for you, so we cannot sign you in '
                             'with it.'))
    customer = _account_for(db, tenant_id=tenant_id, email=email, claims=claims, now=now)
    return SignedIn(auth.open_session(db, tenant_id=tenant_id, customer_id=customer.id, now=now), customer)


def verify_id_token(id_token: str, *, nonce: str, info: ProviderInfo, now: datetime) -> dict[str, object]:
    """The id_token's claims when its signature and every claim we rely on hold; OIDCError otherwise."""
    client_id = get_config().oidc_client_id
    if not client_id:
        raise OIDCError(FAILED)
    try:
        keys = KeySet.import_key_set(httpx.get(info.jwks_uri, timeout=10).raise_for_status().json())
        decoded = jwt.decode(id_token, keys, algorithms=['RS256'])
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()), leeway=60,
            iss={'essential': True, 'value': info.issuer}, aud={'essential': True, 'value': client_id},
            exp={'essential': True}, sub={'essential': True}, nonce={'essential': True, 'value': nonce},
        )
        registry.validate(decoded.claims)
    except (JoseError, ValueError, KeyError, httpx.HTTPError) as e:
        raise OIDCError(FAILED) from e
    return dict(decoded.claims)


# ---- remembering the pending sign-in in the visitor's browser (signed, so it cannot be forged) -----------------


def pack(pending: Pending) -> str:
    body = base64.urlsafe_b64encode(json.dumps(asdict(pending)).encode()).decode()
    return f'{body}.{_sign(body)}'


def unpack(value: str | None) -> Pending | None:
    if not value or '.' not in value:
        return None
    body, signature = value.rsplit('.', 1)
    if not hmac.compare_digest(signature, _sign(body)):
        return None
    try:
        return Pending(**json.loads(base64.urlsafe_b64decode(body.encode())))
    except (ValueError, TypeError):
        return None


def _sign(body: str) -> str:
    key = get_config().secret.encode()
    return hmac.new(key, b'oidc-pending:' + body.encode(), hashlib.sha256).hexdigest()


# ---- helpers ---------------------------------------------------------------------------------------------------


def _client(redirect_uri: str) -> OAuth2Client:
    cfg = get_config()
    return OAuth2Client(client_id=cfg.oidc_client_id, client_secret=cfg.oidc_client_secret,
                        scope='openid email profile', redirect_uri=redirect_uri, code_challenge_method='S256',
                        timeout=10)


def _account_for(db: Database, *, tenant_id: int, email: str, claims: dict[str, object], now: datetime) -> d.Customer:
    with db.read() as s:
        existing = customer_db.active_customer_by_email(s, tenant_id=tenant_id, email=email)
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
    if existing is not None:
        if not existing.email_verified:  # the provider vouches for the address: a proof like a magic link
            prove_email(db, tenant_id=tenant_id, customer_id=existing.id, now=now)
            with db.read() as s:
                existing = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=existing.id) or existing
        return existing
    if not settings.allow_signup:
        raise OIDCError(lazy('No account uses this email address. Ask the business to create one for you.'))
    try:
        with db.write() as s:
            return customer_db.insert_customer(s, tenant_id=tenant_id, email=email,
                                               first_name=str(claims.get('given_name') or '')[:80],
                                               last_name=str(claims.get('family_name') or '')[:80], phone='',
                                               password_hash=None, verified_at=now, now=now)
    except sqlalchemy.exc.IntegrityError:
        with db.read() as s:
            found = customer_db.active_customer_by_email(s, tenant_id=tenant_id, email=email)
        if found is None:
            raise
        return found
