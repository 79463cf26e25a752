"""Moving house: one business to one JSON file and back (`kairos export` / `kairos import`), and a consistent copy
of a live SQLite database (`kairos backup`).

The file holds every row the business owns, in every table (settings, statuses, locations, staff and their hours,
services, packages, customers with their password hashes, appointments with their history, payments, ratings,
sessions, links, the email outbox), and the business's own email templates from KAIROS_TEMPLATES_DIR. It carries
its format version and the schema revision it was written at: it loads only into a database migrated to that same
revision, that does not hold this business yet. Ids are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy.exc

from domain import model as d
from domain.statuses import status_problems
from services.config import get_config
from storage import transfer
from storage.db import Database

FORMAT = 'kairos-business'
VERSION = 1
TEMPLATE_SUFFIXES = ('.txt', '.html')


class MoveRefused(Exception):
    """The file cannot be written or loaded; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Imported:
    slug: str
    rows: int
    templates_written: int
    templates_skipped: int


def export_business(db: Database, *, slug: str, now: datetime) -> dict[str, Any]:
    """Everything the business owns, as one JSON-ready document."""
    with db.snapshot() as s:
        tenant_id = transfer.tenant_id_by_slug(s, slug=slug)
        if tenant_id is None:
            raise MoveRefused(f'There is no business with the slug {slug!r}.')
        revision = transfer.schema_revision(s)
        tables = transfer.dump(s, tenant_id=tenant_id)
    return {'format': FORMAT, 'version': VERSION, 'schema_revision': revision, 'exported_at': now.isoformat(),
            'business': slug, 'tables': tables, 'templates': _read_templates()}


def import_business(db: Database, document: dict[str, Any]) -> Imported:
    """Load an exported business into this database, which must be at the same schema revision and must not hold
    the business (nor rows with its ids) yet. All or nothing."""
    if not isinstance(document, dict) or document.get('format') != FORMAT:
        raise MoveRefused('This is not a Kairos business export.')
    if document.get('version') != VERSION:
        raise MoveRefused(f'This export has format version {document.get("version")}; this Kairos reads version '
                          f'{VERSION}.')
    slug = str(document.get('business') or '')
    tables = document.get('tables') or {}
    if not isinstance(tables, dict) or not tables.get('tenant'):
        raise MoveRefused('The export holds no business.')
    try:
        with db.write() as s:
            revision = transfer.schema_revision(s)
            if revision != document.get('schema_revision'):
                raise MoveRefused(f'The export was written at schema revision {document.get("schema_revision")} '
                                  f'and this database is at {revision}: run `kairos migrate` with the same Kairos '
                                  'version on both sides first.')
            if transfer.tenant_id_by_slug(s, slug=slug) is not None:
                raise MoveRefused(f'This database already holds the business {slug!r}; import into an empty one.')
            _check_statuses(tables.get('status') or [])
            rows = transfer.load(s, tables)
    except transfer.TransferRefused as e:
        raise MoveRefused(e.message) from e
    except sqlalchemy.exc.IntegrityError as e:
        raise MoveRefused('This database already holds rows with the ids of this business (another business, or '
                          'part of this one); import into an empty database. Nothing was changed.') from e
    written, skipped = _write_templates(document.get('templates') or {})
    return Imported(slug=slug, rows=rows, templates_written=written, templates_skipped=skipped)


def backup_database(url: str, target: Path) -> None:
    """A consistent copy of the live SQLite database at `url` in the new file `target`."""
    try:
        transfer.backup_sqlite(url, target)
    except transfer.TransferRefused as e:
        raise MoveRefused(e.message) from e


# ---- helpers ---------------------------------------------------------------------------------------------------


def _check_statuses(rows: list[dict[str, Any]]) -> None:
    """The statuses in the file must make a sound list (domain.statuses.status_problems), each role one this version
    knows: the rules read what a status means from its role."""
    known = {role.value for role in d.StatusRole}
    strange = sorted({str(row.get('role')) for row in rows if row.get('role') not in known})
    if strange:
        raise MoveRefused(f'The export gives statuses a role this Kairos does not know: {", ".join(strange)}.')
    statuses = [d.Status(key=str(row.get('key') or ''), label=str(row.get('label') or ''), color='', icon='',
                         busy=bool(row.get('busy')), role=d.StatusRole(row['role'])) for row in rows]
    problems = status_problems(statuses)
    if problems:
        raise MoveRefused(f'The statuses in the export do not hold together: {" ".join(map(str, problems))}')


def _read_templates() -> dict[str, str]:
    folder = get_config().templates_dir
    if not folder or not Path(folder).is_dir():
        return {}
    return {p.name: p.read_text(encoding='utf-8') for p in sorted(Path(folder).iterdir())
            if p.is_file() and p.suffix in TEMPLATE_SUFFIXES}


def _write_templates(templates: dict[str, str]) -> tuple[int, int]:
    """Write the business's templates into KAIROS_TEMPLATES_DIR, never over a file already there."""
    folder = get_config().templates_dir
    if not templates:
        return 0, 0
    if not folder:
        return 0, len(templates)
    Path(folder).mkdir(parents=True, exist_ok=True)
    written = 0
    for name, text in templates.items():
        path = Path(folder) / Path(name).name  # a name, never a path out of the folder
        if path.suffix not in TEMPLATE_SUFFIXES or path.exists():
            continue
        path.write_text(text, encoding='utf-8')
        written += 1
    return written, len(templates) - written
