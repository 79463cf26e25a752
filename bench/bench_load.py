"""Load on the panel (issue 15, item 5): many connected customers, some of them busy; one instance, then two behind
HAProxy.

Run: .venv/bin/python bench/bench_load.py [--clients 1000] [--active 50] [--seconds 30] [--customers 200]

It makes a fresh PostgreSQL database (KAIROS_BENCH_POSTGRES_URL, default the tests' server), seeds a studio with
`--customers` customers who each have upcoming and past appointments, opens one session per client, and then, on
loopback only:

1. one instance (bench/panel_server.py: the real app plus the bench's sign-in route) with PostgreSQL and Redis;
   `--clients` raw socket.io clients (the browser's protocol, as in bench_panel.py) open the panel and stay
   connected; server memory before and after, per client;
   - baseline: one busy client alone among them, doing the round below;
   - load: `--active` clients at once, each with its own customer, doing rounds for `--seconds`: switch to Past and
     back to Upcoming, open the Details drawer and close it, open Reschedule, pick the first free time, confirm.
     Every step is an event sent over the websocket; its latency is the time to the first update that answers it;
2. the same through two instances and HAProxy with deploy/haproxy.cfg (clients spread by its sticky cookie).

Printed: p50/p95/max latency, rounds and events per second, errors (a step without an answer within 10 s, a lost
connection, a server traceback), memory per client, and the targets: p95 under 200 ms on one instance, throughput of
two instances at least 1.6x one's, no error. Ratios are against the baseline of the same run. Bounded: at most
`--clients` connections, `--seconds` per phase, and a few minutes in all.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
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

SERVER = ROOT / 'bench' / 'panel_server.py'
HAPROXY_CFG = ROOT / 'deploy' / 'haproxy.cfg'
POSTGRES_URL = os.environ.get('KAIROS_BENCH_POSTGRES_URL') or os.environ.get(
    'KAIROS_TEST_POSTGRES_URL') or 'postgresql+psycopg://postgres@127.0.0.1:5432/test'
REDIS_URL = os.environ.get('KAIROS_BENCH_REDIS_URL') or 'redis://127.0.0.1:6379/13'
P95_TARGET_MS = 200.0
SCALE_TARGET = 1.6
STEP_TIMEOUT = 10.0
TIME_LABEL = re.compile(r'^\d\d:\d\d')


# ---- data ------------------------------------------------------------------------------------------------------


def seed(url: str, *, customers: int, now: datetime) -> tuple[int, list[int]]:
    """A studio open 7-21 every day with 12 staff; each customer has 4 upcoming and 4 past haircuts."""
    migrate(url)
    db = Database(url)
    try:
        return _seed(db, customers=customers, now=now)
    finally:
        db.dispose()


def _seed(db: Database, *, customers: int, now: datetime) -> tuple[int, list[int]]:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Load Studio', timezone='Europe/Lisbon')
        location = catalog_db.create_location(s, tenant_id=tenant, name='Main Street 1')
        service = catalog_db.create_service(s, tenant_id=tenant, name='Haircut', duration_min=30, price=3000,
                                            min_notice_min=0, max_days_ahead=90)
        week = {day: [(clock(7), clock(21))] for day in range(7)}
        staff = [catalog_db.create_staff(s, tenant_id=tenant, name=f'Staff {i}', service_ids=[service],
                                         location_ids=[location], weekly=week) for i in range(12)]
        ids = [customer_db.create_customer(s, tenant_id=tenant, email=f'load{i}@example.com', first_name='Load',
                                           last_name=str(i), now=now - timedelta(days=400)) for i in range(customers)]
        rows = []
        base = now.replace(minute=0, second=0, microsecond=0)
        for n, customer in enumerate(ids):
            for k in range(8):
                days = (k + 2) * 3 if k < 4 else -(k * 9)
                start = (base + timedelta(days=days)).replace(hour=8 + (n % 12))
                rows.append({'tenant_id': tenant, 'customer_id': customer, 'service_id': service,
                             'staff_id': staff[(n + k) % len(staff)], 'location_id': location, 'start': start,
                             'end': start + timedelta(minutes=30), 'status_key': 'approved', 'price': 3000,
                             'deposit': 0, 'amount_paid': 0, 'seats': 1, 'notes': '', 'reschedule_count': 0,
                             'created_at': start - timedelta(days=20)})
        s.execute(sa.insert(t.Appointment), rows)
    return tenant, ids


def open_sessions(url: str, tenant: int, customers: list[int], count: int, now: datetime) -> list[tuple[int, str]]:
    """(customer, session id) for every client: client i belongs to customer i mod customers."""
    db = Database(url)
    try:
        return [(customers[i % len(customers)],
                 auth.open_session(db, tenant_id=tenant, customer_id=customers[i % len(customers)], now=now))
                for i in range(count)]
    finally:
        db.dispose()


# ---- processes -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def rss_mb(self) -> float:
        for line in Path(f'/proc/{self.process.pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
        raise RuntimeError('no VmRSS')

    def tracebacks(self) -> int:
        return self.log.read_text(errors='replace').count('Traceback')


def start_instance(work: Path, name: str, env: dict[str, str]) -> Instance:
    port = free_port()
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / 'server.log'
    with log.open('wb') as out:
        process = subprocess.Popen([sys.executable, str(SERVER), '--port', str(port)], cwd=folder, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    instance = Instance(port=port, process=process, log=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'{name} exited; see {log}')
        try:
            if httpx.get(f'{instance.base}/readyz', timeout=2).status_code == 200:
                return instance
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f'{name} did not start; see {log}')


def start_haproxy(work: Path, a: Instance, b: Instance) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, 'KAIROS_LB_BIND': f'127.0.0.1:{port}', 'KAIROS_LB_CHECK_INTERVAL': '2s',
           'KAIROS_INSTANCE_A': f'127.0.0.1:{a.port}', 'KAIROS_INSTANCE_B': f'127.0.0.1:{b.port}'}
    haproxy = shutil.which('haproxy') or '/usr/sbin/haproxy'
    with (work / 'haproxy.log').open('wb') as out:
        process = subprocess.Popen([haproxy, '-db', '-f', str(HAPROXY_CFG)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if all(httpx.get(f'{base}/healthz', cookies={'KAIROS_LB': n}, timeout=2).status_code == 200
                   for n in ('a', 'b')):
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError('haproxy did not answer')


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---- a browser without a browser -------------------------------------------------------------------------------


class StepFailed(Exception):
    pass


@dataclass
class Client:
    """One signed-in panel over the websocket: keeps the page's elements up to date from the server's updates."""

    customer: int
    http: httpx.AsyncClient
    sio: socketio.AsyncClient
    client_id: str = ''
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)
    updates: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    lost: bool = False
    rounds: int = 0

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        finally:
            await self.http.aclose()

    def on_update(self, data: dict[str, Any]) -> None:
        for key, element in data.items():
            if key == '_id':
                continue
            if element is None:
                self.elements.pop(key, None)
            else:
                self.elements[key] = element
        self.updates += 1
        self.changed.set()

    def find(self, predicate: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(k, e) for k, e in list(self.elements.items()) if predicate(e)]

    def view(self) -> tuple[str, dict[str, Any]]:
        found = self.find(lambda e: 'data' in (e.get('props') or {}) and 'rows' in str(e['props']['data'])[:20000])
        if not found:
            raise StepFailed('no appointments view on the page')
        key, element = found[0]
        return key, json.loads(element['props']['data'])

    async def emit(self, element_id: str, kind: str, args: Any) -> float:
        """Send one event like the browser does; the seconds until the first update after it."""
        element = self.elements.get(element_id)
        listener = next((e['listener_id'] for e in (element or {}).get('events', []) if e['type'] == kind), None)
        if listener is None:
            raise StepFailed(f'element {element_id} has no {kind} listener')
        before = self.updates
        self.changed.clear()
        started = time.perf_counter()
        try:
            await self.sio.emit('event', {'id': int(element_id), 'client_id': self.client_id,
                                          'listener_id': listener, 'args': [json.dumps(args)]})
        except socketio.exceptions.SocketIOError as failure:
            self.lost = True
            raise StepFailed('connection lost') from failure
        await self.until(lambda: self.updates > before)
        return time.perf_counter() - started

    async def until(self, condition: Any, timeout: float = STEP_TIMEOUT) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            if self.lost:
                raise StepFailed('connection lost')
            left = deadline - time.perf_counter()
            if left <= 0:
                raise StepFailed('no answer within the step timeout')
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=left)
            except TimeoutError:
                pass


async def connect(base: str, session_id: str, customer: int) -> Client:
    http = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True)
    sio = socketio.AsyncClient(reconnection=False)
    client = Client(customer=customer, http=http, sio=sio)
    r = await http.get('/_bench/login', params={'session': session_id, 'next': '/healthz'})
    r.raise_for_status()
    r = await http.get('/')
    r.raise_for_status()
    query_match = re.search(r'query: (\{[^}]*\})', r.text)
    elements_match = re.search(r'parseElements\(String\.raw`(.*?)`\)', r.text, re.DOTALL)
    if not query_match or not elements_match:
        raise RuntimeError('not the panel (signed out?)')
    query = ast.literal_eval(query_match.group(1))
    raw = elements_match.group(1)
    for entity, char in (('&#36;', '$'), ('&#96;', '`'), ('&gt;', '>'), ('&lt;', '<'), ('&amp;', '&')):
        raw = raw.replace(entity, char)
    client.elements = {str(k): v for k, v in json.loads(raw).items()}
    client.client_id = query['client_id']

    @sio.on('update')
    async def _update(data: dict[str, Any]) -> None:
        client.on_update(data)

    @sio.on('disconnect')
    async def _gone(*_: Any) -> None:
        client.lost = True
        client.changed.set()

    params = {'client_id': client.client_id, 'next_message_id': query.get('next_message_id', 0),
              'implicit_handshake': 'true', 'document_id': str(uuid.uuid4()), 'tab_id': str(uuid.uuid4())}
    url = f'{base}?' + '&'.join(f'{k}={v}' for k, v in params.items())
    cookies = '; '.join(f'{k}={v}' for k, v in http.cookies.items())
    await sio.connect(url, socketio_path='/_nicegui_ws/socket.io', transports=['websocket'],
                      headers={'Cookie': cookies}, wait_timeout=20)
    return client


CONNECT_FAILURES: list[str] = []


async def connect_all(base: str, sessions: list[tuple[int, str]], parallel: int = 8) -> list[Client]:
    """Connect every session; a client refused (e.g. a page that took longer than NiceGUI's response timeout on a
    busy machine) tries again twice, and is then left out and counted as an error."""
    gate = asyncio.Semaphore(parallel)

    async def one(customer: int, session_id: str) -> Client | None:
        async with gate:
            for attempt in range(3):
                try:
                    return await connect(base, session_id, customer)
                except Exception as failure:  # noqa: BLE001 - counted and reported, the run goes on
                    if attempt == 2:
                        CONNECT_FAILURES.append(f'connect: {type(failure).__name__}: {str(failure)[:80]}')
                    await asyncio.sleep(1 + attempt)
            return None

    return [c for c in await asyncio.gather(*(one(c, s) for c, s in sessions)) if c is not None]


# ---- the work of a busy customer -------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    rounds: int = 0
    errors: list[str] = field(default_factory=list)
    rescheduled: int = 0
    slot_taken: int = 0


def _has_text(element: dict[str, Any], text: str) -> bool:
    return element.get('text') == text or (element.get('props') or {}).get('label') == text


async def one_round(client: Client, tally: Tally) -> None:
    """Past tab, Upcoming tab, Details open and closed, Reschedule to the first free time, confirmed."""
    view_id, state = client.view()
    tally.latencies_ms.append(await client.emit(view_id, 'view', {'tab': 'past'}) * 1000)
    await client.until(lambda: client.view()[1].get('tab') == 'past')
    tally.latencies_ms.append(await client.emit(view_id, 'view', {'tab': 'upcoming'}) * 1000)
    await client.until(lambda: client.view()[1].get('tab') == 'upcoming')
    rows = client.view()[1]['rows']
    if not rows:
        raise StepFailed('no upcoming appointments shown')
    tally.latencies_ms.append(await client.emit(view_id, 'action', {'kind': 'details', 'id': rows[0]['id']}) * 1000)
    await client.until(lambda: bool(open_drawers(client)))  # a person clicks Close once the drawer is there
    close = await _wait_for(client, lambda e: (e.get('props') or {}).get('aria-label') == 'Close'
                            and any(ev['type'] == 'click' for ev in e.get('events', [])))
    tally.latencies_ms.append(await client.emit(close, 'click', {}) * 1000)
    await hide_closed_drawers(client)

    movable = [row for row in rows if row.get('can_reschedule')]
    if not movable:
        raise StepFailed('nothing to reschedule')
    client.rounds += 1
    target = movable[client.rounds % len(movable)]['id']
    tally.latencies_ms.append(await client.emit(view_id, 'action', {'kind': 'reschedule', 'id': target}) * 1000)
    await client.until(lambda: bool(open_drawers(client)))
    slot = await _wait_for(client, lambda e: TIME_LABEL.match(str((e.get('props') or {}).get('aria-label', '')))
                           is not None and any(ev['type'] == 'click' for ev in e.get('events', [])))
    tally.latencies_ms.append(await client.emit(slot, 'click', {}) * 1000)
    confirm = await _wait_for(client, lambda e: _has_text(e, 'Confirm new time'))
    await client.until(lambda: not (client.elements.get(confirm, {}).get('props') or {}).get('disable'))
    reason = client.find(lambda e: (e.get('props') or {}).get('label') == 'Reason for moving it again')
    if reason:  # moved before: the business wants to know why
        tally.latencies_ms.append(await client.emit(reason[0][0], 'update:modelValue', 'Bench, once more') * 1000)
    before = client.updates
    tally.latencies_ms.append(await client.emit(confirm, 'click', {}) * 1000)
    # Moved: the drawer closes. Taken meanwhile by another busy customer: the drawer says so and stays.
    try:
        await client.until(lambda: bool(closed_drawers(client)), timeout=5)
        tally.rescheduled += 1
    except StepFailed:
        if client.updates == before:
            raise
        tally.slot_taken += 1
        close = client.find(lambda e: (e.get('props') or {}).get('aria-label') == 'Close')
        if close:
            await client.emit(close[0][0], 'click', {})
    await hide_closed_drawers(client)
    tally.rounds += 1


def _drawers(client: Client) -> list[tuple[str, dict[str, Any]]]:
    return client.find(lambda e: 'dialog' in str(e.get('tag')) and any(ev['type'] == 'hide' for ev in e['events']))


def open_drawers(client: Client) -> list[str]:
    return [key for key, e in _drawers(client) if (e.get('props') or {}).get('model-value')]


def closed_drawers(client: Client) -> list[str]:
    return [key for key, e in _drawers(client) if not (e.get('props') or {}).get('model-value')]


async def hide_closed_drawers(client: Client) -> None:
    """What the browser says once a dialog has slid out: the server then deletes the drawer."""
    await client.until(lambda: bool(closed_drawers(client)))
    for key in closed_drawers(client):
        await client.emit(key, 'hide', {})
    await client.until(lambda: not closed_drawers(client))


async def _wait_for(client: Client, predicate: Any) -> str:
    found: list[tuple[str, dict[str, Any]]] = []

    def seen() -> bool:
        found[:] = client.find(predicate)
        return bool(found)

    await client.until(seen)
    return found[0][0]


async def busy(clients: list[Client], seconds: float) -> tuple[Tally, float]:
    """Each client does rounds back to back until the time is up; returns the tally and the seconds it took."""
    tally = Tally()
    stop_at = time.perf_counter() + seconds

    async def work(client: Client) -> None:
        while time.perf_counter() < stop_at:
            try:
                await one_round(client, tally)
            except StepFailed as failure:
                tally.errors.append(str(failure))
                await asyncio.sleep(0.5)

    started = time.perf_counter()
    await asyncio.gather(*(work(c) for c in clients))
    return tally, time.perf_counter() - started


def pick_active(clients: list[Client], count: int) -> list[Client]:
    """`count` clients of different customers (two busy tabs of one customer would move the same appointment)."""
    chosen: dict[int, Client] = {}
    for client in clients:
        chosen.setdefault(client.customer, client)
    return list(chosen.values())[:count]


# ---- phases ----------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    connected: int
    busy: int
    connect_seconds: float
    per_client_mb: float | None
    baseline: Tally
    load: Tally
    load_seconds: float
    tracebacks: int

    @property
    def events_per_second(self) -> float:
        return len(self.load.latencies_ms) / self.load_seconds

    @property
    def rounds_per_second(self) -> float:
        return self.load.rounds / self.load_seconds


def pct(values: list[float], q: float) -> float:
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_phase(name: str, base: str, instances: list[Instance], sessions: list[tuple[int, str]], *,
                    active: int, seconds: float, baseline_seconds: float) -> Phase:
    async with httpx.AsyncClient(timeout=30) as probe:
        warm = await connect_all(base, sessions[:4])  # imports and caches: not per client
        await asyncio.sleep(2)
        for instance in instances:
            await probe.get(f'{instance.base}/_bench/reset')
            await probe.get(f'{instance.base}/_bench/gc')
        rss_before = sum(i.rss_mb() for i in instances)
        started = time.perf_counter()
        clients = await connect_all(base, sessions[4:])
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(6)  # the panel asks each new page for its time zone and waits up to 5 s
        for instance in instances:
            await probe.get(f'{instance.base}/_bench/reset')
            await probe.get(f'{instance.base}/_bench/gc')
        rss_after = sum(i.rss_mb() for i in instances)
        connected = 0
        for instance in instances:
            connected += (await probe.get(f'{instance.base}/_bench/clients')).json()['connected']
    everyone = warm + clients
    failed_to_connect = list(CONNECT_FAILURES)
    CONNECT_FAILURES.clear()
    busy_ones = pick_active(clients, active)
    print(f'  {name}: {connected} clients connected in {connect_seconds:.0f} s; '
          f'{len(busy_ones)} busy customers', flush=True)
    baseline, _ = await busy(busy_ones[:1], baseline_seconds)
    print(f'  {name}: baseline done ({len(baseline.latencies_ms)} events); {len(busy_ones)} busy for {seconds:.0f} s',
          flush=True)
    load, load_seconds = await busy(busy_ones, seconds)
    lost = sum(1 for c in everyone if c.lost)
    if lost:
        load.errors.append(f'{lost} connections lost')
    load.errors += failed_to_connect
    await asyncio.gather(*(c.close() for c in everyone), return_exceptions=True)
    return Phase(name=name, connected=connected, busy=len(busy_ones), connect_seconds=connect_seconds,
                 per_client_mb=(rss_after - rss_before) / len(clients) if clients else None, baseline=baseline,
                 load=load, load_seconds=load_seconds, tracebacks=sum(i.tracebacks() for i in instances))


def report(phase: Phase) -> None:
    b, lo = phase.baseline.latencies_ms, phase.load.latencies_ms
    print(f'\n{phase.name}')
    print(f'  connected clients: {phase.connected}; server memory per client: {phase.per_client_mb:.3f} MB')
    print(f'  baseline (one busy client): {len(b)} events, p50 {pct(b, .5):.0f} ms, p95 {pct(b, .95):.0f} ms')
    print(f'  load ({phase.busy} busy): {len(lo)} events in {phase.load_seconds:.0f} s = '
          f'{phase.events_per_second:.1f} events/s, {phase.rounds_per_second:.2f} rounds/s; '
          f'p50 {pct(lo, .5):.0f} ms, p95 {pct(lo, .95):.0f} ms, max {max(lo, default=float("nan")):.0f} ms')
    print(f'  p95 under load / baseline p95: {pct(lo, .95) / pct(b, .95):.1f}x; rescheduled {phase.load.rescheduled}, '
          f'time taken meanwhile {phase.load.slot_taken}')
    errors = phase.load.errors + phase.baseline.errors
    summary = ', '.join(f'{n}x {e}' for e, n in sorted(_count(errors).items()))
    print(f'  errors: {len(errors)}{" (" + summary + ")" if summary else ""}; server tracebacks: {phase.tracebacks}')


def _count(items: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def verdict(label: str, ok: bool) -> str:
    return f'  {"PASS" if ok else "FAIL"}  {label}'


async def main_async(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix='kairos-bench-load-'))
    name = f'kairos_bench_{uuid.uuid4().hex[:8]}'
    admin = sa.create_engine(POSTGRES_URL, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    url = POSTGRES_URL.rsplit('/', 1)[0] + '/' + name
    prefix = f'kairos-bench-{uuid.uuid4().hex[:8]}:'
    processes: list[subprocess.Popen[bytes]] = []
    try:
        now = datetime.now(UTC)
        print(f'Seeding {args.customers} customers and {args.clients} sessions on PostgreSQL ...', flush=True)
        tenant, customers = seed(url, customers=args.customers, now=now)
        sessions = open_sessions(url, tenant, customers, args.clients + 4, now)
        env = {k: v for k, v in os.environ.items() if k not in {'PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION'}}
        env.update({'KAIROS_DATABASE_URL': url, 'KAIROS_REDIS_URL': REDIS_URL, 'KAIROS_REDIS_PREFIX': prefix,
                    'KAIROS_SECRET': 'bench-secret', 'KAIROS_OUTBOX_DIR': str(work / 'outbox'),
                    'PYTHONPATH': str(ROOT)})
        if args.profile:
            env['KAIROS_BENCH_PROFILE_LOOP'] = str(work / 'loop.prof')

        print('Phase 1: one instance', flush=True)
        one = start_instance(work, 'one', env)
        processes.append(one.process)
        single = await run_phase('One instance', one.base, [one], sessions, active=args.active,
                                 seconds=args.seconds, baseline_seconds=args.baseline_seconds)
        stop(one.process)
        report(single)

        pair: Phase | None = None
        if not args.single_only:
            print('\nPhase 2: two instances behind HAProxy (deploy/haproxy.cfg)', flush=True)
            a, b = start_instance(work, 'a', env), start_instance(work, 'b', env)
            processes += [a.process, b.process]
            lb, base = start_haproxy(work, a, b)
            processes.append(lb)
            pair = await run_phase('Two instances behind HAProxy', base, [a, b], sessions, active=args.active,
                                   seconds=args.seconds, baseline_seconds=args.baseline_seconds)
            report(pair)

        print('\nTargets')
        p95 = pct(single.load.latencies_ms, .95)
        print(verdict(f'one instance, {single.connected} connected, {args.active} busy: p95 event to update '
                      f'{p95:.0f} ms < {P95_TARGET_MS:.0f} ms', p95 < P95_TARGET_MS))
        print(verdict(f'one instance: no error ({len(single.load.errors)} errors, {single.tracebacks} tracebacks)',
                      not single.load.errors and not single.tracebacks))
        if pair is not None:
            ratio = pair.events_per_second / single.events_per_second
            print(verdict(f'two instances: {ratio:.2f}x the events per second of one (target {SCALE_TARGET}x)',
                          ratio >= SCALE_TARGET))
            print(verdict(f'two instances: no error ({len(pair.load.errors)} errors, {pair.tracebacks} tracebacks)',
                          not pair.load.errors and not pair.tracebacks))
        print(f'\n(cores: {os.cpu_count()}; load average before the end: {os.getloadavg()[0]:.1f}; the bench '
              'client, HAProxy, PostgreSQL and Redis share these cores with the servers)')
    finally:
        for process in processes:
            stop(process)
        if args.profile:
            print_profiles(work)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        admin.dispose()
        try:
            import redis

            with redis.Redis.from_url(REDIS_URL) as r:
                for key in r.scan_iter(match=f'{prefix}*'):
                    r.delete(key)
        except Exception:
            pass
        if args.keep:
            print(f'kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)


def print_profiles(work: Path) -> None:
    """Where each server's event loop spent its CPU (--profile)."""
    import pstats

    for path in sorted(work.glob('loop.prof.*')):
        print(f'\nEvent loop CPU of server {path.suffix[1:]}:')
        stats = pstats.Stats(str(path))
        stats.sort_stats('tottime').print_stats(25)
        stats.sort_stats('cumulative').print_stats(r'/(ui|services|storage|domain)/', 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--clients', type=int, default=1000, help='connected panel clients')
    parser.add_argument('--active', type=int, default=50, help='of which busy at the same time')
    parser.add_argument('--customers', type=int, default=200, help='customers the clients belong to')
    parser.add_argument('--seconds', type=float, default=30, help='length of the busy period of each phase')
    parser.add_argument('--baseline-seconds', type=float, default=8, help='one busy client alone, per phase')
    parser.add_argument('--single-only', action='store_true', help='skip the two-instance phase')
    parser.add_argument('--keep', action='store_true', help='keep the temporary folder (server logs)')
    parser.add_argument('--profile', action='store_true',
                        help="profile each server's event loop (CPU) for the whole run; print where it went")
    args = parser.parse_args()
    if args.active > args.customers:
        parser.error('--active must not exceed --customers')
    asyncio.run(main_async(args))


if __name__ == '__main__':
    main()
