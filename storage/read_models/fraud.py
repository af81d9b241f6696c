"""The facts behind the fraud signals (domain.fraud_signals), read from the claims.

- other claims with the same plate, or the same phone (the policy holder's or the
  reporting party's), reported within the window before this claim;
- photos of this claim whose perceptual hash (``media.phash``) lies within the allowed
  distance of a photo in another claim reported within ``photo_lookback``, and files
  shared outright with another claim (same content, same media row).

Hashes are compared in Python over the photos of claims in the look-back period: a year
of a regional insurer's photos is a few hundred thousand 16-digit strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import Connection, and_, or_, select

from domain.claim import Claim
from domain.fraud_signals import (
    FraudFacts,
    FraudRules,
    OtherClaim,
    PhotoMatch,
    hamming,
)
from domain.policy import Policy
from storage.tables.core import claim_evidence_t, claim_t, media_t, party_t, policy_t

_c = claim_t.c
_e = claim_evidence_t.c
_m = media_t.c
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
        """This claim's photos near a photo of another claim reported since ``since``."""
        own = self._conn.execute(
            select(_m.id, _m.phash)
            .select_from(claim_evidence_t.join(claim_t, _c.id == _e.claim_id))
            .join(media_t, _m.id == _e.media_id)
            .where(_c.number == number, _e.kind == "photo")
        ).all()
        if not own:
            return []
        own_ids = {int(row.id) for row in own}
        hashes = {int(row.id): row.phash for row in own if row.phash}
        others = self._conn.execute(
            select(_c.number, _m.id, _m.phash)
            .select_from(claim_evidence_t.join(claim_t, _c.id == _e.claim_id))
            .join(media_t, _m.id == _e.media_id)
            .where(
                _c.number != number,
                _e.kind == "photo",
                _c.reported_at >= since,
                or_(_m.phash.is_not(None), _m.id.in_(sorted(own_ids))),
            )
        ).all()
        matches = []
        for other in others:
            other_id = int(other.id)
            if other_id in own_ids:  # the very same file
                matches.append(PhotoMatch(other_id, other.number, 0))
                continue
            for media_id, phash in hashes.items():
                distance = hamming(phash, other.phash)
                if distance <= max_distance:
                    matches.append(PhotoMatch(media_id, other.number, distance))
        return matches

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
