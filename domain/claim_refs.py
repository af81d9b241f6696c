"""The claims a message names: the claim numbers among its parameter values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from domain.claim import looks_like_claim_number


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def claim_numbers(payload: Mapping[str, Any]) -> list[str]:
    """The claim numbers among a payload's parameter values, in order of appearance."""
    found = [s for s in _strings(payload.get("params", {})) if looks_like_claim_number(s)]
    return list(dict.fromkeys(found))
