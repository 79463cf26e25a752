"""Email out: every email is a row of the outbox table, written in the transaction of the change that causes it,
then sent by a sender thread on every instance; SMTP when configured, else an outbox folder of .eml files.

Queue an email with `queue` / `queue_template` inside the caller's write transaction (`with db.write() as s:`):
the row holds the whole rendered message with its Message-ID, so it leaves only after the change commits, leaves
even if the process dies first (the next sender to run sends it), and a retry sends the very same message.
`queue_rendered_later` writes the row with its recipient, subject and Message-ID but its body as machine values (the
emails about a changed appointment, services.notify): the sender renders it at its first attempt and keeps what it
rendered on the row, so from then on every attempt sends the same message too.
The sender (`start_sender`, run by `kairos serve`) claims due rows (PostgreSQL: FOR UPDATE SKIP LOCKED, so senders
on several instances never take the same row; SQLite: one sender per process), retries SMTP errors with a doubling
back-off (KAIROS_MAIL_RETRY_SECONDS, KAIROS_MAIL_MAX_ATTEMPTS) and marks each row sent or failed. Delivery is at
least once: a process killed between the SMTP server's answer and the commit sends that one message again, with
the same Message-ID.

`later` still runs work off the request on a small background pool, for emails whose very existence must not slow
the answer (a reset link to an address that may have no account: the lookup, the token and the queueing happen
there). `wait_until_sent` lets tests and a clean shut-down wait until the pool is idle and nothing is due.

What each email says is `services.emails`: every kind defined once, worded through the catalogs in the recipient's
language, which a business's own wording (KAIROS_TEMPLATES_DIR files, later the admin area) may replace.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from threading import Lock
from typing import Any, ParamSpec, TypeVar

from sqlmodel import Session

from domain import model as d
from domain.i18n import SOURCE_LOCALE
from services import email_branding, emails, metrics, runtime
from services.config import get_config
from storage import outbox as store
from storage import tenants as tenant_db
from storage.db import Database, after_commit

log = logging.getLogger(__name__)

RETRY_CAP = timedelta(hours=1)

P = ParamSpec('P')
T = TypeVar('T')

class MailQueue:
    """The process's side of the email queue (one per runtime): the background pool, the outboxes queued to, the
    sender thread and what wakes it."""

    def __init__(self) -> None:
        # One worker: jobs run in the order they were handed over.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix='kairos-mail')
        self.pending: set[Future[Any]] = set()
        self.pending_lock = Lock()
        # Databases with rows queued by this process that may not be sent yet (wait_until_sent drains them).
        self.dirty: dict[str, Database] = {}
        self.dirty_lock = Lock()
        self.wake = threading.Event()  # set after a commit that queued email: the sender need not wait for its poll
        self.sqlite_sender = Lock()  # SQLite: one sender at a time in the process (and SQLite serves one process)
        self.sender: _Sender | None = None

    def close(self) -> None:
        """Stop the sender and let the pool's last jobs finish on their own."""
        stop_sender(mail_queue=self)
        self.pool.shutdown(wait=False)


def _queue() -> MailQueue:
    return runtime.get().mail


TemplateMissing = emails.TemplateMissing
OutboxEmail = store.OutboxEmail  # what the admin's outbox lists (pages never import storage)


# ---- queueing --------------------------------------------------------------------------------------------------


def queue(session: Session, *, tenant_id: int, template: str, to: str, subject: str, text: str,
          html: str | None = None, attachments: Sequence[tuple[str, bytes, str]] = (),
          tenant: d.Tenant | None = None) -> str:
    """Write one rendered email to the outbox in the caller's transaction; returns its Message-ID.

    It is sent after the transaction commits, and never if it rolls back. `template` names what kind of email it is
    (shown in the admin area's outbox list). `tenant`: the business, when the caller read it in this transaction
    already (its branding colours the html), so it is not read again."""
    # The parts, not the MIME text: building an EmailMessage costs milliseconds of CPU, and this runs inside the
    # change's transaction (a booking holds its staff row lock until it commits). The sender builds the message
    # from exactly these parts, with this Message-ID and Date, every time it tries.
    message_id = make_msgid(domain='kairos.local')
    if tenant is None or tenant.id != tenant_id:
        tenant = tenant_db.tenant(session, tenant_id=tenant_id)
    if tenant is not None:
        html = email_branding.brand(html, tenant)
    content = _content(sender=get_config().mail_from, date=formatdate(localtime=False), text=text, html=html,
                       attachments=attachments)
    store.insert(session, tenant_id=tenant_id, template=template, recipient=to, subject=subject,
                 message_id=message_id, content=content, now=datetime.now(UTC))
    db = session.info.get('kairos_db')
    after_commit(session, lambda: _queued(db))
    return message_id


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """An email rendered by the sender from a row's machine values (`queue_rendered_later`)."""

    subject: str
    text: str
    html: str | None
    attachments: tuple[tuple[str, bytes, str], ...]
    tenant: d.Tenant  # its branding colours the html


class NothingToSend(LookupError):
    """What a row's machine values name is gone (its appointment, its reader): the email is given up."""


def queue_rendered_later(session: Session, *, tenant_id: int, template: str, to: str, subject: str,
                         render: dict[str, Any]) -> str:
    """Write one email to the outbox in the caller's transaction as `queue` does, with its recipient, subject,
    Message-ID and Date, but its body as machine values (`render`, JSON: a change of services.notify) that the
    sender renders when it sends it and then keeps on the row, so every attempt sends the same message. For
    emails written where rendering them would cost (a booking renders nothing while it holds its locks)."""
    email = rendered_later(session, tenant_id=tenant_id, template=template, to=to, subject=subject, render=render)
    store.insert_new(session, email)
    return email.message_id


def rendered_later(session: Session, *, tenant_id: int, template: str, to: str, subject: str,
                   render: dict[str, Any]) -> store.NewEmail:
    """The row `queue_rendered_later` writes, for a caller that writes it itself in the same transaction (a booking
    writes it in the statement that inserts the appointment: storage.appointments.insert_booked); the sender is
    woken once the transaction commits."""
    email = store.NewEmail(tenant_id=tenant_id, template=template, recipient=to, subject=subject,
                           message_id=make_msgid(domain='kairos.local'),
                           content={'from': get_config().mail_from, 'date': formatdate(localtime=False),
                                    'render': render}, now=datetime.now(UTC))
    db = session.info.get('kairos_db')
    after_commit(session, lambda: _queued(db))
    return email


def queue_template(session: Session, name: str, /, *, tenant_id: int, to: str, locale: str = SOURCE_LOCALE,
                   attachments: Sequence[tuple[str, bytes, str]] = (), **context: object) -> str:
    """Render the email `name` (services.emails) in the recipient's `locale`, in the business's own wording when it
    saved one, and queue it for one address in the caller's transaction; returns its Message-ID."""
    subject, text, html = emails.render(name, context, locale=locale, overrides=emails.own_wording(
        session, tenant_id=tenant_id, name=name, locale=locale))
    return queue(session, tenant_id=tenant_id, template=name, to=to, subject=subject, text=text, html=html,
                 attachments=attachments)


def later(job: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """Run `job` on the background pool (work whose duration must not show in the answer, such as looking an
    account up before queueing its email); a failure is logged, never raised at the caller."""
    mq = _queue()
    future = mq.pool.submit(job, *args, **kwargs)
    with mq.pending_lock:
        mq.pending.add(future)
    future.add_done_callback(lambda done: _done(mq, done))
    return future


def wait_until_sent(timeout: float = 30) -> None:
    """Block until the background pool is idle and the outboxes this process queued to hold nothing due (rows
    waiting for a retry later are not due)."""
    mq = _queue()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with mq.pending_lock:
            pending = set(mq.pending)
        if pending:
            wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            continue
        if not _drain_dirty(mq):
            return
        time.sleep(0.05)  # another sender holds a due row: wait for it to finish


def outbox_page(db: Database, *, tenant_id: int, status: str | None = None, limit: int = 50,
                offset: int = 0) -> list[store.OutboxEmail]:
    """One page of the business's emails, newest first, optionally of one status ('queued', 'sent', 'failed'):
    template, recipient, subject, attempts, last error, created and sent times (for the admin area)."""
    with db.read() as s:
        return store.emails(s, tenant_id=tenant_id, status=status, limit=limit, offset=offset)


def queued_count() -> int:
    """How many emails wait to be sent (the `kairos_emails_queued` metric): background jobs not yet run, and rows
    still queued in the outbox this instance sends from and those it queued to."""
    mq = _queue()
    with mq.pending_lock:
        count = len(mq.pending)
    with mq.dirty_lock:
        dbs = {db.url: db for db in mq.dirty.values()}
    sender = mq.sender
    if sender is not None:
        dbs.setdefault(sender.db.url, sender.db)
    for db in dbs.values():
        try:
            with db.read() as s:
                count += store.count_queued(s)
        except Exception:  # noqa: BLE001 - a scrape must never fail because the database is briefly away
            log.warning('could not count the outbox of %s', db.url.split('@')[-1], exc_info=True)
    return count


metrics.count_queued_emails(queued_count)


def forget_queued() -> None:
    """Stop tracking the outboxes this process queued to (their rows stay): a test's leftovers must not be sent
    through the next test's mail server by its `wait_until_sent`."""
    mq = _queue()
    with mq.dirty_lock:
        mq.dirty.clear()


# ---- sending ---------------------------------------------------------------------------------------------------


def send_due(db: Database, *, now: datetime | None = None, limit: int = 200,
             stop: threading.Event | None = None) -> int:
    """Send the outbox's due emails (up to `limit`) and mark each sent, to retry or failed; returns how many were
    sent. Safe to run on every instance at once."""
    sent = 0
    if db.is_postgres:
        for _ in range(limit):
            if stop is not None and stop.is_set():
                break
            with db.write() as s:
                row = store.claim_due(s, now=now or datetime.now(UTC))
                if row is None:
                    break
                sent += _send_and_mark(s, row, now=now)  # the row lock is held until this transaction commits
        return sent
    with _queue().sqlite_sender:
        with db.read() as s:
            rows = store.due(s, now=now or datetime.now(UTC), limit=limit)
        for row in rows:
            if stop is not None and stop.is_set():
                break
            ready = row
            error: BaseException | None = None
            try:
                with db.read() as s:
                    ready = _with_message(s, row)
            except Exception as e:  # noqa: BLE001 - recorded on the row and retried or given up, as a send error
                log.warning('email %s (%s to %s) could not be rendered: %s', row.id, row.template, row.recipient, e)
                error = e
            if error is None:
                error = _attempt(ready)
            with db.write() as s:
                _keep_rendered(s, row, ready)
                sent += _mark(s, ready, error=error, now=now)
    return sent


def start_sender(db: Database) -> None:
    """Run the sender for `db` on a thread of this process (kairos serve does, on start-up)."""
    mq = _queue()
    if mq.sender is not None and mq.sender.is_alive():
        return
    mq.sender = _Sender(db, mq.wake)
    mq.sender.start()


def stop_sender(timeout: float = 30, *, mail_queue: MailQueue | None = None) -> None:
    """Let the sender finish the email it is sending, then stop it."""
    mq = mail_queue or _queue()
    sender = mq.sender
    if sender is None:
        return
    sender.stop.set()
    mq.wake.set()
    sender.join(timeout)
    mq.sender = None


def build_message(*, to: str, subject: str, text: str, html: str | None = None,
                  attachments: Sequence[tuple[str, bytes, str]] = (), sender: str | None = None,
                  date: str | None = None, message_id: str | None = None) -> EmailMessage:
    """The whole message (attachments are (filename, data, mime type)); Date and Message-ID are made now unless
    given."""
    msg = EmailMessage()
    msg['From'] = sender or get_config().mail_from
    msg['To'] = to
    msg['Subject'] = subject
    msg['Date'] = date or formatdate(localtime=False)
    msg['Message-ID'] = message_id or make_msgid(domain='kairos.local')
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype='html')
    for filename, data, mime in attachments:
        maintype, _, subtype = mime.partition('/')
        msg.add_attachment(data, maintype=maintype, subtype=subtype or 'octet-stream', filename=filename)
    return msg


def send_email(*, to: str, subject: str, text: str, html: str | None = None,
               attachments: Sequence[tuple[str, bytes, str]] = ()) -> None:
    """Send one message now, bypassing the outbox (attachments are (filename, data, mime type)); without SMTP, keep
    it in the outbox folder. Services queue instead (`queue`), so a crash or an outage loses nothing."""
    deliver(build_message(to=to, subject=subject, text=text, html=html, attachments=attachments))


def deliver(msg: EmailMessage) -> None:
    """Hand one message to the SMTP server, or write it to the outbox folder when no server is set; counts it
    sent or failed (the `kairos_emails_sent_total` / `kairos_emails_failed_total` metrics)."""
    cfg = get_config()
    try:
        if cfg.smtp_host:
            _send_smtp(msg)
        else:
            _write_outbox(msg, Path(cfg.outbox_dir))
    except Exception:
        metrics.email_failed()
        raise
    metrics.email_sent()


def render_email(name: str, /, *, locale: str = SOURCE_LOCALE, **context: object) -> tuple[str, str, str | None]:
    """(subject, text, html) of the email `name` (services.emails) in `locale`, filled with `context`; HTML values
    are escaped."""
    return emails.render(name, context, locale=locale)


def send_template(name: str, /, *, to: str, locale: str = SOURCE_LOCALE, **context: object) -> None:
    """Render the email `name` and send it to one address now (bypassing the outbox)."""
    subject, text, html = render_email(name, locale=locale, **context)
    send_email(to=to, subject=subject, text=text, html=html)


# ---- helpers ---------------------------------------------------------------------------------------------------


class _Sender(threading.Thread):
    def __init__(self, db: Database, wake: threading.Event) -> None:
        super().__init__(name='kairos-mail-sender', daemon=True)
        self.db = db
        self.wake = wake
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.wake.clear()
            try:
                send_due(self.db, stop=self.stop)
            except Exception:  # the database may be briefly away: try again at the next poll
                log.exception('the email sender could not read the outbox')
            self.wake.wait(get_config().mail_poll_seconds)


def _done(mq: MailQueue, future: Future[Any]) -> None:
    with mq.pending_lock:
        mq.pending.discard(future)
    if not future.cancelled() and future.exception() is not None:
        log.error('a background email job failed', exc_info=future.exception())


def _queued(db: Database | None) -> None:
    mq = _queue()
    if db is not None:
        with mq.dirty_lock:
            mq.dirty[db.url] = db
    mq.wake.set()


def _drain_dirty(mq: MailQueue) -> bool:
    """Send what is due in every outbox this process queued to; True while some due row is still held elsewhere."""
    with mq.dirty_lock:
        dbs = list(mq.dirty.values())
    busy = False
    for db in dbs:
        try:
            send_due(db)
            with db.read() as s:
                due = store.count_due(s, now=datetime.now(UTC))
        except Exception:  # a test's database that is gone: nothing more will be sent from it
            log.warning('could not drain the outbox of %s', db.url.split('@')[-1], exc_info=True)
            due = 0
        busy = busy or due > 0
        if due == 0:  # rows waiting for a retry are the sender thread's (kairos serve), not this wait's
            with mq.dirty_lock:
                if mq.dirty.get(db.url) is db:
                    del mq.dirty[db.url]
    return busy


def _send_and_mark(s: Session, row: store.OutboxEmail, *, now: datetime | None) -> int:
    try:
        ready = _with_message(s, row)
    except Exception as e:  # noqa: BLE001 - recorded on the row and retried or given up, as a send error
        log.warning('email %s (%s to %s) could not be rendered: %s', row.id, row.template, row.recipient, e)
        return _mark(s, row, error=e, now=now)
    _keep_rendered(s, row, ready)
    return _mark(s, ready, error=_attempt(ready), now=now)


def _with_message(s: Session, row: store.OutboxEmail) -> store.OutboxEmail:
    """The row with its whole message: one queued with machine values (`queue_rendered_later`) rendered now, in
    `s`, from what the database holds (NothingToSend when what it names is gone)."""
    values = row.content.get('render')
    if values is None:
        return row
    from services import notify  # the renderer of the change emails (it queues through this module)

    found = notify.render_queued(s, tenant_id=row.tenant_id, values=values)
    if found is None:
        raise NothingToSend(f'appointment {values.get("appointment_id")} or its {values.get("to")} is gone')
    content = _content(sender=row.content['from'], date=row.content['date'], text=found.text,
                       html=email_branding.brand(found.html, found.tenant), attachments=found.attachments)
    return replace(row, subject=found.subject, content=content)


def _keep_rendered(s: Session, row: store.OutboxEmail, ready: store.OutboxEmail) -> None:
    """Keep what was rendered for `row` on it (with the attempt's mark), so a retry sends the same message."""
    if ready is not row:
        store.set_message(s, email_id=row.id, subject=ready.subject, content=ready.content)


def _content(*, sender: str, date: str, text: str, html: str | None,
             attachments: Sequence[tuple[str, bytes, str]]) -> dict[str, Any]:
    return {'from': sender, 'date': date, 'text': text, 'html': html,
            'attachments': [[name, base64.b64encode(data).decode('ascii'), mime] for name, data, mime in attachments]}


def message_of(row: store.OutboxEmail) -> EmailMessage:
    """The message an outbox row holds, the same at every attempt (a row queued with machine values once the
    sender rendered it)."""
    c = row.content
    return build_message(to=row.recipient, subject=row.subject, text=c['text'], html=c.get('html'),
                         attachments=[(name, base64.b64decode(data), mime) for name, data, mime in c['attachments']],
                         sender=c['from'], date=c['date'], message_id=row.message_id)


def _attempt(row: store.OutboxEmail) -> BaseException | None:
    try:
        deliver(message_of(row))
    except Exception as e:  # noqa: BLE001 - every failure is recorded on the row and retried or given up
        log.warning('email %s (%s to %s) not sent: %s', row.id, row.template, row.recipient, e)
        return e
    return None


def _mark(s: Session, row: store.OutboxEmail, *, error: BaseException | None, now: datetime | None) -> int:
    at = now or datetime.now(UTC)
    if error is None:
        store.mark_sent(s, email_id=row.id, now=at)
        return 1
    cfg = get_config()
    attempts = row.attempts + 1
    give_up = attempts >= cfg.mail_max_attempts or _permanent(error)
    retry_at = None if give_up else at + retry_delay(attempts)
    store.mark_attempt_failed(s, email_id=row.id, error=f'{type(error).__name__}: {error}', retry_at=retry_at)
    if give_up:
        log.error('email %s (%s to %s) failed for good after %d attempts', row.id, row.template, row.recipient,
                  attempts)
    return 0


def retry_delay(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: KAIROS_MAIL_RETRY_SECONDS, doubled each time, at most an hour."""
    base = timedelta(seconds=get_config().mail_retry_seconds)
    delay: timedelta = base * (2 ** (attempts - 1))
    return min(delay, RETRY_CAP)


def _permanent(error: BaseException) -> bool:
    """The SMTP server refused for good (5xx): retrying would only repeat the refusal."""
    if isinstance(error, NothingToSend):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600 \
        and not isinstance(error, smtplib.SMTPServerDisconnected)


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
