"""A small OpenID Connect provider on loopback for tests: discovery, authorize, token (with PKCE), JWKS.

`authorize` approves at once as `provider.user` and redirects back with a code; `token` checks the client's secret,
the code, the redirect address and the PKCE verifier, and returns an RS256-signed id_token carrying the nonce.
Knobs let a test make it misbehave (another signing key, another audience, an expired token, a missing nonce).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Provider:
    client_id: str = 'kairos-test'
    client_secret: str = 'provider-secret'
    user: dict[str, Any] = field(default_factory=lambda: {
        'sub': 'user-1', 'email': 'ada@example.com', 'email_verified': True, 'given_name': 'Ada',
        'family_name': 'Lovelace'})
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={'kid': 'k1'}))
    # misbehaviour knobs
    sign_with: RSAKey | None = None
    audience: str | None = None
    expires_in: int = 300
    drop_nonce: bool = False
    url: str = ''
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: int = 0

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {'iss': self.url, 'aud': self.audience or self.client_id, 'iat': now, 'exp': now + self.expires_in,
                  **self.user}
        if not self.drop_nonce and grant.get('nonce'):
            claims['nonce'] = grant['nonce']
        key = self.sign_with or self.key
        return jwt.encode({'alg': 'RS256', 'kid': key.kid or 'k1'}, claims, key)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path == '/.well-known/openid-configuration':
                self._json({'issuer': provider.url, 'authorization_endpoint': f'{provider.url}/authorize',
                            'token_endpoint': f'{provider.url}/token', 'jwks_uri': f'{provider.url}/jwks',
                            'response_types_supported': ['code'], 'subject_types_supported': ['public'],
                            'id_token_signing_alg_values_supported': ['RS256'],
                            'code_challenge_methods_supported': ['S256']})
            elif parts.path == '/jwks':
                self._json({'keys': [provider.key.as_dict(private=False)]})
            elif parts.path == '/authorize':
                args = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if args.get('client_id') != provider.client_id or args.get('response_type') != 'code' \
                        or args.get('code_challenge_method') != 'S256' or 'openid' not in args.get('scope', ''):
                    self._json({'error': 'invalid_request'}, 400)
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = args
                target = args['redirect_uri'] + '?' + urlencode({'code': code, 'state': args.get('state', '')})
                self.send_response(302)
                self.send_header('Location', target)
                self.end_headers()
            else:
                self._json({'error': 'not_found'}, 404)

        def do_POST(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != '/token':
                self._json({'error': 'not_found'}, 404)
                return
            length = int(self.headers.get('Content-Length') or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            provider.token_requests += 1
            client_id, client_secret = form.get('client_id'), form.get('client_secret')
            basic = self.headers.get('Authorization', '')
            if basic.startswith('Basic '):
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(':')
            if (client_id, client_secret) != (provider.client_id, provider.client_secret):
                self._json({'error': 'invalid_client'}, 401)
                return
            grant = provider.codes.pop(form.get('code', ''), None)  # a code works once
            if grant is None or form.get('grant_type') != 'authorization_code' \
                    or form.get('redirect_uri') != grant['redirect_uri']:
                self._json({'error': 'invalid_grant'}, 400)
                return
            verifier = form.get('code_verifier', '')
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b'=').decode()
            if challenge != grant.get('code_challenge'):
                self._json({'error': 'invalid_grant', 'error_description': 'PKCE'}, 400)
                return
            self._json({'access_token': secrets.token_urlsafe(16), 'token_type': 'Bearer', 'expires_in': 300,
                        'id_token': provider.id_token(grant), 'scope': 'openid email profile'})

    return Handler


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    provider = Provider()
    server = ThreadingHTTPServer(('127.0.0.1', 0), _handler(provider))
    provider.url = f'http://127.0.0.1:{server.server_address[1]}'
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
