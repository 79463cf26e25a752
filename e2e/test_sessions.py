"""Sessions in real Chromium: one browser changes the password and the other, signed in as the same customer, can do
nothing more and lands on the sign-in page; the session cookie is Secure when the public address is https."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from e2e.conftest import Server, _child_env, _free_port, _kairos, _wait_until_up, sign_in
from e2e.test_accounts import NEWER, STRONG, new_email, sign_up_and_verify


def test_changing_the_password_in_one_browser_ends_the_other(browser: Browser, server: Server) -> None:
    """Nia signed in on the studio's tablet and forgot to sign out. On her phone she changes her password: the tablet's
    panel leaves for the sign-in page by itself, and coming back needs the new password."""
    phone = browser.new_context(viewport={'width': 390, 'height': 844}, locale='en-GB')
    tablet = browser.new_context(viewport={'width': 1024, 'height': 768}, locale='en-GB')
    try:
        address = new_email()
        on_phone = phone.new_page()
        sign_up_and_verify(on_phone, server, address)
        on_tablet = sign_in(tablet.new_page(), server, email=address, password=STRONG)
        on_tablet.get_by_role('tab', name='Profile').click()
        expect(on_tablet.get_by_label('First name')).to_have_value('Nia')

        on_phone.get_by_role('tab', name='Security').click()
        on_phone.get_by_label('Current password', exact=True).fill(STRONG)
        on_phone.get_by_label('New password', exact=True).fill(NEWER)
        on_phone.get_by_label('Confirm new password', exact=True).fill(NEWER)
        on_phone.get_by_role('button', name='Save password').click()
        expect(on_phone.get_by_text('1 other device was signed out.')).to_be_visible()

        # Within a second (and some slack for a loaded test machine) the tablet shows the sign-in page.
        expect(on_tablet).to_have_url(re.compile(r'/login\?next=/profile$'), timeout=2_500)
        expect(on_tablet.get_by_role('button', name='Sign in')).to_be_visible()
        on_tablet.goto(server.url + '/profile')
        expect(on_tablet).to_have_url(re.compile(r'/login\?next=/profile$'))
        sign_in(on_tablet, server, email=address, password=NEWER)
        expect(on_tablet.get_by_role('tab', name='Profile')).to_be_visible()
        expect(on_phone.get_by_role('tab', name='Security')).to_be_visible()  # the phone kept its session
    finally:
        phone.close()
        tablet.close()


def test_a_tab_served_by_another_instance_leaves_too(browser: Browser) -> None:
    """Two Kairos instances behind a load balancer share PostgreSQL-or-SQLite and Redis. Ada's laptop is served by
    one, her phone by the other; the password change on the phone reaches the laptop's tab through Redis."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-two-'))
    ports = [_free_port(), _free_port()]
    envs = []
    for port in ports:
        env = _child_env(tmp, port)
        env.update({'KAIROS_REDIS_URL': 'redis://127.0.0.1:6379/0',
                    'NICEGUI_REDIS_KEY_PREFIX': f'kairos-e2e-{tmp.name}:'})
        envs.append(env)
    subprocess.run([*_kairos(), 'demo'], env=envs[0], capture_output=True, check=True, timeout=300)
    processes = []
    laptop = browser.new_context(locale='en-GB')
    phone = browser.new_context(locale='en-GB', viewport={'width': 390, 'height': 844})
    try:
        for port, env in zip(ports, envs, strict=True):
            home = tmp / str(port)  # each instance keeps its own files; only the database and Redis are shared
            home.mkdir()
            log = home / 'server.log'
            with log.open('wb') as out:
                processes.append(subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                                  stderr=subprocess.STDOUT, cwd=home))
            _wait_until_up(f'http://127.0.0.1:{port}', processes[-1], log)
        servers = [Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / str(port) / 'server.log')
                   for port, env in zip(ports, envs, strict=True)]
        on_laptop = sign_in(laptop.new_page(), servers[0])
        expect(on_laptop.get_by_role('article').first).to_be_visible()
        on_phone = sign_in(phone.new_page(), servers[1])
        on_phone.get_by_role('tab', name='Security').click()
        on_phone.get_by_label('Current password', exact=True).fill('kairos-demo')
        on_phone.get_by_label('New password', exact=True).fill(NEWER)
        on_phone.get_by_label('Confirm new password', exact=True).fill(NEWER)
        on_phone.get_by_role('button', name='Save password').click()
        expect(on_phone.get_by_text('1 other device was signed out.')).to_be_visible()
        expect(on_laptop).to_have_url(re.compile(r'/login\?next=/$'), timeout=2_500)
    finally:
        laptop.close()
        phone.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def test_the_session_cookie_is_secure_only_when_the_public_address_is_https(server: Server) -> None:
    plain = httpx.get(server.url + '/login', follow_redirects=False).headers['set-cookie'].lower()
    assert 'httponly' in plain and 'samesite=lax' in plain and 'secure' not in plain

    tmp = Path(tempfile.mkdtemp(prefix='kairos-https-'))
    port = _free_port()
    env = _child_env(tmp, port)
    env['KAIROS_PUBLIC_URL'] = 'https://book.example.com'
    log = tmp / 'server.log'
    subprocess.run([*_kairos(), 'migrate'], env=env, capture_output=True, check=True, timeout=120)
    with log.open('wb') as out:
        process = subprocess.Popen([*_kairos(), 'serve', '--port', str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp)
    try:
        _wait_until_up(f'http://127.0.0.1:{port}', process, log)
        cookie = httpx.get(f'http://127.0.0.1:{port}/healthz').headers['set-cookie'].lower()
        assert '; secure' in cookie and 'httponly' in cookie
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
