"""Integer division of an amount in fen by weights, exact to the fen (largest remainder)."""

from __future__ import annotations

from collections.abc import Sequence


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``: the parts sum to ``total`` exactly.

    Each part is ``total × w / W`` rounded down, and the fen left over go one each to the
    largest remainders (earlier weights first on a tie). With ``total <= W`` no part exceeds
    its weight. All weights zero gives all parts zero (and ``total`` must then be zero).
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights are never negative")
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError("nothing to apportion a non-zero total to")
        return [0 for _ in weights]
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def percent_of(amount: int, percent: int) -> int:
    """``amount × percent / 100``, rounded half up to the fen."""
    return (amount * percent + 50) // 100


def cap_in_proportion(claims: Sequence[int], limit: int) -> list[int]:
    """What each claim gets from one limit: all of it when the claims fit, else the limit
    shared in proportion to the claims."""
    if sum(claims) <= limit:
        return list(claims)
    return apportion(limit, claims)
