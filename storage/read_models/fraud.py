"""The facts behind the fraud signals (domain.fraud_signals), read from the claims.

- other claims with the same plate, or the same phone (the policy holder's or the
  reporting party's), reported within the window before this claim;
- photos of this claim whose perceptual hash (``media.phash``) lies within the allowed
  distance of a photo in another claim reported within ``photo_lookback``, and files
  shared outright with another claim (same content, same media row).

Near photos are looked up by the bands of their hashes (``media_phash_band``, 4 bands of
16 bits): two hashes within d bits have a band within d // 4 bits of each other, so the
candidates are the photos with one of those band values (17 per band at the default 6
bits), and the exact distance is checked in Python. Above 11 bits the lookup compares
every hashed photo of the look-back period instead (``photo_matches_by_scan``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, or_, select, union

from domain.claim import Claim
from domain.fraud_signals import (
    PHASH_BANDS,
    FraudFacts,
    FraudRules,
    OtherClaim,
    PhotoMatch,
    band_neighbours,
    band_radius,
    hamming,
    phash_bands,
)
from domain.policy import Policy
from storage._sql import AnyRow
from storage.tables.core import (
    claim_evidence_t,
    claim_t,
    media_phash_band_t,
    media_t,
    party_t,
    policy_t,
)

_c = claim_t.c
_e = claim_evidence_t.c
_m = media_t.c
_b = media_phash_band_t.c
DEFAULT_PHOTO_LOOKBACK = timedelta(days=365)


class FraudQueries:
    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def facts(
        self,
        claim: Claim,
        policy: Policy,
        rules: FraudRules,
        tz: tzinfo,
        photo_lookback: timedelta = DEFAULT_PHOTO_LOOKBACK,
    ) -> FraudFacts:
        report = claim.report
        return FraudFacts(
            reported_at=claim.reported_at,
            accident_at=report.accident_at,
            location=report.location,
            evidence=list(report.evidence),
            policy_valid_from=policy.valid_from,
            photo_matches=self.photo_matches(
                claim.number,
                claim.reported_at - photo_lookback,
                rules.phash_max_distance,
            ),
            other_claims=self.other_claims(
                claim.number,
                report.plate or policy.plate,
                self._phones(claim, policy),
                claim.reported_at - rules.repeat_window,
                claim.reported_at,
            ),
            tz=tz,
        )

    def photo_matches(self, number: str, since: datetime, max_distance: int) -> list[PhotoMatch]:
        """This claim's photos near a photo of another claim reported since ``since``.

        Candidates are the photos sharing a pHash band value (within the pigeonhole radius)
        with one of this claim's photos, plus this claim's very files used by another claim;
        the exact distance is then checked here. One match per photo of another claim (an
        evidence row) and photo of this claim, ordered by the other claim's number and the
        photo's place in it.
        """
        own = self._own_photos(number)
        radius = band_radius(max_distance)
        if not own or radius is None:
            return self.photo_matches_by_scan(number, since, max_distance, own)
        probes: dict[int, set[int]] = {band: set() for band in range(PHASH_BANDS)}
        for _, phash in own:
            if phash:
                for band, value in enumerate(phash_bands(phash)):
                    probes[band].update(band_neighbours(value, radius))
        params: dict[str, Any] = {
            "number": number,
            "since": since,
            "own_ids": sorted({media_id for media_id, _ in own}),
        }
        if not probes[0]:  # none of the claim's photos has a hash: its very files only
            return _matches(own, self._conn.execute(_SAME_FILES, params).all(), max_distance)
        params |= {f"probes_{band}": sorted(values) for band, values in probes.items()}
        return _matches(own, self._conn.execute(_SAME_OR_NEAR, params).all(), max_distance)

    def photo_matches_by_scan(
        self,
        number: str,
        since: datetime,
        max_distance: int,
        own: list[tuple[int, str | None]] | None = None,
    ) -> list[PhotoMatch]:
        """As ``photo_matches``, comparing every hashed photo of the window (the way for
        distances too large for the bands; the benchmark's baseline)."""
        own = self._own_photos(number) if own is None else own
        if not own:
            return []
        own_ids = sorted({media_id for media_id, _ in own})
        rows = self._conn.execute(
            _other_photos(number, since)
            .where(or_(_m.phash.is_not(None), _e.media_id.in_(own_ids)))
            .order_by(_c.number, _e.position)
        ).all()
        return _matches(own, rows, max_distance)

    def _own_photos(self, number: str) -> list[tuple[int, str | None]]:
        rows = self._conn.execute(_OWN_PHOTOS, {"number": number}).all()
        return [(int(row.id), row.phash) for row in rows]

    def other_claims(
        self,
        number: str,
        plate: str | None,
        phones: Iterable[str],
        since: datetime,
        until: datetime,
    ) -> list[OtherClaim]:
        """Claims other than ``number`` reported in [since, until] with the plate or a phone."""
        wanted = sorted({phone for phone in phones if phone})
        conditions = []
        if plate:
            conditions.append(_c.plate == plate)
        if wanted:
            conditions += [policy_t.c.phone.in_(wanted), party_t.c.phone.in_(wanted)]
        if not conditions:
            return []
        rows = self._conn.execute(
            select(_c.number, _c.reported_at, _c.plate, policy_t.c.phone, party_t.c.phone)
            .select_from(claim_t)
            .outerjoin(policy_t, policy_t.c.number == _c.policy_number)
            .outerjoin(party_t, party_t.c.id == _c.owner_party_id)
            .where(
                _c.number != number,
                and_(_c.reported_at >= since, _c.reported_at <= until),
                or_(*conditions),
            )
            .order_by(_c.reported_at)
        ).all()
        return [
            OtherClaim(
                number=row[0],
                reported_at=row[1],
                same_plate=bool(plate) and row[2] == plate,
                same_phone=row[3] in wanted or row[4] in wanted,
            )
            for row in rows
        ]

    def _phones(self, claim: Claim, policy: Policy) -> list[str]:
        party_phone = self._conn.execute(
            select(party_t.c.phone).where(party_t.c.id == claim.owner_id)
        ).scalar()
        return [phone for phone in (policy.phone, party_phone) if phone]


def _other_photos(number: Any, since: Any) -> Select[Any]:
    """Photos of the claims other than ``number`` reported since ``since`` (evidence rows)."""
    return (
        select(_c.number, _e.position, _m.id, _m.phash)
        .select_from(claim_evidence_t.join(claim_t, _c.id == _e.claim_id))
        .join(media_t, _m.id == _e.media_id)
        .where(_c.number != number, _e.kind == "photo", _c.reported_at >= since)
    )


_OWN_PHOTOS = (
    select(_m.id, _m.phash)
    .select_from(claim_evidence_t.join(claim_t, _c.id == _e.claim_id))
    .join(media_t, _m.id == _e.media_id)
    .where(_c.number == bindparam("number"), _e.kind == "photo")
    .order_by(_e.position)
)


def _bound_photos() -> Select[Any]:
    return _other_photos(bindparam("number"), bindparam("since", type_=_c.reported_at.type))


# Built once: this claim's very files used by another claim, and (with hashes) the photos
# sharing a band value with one of its photos. The lists are expanding parameters.
_SAME_FILES = (
    _bound_photos()
    .where(_e.media_id.in_(bindparam("own_ids", expanding=True)))
    .order_by(_c.number, _e.position)
)
_NEAR = select(_b.media_id).where(
    or_(
        *(
            and_(_b.band == band, _b.value.in_(bindparam(f"probes_{band}", expanding=True)))
            for band in range(PHASH_BANDS)
        )
    )
)
_SAME_OR_NEAR = union(
    _bound_photos().where(_e.media_id.in_(bindparam("own_ids", expanding=True))),
    _bound_photos().where(_e.media_id.in_(_NEAR)),
).order_by("number", "position")


def _matches(
    own: list[tuple[int, str | None]], others: Sequence[AnyRow], max_distance: int
) -> list[PhotoMatch]:
    own_ids = {media_id for media_id, _ in own}
    hashes = {media_id: phash for media_id, phash in own if phash}
    matches = []
    for other in others:
        other_id = int(other.id)
        if other_id in own_ids:  # the very same file
            matches.append(PhotoMatch(other_id, other.number, 0))
            continue
        if other.phash is None:
            continue
        for media_id, phash in hashes.items():
            distance = hamming(phash, other.phash)
            if distance <= max_distance:
                matches.append(PhotoMatch(media_id, other.number, distance))
    return matches
