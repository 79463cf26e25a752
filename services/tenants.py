"""Which business a request belongs to: the default tenant, or the one named by the host in multi-tenant mode."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from domain import model as d
from services.config import get_config
from services.context import get_db
from storage import tenants as tenant_db

_CACHE_SECONDS = 30.0
# Bounded, least recently used first out. A host that names no business is answered from the set of the businesses'
# host names (read once per _CACHE_SECONDS), so a stranger sending random Host headers neither grows the process's
# memory nor costs a query each.
MAX_KNOWN = 1024
_known: OrderedDict[str, tuple[float, d.Tenant]] = OrderedDict()
_hosts: tuple[float, frozenset[str]] = (0.0, frozenset())
_lock = threading.Lock()


class UnknownTenant(LookupError):
    pass


def resolve_tenant(host: str | None) -> d.Tenant:
    """The tenant for a request: by host name when multi-tenant, else the configured default."""
    cfg = get_config()
    key = _host_key(host) if cfg.multi_tenant else f'slug:{cfg.default_tenant}'
    now = time.monotonic()
    with _lock:
        hit = _known.get(key)
        if hit and hit[0] > now:
            _known.move_to_end(key)
            return hit[1]
    if cfg.multi_tenant and key not in _host_names(now):
        raise UnknownTenant(key)
    with get_db().read() as s:
        if cfg.multi_tenant:
            tenant = tenant_db.tenant_by_host(s, host=key)
        else:
            tenant = tenant_db.tenant_by_slug(s, slug=cfg.default_tenant)
    if tenant is None:
        raise UnknownTenant(key)
    with _lock:
        _known[key] = (now + _CACHE_SECONDS, tenant)
        _known.move_to_end(key)
        while len(_known) > MAX_KNOWN:
            _known.popitem(last=False)
    return tenant


def cached_count() -> int:
    """How many businesses the cache holds now."""
    with _lock:
        return len(_known)


def forget_tenants() -> None:
    global _hosts
    with _lock:
        _known.clear()
        _hosts = (0.0, frozenset())


def _host_names(now: float) -> frozenset[str]:
    global _hosts
    with _lock:
        expires, names = _hosts
    if expires > now:
        return names
    with get_db().read() as s:
        names = tenant_db.tenant_hosts(s)
    with _lock:
        _hosts = (now + _CACHE_SECONDS, names)
    return names


def _host_key(host: str | None) -> str:
    """The host name without its port, in lower case."""
    value = (host or '').strip().lower()
    return value if value.endswith(']') else value.rsplit(':', 1)[0]
