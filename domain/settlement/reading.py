"""The calculator's input (a mapping read from YAML) as an ``Accident``.

Amounts are yuan with at most two decimals; liability is a percent or a grade name
(full, major, equal, minor, none). Unknown fields are refused: in a calculator a typo
must not silently change a figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from domain.adjudication import Liability
from domain.money import InvalidAmount, Money
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
from domain.settlement.rules import SettlementRules

_TOP = {"vehicles", "others", "losses", "options", "liability_source"}
_VEHICLE = {"id", "liability", "jiaoqiang", "insurer", "own_damage", "third_party", "seats"}
_OWN_DAMAGE = {"sum_insured", "deductible", "deductible_rate"}
_SEATS = {"per_seat", "driver", "passenger"}
_OTHER = {"id", "liability"}
_LOSS = {"victim", "kind", "amount", "occupant", "person"}
_OPTIONS = {"mutual", "subrogation", "rescue", "total_loss"}
_TOTAL_LOSS = {"actual_value", "salvage", "insurer_takes_salvage"}
_SOURCE = {"kind", "reference"}
MAX_LABEL = 40
_E = TypeVar("_E", LossKind, Occupant, LiabilitySourceKind)


def read_accident(data: Any, rules: SettlementRules | None = None) -> Accident:
    rules = rules or SettlementRules()
    top = _mapping(data, "accident", _TOP)
    vehicles = tuple(
        _vehicle(item, f"vehicles[{i}]", rules)
        for i, item in enumerate(_list(top.get("vehicles"), "vehicles"))
    )
    others = tuple(
        OtherParty(
            _label(item.get("id"), f"others[{i}].id"),
            _liability(item.get("liability"), f"others[{i}].liability", rules),
        )
        for i, item in (
            (i, _mapping(raw, f"others[{i}]", _OTHER))
            for i, raw in enumerate(_list(top.get("others", []), "others"))
        )
    )
    losses = tuple(
        _loss(item, f"losses[{i}]") for i, item in enumerate(_list(top.get("losses"), "losses"))
    )
    source = None
    if top.get("liability_source") is not None:
        raw = _mapping(top["liability_source"], "liability_source", _SOURCE)
        source = LiabilitySource(
            _choice(raw.get("kind"), "liability_source.kind", LiabilitySourceKind),
            _text(raw.get("reference", ""), "liability_source.reference"),
        )
    return Accident(vehicles, losses, others, _options(top.get("options") or {}), source)


def _vehicle(raw: Any, where: str, rules: SettlementRules) -> MotorVehicle:
    item = _mapping(raw, where, _VEHICLE)
    own_damage = None
    if item.get("own_damage") is not None:
        cover = _mapping(item["own_damage"], f"{where}.own_damage", _OWN_DAMAGE)
        own_damage = OwnDamageCover(
            sum_insured=_amount(cover.get("sum_insured"), f"{where}.own_damage.sum_insured"),
            deductible=_amount(cover.get("deductible", 0), f"{where}.own_damage.deductible"),
            deductible_rate=_percent(
                cover.get("deductible_rate", 0), f"{where}.own_damage.deductible_rate"
            ),
        )
        if own_damage.deductible and own_damage.deductible_rate:
            raise InvalidAccident("deductible_amount_or_rate", field=f"{where}.own_damage")
    seats = None
    if item.get("seats") is not None:
        raw_seats = _mapping(item["seats"], f"{where}.seats", _SEATS)
        per_seat = raw_seats.get("per_seat", 0)
        seats = SeatCover(
            driver=_amount(raw_seats.get("driver", per_seat), f"{where}.seats.driver"),
            passenger=_amount(raw_seats.get("passenger", per_seat), f"{where}.seats.passenger"),
        )
    third_party = item.get("third_party")
    return MotorVehicle(
        id=_label(item.get("id"), f"{where}.id"),
        share=_liability(item.get("liability"), f"{where}.liability", rules),
        jiaoqiang=_flag(item.get("jiaoqiang", True), f"{where}.jiaoqiang"),
        insurer=_text(item.get("insurer", ""), f"{where}.insurer"),
        own_damage=own_damage,
        third_party=None if third_party is None else _amount(third_party, f"{where}.third_party"),
        seats=seats,
    )


def _loss(raw: Any, where: str) -> Loss:
    item = _mapping(raw, where, _LOSS)
    occupant = item.get("occupant")
    kind = _choice(item.get("kind"), f"{where}.kind", LossKind)
    if kind is LossKind.RESCUE:
        raise InvalidAccident("rescue_is_an_option", field=f"{where}.kind")
    return Loss(
        victim=_label(item.get("victim"), f"{where}.victim"),
        kind=kind,
        amount=_amount(item.get("amount"), f"{where}.amount"),
        occupant=None if occupant is None else _choice(occupant, f"{where}.occupant", Occupant),
        person=_text(item.get("person", ""), f"{where}.person"),
    )


def _options(raw: Any) -> Options:
    item = _mapping(raw, "options", _OPTIONS)
    rescue = _mapping(item.get("rescue") or {}, "options.rescue", None)
    total = _mapping(item.get("total_loss") or {}, "options.total_loss", None)
    return Options(
        mutual=_flag(item.get("mutual", False), "options.mutual"),
        subrogation=frozenset(
            _label(label, "options.subrogation")
            for label in _list(item.get("subrogation") or [], "options.subrogation", empty=True)
        ),
        rescue={
            _label(label, "options.rescue"): _amount(amount, f"options.rescue.{label}")
            for label, amount in rescue.items()
        },
        total_loss={
            _label(label, "options.total_loss"): _total_loss(value, f"options.total_loss.{label}")
            for label, value in total.items()
        },
    )


def _total_loss(raw: Any, where: str) -> TotalLoss:
    item = _mapping(raw, where, _TOTAL_LOSS)
    return TotalLoss(
        actual_value=_amount(item.get("actual_value"), f"{where}.actual_value"),
        salvage=_amount(item.get("salvage", 0), f"{where}.salvage"),
        insurer_takes_salvage=_flag(
            item.get("insurer_takes_salvage", False), f"{where}.insurer_takes_salvage"
        ),
    )


def _mapping(raw: Any, where: str, allowed: set[str] | None) -> Mapping[Any, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidAccident("not_a_mapping", field=where)
    if allowed is not None:
        for key in raw:
            if key not in allowed:
                raise InvalidAccident("unknown_field", field=f"{where}.{key}")
    return raw


def _list(raw: Any, where: str, empty: bool = False) -> list[Any]:
    if raw is None and not empty:
        raise InvalidAccident("missing_field", field=where)
    if not isinstance(raw, list):
        raise InvalidAccident("not_a_list", field=where)
    return raw


def _amount(raw: Any, where: str) -> int:
    if raw is None:
        raise InvalidAccident("missing_field", field=where)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidAccident("bad_amount", field=where)
    try:
        fen = Money.from_yuan(str(raw)).fen
    except InvalidAmount:
        raise InvalidAccident("bad_amount", field=where) from None
    if fen < 0:
        raise InvalidAccident("negative_amount", where=where)
    return fen


def _percent(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 100:
        raise InvalidAccident("bad_percent", field=where)
    return raw


def _liability(raw: Any, where: str, rules: SettlementRules) -> int:
    if isinstance(raw, str) and raw in set(Liability):
        return rules.grades[Liability(raw)]
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 100:
        raise InvalidAccident("bad_liability", field=where)
    return raw


def _label(raw: Any, where: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InvalidAccident("missing_field" if raw is None else "bad_label", field=where)
    text = str(raw).strip()
    if not text or len(text) > MAX_LABEL:
        raise InvalidAccident("bad_label", field=where)
    return text


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or len(raw) > MAX_LABEL:
        raise InvalidAccident("bad_label", field=where)
    return raw.strip()


def _flag(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise InvalidAccident("bad_flag", field=where)
    return raw


def _choice(raw: Any, where: str, kind: type[_E]) -> _E:
    if raw is None:
        raise InvalidAccident("missing_field", field=where)
    try:
        return kind(raw)
    except ValueError:
        raise InvalidAccident("bad_choice", field=where, value=str(raw)[:MAX_LABEL]) from None
