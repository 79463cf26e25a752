"""Placeholder until admin-auth's audit log lands on main (issue 13 point 7): take that branch's version."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def record(session: Any, *, tenant_id: int, admin_id: int | None, action: str, target: str = '', before: Any = None,
           after: Any = None, now: datetime | None = None) -> int:
    """Nothing is kept yet (admin-auth's signature)."""
    return 0
