"""Log lines: plain text (default) or JSON lines (``CLAIMBOT_LOG_FORMAT=json``).

A JSON line carries the time, level, logger and the message, plus what identifies the
work it belongs to — channel, update id (Telegram), message id (the inbound message's
id in its channel), claim number, outbox row — taken from the log call's ``extra`` or
from the turn in progress (``turn_context``). Never the text of a message or anyone's
personal data: those are not put in log messages (only ids), and the access log shows the
path without its query string (signatures, tokens).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.log_masking import MaskingFilter, masked_log_config

FIELDS = ("channel", "update_id", "message_id", "claim", "outbox_id", "ms")
_context: ContextVar[dict[str, Any] | None] = ContextVar("claimbot_log_context", default=None)


@contextlib.contextmanager
def turn_context(**fields: Any) -> Iterator[dict[str, Any]]:
    """Fields every log line inside the block carries; the block may add more (the claim)."""
    current = {**(_context.get() or {}), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(current)
    try:
        yield current
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(_access_fields(record.args))
        else:
            line["message"] = record.getMessage()
        for name, value in (_context.get() or {}).items():
            line.setdefault(name, value)
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _access_fields(args: tuple[Any, ...]) -> dict[str, Any]:
    """uvicorn's access record: (client, method, path with query, HTTP version, status)."""
    if len(args) < 5:
        return {"message": "request"}
    _, method, full_path, _, status = args[:5]
    return {
        "message": "request",
        "method": method,
        "path": str(full_path).split("?", 1)[0],
        "status": status,
    }


def configure(log_format: str, level: int = logging.INFO) -> dict[str, Any] | None:
    """Set up the root logger; returns uvicorn's ``log_config`` (None: uvicorn's loggers
    propagate to ours, as JSON; the default: uvicorn keeps its own text format)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every Bot API request at INFO: a line per message sent costs a busy bot
    # a few per cent of its CPU and says nothing the send counters on /metrics do not.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    # APScheduler's executor logs two INFO lines for every run of a job, and the timer
    # wake-up runs every second: the log would be nothing else. Its warnings still show.
    logging.getLogger("apscheduler.executors").setLevel(max(level, logging.WARNING))
    if log_format != "json":
        from uvicorn.config import LOGGING_CONFIG

        return masked_log_config(LOGGING_CONFIG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    return None
