"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests of outgoing email."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    # aiosmtpd's Controller cannot bind port 0 itself (it probes the port it was given): pick one first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    received: list[EmailMessage] = field(default_factory=list)
    gate: threading.Event | None = None  # while set to an unset event, the server holds each message back
    refuse_next: int = 0  # how many next messages the server refuses with a temporary error (451)
    attempts: list[float] = field(default_factory=list)  # time.monotonic() of every message offered, refused or not
    logins: list[tuple[str, str]] = field(default_factory=list)  # (user, password) of every AUTH the server got
    ca_file: Path | None = None  # the CA that signed the server's certificate, when it speaks TLS

    @contextmanager
    def holding(self) -> Iterator[None]:
        """A slow mail server: nothing is accepted until the block ends."""
        self.gate = threading.Event()
        try:
            yield
        finally:
            self.gate.set()

    @property
    def messages(self) -> list[EmailMessage]:
        """What arrived, once the app's mail queue has handed over everything queued so far (so 'nothing arrived'
        means nothing was sent, not 'not yet')."""
        from services import mail

        mail.wait_until_sent()
        return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m['To']).lower()]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f'no email to {address}; got {[str(m["To"]) for m in self.messages]}'
        return found[-1]


@dataclass
class _Handler:
    """aiosmtpd's handler (kept apart from Inbox: aiosmtpd reads every attribute of its handler, properties too)."""

    inbox: Inbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        if self.inbox.gate is not None:
            await asyncio.to_thread(self.inbox.gate.wait, 30)
        self.inbox.attempts.append(time.monotonic())
        if self.inbox.refuse_next > 0:
            self.inbox.refuse_next -= 1
            return '451 4.3.0 Mailbox busy, try again later'
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        msg['X-Envelope-To'] = ', '.join(envelope.rcpt_tos)
        self.inbox.received.append(msg)
        return '250 Message accepted for delivery'


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=('plain',))
    assert part is not None
    return part.get_content()


def html_of(msg: EmailMessage) -> str | None:
    part = msg.get_body(preferencelist=('html',))
    return part.get_content() if part is not None else None


def link_in(msg: EmailMessage, path: str) -> str:
    """The first link to `path` in the plain-text body of an email."""
    match = re.search(rf'https?://\S+{re.escape(path)}\?token=[\w\-]+', text_of(msg))
    assert match, f'no {path} link in: {text_of(msg)}'
    return match.group(0)


def token_in(msg: EmailMessage, path: str) -> str:
    return link_in(msg, path).split('token=', 1)[1]


@contextmanager
def smtp_server(port: int | None = None, *, tls: Literal['none', 'starttls', 'implicit'] = 'none',
                auth: bool = False, cert_dir: Path | None = None) -> Iterator[tuple[Inbox, int]]:
    """A loopback SMTP server: plain, offering STARTTLS, or speaking TLS from the first byte (implicit, as on port
    465), with a certificate for 127.0.0.1 from a throwaway CA written to `cert_dir` (the inbox's ca_file). With
    `auth` it accepts any AUTH, even in clear, and keeps what it was sent (so a test sees a password that leaked).
    `port` reopens a server where an earlier one listened (a restart)."""
    inbox = Inbox()
    port = port or free_port()
    kwargs: dict[str, object] = {}
    if tls != 'none':
        assert cert_dir is not None, 'a TLS server needs a folder for its CA file'
        ca = trustme.CA()
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert('127.0.0.1', 'localhost').configure_cert(server_ctx)
        inbox.ca_file = cert_dir / 'smtp-ca.pem'
        ca.cert_pem.write_to_path(str(inbox.ca_file))
        kwargs['ssl_context' if tls == 'implicit' else 'tls_context'] = server_ctx
    if auth:
        def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
            inbox.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return AuthResult(success=True)

        kwargs.update(authenticator=authenticator, auth_require_tls=False)
    controller = Controller(_Handler(inbox), hostname='127.0.0.1', port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def smtp_configured(monkeypatch) -> Iterator[Inbox]:
    """Point Kairos at a fresh loopback SMTP server for one test; yields its inbox."""
    from services import mail
    from services.config import reset_config

    mail.forget_queued()  # what earlier tests left queued must not leave through this server
    with smtp_server() as (inbox, port):
        monkeypatch.setenv('KAIROS_SMTP_HOST', '127.0.0.1')
        monkeypatch.setenv('KAIROS_SMTP_PORT', str(port))
        monkeypatch.setenv('KAIROS_SMTP_STARTTLS', '0')
        monkeypatch.delenv('KAIROS_SMTP_USER', raising=False)
        reset_config()
        try:
            yield inbox
        finally:
            mail.wait_until_sent()  # nothing this test queued may reach the next test's server
            monkeypatch.delenv('KAIROS_SMTP_HOST')
            reset_config()
