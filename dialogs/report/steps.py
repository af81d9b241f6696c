"""The report's step handlers: each parses an answer, validates it, and only then
changes the draft."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs import verification
from dialogs.answers import yes_no
from dialogs.conversation import Conversation, TurnContext
from dialogs.report.facts import (
    looks_like_police_number,
    take_stated_facts,
    understood,
)
from dialogs.report.machine import ALL_FINE
from dialogs.report.slots import keep, load
from dialogs.report.views import _location_params
from dialogs.timeparse import read_accident_time
from domain.evidence import (
    has_enough_photos,
)
from domain.policy import looks_like_plate, normalize_plate
from domain.report import (
    FUTURE_TOLERANCE,
    MAX_ADDRESS,
    MAX_DESCRIPTION,
    MAX_INSURER,
    MAX_OTHER_VEHICLES,
    MAX_POLICE_NUMBER,
    MAX_SHORT_TEXT,
    OPTIONAL_ITEMS,
    OtherVehicle,
    ReportDraft,
    ReportItem,
    accident_time_problem,
    in_policy_period,
    looks_like_address,
)
from messages.outbound import Outbound

# --- what a step handler returns -------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """The input does not fit: say why; nothing changes."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    """The input was taken; go to `step` (same item), or to the next missing item."""

    notes: tuple[Outbound, ...] = ()
    step: str | None = None


Result = Problem | Accepted
StepHandler = Callable[[ReportDraft, "Answer", Conversation, TurnContext], Result]


@dataclass(frozen=True)
class Answer:
    """An owner's reply to a step: a tapped choice's answer part, or typed text."""

    choice: str | None
    text: str


# --- step handlers: each parses, validates, and only then changes the draft --------------


def _step_plate(draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext) -> Result:
    if not looks_like_plate(answer.text):
        return Problem("report.error.plate_format")
    plate = normalize_plate(answer.text)
    paused = verification.locked(ctx, plate, conv.party_id)
    if paused is not None:
        return Problem(paused.key, dict(paused.params))
    _set_candidate(conv, plate)  # known or not: the check answers alike
    return Accepted(step="check")


def _step_check(draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext) -> Result:
    plate = load(conv).plate_candidate
    if not plate:
        return Accepted(step="plate")
    policy = verification.check(ctx, plate, conv.party_id, answer.text)
    if isinstance(policy, verification.Refused):
        if policy.locked:
            _set_candidate(conv, None)
            return Accepted((policy.notice,), step="plate")
        return Problem(policy.notice.key, dict(policy.notice.params))
    _set_candidate(conv, None)
    draft.plate = policy.plate
    draft.policy_number = policy.number
    found = Outbound(
        "report.policy_found",
        {
            "number": policy.number,
            "holder": policy.holder,
            "vehicle": f"{policy.vehicle.make} {policy.vehicle.model}",
        },
    )
    outside = _outside_policy_period(draft, draft.accident_at, ctx)
    if outside is not None:  # the time was given first
        return Accepted((found, Outbound("report.error.policy_not_in_force", outside)), step="time")
    return Accepted((found,))


def _set_candidate(conv: Conversation, plate: str | None) -> None:
    slots = load(conv)
    slots.plate_candidate = plate
    keep(conv, slots)


def _step_time(draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext) -> Result:
    notes: tuple[Outbound, ...] = ()
    if answer.choice == "now":
        at = ctx.now
    else:
        latest = ctx.now + FUTURE_TOLERANCE
        read = read_accident_time(answer.text, ctx.now, ctx.tz, ctx.lexicon, latest)
        if read is None:
            return Problem("report.error.time_format")
        at = read.at
        if read.assumed_yesterday:
            params = {"at": at.isoformat(), "clock": f"{at:%H:%M}"}
            notes = (Outbound("report.time_assumed_yesterday", params),)
    at = at.astimezone(ctx.tz)  # the local day is the one the policy period speaks of
    problem = accident_time_problem(at, ctx.now)
    if problem is not None:
        return Problem(f"report.error.time_{problem.value}")
    outside = _outside_policy_period(draft, at, ctx)
    if outside is not None:
        return Problem("report.error.policy_not_in_force", outside)
    draft.accident_at = at
    return Accepted(notes)


def _outside_policy_period(
    draft: ReportDraft, at: datetime | None, ctx: TurnContext, *, known: bool = False
) -> dict[str, Any] | None:
    """Checked as soon as both the verified policy and the accident time are known: the
    refusal's parameters (the policy period, the time entered) when the time is outside
    it (``known``: the domain already said so)."""
    if at is None or draft.policy_number is None:
        return None
    policy = ctx.uow.policies.by_number(draft.policy_number)
    if policy is None or (in_policy_period(policy, at) and not known):
        return None
    return {
        "valid_from": policy.valid_from.isoformat(),
        "valid_to": policy.valid_to.isoformat(),
        "at": at.isoformat(),
    }


def _step_location(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    address = answer.text.strip()
    if answer.choice is not None or len(address) < 4:
        return Problem("report.error.address_short")
    if len(address) > MAX_ADDRESS:
        return Problem("report.error.too_long", {"max": MAX_ADDRESS})
    if not looks_like_address(address):
        return Problem("report.error.address_not_place", {"text": address})
    draft.type_address(address)
    return Accepted()


def _step_description(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    text = answer.text.strip()
    if answer.choice is not None or len(text) < 4:
        return Problem("report.error.description_short")
    if len(text) > MAX_DESCRIPTION:
        return Problem("report.error.too_long", {"max": MAX_DESCRIPTION})
    draft.description = text
    taken = take_stated_facts(draft, text, ctx.lexicon)
    slots = load(conv)
    slots.stated = taken
    keep(conv, slots)
    return Accepted((understood(draft, taken),) if taken else ())


def _yes_no(answer: Answer, ctx: TurnContext, question: str) -> bool | None:
    if answer.choice in ("yes", "no"):
        return answer.choice == "yes"
    return yes_no(answer.text, question, ctx.lexicon)


def _not_yes_no(question: str) -> Problem:
    return Problem("report.error.yes_no", {"question": question})


def _step_injuries(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    if answer.choice == ALL_FINE or ctx.lexicon.means(answer.text, ALL_FINE):
        draft.injuries = False
        if draft.drivable is None:
            draft.drivable, draft.rescue_requested = True, None
        if draft.other_vehicles is None and not draft.other_vehicle_said:
            draft.other_vehicles = []
        return Accepted()
    taken = take_stated_facts(draft, answer.text, ctx.lexicon) if answer.text else []
    if "injuries" in taken:  # "没人受伤，车能开" answers the card's questions at once
        return Accepted((Outbound("report.injuries_urgent"),) if draft.injuries else ())
    value = _yes_no(answer, ctx, "injuries")
    if value is None:
        return _not_yes_no("injuries")
    draft.injuries = value
    return Accepted((Outbound("report.injuries_urgent"),) if value else ())


def _step_drivable(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    value = _yes_no(answer, ctx, "drivable")
    if value is None:
        return _not_yes_no("drivable")
    draft.drivable = value
    if value:
        draft.rescue_requested = None
        return Accepted()
    return Accepted(step="rescue")


def _step_rescue(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    value = _yes_no(answer, ctx, "rescue")
    if value is None:
        return _not_yes_no("rescue")
    draft.rescue_requested = value
    return Accepted((Outbound("report.rescue_noted", _location_params(draft)),) if value else ())


def _step_has_other(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    said = yes_no(answer.text, "has_other", ctx.lexicon)
    if answer.choice == "none" or said is False:
        draft.other_vehicles, draft.other_vehicle_said = [], False
        return Accepted()
    if answer.choice == "yes" or said is True:
        draft.other_vehicles = None
        return Accepted(step="other_plate")
    if looks_like_plate(answer.text):
        return _add_other_vehicle(draft, normalize_plate(answer.text))
    return _not_yes_no("has_other")


def _step_other_plate(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    if answer.choice == "unknown":
        return _add_other_vehicle(draft, "")
    if not looks_like_plate(answer.text):
        return Problem("report.error.plate_format")
    return _add_other_vehicle(draft, normalize_plate(answer.text))


def _add_other_vehicle(draft: ReportDraft, plate: str) -> Result:
    others = list(draft.other_vehicles or [])
    if len(others) >= MAX_OTHER_VEHICLES:
        return Problem("report.error.too_many_vehicles", {"max": MAX_OTHER_VEHICLES})
    others.append(OtherVehicle(plate))
    draft.other_vehicles = others
    return Accepted(step="other_insurer")


def _step_other_insurer(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    others = list(draft.other_vehicles or [])
    if not others:
        return Accepted(step="has_other")
    if answer.choice == "skip" or ctx.lexicon.means(answer.text, "skip"):  # "不知道"
        return Accepted(step="more_other")
    insurer = answer.text.strip()
    if len(insurer) < 2:
        return Problem("report.error.insurer")
    if len(insurer) > MAX_INSURER:
        return Problem("report.error.too_long", {"max": MAX_INSURER})
    others[-1] = OtherVehicle(others[-1].plate, insurer)
    draft.other_vehicles = others
    return Accepted(step="more_other")


def _step_more_other(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    value = _yes_no(answer, ctx, "more_other")
    if value is None:
        return _not_yes_no("more_other")
    return Accepted(step="other_plate") if value else Accepted()


def _optional_text(limit: int, attribute: str, item: ReportItem) -> StepHandler:
    def handler(draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext) -> Result:
        if answer.choice == "skip" or ctx.lexicon.means(answer.text, "skip"):
            draft.skipped.add(item)
            setattr(draft, attribute, None)
            return Accepted()
        text = answer.text.strip()
        if answer.choice is not None or len(text) < 2:
            return Problem(f"report.error.{item.value}")
        if len(text) > limit:
            return Problem("report.error.too_long", {"max": limit})
        draft.skipped.discard(item)
        setattr(draft, attribute, text)
        return Accepted()

    return handler


def _step_extras(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    """The optional items as one step: a witness or a police report number typed, or
    skipped together; the other one is left for the edit menu."""
    if answer.choice == "police":
        return Accepted(step="police")
    if looks_like_police_number(answer.text):
        result = _optional_text(MAX_POLICE_NUMBER, "police_report_no", ReportItem.POLICE)(
            draft, answer, conv, ctx
        )
    else:
        result = _optional_text(MAX_SHORT_TEXT, "witnesses", ReportItem.WITNESSES)(
            draft, answer, conv, ctx
        )
    if isinstance(result, Accepted):
        for item in OPTIONAL_ITEMS:
            if not draft.is_answered(item):
                draft.skipped.add(item)
    return result


def _step_evidence(
    draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext
) -> Result:
    if answer.choice == "done" or ctx.lexicon.means(answer.text, "done"):
        if not has_enough_photos(draft.evidence):
            return Problem("report.error.need_photos")
        draft.evidence_done = True
        return Accepted()
    return Problem("report.error.send_photos")


STEP_HANDLERS: dict[str, StepHandler] = {
    "plate": _step_plate,
    "check": _step_check,
    "time": _step_time,
    "location": _step_location,
    "description": _step_description,
    "injuries": _step_injuries,
    "drivable": _step_drivable,
    "rescue": _step_rescue,
    "has_other": _step_has_other,
    "other_plate": _step_other_plate,
    "other_insurer": _step_other_insurer,
    "more_other": _step_more_other,
    "witnesses": _step_extras,
    "police": _optional_text(MAX_POLICE_NUMBER, "police_report_no", ReportItem.POLICE),
    "evidence": _step_evidence,
}
