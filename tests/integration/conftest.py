"""Fixtures the integration tests share: a real SMTP server on loopback, fresh rate limits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services import ratelimit
from services.config import reset_config
from services.context import reset_db
from tests.support.smtp import smtp_configured


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The app sends through a real aiosmtpd server on loopback; the box holds what it received."""
    with smtp_configured(monkeypatch) as box:
        yield box


@pytest.fixture
def fresh_limits() -> Iterator[None]:
    """Sign-in and email limits start empty (and are forgotten afterwards)."""
    ratelimit.reset_limiter()
    yield
    ratelimit.reset_limiter()


@pytest.fixture
def private_outbox(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SMTP: the app's emails land in this test's own outbox, and queued ones are sent before it ends."""
    from services import mail, notify
    from services.config import reset_config

    monkeypatch.setenv('KAIROS_OUTBOX_DIR', str(tmp_path / 'outbox'))
    monkeypatch.delenv('KAIROS_SMTP_HOST', raising=False)
    reset_config()
    mail.forget_queued()  # an earlier test's unsent emails stay in its own database
    yield
    notify.wait_for_notifications()
    reset_config()


@pytest.fixture
def cli(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The kairos command on a fresh copy of the migrated database, business 'salon' by default."""
    path = tmp_path / 'cli.sqlite3'
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv('KAIROS_DATABASE_URL', f'sqlite:///{path}')
    monkeypatch.setenv('KAIROS_DEFAULT_TENANT', 'salon')
    reset_config()
    reset_db()
    yield CliRunner()
    reset_config()
    reset_db()
