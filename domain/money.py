"""Money in integer fen (1 yuan = 100 fen); never floats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


class InvalidAmount(ValueError):
    """An amount that is not a yuan value with at most two decimals."""


@dataclass(frozen=True, order=True)
class Money:
    fen: int

    @classmethod
    def from_yuan(cls, text: str | int) -> Money:
        try:
            value = Decimal(str(text).strip().replace(",", ""))
        except InvalidOperation as exc:
            raise InvalidAmount(str(text)) from exc
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise InvalidAmount(str(text))
        return cls(int(value * 100))

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def yuan(self) -> str:
        sign = "-" if self.fen < 0 else ""
        whole, cents = divmod(abs(self.fen), 100)
        return f"{sign}{whole}.{cents:02d}"

    def grouped(self) -> str:
        """The amount as people read it, ``1234567`` fen as ``12,345.67``: every amount
        shown to a person (chat, dashboard, status page) goes through here; ``yuan()`` is
        for machines (codecs, JSON, stored notes)."""
        sign = "-" if self.fen < 0 else ""
        whole, cents = divmod(abs(self.fen), 100)
        return f"{sign}{whole:,}.{cents:02d}"


def with_amounts(params: Mapping[str, object]) -> dict[str, object]:
    """Message parameters as templates take them: each integer ``x_fen`` also as ``x``,
    grouped (``Money.grouped``)."""
    out: dict[str, object] = dict(params)
    for name, value in params.items():
        if name.endswith("_fen") and isinstance(value, int):
            out[name.removesuffix("_fen")] = Money(value).grouped()
    return out
