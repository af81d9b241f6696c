"""Bad accident descriptions: a reason code and parameters, worded by the locale catalogs
(``settlement.error.<reason>``)."""

from __future__ import annotations


class InvalidAccident(ValueError):
    def __init__(self, reason: str, **params: int | str) -> None:
        super().__init__(f"{reason} {params}" if params else reason)
        self.reason = reason
        self.params: dict[str, int | str] = params
