"""Configuration from the environment (KAIROS_*), read once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix='KAIROS_', env_file='.env', extra='ignore')

    database_url: str = Field('sqlite:///var/kairos.sqlite3', description='SQLAlchemy URL of the database')
    secret: str = Field('dev-secret-change-me', description='signs sessions, tokens and links; set it in production')
    public_url: str = Field('http://127.0.0.1:8080', description='the address customers reach, used in emails')
    host: str = '127.0.0.1'
    port: int = 8080
    redis_url: str | None = Field(None, description='shared user storage and live updates across instances')
    multi_tenant: bool = Field(False, description='resolve the tenant from the request host name')
    default_tenant: str = Field('default', description='slug of the tenant served in single-business mode')
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = 'Kairos <no-reply@kairos.local>'
    outbox_dir: Path = Field(Path('var/outbox'), description='where emails go when no SMTP server is set')
    mail_retry_seconds: float = Field(30, description='wait before the first retry of an email; doubles each time')
    mail_max_attempts: int = Field(10, description='attempts before an email is marked failed')
    mail_poll_seconds: float = Field(5, description='how often the sender looks for due emails queued elsewhere')
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
    argon2_fast: bool = Field(False, description='cheap password hashing, for tests only')


@lru_cache(maxsize=1)
def get_config() -> Config:
    return Config()


def reset_config() -> None:
    """Forget the cached configuration (tests change the environment)."""
    get_config.cache_clear()
