"""End-to-end set-up: one real Kairos server with the demo studio for the whole run, and Debian's Chromium.

The server runs as a child process (`kairos demo`, then `kairos serve`) on a free port with its own SQLite file,
outbox and secret, so a journey sees exactly what a person would after `make run`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.fake_stripe import FakeStripe

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage']
ARTIFACTS = Path(__file__).parent / 'artifacts'
START_TIMEOUT = 40.0
ADA_EMAIL = 'ada@example.com'
ADA_PASSWORD = 'kairos-demo'
ADMIN_EMAIL = 'admin@example.com'  # the demo's admin, an owner
ADMIN_PASSWORD = 'kairos-admin'
# Speed is the benchmarks' business (bench/), never a test's: an expectation waits up to 10 s (Playwright's default is
# 5 s) for what a person would see, so two journeys sharing the 2 cores with their servers and browsers do not fail
# a slow moment. Expectations about speed (a slot vanishing within a second) pass their own timeout.
expect.set_options(timeout=10_000)


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    env: dict[str, str]
    tmp: Path
    log: Path

    def kairos(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a `kairos` command against this server's database."""
        return subprocess.run([*_kairos(), *args], env=self.env, capture_output=True, text=True, check=check,
                              timeout=120)


def _kairos() -> list[str]:
    """The `kairos` command of the interpreter running the tests (the venv's, even when it is not on PATH)."""
    script = Path(sys.executable).with_name('kairos')
    return [str(script)] if script.exists() else [sys.executable, '-m', 'ui.cli']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def _child_env(tmp: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    # A child that inherits these thinks it runs under pytest and NiceGUI's test mode breaks start-up.
    for name in ('PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION'):
        env.pop(name, None)
    env.update({
        'KAIROS_DATABASE_URL': f'sqlite:///{tmp / "kairos.sqlite3"}',
        'KAIROS_SECRET': 'e2e-secret-not-for-production',
        'KAIROS_ARGON2_FAST': '1',
        'KAIROS_OUTBOX_DIR': str(tmp / 'outbox'),
        'KAIROS_PUBLIC_URL': f'http://127.0.0.1:{port}',
        'KAIROS_HOST': '127.0.0.1',
        'KAIROS_PORT': str(port),
    })
    for name in ('KAIROS_REDIS_URL', 'KAIROS_MULTI_TENANT', 'KAIROS_SMTP_HOST', 'KAIROS_STRIPE_SECRET_KEY'):
        env.pop(name, None)  # the journeys run against the plain single-business set-up
    return env


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'kairos serve exited with {process.returncode}:\n{log.read_text()}')
        try:
            if httpx.get(url + '/', timeout=2, follow_redirects=False).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f'kairos serve did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()}')


@pytest.fixture(scope='session')
def fake_stripe() -> Iterator[FakeStripe]:
    """Stripe's Checkout on loopback: the server below creates sessions there and gets signed webhooks back."""
    with FakeStripe(webhook_secret='whsec_e2e_not_for_production') as fake:
        yield fake


@pytest.fixture(scope='session')
def server(fake_stripe: FakeStripe) -> Iterator[Server]:
    """A running Kairos with the demo studio loaded, for the whole session."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-e2e-'))
    port = _free_port()
    env = _child_env(tmp, port)
    env.update({'KAIROS_STRIPE_SECRET_KEY': 'sk_test_e2e', 'KAIROS_STRIPE_WEBHOOK_SECRET': fake_stripe.webhook_secret,
                'KAIROS_STRIPE_API_BASE': fake_stripe.url})
    fake_stripe.deliver = f'http://127.0.0.1:{port}/webhooks/stripe'
    server = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
    loaded = server.kairos('demo', check=False)
    if loaded.returncode != 0:
        raise RuntimeError(f'kairos demo failed:\n{loaded.stdout}\n{loaded.stderr}')
    yield from _serve(server, port)


@pytest.fixture(scope='session')
def dark_server(server: Server) -> Iterator[Server]:
    """A second Kairos serving a copy of the demo studio whose business chose the dark theme (started on first use;
    the theme is the business's setting, so it is a second business rather than a switch in one browser)."""
    import sqlite3

    tmp = Path(tempfile.mkdtemp(prefix='kairos-e2e-dark-'))
    port = _free_port()
    env = {**_child_env(tmp, port), **{k: v for k, v in server.env.items() if k.startswith('KAIROS_STRIPE')}}
    dark = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
    source = sqlite3.connect(server.env['KAIROS_DATABASE_URL'].removeprefix('sqlite:///'))
    target = sqlite3.connect(str(tmp / 'kairos.sqlite3'))
    try:
        source.backup(target)  # a consistent copy while the first server keeps writing
    finally:
        source.close()
        target.close()
    dark.kairos('branding', '--dark')
    yield from _serve(dark, port)


def _serve(server: Server, port: int) -> Iterator[Server]:
    """Run `kairos serve` for `server` until the generator is closed; print its log if starting it failed."""
    tmp, env, log = server.tmp, server.env, server.log
    with log.open('wb') as out:
        process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp)
    failed = False
    try:
        _wait_until_up(server.url, process, log)
        yield server
    except BaseException:
        failed = True
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if failed or os.environ.get('KAIROS_E2E_SHOW_LOG'):
            print(f'\n---- kairos serve log ----\n{log.read_text()}', file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Show the server's log under a failing journey: the browser alone rarely says why."""
    outcome = yield
    report = outcome.get_result()
    if report.when == 'call' and report.failed and 'server' in getattr(item, 'fixturenames', ()):
        srv = item.funcargs.get('server')
        if isinstance(srv, Server) and srv.log.exists():
            report.sections.append(('kairos serve log (last 200 lines)',
                                    '\n'.join(srv.log.read_text(errors='replace').splitlines()[-200:])))


@pytest.fixture(scope='session')
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, with the flags that keep it quiet and stable in a container."""
    return {**browser_type_launch_args, 'executable_path': CHROMIUM,
            'args': [*browser_type_launch_args.get('args', []), *CHROMIUM_ARGS]}


@pytest.fixture(scope='session')
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, 'viewport': {'width': 1280, 'height': 800}, 'locale': 'en-GB'}


@pytest.fixture(scope='session')
def artifacts() -> Path:
    """Where journeys put screenshots (e2e/artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def sign_in(page: Page, server: Server, *, email: str = ADA_EMAIL, password: str = ADA_PASSWORD) -> Page:
    """Sign in through the login page as a person would, and wait until the panel replaces it."""
    page.goto(server.url + '/login')
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password', exact=True).fill(password)
    page.get_by_role('button', name='Sign in').click()
    page.wait_for_url(lambda url: '/login' not in url, timeout=15_000)
    return page


@pytest.fixture
def signed_in_page(page: Page, server: Server) -> Page:
    """A browser page signed in as Ada, the demo customer."""
    return sign_in(page, server)


__all__ = ['Server', 'expect', 'sign_in']


def sign_in_admin(page: Page, server: Server, *, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> Page:
    """Sign in at /admin as the business's admin would, and wait until the admin area replaces the sign-in page."""
    page.goto(server.url + '/admin')
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password', exact=True).fill(password)
    page.get_by_role('button', name='Sign in').click()
    page.wait_for_url(lambda url: '/admin/login' not in url and '/auth/finish' not in url, timeout=15_000)
    return page
