"""Which business a request belongs to: the default tenant, or the one named by the host in multi-tenant mode."""

from __future__ import annotations

import time

from domain import model as d
from services.config import get_config
from services.context import get_db
from storage import queries as q

_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, d.Tenant | None]] = {}


class UnknownTenant(LookupError):
    pass


def resolve_tenant(host: str | None) -> d.Tenant:
    """The tenant for a request: by host name when multi-tenant, else the configured default."""
    cfg = get_config()
    key = (host or '').split(':')[0].lower() if cfg.multi_tenant else f'slug:{cfg.default_tenant}'
    hit = _cache.get(key)
    if hit and hit[0] > time.monotonic():
        tenant = hit[1]
    else:
        with get_db().read() as s:
            if cfg.multi_tenant:
                tenant = q.tenant_by_host(s, host=key)
            else:
                tenant = q.tenant_by_slug(s, slug=cfg.default_tenant)
        _cache[key] = (time.monotonic() + _CACHE_SECONDS, tenant)
    if tenant is None:
        raise UnknownTenant(key)
    return tenant


def forget_tenants() -> None:
    _cache.clear()
