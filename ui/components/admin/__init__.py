"""Page bodies of the admin area. Each takes `act`, the page's way to run a service as the signed-in admin:
`await act(service_fn, **kwargs)` calls `service_fn(db, tenant_id=..., admin_id=..., **kwargs)` off the event loop
after the server re-checked the admin's session and role (the admin shell's AdminContext.act)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Act = Callable[..., Awaitable[Any]]
