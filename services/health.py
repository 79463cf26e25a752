"""Is this instance ready to serve? The database and, when configured, Redis must answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from services.config import get_config
from services.context import get_db

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Readiness:
    database: bool
    redis: bool | None  # None: no Redis configured

    @property
    def ready(self) -> bool:
        return self.database and self.redis is not False


def check_ready(*, timeout: float = 2.0) -> Readiness:
    """Ask the database and Redis (if configured) one trivial question each; blocking, so call it off the loop."""
    database = True
    try:
        get_db().ping()
    except Exception as exc:
        log.warning('readiness: the database does not answer: %s', exc)
        database = False
    redis_ok: bool | None = None
    url = get_config().redis_url
    if url:
        import redis

        try:
            with redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout) as client:
                redis_ok = bool(client.ping())
        except Exception as exc:
            log.warning('readiness: Redis does not answer: %s', exc)
            redis_ok = False
    return Readiness(database=database, redis=redis_ok)
