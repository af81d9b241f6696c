"""A booking's status and kind, the allowed moves between statuses, and the sets of
statuses the rules speak of. Re-exported by ``domain.booking``.
"""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    HELD = "held"  # 待确认: slot held, waiting for the shop
    PROPOSED = "proposed"  # the shop proposed another time
    CONFIRMED = "confirmed"  # 已确认
    DECLINED = "declined"
    EXPIRED = "expired"  # the shop (or, for a proposal, the owner) did not answer in time
    CANCELLED = "cancelled"
    ARRIVED = "arrived"  # 到店登记
    IN_REPAIR = "in_repair"  # 维修中
    READY = "ready"  # 完成维修, quality-checked
    PROBLEM = "problem"  # the owner reported a problem at handover
    ACCEPTED = "accepted"  # 验收
    PAID = "paid"  # 支付费用
    RATED = "rated"  # 评价


class BookingKind(StrEnum):
    REPAIR = "repair"  # a claim repair
    MAINTENANCE = "maintenance"  # routine maintenance, no claim


class Payer(StrEnum):
    INSURER = "insurer"  # direct repair (直赔): the insurer pays the shop
    OWNER = "owner"


_B = BookingStatus
ALLOWED_TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    _B.REQUESTED: frozenset({_B.HELD}),
    _B.HELD: frozenset({_B.HELD, _B.CONFIRMED, _B.PROPOSED, _B.DECLINED, _B.EXPIRED, _B.CANCELLED}),
    _B.PROPOSED: frozenset({_B.CONFIRMED, _B.HELD, _B.EXPIRED, _B.CANCELLED}),
    _B.CONFIRMED: frozenset({_B.HELD, _B.ARRIVED, _B.CANCELLED}),
    _B.ARRIVED: frozenset({_B.IN_REPAIR}),
    _B.IN_REPAIR: frozenset({_B.IN_REPAIR, _B.READY}),
    _B.READY: frozenset({_B.ACCEPTED, _B.PROBLEM}),
    _B.PROBLEM: frozenset({_B.IN_REPAIR, _B.READY}),
    _B.ACCEPTED: frozenset({_B.PAID}),
    _B.PAID: frozenset({_B.RATED}),
    _B.RATED: frozenset(),
    _B.DECLINED: frozenset(),
    _B.EXPIRED: frozenset(),
    _B.CANCELLED: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in ALLOWED_TRANSITIONS.items() if not nxt)
NOT_HOLDING = frozenset({_B.REQUESTED, _B.DECLINED, _B.EXPIRED, _B.CANCELLED})
HOLDING = frozenset(BookingStatus) - NOT_HOLDING  # counts against the shop's bays
WAITING_FOR_SHOP = frozenset({_B.HELD})
CHANGEABLE = frozenset({_B.HELD, _B.PROPOSED, _B.CONFIRMED})  # reschedule / cancel
DONE = frozenset({_B.ACCEPTED, _B.PAID, _B.RATED})  # the repair was accepted
# Open: the booking still needs something from someone (no second booking meanwhile).
OPEN = frozenset(BookingStatus) - TERMINAL - {_B.REQUESTED}
