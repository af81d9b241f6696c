"""Fraud signals on a claim: facts that keep a claim out of the fast lane.

A signal never rejects anything: it sends the claim to an adjuster and is named on the
claim's timeline (``fastlane.signal.<kind>`` in locales/*/fastlane.yaml). The facts are
gathered by storage (other claims with the same plate or phone, photos whose perceptual
hash is close to one in another claim); the rules here decide what counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import combinations
from zoneinfo import ZoneInfo

from domain.evidence import (
    Evidence,
    EvidenceTolerance,
    EvidenceVerdict,
    check_evidence,
    distinct,
    photos,
)
from domain.geo import GeoPoint

PHASH_BITS = 64
# A pHash is also kept as PHASH_BANDS bands of 16 bits, looked up by value (multi-index
# hashing): two hashes within d bits have a band within d // PHASH_BANDS bits of each other.
PHASH_BANDS = 4
PHASH_BAND_BITS = PHASH_BITS // PHASH_BANDS
# Band values probed per band: 1 at radius 0, 17 at 1, 137 at 2, 697 at 3. Beyond this
# radius (distances of 12 bits and more) storage compares every photo of the window instead.
PHASH_MAX_BAND_RADIUS = 2


class SignalKind(StrEnum):
    PHOTO_INCONSISTENT = "photo_inconsistent"  # EXIF time or place far from the report
    PHOTO_REUSED = "photo_reused"  # the same picture is in another claim
    SAME_PLATE = "same_plate"  # the plate has another claim within the window
    SAME_PHONE = "same_phone"  # the phone has another claim within the window
    NEW_POLICY = "new_policy"  # reported within days of the policy start


@dataclass(frozen=True)
class FraudSignal:
    kind: SignalKind
    media_id: int | None = None  # the photo concerned
    other_claim: str | None = None  # the other claim's number
    days: int | None = None  # days from the policy start to the report

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "media_id": self.media_id,
            "other_claim": self.other_claim,
            "days": self.days,
        }


@dataclass(frozen=True)
class FraudRules:
    repeat_window: timedelta = timedelta(days=30)  # same plate or phone: how far back
    new_policy_days: int = 7  # a report this close to the policy start is a signal
    phash_max_distance: int = 6  # of 64 bits: a re-encoded, resized or lightly cropped copy
    evidence: EvidenceTolerance = field(default_factory=EvidenceTolerance)

    def __post_init__(self) -> None:
        if not 0 <= self.phash_max_distance < PHASH_BITS // 2:
            raise ValueError("the perceptual-hash distance is 0 to 31 bits")
        if self.new_policy_days < 0 or self.repeat_window < timedelta(0):
            raise ValueError("windows are not negative")


@dataclass(frozen=True)
class PhotoMatch:
    """A photo of this claim whose perceptual hash is near one in another claim."""

    media_id: int
    other_claim: str
    distance: int  # bits


@dataclass(frozen=True)
class OtherClaim:
    """Another claim with the same plate or phone (as storage finds them)."""

    number: str
    reported_at: datetime
    same_plate: bool
    same_phone: bool


@dataclass(frozen=True)
class FraudFacts:
    reported_at: datetime
    accident_at: datetime | None
    location: GeoPoint | None
    evidence: Sequence[Evidence]
    policy_valid_from: date
    photo_matches: Sequence[PhotoMatch] = ()
    other_claims: Sequence[OtherClaim] = ()
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))  # policy dates' zone


@dataclass(frozen=True)
class PhotoReuseRule:
    """What counts as a photo used in another claim, for the adjuster's cards and pages
    (the same thresholds as the fast lane's PHOTO_REUSED signal)."""

    max_distance: int = 6  # bits of the 64-bit perceptual hash
    lookback: timedelta = timedelta(days=365)  # claims reported this far back


def reuse_by_photo(matches: Sequence[PhotoMatch]) -> dict[int, list[str]]:
    """The other claims each photo of a claim appears in, by media id."""
    found: dict[int, set[str]] = {}
    for match in matches:
        found.setdefault(match.media_id, set()).add(match.other_claim)
    return {media_id: sorted(numbers) for media_id, numbers in found.items()}


def hamming(first: str, second: str) -> int:
    """Bits that differ between two perceptual hashes written as hex strings."""
    if len(first) != len(second):
        raise ValueError("hashes of different lengths")
    return (int(first, 16) ^ int(second, 16)).bit_count()


def phash_bands(phash: str) -> tuple[int, ...]:
    """The 16-bit bands of a 64-bit pHash written as 16 hex digits, most significant first."""
    if len(phash) != PHASH_BITS // 4:
        raise ValueError("a pHash is 16 hex digits")
    value = int(phash, 16)
    mask = (1 << PHASH_BAND_BITS) - 1
    return tuple(
        (value >> (PHASH_BITS - PHASH_BAND_BITS * (band + 1))) & mask for band in range(PHASH_BANDS)
    )


def band_radius(max_distance: int) -> int | None:
    """The bits a band may differ by for hashes within ``max_distance`` (pigeonhole), or None
    when so many band values would be probed that comparing every photo is the better way."""
    radius = max_distance // PHASH_BANDS
    return radius if radius <= PHASH_MAX_BAND_RADIUS else None


def band_neighbours(value: int, radius: int) -> list[int]:
    """Every band value within ``radius`` bits of ``value``, itself first."""
    found = [value]
    for flips in range(1, radius + 1):
        for bits in combinations(range(PHASH_BAND_BITS), flips):
            flipped = value
            for bit in bits:
                flipped ^= 1 << bit
            found.append(flipped)
    return found


def fraud_signals(facts: FraudFacts, rules: FraudRules) -> list[FraudSignal]:
    """Every signal the facts raise, each once, in a stable order."""
    return [
        *_inconsistent_photos(facts, rules),
        *_reused_photos(facts, rules),
        *_repeat_claims(facts, rules),
        *_new_policy(facts, rules),
    ]


def _inconsistent_photos(facts: FraudFacts, rules: FraudRules) -> list[FraudSignal]:
    return [
        FraudSignal(SignalKind.PHOTO_INCONSISTENT, media_id=item.media_id)
        for item in photos(distinct(facts.evidence))
        if check_evidence(item, facts.accident_at, facts.location, rules.evidence).verdict
        is EvidenceVerdict.INCONSISTENT
    ]


def _reused_photos(facts: FraudFacts, rules: FraudRules) -> list[FraudSignal]:
    seen: set[tuple[int, str]] = set()
    signals = []
    for match in sorted(facts.photo_matches, key=lambda m: (m.media_id, m.other_claim)):
        key = (match.media_id, match.other_claim)
        if match.distance <= rules.phash_max_distance and key not in seen:
            seen.add(key)
            signals.append(
                FraudSignal(
                    SignalKind.PHOTO_REUSED, media_id=match.media_id, other_claim=match.other_claim
                )
            )
    return signals


def _repeat_claims(facts: FraudFacts, rules: FraudRules) -> list[FraudSignal]:
    signals = []
    since = facts.reported_at - rules.repeat_window
    for other in sorted(facts.other_claims, key=lambda c: c.number):
        if not since <= other.reported_at <= facts.reported_at:
            continue
        if other.same_plate:
            signals.append(FraudSignal(SignalKind.SAME_PLATE, other_claim=other.number))
        if other.same_phone:
            signals.append(FraudSignal(SignalKind.SAME_PHONE, other_claim=other.number))
    return signals


def _new_policy(facts: FraudFacts, rules: FraudRules) -> list[FraudSignal]:
    days = (facts.reported_at.astimezone(facts.tz).date() - facts.policy_valid_from).days
    if 0 <= days <= rules.new_policy_days:
        return [FraudSignal(SignalKind.NEW_POLICY, days=days)]
    return []
