"""Engine, sessions and migrations: the one place that knows how to reach the database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel

MIGRATIONS = Path(__file__).parent / 'migrations'

# A pooled PostgreSQL connection idle longer than this is pinged before it is handed out (see `_ping_when_idle`).
IDLE_PING_AFTER_S = 10.0


def make_engine(url: str) -> sa.Engine:
    """A new engine (and connection pool) for `url`; SQLite gets WAL and a busy timeout so writers queue instead of
    failing. Whoever makes one disposes of it: the app's is the runtime's (services.runtime)."""
    if url.startswith('sqlite'):
        path = url.split('///', 1)[-1]
        if path and path != ':memory:':
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={'check_same_thread': False, 'timeout': 30})

        @sa.event.listens_for(engine, 'connect')
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's BEGIN below be the real transaction start (pysqlite defers it otherwise).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute('PRAGMA journal_mode=WAL')
            cur.execute('PRAGMA synchronous=NORMAL')
            cur.execute('PRAGMA foreign_keys=ON')
            cur.close()

        @sa.event.listens_for(engine, 'begin')
        def _begin(conn: sa.Connection) -> None:
            # IMMEDIATE takes the write lock up front: two bookings can never interleave check and insert.
            conn.exec_driver_sql('BEGIN IMMEDIATE' if conn.get_execution_options().get('kairos_write') else 'BEGIN')
    else:
        engine = sa.create_engine(url, pool_size=10, max_overflow=20)
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: sa.Engine) -> None:
    """Check a pooled connection before handing it out only when it sat idle in the pool for a while
    (IDLE_PING_AFTER_S): one that PostgreSQL or the network dropped meanwhile (a restart, an idle timeout) is replaced
    by a fresh one and the caller never sees it. SQLAlchemy's `pool_pre_ping` pings at every checkout: one more round
    trip to the database for every session, and under load, where each round trip also waits for the interpreter
    lock on the way back, a move's thread spent milliseconds on it. A connection used a moment ago is alive unless
    the server went away in that moment; then the statement fails, SQLAlchemy invalidates every connection of the
    pool opened before it, and the next session starts on fresh ones."""

    @sa.event.listens_for(engine, 'checkin')
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info['kairos_idle_since'] = time.monotonic()

    @sa.event.listens_for(engine, 'checkout')
    def _alive(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop('kairos_idle_since', None)
        if since is None or time.monotonic() - since < IDLE_PING_AFTER_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as e:
            raise sa.exc.DisconnectionError('a pooled connection went away while idle') from e  # the pool retries


def table_of(model: type[SQLModel]) -> sa.Table:
    """A table class's Core table, for statements built on plain columns (SQLModel sets `__table__` on every table
    class but does not declare it)."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]  # set by SQLAlchemy's declarative mapping
    return table


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option('script_location', str(MIGRATIONS))
    cfg.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    return cfg


def migrate(url: str, revision: str = 'head') -> None:
    """Bring the schema to the given revision with Alembic (the only way the schema is made)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            cfg = alembic_config(url)
            cfg.attributes['connection'] = connection  # migrations/env.py runs on this connection
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


class Database:
    """A handle on one database: read sessions and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == 'postgresql'
        if self.is_postgres:
            # Reads run without a transaction of their own (see `read`), and never flush: nothing they hold is
            # written, not even by a query after an ORM change made by mistake.
            self._sessions = sessionmaker(self.engine.execution_options(isolation_level='AUTOCOMMIT'),
                                          class_=Session, expire_on_commit=False, autoflush=False)
            self._snapshot_sessions = sessionmaker(
                self.engine.execution_options(isolation_level='REPEATABLE READ', postgresql_readonly=True),
                class_=Session, expire_on_commit=False, autoflush=False)
        else:
            self._sessions = self._snapshot_sessions = sessionmaker(self.engine, class_=Session,
                                                                    expire_on_commit=False)
        self._write_engine = self.engine.execution_options(kairos_write=True)
        self._write_sessions = sessionmaker(self._write_engine, class_=Session, expire_on_commit=False)
        # A booking's reads of each business's setup, by business id (storage.tenant_reads): they belong to this
        # database and go with this handle (services.runtime builds and drops it).
        self.kept_reads: dict[int, Any] = {}

    def dispose(self) -> None:
        """Close the pooled connections (the engine would open new ones if used again)."""
        self.engine.dispose()

    def ping(self) -> None:
        """Raise unless the database answers a trivial query (readiness checks)."""
        with self.engine.connect() as conn:
            conn.execute(sa.text('SELECT 1'))

    def read(self) -> AbstractContextManager[Session]:
        """A session for reading.

        On PostgreSQL it runs in autocommit: at READ COMMITTED, PostgreSQL's default, every statement sees the
        database as of its own start whether or not a transaction wraps them, so a BEGIN and a COMMIT around reads
        bought no consistency and cost two round trips to the server per session (under load each round trip also
        waits for the interpreter lock on the way back); the customer's session check is one statement. An ORM change
        left in it by mistake is never flushed. On SQLite a transaction does keep one snapshot for the session's
        reads, and it is kept. Either way it ends with a commit, not a rollback (it wrote nothing): on PostgreSQL a
        rollback makes psycopg forget every statement it prepared on the connection, so the same reads, session after
        session, were parsed and planned anew."""
        return _reading(self._sessions)

    def snapshot(self) -> AbstractContextManager[Session]:
        """A read session whose statements all see the database as of one moment, in one transaction: for reads of
        many tables that must agree with each other (a business's export) or rows streamed through a server-side
        cursor, which lives in a transaction (the appointments CSV). On PostgreSQL a REPEATABLE READ, read-only
        transaction; on SQLite a read transaction is one already (`read`)."""
        return _reading(self._snapshot_sessions)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits on success and rolls back on any error."""
        with self._write_sessions() as session:
            session.info['kairos_db'] = self  # whoever queues work in this transaction can find its database
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write_on_connection(self) -> Iterator[Session]:
        """`write` for a transaction that runs its statements on the connection (Core and storage.driver), not
        through the ORM: one plain connection's transaction (`engine.begin()`), with a session bound to that
        connection for whatever still asks for one. The session begins, commits and closes nothing of its own unless
        the ORM is used (it then joins the connection's transaction, and what it was given is flushed before the
        commit); the session's begin, commit and close cost a booking about a tenth of its CPU. After the commit the
        callbacks of `after_commit` run, as they do after `write`'s commit; a listener on the session's own
        'after_commit' event would never run here: use `after_commit`."""
        with self._write_engine.begin() as conn:
            session = Session(bind=conn, expire_on_commit=False)  # joins the connection's transaction, never ends it
            session.info['kairos_db'] = self
            try:
                yield session
                session.flush()
            finally:
                session.close()
        _run_after_commit(session)


@contextmanager
def _reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A read session from `sessions`, ended with a commit when it holds a transaction and no ORM change (see
    `Database.read`); an ORM change left in it is thrown away at its close."""
    with sessions() as session:
        yield session
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            session.commit()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the caller's transaction has committed (never when it rolls back): the transaction of
    `Database.write` or `Database.write_on_connection`."""
    # Kept on the session for the one listener below: a listener of its own per session (sa.event.listen on the
    # instance) cost each booking tens of microseconds to register, under its staff locks.
    pending: list[Callable[[], None]] | None = session.info.get(_AFTER_COMMIT)
    if pending is None:
        pending = session.info[_AFTER_COMMIT] = []
    pending.append(callback)


_AFTER_COMMIT = 'kairos_after_commit'


@sa.event.listens_for(sa.orm.Session, 'after_commit')
def _run_after_commit(session: sa.orm.Session) -> None:
    pending = session.info.pop(_AFTER_COMMIT, None)
    for callback in pending or ():
        callback()


_Select = TypeVar('_Select', bound='sa.Select[Any]')


def for_update(session: Session, stmt: _Select) -> _Select:
    """`stmt` holding the rows it reads until the transaction ends: FOR UPDATE on PostgreSQL; on SQLite the write
    transaction already holds the database's write lock (BEGIN IMMEDIATE), and it has no FOR UPDATE."""
    return stmt.with_for_update() if session.get_bind().dialect.name == 'postgresql' else stmt
