"""Logs without personal identifiers: every record's message and arguments are masked
(``domain.masking.mask_text``: mobile, ID and bank numbers, plates) by a filter on the
handlers ``claimbot serve`` logs through (uvicorn's and the application's)."""

from __future__ import annotations

import copy
import logging
from typing import Any

from domain.masking import mask_text

_PLAIN = (int, float, bool, type(None))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, _PLAIN):
        return value
    return mask_text(repr(value))  # an object logged with %r or %s: its text, masked


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(value) for value in record.args)
        return True


def masked_log_config(base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a logging dictConfig, e.g. uvicorn's) with the masking filter on every
    handler, and the application's loggers (the root) writing through its default one."""
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["mask_personal_data"] = {"()": MaskingFilter}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "mask_personal_data"]
    config.setdefault("root", {"handlers": ["default"], "level": "INFO"})
    return config
