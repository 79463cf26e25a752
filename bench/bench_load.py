"""Load on the panel (issue 15, item 5): many connected customers, some of them busy; one instance, then two behind
HAProxy.

Run: .venv/bin/python bench/bench_load.py [--clients 1000] [--active 50] [--seconds 40] [--think 1,2]
                                          [--saturation-seconds 30] [--workers 4] [--customers 200] [--single-only]

It makes a fresh PostgreSQL database (KAIROS_BENCH_POSTGRES_URL, default the tests' server), seeds a studio with
`--customers` customers who each have upcoming and past appointments, opens one session per client, and then, on
loopback only, for one instance (bench/panel_server.py: the real app plus the bench's sign-in route) with PostgreSQL
and Redis, and again for two instances behind HAProxy with deploy/haproxy.cfg (clients spread by its sticky cookie):

- `--clients` raw socket.io clients (the browser's protocol, as in bench_panel.py), spread over `--workers` bench
  processes, open the panel and stay connected; server memory before and after, per client;
- baseline: one busy client alone among them, steps back to back;
- paced: `--active` people at once, each with their own customer, each pausing `--think` seconds (uniform) before
  every step, as a person reading the screen does: switch to Past and back to Upcoming, open Details and close it,
  open Reschedule, pick a date at least two days ahead, a time of it, give a reason when it was moved before,
  confirm. Each step's latency is from the event sent to the update that shows its answer (the tab's rows, the
  drawer open with its times, the time marked chosen, the drawer closed or a refusal shown);
- saturated: the same `--active` clients back to back (no pause): the most the servers do, the throughput that one
  and two instances are compared by (a paced closed loop's throughput is set by its people, not by the servers).

Printed: per period p50/p95/max latency (and p95 per step), events and rounds per second, the servers' CPU per
event, the bench's own CPU, errors (a step without an answer within 10 s, a lost connection, a server traceback),
memory per client, and the targets: p95 under 200 ms on one instance (paced), two instances at least 1.6x one's
events per second (saturated), no error. Bounded: at most `--clients` connections and the periods' seconds.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import multiprocessing
import os
import random
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
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import orjson
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
ACK_SECONDS = 3.0  # how often a page acknowledges the messages it received (NiceGUI's nicegui.js)
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


class SlotGone(Exception):
    """The time (or date) the customer picked was taken by someone else before the answer came: not an error."""


class _OrJson:
    """python-socketio's JSON codec, in C: the bench's own parsing must not compete with the servers for the CPU."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return orjson.loads(text)


def _events(element: dict[str, Any] | None) -> list[dict[str, Any]]:
    return (element or {}).get('events') or []


def _props(element: dict[str, Any] | None) -> dict[str, Any]:
    return (element or {}).get('props') or {}


@dataclass
class Client:
    """One signed-in panel over the websocket: keeps the page's elements up to date from the server's updates, as the
    browser does (an element in an update replaces the copy; null deletes it)."""

    customer: int
    http: httpx.AsyncClient
    sio: socketio.AsyncClient
    client_id: str = ''
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)
    updates: int = 0
    last_update_at: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    next_message_id: int = 0  # of the server's messages to this page: the one expected next (as the browser counts)
    acked_message_id: int = -1
    lost: bool = False
    rounds: int = 0
    view_id: str = ''
    _view_raw: Any = None
    _view_state: dict[str, Any] = field(default_factory=dict)

    async def close(self) -> None:
        try:
            await self.sio.disconnect()
        finally:
            await self.http.aclose()

    def on_message(self, data: Any) -> None:
        """Count the message as the browser does (its `_id`), for `ack`."""
        message_id = data.get('_id') if isinstance(data, dict) else None
        if isinstance(message_id, int) and message_id >= self.next_message_id:
            self.next_message_id = message_id + 1

    async def ack(self) -> None:
        """Tell the server which messages arrived, as the browser does every 3 s when some did: the server keeps each
        page's messages until then, to send them again after a reconnection. Without it every update the bench
        received stayed in the server's memory for the whole of NiceGUI's history window (tens of seconds), which a
        browser's page never makes it do."""
        if self.lost or self.acked_message_id >= self.next_message_id:
            return
        self.acked_message_id = self.next_message_id
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            await self.sio.emit('ack', {'client_id': self.client_id, 'next_message_id': self.next_message_id})

    def on_update(self, data: dict[str, Any]) -> None:
        self.on_message(data)
        self.last_update_at = time.perf_counter()
        elements = self.elements
        for key, element in data.items():
            if key == '_id':
                continue
            if element is None:
                elements.pop(key, None)
            else:
                elements[key] = element
        self.updates += 1
        self.changed.set()

    def find(self, predicate: Any) -> list[str]:
        return [k for k, e in self.elements.items() if predicate(e)]

    def view(self) -> dict[str, Any]:
        """The Appointments element's state (parsed again only when the element changed)."""
        if not self.view_id or self.view_id not in self.elements:
            found = self.find(lambda e: 'data' in _props(e) and any(ev['type'] == 'view' for ev in _events(e)))
            if not found:
                raise StepFailed('no appointments view on the page')
            self.view_id = found[0]
        raw = _props(self.elements[self.view_id]).get('data')
        if raw is not self._view_raw:
            self._view_raw, self._view_state = raw, orjson.loads(raw)
        return self._view_state

    async def send(self, element_id: str, kind: str, args: Any) -> float:
        """Send one event like the browser does (element id, listener id, arguments); the time it left."""
        element = self.elements.get(element_id)
        listener = next((e['listener_id'] for e in _events(element) if e['type'] == kind), None)
        if listener is None:
            raise StepFailed(f'{_tag(element)} has no {kind} listener (it has {[e["type"] for e in _events(element)]})')
        started = time.perf_counter()
        try:
            await self.sio.emit('event', {'id': int(element_id), 'client_id': self.client_id,
                                          'listener_id': listener, 'args': [orjson.dumps(args).decode()]})
        except socketio.exceptions.SocketIOError as failure:
            self.lost = True
            raise StepFailed('connection lost') from failure
        return started

    async def step(self, tally: Tally | None, element_id: str, kind: str, args: Any, answered: Any,
                   what: str) -> None:
        """One timed step: the event, then the seconds until the update that shows its answer (`answered()`
        true), measured at that update's arrival."""
        started = await self.send(element_id, kind, args)
        await self.until(answered, what=what)
        if tally is not None:
            tally.add(what, (max(self.last_update_at, started) - started) * 1000)

    async def until(self, condition: Any, timeout: float = STEP_TIMEOUT, what: str = '') -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            if self.lost:
                raise StepFailed('connection lost')
            left = deadline - time.perf_counter()
            if left <= 0:
                raise StepFailed(f'no answer within {timeout:.0f} s{" to " + what if what else ""}')
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=left)
            except TimeoutError:
                pass


def _tag(element: dict[str, Any] | None) -> str:
    if element is None:
        return 'a deleted element'
    return f'a {element.get("tag")} ({_props(element).get("aria-label") or _props(element).get("label") or ""})'


async def connect(base: str, session_id: str, customer: int) -> Client:
    http = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True)
    sio = socketio.AsyncClient(reconnection=False, json=_OrJson)
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
    client.elements = {str(k): v for k, v in orjson.loads(raw).items()}
    client.client_id = query['client_id']
    client.next_message_id = int(query.get('next_message_id', 0))

    @sio.on('update')
    async def _update(data: dict[str, Any]) -> None:
        client.on_update(data)

    @sio.on('*')
    async def _other(_event: str, data: Any = None) -> None:  # run_javascript, notify, ...: counted as well
        client.on_message(data)

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


async def connect_all(base: str, sessions: list[tuple[int, str]], parallel: int,
                      failures: list[str]) -> list[Client]:
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
                        failures.append(f'connect: {type(failure).__name__}: {str(failure)[:80]}')
                    await asyncio.sleep(1 + attempt)
            return None

    return [c for c in await asyncio.gather(*(one(c, s) for c, s in sessions)) if c is not None]


# ---- the work of a busy customer -------------------------------------------------------------------------------

STEPS = ('tab Past', 'tab Upcoming', 'Details open', 'Details close', 'Reschedule open', 'date', 'time', 'confirm')


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    rounds: int = 0
    errors: list[str] = field(default_factory=list)
    rescheduled: int = 0
    slot_taken: int = 0
    untimed_events: int = 0  # what the browser sends by itself (a drawer's hide) and typing, which needs no answer

    def add(self, step: str, ms: float) -> None:
        self.latencies_ms.setdefault(step, []).append(ms)

    def all_ms(self) -> list[float]:
        return [ms for values in self.latencies_ms.values() for ms in values]

    def merge(self, other: Tally) -> None:
        for step, values in other.latencies_ms.items():
            self.latencies_ms.setdefault(step, []).extend(values)
        self.rounds += other.rounds
        self.errors += other.errors
        self.rescheduled += other.rescheduled
        self.slot_taken += other.slot_taken
        self.untimed_events += other.untimed_events


def _drawers(client: Client) -> list[str]:
    return client.find(lambda e: 'dialog' in str(e.get('tag')) and any(ev['type'] == 'hide' for ev in _events(e)))


def open_drawers(client: Client) -> list[str]:
    return [key for key in _drawers(client) if _props(client.elements.get(key)).get('model-value')]


def closed_drawers(client: Client) -> list[str]:
    return [key for key in _drawers(client) if not _props(client.elements.get(key)).get('model-value')]


def _descendants(client: Client, root: str) -> list[str]:
    found, todo = [], [root]
    while todo:
        element = client.elements.get(todo.pop())
        if element is None:
            continue
        children = [str(c) for c in element.get('children', [])]
        children += [str(c) for slot in (element.get('slots') or {}).values() for c in slot.get('ids', [])]
        found += children
        todo += children
    return found


def in_drawer(client: Client, drawer: str, predicate: Any) -> list[str]:
    return [key for key in _descendants(client, drawer)
            if key in client.elements and predicate(client.elements[key])]


def _clickable(e: dict[str, Any]) -> bool:
    return any(ev['type'] == 'click' for ev in _events(e))


def _times_element(e: dict[str, Any]) -> bool:
    return 'times' in _props(e) and any(ev['type'] == 'choose' for ev in _events(e))


def times_in(client: Client, drawer: str) -> tuple[str, list[dict[str, Any]]]:
    """The slot picker's times in the drawer: one element (ui/components/slot_times.js) and the times it shows
    ({start, label, name, seats}, each drawn as a button named by its time); ('', []) when it shows none. A click on a
    time is the element's `choose` event with the time's start; the chosen start is its `chosen` prop."""
    found = in_drawer(client, drawer, _times_element)
    if not found:
        return '', []
    times = orjson.loads(_props(client.elements[found[0]]).get('times') or '[]')
    return found[0], [time for time in times if TIME_LABEL.match(str(time.get('name', '')))]


def _times_shown(client: Client, drawer: str) -> tuple[str, Any, Any]:
    """What the drawer's times are now (element, its name 'Free times on <day>', its times): another day changes it."""
    grid, _ = times_in(client, drawer)
    props = _props(client.elements.get(grid))
    return grid, props.get('aria-label'), props.get('times')


def _has_text(element: dict[str, Any], text: str) -> bool:
    return element.get('text') == text or _props(element).get('label') == text


async def think(pause: tuple[float, float] | None, rng: random.Random) -> None:
    """A person looks at the screen before the next step (None: back to back, no person)."""
    if pause is not None:
        await asyncio.sleep(rng.uniform(*pause))


async def hide_closed(client: Client, tally: Tally) -> None:
    """What the browser says once a dialog has slid out: the server then deletes the drawer."""
    for key in closed_drawers(client):
        await client.send(key, 'hide', {})
        tally.untimed_events += 1
    await client.until(lambda: not closed_drawers(client), what='a hidden drawer to go')


async def one_round(client: Client, tally: Tally, pause: tuple[float, float] | None, rng: random.Random) -> None:
    """Past tab, Upcoming tab, Details open and closed, Reschedule: a date at least two days ahead, a time of it,
    (a reason when the appointment was moved before), confirm."""
    client.view()
    view_id = client.view_id
    await think(pause, rng)
    await client.step(tally, view_id, 'view', {'tab': 'past'}, lambda: client.view().get('tab') == 'past', STEPS[0])
    await think(pause, rng)
    await client.step(tally, view_id, 'view', {'tab': 'upcoming'},
                      lambda: client.view().get('tab') == 'upcoming', STEPS[1])
    await think(pause, rng)
    rows = client.view()['rows']
    if not rows:
        raise StepFailed('no upcoming appointments shown')
    await client.step(tally, view_id, 'action', {'kind': 'details', 'id': rows[0]['id']},
                      lambda: bool(open_drawers(client)), STEPS[2])
    drawer = open_drawers(client)[0]
    await think(pause, rng)
    close = in_drawer(client, drawer, lambda e: _props(e).get('aria-label') == 'Close' and _clickable(e))
    if not close:
        raise StepFailed('no Close button in the Details drawer')
    await client.step(tally, close[0], 'click', {}, lambda: drawer not in open_drawers(client), STEPS[3])
    await hide_closed(client, tally)

    await think(pause, rng)
    movable = [row for row in client.view()['rows'] if row.get('can_reschedule')]
    if not movable:
        raise StepFailed('nothing to reschedule')
    client.rounds += 1
    target = movable[client.rounds % len(movable)]['id']
    # Answered when the drawer shows the first date's free times (what the person waits for).
    await client.step(tally, view_id, 'action', {'kind': 'reschedule', 'id': target},
                      lambda: any(times_in(client, d)[1] for d in open_drawers(client)), STEPS[4])
    drawer = open_drawers(client)[0]
    try:
        await reschedule(client, drawer, tally, pause, rng)
    except SlotGone:
        tally.slot_taken += 1
        close = in_drawer(client, drawer, lambda e: _props(e).get('aria-label') == 'Close' and _clickable(e))
        if close and drawer in open_drawers(client):
            await client.send(close[0], 'click', {})
            tally.untimed_events += 1
            await client.until(lambda: drawer not in open_drawers(client), what='Close')
    await hide_closed(client, tally)
    tally.rounds += 1


async def reschedule(client: Client, drawer: str, tally: Tally, pause: tuple[float, float] | None,
                     rng: random.Random) -> None:
    """Each choice is made after the pause, from the page as it is then (another customer may have taken a time
    meanwhile, and the picker takes it away: the person picks again, the bench counts it as taken)."""
    calendar = in_drawer(client, drawer, lambda e: 'options' in _props(e) and 'navigation' in
                         {ev['type'] for ev in _events(e)})
    if not calendar:
        raise StepFailed('no date picker in the Reschedule drawer')
    await think(pause, rng)
    options = _props(client.elements.get(calendar[0])).get('options') or []
    soon = (datetime.now(UTC) + timedelta(days=2)).strftime('%Y/%m/%d')
    later = [day for day in options if day >= soon]
    if later:  # a day far enough ahead that the appointment can be moved again in a later round
        day = rng.choice(later[:10]).replace('/', '-')
        shown = _times_shown(client, drawer)
        await client.step(tally, calendar[0], 'update:modelValue', day,
                          lambda: _times_shown(client, drawer) != shown
                          or bool(in_drawer(client, drawer, lambda e: str(e.get('text', '')).startswith('No free'))),
                          STEPS[5])
    await think(pause, rng)
    grid, times = times_in(client, drawer)
    if not times:
        raise SlotGone()
    chosen = rng.choice(times[:12])['start']

    def gone() -> bool:
        return all(time['start'] != chosen for time in times_in(client, drawer)[1])

    await client.step(tally, grid, 'choose', chosen,
                      lambda: gone() or _props(client.elements.get(grid)).get('chosen') == chosen, STEPS[6])
    confirm = in_drawer(client, drawer, lambda e: _has_text(e, 'Confirm new time'))
    if not confirm:
        raise StepFailed('no Confirm button in the Reschedule drawer')

    def disabled() -> bool:
        return bool(_props(client.elements.get(confirm[0])).get('disable'))

    await client.until(lambda: gone() or not disabled(), what='Confirm enabled')
    reason = in_drawer(client, drawer, lambda e: _props(e).get('label') == 'Reason for moving it again')
    if reason:  # moved before: the business wants to know why (an input: the browser keeps what was typed, no answer)
        await think(pause, rng)
        await client.send(reason[0], 'update:value', 'Bench, once more')
        tally.untimed_events += 1
    await think(pause, rng)
    if gone() or disabled():  # taken meanwhile: the picker took the time away and said so
        raise SlotGone()
    alert = in_drawer(client, drawer, lambda e: _props(e).get('role') == 'alert')

    def answered() -> bool:  # moved (the drawer closes), refused (it says why), or the time went just before
        return drawer not in open_drawers(client) or gone() or any(client.elements.get(a, {}).get('text')
                                                                    for a in alert)

    try:
        await client.step(tally, confirm[0], 'click', {}, answered, STEPS[7])
    except StepFailed as failure:  # say what the drawer showed then
        status = [client.elements[k].get('text') for k in in_drawer(client, drawer, lambda e: _props(e).get('role')
                                                                      in ('status', 'alert') and e.get('text'))]
        raise StepFailed(f'{failure} (drawer open: {drawer in open_drawers(client)}, Confirm disabled: '
                         f'{disabled()}, said: {status})') from None
    if drawer in open_drawers(client):  # the drawer says the time was taken meanwhile and stays
        raise SlotGone()
    tally.rescheduled += 1


# ---- the bench's own processes: clients spread over workers, each its own event loop ---------------------------


def worker_main(conn: Connection, seed_value: int) -> None:
    asyncio.run(_worker(conn, seed_value))


async def _worker(conn: Connection, seed_value: int) -> None:
    loop = asyncio.get_running_loop()
    clients: list[Client] = []
    busy: list[Client] = []
    rng = random.Random(seed_value)
    acking = asyncio.create_task(ack_every(ACK_SECONDS, clients))
    while True:
        command, *args = await loop.run_in_executor(None, conn.recv)
        cpu = time.process_time()
        if command == 'connect':
            base, sessions, parallel = args
            failures: list[str] = []
            connected = await connect_all(base, [(c, s) for c, s, _ in sessions], parallel, failures)
            clients += connected
            wanted = {c for c, _, flag in sessions if flag}
            seen: set[int] = set()
            for client in connected:
                if client.customer in wanted and client.customer not in seen:
                    seen.add(client.customer)
                    busy.append(client)
            conn.send((len(connected), failures, len(busy), time.process_time() - cpu))
        elif command == 'run':
            seconds, pause, limit = args
            tally = await run_busy(busy[:limit] if limit else busy, seconds, pause, rng)
            conn.send((tally, time.process_time() - cpu))
        elif command == 'close':
            lost = sum(1 for c in clients if c.lost)
            acking.cancel()
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
            conn.send((lost, time.process_time() - cpu))
            return


async def ack_every(seconds: float, clients: list[Client]) -> None:
    """Every page acknowledges what it received (`Client.ack`), at a phase of its own like the browsers' timers."""
    while True:
        await asyncio.sleep(seconds / 10)
        slot = int(time.monotonic() * 10 / seconds) % 10
        await asyncio.gather(*(c.ack() for n, c in enumerate(clients) if n % 10 == slot))


async def run_busy(clients: list[Client], seconds: float, pause: tuple[float, float] | None,
                   rng: random.Random) -> Tally:
    """Each client does rounds until the time is up (a round started goes on to its end, so that no drawer is left
    open for the next period; its events are counted, and the period's length is measured to the last one)."""
    tally = Tally()
    stop_at = time.perf_counter() + seconds

    async def work(client: Client) -> None:
        if pause is not None:  # people do not all start at the same moment
            await asyncio.sleep(rng.uniform(0, pause[1]))
        while time.perf_counter() < stop_at:
            try:
                await one_round(client, tally, pause, rng)
            except StepFailed as failure:
                tally.errors.append(str(failure))
                await asyncio.sleep(0.5)
                await recover(client)

    await asyncio.gather(*(work(c) for c in clients))
    return tally


async def recover(client: Client) -> None:
    """After a failed step: close what is open so the next round starts from the panel."""
    try:
        for drawer in open_drawers(client):
            close = in_drawer(client, drawer, lambda e: _props(e).get('aria-label') == 'Close' and _clickable(e))
            if close:
                await client.send(close[0], 'click', {})
        await client.until(lambda: not open_drawers(client), timeout=5)
        for key in closed_drawers(client):
            await client.send(key, 'hide', {})
    except StepFailed:
        pass


class Workers:
    """The bench's client processes: `count` of them share the connections and the busy customers."""

    def __init__(self, count: int) -> None:
        ctx = multiprocessing.get_context('spawn')
        self.pipes: list[Connection] = []
        self.processes = []
        for n in range(count):
            mine, theirs = ctx.Pipe()
            process = ctx.Process(target=worker_main, args=(theirs, 1000 + n), daemon=True)
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)
        self.cpu = 0.0

    def ask(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        answers = [pipe.recv() for pipe in self.pipes]
        self.cpu += sum(a[-1] for a in answers)
        return answers

    def stop(self) -> None:
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


# ---- phases ----------------------------------------------------------------------------------------------------


@dataclass
class Period:
    """One busy period: what happened and what it cost."""

    tally: Tally
    seconds: float
    server_cpu: float  # seconds of CPU the server processes used during it
    bench_cpu: float  # seconds of CPU the bench's client processes used
    machine_cpu: float = 0.0  # seconds of CPU the whole machine used (all processes: /proc/stat)
    gc_runs: list[list[float]] = field(default_factory=list)  # per generation: [runs, seconds], all servers
    gc_full_ms: list[float] = field(default_factory=list)  # each full collection's pause (the whole server waits)
    loop_lag_ms: list[float] = field(default_factory=list)  # the event loop's lag, sampled every 20 ms
    pool_wait_ms: list[float] = field(default_factory=list)  # each run.io_bound call's wait for a pool thread
    live_wait_ms: list[float] = field(default_factory=list)  # each live-update read's wait for a live thread
    pool_calls: dict[str, list[float]] = field(default_factory=dict)  # function: [calls, wall s, CPU s] on the pool

    @property
    def events(self) -> int:
        return len(self.tally.all_ms())

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds

    @property
    def server_ms_per_event(self) -> float:
        return self.server_cpu * 1000 / max(1, self.events + self.tally.untimed_events)


@dataclass
class Phase:
    name: str
    connected: int
    busy: int
    connect_seconds: float
    per_client_mb: float | None
    baseline: Period
    paced: Period
    saturated: Period
    errors: list[str]
    tracebacks: int
    load_average: tuple[float, float]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float:
    ticks = os.sysconf('SC_CLK_TCK')
    total = 0.0
    for process in processes:
        fields = Path(f'/proc/{process.pid}/stat').read_text().rsplit(')', 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def machine_cpu_seconds() -> float:
    """The CPU the whole machine has used since boot, every process (user, nice, system, irq, softirq, steal)."""
    fields = [int(x) for x in Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]]
    return (sum(fields[:3]) + sum(fields[5:8])) / os.sysconf('SC_CLK_TCK')


def split(sessions: list[tuple[int, str, bool]], parts: int) -> list[list[tuple[int, str, bool]]]:
    """Round robin, so every worker has busy customers and idle ones."""
    return [sessions[n::parts] for n in range(parts)]


def waits(bases: list[str]) -> list[dict[str, Any]]:
    """What each server measured so far of its cycle collector, event loop lag and pool waits (`/_bench/waits`)."""
    return [httpx.get(f'{base}/_bench/waits', timeout=30).json() for base in bases]


def run_period(workers: Workers, servers: list[subprocess.Popen[bytes]], seconds: float,
               pause: tuple[float, float] | None, *, only_one: bool = False, bases: list[str] | None = None) -> Period:
    waits_before = waits(bases or [])
    cpu_before, bench_before, started = cpu_seconds(servers), workers.cpu, time.perf_counter()
    machine_before = machine_cpu_seconds()
    if only_one:  # the first worker's first busy client, the others idle
        commands = [('run', seconds, pause, 1)] + [('run', 0, pause, 1)] * (len(workers.pipes) - 1)
    else:
        commands = [('run', seconds, pause, 0)] * len(workers.pipes)
    answers = workers.ask(commands)
    elapsed = time.perf_counter() - started
    tally = Tally()
    for part, _ in answers:
        tally.merge(part)
    period = Period(tally=tally, seconds=elapsed, server_cpu=cpu_seconds(servers) - cpu_before,
                    bench_cpu=workers.cpu - bench_before, machine_cpu=machine_cpu_seconds() - machine_before)
    period.gc_runs = [[0, 0.0] for _ in range(3)]
    for before, after in zip(waits_before, waits(bases or []), strict=True):
        for generation in range(3):
            for i in range(2):
                period.gc_runs[generation][i] += after['runs'][generation][i] - before['runs'][generation][i]
        period.gc_full_ms += [1000 * s for s in after['full_seconds'][len(before['full_seconds']):]]
        period.loop_lag_ms += [1000 * s for s in after['lag_seconds'][len(before['lag_seconds']):]]
        period.pool_wait_ms += [1000 * s for s in after['pool_wait_seconds'][len(before['pool_wait_seconds']):]]
        period.live_wait_ms += [1000 * s for s in after['live_wait_seconds'][len(before['live_wait_seconds']):]]
        for name, (calls, wall, cpu) in after['pool_calls'].items():
            was = before['pool_calls'].get(name, [0, 0.0, 0.0])
            held = period.pool_calls.setdefault(name, [0, 0.0, 0.0])
            for i, value in enumerate((calls - was[0], wall - was[1], cpu - was[2])):
                held[i] += value
    return period


def run_phase(name: str, base: str, instances: list[Instance], sessions: list[tuple[int, str]],
              args: argparse.Namespace) -> Phase:
    servers = [i.process for i in instances]
    # busy: the first client of each of the first --active customers (two busy tabs of one customer would move the
    # same appointment); client i belongs to customer i mod --customers.
    busy_customers = list(dict.fromkeys(c for c, _ in sessions[4:]))[:args.active]
    marked, taken = [], set()
    for customer, session_id in sessions[4:]:
        flag = customer in busy_customers and customer not in taken
        if flag:
            taken.add(customer)
        marked.append((customer, session_id, flag))
    workers = Workers(args.workers)
    errors: list[str] = []
    try:
        warm = Workers(1)  # imports and caches: not per client
        warm.ask([('connect', base, [(c, s, False) for c, s in sessions[:4]], 4)])
        time.sleep(2)
        for instance in instances:
            httpx.get(f'{instance.base}/_bench/reset', timeout=30)
            httpx.get(f'{instance.base}/_bench/gc', timeout=30)
        rss_before = sum(i.rss_mb() for i in instances)
        started = time.perf_counter()
        answers = workers.ask([('connect', base, part, max(1, 8 // args.workers))
                               for part in split(marked, args.workers)])
        connect_seconds = time.perf_counter() - started
        for _, failures, _, _ in answers:
            errors += failures
        time.sleep(6)  # the panel asks each new page for its time zone and waits up to 5 s
        for instance in instances:
            httpx.get(f'{instance.base}/_bench/reset', timeout=30)
            httpx.get(f'{instance.base}/_bench/gc', timeout=30)
        rss_after = sum(i.rss_mb() for i in instances)
        connected = sum(httpx.get(f'{i.base}/_bench/clients', timeout=30).json()['connected'] for i in instances)
        busy = sum(a[2] for a in answers)
        clients = sum(a[0] for a in answers)
        print(f'  {name}: {connected} clients connected in {connect_seconds:.0f} s; {busy} busy customers '
              f'(server pids {", ".join(str(p.pid) for p in servers)})', flush=True)
        bases = [i.base for i in instances]
        baseline = run_period(workers, servers, args.baseline_seconds, None, only_one=True, bases=bases)
        print(f'  {name}: baseline done ({baseline.events} events); {busy} busy with a think time of '
              f'{args.think[0]:g}-{args.think[1]:g} s for {args.seconds:.0f} s', flush=True)
        paced = run_period(workers, servers, args.seconds, args.think, bases=bases)
        print(f'  {name}: paced done ({paced.events} events); {busy} busy back to back for '
              f'{args.saturation_seconds:.0f} s', flush=True)
        saturated = run_period(workers, servers, args.saturation_seconds, None, bases=bases)
        load_average = os.getloadavg()[:2]
        kept = sum(httpx.get(f'{i.base}/_bench/clients', timeout=30).json()['kept_messages'] for i in instances)
        print(f'  {name}: saturated done; the servers keep {kept} messages to send again after a reconnection '
              f'(until their pages acknowledge them, every {ACK_SECONDS:g} s)', flush=True)
        lost = sum(a[0] for a in workers.ask([('close',)] * len(workers.pipes)))
        warm.ask([('close',)])
        warm.stop()
        if lost:
            errors.append(f'{lost} connections lost')
    finally:
        workers.stop()
    return Phase(name=name, connected=connected, busy=busy, connect_seconds=connect_seconds,
                 per_client_mb=(rss_after - rss_before) / clients if clients else None, baseline=baseline,
                 paced=paced, saturated=saturated, errors=errors, tracebacks=sum(i.tracebacks() for i in instances),
                 load_average=(load_average[0], load_average[1]))


def report(phase: Phase) -> None:
    print(f'\n{phase.name} (load average {phase.load_average[0]:.1f}, {phase.load_average[1]:.1f})')
    print(f'  connected clients: {phase.connected} in {phase.connect_seconds:.0f} s; server memory per client: '
          f'{phase.per_client_mb:.3f} MB')
    for label, period in (('baseline, one busy client back to back', phase.baseline),
                          (f'paced, {phase.busy} busy, think time', phase.paced),
                          (f'saturated, {phase.busy} busy back to back', phase.saturated)):
        values = period.tally.all_ms()
        print(f'  {label}: {period.events} events in {period.seconds:.0f} s = {period.events_per_second:.1f} '
              f'events/s, {period.tally.rounds / period.seconds:.2f} rounds/s; p50 {pct(values, .5):.0f} ms, '
              f'p95 {pct(values, .95):.0f} ms, max {max(values, default=float("nan")):.0f} ms')
        print(f'      server CPU {period.server_cpu:.1f} s = {period.server_cpu / period.seconds:.2f} cores, '
              f'{period.server_ms_per_event:.1f} ms per event (with {period.tally.untimed_events} untimed: hide, '
              f'typing); bench clients {period.bench_cpu / period.seconds:.2f} cores; rescheduled '
              f'{period.tally.rescheduled}, time taken meanwhile {period.tally.slot_taken}, errors '
              f'{len(period.tally.errors)}')
        rest = period.machine_cpu - period.server_cpu - period.bench_cpu
        print(f'      machine CPU {period.machine_cpu / period.seconds:.2f} cores of {os.cpu_count()}: the rest '
              f'(PostgreSQL, Redis, HAProxy, anything else running) {rest / period.seconds:.2f} cores, '
              f'{1000 * rest / max(period.events + period.tally.untimed_events, 1):.1f} ms per event')
        if period.gc_runs:
            young = ', '.join(f'{int(runs)} of generation {g} ({1000 * secs:.0f} ms)'
                              for g, (runs, secs) in enumerate(period.gc_runs[:2]))
            full = period.gc_full_ms
            print(f'      cycle collector: {len(full)} full collections ({sum(full):.0f} ms, longest '
                  f'{max(full, default=0):.0f} ms: every event waits for one), {young}')
            lag, pool = period.loop_lag_ms, period.pool_wait_ms
            print(f'      event loop lag p50/p95/max {pct(lag, .5):.0f}/{pct(lag, .95):.0f}/'
                  f'{max(lag, default=float("nan")):.0f} ms; run.io_bound wait for a pool thread p50/p95/max '
                  f'{pct(pool, .5):.0f}/{pct(pool, .95):.0f}/{max(pool, default=float("nan")):.0f} ms '
                  f'({len(pool)} calls)')
            live = period.live_wait_ms
            print(f"      live-update reads (another tab's or person's change shown here) wait for a live thread "
                  f'p50/p95/max {pct(live, .5):.0f}/{pct(live, .95):.0f}/{max(live, default=float("nan")):.0f} ms '
                  f'({len(live)} reads)')
            top = sorted(period.pool_calls.items(), key=lambda item: -item[1][1])[:6]
            print('      pool threads held by (calls, wall s, CPU s): ' + '; '.join(
                f'{name.rsplit(".", 2)[-2]}.{name.rsplit(".", 1)[-1]} {int(c)}, {w:.1f}, {u:.1f}'
                for name, (c, w, u) in top if c))
        if period is not phase.baseline:
            steps = ', '.join(f'{step} {pct(period.tally.latencies_ms.get(step, []), .95):.0f}' for step in STEPS)
            print(f'      p95 per step (ms): {steps}')
    errors = phase.errors + phase.baseline.tally.errors + phase.paced.tally.errors + phase.saturated.tally.errors
    summary = ', '.join(f'{n}x {e}' for e, n in sorted(_count(errors).items()))
    print(f'  errors: {len(errors)}{" (" + summary + ")" if summary else ""}; server tracebacks: {phase.tracebacks}')


def phase_errors(phase: Phase) -> int:
    return (len(phase.errors) + len(phase.baseline.tally.errors) + len(phase.paced.tally.errors)
            + len(phase.saturated.tally.errors))


def _count(items: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def verdict(label: str, ok: bool) -> str:
    return f'  {"PASS" if ok else "FAIL"}  {label}'


def main_run(args: argparse.Namespace) -> None:
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
        print(f'(bench clients in {args.workers} processes; think time {args.think[0]:g}-{args.think[1]:g} s, '
              'uniform, before each step of a person)', flush=True)

        print('Phase 1: one instance', flush=True)
        one = start_instance(work, 'one', env)
        processes.append(one.process)
        single = run_phase('One instance', one.base, [one], sessions, args)
        stop(one.process)
        report(single)

        pair: Phase | None = None
        if not args.single_only:
            print('\nPhase 2: two instances behind HAProxy (deploy/haproxy.cfg)', flush=True)
            a, b = start_instance(work, 'a', env), start_instance(work, 'b', env)
            processes += [a.process, b.process]
            lb, base = start_haproxy(work, a, b)
            processes.append(lb)
            pair = run_phase('Two instances behind HAProxy', base, [a, b], sessions, args)
            report(pair)

        print('\nTargets')
        p95 = pct(single.paced.tally.all_ms(), .95)
        print(verdict(f'one instance, {single.connected} connected, {single.busy} busy people (think time '
                      f'{args.think[0]:g}-{args.think[1]:g} s): p95 event to answer {p95:.0f} ms < '
                      f'{P95_TARGET_MS:.0f} ms', p95 < P95_TARGET_MS))
        print(verdict(f'one instance: no error ({phase_errors(single)} errors, {single.tracebacks} tracebacks)',
                      not phase_errors(single) and not single.tracebacks))
        if pair is not None:
            ratio = pair.saturated.events_per_second / single.saturated.events_per_second
            print(verdict(f'two instances at saturation (back to back): {ratio:.2f}x the events per second of one '
                          f'(target {SCALE_TARGET}x)', ratio >= SCALE_TARGET))
            print(verdict(f'two instances: no error ({phase_errors(pair)} errors, {pair.tracebacks} tracebacks)',
                          not phase_errors(pair) and not pair.tracebacks))
            pp95 = pct(pair.paced.tally.all_ms(), .95)
            print(f'  (two instances, paced: p95 {pp95:.0f} ms)')
        print(f'\n(cores: {os.cpu_count()}; load average at the end: {os.getloadavg()[0]:.1f}; the bench clients, '
              'HAProxy, PostgreSQL and Redis share these cores with the servers)')
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


def _think(value: str) -> tuple[float, float]:
    low, _, high = value.partition(',')
    pause = (float(low), float(high or low))
    if not 0 <= pause[0] <= pause[1]:
        raise argparse.ArgumentTypeError('LOW,HIGH seconds, 0 <= LOW <= HIGH')
    return pause


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--clients', type=int, default=1000, help='connected panel clients')
    parser.add_argument('--active', type=int, default=50, help='of which busy at the same time')
    parser.add_argument('--customers', type=int, default=200, help='customers the clients belong to')
    parser.add_argument('--seconds', type=float, default=40, help='paced period (people with a think time)')
    parser.add_argument('--think', type=_think, default=(1.0, 2.0),
                        help="a person's pause before each step, uniform in LOW,HIGH seconds (default 1,2)")
    parser.add_argument('--saturation-seconds', type=float, default=30,
                        help='back-to-back period (no think time): throughput')
    parser.add_argument('--baseline-seconds', type=float, default=8, help='one busy client alone, per phase')
    parser.add_argument('--workers', type=int, default=4, help='bench client processes')
    parser.add_argument('--single-only', action='store_true', help='skip the two-instance phase')
    parser.add_argument('--keep', action='store_true', help='keep the temporary folder (server logs)')
    parser.add_argument('--profile', action='store_true',
                        help="profile each server's event loop (CPU) for the whole run; print where it went")
    args = parser.parse_args()
    if args.active > args.customers:
        parser.error('--active must not exceed --customers')
    main_run(args)


if __name__ == '__main__':
    main()
