"""Live updates: a change anywhere reaches every open page that shows it, on this instance and on the others.

Services publish after their transaction commits (from any thread); pages subscribe to topics while they are open.
With KAIROS_REDIS_URL set, every event also crosses Redis pub/sub so pages on other instances hear it.

Topics in use:
- `tenant:{tenant_id}:customer:{customer_id}`: one customer's appointments changed (their panels refresh).
- `tenant:{tenant_id}:customer:{customer_id}:sessions`: some of the customer's sessions ended (sign-out, password
  change or reset, account closed); each open page checks whether its own session is still live.
- `tenant:{tenant_id}:availability`: slots may have changed; payload has `staff_id` and `day` (ISO, business zone).
- `tenant:{tenant_id}:statuses`: the business changed its statuses (renamed, recoloured, merged...); open panels
  read them again and redraw.
- `tenant:{tenant_id}:settings`: the business saved its panel's rules, designer or branding; payload has `settings`
  (PanelSettings.to_dict) and, after a branding change, `branding` (services.admin_settings).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from services import runtime
from services.config import REDIS_TIMEOUTS, get_config

log = logging.getLogger(__name__)

Callback = Callable[[dict[str, Any]], Awaitable[None] | None]


class EventBus:
    """The process's subscriptions and its Redis link (one per runtime: services.runtime builds it)."""

    def __init__(self) -> None:
        self.instance = uuid.uuid4().hex  # our own messages coming back from Redis are skipped
        self.subscribers: dict[str, set[Callback]] = defaultdict(set)
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.redis_task: asyncio.Task[None] | None = None
        self.redis_client: Any = None

    def close(self) -> None:
        """Drop every subscription and stop listening to Redis."""
        with self.lock:
            self.subscribers.clear()
        task, loop = self.redis_task, self.loop
        self.redis_task = None
        if task is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)


def _bus() -> EventBus:
    return runtime.get().events


def customer_topic(tenant_id: int, customer_id: int) -> str:
    return f'tenant:{tenant_id}:customer:{customer_id}'


def sessions_topic(tenant_id: int, customer_id: int) -> str:
    return f'tenant:{tenant_id}:customer:{customer_id}:sessions'


def admin_sessions_topic(tenant_id: int, admin_id: int) -> str:
    return f'tenant:{tenant_id}:admin:{admin_id}:sessions'


def availability_topic(tenant_id: int) -> str:
    return f'tenant:{tenant_id}:availability'


def statuses_topic(tenant_id: int) -> str:
    return f'tenant:{tenant_id}:statuses'
def settings_topic(tenant_id: int) -> str:
    return f'tenant:{tenant_id}:settings'


def subscribe(topic: str, callback: Callback) -> Callable[[], None]:
    """Hear every event on `topic` until the returned function is called. Call it on the event loop."""
    bus = _bus()
    _bind_loop(bus)
    with bus.lock:
        bus.subscribers[topic].add(callback)

    def unsubscribe() -> None:
        with bus.lock:
            bus.subscribers[topic].discard(callback)
            if not bus.subscribers[topic]:
                bus.subscribers.pop(topic, None)

    return unsubscribe


def subscriber_count(topic: str | None = None) -> int:
    """How many subscriptions are live (on one topic, or on all): what a page that left must give back."""
    bus = _bus()
    with bus.lock:
        if topic is not None:
            return len(bus.subscribers.get(topic, ()))
        return sum(len(callbacks) for callbacks in bus.subscribers.values())


def forget_subscribers() -> None:
    """Drop every subscription (tests: pages of a finished test must not hear the next test's events)."""
    bus = _bus()
    with bus.lock:
        bus.subscribers.clear()


def publish(topic: str, payload: dict[str, Any] | None = None) -> None:
    """Tell every subscriber of `topic`, here and on other instances. Safe from any thread; never raises."""
    payload = dict(payload or {})
    try:
        bus = _bus()
        _deliver_local(bus, topic, payload)
        if get_config().redis_url:
            _publish_redis(bus, topic, payload)
    except Exception:  # a live update is a courtesy: it must never undo or break the change itself
        log.exception('publishing %s failed', topic)


def _deliver_local(bus: EventBus, topic: str, payload: dict[str, Any]) -> None:
    with bus.lock:
        callbacks = list(bus.subscribers.get(topic, ()))
    if not callbacks:
        return
    loop = bus.loop
    if loop is None or not loop.is_running():
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
    for callback in callbacks:
        if loop is not None:
            loop.call_soon_threadsafe(_run_callback, callback, payload)
        else:  # no loop anywhere (a script): run it here; one failing subscriber must not starve the rest
            try:
                result = callback(payload)
                if inspect.isawaitable(result):
                    asyncio.run(_await(result))
            except Exception:
                log.exception('live-update subscriber failed')


async def _await(result: Awaitable[None]) -> None:
    await result


def _run_callback(callback: Callback, payload: dict[str, Any]) -> None:
    try:
        result = callback(payload)
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            task.add_done_callback(_log_failure)
    except Exception:
        log.exception('live-update subscriber failed')


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error('live-update subscriber failed', exc_info=task.exception())


def _publish_redis(bus: EventBus, topic: str, payload: dict[str, Any]) -> None:
    import redis

    if bus.redis_client is None:
        bus.redis_client = redis.Redis.from_url(get_config().redis_url or '', **REDIS_TIMEOUTS)
    message = json.dumps({'origin': bus.instance, 'payload': payload})
    bus.redis_client.publish(_channel_prefix() + topic, message)


def _channel_prefix() -> str:
    """Live updates travel on `<KAIROS_REDIS_PREFIX>events:<topic>` (pub/sub channels ignore Redis's db number)."""
    return get_config().redis_prefix + 'events:'


def _bind_loop(bus: EventBus) -> None:
    """Deliver on the loop the subscribers live on (and listen to other instances through Redis when configured)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop (a script or a test): deliveries run inline
    if loop is not bus.loop:
        bus.loop = loop
        bus.redis_task = None
    if get_config().redis_url and (bus.redis_task is None or bus.redis_task.done()):
        bus.redis_task = loop.create_task(_listen_redis(bus))


async def _listen_redis(bus: EventBus) -> None:
    import redis.asyncio as aioredis

    while True:
        try:
            # A subscriber waits for messages as long as it takes, so only connecting is timed; the health check
            # notices a connection that died quietly.
            client = aioredis.Redis.from_url(get_config().redis_url or '',
                                             socket_connect_timeout=REDIS_TIMEOUTS['socket_connect_timeout'],
                                             socket_keepalive=True, health_check_interval=30)
            prefix = _channel_prefix()
            async with client.pubsub() as pubsub:
                await pubsub.psubscribe(prefix + '*')
                async for message in pubsub.listen():
                    if message.get('type') != 'pmessage':
                        continue
                    data = json.loads(message['data'])
                    if data.get('origin') == bus.instance:
                        continue  # delivered locally already
                    topic = message['channel'].decode()[len(prefix):]
                    _deliver_local(bus, topic, data.get('payload') or {})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception('Redis live-update listener failed; retrying')
            await asyncio.sleep(2)
