"""What an accident must satisfy before it can be settled."""

from __future__ import annotations

from domain.settlement.accident import INJURY_KINDS, Accident, LossKind
from domain.settlement.errors import InvalidAccident


def check_accident(accident: Accident) -> None:
    """Raise ``InvalidAccident`` for the first problem found."""
    _check_parties(accident)
    _check_losses(accident)
    _check_options(accident)


def _check_parties(accident: Accident) -> None:
    if not accident.vehicles:
        raise InvalidAccident("no_vehicle")
    labels = [party.id for party in accident.parties]
    for label in labels:
        if labels.count(label) > 1:
            raise InvalidAccident("duplicate_party", party=label)
    for party in accident.parties:
        if not 0 <= party.share <= 100:
            raise InvalidAccident("bad_share", party=party.id, share=party.share)
    total = sum(party.share for party in accident.parties)
    if total != 100:
        raise InvalidAccident("shares_not_100", total=total)
    for vehicle in accident.vehicles:
        cover = vehicle.own_damage
        if cover is not None and not 0 <= cover.deductible_rate <= 100:
            raise InvalidAccident("bad_deductible_rate", party=vehicle.id)


def _check_losses(accident: Accident) -> None:
    if not accident.losses:
        raise InvalidAccident("no_loss")
    for loss in accident.losses:
        if loss.amount < 0:
            raise InvalidAccident("negative_amount", where=loss.victim)
        vehicle = accident.vehicle(loss.victim)
        if loss.kind is LossKind.VEHICLE and vehicle is None:
            raise InvalidAccident("victim_not_a_vehicle", victim=loss.victim)
        if loss.occupant is not None and (vehicle is None or loss.kind not in INJURY_KINDS):
            raise InvalidAccident("occupant_without_vehicle", victim=loss.victim)
        if loss.kind in INJURY_KINDS and vehicle is not None and loss.occupant is None:
            raise InvalidAccident("occupant_missing", victim=loss.victim)
        if loss.kind is LossKind.RESCUE:
            raise InvalidAccident("rescue_is_an_option", victim=loss.victim)
    for vehicle in accident.vehicles:
        cover = vehicle.own_damage
        damage = sum(
            loss.amount
            for loss in accident.losses
            if loss.victim == vehicle.id and loss.kind is LossKind.VEHICLE
        )
        total_loss = accident.options.total_loss.get(vehicle.id)
        if cover is None:
            continue
        if total_loss is None and damage > cover.sum_insured:
            raise InvalidAccident(
                "above_sum_insured", party=vehicle.id, sum_insured_fen=cover.sum_insured
            )
        if total_loss is not None and total_loss.actual_value > cover.sum_insured:
            raise InvalidAccident(
                "value_above_sum_insured", party=vehicle.id, sum_insured_fen=cover.sum_insured
            )


def _check_options(accident: Accident) -> None:
    options = accident.options
    named = [*options.subrogation, *options.rescue, *options.total_loss]
    for label in named:
        if accident.vehicle(label) is None:
            raise InvalidAccident("option_not_a_vehicle", party=label)
    for label in options.subrogation:
        vehicle = accident.vehicle(label)
        if vehicle is not None and vehicle.own_damage is None:
            raise InvalidAccident("subrogation_without_own_damage", party=label)
        if vehicle is not None and vehicle.share == 100:
            raise InvalidAccident("subrogation_wholly_liable", party=label)
    for label, amount in options.rescue.items():
        if amount < 0:
            raise InvalidAccident("negative_amount", where=label)
    for label, total in options.total_loss.items():
        if total.actual_value < 0 or total.salvage < 0:
            raise InvalidAccident("negative_amount", where=label)
        if total.salvage > total.actual_value:
            raise InvalidAccident("salvage_above_value", party=label)
    if options.mutual:
        _check_mutual(accident)


def _check_mutual(accident: Accident) -> None:
    """互碰自赔 applies only when every condition holds; else the adjuster is told which fails."""
    if len(accident.vehicles) < 2 or accident.others:
        raise InvalidAccident("mutual_needs_vehicles_only")
    for vehicle in accident.vehicles:
        if vehicle.share == 0:
            raise InvalidAccident("mutual_needs_all_at_fault", party=vehicle.id)
        if not vehicle.jiaoqiang:
            raise InvalidAccident("mutual_needs_jiaoqiang", party=vehicle.id)
    for loss in accident.losses:
        if loss.kind in INJURY_KINDS:
            raise InvalidAccident("mutual_with_injury", victim=loss.victim)
        if accident.vehicle(loss.victim) is None:
            raise InvalidAccident("mutual_with_outside_property", victim=loss.victim)
    if accident.options.total_loss:
        raise InvalidAccident("mutual_with_total_loss")
