"""Secrets in URLs never reach the access log.

WeChat's callback carries its signature, timestamp and nonce in the query string, and a
status page's path is its token: whoever reads the log could replay the one or open the
other. The filter rewrites uvicorn's access record before any handler formats it.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_STATUS_TOKEN = re.compile(r"^(/status/)[^/?]+")
_SECRET_QUERY_PATHS = ("/wechat/callback", "/status/")
_PATH_ARG = 2  # uvicorn: '%s - "%s %s HTTP/%s" %d' (client, method, path, version, status)


def redact(path: str) -> str:
    """The path as it may be logged: no status token, no query string where it is secret."""
    path = _STATUS_TOKEN.sub(r"\1[token]", path)
    base, sep, _ = path.partition("?")
    if sep and base.startswith(_SECRET_QUERY_PATHS):
        return f"{base}?[redacted]"
    return path


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG:
            path = args[_PATH_ARG]
            if isinstance(path, str):
                record.args = (*args[:_PATH_ARG], redact(path), *args[_PATH_ARG + 1 :])
        return True


def install() -> None:
    """Attach the filter to uvicorn's access logger (once; survives uvicorn's dictConfig)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
