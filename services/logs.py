"""Logs as one JSON object per line (KAIROS_LOG_FORMAT=json), for the journal or a log shipper."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from services.config import get_config

_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {'message', 'asctime', 'color_message'}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the record's extra fields and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            'time': datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds'),
            'level': record.levelname.lower(),
            'logger': record.name,
            'message': record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith('_'):
                entry[key] = value if isinstance(value, str | int | float | bool | None) else repr(value)
        if record.exc_info:
            entry['exception'] = self.formatException(record.exc_info)
        if record.stack_info:
            entry['stack'] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def use_json() -> bool:
    return get_config().log_format.lower() == 'json'


def configure() -> None:
    """Every log record (and every Python warning) to stderr as JSON; call it before the libraries are imported."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in ('nicegui', 'uvicorn', 'uvicorn.error', 'uvicorn.access'):
        named = logging.getLogger(name)
        named.handlers[:] = []
        named.propagate = True
    logging.captureWarnings(True)
