"""Email out: SMTP when configured, else an outbox folder of .eml files; templates the business can edit.

`send_email` blocks (SMTP round trips), so services hand their emails to `later`, a small background pool: nobody
waits for the mail server, and no answer takes longer because an email went out (which would tell a visitor whether
an address has an account). `wait_until_sent` lets tests and a clean shut-down wait for the queue.

Templates live in services/templates/ as `<name>.txt` (first line `Subject: ...`, a blank line, then the body) and
an optional `<name>.html`; a folder named by KAIROS_TEMPLATES_DIR overrides them by name.
Placeholders are `$name` or `${name}` (string.Template), so a business editing a template cannot run code.
"""

from __future__ import annotations

import html as html_lib
import logging
import smtplib
import ssl
import string
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from threading import Lock
from typing import Any, ParamSpec, TypeVar

from services import metrics
from services.config import get_config

log = logging.getLogger(__name__)

BUILTIN_TEMPLATES = Path(__file__).parent / 'templates'


P = ParamSpec('P')
T = TypeVar('T')

# One worker: emails leave in the order they were queued (a newer link after an older one, 'rescheduled' after
# 'booked').
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix='kairos-mail')
_pending: set[Future[Any]] = set()
_pending_lock = Lock()


class TemplateMissing(LookupError):
    pass


def later(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """Run `job` (work that ends in sending email) on the mail pool; a failure is logged, never raised at the
    caller, whose change has already happened."""
    future = _pool.submit(job, *args, **kwargs)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_done)
    return future


def wait_until_sent(timeout: float = 30) -> None:
    """Block until everything queued with `later` has run, jobs queued by those jobs included."""
    deadline = time.monotonic() + timeout
    while True:
        with _pending_lock:
            pending = set(_pending)
        left = deadline - time.monotonic()
        if not pending or left <= 0:
            return
        wait(pending, timeout=left)


def queued_count() -> int:
    """How many email jobs wait or run now (the `kairos_emails_queued` metric)."""
    with _pending_lock:
        return len(_pending)


metrics.count_queued_emails(queued_count)


def _done(future: Future[Any]) -> None:
    with _pending_lock:
        _pending.discard(future)
    if not future.cancelled() and future.exception() is not None:
        log.error('a queued email job failed', exc_info=future.exception())


def send_email(*, to: str, subject: str, text: str, html: str | None = None,
               attachments: Sequence[tuple[str, bytes, str]] = ()) -> None:
    """Send one message (attachments are (filename, data, mime type)); without SMTP, keep it in the outbox."""
    cfg = get_config()
    msg = EmailMessage()
    msg['From'] = cfg.mail_from
    msg['To'] = to
    msg['Subject'] = subject
    msg['Date'] = formatdate(localtime=False)
    msg['Message-ID'] = make_msgid(domain='kairos.local')
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype='html')
    for filename, data, mime in attachments:
        maintype, _, subtype = mime.partition('/')
        msg.add_attachment(data, maintype=maintype, subtype=subtype or 'octet-stream', filename=filename)
    try:
        if cfg.smtp_host:
            _send_smtp(msg)
        else:
            _write_outbox(msg, Path(cfg.outbox_dir))
    except Exception:
        metrics.email_failed()
        raise
    metrics.email_sent()


def render_email(name: str, /, **context: object) -> tuple[str, str, str | None]:
    """(subject, text, html or None) of the template `name` filled with `context`; HTML values are escaped."""
    source = _template_dir(name)
    raw = (source / f'{name}.txt').read_text(encoding='utf-8')
    first, _, body = raw.partition('\n')
    if not first.lower().startswith('subject:'):
        raise TemplateMissing(f'{name}.txt must start with a "Subject:" line')
    values = {k: '' if v is None else str(v) for k, v in context.items()}
    subject = string.Template(first.split(':', 1)[1].strip()).safe_substitute(values)
    text = string.Template(body.lstrip('\n')).safe_substitute(values)
    html_path = source / f'{name}.html'
    html = None
    if html_path.exists():
        escaped = {k: html_lib.escape(v, quote=True) for k, v in values.items()}
        html = string.Template(html_path.read_text(encoding='utf-8')).safe_substitute(escaped)
    return subject, text, html


def send_template(name: str, /, *, to: str, **context: object) -> None:
    """Render the template `name` and send it to one address."""
    subject, text, html = render_email(name, **context)
    send_email(to=to, subject=subject, text=text, html=html)


# ---- helpers ---------------------------------------------------------------------------------------------------


def _template_dir(name: str) -> Path:
    if not name.replace('_', '').replace('-', '').isalnum():
        raise TemplateMissing(f'bad template name {name!r}')
    override = get_config().templates_dir
    # A business's own text wins; its HTML comes from the same folder so the two never disagree.
    if override and (Path(override) / f'{name}.txt').exists():
        return Path(override)
    if (BUILTIN_TEMPLATES / f'{name}.txt').exists():
        return BUILTIN_TEMPLATES
    raise TemplateMissing(f'no email template named {name!r}')


class MailTransportInsecure(RuntimeError):
    """The SMTP server cannot give the protection the configuration asks for: nothing is sent."""


def _send_smtp(msg: EmailMessage) -> None:
    """Hand one message to the SMTP server, failing closed: with TLS asked for, no command that carries the
    password or the message goes out before TLS is up."""
    cfg = get_config()
    assert cfg.smtp_host
    mode = cfg.smtp_security
    context = ssl.create_default_context(cafile=str(cfg.smtp_ca_file) if cfg.smtp_ca_file else None)
    smtp: smtplib.SMTP
    if mode == 'implicit':
        smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=30, context=context)
    else:
        smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=30)
    with smtp:
        smtp.ehlo()
        if mode == 'starttls':
            if not smtp.has_extn('starttls'):
                log.error('SMTP server %s:%s does not offer STARTTLS, which KAIROS_SMTP_TLS asks for: nothing was '
                          'sent and no password went out (email to %s)', cfg.smtp_host, cfg.smtp_port, msg['To'])
                raise MailTransportInsecure(f'{cfg.smtp_host}:{cfg.smtp_port} does not offer STARTTLS')
            smtp.starttls(context=context)
            smtp.ehlo()
        if cfg.smtp_user:
            smtp.login(cfg.smtp_user, cfg.smtp_password or '')
        smtp.send_message(msg)


def _write_outbox(msg: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')
    path = folder / f'{stamp}-{uuid.uuid4().hex[:8]}.eml'
    tmp = path.with_suffix('.tmp')
    tmp.write_bytes(msg.as_bytes())
    tmp.replace(path)  # readers never see half a message
    log.info('email to %s kept in the outbox: %s', msg['To'], path)
    return path
