"""Benchmark of a first visit on a phone (issue 11, item 10): largest contentful paint and bytes sent.

Run: .venv/bin/python bench/bench_lcp.py [--runs 5] [--path /] [--keep] [--resources]

It loads the demo studio (`kairos demo`) into a SQLite file in a temporary folder, starts bench/panel_server.py (the
real app, `ui.app.run()`, plus bench-only routes; `/_bench/empty` is an empty NiceGUI page) and signs in as Ada, the
demo customer, through the sign-in form. Then Debian's Chromium, as a phone (390x844, touch), with Chrome DevTools'
"Slow 4G" network (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up) and a 4x CPU slowdown, loads the signed-in panel
and the empty page, taking turns so both see the same noise:
- cold: the browser's cache emptied first (a first visit; the session cookie kept);
- warm: the same page again with its cache (a return visit).
For each it prints the median (and min / max) of the largest contentful paint (from navigation start, as the browser
reports it), the bytes that crossed the network (compressed, headers included; the websocket apart), and the ratio of
the panel over the empty page. A third page, one line of static text from the same server (`/_bench/static`: no
stylesheet, script, font or NiceGUI), is measured alongside as the floor: what this machine, the emulated network and
the new tab's own start cost before anything can be painted.
Targets: the panel's median LCP at most 1.5 s cold and 0.4 s warm.
`--resources` lists what one cold panel load fetched, largest first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_panel import Server  # noqa: E402

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage']
# Chrome DevTools' "Slow 4G" preset (and the issue's figures): latency in ms, throughput in bytes per second.
SLOW_4G = {'offline': False, 'latency': 150, 'downloadThroughput': 1.6 * 1024 * 1024 / 8,
           'uploadThroughput': 750 * 1024 / 8}
CPU_SLOWDOWN = 4
PHONE = {'viewport': {'width': 390, 'height': 844}, 'device_scale_factor': 3, 'is_mobile': True, 'has_touch': True}
COLD_TARGET_S, WARM_TARGET_S = 1.5, 0.4
ADA_EMAIL, ADA_PASSWORD = 'ada@example.com', 'kairos-demo'

# Keeps the last largest-contentful-paint entry the page reports (buffered: also those before this script ran).
LCP_OBSERVER = """
window.__lcp = null;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    window.__lcp = {time: e.startTime, size: e.size, tag: e.element ? e.element.tagName : '(since replaced)',
                    text: e.element ? (e.element.textContent || '').trim().slice(0, 60) : ''};
  }
}).observe({type: 'largest-contentful-paint', buffered: true});
"""


@dataclass
class Load:
    lcp_s: float
    bytes: int
    element: str
    resources: list[tuple[str, int]] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=5, help='loads of each page, cold and warm (default 5)')
    parser.add_argument('--path', default='/', help='the signed-in page to measure (default: /, the panel)')
    parser.add_argument('--keep', action='store_true', help='keep the temporary folder (database, server log)')
    parser.add_argument('--resources', action='store_true', help='list what one cold panel load fetched')
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix='kairos-bench-lcp-'))
    url = f'sqlite:///{work / "kairos.sqlite3"}'
    load_demo(url, work)
    server = Server(work, url, 'server')
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(**PHONE, locale='en-GB')
            sign_in(context, server.base)
            results: dict[tuple[str, str], list[Load]] = {}
            pages = (('empty', '/_bench/empty'), ('static', '/_bench/static'), ('panel', args.path))
            for _name, path in pages:  # one unmeasured load each: the server's first build of a page is slower
                measure(context, server.base + path, cold=True)
            for _ in range(args.runs):
                for cache in ('cold', 'warm'):
                    for name, path in pages:
                        results.setdefault((name, cache), []).append(
                            measure(context, server.base + path, cold=cache == 'cold'))
            browser.close()
    finally:
        server.stop()
        if args.keep:
            print(f'kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(results, args)
    return 0


def load_demo(url: str, work: Path) -> None:
    """`kairos demo` into the bench's own database (as `make run` and the journeys do)."""
    env = {**os.environ, 'KAIROS_DATABASE_URL': url, 'KAIROS_SECRET': 'bench-secret',
           'KAIROS_OUTBOX_DIR': str(work / 'outbox'), 'PYTHONPATH': str(ROOT)}
    for var in ('PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION', 'KAIROS_REDIS_URL', 'KAIROS_MULTI_TENANT'):
        env.pop(var, None)
    kairos = Path(sys.executable).with_name('kairos')
    command = [str(kairos)] if kairos.exists() else [sys.executable, '-m', 'ui.cli']
    subprocess.run([*command, 'demo'], env=env, cwd=work, check=True, capture_output=True, timeout=300)


def sign_in(context: BrowserContext, base: str) -> None:
    """Through the sign-in form, unthrottled: the session cookie is what the measured loads need."""
    page = context.new_page()
    page.goto(base + '/login')
    page.get_by_label('Email').fill(ADA_EMAIL)
    page.get_by_label('Password', exact=True).fill(ADA_PASSWORD)
    page.get_by_role('button', name='Sign in').click()
    page.wait_for_url(lambda u: '/login' not in u, timeout=30_000)
    page.close()


def measure(context: BrowserContext, url: str, *, cold: bool) -> Load:
    """One load in a new tab, throttled; cold empties the browser's cache first, warm loads the page once unmeasured
    so that it is in the cache, as after an earlier visit."""
    if not cold:
        _load(context, url, throttled=False)
    return _load(context, url, throttled=True, clear_cache=cold)


def _load(context: BrowserContext, url: str, *, throttled: bool, clear_cache: bool = False) -> Load:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.send('Network.enable')
    if clear_cache:
        cdp.send('Network.clearBrowserCache')
    if throttled:
        cdp.send('Network.emulateNetworkConditions', SLOW_4G)
        cdp.send('Emulation.setCPUThrottlingRate', {'rate': CPU_SLOWDOWN})
    cdp.on('Network.requestWillBeSent', lambda e: urls.__setitem__(e['requestId'], e['request']['url']))
    cdp.on('Network.loadingFinished', lambda e: sizes.__setitem__(e['requestId'], int(e['encodedDataLength'])))
    page.add_init_script(LCP_OBSERVER)
    page.goto(url, wait_until='load', timeout=120_000)
    lcp = _settled_lcp(page)
    resources = sorted(((urls.get(rid, rid), size) for rid, size in sizes.items()), key=lambda r: -r[1])
    _close(page, cdp)
    return Load(lcp_s=lcp['time'] / 1000, bytes=sum(sizes.values()),
                element=f'{lcp["tag"]} {lcp["text"]!r} ({lcp["size"]:.0f} px²)', resources=resources)


def _settled_lcp(page: Page) -> dict[str, Any]:
    """The largest contentful paint once the page has stopped painting anything larger (1 s without a new one)."""
    deadline = time.monotonic() + 60
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = page.evaluate('window.__lcp')
        if now != last:
            last, since = now, time.monotonic()
        elif last is not None and time.monotonic() - since > 1.0:
            return last
        page.wait_for_timeout(100)
    raise RuntimeError(f'no settled largest contentful paint on {page.url}')


def _close(page: Page, cdp: CDPSession) -> None:
    cdp.send('Emulation.setCPUThrottlingRate', {'rate': 1})
    cdp.detach()
    page.close()


def report(results: dict[tuple[str, str], list[Load]], args: argparse.Namespace) -> None:
    print(f'Chromium as a phone (390x844), Slow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up), {CPU_SLOWDOWN}x CPU '
          f'slowdown; {args.runs} loads each, taking turns; load average {os.getloadavg()[0]:.1f} on '
          f'{os.cpu_count()} CPUs')
    print(f'{"":14} {"LCP median":>11} {"min":>7} {"max":>7} {"KB sent":>9}   largest element (last run)')
    for cache in ('cold', 'warm'):
        for name in ('static', 'empty', 'panel'):
            loads = results[(name, cache)]
            lcp = [x.lcp_s for x in loads]
            print(f'{name + " " + cache:14} {statistics.median(lcp):10.2f}s {min(lcp):6.2f}s {max(lcp):6.2f}s '
                  f'{statistics.median(x.bytes for x in loads) / 1024:9.0f}   {loads[-1].element}')
    print()
    for cache, target in (('cold', COLD_TARGET_S), ('warm', WARM_TARGET_S)):
        panel = statistics.median(x.lcp_s for x in results[('panel', cache)])
        empty = statistics.median(x.lcp_s for x in results[('empty', cache)])
        sent = statistics.median(x.bytes for x in results[('panel', cache)])
        sent_empty = statistics.median(x.bytes for x in results[('empty', cache)])
        verdict = 'PASS' if panel <= target else 'FAIL'
        floor = statistics.median(x.lcp_s for x in results[('static', cache)])
        print(f'[{cache}] panel LCP <= {target:.1f} s: {verdict} ({panel:.2f} s; {panel / empty:.2f}x the empty '
              f"page's {empty:.2f} s; {sent / 1024:.0f} KB sent, {sent / max(sent_empty, 1):.2f}x the empty page's)")
        print(f'       the floor, one line of static text: {floor:.2f} s; the panel paints {panel - floor:+.2f} s '
              'after it')
    if args.resources:
        print('\nOne cold panel load, largest first:')
        for resource_url, size in results[('panel', 'cold')][-1].resources:
            print(f'{size / 1024:9.1f} KB  {resource_url}')


if __name__ == '__main__':
    sys.exit(main())
