"""拖车到店: a claim's car that cannot be driven may be fetched by the shop, from the
accident's place (the address the owner gave, else the shared coordinates)."""

from __future__ import annotations

from domain.claim import Claim


def needs_tow(claim: Claim | None) -> bool:
    """The report says the car cannot be driven."""
    return claim is not None and claim.report.drivable is False


def pickup_of(claim: Claim) -> str | None:
    """Where the tow truck fetches the car: the accident's address, else its coordinates."""
    report = claim.report
    if report.address:
        return report.address.strip()
    if report.location is not None:
        return f"{report.location.lat:.5f}, {report.location.lon:.5f}"
    return None
