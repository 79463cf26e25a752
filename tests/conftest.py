"""Shared test set-up: cheap password hashing, and real databases (a SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from storage.db import Database

os.environ.setdefault('KAIROS_ARGON2_FAST', '1')
os.environ.setdefault('KAIROS_SECRET', 'test-secret')

POSTGRES_URL = os.environ.get('KAIROS_TEST_POSTGRES_URL')

# NiceGUI's simulated browser (the `user` fixture) for tests/ui; its main file is set in pyproject.toml.
pytest_plugins = ['nicegui.testing.user_plugin']


@pytest.fixture(scope='session')
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once and copied for each test (migrations run for real, once)."""
    from storage.db import migrate

    path = tmp_path_factory.mktemp('template') / 'kairos.sqlite3'
    migrate(f'sqlite:///{path}')
    return path


@pytest.fixture(scope='session')
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated once and dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip('KAIROS_TEST_POSTGRES_URL is not set')
    import sqlalchemy as sa

    from storage.db import migrate

    name = f'kairos_t_{uuid.uuid4().hex[:10]}'
    admin = sa.create_engine(POSTGRES_URL, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:  # fails loudly when no server answers: CI must not skip PostgreSQL
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    url = POSTGRES_URL.rsplit('/', 1)[0] + '/' + name
    migrate(url)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
    admin.dispose()


def _truncate_all(url: str) -> None:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    import storage.tables  # noqa: F401
    from storage.db import make_engine

    names = ', '.join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'TRUNCATE {names} RESTART IDENTITY CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture(params=['sqlite', pytest.param('postgres', marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, then the same test on PostgreSQL."""
    if request.param == 'sqlite':
        path = tmp_path / 'kairos.sqlite3'
        shutil.copy(request.getfixturevalue('sqlite_template'), path)
        yield f'sqlite:///{path}'
    else:
        url = request.getfixturevalue('postgres_database')
        _truncate_all(url)
        yield url


@pytest.fixture(autouse=True)
def fresh_runtime() -> Iterator[None]:
    """Every test starts with a new runtime (configuration, database handle, caches, limits, live-update bus, email
    queue) and closes its own at the end: one call instead of a reset per cache."""
    _reset_runtime()
    yield
    _reset_runtime()


def _reset_runtime() -> None:
    runtime = sys.modules.get('services.runtime')  # domain-only tests never import (or build) one
    if runtime is not None:
        runtime.reset()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    from storage.db import Database

    handle = Database(database_url)
    yield handle
    handle.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """Only SQLite, for service tests where the database kind does not matter."""
    from storage.db import Database

    path = tmp_path / 'kairos.sqlite3'
    shutil.copy(sqlite_template, path)
    handle = Database(f'sqlite:///{path}')
    yield handle
    handle.dispose()
