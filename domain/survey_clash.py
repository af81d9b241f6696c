"""A repair slot is not offered when it clashes with the claim's on-site survey: the owner
and the car are expected at the survey place then (and on the way there and back)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from domain.adjudication import Survey, SurveyMode
from domain.ports import UnitOfWork
from domain.slots import FreeSlot, TimeSlot

BEFORE_SURVEY = timedelta(hours=1)  # on the way to the survey place
SURVEY_TAKES = timedelta(hours=2)  # the survey itself and the way back


def survey_block(survey: Survey | None) -> TimeSlot | None:
    """The time an on-site survey keeps the owner and the car busy; None if none is set."""
    if survey is None or survey.mode is not SurveyMode.ONSITE or survey.at is None:
        return None
    return TimeSlot(survey.at - BEFORE_SURVEY, survey.at + SURVEY_TAKES)


def clear_of_survey(
    uow: UnitOfWork, claim_number: str | None, slots: Sequence[FreeSlot]
) -> list[FreeSlot]:
    """The slots that do not clash with the on-site survey of the claim (if any)."""
    claim = uow.claims.get(claim_number) if claim_number else None
    busy = survey_block(claim.adjudication.survey) if claim is not None else None
    if busy is None:
        return list(slots)
    return [free for free in slots if not free.slot.overlaps(busy)]
