"""Simulated-browser tests get a fresh SQLite file with a small studio in it, and a signed-in helper."""

from __future__ import annotations

import gc
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def panel_database(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app at its own migrated database before the main file runs, with a runtime of its own (an earlier
    test's unsent emails, caches and subscriptions stay behind)."""
    from services import runtime

    path = tmp_path / 'panel.sqlite3'
    shutil.copy(sqlite_template, path)
    url = f'sqlite:///{path}'
    monkeypatch.setenv('KAIROS_DATABASE_URL', url)
    monkeypatch.setenv('KAIROS_OUTBOX_DIR', str(tmp_path / 'outbox'))
    runtime.reset()
    yield url
    runtime.reset()  # the simulated pages of this test stay behind; they must not act in the next one
    settle_objects()


def settle_objects() -> None:
    """After a test: its garbage collected, and what survives it set aside from later collections (`gc.freeze`).
    NiceGUI's `user` fixture runs a full collection before and after every test, and each test leaves a few thousand
    objects behind (its pages' modules are imported afresh): the collections walked every object of every earlier
    test, so a UI test's setup and teardown, 0.5 s together on their own, took about 1.9 s on average in a whole run.
    Collected here (after NiceGUI has let go of the test's modules), nothing of this test is frozen that could
    still be collected."""
    gc.collect()
    gc.freeze()


@pytest.fixture
def db(panel_database: str):
    from services.context import get_db

    return get_db()


async def sign_in(user, email: str = 'ada@example.com', password: str = 'kairos-demo') -> None:
    await user.open('/login')
    user.find('Email').type(email)
    user.find('Password').type(password)
    user.find(marker='sign-in').click()


async def signed_in(user, email: str = 'ada@example.com', password: str = 'kairos-demo') -> None:
    """Sign in and wait for the panel to be there."""
    await sign_in(user, email, password)
    await user.should_see(marker='panel-chrome', retries=50)


async def appointments_shown(user, count: int | None = None, tab: str | None = None) -> None:
    """Wait for the Appointments section (drawn in the browser from one element's state); switch tab if asked."""
    import asyncio

    from ui.components.appointments_view import AppointmentsView

    for _ in range(100):
        found = user.find(AppointmentsView).elements if _has(user, AppointmentsView) else set()
        if found:
            element = next(iter(found))
            if tab and element.state['tab'] != tab:
                user.find(AppointmentsView).trigger('view', {'tab': tab})
            elif count is None or len(element.state['rows']) == count:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f'the Appointments section never showed {count} cards on the {tab or "current"} tab')


async def card_field(user, appointment_id: int, field: str, expected: object) -> None:
    """Wait until the card of `appointment_id` shows `expected` in `field` (the browser draws it from the state)."""
    import asyncio

    from ui.components.appointments_view import AppointmentsView

    row: dict = {}
    for _ in range(100):
        try:
            row = next(r for r in user.find(AppointmentsView).elements.pop().rows if r['id'] == appointment_id)
            if row[field] == expected:
                return
        except (AssertionError, StopIteration):
            pass
        await asyncio.sleep(0.05)
    assert row.get(field) == expected


def _has(user, kind) -> bool:
    try:
        user.find(kind)
    except AssertionError:
        return False
    return True


def sections(user) -> list[str]:
    """The panel sections the top bar offers."""
    from ui.components.page_frame import PageFrame

    return next(iter(user.find(PageFrame).elements)).sections


def go_to(user, path: str) -> None:
    """Choose a section tab, as the browser's tab bar does."""
    from ui.components.page_frame import PageFrame

    user.find(PageFrame).trigger('navigate', path)


# ---- the slot picker's times (drawn in the browser from one element: ui.components.slot_picker.SlotTimes) ----------

def _times(user):
    """The element that draws the picked day's free times, when the page shows one."""
    from nicegui.testing.user_interaction import UserInteraction

    from ui.components.slot_picker import SlotTimes

    if not _has(user, SlotTimes):
        return None
    found: UserInteraction = user.find(SlotTimes)
    assert len(found.elements) == 1, f'{len(found.elements)} sets of free times on the page'
    return next(iter(found.elements))


def times_shown(user) -> list[str]:
    """The free times on screen now, in order, by their buttons' names ('10:30'; in a group class '10:30, 3 seats
    left'): what a screen reader reads. None shown (the day has nothing left, or it is still loading): []."""
    grid = _times(user)
    return [] if grid is None else [time['name'] for time in grid.times]


def times_pressed(user) -> list[str]:
    """The names of the times drawn pressed (aria-pressed="true" in slot_times.js: the one whose start is chosen)."""
    grid = _times(user)
    return [] if grid is None else [time['name'] for time in grid.times if time['start'] == grid.chosen]


def pick_time(user, label: str) -> None:
    """Click the time whose button reads `label` ('15:00'), as a person does: slot_times.js sends the element's
    `choose` event with that time's start. The time must be on screen."""
    from nicegui.testing.user_interaction import UserInteraction

    grid = _times(user)
    assert grid is not None, f'no free times on screen to pick {label} from'
    start = next((time['start'] for time in grid.times if time['label'] == label), None)
    assert start is not None, f'{label} is not among the times on screen: {[time["label"] for time in grid.times]}'
    UserInteraction(user, {grid}, None).trigger('choose', start)


def admin_act(tenant_id: int, admin_id: int | None = None):
    """What the admin shell hands an admin page body, without the shell: run a service for this business and admin
    off the event loop (the shell's AdminContext.act also re-checks the admin's session and role first)."""
    from nicegui import run

    from services.context import get_db

    async def act(action, /, **kwargs):
        return await run.io_bound(action, get_db(), tenant_id=tenant_id, admin_id=admin_id, **kwargs)

    return act


# ---- the admin side ------------------------------------------------------------------------------------------------


async def admin_in(user, db, *, slug: str = 'default', target: str = '/admin', now=None):
    """A studio (tests.support.seed) with its owner, signed in at /admin and on `target`; the studio's World."""
    from datetime import UTC, datetime

    from services import ratelimit
    from tests.support.seed import add_admin, seed_world

    world = seed_world(db, now=now or datetime.now(UTC), slug=slug)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target=target)
    return world


async def admin_signs_in(user, *, target: str = '/admin') -> None:
    """The studio's owner (add_admin) signs in through the admin sign-in page and lands on `target`."""
    from tests.support.seed import ADMIN_PASSWORD

    await user.open(f'/admin/login?next={target}')
    user.find(marker='admin-email').type('owner@example.com')
    user.find(marker='admin-password').type(ADMIN_PASSWORD)
    user.find(marker='admin-sign-in').click()
    await user.should_see(marker='admin-main', retries=50)


def field(user, marker: str):
    """The one element with this marker (to read or set its value)."""
    return next(iter(user.find(marker=marker).elements))


async def eventually(check, tries: int = 100, pause: float = 0.05) -> None:
    """Live events arrive on the event loop: wait until `check()` holds, or fail with it."""
    import asyncio

    for _ in range(tries):
        if check():
            return
        await asyncio.sleep(pause)
    assert check()


class HeldBack:
    """Stands in for a service function: a call that `when` picks (by its keyword arguments; every call by default)
    waits to answer until `answer` is set (10 s at most), as a slow answer arriving after the page moved on. `asked`
    is set once such a call came in, `answered` once it returned; `func` is the function itself."""

    def __init__(self, func: Callable, when: Callable[..., bool] = lambda **_: True) -> None:
        self.func, self.when = func, when
        self.asked, self.answer, self.answered = threading.Event(), threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):
        if not self.when(**kwargs):
            return self.func(*args, **kwargs)
        self.asked.set()
        self.answer.wait(10)
        try:
            return self.func(*args, **kwargs)
        finally:
            self.answered.set()


@pytest.fixture(autouse=True)
def patient_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """NiceGUI's `User.should_see` looks three times 0.1 s apart, and `should_not_see` three times 0.05 s apart,
    unless told otherwise. An answer worked out in a thread (a database write, a password hash) can take longer than
    that on a busy two-core machine running two workers, and the test then fails on the machine, not on the app.
    Here they look for 3 s and 2 s unless a test asks for its own number; what a page shows (or hides) at once is
    seen at the first look, as before."""
    from nicegui.testing import User

    see, not_see = User.should_see, User.should_not_see

    async def should_see(self, *args, retries: int = 30, **kwargs) -> None:
        await see(self, *args, retries=retries, **kwargs)

    async def should_not_see(self, *args, retries: int = 40, **kwargs) -> None:
        await not_see(self, *args, retries=retries, **kwargs)

    monkeypatch.setattr(User, 'should_see', should_see)
    monkeypatch.setattr(User, 'should_not_see', should_not_see)
