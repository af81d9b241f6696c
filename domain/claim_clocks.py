"""A claim's statutory clocks from its timeline (``domain.statutory_clocks``).

The instants come from the recorded steps: the first proposal or the rejection is the
decision (核定), the owner's acceptance the agreement, the payment the payment. A rejection
is told to the owner, with its reason, in the same step, so its notice is sent at once.
When the documents became complete is known only once the checklist is kept; until then
the caller passes it (or None: the decision clock has not started).
"""

from __future__ import annotations

from datetime import datetime

from domain.claim import Action, Claim, ClaimStatus
from domain.statutory_clocks import ClaimClockEvents


def clock_events(
    claim: Claim, documents_complete_at: datetime | None = None, *, simple: bool = False
) -> ClaimClockEvents:
    def first(*actions: Action) -> datetime | None:
        return next((c.at for c in claim.timeline if c.action in actions), None)

    def last(action: Action) -> datetime | None:
        return next((c.at for c in reversed(claim.timeline) if c.action == action), None)

    rejected_at = first(Action.REJECT)
    decided_at = first(Action.SETTLE, Action.REJECT)
    return ClaimClockEvents(
        documents_complete_at=documents_complete_at,
        simple=simple,
        decided_at=decided_at,
        rejected_at=rejected_at if claim.status is ClaimStatus.REJECTED else None,
        rejection_notified_at=rejected_at,
        agreed_at=last(Action.ACCEPT),
        paid_at=first(Action.PAY),
    )
