"""ui/speedups.py gives NiceGUI and python-socketio the same answers as their own code, only cheaper."""

from __future__ import annotations

from typing import Any

import pytest
import socketio.packet  # type: ignore[import-untyped]
from nicegui import helpers

from ui import speedups

speedups.install()


class Thing:
    def no_args(self) -> None: ...

    def one_arg(self, event: Any) -> None: ...

    def optional(self, event: Any = None) -> None: ...

    @classmethod
    def made(cls, value: Any) -> None: ...


def _plain_expects(func: Any) -> bool:
    from inspect import Parameter, signature

    return any(p.default is Parameter.empty and p.kind not in (Parameter.VAR_POSITIONAL, Parameter.VAR_KEYWORD)
               for p in signature(func).parameters.values())


@pytest.mark.parametrize('func', [Thing().no_args, Thing().one_arg, Thing().optional, Thing.made, lambda: None,
                                  lambda e: None, lambda e=1: None, print])
def test_expects_arguments_answers_as_before(func: Any) -> None:
    assert helpers.expects_arguments(func) is _plain_expects(func)
    assert helpers.expects_arguments(func) is _plain_expects(func)  # the kept answer too


@pytest.mark.parametrize(('data', 'binary'), [
    ({1: {'tag': 'div', 'props': {'a': [1, 2.5, None, True]}, 'children': [2, 3]}}, False),
    ({'x': [b'bytes']}, True),
    ([{'deep': {'er': bytearray(b'x')}}], True),
    ({'x': (b'in a tuple',)}, False),  # socket.io walks dicts and lists only, and so does the answer
    ({'big': 2 ** 70}, False),  # orjson cannot, socket.io's walk answers
    ('text', False),
    (b'raw', True),
])
def test_socketio_binary_check_answers_as_before(data: Any, binary: bool) -> None:
    assert socketio.packet.Packet.data_is_binary(data) is binary


async def test_task_ids_are_the_tasks_own_on_the_loop_and_as_before_elsewhere() -> None:
    import asyncio
    import threading

    from nicegui import slot

    plain = slot.get_task_id
    speedups.fast_task_ids()
    try:
        fast = slot.get_task_id
        assert fast is not plain
        assert fast() == id(asyncio.current_task()) == plain()

        async def other() -> tuple[int, int]:
            return fast(), id(asyncio.current_task())

        task = asyncio.ensure_future(other())
        seen, own = await task
        assert seen == own == id(task) != fast()  # each task its own stack

        elsewhere: list[int] = []
        thread = threading.Thread(target=lambda: elsewhere.append(fast()))  # no running loop there
        thread.start()
        thread.join()
        assert elsewhere == [0]

        callback: list[int] = []
        asyncio.get_running_loop().call_soon(lambda: callback.append(fast()))
        await asyncio.sleep(0)
        assert callback == [id(None)]  # outside any task, on the loop: as asyncio.current_task() says
    finally:
        slot.get_task_id = plain


@pytest.mark.parametrize('text', ['no-caps outline aria-pressed=false', 'flat round dense color=primary',
                                  'label="Two words" hint=\'x y\' dense', 'options="[1, 2]"', 'rows=[1,2] dense',
                                  'min=1 max=9.5', '', None])
def test_props_parse_answers_as_before_and_each_call_has_its_own(text: str | None) -> None:
    from nicegui.props import PROPS_PATTERN

    def plain(text: str | None) -> dict[str, Any]:
        import ast

        found: dict[str, Any] = {}
        for match in PROPS_PATTERN.finditer(text or ''):
            groups = match.groupdict()
            quoted = next((groups[g] for g in ('single', 'double', 'square', 'curly') if groups[g] is not None), None)
            found[groups['key']] = (ast.literal_eval(quoted) if quoted is not None
                                    else groups['unquoted'] if groups['unquoted'] is not None else True)
        return found

    from nicegui.props import Props

    first = Props.parse(text)
    assert first == plain(text)
    first['changed'] = 'by one element'
    for value in first.values():
        if isinstance(value, list):
            value.append('changed')
    assert Props.parse(text) == plain(text)  # the kept parse was not touched


def test_a_thread_back_from_the_database_waits_at_most_a_millisecond_for_the_interpreter() -> None:
    import sys

    before = sys.getswitchinterval()
    try:
        speedups.quick_handoff()
        assert sys.getswitchinterval() == pytest.approx(speedups.SWITCH_INTERVAL_S) == pytest.approx(0.001)
        assert sys.getswitchinterval() < before  # Python's own default is 5 ms
    finally:
        sys.setswitchinterval(before)


async def test_an_idle_outbox_waits_for_work_without_waking_each_second_and_stops_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from nicegui import background_tasks
    from nicegui import outbox as nicegui_outbox

    class Client:  # what an outbox asks of its client while it waits
        id = 'c1'
        has_socket_connection = True

    started: list[Any] = []
    monkeypatch.setattr(background_tasks, 'create_or_defer', lambda coro, name: started.append(coro))
    client = Client()  # held here: an outbox keeps only a weak reference to its client
    box = nicegui_outbox.Outbox(client)  # type: ignore[arg-type]  # a stand-in client
    loop_task = asyncio.create_task(started.pop())
    await asyncio.sleep(0.05)  # the loop's first pass: nothing to send, so it waits
    waits = 0
    event = box._enqueue_event
    assert event is not None
    plain_wait = event.wait

    async def counted_wait() -> bool:
        nonlocal waits
        waits += 1
        return await plain_wait()

    monkeypatch.setattr(event, 'wait', counted_wait)
    event.set()  # one wake-up with nothing queued: it waits again, once
    await asyncio.sleep(1.3)  # NiceGUI's own loop would have timed out and waited anew after 1 s
    assert waits == 1
    box.stop()
    await asyncio.wait_for(loop_task, timeout=0.5)  # stop() wakes it: it ends now, not at a timeout
    assert loop_task.done()
