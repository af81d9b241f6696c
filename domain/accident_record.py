"""The accident as an adjuster records it on a claim: the other parties, each victim's
losses, the liability ratios with their source, and the owner's options.

The owner's own car damage is the claim's loss items (定损明细), and the owner's share
is the liability finding; this record holds everything else the statement needs. Every
change returns a new record; ``claim_accident`` (domain.settlement.owner) turns it into
the accident the statement settles, which is how a change is checked before it is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from domain.settlement.accident import LiabilitySource, LossKind, Occupant, TotalLoss
from domain.settlement.errors import InvalidAccident

MAX_PARTIES = 10
MAX_VICTIM_LOSSES = 30
MAX_LABEL = 40


class PartyKind(StrEnum):
    VEHICLE = "vehicle"  # another motor vehicle (plate, insurer)
    NON_MOTOR = "non_motor"  # a bicycle, an e-bike
    PEDESTRIAN = "pedestrian"
    PROPERTY = "property"  # a property owner: 护栏, a shop front (no liability share)


LIABLE_KINDS = frozenset({PartyKind.VEHICLE, PartyKind.NON_MOTOR, PartyKind.PEDESTRIAN})


class InjuryRole(StrEnum):
    DRIVER = "driver"
    PASSENGER = "passenger"
    THIRD_PARTY = "third_party"  # someone outside the vehicles: a cyclist, a pedestrian

    @property
    def occupant(self) -> Occupant | None:
        return None if self is InjuryRole.THIRD_PARTY else Occupant(self.value)


@dataclass(frozen=True)
class AccidentParty:
    label: str  # a plate for a vehicle, a name otherwise
    kind: PartyKind
    insurer: str = ""
    insured: bool = True  # a vehicle with no insurance at all carries no cover
    jiaoqiang: bool = True
    third_party: int | None = None  # 三者险 limit in fen; None: not known

    @property
    def liable(self) -> bool:
        return self.kind in LIABLE_KINDS


@dataclass(frozen=True)
class VictimLoss:
    victim: str  # a party's label, or the owner's plate for their car's occupants
    kind: LossKind
    amount: int
    person: str = ""  # an injured person's name
    role: InjuryRole | None = None


@dataclass(frozen=True)
class RecordedRatios:
    """The other parties' shares in percent; the owner's is the liability finding."""

    shares: Mapping[str, int]
    source: LiabilitySource


@dataclass(frozen=True)
class OwnerOptions:
    subrogation: bool = False  # 代位求偿: paid at once by the owner's own 车损险
    total_loss: TotalLoss | None = None  # 推定全损
    rescue: int = 0  # 施救费 in fen


@dataclass(frozen=True)
class AccidentRecord:
    parties: tuple[AccidentParty, ...] = ()
    losses: tuple[VictimLoss, ...] = ()
    ratios: RecordedRatios | None = None
    options: OwnerOptions = field(default_factory=OwnerOptions)

    def party(self, label: str) -> AccidentParty | None:
        return next((p for p in self.parties if p.label == label), None)

    def share_of(self, label: str) -> int:
        return 0 if self.ratios is None else self.ratios.shares.get(label, 0)


def with_party(record: AccidentRecord, party: AccidentParty, own_plate: str) -> AccidentRecord:
    """The record with ``party`` added, or replacing the party of the same label."""
    if not party.label or len(party.label) > MAX_LABEL or party.label == own_plate:
        raise InvalidAccident("bad_party_label", party=party.label[:MAX_LABEL])
    if party.third_party is not None and party.third_party < 0:
        raise InvalidAccident("negative_amount", where=party.label)
    others = tuple(p for p in record.parties if p.label != party.label)
    if len(others) >= MAX_PARTIES:
        raise InvalidAccident("too_many_parties", max=MAX_PARTIES)
    kept = record.party(party.label)
    if kept is None:
        return replace(record, parties=(*record.parties, party))
    parties = tuple(party if p.label == party.label else p for p in record.parties)
    return replace(record, parties=parties)


def without_party(record: AccidentRecord, label: str) -> AccidentRecord:
    """The record without the party, its losses and its ratio."""
    if record.party(label) is None:
        raise InvalidAccident("unknown_party", party=label[:MAX_LABEL])
    ratios = record.ratios
    if ratios is not None:
        shares = {name: share for name, share in ratios.shares.items() if name != label}
        ratios = RecordedRatios(shares, ratios.source)
    return replace(
        record,
        parties=tuple(p for p in record.parties if p.label != label),
        losses=tuple(loss for loss in record.losses if loss.victim != label),
        ratios=ratios,
    )


def with_loss(record: AccidentRecord, loss: VictimLoss, own_plate: str) -> AccidentRecord:
    """The record with one more victim's loss; the victim is a recorded party or the
    owner's car (whose own damage is the claim's loss items, not recorded here)."""
    if loss.amount < 0:
        raise InvalidAccident("negative_amount", where=loss.victim)
    if len(record.losses) >= MAX_VICTIM_LOSSES:
        raise InvalidAccident("too_many_losses", max=MAX_VICTIM_LOSSES)
    if loss.victim == own_plate and loss.kind is LossKind.VEHICLE:
        raise InvalidAccident("own_damage_by_items", victim=own_plate)
    if loss.victim != own_plate and record.party(loss.victim) is None:
        raise InvalidAccident("unknown_party", party=loss.victim[:MAX_LABEL])
    return replace(record, losses=(*record.losses, loss))


def without_loss(record: AccidentRecord, position: int) -> AccidentRecord:
    """The record without loss ``position`` (1-based)."""
    if not 1 <= position <= len(record.losses):
        raise InvalidAccident("no_such_victim_loss", position=position, count=len(record.losses))
    losses = record.losses[: position - 1] + record.losses[position:]
    return replace(record, losses=losses)


def with_ratios(
    record: AccidentRecord, shares: Mapping[str, int], source: LiabilitySource
) -> AccidentRecord:
    """The other parties' ratios (each a recorded party that can be liable); a liable
    party not named has none."""
    for label, share in shares.items():
        party = record.party(label)
        if party is None:
            raise InvalidAccident("unknown_party", party=label[:MAX_LABEL])
        if not party.liable and share:
            raise InvalidAccident("property_has_no_share", party=label)
        if not 0 <= share <= 100:
            raise InvalidAccident("bad_share", party=label, share=share)
    return replace(record, ratios=RecordedRatios(dict(shares), source))


def without_ratios(record: AccidentRecord) -> AccidentRecord:
    return replace(record, ratios=None)


def with_options(record: AccidentRecord, options: OwnerOptions) -> AccidentRecord:
    if options.rescue < 0:
        raise InvalidAccident("negative_amount", where="rescue")
    return replace(record, options=options)
