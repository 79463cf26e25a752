"""Which business a request belongs to: the default tenant, or the one named by the host in multi-tenant mode."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from domain import model as d
from services import runtime
from services.config import get_config
from storage import tenants as tenant_db

_CACHE_SECONDS = 30.0
# Bounded, least recently used first out. A host that names no business is answered from the set of the businesses'
# host names (read once per _CACHE_SECONDS), so a stranger sending random Host headers neither grows the process's
# memory nor costs a query each.
MAX_KNOWN = 1024


class UnknownTenant(LookupError):
    pass


class TenantCache:
    """The businesses requests named lately, and the set of every business's host name (one per runtime)."""

    def __init__(self) -> None:
        self.known: OrderedDict[str, tuple[float, d.Tenant]] = OrderedDict()
        self.hosts: tuple[float, frozenset[str]] = (0.0, frozenset())
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.known.clear()
            self.hosts = (0.0, frozenset())


def resolve_tenant(host: str | None) -> d.Tenant:
    """The tenant for a request: by host name when multi-tenant, else the configured default."""
    cfg = get_config()
    cache = runtime.get().tenants
    key = _host_key(host) if cfg.multi_tenant else f'slug:{cfg.default_tenant}'
    now = time.monotonic()
    with cache.lock:
        hit = cache.known.get(key)
        if hit and hit[0] > now:
            cache.known.move_to_end(key)
            return hit[1]
    if cfg.multi_tenant and key not in _host_names(cache, now):
        raise UnknownTenant(key)
    with runtime.get().db.read() as s:
        if cfg.multi_tenant:
            tenant = tenant_db.tenant_by_host(s, host=key)
        else:
            tenant = tenant_db.tenant_by_slug(s, slug=cfg.default_tenant)
    if tenant is None:
        raise UnknownTenant(key)
    with cache.lock:
        cache.known[key] = (now + _CACHE_SECONDS, tenant)
        cache.known.move_to_end(key)
        while len(cache.known) > MAX_KNOWN:
            cache.known.popitem(last=False)
    return tenant


def cached_count() -> int:
    """How many businesses the cache holds now."""
    cache = runtime.get().tenants
    with cache.lock:
        return len(cache.known)


def forget_tenants() -> None:
    runtime.get().tenants.clear()


def _host_names(cache: TenantCache, now: float) -> frozenset[str]:
    with cache.lock:
        expires, names = cache.hosts
    if expires > now:
        return names
    with runtime.get().db.read() as s:
        names = tenant_db.tenant_hosts(s)
    with cache.lock:
        cache.hosts = (now + _CACHE_SECONDS, names)
    return names


def _host_key(host: str | None) -> str:
    """The host name without its port, in lower case."""
    value = (host or '').strip().lower()
    return value if value.endswith(']') else value.rsplit(':', 1)[0]
