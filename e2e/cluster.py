"""Two Kairos instances on one PostgreSQL database and one Redis, behind HAProxy with deploy/haproxy.cfg.

Used by e2e/test_instances.py. Each instance runs `kairos serve` in its own folder (so NiceGUI's file storage, were
it used, would not be shared); the load balancer is the shipped configuration file, given loopback ports and a short
health-check interval through the environment variables it reads.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from e2e.conftest import Server, _child_env, _free_port, _kairos

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_CFG = ROOT / 'deploy' / 'haproxy.cfg'
HAPROXY = shutil.which('haproxy') or '/usr/sbin/haproxy'
POSTGRES_URL = os.environ.get('KAIROS_TEST_POSTGRES_URL') or 'postgresql+psycopg://postgres@127.0.0.1:5432/test'
# db 14 and a prefix of our own: other suites on the same Redis never see these keys (pub/sub ignores the db number,
# so the prefix matters for the live-update channels too).
REDIS_URL = os.environ.get('KAIROS_TEST_REDIS_URL') or 'redis://127.0.0.1:6379/14'


@dataclass
class Instance:
    name: str
    server: Server
    process: subprocess.Popen[bytes]
    port: int

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    lb: Server  # the address visitors use: HAProxy
    instances: dict[str, Instance] = field(default_factory=dict)
    redis_prefix: str = ''
    haproxy: subprocess.Popen[bytes] | None = None
    haproxy_log: Path | None = None

    def redis_keys(self) -> list[str]:
        import redis

        with redis.Redis.from_url(REDIS_URL) as client:
            return [k.decode() for k in client.scan_iter(match=f'{self.redis_prefix}*')]


def _create_database() -> str:
    import sqlalchemy as sa

    name = f'kairos_e2e_{uuid.uuid4().hex[:10]}'
    admin = sa.create_engine(POSTGRES_URL, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    admin.dispose()
    return POSTGRES_URL.rsplit('/', 1)[0] + '/' + name


def _drop_database(url: str) -> None:
    import sqlalchemy as sa

    from services import runtime

    runtime.reset()  # this process's handle on the database (if it made one) closes before it goes
    admin = sa.create_engine(POSTGRES_URL, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {url.rsplit("/", 1)[1]} WITH (FORCE)')
    admin.dispose()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_cluster(*, load_balancer: bool = True) -> Iterator[Cluster]:
    """PostgreSQL (a fresh database with the demo studio), Redis, instances a and b, and HAProxy in front."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-cluster-'))
    url = _create_database()
    lb_port = _free_port()
    prefix = f'kairos-e2e-{uuid.uuid4().hex[:8]}:'
    env = _child_env(tmp, lb_port)
    env.update({'KAIROS_DATABASE_URL': url, 'KAIROS_REDIS_URL': REDIS_URL, 'KAIROS_REDIS_PREFIX': prefix,
                'KAIROS_PUBLIC_URL': f'http://127.0.0.1:{lb_port}'})
    cluster = Cluster(lb=Server(url=f'http://127.0.0.1:{lb_port}', env=env, tmp=tmp, log=tmp / 'haproxy.log'),
                      redis_prefix=prefix)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        loaded = cluster.lb.kairos('demo', check=False)
        if loaded.returncode != 0:
            raise RuntimeError(f'kairos demo failed:\n{loaded.stdout}\n{loaded.stderr}')
        for name in ('a', 'b'):
            port = _free_port()
            folder = tmp / name
            folder.mkdir()
            log = folder / 'server.log'
            own_env = {**env, 'KAIROS_PORT': str(port)}
            with log.open('wb') as out:
                process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=own_env, stdout=out,
                                           stderr=subprocess.STDOUT, cwd=folder)
            processes.append(process)
            server = Server(url=f'http://127.0.0.1:{port}', env=own_env, tmp=folder, log=log)
            cluster.instances[name] = Instance(name=name, server=server, process=process, port=port)
        for instance in cluster.instances.values():
            _wait_until_up(instance)
            for path in ('/login', '/book'):  # a process's first page is slow to build (imports, caches): not timed
                httpx.get(instance.server.url + path, timeout=30)
        if load_balancer:
            cluster.haproxy_log = tmp / 'haproxy.log'
            lb_env = {**os.environ, 'KAIROS_LB_BIND': f'127.0.0.1:{lb_port}', 'KAIROS_LB_CHECK_INTERVAL': '300ms',
                      'KAIROS_INSTANCE_A': f'127.0.0.1:{cluster.instances["a"].port}',
                      'KAIROS_INSTANCE_B': f'127.0.0.1:{cluster.instances["b"].port}'}
            with cluster.haproxy_log.open('wb') as out:
                cluster.haproxy = subprocess.Popen([HAPROXY, '-db', '-f', str(HAPROXY_CFG)], env=lb_env, stdout=out,
                                                   stderr=subprocess.STDOUT)
            processes.append(cluster.haproxy)
            _wait_for_lb(cluster)
        yield cluster
    finally:
        for process in processes:
            _stop(process)
        if os.environ.get('KAIROS_E2E_SHOW_LOG'):
            for instance in cluster.instances.values():
                print(f'\n---- instance {instance.name} ----\n{instance.server.log.read_text(errors="replace")}')
            if cluster.haproxy_log and cluster.haproxy_log.exists():
                print(f'\n---- haproxy ----\n{cluster.haproxy_log.read_text(errors="replace")}')
        with suppress(Exception):
            import redis

            with redis.Redis.from_url(REDIS_URL) as client:
                for key in client.scan_iter(match=f'{prefix}*'):
                    client.delete(key)
        _drop_database(url)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_until_up(instance: Instance) -> None:
    wait_until_ready(instance.server.url, instance.process, instance.server.log)


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    """Until `/readyz` answers 200 (servers starting side by side on a busy machine: be patient)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'kairos serve exited with {process.returncode}:\n{log.read_text()}')
        try:
            if httpx.get(url + '/readyz', timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f'kairos serve was not ready within {timeout:.0f} s:\n{log.read_text()}')


def _wait_for_lb(cluster: Cluster) -> None:
    """Until HAProxy answers and has seen both instances healthy (each gets one request, pinned by its cookie)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert cluster.haproxy is not None
        if cluster.haproxy.poll() is not None:
            raise RuntimeError(f'haproxy exited:\n{cluster.haproxy_log.read_text() if cluster.haproxy_log else ""}')
        try:
            if all(httpx.get(f'{cluster.lb.url}/healthz', cookies={'KAIROS_LB': name}, timeout=2).status_code == 200
                   for name in ('a', 'b')):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError('haproxy did not answer within 20 s')
