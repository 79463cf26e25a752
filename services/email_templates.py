"""The business's emails, as its admins manage them: their own wording per kind of email and language (checked when
saved, previewed with sample data, sent as a test to the admin's own address) and the outbox of what was sent,
queued and failed, with resend.

The mailer uses a saved wording in place of Kairos's for that kind and language (services.emails.own_wording, the
`overrides` layer of services.emails.render).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlmodel import Session

from domain import emails as de
from domain.i18n import SHIPPED_LOCALES, Text, lazy
from services import audit, emails, mail
from storage import admins as admin_db
from storage import email_templates as store
from storage import outbox as outbox_db
from storage import tenants as tenant_db
from storage.db import Database

OUTBOX_PAGE = 25

# What a preview and a test email fill each placeholder with (anything else shows as its own name in brackets).
SAMPLES: dict[str, str] = {
    'name': 'Ada', 'customer': 'Ada Lovelace', 'business': 'Lumen Studio', 'service': 'Haircut',
    'staff': 'Mia Wong', 'when': 'Tue 24 Nov 2026, 10:00–10:45 (Europe/Berlin)',
    'previous_when': 'Mon 23 Nov 2026, 15:00–15:45 (Europe/Berlin)', 'place': 'Main Street 1',
    'status': 'Approved', 'previous_status': 'Pending', 'reason': 'Running late',
    'reason_line': 'Reason given: Running late\n', 'calendar_line': 'The updated calendar entry is attached.',
    'link': 'https://example.com/', 'minutes': '30', 'hours': '24', 'amount': '€45.00', 'item': 'Haircut',
    'method': 'Card', 'number': 'R-2026-0042', 'old_email': 'ada@old.example.com',
    'new_email': 'ada@new.example.com',
}


class TemplateRefused(Exception):
    """The template cannot be saved or sent: `problems` says why, per field of the form."""

    def __init__(self, problems: dict[str, Text]) -> None:
        super().__init__('; '.join(f'{k}: {v}' for k, v in problems.items()))
        self.problems = problems


class OutboxRefused(Exception):
    def __init__(self, reason: Text) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EmailKind:
    kind: str
    name: str  # marked for translation (domain.emails.KIND_NAMES): the page shows it in the admin's language
    placeholders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Editable:
    """What the editor starts from: the business's wording when it has one (`own`), else Kairos's."""

    template: de.EmailTemplate
    own: bool
    placeholders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutboxPage:
    emails: list[outbox_db.OutboxEmail]
    counts: dict[str, int]


# ---- templates ----------------------------------------------------------------------------------------------------


@cache
def kinds() -> tuple[EmailKind, ...]:
    """Every kind of email a business may word its own way, with the placeholders Kairos fills for it."""
    return tuple(EmailKind(name, title, emails.kind(name).placeholders) for name, title in de.KIND_NAMES.items())


def default_wording(kind_name: str, locale: str) -> tuple[str, str, str | None]:
    """Kairos's own wording of the kind in `locale`, from the catalogs, with `$name` where each value goes: what a
    business starts editing from."""
    found = emails.kind(kind_name)
    return emails.render(kind_name, {n: f'${n}' for n in found.placeholders}, locale=locale)


def kind(name: str) -> EmailKind:
    found = next((k for k in kinds() if k.kind == name), None)
    if found is None:
        raise TemplateRefused({'kind': lazy('Kairos sends no email of the kind %(kind)s.', kind=name)})
    return found


def customised(db: Database, *, tenant_id: int, admin_id: int | None = None) -> set[tuple[str, str]]:
    """The (kind, language) pairs the business has its own wording for."""
    del admin_id  # the reader, checked by the caller (the admin shell's act), like every read below
    with db.read() as s:
        return store.customised(s, tenant_id=tenant_id)


def editable(db: Database, *, tenant_id: int, kind_name: str, locale: str, admin_id: int | None = None) -> Editable:
    """The business's wording of this kind in this language, else Kairos's, with the placeholders it may use."""
    del admin_id
    found = kind(kind_name)
    _check_locale(locale)
    with db.read() as s:
        own = store.template(s, tenant_id=tenant_id, kind=kind_name, locale=locale)
    if own is not None:
        return Editable(own, True, found.placeholders)
    subject, text, html = default_wording(kind_name, locale)
    return Editable(de.EmailTemplate(kind=kind_name, locale=locale, subject=subject, text=text, html=html), False,
                    found.placeholders)


def save_template(db: Database, *, tenant_id: int, admin_id: int | None, template: de.EmailTemplate,
                  now: datetime) -> de.EmailTemplate:
    """Check and save the business's wording; from the next email of that kind and language on, it is used."""
    template = _checked(template)
    with db.write() as s:
        before = store.template(s, tenant_id=tenant_id, kind=template.kind, locale=template.locale)
        store.save(s, tenant_id=tenant_id, template=template, now=now)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='email_template.update',
               target=f'{template.kind}/{template.locale}', before=_as_data(before), after=_as_data(template), now=now)
    return template


def reset_template(db: Database, *, tenant_id: int, admin_id: int | None, kind_name: str, locale: str,
                   now: datetime) -> None:
    """Back to Kairos's wording for this kind and language."""
    kind(kind_name)
    with db.write() as s:
        before = store.template(s, tenant_id=tenant_id, kind=kind_name, locale=locale)
        if store.delete(s, tenant_id=tenant_id, kind=kind_name, locale=locale):
            _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='email_template.reset',
                   target=f'{kind_name}/{locale}', before=_as_data(before), after=None, now=now)


def preview(template: de.EmailTemplate, *, business: str | None = None) -> tuple[str, str, str | None]:
    """The email as a recipient would read it, with sample data (saved or not; unknown placeholders stay as typed)."""
    values = {**SAMPLES, **({'business': business} if business else {})}
    names = kind(template.kind).placeholders
    own = emails.EmailOverride(subject=template.subject, text=template.text, html=template.html)
    return emails.render(template.kind, {n: values.get(n, f'[{n}]') for n in names}, locale=template.locale,
                         overrides={(template.kind, template.locale): own})


def send_test(db: Database, *, tenant_id: int, admin_id: int, template: de.EmailTemplate, now: datetime) -> str:
    """Queue the (checked) template with sample data to the signed-in admin's own address, and to no one else;
    returns the address."""
    template = _checked(template)
    with db.write() as s:
        admin = admin_db.active_admin(s, tenant_id=tenant_id, admin_id=admin_id)
        if admin is None:
            raise TemplateRefused({'kind': lazy('Sign in again to send a test.')})
        address = admin.email
        business = tenant_db.tenant_name(s, tenant_id=tenant_id)
        subject, text, html = preview(template, business=business)
        mail.queue(s, tenant_id=tenant_id, template=template.kind, to=address, subject=f'[Test] {subject}',
                   text=text, html=html)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='email.test',
               target=f'{template.kind}/{template.locale}', before=None, after={'to': address}, now=now)
    return address


# ---- the outbox ---------------------------------------------------------------------------------------------------


def outbox(db: Database, *, tenant_id: int, status: str | None = None, page: int = 1,
           admin_id: int | None = None) -> OutboxPage:
    """One page of the business's emails, newest first, optionally of one status, with the count of each status."""
    del admin_id
    if status not in (None, outbox_db.QUEUED, outbox_db.SENT, outbox_db.FAILED):
        status = None
    with db.read() as s:
        return OutboxPage(outbox_db.emails(s, tenant_id=tenant_id, status=status, limit=OUTBOX_PAGE,
                                           offset=(max(page, 1) - 1) * OUTBOX_PAGE),
                          outbox_db.counts(s, tenant_id=tenant_id))


def resend(db: Database, *, tenant_id: int, admin_id: int | None, email_id: int, now: datetime) -> None:
    """A failed email tries again from its first attempt; a sent one goes out once more as a new message (same
    words, a new Message-ID). One still queued is on its way already."""
    with db.write() as s:
        found = outbox_db.email(s, tenant_id=tenant_id, email_id=email_id)
        if found is None:
            raise OutboxRefused(lazy('That email is not in your outbox.'))
        if found.status == outbox_db.QUEUED:
            raise OutboxRefused(lazy('That email is queued already: it goes out shortly.'))
        if found.status == outbox_db.FAILED:
            outbox_db.requeue(s, tenant_id=tenant_id, email_id=email_id, now=now)
        else:
            c = found.content
            mail.queue(s, tenant_id=tenant_id, template=found.template, to=found.recipient, subject=found.subject,
                       text=c['text'], html=c.get('html'),
                       attachments=[(n, base64.b64decode(data), mime) for n, data, mime in c.get('attachments', [])])
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='email.resend', target=str(email_id),
               before={'id': email_id, 'status': found.status}, after={'to': found.recipient}, now=now)


# ---- helpers ------------------------------------------------------------------------------------------------------


def _checked(template: de.EmailTemplate) -> de.EmailTemplate:
    html = template.html if template.html and template.html.strip() else None
    cleaned = de.EmailTemplate(kind=template.kind, locale=template.locale, subject=template.subject.strip(),
                               text=template.text.replace('\r\n', '\n'), html=html)
    known = {k.kind: k for k in kinds()}
    allowed = known[cleaned.kind].placeholders if cleaned.kind in known else ()
    problems = de.template_problems(cleaned, kinds=known, placeholders=allowed)
    if problems:
        raise TemplateRefused(problems)
    return cleaned


def _check_locale(locale: str) -> None:
    if locale not in SHIPPED_LOCALES:
        raise TemplateRefused({'locale': lazy('Kairos does not speak %(locale)s.', locale=locale)})


def _as_data(template: de.EmailTemplate | None) -> dict[str, Any] | None:
    if template is None:
        return None
    return {'kind': template.kind, 'locale': template.locale, 'subject': template.subject, 'text': template.text,
            'html': template.html}


def _audit(s: Session, *, tenant_id: int, admin_id: int | None, action: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None, now: datetime, target: str = '') -> None:
    """The audit entry of an email change, in the change's own transaction."""
    audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action=action, target=target, before=before, after=after,
                 now=now)
