"""The process's handle on the database, made from configuration on first use."""

from __future__ import annotations

from services.config import get_config
from storage.db import Database

_db: Database | None = None


def get_db() -> Database:
    global _db
    url = get_config().database_url
    if _db is None or _db.url != url:
        _db = Database(url)
    return _db


def reset_db() -> None:
    global _db
    _db = None
