"""Refusals: what a party asked for cannot be done, and why (nothing was changed).

Each refusal has a short reason code and JSON-friendly parameters; the dialogs turn it
into a localized answer (message key ``claims.refusal.<reason>``), so no sentence lives here.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Refusal(Exception):
    reason: ClassVar[str] = "refused"

    def __init__(self, **params: Any) -> None:
        super().__init__(f"{self.reason} {params}" if params else self.reason)
        self.params: dict[str, Any] = params


class UnknownClaim(Refusal):
    """No such claim, or (to an owner) not one of theirs: the answer is the same."""

    reason = "unknown_claim"


class WrongStage(Refusal):
    """The claim's stage does not allow the action (params: number, status, action)."""

    reason = "wrong_stage"


class NotStaff(Refusal):
    reason = "not_staff"


class NotTaken(Refusal):
    reason = "not_taken"


class NotYourClaim(Refusal):
    reason = "not_your_claim"


class AlreadyTaken(Refusal):
    reason = "already_taken"


class AlreadyYours(Refusal):
    reason = "already_yours"


class OwnClaim(Refusal):
    """Staff may not adjudicate a claim they reported themselves."""

    reason = "own_claim"


class BadAmount(Refusal):
    reason = "bad_amount"


class AmountMismatch(Refusal):
    reason = "amount_mismatch"


class ReasonRequired(Refusal):
    reason = "reason_required"


class TextTooLong(Refusal):
    reason = "text_too_long"


class StaleProposal(Refusal):
    """The settlement answered is not the one awaiting an answer."""

    reason = "stale_proposal"


class NoSuchLossItem(Refusal):
    reason = "no_such_loss_item"


class LastLossItem(Refusal):
    reason = "last_loss_item"


class TooManyLossItems(Refusal):
    reason = "too_many_loss_items"


class BadSurveyTime(Refusal):
    reason = "bad_survey_time"


class InvalidInvite(Refusal):
    reason = "invalid_invite"


class AlreadyStaff(Refusal):
    reason = "already_staff"
