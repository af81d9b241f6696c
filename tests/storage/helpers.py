"""Builders shared by the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.claim import Claim
from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.geo import CoordinateSystem, GeoPoint
from domain.report import OtherVehicle, ReportDraft, ReportItem
from storage.db import Database
from storage.media.types import StoredMedia

NOW = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)


def media(n: int, *, kind: str = "photo", gps: bool = True) -> StoredMedia:
    digest = f"{n:064x}"
    return StoredMedia(
        sha256=digest,
        kind=kind,
        mime="image/jpeg" if kind == "photo" else "video/mp4",
        size=1000 + n,
        relative_path=f"{digest[:2]}/{digest[2:4]}/{digest}.jpg",
        width=1600 if kind == "photo" else None,
        height=1200 if kind == "photo" else None,
        taken_at=NOW - timedelta(hours=2, minutes=n) if gps else None,
        gps_lat=31.2 if gps else None,
        gps_lon=121.5 if gps else None,
    )


def import_example(db: Database, data: dict[str, object]) -> None:
    from storage.repositories.directory import import_directory

    with db.unit_of_work() as uow:
        import_directory(uow, data)
        uow.commit()


def new_owner(db: Database, external_id: str = "owner-1") -> int:
    with db.unit_of_work() as uow:
        party = uow.parties.resolve("telegram", external_id)
        uow.commit()
    return party.id


def evidence_for(stored: list[tuple[int, StoredMedia]]) -> list[Evidence]:
    """Evidence as the dialog records it: role by order, time and place from the file."""
    roles = [PhotoRole.OVERVIEW, PhotoRole.DAMAGE, PhotoRole.PLATE_VIN]
    result = []
    for i, (media_id, item) in enumerate(stored):
        gps = None
        if item.gps_lat is not None and item.gps_lon is not None:
            gps = GeoPoint(item.gps_lat, item.gps_lon)
        if item.kind == "video":
            result.append(Evidence(media_id, MediaKind.VIDEO, None, item.taken_at, gps))
        else:
            role = roles[i] if i < len(roles) else PhotoRole.EXTRA
            result.append(Evidence(media_id, MediaKind.PHOTO, role, item.taken_at, gps))
    return result


def complete_report(evidence: list[Evidence]) -> ReportDraft:
    return ReportDraft(
        policy_number="PDAA20260001",
        plate="沪A12345",
        accident_at=NOW - timedelta(hours=3),
        location=GeoPoint(31.2304, 121.4737, CoordinateSystem.GCJ02),
        address="上海市黄浦区人民大道 200 号",
        description="追尾, rear bumper dented",
        injuries=False,
        drivable=False,
        rescue_requested=True,
        other_vehicles=[OtherVehicle("沪B99999", "平安"), OtherVehicle("苏E12345")],
        witnesses=None,
        police_report_no="JJ-2026-0001",
        evidence=evidence,
        evidence_done=True,
        skipped={ReportItem.WITNESSES},
    )


def file_claim(db: Database, owner_id: int, number: str, n_media: int = 4) -> Claim:
    """Store media, then file and store a claim with them; returns the domain claim."""
    with db.unit_of_work() as uow:
        files = [media(i) for i in range(n_media)] + [media(99, kind="video", gps=False)]
        report = complete_report(evidence_for([(uow.media.add(f), f) for f in files]))
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        claim = Claim.file(number, report, policy, owner_id, NOW, "owner")
        uow.claims.add(claim)
        uow.commit()
    return claim
