"""Email leaves through a real SMTP server when one is configured, and lands in the outbox folder when not."""

from __future__ import annotations

import email
import email.policy
import ssl
from pathlib import Path

import pytest

from services import mail
from services.config import reset_config
from tests.support.smtp import html_of, smtp_server, text_of


def test_a_message_with_html_and_an_attachment_arrives_over_smtp(inbox) -> None:
    mail.send_email(to='ada@example.com', subject='Your booking', text='See you soon.',
                    html='<p>See you <b>soon</b>.</p>',
                    attachments=[('visit.ics', b'BEGIN:VCALENDAR', 'text/calendar')])
    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'Your booking'
    assert msg['X-Envelope-To'] == 'ada@example.com'
    assert text_of(msg).strip() == 'See you soon.'
    assert '<b>soon</b>' in html_of(msg)
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == 'visit.ics'
    assert attachment.get_content_type() == 'text/calendar'
    assert attachment.get_content() in (b'BEGIN:VCALENDAR', 'BEGIN:VCALENDAR')


def test_without_smtp_the_message_is_kept_in_the_outbox_as_an_eml_file(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv('KAIROS_SMTP_HOST', raising=False)
    monkeypatch.setenv('KAIROS_OUTBOX_DIR', str(tmp_path / 'outbox'))
    reset_config()
    try:
        mail.send_email(to='bob@example.com', subject='Hello', text='Plain body')
    finally:
        reset_config()
    [path] = list((tmp_path / 'outbox').glob('*.eml'))
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg['To'] == 'bob@example.com' and msg['Subject'] == 'Hello'
    assert text_of(msg).strip() == 'Plain body'


@pytest.mark.parametrize('name', ['verify', 'reset', 'magic_link', 'welcome', 'email_change', 'password_changed',
                                  'account_exists'])
def test_every_account_template_fills_all_its_placeholders(name: str) -> None:
    values = dict(name='Ada', business='Lumen Studio', link='https://x.test/p?token=abc', minutes='60', hours='1',
                  old_email='old@example.com', when='1 Dec 2026 at 10:00 UTC')
    subject, text, html = mail.render_email(name, **values)
    assert subject and '$' not in subject
    assert '$' not in text and '$' not in (html or '')
    assert 'Lumen Studio' in subject + text
    if name != 'password_changed':
        assert 'https://x.test/p?token=abc' in text and 'https://x.test/p?token=abc' in (html or '')


def test_values_are_escaped_in_html_but_not_in_text() -> None:
    _, text, html = mail.render_email('verify', name='<script>x</script>', business='A & B', link='https://x.test',
                                      hours='48')
    assert '<script>x</script>' in text
    assert '<script>' not in html and '&lt;script&gt;' in html and 'A &amp; B' in html


def test_a_template_in_the_business_folder_replaces_the_built_in_one(monkeypatch, tmp_path: Path) -> None:
    (tmp_path / 'reset.txt').write_text('Subject: New password at $business\n\nHi $name, go to $link\n')
    monkeypatch.setenv('KAIROS_TEMPLATES_DIR', str(tmp_path))
    reset_config()
    try:
        subject, text, html = mail.render_email('reset', name='Ada', business='Lumen', link='L')
        untouched_subject, _, untouched_html = mail.render_email('verify', name='Ada', business='Lumen', link='L',
                                                                 hours='1')
    finally:
        reset_config()
    assert subject == 'New password at Lumen'
    assert text == 'Hi Ada, go to L\n'
    assert html is None  # the business's folder has no HTML for it, and the built-in one would say something else
    assert untouched_subject == 'Confirm your email for Lumen' and untouched_html


def test_an_unknown_or_path_like_template_name_is_refused() -> None:
    with pytest.raises(mail.TemplateMissing):
        mail.render_email('../../etc/passwd')
    with pytest.raises(mail.TemplateMissing):
        mail.render_email('no_such_template')


# ---- the way to the mail server fails closed ------------------------------------------------------------------


@pytest.fixture
def smtp_settings(monkeypatch: pytest.MonkeyPatch):
    """Point Kairos at a given loopback server with the given TLS mode and credentials."""
    def configure(port: int, *, tls: str, ca_file: Path | None = None) -> None:
        monkeypatch.setenv('KAIROS_SMTP_HOST', '127.0.0.1')
        monkeypatch.setenv('KAIROS_SMTP_PORT', str(port))
        monkeypatch.setenv('KAIROS_SMTP_TLS', tls)
        monkeypatch.setenv('KAIROS_SMTP_USER', 'studio')
        monkeypatch.setenv('KAIROS_SMTP_PASSWORD', 'mail-password-123')
        if ca_file is not None:
            monkeypatch.setenv('KAIROS_SMTP_CA_FILE', str(ca_file))
        reset_config()
    yield configure
    reset_config()


def test_starttls_asked_but_not_offered_sends_nothing_and_no_password(smtp_settings, caplog) -> None:
    with smtp_server(auth=True) as (inbox, port):  # a server (or a man in the middle) that hides STARTTLS
        smtp_settings(port, tls='starttls')
        with pytest.raises(mail.MailTransportInsecure):
            mail.send_email(to='ada@example.com', subject='Your reset link', text='secret link')
        assert inbox.logins == []  # AUTH never went out in clear
        assert inbox.received == []
    assert any(r.levelname == 'ERROR' and 'does not offer STARTTLS' in r.getMessage() for r in caplog.records)


def test_the_older_starttls_switch_fails_closed_too(smtp_settings, monkeypatch) -> None:
    with smtp_server(auth=True) as (inbox, port):
        smtp_settings(port, tls='starttls')
        monkeypatch.delenv('KAIROS_SMTP_TLS')
        monkeypatch.setenv('KAIROS_SMTP_STARTTLS', 'true')
        reset_config()
        with pytest.raises(mail.MailTransportInsecure):
            mail.send_email(to='ada@example.com', subject='Hello', text='Plain body')
        assert inbox.logins == [] and inbox.received == []


def test_starttls_offered_carries_the_login_and_the_message(smtp_settings, tmp_path: Path) -> None:
    with smtp_server(tls='starttls', auth=True, cert_dir=tmp_path) as (inbox, port):
        smtp_settings(port, tls='starttls', ca_file=inbox.ca_file)
        mail.send_email(to='ada@example.com', subject='Hello', text='Over TLS')
        assert inbox.logins == [('studio', 'mail-password-123')]
        assert text_of(inbox.received[-1]).strip() == 'Over TLS'


def test_implicit_tls_on_a_port_like_465_delivers(smtp_settings, tmp_path: Path) -> None:
    with smtp_server(tls='implicit', auth=True, cert_dir=tmp_path) as (inbox, port):
        smtp_settings(port, tls='implicit', ca_file=inbox.ca_file)
        mail.send_email(to='ada@example.com', subject='Hello', text='TLS from the first byte')
        assert inbox.logins == [('studio', 'mail-password-123')]
        assert text_of(inbox.received[-1]).strip() == 'TLS from the first byte'


def test_implicit_tls_refuses_a_certificate_it_cannot_trust(smtp_settings, tmp_path: Path) -> None:
    with smtp_server(tls='implicit', auth=True, cert_dir=tmp_path) as (inbox, port):
        smtp_settings(port, tls='implicit')  # no CA file: the throwaway CA is nobody the system trusts
        with pytest.raises(ssl.SSLCertVerificationError):
            mail.send_email(to='ada@example.com', subject='Hello', text='Plain body')
        assert inbox.logins == [] and inbox.received == []
