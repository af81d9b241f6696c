"""Outbox payloads in the shape of ``dialogs.messages.Outbound.to_payload()``.

``scheduler/`` may not import ``dialogs/``; a test keeps this shape and ``Outbound``'s
in step (tests/scheduler/test_payloads.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    value: str  # what the dialogs receive when tapped (at most 64 bytes)
    label_key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def outbound_payload(
    key: str,
    params: Mapping[str, Any] | None = None,
    choices: Sequence[Button] = (),
    attachments: Sequence[int] = (),
    request_location: bool = False,
) -> dict[str, Any]:
    return {
        "key": key,
        "params": dict(params or {}),
        "choices": [
            {"value": c.value, "label_key": c.label_key, "params": dict(c.params)} for c in choices
        ],
        "attachments": list(attachments),
        "request_location": request_location,
    }
