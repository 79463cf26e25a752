"""Benchmark of the panel's Appointments page (issue 2, item 10): server time, SQL statements, memory per client.

Run: .venv/bin/python bench/bench_panel.py [--runs 30] [--clients 40] [--keep]

It prepares a SQLite file (Alembic migrations, one business, a customer with 2,000 appointments over four years and
one with 20), starts bench/panel_server.py (the real app plus bench-only routes) as a child process and prints:
- the server time to build `/` (panel shell + Appointments section: mini-dashboard, tabs, first page of cards) for
  the 2,000-appointment customer against an empty NiceGUI page, median and p90; target: ratio <= 3;
- the same for a customer with the same 2,000 appointments who reads the panel in Portuguese (customer.language
  pt_PT), next to the English; target: translating costs at most 5% of the build (catalogs are read once, at the
  first visit in a language, not per request);
- the SQL statements one visit to `/` issues, for 2,000 and for 20 appointments; target: <= 6 and the same for both;
- the server memory per connected client of `/` against the empty page, each in a fresh server process with K raw
  socket.io clients (the browser's protocol without a browser); target: ratio <= 3.
The Appointments section draws at once when its data came with the shell (the first paint); a section that must load
first runs as `ui.sub_pages`' background task and may finish after the HTML is sent. Either way the bench times the
page up to the end of the section's build and says whether the HTML carried it.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import socketio
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import auth  # noqa: E402
from storage import catalog as catalog_db  # noqa: E402
from storage import customers as customer_db  # noqa: E402
from storage import tables as t  # noqa: E402
from storage import tenants as tenant_db  # noqa: E402
from storage.db import Database, migrate  # noqa: E402

TIME_RATIO_TARGET = 3.0
TRANSLATION_COST_TARGET = 1.05  # the Portuguese page's build / the English page's
PORTUGUESE = 'pt_PT'
STATEMENTS_TARGET = 6
MEMORY_RATIO_TARGET = 3.0
BIG, SMALL = 2000, 20
SERVER = ROOT / 'bench' / 'panel_server.py'
START_TIMEOUT = 40.0
STATUS_MIX = ('approved',) * 14 + ('pending', 'canceled', 'rejected', 'no-show')


# ---- data -----------------------------------------------------------------------------------------------------


@dataclass
class Seeded:
    url: str
    tenant_id: int
    customers: dict[int, int]  # number of appointments -> customer id
    portuguese: int  # a customer with BIG appointments like customers[BIG]'s, who reads the panel in Portuguese
    sessions: dict[int, list[str]] = field(default_factory=dict)  # number of appointments -> session ids
    portuguese_sessions: list[str] = field(default_factory=list)


def seed(url: str, now: datetime) -> Seeded:
    """One studio; a customer with 2,000 appointments over four years (a tenth ahead), one with 20; and one with the
    same 2,000 who chose Portuguese."""
    migrate(url)
    db = Database(url)
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Bench Studio', timezone='Europe/Lisbon')
        location = catalog_db.create_location(s, tenant_id=tenant, name='Main Street 1')
        services = [
            catalog_db.create_service(s, tenant_id=tenant, name=name, duration_min=minutes, price=price,
                                      deposit=deposit)
            for name, minutes, price, deposit in (
                ('Haircut', 45, 4500, 0),
                ('Colour & cut', 120, 12000, 3000),
                ('Beard trim', 30, 2000, 0),
                ('Massage', 60, 6000, 1500),
            )
        ]
        week = {day: [(datetime.min.time().replace(hour=9), datetime.min.time().replace(hour=18))] for day in range(6)}
        staff = [
            catalog_db.create_staff(
                s, tenant_id=tenant, name=name, service_ids=services, location_ids=[location], weekly=week
            )
            for name in ('Mia Wong', 'Leo Park', 'Ana Reis')
        ]
        customers = {}
        for count, email in ((BIG, 'many@example.com'), (SMALL, 'few@example.com'), (-BIG, 'muitas@example.com')):
            customer = customer_db.create_customer(
                s,
                tenant_id=tenant,
                email=email,
                first_name='Bench',
                last_name=str(abs(count)),
                now=now - timedelta(days=5 * 365),
            )
            customers[count] = customer
            _bulk_appointments(
                s,
                tenant_id=tenant,
                customer_id=customer,
                count=abs(count),
                now=now,
                services=services,
                staff=staff,
                location=location,
            )
        portuguese = customers.pop(-BIG)
        s.execute(sa.update(t.Customer).where(t.Customer.id == portuguese).values(language=PORTUGUESE))
    return Seeded(url=url, tenant_id=tenant, customers=customers, portuguese=portuguese)


def _bulk_appointments(
    s: Any,
    *,
    tenant_id: int,
    customer_id: int,
    count: int,
    now: datetime,
    services: list[int],
    staff: list[int],
    location: int,
) -> None:
    """`count` appointments spread evenly from 3.6 years ago to 0.4 years ahead, each with its 'booked' entry."""
    first = (now - timedelta(days=int(3.6 * 365))).replace(hour=9, minute=0, second=0, microsecond=0)
    step = timedelta(days=4 * 365) / count
    prices = {0: 4500, 1: 12000, 2: 2000, 3: 6000}
    rows = []
    for i in range(count):
        start = first + step * i
        start = start.replace(hour=9 + i % 8, minute=0, second=0, microsecond=0)
        kind = i % len(services)
        price = prices[kind]
        status = STATUS_MIX[i % len(STATUS_MIX)]
        paid = price if start < now and status == 'approved' else (price // 4 if i % 3 == 0 else 0)
        rows.append(
            {
                'tenant_id': tenant_id,
                'customer_id': customer_id,
                'service_id': services[kind],
                'staff_id': staff[i % len(staff)],
                'location_id': location,
                'start': start,
                'end': start + timedelta(minutes=45),
                'status_key': status,
                'price': price,
                'deposit': 0,
                'amount_paid': paid,
                'seats': 1,
                'notes': '',
                'reschedule_count': 0,
                'created_at': start - timedelta(days=7),
            }
        )
    s.execute(sa.insert(t.Appointment), rows)
    ids = s.execute(
        sa.select(t.Appointment.id, t.Appointment.created_at, t.Appointment.status_key).where(
            t.Appointment.customer_id == customer_id
        )
    ).all()
    s.execute(
        sa.insert(t.AppointmentHistory),
        [
            {
                'tenant_id': tenant_id,
                'appointment_id': i,
                'at': at,
                'actor': 'system',
                'action': 'booked',
                'data': {'status': key},
            }
            for i, at, key in ids
        ],
    )


def open_sessions(seeded: Seeded, now: datetime, per_customer: int) -> None:
    db = Database(seeded.url)
    for count, customer in seeded.customers.items():
        seeded.sessions[count] = [
            auth.open_session(db, tenant_id=seeded.tenant_id, customer_id=customer, now=now)
            for _ in range(per_customer)
        ]
    seeded.portuguese_sessions = [auth.open_session(db, tenant_id=seeded.tenant_id, customer_id=seeded.portuguese,
                                                    now=now)]


# ---- the server -----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


class Server:
    """bench/panel_server.py in a child process, in its own folder (NiceGUI keeps user storage in the cwd)."""

    def __init__(self, work: Path, url: str, name: str, *extra: str) -> None:
        self.port = _free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        self.cwd = work / name
        self.cwd.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        for var in (
            'PYTEST_CURRENT_TEST',
            'NICEGUI_USER_SIMULATION',
            'KAIROS_REDIS_URL',
            'KAIROS_MULTI_TENANT',
            'NICEGUI_REDIS_URL',
        ):
            env.pop(var, None)
        env.update(
            {
                'KAIROS_DATABASE_URL': url,
                'KAIROS_SECRET': 'bench-secret',
                'KAIROS_OUTBOX_DIR': str(work / 'outbox'),
                'KAIROS_PUBLIC_URL': self.base,
                'PYTHONPATH': str(ROOT),
            }
        )
        self.log = (self.cwd / 'server.log').open('wb')
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), '--port', str(self.port), *extra],
            cwd=self.cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'server exited; see {self.cwd / "server.log"}')
            try:
                if httpx.get(f'{self.base}/healthz', timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f'server did not start in {START_TIMEOUT} s; see {self.cwd / "server.log"}')

    def rss_mb(self) -> float:
        for line in Path(f'/proc/{self.process.pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
        raise RuntimeError('no VmRSS')

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# ---- time and statements --------------------------------------------------------------------------------------


@dataclass
class Visit:
    response_ms: float  # server: request in -> last byte of the HTML out
    full_ms: float  # server: request in -> the later of the HTML out and the Appointments section built
    client_ms: float  # the bench's own wall time for the GET (loopback, gzip, parsing included)
    response_cpu_ms: float  # server process CPU time (all threads) over response_ms
    full_cpu_ms: float  # server process CPU time (all threads) over full_ms
    db_cpu_ms: float  # of which in services.panel's loaders (thread pool: queries, ORM, row conversion)
    statements: int
    tenant_lookups: int
    transaction_control: int
    section_in_response: bool | None
    section_end_ms: float | None
    grid_rows_in_html: int
    statement_texts: list[str]


def signed_in_client(base: str, session_id: str | None) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    if session_id:
        r = client.get('/_bench/login', params={'session': session_id, 'next': '/healthz'})
        assert r.status_code == 200, r.status_code
    return client


def _grid_rows(html: str) -> int:
    """Cards the HTML itself carries: rows in the AppointmentsView element's JSON state (a string in the page's
    element JSON, so its quotes arrive escaped); each row, and only a row, has a `rebook_url`."""
    return html.count('\\"rebook_url\\"')


# How a page in each language says "Your next appointment" in its first paint: the bench checks it got what it timed.
NEXT_APPOINTMENT = {'en': 'Your next appointment', PORTUGUESE: 'A sua próxima marcação'}


def visit(client: httpx.Client, path: str, *, wait_section: bool, language: str = 'en') -> Visit:
    client.get('/_bench/reset')
    t0 = time.perf_counter()
    r = client.get(path)
    client_ms = (time.perf_counter() - t0) * 1000
    if r.status_code != 200 or (path == '/' and 'k-nav' not in r.text):
        raise RuntimeError(f'GET {path}: {r.status_code}, {r.url}: not the panel (signed out?)')
    if path == '/' and NEXT_APPOINTMENT[language] not in r.text:
        raise RuntimeError(f'GET {path}: the panel is not in {language}')
    # One long-polling request (a poll loop would compete with the section's build for the event loop).
    stats = client.get('/_bench/stats', params={'wait': 10}).json()
    if not stats['done'] or (wait_section and not stats['section_built']):
        raise RuntimeError(f'GET {path}: not finished after 10 s: {stats}')
    if stats['section_error']:
        raise RuntimeError(f'section failed: {stats["section_error"]}')
    return Visit(
        response_ms=stats['response_ms'],
        full_ms=stats['full_ms'] if wait_section else stats['response_ms'],
        client_ms=client_ms,
        response_cpu_ms=stats['response_cpu_ms'],
        full_cpu_ms=stats['full_cpu_ms'] if wait_section else stats['response_cpu_ms'],
        db_cpu_ms=stats['db_cpu_ms'],
        statements=stats['statements'],
        tenant_lookups=stats['tenant_lookups'],
        transaction_control=stats['transaction_control'],
        section_in_response=stats['section_in_response'] if wait_section else None,
        section_end_ms=stats['section_end_ms'],
        grid_rows_in_html=_grid_rows(r.text),
        statement_texts=stats['statement_texts'],
    )


def series(client: httpx.Client, path: str, runs: int, warmup: int, *, wait_section: bool) -> list[Visit]:
    for _ in range(warmup):
        visit(client, path, wait_section=wait_section)
    return [visit(client, path, wait_section=wait_section) for _ in range(runs)]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


# ---- memory ---------------------------------------------------------------------------------------------------


@dataclass
class RawClient:
    http: httpx.AsyncClient
    sio: socketio.AsyncClient
    client_id: str
    got_content: asyncio.Event
    next_message_id: int = 0

    async def ack(self) -> None:
        """What the browser does every 3 s: lets the server drop the messages it keeps for a resend."""
        await self.sio.emit('ack', {'client_id': self.client_id, 'next_message_id': self.next_message_id})

    async def close(self) -> None:
        await self.sio.disconnect()
        await self.http.aclose()


async def connect_raw(base: str, path: str, session_id: str) -> tuple[RawClient, float]:
    """A browser without a browser: sign in, GET the page, join its websocket with the query the page carries.

    Returns the client and the seconds from the GET to the content: the first message carrying appointment cards
    for `/` (unless the HTML already had them), the end of the handshake for the empty page."""
    http = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True)
    r = await http.get('/_bench/login', params={'session': session_id, 'next': '/healthz'})
    assert r.status_code == 200
    t0 = time.perf_counter()
    r = await http.get(path)
    r.raise_for_status()
    match = re.search(r'query: (\{[^}]*\})', r.text)
    if not match:
        raise RuntimeError(f'no socket.io query in the page {path}')
    query = ast.literal_eval(match.group(1))  # the template writes a Python dict literal
    sio = socketio.AsyncClient(reconnection=False)
    raw = RawClient(http=http, sio=sio, client_id=query['client_id'], got_content=asyncio.Event())
    if path != '/' or _grid_rows(r.text) > 0:
        raw.got_content.set()

    @sio.on('*')
    async def _any(event: str, data: Any = None) -> None:
        if isinstance(data, dict) and isinstance(data.get('_id'), int):
            raw.next_message_id = max(raw.next_message_id, data['_id'] + 1)
        if event == 'update' and not raw.got_content.is_set() and '"service":' in json.dumps(data):
            raw.got_content.set()

    params = {
        'client_id': raw.client_id,
        'next_message_id': query.get('next_message_id', 0),
        'implicit_handshake': 'true',
        'document_id': str(uuid.uuid4()),
        'tab_id': str(uuid.uuid4()),
    }
    url = f'{base}?' + '&'.join(f'{k}={v}' for k, v in params.items())
    cookies = '; '.join(f'{k}={v}' for k, v in http.cookies.items())
    await sio.connect(url, socketio_path='/_nicegui_ws/socket.io', transports=['websocket'],
                      headers={'Cookie': cookies}, wait_timeout=10)
    await asyncio.wait_for(raw.got_content.wait(), timeout=15)
    return raw, time.perf_counter() - t0


@dataclass
class Memory:
    before_mb: float
    after_mb: float
    clients: int
    connected: int
    known: int
    elements_per_client: float
    element_kinds: dict[str, int]
    content_ms: list[float]

    @property
    def per_client_mb(self) -> float:
        return (self.after_mb - self.before_mb) / self.clients


async def _settle(probe: httpx.AsyncClient, clients: list[RawClient]) -> None:
    # The panel asks each new client for its time zone and waits up to 5 s for an answer; then everyone acks.
    await asyncio.sleep(6)
    for raw in clients:
        await raw.ack()
    await asyncio.sleep(0.5)
    await probe.get('/_bench/gc')


async def measure_memory(work: Path, url: str, name: str, path: str, sessions: list[str], k: int, warm: int) -> Memory:
    """A fresh server (freed memory is not given back to the OS): `warm` clients first, then K more; RSS between."""
    server = Server(work, url, name)
    clients: list[RawClient] = []
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as probe:
            for i in range(warm):  # import-on-first-use, caches, thread pool: part of the baseline, not per client
                clients.append((await connect_raw(server.base, path, sessions[i]))[0])
            await _settle(probe, clients)
            before = server.rss_mb()
            content = []
            for i in range(warm, warm + k):
                raw, seconds = await connect_raw(server.base, path, sessions[i])
                clients.append(raw)
                content.append(seconds * 1000)
            await _settle(probe, clients)
            after = server.rss_mb()
            info = (await probe.get('/_bench/clients')).json()
        if info['connected'] != warm + k:
            raise RuntimeError(f'{name}: {info["connected"]} of {warm + k} clients connected ({info["clients"]} known)')
        elements = info['elements_per_connected_client']
        return Memory(before_mb=before, after_mb=after, clients=k, connected=info['connected'], known=info['clients'],
                      elements_per_client=sum(elements) / len(elements),
                      element_kinds=info['element_kinds_of_last_client'], content_ms=content)
    finally:
        for raw in clients:
            await raw.close()
        server.stop()


# ---- where the time goes (--profile) --------------------------------------------------------------------------

PROFILE_ROWS = (
    ('the whole request + section (event loop)', None),
    ('  panel_page: the shell and the section', 'ui/pages/panel.py:panel_page'),
    ('    panel_frame: top bar, tabs, main landmark', 'ui/theme.py:panel_frame'),
    ('    ui.sub_pages: route match, section call', 'nicegui/elements/sub_pages.py:__init__'),
    ('    appointments.draw: the section', 'ui/pages/appointments.py:draw'),
    ('      card_row (12 per page)', 'ui/components/appointments_view.py:card_row'),
    ('      encode_state: the JSON the element carries', 'ui/components/appointments_view.py:encode_state'),
    ('  Client.build_response: the HTML', 'nicegui/client.py:build_response'),
    ('  Element.__init__ (every element)', 'nicegui/element.py:__init__'),
    ('  inspect.signature (NiceGUI change handlers)', 'inspect.py:signature'),
)


def profile(work: Path, url: str, session_id: str, runs: int) -> tuple[list[tuple[str, float, int]], float]:
    """The event loop's CPU per visit to `/`, by function (cProfile with a thread-CPU clock; it slows things ~3x,
    so read the shares, not the milliseconds); and the CPU one more ui.label adds to a page (unprofiled)."""
    import pstats

    server = Server(work, url, 'profile', '--profile')
    out = work / 'page.prof'
    try:
        with closing(signed_in_client(server.base, session_id)) as client:
            series(client, '/', runs, 0, wait_section=True)
            client.get('/_bench/profile', params={'path': str(out)})
            none = series(client, '/_bench/labels?n=0', runs, 3, wait_section=False)
            many = series(client, '/_bench/labels?n=100', runs, 3, wait_section=False)
            per_element = (p50([v.full_cpu_ms for v in many]) - p50([v.full_cpu_ms for v in none])) / 100
    finally:
        server.stop()
    stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]  # pstats keeps its table undeclared
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.values())
    rows = []
    for label, key in PROFILE_ROWS:
        if key is None:
            rows.append((label, total / runs * 1000, 0))
            continue
        file_part, func = key.rsplit(':', 1)
        cum = sum(ct for (f, _line, fn), (_cc, _nc, _tt, ct, _callers) in stats.items()
                  if f.endswith(file_part) and fn == func)
        calls = sum(nc for (f, _line, fn), (_cc, nc, _tt, _ct, _callers) in stats.items()
                    if f.endswith(file_part) and fn == func)
        rows.append((label, cum / runs * 1000, calls // runs))
    return rows, per_element


# ---- the report -----------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return 'PASS' if ok else 'FAIL'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--runs', type=int, default=30, help='measured GETs per page (after warm-up)')
    parser.add_argument('--warmup', type=int, default=8, help='GETs per page before measuring')
    parser.add_argument('--clients', type=int, default=40, help='connected clients per memory measurement')
    parser.add_argument('--keep', action='store_true', help='keep the work folder (database, server logs)')
    parser.add_argument('--statements', action='store_true', help='also list the SQL statements of one visit')
    parser.add_argument('--profile', action='store_true', help='also show where the page build spends its time')
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix='kairos-bench-panel-'))
    url = f'sqlite:///{work / "bench.sqlite3"}'
    now = datetime.now(UTC)
    warm = 4
    try:
        t0 = time.perf_counter()
        seeded = seed(url, now)
        open_sessions(seeded, now, per_customer=warm + args.clients)
        print(f'Seeded {BIG:,} + {SMALL} appointments in {time.perf_counter() - t0:.1f} s', flush=True)

        # -- time and statements: one server; the pages take turns so both see the same machine noise --
        server = Server(work, url, 'timing')
        empty: list[Visit] = []
        page: list[Visit] = []
        page_pt: list[Visit] = []
        few: list[Visit] = []
        try:
            with closing(signed_in_client(server.base, seeded.sessions[BIG][0])) as big, \
                    closing(signed_in_client(server.base, seeded.portuguese_sessions[0])) as big_pt, \
                    closing(signed_in_client(server.base, seeded.sessions[SMALL][0])) as small:
                for i in range(args.warmup + args.runs):
                    measured = i >= args.warmup
                    v_empty = visit(big, '/_bench/empty', wait_section=False)
                    v_page = visit(big, '/', wait_section=True)
                    v_pt = visit(big_pt, '/', wait_section=True, language=PORTUGUESE)
                    v_few = visit(small, '/', wait_section=True) if i % 2 == 0 else None
                    if measured:
                        empty.append(v_empty)
                        page.append(v_page)
                        page_pt.append(v_pt)
                        if v_few:
                            few.append(v_few)
        finally:
            server.stop()
        print('Timed the pages; measuring memory, a fresh server per page...', flush=True)

        # -- memory: a fresh server per page kind --
        mem_empty = asyncio.run(measure_memory(work, url, 'memory-empty', '/_bench/empty', seeded.sessions[BIG],
                                               args.clients, warm))
        mem_page = asyncio.run(measure_memory(work, url, 'memory-page', '/', seeded.sessions[BIG], args.clients, warm))
        profile_rows, per_element = profile(work, url, seeded.sessions[BIG][0], args.runs) if args.profile else ([], 0)
    finally:
        if args.keep:
            print(f'work folder kept: {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)

    report(args, empty, page, page_pt, few, mem_empty, mem_page, profile_rows, per_element)
    return 0


def _row(label: str, values: list[float]) -> str:
    return (f'  {label:<46} {p50(values):>7.1f}  {p90(values):>7.1f}  {min(values):>7.1f}  {max(values):>7.1f} '
            f'{len(values):>4}')


def report(args: argparse.Namespace, empty: list[Visit], page: list[Visit], page_pt: list[Visit], few: list[Visit],
           mem_empty: Memory, mem_page: Memory, profile_rows: list[tuple[str, float, int]],
           per_element: float) -> None:
    wall_ratio = p50([v.full_ms for v in page]) / p50([v.full_ms for v in empty])
    cpu_ratio = p50([v.full_cpu_ms for v in page]) / p50([v.full_cpu_ms for v in empty])
    wall_ratio_pt = p50([v.full_ms for v in page_pt]) / p50([v.full_ms for v in empty])
    cpu_ratio_pt = p50([v.full_cpu_ms for v in page_pt]) / p50([v.full_cpu_ms for v in empty])
    translation_cost = p50([v.full_cpu_ms for v in page_pt]) / p50([v.full_cpu_ms for v in page])
    stmts_big = sorted({v.statements for v in page})
    stmts_small = sorted({v.statements for v in few})
    stmts_ok = max(stmts_big + stmts_small) <= STATEMENTS_TARGET and stmts_big == stmts_small
    mem_ratio = mem_page.per_client_mb / mem_empty.per_client_mb
    in_html = sum(1 for v in page if v.section_in_response)
    load = os.getloadavg()

    print()
    print(f'Kairos panel benchmark: / (panel shell + Appointments section) for a customer with {BIG:,} appointments '
          f'vs an empty NiceGUI page')
    print(f'{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, '
          f'Python {sys.version.split()[0]}, {args.runs} measured visits each after {args.warmup} warm-up')
    print()
    header = f'{"target":<50} {"figure":>12} {"limit":>7}  result'
    print(header)
    print('-' * len(header))
    print(f'{"server wall time to build, page / empty (p50)":<50} {wall_ratio:>11.2f}x {"<= 3x":>7}  '
          f'{verdict(wall_ratio <= TIME_RATIO_TARGET)}')
    print(f'{"server CPU time to build, page / empty (p50)":<50} {cpu_ratio:>11.2f}x {"<= 3x":>7}  '
          f'{verdict(cpu_ratio <= TIME_RATIO_TARGET)}')
    print(f'{"  the same in Portuguese: wall, page / empty":<50} {wall_ratio_pt:>11.2f}x {"<= 3x":>7}  '
          f'{verdict(wall_ratio_pt <= TIME_RATIO_TARGET)}')
    print(f'{"  the same in Portuguese: CPU, page / empty":<50} {cpu_ratio_pt:>11.2f}x {"<= 3x":>7}  '
          f'{verdict(cpu_ratio_pt <= TIME_RATIO_TARGET)}')
    print(f'{"translation cost, Portuguese / English CPU (p50)":<50} {translation_cost:>11.2f}x '
          f'{f"<= {TRANSLATION_COST_TARGET:.2f}x":>7}  {verdict(translation_cost <= TRANSLATION_COST_TARGET)}')
    figure = f'{"/".join(map(str, stmts_big))} / {"/".join(map(str, stmts_small))}'
    print(f'{"SQL statements per visit, 2,000 / 20 appointments":<50} {figure:>12} {"<= 6":>7}  {verdict(stmts_ok)}')
    print(f'{"memory per connected client, page / empty":<50} {mem_ratio:>11.2f}x {"<= 3x":>7}  '
          f'{verdict(mem_ratio <= MEMORY_RATIO_TARGET)}')
    print()
    print('Server time per visit (ms): from the request in to the later of the HTML out and the Appointments section')
    print('built. Wall = elapsed; CPU = server process CPU over that span, all threads (steadier on a busy box).')
    print(f'  {"":<46} {"p50":>7}  {"p90":>7}  {"min":>7}  {"max":>7} {"n":>4}')
    print(_row('empty page, wall', [v.full_ms for v in empty]))
    print(_row(f'/ {BIG:,} appts, wall', [v.full_ms for v in page]))
    print(_row(f'/ {BIG:,} appts, wall until the HTML was out', [v.response_ms for v in page]))
    print(_row(f'/ {BIG:,} appts in Portuguese, wall', [v.full_ms for v in page_pt]))
    print(_row(f'/ {SMALL} appts, wall', [v.full_ms for v in few]))
    print(_row('empty page, CPU', [v.full_cpu_ms for v in empty]))
    print(_row(f'/ {BIG:,} appts, CPU', [v.full_cpu_ms for v in page]))
    print(_row(f'/ {BIG:,} appts, CPU until the HTML was out', [v.response_cpu_ms for v in page]))
    print(_row(f'/ {BIG:,} appts in Portuguese, CPU', [v.full_cpu_ms for v in page_pt]))
    print(_row(f'/ {SMALL} appts, CPU', [v.full_cpu_ms for v in few]))
    print(_row(f'/ {BIG:,} appts, CPU in the DB loaders (threads)', [v.db_cpu_ms for v in page]))
    print(_row(f'/ {SMALL} appts, CPU in the DB loaders (threads)', [v.db_cpu_ms for v in few]))
    print(_row('empty page, GET as the bench saw it', [v.client_ms for v in empty]))
    print(_row(f'/ {BIG:,} appts, GET as the bench saw it', [v.client_ms for v in page]))
    print(f'  The Appointments section was built before the HTML went out in {in_html} of {len(page)} visits; '
          f'cards in the HTML: {max(v.grid_rows_in_html for v in page)}.')
    print('  The first paint loads the section with the shell and draws it in the page build, so the HTML carries the')
    print('  dashboard, tabs and cards; a section that loads later reaches the browser over the websocket.')
    print()
    big_tc = sorted({v.transaction_control for v in page})
    tenant = sum(v.tenant_lookups for v in page + few)
    print(f'SQL per visit: {BIG:,} appts {stmts_big} statements + {big_tc} BEGIN; {SMALL} appts {stmts_small} + '
          f'{sorted({v.transaction_control for v in few})} BEGIN; tenant look-ups (cached 30 s, not counted): '
          f'{tenant} in {len(page) + len(few)} visits')
    print()
    print(f'Memory per connected client: a fresh server per page, 4 warm-up clients, then {mem_page.clients} raw '
          'socket.io clients (GET with their own cookies, websocket joined, messages acked); RSS after - before.')
    print(f'  {"page":<18} {"RSS before":>11} {"RSS after":>10} {"per client":>11} {"elements":>9} '
          f'{"connected":>10} {"GET->content p50":>17}')
    for label, m in (('empty page', mem_empty), (f'/ {BIG:,} appts', mem_page)):
        print(f'  {label:<18} {m.before_mb:>8.1f} MB {m.after_mb:>7.1f} MB {m.per_client_mb:>8.3f} MB '
              f'{m.elements_per_client:>9.0f} {f"{m.connected}/{m.known}":>10} {p50(m.content_ms):>14.1f} ms')
    kinds = ', '.join(f'{k} {n}' for k, n in mem_page.element_kinds.items())
    print(f'  elements of one / client: {kinds}')
    if profile_rows:
        print()
        print('Where the event loop spends its CPU per visit to / (cProfile, thread CPU clock; ~3x slower than')
        print('unprofiled: read the shares). The queries run in the thread pool and are not in these figures.')
        whole = profile_rows[0][1]
        for label, ms, calls in profile_rows:
            # cProfile counts each resume of a coroutine as a call: no counts for those
            coroutine_or_once = label.strip().startswith(
                ('panel_page', 'panel_frame', 'ui.sub_pages', 'appointments.', 'encode_state', 'Client.'))
            extra = f'  ({calls} calls/visit)' if calls and not coroutine_or_once else ''
            print(f'  {label:<52} {ms:>7.1f} ms {ms / whole * 100:>5.0f}%{extra}')
        print(f'  One more ui.label on a page costs {per_element:.3f} ms of server CPU (unprofiled, /_bench/labels).')
    if args.statements:
        print()
        print(f'SQL statements of one visit to / ({BIG:,} appointments):')
        shown = next((v for v in reversed(page) if not v.tenant_lookups), page[-1])
        for text in shown.statement_texts:
            print(f'  {text[:150]}')


if __name__ == '__main__':
    sys.exit(main())
