"""Configuration from the environment (KAIROS_*), read once per runtime (services.runtime)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode, urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = 'dev-secret-change-me'
# Every Redis client we make gives up on a hung or unreachable server instead of holding a request (or a thread of
# the pool) forever. Seconds.
REDIS_TIMEOUTS: dict[str, float] = {'socket_timeout': 2.0, 'socket_connect_timeout': 2.0}
SECRET_MIN_LENGTH = 32


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix='KAIROS_', env_file='.env', extra='ignore')

    database_url: str = Field('sqlite:///var/kairos.sqlite3', description='SQLAlchemy URL of the database')
    secret: str = Field(DEFAULT_SECRET, description='signs sessions, tokens and links; set it in production')
    public_url: str = Field('http://127.0.0.1:8080', description='the address customers reach, used in emails')
    host: str = '127.0.0.1'
    port: int = 8080
    redis_url: str | None = Field(None, description='shared user storage and live updates across instances')
    redis_prefix: str = Field('kairos:', description='prefix of every Redis key and channel Kairos uses, so several '
                              'installs (or test runs) can share one Redis')
    metrics_token: str | None = Field(None, description='bearer token for /metrics; without it only loopback may read')
    log_format: str = Field('text', description="'json' for one JSON object per log line, else plain text")
    stop_timeout: float = Field(20.0, description='seconds a stopping server waits for requests and emails')
    multi_tenant: bool = Field(False, description='resolve the tenant from the request host name')
    default_tenant: str = Field('default', description='slug of the tenant served in single-business mode')
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(True, description='older switch, read only when smtp_tls is unset')
    smtp_tls: Literal['starttls', 'implicit', 'none'] | None = Field(
        None, description='how mail to the SMTP server is protected; unset: starttls (or none when smtp_starttls '
        'is false)')
    smtp_ca_file: Path | None = Field(None, description='CA certificates to trust for the SMTP server (else the '
                                      "system's)")
    mail_from: str = 'Kairos <no-reply@kairos.local>'
    outbox_dir: Path = Field(Path('var/outbox'), description='where emails go when no SMTP server is set')
    mail_retry_seconds: float = Field(30, description='wait before the first retry of an email; doubles each time')
    mail_max_attempts: int = Field(10, description='attempts before an email is marked failed')
    mail_poll_seconds: float = Field(5, description='how often the sender looks for due emails queued elsewhere')
    reminder_poll_seconds: float = Field(60, description='how often the reminder scheduler looks for due reminders')
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = Field(None, description='a Stripe-compatible server, for tests')
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = 'Single sign-on'
    templates_dir: Path | None = Field(None, description='folder of email templates overriding the built-in ones')
    forwarded_allow_ips: str = Field('127.0.0.1', description='proxies whose X-Forwarded-For is trusted (client '
                                     'addresses for rate limits behind a load balancer); comma-separated or *')
    session_idle: timedelta = Field(timedelta(days=7), description='a session unused this long ends (ISO 8601 '
                                    'duration such as P7D or PT30M, or seconds)')
    session_lifetime: timedelta = Field(timedelta(days=30), description='every session ends this long after sign-in, '
                                        'however much it is used')
    unverified_days: int = Field(7, ge=1, description='days after which an unconfirmed sign-up with no appointments '
                                 'is closed, so its email can sign up again')
    argon2_fast: bool = Field(False, description='cheap password hashing, for tests only')
    pseudo_locale: bool = Field(False, description='for tests only: a browser asking for en-XA (Accept-Language) '
                                'gets the pseudo-locale, every translated text wrapped in ⟦ ⟧, so a test can find '
                                'text that skipped the catalogs; never offered in the switcher')

    @property
    def smtp_security(self) -> Literal['starttls', 'implicit', 'none']:
        """The TLS mode in force: KAIROS_SMTP_TLS, else the older KAIROS_SMTP_STARTTLS switch."""
        if self.smtp_tls is not None:
            return self.smtp_tls
        return 'starttls' if self.smtp_starttls else 'none'


def is_loopback(host: str) -> bool:
    """True when `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip('[]').lower()
    if name == 'localhost':
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def secret_problem(secret: str, *, host: str) -> str | None:
    """Why this secret may not serve on `host`: the default or a short secret is for a loopback-only server."""
    if is_loopback(host):
        return None
    if secret == DEFAULT_SECRET:
        return (f'KAIROS_SECRET is the built-in default, and {host} is reachable from other machines: anyone could '
                'forge sessions and links. Set KAIROS_SECRET to a long random value (for example the output of '
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), or listen on 127.0.0.1 only.")
    if len(secret) < SECRET_MIN_LENGTH:
        return (f'KAIROS_SECRET is {len(secret)} characters long; serving on {host} needs at least '
                f'{SECRET_MIN_LENGTH}. Set a long random value, or listen on 127.0.0.1 only.')
    return None


def public_base(host: str | None = None) -> str:
    """The address customers reach, without a trailing slash: in multi-tenant mode on the business's own host name
    (with the scheme, and any port, of KAIROS_PUBLIC_URL)."""
    cfg = get_config()
    base = cfg.public_url.rstrip('/')
    if cfg.multi_tenant and host:
        parts = urlsplit(base)
        base = f'{parts.scheme}://{host}' + (f':{parts.port}' if parts.port else '')
    return base


def public_link(path: str, host: str | None = None, **params: str) -> str:
    """An absolute address on this install (on the tenant's own host name in multi-tenant mode)."""
    return f'{public_base(host)}{path}' + (f'?{urlencode(params)}' if params else '')


def get_config() -> Config:
    """The configuration in force: the runtime's, read from the environment when first asked for."""
    from services import runtime  # the runtime is built from this module's Config

    return runtime.get().config


def reset_config() -> None:
    """Read the environment again when the configuration is next asked for (tests change the environment)."""
    from services import runtime

    runtime.get().forget_config()
