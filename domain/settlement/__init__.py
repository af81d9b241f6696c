"""How a Chinese motor claim is paid: 交强险 first, then 商业险 by liability, one statement.

``settle(accident)`` gives the statement; ``read_accident(mapping)`` reads the calculator's
input. Everything is pure and in integer fen. See docs/settlement.md for the rules and the
worked cases.
"""

from domain.settlement.accident import (
    Accident,
    LiabilitySource,
    LiabilitySourceKind,
    Loss,
    LossKind,
    MotorVehicle,
    Occupant,
    Options,
    OtherParty,
    OwnDamageCover,
    SeatCover,
    TotalLoss,
)
from domain.settlement.errors import InvalidAccident
from domain.settlement.reading import read_accident
from domain.settlement.rules import (
    JIAOQIANG_2020,
    JiaoqiangLimits,
    SettlementRules,
    SubLimit,
    SubLimits,
)
from domain.settlement.settle import settle
from domain.settlement.statement import Coverage, Line, OwnItem, Receivable, Rule, Statement

__all__ = [
    "JIAOQIANG_2020",
    "Accident",
    "Coverage",
    "InvalidAccident",
    "JiaoqiangLimits",
    "LiabilitySource",
    "LiabilitySourceKind",
    "Line",
    "Loss",
    "LossKind",
    "MotorVehicle",
    "Occupant",
    "Options",
    "OtherParty",
    "OwnDamageCover",
    "OwnItem",
    "Receivable",
    "Rule",
    "SeatCover",
    "SettlementRules",
    "Statement",
    "SubLimit",
    "SubLimits",
    "TotalLoss",
    "read_accident",
    "settle",
]
