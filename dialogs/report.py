"""The accident report dialog (报案): slot filling in any order, summary, claim number.

One Machine definition serves every conversation: a Conversation is attached for one
turn, the trigger fires, and it is detached again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from transitions import Machine

from dialogs import verification
from dialogs.answers import yes_no
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.handoff import handoff_cards
from dialogs.quickdeal.invite import offer as quickdeal_offer
from dialogs.report_codec import draft_from_json, draft_to_json
from dialogs.report_facts import (
    FACTS_WRONG,
    forget_facts,
    looks_like_police_number,
    take_stated_facts,
    understood,
)
from dialogs.smallclaim.offer import offer as small_claim_offer
from dialogs.timeparse import read_accident_time
from domain.claim import IncompleteReport, PolicyNotInForce
from domain.evidence import (
    Evidence,
    MediaKind,
    already_received,
    distinct,
    has_enough_photos,
    missing_photo_roles,
    next_photo_role,
    photos,
    videos,
)
from domain.geo import CoordinateSystem, GeoPoint, InvalidCoordinates
from domain.policy import looks_like_plate, normalize_plate
from domain.report import (
    FUTURE_TOLERANCE,
    ITEM_ORDER,
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
from domain.services import UnknownPolicy, file_claim
from messages.choices import START_REPORT, ReportChoice
from messages.inbound import Inbound, InboundKind, MediaItem
from messages.outbound import Choice, Outbound

NAME = "report"
COLLECTING, SUMMARY, RESUME = "collecting", "summary", "resume_offer"

MACHINE = Machine(
    model=None,
    states=[IDLE, COLLECTING, SUMMARY, RESUME],
    transitions=[
        {"trigger": "start", "source": [IDLE, RESUME], "dest": COLLECTING},
        {"trigger": "review", "source": COLLECTING, "dest": SUMMARY},
        {"trigger": "edit", "source": SUMMARY, "dest": COLLECTING},
        {"trigger": "offer_resume", "source": [COLLECTING, SUMMARY], "dest": RESUME},
        {"trigger": "resume_collecting", "source": RESUME, "dest": COLLECTING},
        {"trigger": "resume_summary", "source": RESUME, "dest": SUMMARY},
        {"trigger": "finish", "source": SUMMARY, "dest": IDLE},
        {"trigger": "abandon", "source": "*", "dest": IDLE},
    ],
    initial=IDLE,
    auto_transitions=False,
)

FIRST_STEP: dict[ReportItem, str] = {
    ReportItem.POLICY: "plate",
    ReportItem.TIME: "time",
    ReportItem.LOCATION: "location",
    ReportItem.DESCRIPTION: "description",
    ReportItem.INJURIES: "injuries",
    ReportItem.DRIVABLE: "drivable",
    ReportItem.OTHER_VEHICLES: "has_other",
    ReportItem.WITNESSES: "witnesses",
    ReportItem.POLICE: "police",
    ReportItem.EVIDENCE: "evidence",
}
MENU = "menu"
ALL_FINE = "all_fine"  # the situation card's one tap: nobody hurt, drivable, no other car
PHOTO_READY_STEPS = frozenset({"witnesses", "police", "evidence"})


@contextmanager
def attached(conv: Conversation) -> Iterator[Any]:
    """The conversation with this dialog's triggers, for the length of one turn."""
    MACHINE.add_model(conv, initial=conv.state)
    try:
        yield conv
    finally:
        MACHINE.remove_model(conv)


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


def choice_value(step: str, answer: str) -> str:
    return ReportChoice(step, answer).encode()


# --- public entry points ---------------------------------------------------------------


def begin(conv: Conversation, ctx: TurnContext, media: list[MediaItem]) -> list[Outbound]:
    """Start a new report, with any evidence the owner sent before starting."""
    draft = ReportDraft()
    _take_media(draft, media)
    if conv.state not in (IDLE, RESUME):
        conv.state = IDLE
    conv.dialog = NAME
    conv.slots = {
        "draft": draft_to_json(draft),
        "history": [],
        "started_at": ctx.now.isoformat(),
    }
    with attached(conv) as machine:
        machine.start()
    return [Outbound("report.started"), *_ask_next(conv, draft, ctx)]


def is_waiting(conv: Conversation) -> bool:
    """Whether an unfinished report waits for the owner (not already offered for resumption)."""
    return conv.dialog == NAME and conv.state in (COLLECTING, SUMMARY)


def offer_resume(conv: Conversation, inbound: Inbound | None, ctx: TurnContext) -> list[Outbound]:
    """Ask whether to continue; evidence and locations sent meanwhile are kept."""
    conv.slots["resume_state"] = conv.state
    with attached(conv) as machine:
        machine.offer_resume()
    if inbound is not None and inbound.kind in (InboundKind.MEDIA, InboundKind.LOCATION):
        return handle(conv, inbound, ctx)
    return reprompt(conv)


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    asked = conv.slots.pop("cancel_asked", False)
    if asked and inbound.kind is InboundKind.CHOICE and inbound.text == ABANDON:
        return cancel(conv)
    draft = _draft(conv)
    if inbound.kind is InboundKind.CHOICE and inbound.text == KEEP_GOING:
        return [Outbound("report.kept"), *_prompt(conv, draft)]
    if inbound.kind is InboundKind.MEDIA:
        received = _add_media(conv, draft, inbound)
        if _photos_end_collecting(conv, draft):
            return [*received, *_ask_next(conv, draft, ctx)]
        return [*received, *_prompt(conv, draft)]
    if inbound.kind is InboundKind.LOCATION:
        return _handle_location(conv, draft, inbound, ctx)
    if conv.state == RESUME:
        return _handle_resume(conv, draft, inbound, ctx)
    if conv.state == SUMMARY:
        return _handle_summary(conv, draft, inbound, ctx)
    return _handle_collecting(conv, draft, inbound, ctx)


def _photos_end_collecting(conv: Conversation, draft: ReportDraft) -> bool:
    """Photos sent at the optional step or the photo step, once enough: the optional
    items not given are skipped and the report moves on by itself."""
    step = conv.slots.get("step")
    if conv.state != COLLECTING or step not in PHOTO_READY_STEPS:
        return False
    if not has_enough_photos(draft.evidence):
        return False
    for item in OPTIONAL_ITEMS:
        if not draft.is_answered(item):
            draft.skipped.add(item)
    _save(conv, draft)
    return True


def go_back(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    draft = _draft(conv)
    history: list[str] = conv.slots.get("history", [])
    if conv.state == RESUME:
        return _prompt(conv, draft)
    if conv.state == SUMMARY:
        if not history:
            return [Outbound("back.nothing"), *_prompt(conv, draft)]
        with attached(conv) as machine:
            machine.edit()
        conv.slots["step"] = history.pop()
        return _prompt(conv, draft)
    if not history:
        return [Outbound("back.nothing"), *_prompt(conv, draft)]
    conv.slots["step"] = history.pop()
    return _prompt(conv, draft)


ABANDON, KEEP_GOING = "r:abandon:abandon", "r:abandon:keep"


def ask_cancel(conv: Conversation) -> list[Outbound]:
    """/cancel (or "取消") with a report in progress: "放弃本次报案？" first; a second
    /cancel, or the button, confirms. The resume offer has its own cancel button."""
    if conv.state == RESUME or conv.slots.get("cancel_asked"):
        return cancel(conv)
    conv.slots["cancel_asked"] = True
    choices = (
        Choice(ABANDON, "report.choice.abandon"),
        Choice(KEEP_GOING, "report.choice.keep_going"),
    )
    return [Outbound("report.confirm_cancel", {}, choices)]


def cancel(conv: Conversation) -> list[Outbound]:
    with attached(conv) as machine:
        machine.abandon()
    conv.reset()
    return [Outbound("report.cancelled")]


def reprompt(conv: Conversation) -> list[Outbound]:
    return _prompt(conv, _draft(conv))


def _prompt(conv: Conversation, draft: ReportDraft) -> list[Outbound]:
    """What the dialog is waiting for, asked again."""
    if conv.state == SUMMARY:
        return [_summary(draft)]
    if conv.state == RESUME:
        missing = draft.missing()
        required = [item for item in missing if item not in OPTIONAL_ITEMS]
        return [
            Outbound(
                "report.resume",
                {
                    "started_at": conv.slots.get("started_at"),
                    "missing": len(required),
                    "complete": not missing,
                },
                (
                    Choice(
                        choice_value("resume", "yes"),
                        "choice.review" if not missing else "choice.resume",
                    ),
                    Choice(choice_value("resume", "restart"), "choice.restart"),
                    Choice(choice_value("resume", "cancel"), "choice.cancel_report"),
                ),
            )
        ]
    return [_ask(conv.slots.get("step", "plate"), draft)]


# --- collecting ------------------------------------------------------------------------


def _handle_collecting(
    conv: Conversation, draft: ReportDraft, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    step: str = conv.slots.get("step", "plate")
    answer = _answer(inbound)
    if answer.choice == "menu" and step != MENU:
        return _goto(conv, draft, MENU)
    if answer.choice == FACTS_WRONG:
        forget_facts(draft, conv.slots.pop("stated", []))
        _save(conv, draft)
        return _ask_next(conv, draft, ctx)
    if step == MENU:
        return _handle_menu(conv, draft, answer, ctx)
    if inbound.kind not in (InboundKind.TEXT, InboundKind.CHOICE):
        return [Outbound("input.unsupported"), *_prompt(conv, draft)]
    result = STEP_HANDLERS[step](draft, answer, conv, ctx)
    if isinstance(result, Problem):
        return [Outbound(result.key, result.params), *_prompt(conv, draft)]
    _save(conv, draft)
    if result.step is not None:
        return [*result.notes, *_goto(conv, draft, result.step)]
    return [*result.notes, *_ask_next(conv, draft, ctx)]


def _handle_menu(
    conv: Conversation, draft: ReportDraft, answer: Answer, ctx: TurnContext
) -> list[Outbound]:
    if answer.choice == "summary" and draft.is_complete():
        return _ask_next(conv, draft, ctx)
    if answer.choice and answer.choice in FIRST_STEP.values():
        return _goto(conv, draft, answer.choice)
    return [Outbound("input.choose_item"), *_prompt(conv, draft)]


def _goto(conv: Conversation, draft: ReportDraft, step: str) -> list[Outbound]:
    current = conv.slots.get("step")
    if current and current != step:
        conv.slots.setdefault("history", []).append(current)
    conv.slots["step"] = step
    return [_ask(step, draft)]


def _ask_next(conv: Conversation, draft: ReportDraft, ctx: TurnContext) -> list[Outbound]:
    if draft.missing()[:1] == [ReportItem.EVIDENCE] and has_enough_photos(draft.evidence):
        draft.evidence_done = True  # the photos needed are in: on to the summary
        _save(conv, draft)
    missing = draft.missing()
    if not missing:
        if conv.state == COLLECTING:
            current = conv.slots.get("step")
            if current:
                conv.slots.setdefault("history", []).append(current)
            conv.slots["step"] = None
            with attached(conv) as machine:
                machine.review()
        return [_summary(draft)]
    return _goto(conv, draft, FIRST_STEP[missing[0]])


# --- step handlers: each parses, validates, and only then changes the draft --------------


def _step_plate(draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext) -> Result:
    if not looks_like_plate(answer.text):
        return Problem("report.error.plate_format")
    plate = normalize_plate(answer.text)
    paused = verification.locked(ctx, plate, conv.party_id)
    if paused is not None:
        return Problem(paused.key, dict(paused.params))
    conv.slots["plate_candidate"] = plate  # known or not: the check answers alike
    return Accepted(step="check")


def _step_check(draft: ReportDraft, answer: Answer, conv: Conversation, ctx: TurnContext) -> Result:
    plate = conv.slots.get("plate_candidate")
    if not plate:
        return Accepted(step="plate")
    policy = verification.check(ctx, plate, conv.party_id, answer.text)
    if isinstance(policy, verification.Refused):
        if policy.locked:
            conv.slots.pop("plate_candidate", None)
            return Accepted((policy.notice,), step="plate")
        return Problem(policy.notice.key, dict(policy.notice.params))
    conv.slots.pop("plate_candidate", None)
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
    draft.address = address
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
    conv.slots["stated"] = taken
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
        if draft.other_vehicles is None:
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
        draft.other_vehicles = []
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
    if answer.choice == "skip":
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


# --- media and location, accepted at any step ------------------------------------------


def _add_media(conv: Conversation, draft: ReportDraft, inbound: Inbound) -> list[Outbound]:
    added = _take_media(draft, inbound.media)
    _save(conv, draft)
    return [
        Outbound(
            "report.evidence_received",
            {
                "photos": len(photos(added)),
                "videos": len(videos(added)),
                "duplicates": len(inbound.media) - len(added),
                "rejected": list(inbound.rejected),
            },
        )
    ]


def _take_media(draft: ReportDraft, media: Sequence[MediaItem]) -> list[Evidence]:
    """Add the files not already in the report (also within one upload); return those."""
    added = []
    for item in media:
        if not already_received(draft.evidence, item.media_id):
            added.append(_evidence(item, draft))
            draft.evidence.append(added[-1])
    return added


def _evidence(item: MediaItem, draft: ReportDraft) -> Evidence:
    kind = MediaKind(item.kind)
    gps = None
    if item.gps_lat is not None and item.gps_lon is not None:
        try:
            gps = GeoPoint(item.gps_lat, item.gps_lon)
        except InvalidCoordinates:
            gps = None
    role = next_photo_role(draft.evidence) if kind is MediaKind.PHOTO else None
    return Evidence(item.media_id, kind, role, item.taken_at, gps)


def _handle_location(
    conv: Conversation, draft: ReportDraft, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    point = _point(inbound)
    if point is None:
        return [Outbound("report.error.bad_location"), *_prompt(conv, draft)]
    draft.location = point
    # The shared place replaces a typed address: keep only the label the channel sent with it.
    label = str(inbound.payload.get("label") or "").strip()[:MAX_ADDRESS]
    draft.address = label or None
    _save(conv, draft)
    saved = Outbound("report.location_saved", _location_params(draft))
    if conv.state == COLLECTING and conv.slots.get("step") == "location":
        return [saved, *_ask_next(conv, draft, ctx)]
    return [saved, *_prompt(conv, draft)]


def _point(inbound: Inbound) -> GeoPoint | None:
    try:
        lat = float(inbound.payload["lat"])
        lon = float(inbound.payload["lon"])
        system = CoordinateSystem(inbound.payload.get("system", "wgs84"))
        return GeoPoint(lat, lon, system)
    except (KeyError, TypeError, ValueError):
        return None


def _location_params(draft: ReportDraft) -> dict[str, Any]:
    point = draft.location
    return {
        "lat": round(point.lat, 6) if point else None,
        "lon": round(point.lon, 6) if point else None,
        "address": draft.address,
    }


# --- summary, filing and resumption -----------------------------------------------------


def _handle_summary(
    conv: Conversation, draft: ReportDraft, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    answer = _answer(inbound)
    if answer.choice == "confirm" or ctx.lexicon.means(answer.text, "confirm"):
        return _file(conv, draft, ctx)
    if answer.choice == "edit":
        with attached(conv) as machine:
            machine.edit()
        return _goto(conv, draft, MENU)
    if answer.choice == "cancel":
        return cancel(conv)
    return [Outbound("input.use_buttons"), *_prompt(conv, draft)]


def _file(conv: Conversation, draft: ReportDraft, ctx: TurnContext) -> list[Outbound]:
    try:
        claim = file_claim(
            ctx.uow, draft, conv.party_id, ctx.now, ctx.tz, actor=f"party:{conv.party_id}"
        )
    except PolicyNotInForce:
        with attached(conv) as machine:
            machine.edit()
        outside = _outside_policy_period(draft, draft.accident_at, ctx, known=True) or {}
        return [Outbound("report.error.policy_not_in_force", outside), *_goto(conv, draft, "time")]
    except (IncompleteReport, UnknownPolicy):
        draft.policy_number = None
        _save(conv, draft)
        with attached(conv) as machine:
            machine.edit()
        return _ask_next(conv, draft, ctx)
    with attached(conv) as machine:
        machine.finish()
    conv.reset()
    return [
        Outbound(
            "report.filed",
            {"number": claim.number, "urgent": claim.urgent, "late": claim.late},
            (Choice(START_REPORT.encode(), "choice.report_another"),),
        ),
        *quickdeal_offer(claim),  # two cars, nobody hurt: 快处快赔 offered
        *small_claim_offer(claim, ctx),  # a small, clean claim: 小额快赔 offered
        *handoff_cards(claim, ctx),  # the region's adjusters are paged
    ]


def _handle_resume(
    conv: Conversation, draft: ReportDraft, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    if inbound.kind is InboundKind.MEDIA:
        return [*_add_media(conv, draft, inbound), *_prompt(conv, draft)]
    answer = _answer(inbound)
    if answer.choice == "yes" or ctx.lexicon.means(answer.text, "continue"):
        back_to = conv.slots.pop("resume_state", COLLECTING)
        with attached(conv) as machine:
            if back_to == SUMMARY:
                machine.resume_summary()
            else:
                machine.resume_collecting()
        return [Outbound("report.resumed"), *_prompt(conv, draft)]
    if answer.choice == "restart" or ctx.lexicon.means(answer.text, "restart"):
        return begin(conv, ctx, [])
    if answer.choice == "cancel" or ctx.lexicon.means(answer.text, "cancel_report"):
        return cancel(conv)
    return [Outbound("report.error.resume_hint"), *_prompt(conv, draft)]


def _summary(draft: ReportDraft) -> Outbound:
    return Outbound(
        "report.summary",
        summary_params(draft),
        (
            Choice(choice_value("summary", "confirm"), "choice.confirm"),
            Choice(choice_value("summary", "edit"), "choice.edit"),
            Choice(choice_value("summary", "cancel"), "choice.cancel_report"),
        ),
    )


def summary_params(draft: ReportDraft) -> dict[str, Any]:
    return {
        "policy_number": draft.policy_number,
        "plate": draft.plate,
        "accident_at": draft.accident_at.isoformat() if draft.accident_at else None,
        **_location_params(draft),
        "description": draft.description,
        "injuries": draft.injuries,
        "drivable": draft.drivable,
        "rescue": draft.rescue_requested,
        "others": [{"plate": v.plate, "insurer": v.insurer} for v in draft.other_vehicles or []],
        "witnesses": draft.witnesses,
        "police": draft.police_report_no,
        "photos": len(photos(distinct(draft.evidence))),
        "videos": len(videos(distinct(draft.evidence))),
        "urgent": draft.urgent,
    }


# --- asking -----------------------------------------------------------------------------

_YES_NO_LABELS: dict[str, tuple[str, str]] = {
    "injuries": ("choice.injuries_yes", "choice.injuries_no"),
    "drivable": ("choice.drivable_yes", "choice.drivable_no"),
    "rescue": ("choice.rescue_yes", "choice.rescue_no"),
    "more_other": ("choice.more_other_yes", "choice.more_other_no"),
}
_EXTRA_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "time": (("now", "choice.now"),),
    "has_other": (("none", "choice.other_none"), ("yes", "choice.other_yes")),
    "other_plate": (("unknown", "choice.other_unknown"),),
    "other_insurer": (("skip", "choice.skip"),),
    "witnesses": (("skip", "choice.skip"), ("police", "report.choice.add_police")),
    "police": (("skip", "choice.skip"),),
}


def _ask(step: str, draft: ReportDraft) -> Outbound:
    if step == MENU:
        return _menu(draft)
    choices: list[Choice] = []
    params: dict[str, Any] = {}
    if step == "injuries":  # one card: injuries, and whether the car drives and others
        params = {"drivable": draft.drivable is None, "others": draft.other_vehicles is None}
        choices.append(Choice(choice_value(step, ALL_FINE), "report.choice.all_fine", params))
    if step in _YES_NO_LABELS:
        yes, no = _YES_NO_LABELS[step]
        choices += [Choice(choice_value(step, "yes"), yes), Choice(choice_value(step, "no"), no)]
    for answer, label in _EXTRA_CHOICES.get(step, ()):
        choices.append(Choice(choice_value(step, answer), label))
    if step == "evidence":
        params = {
            "missing": [role.value for role in missing_photo_roles(draft.evidence)],
            "photos": len(photos(distinct(draft.evidence))),
            "videos": len(videos(distinct(draft.evidence))),
        }
        if has_enough_photos(draft.evidence):
            choices.append(Choice(choice_value(step, "done"), "choice.evidence_done"))
    choices.append(Choice(choice_value(step, "menu"), "choice.menu"))
    return Outbound(
        f"report.ask.{step}", params, tuple(choices), request_location=step == "location"
    )


def _menu(draft: ReportDraft) -> Outbound:
    choices = [
        Choice(
            choice_value(MENU, FIRST_STEP[item]),
            f"item.{item.value}",
            {"done": draft.is_answered(item)},  # a skipped optional item is answered
        )
        for item in ITEM_ORDER
    ]
    if draft.is_complete():
        choices.append(Choice(choice_value(MENU, "summary"), "choice.to_summary"))
    optional = sorted(item.value for item in OPTIONAL_ITEMS)
    return Outbound("report.ask.menu", {"optional": optional}, tuple(choices))


# --- helpers ----------------------------------------------------------------------------


def _answer(inbound: Inbound) -> Answer:
    if inbound.kind is InboundKind.CHOICE:
        choice = ReportChoice.decode(inbound.text)
        return Answer(None if choice is None else choice.answer, "")
    return Answer(None, inbound.text)


def _draft(conv: Conversation) -> ReportDraft:
    return draft_from_json(conv.slots.get("draft", {}))


def _save(conv: Conversation, draft: ReportDraft) -> None:
    conv.slots["draft"] = draft_to_json(draft)
