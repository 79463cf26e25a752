"""A clean stop loses nothing: SIGTERM while an email is on its way to a slow mail server lets it arrive, then the
process exits 0 (what systemd's `systemctl stop` / `restart` sends; see deploy/kairos@.service)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, expect

from e2e.cluster import wait_until_ready
from e2e.conftest import ADA_EMAIL, Server, _child_env, _free_port, _kairos
from tests.support.smtp import free_port

SMTP_DELAY = 3.0  # seconds the mail server takes to accept a message


@dataclass
class SlowMailServer:
    """aiosmtpd that takes its time over every message and says when one starts arriving."""

    received: list[EmailMessage] = field(default_factory=list)
    receiving: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.receiving.set()
        await asyncio.sleep(SMTP_DELAY)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(msg)
        return '250 Message accepted for delivery'


@pytest.fixture
def slow_smtp() -> Iterator[tuple[SlowMailServer, int]]:
    handler = SlowMailServer()
    port = free_port()
    controller = Controller(handler, hostname='127.0.0.1', port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_sigterm_lets_the_email_in_progress_arrive_then_exits_0(browser: Browser,
                                                                slow_smtp: tuple[SlowMailServer, int]) -> None:
    mailbox, smtp_port = slow_smtp
    tmp = Path(tempfile.mkdtemp(prefix='kairos-stop-'))
    port = _free_port()
    env = _child_env(tmp, port)
    env.update({'KAIROS_SMTP_HOST': '127.0.0.1', 'KAIROS_SMTP_PORT': str(smtp_port), 'KAIROS_SMTP_STARTTLS': '0',
                'KAIROS_STOP_TIMEOUT': '15'})
    server = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
    server.kairos('demo')
    with server.log.open('wb') as out:
        process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp)
    try:
        wait_until_ready(server.url, process, server.log)
        page = browser.new_page()
        page.goto(server.url + '/forgot')
        page.get_by_label('Email').fill(ADA_EMAIL)
        page.get_by_role('button', name='Email me a link').click()
        expect(page.get_by_text('If that email belongs to an account, a link is on its way.')).to_be_visible()
        assert mailbox.receiving.wait(30), 'the reset email never reached the mail server'
        assert mailbox.received == []  # still on its way

        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=40)
        took = time.monotonic() - stopped_at
        print(f'stopped {took:.1f} s after SIGTERM, exit status {code}')
        assert code == 0, server.log.read_text()
        assert [str(m['To']) for m in mailbox.received] == [ADA_EMAIL]  # the reset link arrived
        assert 'reset' in mailbox.received[0].get_body(preferencelist=('plain',)).get_content()
        page.context.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(tmp, ignore_errors=True)
