"""The email_template table: a business's own wording of its emails, per kind and language."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.emails import EmailTemplate
from storage import tables as t


def _to_template(row: t.EmailTemplate) -> EmailTemplate:
    return EmailTemplate(kind=row.kind, locale=row.locale, subject=row.subject, text=row.text, html=row.html)


def template(session: Session, *, tenant_id: int, kind: str, locale: str) -> EmailTemplate | None:
    """The business's own template for this kind and language, None when it uses Kairos's."""
    row = session.exec(select(t.EmailTemplate).where(t.EmailTemplate.tenant_id == tenant_id,
                                                     t.EmailTemplate.kind == kind,
                                                     t.EmailTemplate.locale == locale)).first()
    return _to_template(row) if row is not None else None


def customised(session: Session, *, tenant_id: int) -> set[tuple[str, str]]:
    """The (kind, locale) pairs the business has its own wording for."""
    return {(k, loc) for k, loc in session.execute(
        sa.select(col(t.EmailTemplate.kind), col(t.EmailTemplate.locale)).where(
            col(t.EmailTemplate.tenant_id) == tenant_id))}


def save(session: Session, *, tenant_id: int, template: EmailTemplate, now: datetime) -> None:
    """Insert or replace the business's template for its kind and language (the caller checked it)."""
    row = session.exec(select(t.EmailTemplate).where(t.EmailTemplate.tenant_id == tenant_id,
                                                     t.EmailTemplate.kind == template.kind,
                                                     t.EmailTemplate.locale == template.locale)).first()
    if row is None:
        row = t.EmailTemplate(tenant_id=tenant_id, kind=template.kind, locale=template.locale,
                              subject=template.subject, text=template.text, html=template.html, updated_at=now)
    else:
        row.subject, row.text, row.html, row.updated_at = template.subject, template.text, template.html, now
    session.add(row)
    session.flush()


def delete(session: Session, *, tenant_id: int, kind: str, locale: str) -> bool:
    """Back to Kairos's wording; False when there was nothing to delete."""
    result = session.execute(sa.delete(t.EmailTemplate).where(col(t.EmailTemplate.tenant_id) == tenant_id,
                                                              col(t.EmailTemplate.kind) == kind,
                                                              col(t.EmailTemplate.locale) == locale))
    return bool(getattr(result, 'rowcount', 0))
