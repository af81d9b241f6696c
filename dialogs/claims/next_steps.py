"""The buttons for an adjuster's next steps on a claim, by its stage: a normal case goes
from 接案 to payment by taps and short answers, with no slash command to learn."""

from __future__ import annotations

from domain.claim import Claim, ClaimStatus
from messages.choices import ClaimStep, ClaimStepChoice
from messages.outbound import Choice

_BY_STAGE: dict[ClaimStatus, tuple[ClaimStep, ...]] = {
    ClaimStatus.ASSIGNED: (ClaimStep.SURVEY_REMOTE, ClaimStep.SURVEY_ONSITE),
    ClaimStatus.SURVEYING: (ClaimStep.LIABILITY, ClaimStep.LOSS),
    ClaimStatus.ASSESSED: (ClaimStep.LOSS, ClaimStep.PAY_OWNER, ClaimStep.PAY_SHOP),
    ClaimStatus.DISPUTED: (
        ClaimStep.LIABILITY,
        ClaimStep.LOSS,
        ClaimStep.PAY_OWNER,
        ClaimStep.PAY_SHOP,
    ),
    ClaimStatus.AGREED: (ClaimStep.PAID,),
}


def step_choice(step: ClaimStep, number: str) -> Choice:
    return Choice(ClaimStepChoice(step, number).encode(), f"claims.step.{step.value}")


def next_steps(claim: Claim) -> tuple[Choice, ...]:
    """What the adjuster can do next on ``claim`` (nothing while the owner is asked)."""
    steps = _BY_STAGE.get(claim.status, ())
    if claim.status is ClaimStatus.SURVEYING and claim.adjudication.liability is not None:
        steps = (ClaimStep.LOSS,)  # liability stated: the loss is what is missing
    return tuple(step_choice(step, claim.number) for step in steps)
