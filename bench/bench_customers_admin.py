"""Benchmark of the desk's customer search (issue 14, item 8): server time and SQL statements with 50,000 customers.

Run: .venv/bin/python bench/bench_customers_admin.py [--customers 50000] [--runs 25] [--postgres URL | --no-postgres]

For SQLite (a temporary file) and PostgreSQL (a database of its own, made and dropped on the server of --postgres,
by default postgresql+psycopg://postgres@127.0.0.1:5432/test's server), it migrates a fresh schema, bulk-inserts
one business with --customers customers (plus a second business with a tenth as many, so the tenant filter has
something to skip), and times `services.customer_desk.search` (what the page's handler calls: the page of customers and
the count) for a set of searches: everyone's first page, a deep page, one letter, a first name, first and last
name, an email prefix, a phone prefix, and no match. The baseline, measured in the same run on the same database,
is reading one customer by its primary key (`storage.customers.customer` in a read transaction): every figure is
printed as a ratio to it, next to its milliseconds. It also counts the SQL statements of each search with 1,000
customers and again with all of them: the targets are under 100 ms for every search, and the same count.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import customer_desk as desk  # noqa: E402
from storage import customers as customer_db  # noqa: E402
from storage import tables as t  # noqa: E402
from storage import tenants as tenant_db  # noqa: E402
from storage.db import Database, migrate, table_of  # noqa: E402

TARGET_MS = 100.0
DEFAULT_POSTGRES = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'
FIRST = ('Ana', 'Beatriz', 'Carlos', 'Diana', 'Eduardo', 'Filipa', 'Gonçalo', 'Helena', 'Inês', 'João', 'Karin',
         'Luís', 'Maria', 'Nuno', 'Olga', 'Pedro', 'Quentin', 'Rita', 'Sofia', 'Tiago', 'Ulla', 'Vera', 'Wolfgang',
         'Xavier', 'Yara', 'Zé', 'Ada', 'Bob', 'Grace', 'Leo', 'Mia', 'Noor', 'Omar', 'Priya', 'Sven', 'Lena')
LAST = ('Silva', 'Santos', 'Ferreira', 'Pereira', 'Oliveira', 'Costa', 'Rodrigues', 'Martins', 'Jesus', 'Sousa',
        'Fernandes', 'Gonçalves', 'Gomes', 'Lopes', 'Marques', 'Alves', 'Almeida', 'Ribeiro', 'Pinto', 'Carvalho',
        'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'García', 'Martínez', 'López', 'Lovelace', 'Hopper',
        'Byte', 'Nakamura', 'Haddad', 'Kowalski', 'Novak', "O'Brien", 'Van der Berg', 'Dubois', 'Rossi', 'Costa')
SEARCHES: tuple[tuple[str, str, int], ...] = (
    ('everyone, first page', '', 0),
    ('everyone, page 400', '', 400),
    ('one letter "s"', 's', 0),
    ('first name "maria"', 'maria', 0),
    ('first and last "ana silv"', 'ana silv', 0),
    ('email prefix "joao.costa1"', 'joao.costa1', 0),
    ('phone prefix "+351 912 3"', '+351 912 3', 0),
    ('no match "zzzq"', 'zzzq', 0),
)


def people(n: int, *, tenant_id: int, seed: int, now: datetime) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        email = f'{_ascii(first)}.{_ascii(last)}{i}@example.com'
        rows.append({'tenant_id': tenant_id, 'first_name': first, 'last_name': last, 'email': email,
                     'email_norm': email.lower(), 'phone': f'+351 9{rnd.randint(10, 39)} {rnd.randint(100, 999)} '
                                                            f'{rnd.randint(100, 999)}',
                     'created_at': now, 'avatar_version': 0})
    return rows


def _ascii(text: str) -> str:
    table = str.maketrans('çãáéíóúüöñêô', 'caaeiouuonoo', " '")
    return text.lower().translate(table)


def insert(db: Database, rows: list[dict[str, Any]]) -> None:
    table = table_of(t.Customer)
    with db.write() as s:
        for start in range(0, len(rows), 5000):
            s.execute(sa.insert(table), rows[start:start + 5000])
    if db.is_postgres:
        with db.engine.connect() as conn:
            conn.execute(sa.text('ANALYZE customer'))
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql('ANALYZE')
            conn.commit()


class Statements:
    def __init__(self, db: Database) -> None:
        self.count = 0
        sa.event.listen(db.engine, 'before_cursor_execute', self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def of(self, action: Callable[[], object]) -> int:
        before = self.count
        action()
        return self.count - before


def timed(action: Callable[[], object], runs: int) -> float:
    """Median milliseconds of `runs` calls after two warm-up calls."""
    action()
    action()
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        found.append((time.perf_counter() - start) * 1000)
    return statistics.median(found)


def run(label: str, url: str, *, customers: int, runs: int) -> bool:
    print(f'\n== {label}: {customers:,} customers ==')
    migrate(url)
    db = Database(url)
    now = datetime.now(UTC)
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='bench', name='Bench Studio')
        other = tenant_db.create_tenant(s, slug='other', name='Other Studio')
    everyone = people(customers, tenant_id=tenant, seed=1, now=now)
    small = min(1000, customers)
    insert(db, everyone[:small])
    counter = Statements(db)

    def search(query: str, page: int) -> Callable[[], object]:
        return lambda: desk.search(db, tenant_id=tenant, admin_id=None, query=query, page=page)

    few = {name: counter.of(search(q, 0)) for name, q, _ in SEARCHES}
    insert(db, everyone[small:])
    insert(db, people(customers // 10, tenant_id=other, seed=2, now=now))

    with db.read() as s:
        some_id = int(s.execute(sa.select(sa.func.min(table_of(t.Customer).c.id))).scalar_one())

    def baseline() -> None:
        with db.read() as s:
            customer_db.customer(s, tenant_id=tenant, customer_id=some_id)

    base = timed(baseline, runs * 4)
    print(f'baseline (one customer by primary key): {base:.3f} ms')
    print(f'{"search":32} {"found":>7} {"ms":>8} {"x baseline":>11} {"statements":>11}  target')
    ok = True
    for name, query, page in SEARCHES:
        action = search(query, page)
        found = desk.search(db, tenant_id=tenant, admin_id=None, query=query, page=page)
        ms = timed(action, runs)
        many = counter.of(action)
        met = ms < TARGET_MS and many == few[name]
        ok &= met
        print(f'{name:32} {found.total:>7,} {ms:>8.2f} {ms / base:>11.1f} {f"{few[name]} -> {many}":>11}  '
              f'{"met" if met else "NOT met"}')
    csv_ms = timed(lambda: desk.customers_csv(db, tenant_id=tenant, admin_id=None, query='maria'), 3)
    print(f'CSV of "maria": {csv_ms:.1f} ms ({csv_ms / base:.0f}x baseline)')
    db.dispose()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--customers', type=int, default=50_000)
    parser.add_argument('--runs', type=int, default=25)
    parser.add_argument('--postgres', default=DEFAULT_POSTGRES)
    parser.add_argument('--no-postgres', action='store_true')
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results['SQLite'] = run('SQLite', f'sqlite:///{folder}/bench.sqlite3', customers=args.customers,
                                runs=args.runs)
    if not args.no_postgres:
        name = f'kairos_bench_{uuid.uuid4().hex[:8]}'
        server = sa.create_engine(args.postgres, isolation_level='AUTOCOMMIT')
        try:
            with server.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE {name}'))
        except sa.exc.OperationalError as e:
            print(f'\nPostgreSQL not reachable at {args.postgres}: {e.__class__.__name__}; skipped')
        else:
            try:
                url = sa.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                results['PostgreSQL'] = run('PostgreSQL', url, customers=args.customers, runs=args.runs)
            finally:
                with server.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
        server.dispose()
    print()
    for label, ok in results.items():
        print(f'{label}: every search under {TARGET_MS:.0f} ms with a constant number of statements: '
              f'{"PASS" if ok else "FAIL"}')


if __name__ == '__main__':
    main()
