"""KAIROS_LOG_FORMAT=json: everything a running `kairos serve` writes is one JSON object per line, requests included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def kairos() -> list[str]:
    script = Path(sys.executable).with_name('kairos')
    return [str(script)] if script.exists() else [sys.executable, '-m', 'ui.cli']


def test_a_server_in_json_mode_writes_only_json_lines(tmp_path: Path, sqlite_template: Path) -> None:
    database = tmp_path / 'kairos.sqlite3'
    database.write_bytes(sqlite_template.read_bytes())
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {'PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION', 'KAIROS_REDIS_URL'}}
    env.update({'KAIROS_DATABASE_URL': f'sqlite:///{database}', 'KAIROS_LOG_FORMAT': 'json',
                'KAIROS_OUTBOX_DIR': str(tmp_path / 'outbox')})
    output = tmp_path / 'server.log'
    with output.open('wb') as out:
        process = subprocess.Popen([*kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            try:
                if httpx.get(f'http://127.0.0.1:{port}/healthz', timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert httpx.get(f'http://127.0.0.1:{port}/readyz', timeout=10).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    lines = [line for line in output.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    assert all({'time', 'level', 'logger', 'message'} <= entry.keys() for entry in entries)
    requests = [e for e in entries if e['logger'] == 'kairos.http']
    assert {'method': 'GET', 'path': '/readyz', 'status': 200} in [
        {k: e.get(k) for k in ('method', 'path', 'status')} for e in requests]
    assert any(e['logger'].startswith('uvicorn') for e in entries)  # the server's own start and stop lines
