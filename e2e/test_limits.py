"""Bodies are bounded before they are read: 50 MB sent to the webhook and to the photo upload of a real `kairos serve`
get a 413 with a clear message at once, and the server's memory stays where it was.

The sender is a raw socket that stops as soon as the server answers, as a well-behaved client would; what matters
is that the server answers (and stays small) without taking the 50 MB in.
"""

from __future__ import annotations

import io
import json
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect

from e2e.conftest import Server, _child_env, _free_port, _kairos, _wait_until_up, sign_in

FIFTY_MB = 50 * 1024 * 1024
CHUNK = 256 * 1024
# A server that took 50 MB in would grow by at least that much (memory is not given back to the system).
ALLOWED_GROWTH = 15 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    sent: int  # body bytes the client got to send before the answer came


@dataclass(frozen=True)
class Running:
    server: Server
    pid: int

    def rss(self) -> int:
        status = Path(f'/proc/{self.pid}/status').read_text()
        return int(re.search(r'VmRSS:\s+(\d+) kB', status).group(1)) * 1024  # type: ignore[union-attr]  # Linux has it


@pytest.fixture(scope='module')
def running() -> Iterator[Running]:
    """A Kairos of its own (the demo studio) whose process we can measure."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-e2e-limits-'))
    port = _free_port()
    env = _child_env(tmp, port) | {'KAIROS_STRIPE_WEBHOOK_SECRET': 'whsec_limits', 'KAIROS_STRIPE_SECRET_KEY':
                                   'sk_test_limits'}
    log = tmp / 'server.log'
    server = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=log)
    server.kairos('demo')
    with log.open('wb') as out:
        process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp)
    try:
        _wait_until_up(server.url, process, log)
        yield Running(server, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def post(url: str, path: str, *, chunked: bool, total: int = FIFTY_MB, content_type: str = 'application/json',
         prefix: bytes = b'', timeout: float = 30.0) -> Answer:
    """POST `total` bytes to `path` (`prefix`, then filler), declared up front (Content-Length) or chunked, stopping
    when the server answers."""
    host, port = re.match(r'http://([^:/]+):(\d+)', url).groups()  # type: ignore[union-attr]  # our own server URL
    head = (f'POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n'
            + ('Transfer-Encoding: chunked\r\n' if chunked else f'Content-Length: {total}\r\n') + '\r\n')
    sent = 0
    reply = b''
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode())
        filler = b'x' * CHUNK
        piece = prefix + filler[len(prefix):]
        while sent < total and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.01)
            if readable:
                break
            frame = (f'{len(piece):x}\r\n'.encode() + piece + b'\r\n') if chunked else piece
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
            piece = filler
        else:
            if chunked:
                sock.sendall(b'0\r\n\r\n')
        while b'\r\n\r\n' not in reply or len(reply) < _expected_length(reply):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    status_line, _, rest = reply.partition(b'\r\n')
    body = rest.partition(b'\r\n\r\n')[2].decode(errors='replace')
    return Answer(int(status_line.split()[1]), body, sent)


def _expected_length(reply: bytes) -> int:
    head, _, _ = reply.partition(b'\r\n\r\n')
    found = re.search(rb'(?i)content-length:\s*(\d+)', head)
    return len(head) + 4 + (int(found.group(1)) if found else 0)


def upload_path(page: Page) -> str:
    """The address NiceGUI gave this page's photo upload: /_nicegui/client/<client id>/upload/<element id>."""
    client_id = page.evaluate('window.clientId')
    element_id = page.locator('.q-uploader').get_attribute('id')
    assert client_id and element_id and element_id.startswith('c')
    return f'/_nicegui/client/{client_id}/upload/{element_id[1:]}'


@pytest.mark.parametrize('chunked', [False, True], ids=['content-length', 'chunked'])
def test_fifty_megabytes_to_the_webhook_are_refused_unread(running: Running, chunked: bool) -> None:
    before = running.rss()
    answer = post(running.server.url, '/webhooks/stripe', chunked=chunked)
    assert answer.status == 413
    assert json.loads(answer.body) == {'error': 'The request body is too large: at most 256 KB is accepted here.'}
    assert answer.sent < 8 * 1024 * 1024  # answered early, not after the client had sent everything
    assert running.rss() - before < ALLOWED_GROWTH


@pytest.mark.parametrize('chunked', [False, True], ids=['content-length', 'chunked'])
def test_fifty_megabytes_to_the_photo_upload_are_refused_unread(running: Running, browser: Browser,
                                                                 chunked: bool) -> None:
    context = browser.new_context()
    try:
        page = sign_in(context.new_page(), running.server)
        page.get_by_role('tab', name='Profile').click()
        expect(page.get_by_role('button', name='Upload a photo')).to_be_visible()
        path = upload_path(page)
        before = running.rss()
        # A well-formed upload of one 50 MB "photo", so the form parser would keep on reading.
        answer = post(running.server.url, path, chunked=chunked, prefix=PHOTO_PART,
                      content_type=f'multipart/form-data; boundary={BOUNDARY}')
        assert answer.status == 413
        assert json.loads(answer.body) == {
            'error': 'The request body is too large: at most 2.06 MB is accepted here.'}
        assert answer.sent < 8 * 1024 * 1024
        assert running.rss() - before < ALLOWED_GROWTH
        expect(page.get_by_text('Your new photo is saved.')).to_have_count(0)
    finally:
        context.close()


BOUNDARY = 'kairos-limit-test'
PHOTO_PART = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\n'
              'Content-Type: image/jpeg\r\n\r\n').encode()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (64, 64), (40, 140, 90)).save(out, format='PNG')
    return out.getvalue()


def test_the_profile_says_plainly_when_a_photo_is_too_big(running: Running, browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = sign_in(context.new_page(), running.server)
        page.get_by_role('tab', name='Profile').click()
        file_input = page.locator('input[type=file]')
        # The browser's own check: a 3 MB file never leaves the phone.
        file_input.set_input_files(files=[{'name': 'big.png', 'mimeType': 'image/png',
                                           'buffer': b'\x89PNG' + b'0' * (3 * 1024 * 1024)}])
        expect(page.get_by_text('That photo is larger than 2 MB. Choose a smaller one.')).to_be_visible()
        # A browser that skips that check (or a changed page) sends it anyway: the server refuses it unread, and
        # the page says why instead of failing silently.

        def enlarge(route: Route) -> None:
            boundary = BOUNDARY
            body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
                    f'Content-Type: image/png\r\n\r\n').encode() + b'0' * (3 * 1024 * 1024) + \
                f'\r\n--{boundary}--\r\n'.encode()
            route.continue_(post_data=body,
                            headers={**route.request.headers,
                                     'content-type': f'multipart/form-data; boundary={boundary}'})

        page.route('**/_nicegui/client/*/upload/*', enlarge)
        file_input.set_input_files(files=[{'name': 'me.png', 'mimeType': 'image/png', 'buffer': _png()}])
        expect(page.get_by_text('That photo could not be uploaded: it is larger than 2 MB. Choose a smaller one.')
               ).to_be_visible()
        expect(page.get_by_role('img', name='No profile photo yet')).to_be_visible()
    finally:
        context.close()
