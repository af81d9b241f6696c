"""The report dialog's turns: its entry points, collecting in any order, media and
locations at any step, the summary, filing and resumption."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.handoff import handoff_cards
from dialogs.quickdeal.invite import offer as quickdeal_offer
from dialogs.report.facts import (
    FACTS_WRONG,
    forget_facts,
)
from dialogs.report.machine import (
    FIRST,
    FIRST_STEP,
    MENU,
    NAME,
    PHOTO_READY_STEPS,
    RESUME,
    STEPS,
    SUMMARY,
    enter,
    move,
    step_of,
    upgrade,
)
from dialogs.report.slots import ReportSlots, keep, load
from dialogs.report.steps import STEP_HANDLERS, Answer, Problem, _outside_policy_period
from dialogs.report.views import _ask, _location_params, _summary, choice_value
from dialogs.slots_codec import slots_to_json
from dialogs.smallclaim.offer import offer as small_claim_offer
from domain.claim import IncompleteReport, PolicyNotInForce
from domain.evidence import (
    Evidence,
    MediaKind,
    already_received,
    has_enough_photos,
    next_photo_role,
    photos,
    videos,
)
from domain.geo import CoordinateSystem, GeoPoint, InvalidCoordinates
from domain.report import (
    MAX_ADDRESS,
    OPTIONAL_ITEMS,
    ReportDraft,
    ReportItem,
)
from domain.services import UnknownPolicy, file_claim
from messages.choices import START_REPORT, ReportChoice
from messages.inbound import Inbound, InboundKind, MediaItem
from messages.outbound import Choice, Outbound

# --- public entry points ---------------------------------------------------------------


def begin(conv: Conversation, ctx: TurnContext, media: list[MediaItem]) -> list[Outbound]:
    """Start a new report, with any evidence the owner sent before starting."""
    draft = ReportDraft()
    _take_media(draft, media)
    conv.state = IDLE  # a new report starts over, also from the resume offer
    conv.dialog = NAME
    conv.slots = slots_to_json(ReportSlots(draft, started_at=ctx.now.isoformat()))
    return [Outbound("report.started"), *_ask_next(conv, draft, ctx)]


def is_waiting(conv: Conversation) -> bool:
    """Whether an unfinished report waits for the owner (not already offered for resumption)."""
    upgrade(conv)
    return conv.dialog == NAME and (step_of(conv) is not None or conv.state == SUMMARY)


def offer_resume(conv: Conversation, inbound: Inbound | None, ctx: TurnContext) -> list[Outbound]:
    """Ask whether to continue; evidence and locations sent meanwhile are kept."""
    upgrade(conv)
    slots = load(conv)
    slots.resume_state = conv.state
    keep(conv, slots)
    move(conv, "offer_resume")
    if inbound is not None and inbound.kind in (InboundKind.MEDIA, InboundKind.LOCATION):
        return handle(conv, inbound, ctx)
    return reprompt(conv)


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    upgrade(conv)
    slots = load(conv)
    asked, slots.cancel_asked = slots.cancel_asked, False
    keep(conv, slots)
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
    if conv.state not in PHOTO_READY_STEPS:
        return False
    if not has_enough_photos(draft.evidence):
        return False
    for item in OPTIONAL_ITEMS:
        if not draft.is_answered(item):
            draft.skipped.add(item)
    _save(conv, draft)
    return True


def go_back(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    upgrade(conv)
    slots = load(conv)
    draft = slots.draft
    if conv.state == RESUME:
        return _prompt(conv, draft)
    if not slots.history:
        return [Outbound("back.nothing"), *_prompt(conv, draft)]
    enter(conv, slots.history.pop())  # from the summary too
    keep(conv, slots)
    return _prompt(conv, draft)


ABANDON, KEEP_GOING = "r:abandon:abandon", "r:abandon:keep"


def ask_cancel(conv: Conversation) -> list[Outbound]:
    """/cancel (or "取消") with a report in progress: "放弃本次报案？" first; a second
    /cancel, or the button, confirms. The resume offer has its own cancel button."""
    upgrade(conv)
    slots = load(conv)
    if conv.state == RESUME or slots.cancel_asked:
        return cancel(conv)
    slots.cancel_asked = True
    keep(conv, slots)
    choices = (
        Choice(ABANDON, "report.choice.abandon"),
        Choice(KEEP_GOING, "report.choice.keep_going"),
    )
    return [Outbound("report.confirm_cancel", {}, choices)]


def cancel(conv: Conversation) -> list[Outbound]:
    upgrade(conv)
    move(conv, "abandon")
    conv.reset()
    return [Outbound("report.cancelled")]


def reprompt(conv: Conversation) -> list[Outbound]:
    upgrade(conv)
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
                    "started_at": load(conv).started_at,
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
    return [_ask(step_of(conv) or FIRST, draft)]


# --- collecting ------------------------------------------------------------------------


def _handle_collecting(
    conv: Conversation, draft: ReportDraft, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    step = step_of(conv) or FIRST
    answer = _answer(inbound)
    if answer.choice == "menu" and step != MENU:
        return _goto(conv, draft, MENU)
    if answer.choice == FACTS_WRONG:
        slots = load(conv)
        forget_facts(draft, slots.stated)
        slots.draft, slots.stated = draft, []
        keep(conv, slots)
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
    current = step_of(conv)
    if current and current != step:
        slots = load(conv)
        slots.history.append(current)
        keep(conv, slots)
    enter(conv, step)
    return [_ask(step, draft)]


def _ask_next(conv: Conversation, draft: ReportDraft, ctx: TurnContext) -> list[Outbound]:
    if draft.missing()[:1] == [ReportItem.EVIDENCE] and has_enough_photos(draft.evidence):
        draft.evidence_done = True  # the photos needed are in: on to the summary
        _save(conv, draft)
    missing = draft.missing()
    if not missing:
        current = step_of(conv)
        if current:
            slots = load(conv)
            slots.history.append(current)
            keep(conv, slots)
            move(conv, "review")
        return [_summary(draft)]
    if missing[0] is ReportItem.OTHER_VEHICLES and draft.other_vehicle_said:
        return _goto(conv, draft, "other_plate")  # "被追尾了": which car, not whether
    return _goto(conv, draft, FIRST_STEP[missing[0]])


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
    draft.share_location(point, str(inbound.payload.get("label") or "").strip()[:MAX_ADDRESS])
    saved = [Outbound("report.location_saved", _location_params(draft))]
    step = step_of(conv)
    if step == "time" and draft.accident_at is None:
        saved += _here_and_now(draft, conv, ctx)
    _save(conv, draft)
    if step == "location" or (step == "time" and draft.accident_at is not None):
        return [*saved, *_ask_next(conv, draft, ctx)]
    return [*saved, *_prompt(conv, draft)]


def _here_and_now(draft: ReportDraft, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """A location shared when asked the time: it happened here, just now (the question
    says so); the time is stated so that the owner can change it."""
    result = STEP_HANDLERS["time"](draft, Answer("now", ""), conv, ctx)
    if isinstance(result, Problem):
        return [Outbound(result.key, result.params)]
    return [Outbound("report.time_taken_now", {"at": ctx.now.isoformat()})]


def _point(inbound: Inbound) -> GeoPoint | None:
    try:
        lat = float(inbound.payload["lat"])
        lon = float(inbound.payload["lon"])
        system = CoordinateSystem(inbound.payload.get("system", "wgs84"))
        return GeoPoint(lat, lon, system)
    except (KeyError, TypeError, ValueError):
        return None


# --- summary, filing and resumption -----------------------------------------------------


def _handle_summary(
    conv: Conversation, draft: ReportDraft, inbound: Inbound, ctx: TurnContext
) -> list[Outbound]:
    answer = _answer(inbound)
    if answer.choice == "confirm" or ctx.lexicon.means(answer.text, "confirm"):
        return _file(conv, draft, ctx)
    if answer.choice == "edit":
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
        outside = _outside_policy_period(draft, draft.accident_at, ctx, known=True) or {}
        return [Outbound("report.error.policy_not_in_force", outside), *_goto(conv, draft, "time")]
    except (IncompleteReport, UnknownPolicy):
        draft.policy_number = None
        _save(conv, draft)
        return _ask_next(conv, draft, ctx)
    move(conv, "finish")
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
        slots = load(conv)
        back_to, slots.resume_state = slots.resume_state, None
        keep(conv, slots)
        if back_to == SUMMARY:
            move(conv, "resume_summary")
        else:
            enter(conv, back_to if back_to in STEPS else FIRST)
        return [Outbound("report.resumed"), *_prompt(conv, draft)]
    if answer.choice == "restart" or ctx.lexicon.means(answer.text, "restart"):
        return begin(conv, ctx, [])
    if answer.choice == "cancel" or ctx.lexicon.means(answer.text, "cancel_report"):
        return cancel(conv)
    return [Outbound("report.error.resume_hint"), *_prompt(conv, draft)]


# --- helpers ----------------------------------------------------------------------------


def _answer(inbound: Inbound) -> Answer:
    if inbound.kind is InboundKind.CHOICE:
        choice = ReportChoice.decode(inbound.text)
        return Answer(None if choice is None else choice.answer, "")
    return Answer(None, inbound.text)


def _draft(conv: Conversation) -> ReportDraft:
    return load(conv).draft


def _save(conv: Conversation, draft: ReportDraft) -> None:
    slots = load(conv)
    slots.draft = draft
    keep(conv, slots)
