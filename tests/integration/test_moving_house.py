"""Moving house: a business that outgrew SQLite moves to PostgreSQL with `kairos export` and `kairos import`, and
back, with nothing changed; `kairos backup` copies a live SQLite file while a writer keeps writing.

Real parts: a SQLite file with the demo studio (two years of history, payments, packages) plus a booking with its
queued emails, a session and a second business that must stay behind; a PostgreSQL database of the test's own.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from services import auth, booking, demo, moving, runtime
from services.config import reset_config
from services.context import reset_db
from storage import transfer
from storage.db import Database, migrate
from tests.support.seed import seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
POSTGRES_URL = __import__('os').environ.get('KAIROS_TEST_POSTGRES_URL')


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A migrated PostgreSQL database that holds nothing, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip('KAIROS_TEST_POSTGRES_URL is not set')
    name = f'kairos_move_{uuid.uuid4().hex[:10]}'
    admin = sa.create_engine(POSTGRES_URL, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    url = POSTGRES_URL.rsplit('/', 1)[0] + '/' + name
    migrate(url)
    yield url
    runtime.reset()  # the app's handle on this database closes before it goes
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def empty_sqlite(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / 'back-home.sqlite3'
    shutil.copy(sqlite_template, path)
    return f'sqlite:///{path}'


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / 'templates'
    folder.mkdir()
    (folder / 'reset.txt').write_text('Subject: New password at $business\n\nHi $name: $link\n', encoding='utf-8')
    monkeypatch.setenv('KAIROS_TEMPLATES_DIR', str(folder))
    reset_config()
    yield folder
    reset_config()


def _rich_business(db: Database) -> int:
    """The demo studio, plus what a live business also has: a new booking with its queued emails, a signed-in
    session; and a second business in the same file that must not travel."""
    demo.load_demo(db, now=NOW, seed=5)
    seed_world(db, now=NOW, slug='other')
    with db.read() as s:
        tenant_id = transfer.tenant_id_by_slug(s, slug=demo.DEMO_SLUG)
        row = s.execute(sa.text("SELECT c.id FROM customer c WHERE c.tenant_id = :t AND c.email = 'ada@example.com'"),
                        {'t': tenant_id}).one()
    assert tenant_id is not None
    auth.open_session(db, tenant_id=tenant_id, customer_id=row[0], now=NOW)
    _book_somewhere(db, tenant_id, customer_id=row[0])
    return tenant_id


def _book_somewhere(db: Database, tenant_id: int, *, customer_id: int) -> int:
    with db.read() as s:
        offers = s.execute(sa.text(
            'SELECT ss.service_id, ss.staff_id FROM staff_service ss JOIN service sv ON sv.id = ss.service_id '
            'WHERE sv.tenant_id = :t AND sv.capacity = 1 AND sv.deposit = 0 ORDER BY ss.service_id, ss.staff_id'),
            {'t': tenant_id}).all()
    for days in range(3, 30):
        for service_id, staff_id in offers:
            for hour in range(8, 19):
                start = (NOW + timedelta(days=days)).replace(hour=hour)
                try:
                    return booking.book(db, tenant_id=tenant_id, customer_id=customer_id, service_id=service_id,
                                        staff_id=staff_id, start=start, now=NOW).id
                except (booking.SlotTaken, booking.BookingRefused):
                    continue
    raise AssertionError('no free time found')


def _dump(db: Database, slug: str = demo.DEMO_SLUG) -> dict[str, list[dict[str, object]]]:
    with db.read() as s:
        tenant_id = transfer.tenant_id_by_slug(s, slug=slug)
        assert tenant_id is not None
        return transfer.dump(s, tenant_id=tenant_id)


def _through_a_file(document: dict[str, object], tmp_path: Path) -> dict[str, object]:
    path = tmp_path / f'{uuid.uuid4().hex}.json'
    path.write_text(json.dumps(document), encoding='utf-8')
    return json.loads(path.read_text(encoding='utf-8'))


def test_a_business_moves_from_sqlite_to_postgresql_and_back_with_nothing_changed(
        sqlite_db: Database, empty_postgres: str, empty_sqlite: str, templates: Path, tmp_path: Path) -> None:
    _rich_business(sqlite_db)
    before = _dump(sqlite_db)
    assert all(before[name] for name in ('tenant', 'status', 'location', 'staff', 'staff_service', 'working_hours',
                                         'service', 'package', 'customer', 'customer_package', 'appointment',
                                         'appointment_history', 'payment', 'auth_session', 'email_outbox'))
    assert any(c['password_hash'] for c in before['customer'])

    document = _through_a_file(moving.export_business(sqlite_db, slug=demo.DEMO_SLUG, now=NOW), tmp_path)
    assert document['templates'] == {'reset.txt': (templates / 'reset.txt').read_text(encoding='utf-8')}
    postgres = Database(empty_postgres)
    done = moving.import_business(postgres, document)
    assert done.rows == sum(len(rows) for rows in before.values())
    assert _dump(postgres) == before  # every table, every row, every column
    with postgres.read() as s:
        assert transfer.tenant_id_by_slug(s, slug='other') is None  # the other business stayed behind

    back = _through_a_file(moving.export_business(postgres, slug=demo.DEMO_SLUG, now=NOW), tmp_path)
    assert back['tables'] == document['tables']
    home = Database(empty_sqlite)
    moving.import_business(home, back)
    assert _dump(home) == before

    # The moved business keeps working: new rows get fresh ids on PostgreSQL too.
    ada = next(c['id'] for c in before['customer'] if c['email'] == 'ada@example.com')
    tenant_id = before['tenant'][0]['id']
    new_id = _book_somewhere(postgres, tenant_id, customer_id=ada)
    assert new_id > max(a['id'] for a in before['appointment'])


def test_import_refuses_a_database_that_already_holds_the_business(sqlite_db: Database, empty_sqlite: str,
                                                                   tmp_path: Path) -> None:
    demo.load_demo(sqlite_db, now=NOW, seed=5)
    document = _through_a_file(moving.export_business(sqlite_db, slug=demo.DEMO_SLUG, now=NOW), tmp_path)
    target = Database(empty_sqlite)
    moving.import_business(target, document)
    loaded = _dump(target)
    with pytest.raises(moving.MoveRefused, match='already holds the business'):
        moving.import_business(target, document)
    document['business'] = 'renamed'
    document['tables']['tenant'][0]['slug'] = 'renamed'
    with pytest.raises(moving.MoveRefused, match='already holds rows with the ids'):
        moving.import_business(target, document)
    assert _dump(target) == loaded  # nothing half-loaded
    with pytest.raises(moving.MoveRefused, match='not a Kairos business export'):
        moving.import_business(target, {'tables': {}})
    document['schema_revision'] = '0001'
    with pytest.raises(moving.MoveRefused, match='schema revision'):
        moving.import_business(target, document)


def test_statuses_travel_with_their_roles_and_an_unsound_list_is_refused(sqlite_db: Database, empty_sqlite: str,
                                                                          tmp_path: Path) -> None:
    demo.load_demo(sqlite_db, now=NOW, seed=5)
    document = _through_a_file(moving.export_business(sqlite_db, slug=demo.DEMO_SLUG, now=NOW), tmp_path)
    assert {row['key']: row['role'] for row in document['tables']['status']} == {
        'pending': 'new_booking', 'approved': 'confirmed', 'canceled': 'customer_cancel', 'rejected': 'rejected',
        'no-show': 'no_show'}
    target = Database(empty_sqlite)
    twice = json.loads(json.dumps(document))
    for row in twice['tables']['status']:
        if row['key'] == 'approved':
            row['role'] = 'new_booking'
    with pytest.raises(moving.MoveRefused) as refused:
        moving.import_business(target, twice)
    assert str(refused.value.message) == ('The statuses in the export do not hold together: Only one status can have '
                                          'the role new_booking: pending, approved.')
    unknown = json.loads(json.dumps(document))
    unknown['tables']['status'][0]['role'] = 'vip'
    with pytest.raises(moving.MoveRefused) as refused:
        moving.import_business(target, unknown)
    assert str(refused.value.message) == 'The export gives statuses a role this Kairos does not know: vip.'
    with target.read() as s:
        assert transfer.tenant_id_by_slug(s, slug=demo.DEMO_SLUG) is None  # nothing loaded
    moving.import_business(target, document)
    assert _dump(target)['status'] == document['tables']['status']


def test_the_readme_move_with_the_kairos_command(sqlite_db: Database, empty_postgres: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.cli import app

    demo.load_demo(sqlite_db, now=NOW, seed=5)
    before = _dump(sqlite_db)
    runner, file = CliRunner(), tmp_path / 'lumen.json'
    try:
        monkeypatch.setenv('KAIROS_DATABASE_URL', sqlite_db.url)
        reset_config()
        reset_db()
        exported = runner.invoke(app, ['export', str(file)])
        assert exported.exit_code == 0, exported.output
        assert runner.invoke(app, ['export', str(file)]).exit_code == 1  # never over an existing file
        monkeypatch.setenv('KAIROS_DATABASE_URL', empty_postgres)
        reset_config()
        reset_db()
        imported = runner.invoke(app, ['import', str(file)])
        assert imported.exit_code == 0, imported.output
        assert 'Imported default' in imported.output
        again = runner.invoke(app, ['import', str(file)])
        assert again.exit_code == 1 and 'already holds the business' in again.output
    finally:
        reset_config()
        reset_db()
    assert _dump(Database(empty_postgres)) == before


def test_backup_copies_a_live_sqlite_database_while_a_writer_writes(sqlite_db: Database, tmp_path: Path) -> None:
    """The writer adds pairs of rows, one pair per transaction: a consistent copy holds only whole pairs."""
    demo.load_demo(sqlite_db, now=NOW, seed=5)
    path = sqlite_db.url.split('///', 1)[1]
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE ledger (id INTEGER PRIMARY KEY, pair INTEGER NOT NULL)')
    stop, pairs = threading.Event(), [0]

    def writer() -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        while not stop.is_set():
            conn.execute('BEGIN IMMEDIATE')
            conn.execute('INSERT INTO ledger (pair) VALUES (?)', (pairs[0],))
            conn.execute('INSERT INTO ledger (pair) VALUES (?)', (pairs[0],))
            conn.execute('COMMIT')
            pairs[0] += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while pairs[0] < 50:
            threading.Event().wait(0.01)
        copies = [tmp_path / f'backup-{i}.sqlite3' for i in range(3)]
        for copy in copies:
            moving.backup_database(sqlite_db.url, copy)
    finally:
        stop.set()
        thread.join(30)
    written = pairs[0]
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute('PRAGMA integrity_check').fetchone() == ('ok',)
            counts = conn.execute('SELECT pair, count(*) FROM ledger GROUP BY pair').fetchall()
            assert counts and all(n == 2 for _, n in counts)  # no transaction cut in half
            assert len(counts) < written  # the writer went on after the copy
        assert _dump(Database(f'sqlite:///{copy}')) == _dump(sqlite_db)  # the business, whole
    with pytest.raises(moving.MoveRefused, match='already exists'):
        moving.backup_database(sqlite_db.url, copies[0])
    with pytest.raises(moving.MoveRefused, match='pg_dump'):
        moving.backup_database('postgresql+psycopg://x@127.0.0.1/y', tmp_path / 'x.sqlite3')
