"""Staff commands: ``/bind``, and the adjuster's steps on a claim, one short command each.

Every step answers the adjuster and tells the owner (a notice addressed to the owner's
party, delivered to their chats), except loss items, which reach the owner listed in the
settlement proposal; taking a claim also tells the other adjusters paged.
A refusal (unknown claim, someone else's claim, wrong stage, bad amount, not staff)
is answered and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dialogs import approvals
from dialogs.accident_views import accident_choices
from dialogs.claims.next_steps import next_steps
from dialogs.claims.views import (
    Usage,
    amount,
    claim_number,
    lexicon_pick,
    liability_params,
    loss_params,
    refusal,
    report_params,
    settlement_params,
    timeline_params,
    usage,
    words,
)
from dialogs.conversation import Conversation, TurnContext
from dialogs.handoff import take_choice
from dialogs.timeparse import parse_appointment_time
from domain.adjudication import (
    MAX_LOSS_DESCRIPTION,
    MAX_REFERENCE,
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
    grade_for_share,
    survey_time_problem,
)
from domain.claim import Action, Claim, ClaimStatus
from domain.errors import AlreadyTaken, BadSurveyTime, Refusal, TextTooLong
from domain.services import (
    Handled,
    adjust,
    bind_staff,
    propose_settlement,
    record_claim_payment,
    staff_member,
    take_claim,
    told_of_take,
    view_claim,
)
from domain.staff import Adjuster
from messages.outbound import Outbound

LIABILITY_WORDS = {f"liability_{grade.value}": grade for grade in Liability}
LOSS_WORDS = {f"loss_{kind.value}": kind for kind in LossKind}
SURVEY_WORDS = {f"survey_{mode.value}": mode for mode in SurveyMode}
ROUTE_WORDS = {f"route_{route.value}": route for route in PaymentRoute}
REMOVE_WORD = "loss_remove"
MAX_PLACE = 200
MAX_LISTED = 10
MAX_TAKE_BUTTONS = 5

Handler = Callable[[str, Conversation, TurnContext], list[Outbound]]


def run(command: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """One staff command. Unbound senders are told so before anything else is read."""
    try:
        if command == "/bind":
            return _bind(argument.strip(), conv, ctx)
        return perform(command, argument, conv, ctx)
    except Usage as error:
        return [usage(error)]
    except Refusal as error:
        return [refusal(error)]


def perform(command: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """One adjuster command for a bound adjuster; Usage and Refusal are the caller's."""
    staff_member(ctx.uow, conv.party_id)
    return HANDLERS[command](argument.strip(), conv, ctx)


def is_staff(conv: Conversation, ctx: TurnContext) -> bool:
    return ctx.uow.staff.adjuster_for_party(conv.party_id) is not None


def to_owner(
    claim: Claim, key: str, params: dict[str, Any] | None = None, **extra: Any
) -> Outbound:
    """A notice to the claim's owner about a step on their claim."""
    return Outbound(
        key, {"number": claim.number, **(params or {})}, to_party=claim.owner_id, **extra
    )


def _take_number(typed: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    number = claim_number(typed)
    try:
        handled, others = take_claim(ctx.uow, conv.party_id, number, ctx.now)
    except AlreadyTaken:
        if _told_of_take_since_last_turn(number, conv, ctx):
            return []  # "taken by X" reaches this chat with this turn: one message, not two
        raise
    claim, adjuster = handled.claim, handled.adjuster
    told = {"number": claim.number, "adjuster": adjuster.name}
    return [
        Outbound(
            "claims.adjuster.took",
            {"number": claim.number, "urgent": claim.urgent},
            next_steps(claim),
        ),
        to_owner(claim, "claims.owner.taken", {"adjuster": adjuster.name}),
        *(
            Outbound("claims.handoff.taken", told, to_party=other.party_id)
            for other in others
            if other.party_id is not None
        ),
    ]


def _told_of_take_since_last_turn(number: str, conv: Conversation, ctx: TurnContext) -> bool:
    """Whether the sender was told of the take (``claims.handoff.taken``) after their
    previous turn: that notice is still news in their chat and answers this take."""
    claim = ctx.uow.claims.get(number)
    if claim is None:
        return False
    taken = [change.at for change in claim.timeline if change.action == Action.TAKE]
    if not taken or (conv.last_activity is not None and taken[-1] <= conv.last_activity):
        return False
    return any(a.party_id == conv.party_id for a in told_of_take(ctx.uow, claim))


# --- commands --------------------------------------------------------------------------


def _bind(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    if not argument or len(argument) > 40:
        raise Usage("/bind")
    adjuster = bind_staff(ctx.uow, argument, conv.party_id, ctx.now)
    return [
        Outbound(
            "claims.adjuster.bound",
            {"name": adjuster.name, "code": adjuster.code, "region": adjuster.region},
        )
    ]


def _take(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 2)
    if not parts:
        raise Usage("/take")
    return _take_number(parts[0], conv, ctx)


def _number_and_text(argument: str, command: str) -> tuple[str, str]:
    parts = words(argument, 2)
    if len(parts) < 2:
        raise Usage(command)
    return claim_number(parts[0]), parts[1]


def _step(
    ctx: TurnContext,
    conv: Conversation,
    number: str,
    step: Callable[[Claim, str], object],
) -> Handled:
    handled, _ = adjust(ctx.uow, conv.party_id, number, lambda c, a: step(c, a.actor))
    return handled


def _assess(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    number, text = _number_and_text(argument, "/assess")
    handled = _step(ctx, conv, number, lambda c, actor: c.assess_initially(text, ctx.now, actor))
    claim = handled.claim
    return [
        Outbound("claims.adjuster.assessed", {"number": claim.number}),
        to_owner(claim, "claims.owner.assessed", {"adjuster": handled.adjuster.name}),
    ]


def _survey(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) < 2:
        raise Usage("/survey")
    number = claim_number(parts[0])
    mode = lexicon_pick(ctx, parts[1], SURVEY_WORDS)
    if mode is None:
        raise Usage("/survey")
    at, place = _time_and_place(parts[2:], ctx)
    if mode is SurveyMode.ONSITE and (at is None or place is None or len(place) < 2):
        raise Usage("/survey")
    if mode is SurveyMode.REMOTE and place is not None:
        raise Usage("/survey")
    if place is not None and len(place) > MAX_PLACE:
        raise TextTooLong(max=MAX_PLACE)
    if at is not None and survey_time_problem(at, ctx.now):
        raise BadSurveyTime(at=at.isoformat())
    survey = Survey(mode, at, place)
    earlier: list[Survey | None] = []

    def schedule(claim: Claim, actor: str) -> None:
        earlier.append(claim.adjudication.survey)  # a new time replaces the one told before
        claim.schedule_survey(survey, ctx.now, actor)

    handled = _step(ctx, conv, number, schedule)
    params = {
        **survey_params(survey),
        "adjuster": handled.adjuster.name,
        "replaces": survey_params(earlier[0]) if earlier and earlier[0] else None,
    }
    return [
        Outbound(
            "claims.adjuster.survey_scheduled",
            {"number": handled.claim.number, **params},
            next_steps(handled.claim),
        ),
        to_owner(handled.claim, "claims.owner.survey", params),
    ]


def survey_params(survey: Survey) -> dict[str, str | None]:
    at = survey.at.isoformat() if survey.at else None
    return {"mode": survey.mode.value, "at": at, "place": survey.place}


def _time_and_place(rest: list[str], ctx: TurnContext) -> tuple[datetime | None, str | None]:
    """The longest leading words that read as a time (up to three), then the place."""
    for count in (3, 2, 1):
        if len(rest) >= count:
            at = parse_appointment_time(" ".join(rest[:count]), ctx.now, ctx.tz, ctx.lexicon)
            if at is not None:
                return at, " ".join(rest[count:]) or None
    return None, " ".join(rest) or None


def _ask(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    number, text = _number_and_text(argument, "/ask")
    handled = _step(ctx, conv, number, lambda c, actor: c.request_evidence(text, ctx.now, actor))
    claim = handled.claim
    request = claim.adjudication.evidence_request
    assert request is not None
    return [
        Outbound("claims.adjuster.asked", {"number": claim.number}),
        to_owner(
            claim,
            "claims.owner.evidence_requested",
            {"adjuster": handled.adjuster.name, "text": request.text},
        ),
    ]


def _percent(text: str) -> int | None:
    """An adjuster's own ratio, ``60%`` or ``60``: the owner's share in percent."""
    digits = text.strip().removesuffix("%").removesuffix("％")
    return int(digits) if digits.isascii() and digits.isdigit() and int(digits) <= 100 else None


def _liability(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 3)
    if len(parts) < 2:
        raise Usage("/liability")
    number = claim_number(parts[0])
    grade = lexicon_pick(ctx, parts[1], LIABILITY_WORDS)
    share = _percent(parts[1]) if grade is None else ctx.rules.share(grade)
    if share is None:
        raise Usage("/liability")
    finding = LiabilityFinding(
        grade or grade_for_share(share), share, parts[2].strip() if len(parts) > 2 else ""
    )
    handled, withdrawn = _revise(
        ctx, conv, number, lambda c, actor: c.record_liability(finding, ctx.now, actor)
    )
    claim = handled.claim
    params = liability_params(claim, finding)
    adj = claim.adjudication
    return [
        Outbound(
            "claims.adjuster.liability_recorded",
            {"number": claim.number, **params, "assessed": claim.status is ClaimStatus.ASSESSED},
            next_steps(claim),
        ),
        to_owner(
            claim,
            "claims.owner.liability",
            {
                **params,
                "withdrawn": withdrawn,
                "proposed": adj.current_settlement is not None,
                "loss_recorded": bool(adj.loss_items),
            },
        ),
    ]


def _revise(
    ctx: TurnContext, conv: Conversation, number: str, step: Callable[[Claim, str], object]
) -> tuple[Handled, int | None]:
    """A change of liability or loss; also the version of the proposal it withdrew (a
    proposal still waiting for the owner's answer lapses), if any."""

    def revise(claim: Claim, actor: str) -> int | None:
        pending = claim.adjudication.pending_settlement
        step(claim, actor)
        return None if pending is None else pending.version

    return adjust(ctx.uow, conv.party_id, number, lambda c, a: revise(c, a.actor))


def _loss(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if not parts:
        raise Usage("/loss")
    number = claim_number(parts[0])
    if len(parts) == 1:
        claim = view_claim(ctx.uow, conv.party_id, number).claim
        return [_loss_reply(claim)]
    if ctx.lexicon.means(parts[1], REMOVE_WORD):
        if len(parts) != 3 or not parts[2].isdigit():
            raise Usage("/loss")
        position = int(parts[2])
        handled, withdrawn = _revise(
            ctx, conv, number, lambda c, actor: c.remove_loss_item(position, ctx.now, actor)
        )
    else:
        kind = lexicon_pick(ctx, parts[1], LOSS_WORDS)
        if kind is None or len(parts) < 4:
            raise Usage("/loss")
        value = amount(parts[-1], ctx)
        description = " ".join(parts[2:-1])
        if len(description) > MAX_LOSS_DESCRIPTION:
            raise TextTooLong(max=MAX_LOSS_DESCRIPTION)
        item = LossItem(kind, description, value)
        handled, withdrawn = _revise(
            ctx, conv, number, lambda c, actor: c.add_loss_item(item, ctx.now, actor)
        )
    claim = handled.claim
    # The owner sees the loss items in the settlement proposal, not one notice per item;
    # only a proposal this change withdrew is news to them now.
    if withdrawn is None:
        return [_loss_reply(claim)]
    return [
        _loss_reply(claim),
        to_owner(claim, "claims.owner.proposal_withdrawn", {"version": withdrawn}),
    ]


def _loss_reply(claim: Claim) -> Outbound:
    return Outbound(
        "claims.adjuster.loss",
        {
            "number": claim.number,
            **loss_params(claim.adjudication),
            "liability": claim.adjudication.liability is not None,
            "assessed": claim.status is ClaimStatus.ASSESSED,
        },
        next_steps(claim),
    )


def _settle(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) != 2:
        raise Usage("/settle")
    number = claim_number(parts[0])
    route = lexicon_pick(ctx, parts[1], ROUTE_WORDS)
    if route is None:
        raise Usage("/settle")
    handled, settlement = propose_settlement(
        ctx.uow, conv.party_id, number, route, ctx.now, ctx.rules
    )
    return approvals.proposal_made(handled, settlement, conv, ctx)


def _paid(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) != 3 or len(parts[2]) > MAX_REFERENCE:
        raise Usage("/paid")
    number = claim_number(parts[0])
    paid = amount(parts[1], ctx, allow_zero=True)
    reference = parts[2]
    handled = record_claim_payment(ctx.uow, conv.party_id, number, paid, reference, ctx.now)
    claim = handled.claim
    agreement = claim.adjudication.agreement
    assert agreement is not None
    params = {"amount": paid.grouped(), "reference": reference, "route": agreement.route.value}
    return [
        Outbound("claims.adjuster.paid", {"number": claim.number, **params}),
        to_owner(claim, "claims.owner.paid", params),
    ]


def brief(claim: Claim) -> dict[str, Any]:
    return {
        "number": claim.number,
        "status": claim.status.value,
        "plate": claim.report.plate,
        "urgent": claim.urgent,
        "reported_at": claim.reported_at.isoformat(),
    }


def _cases(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    adjuster: Adjuster = staff_member(ctx.uow, conv.party_id)
    mine = ctx.uow.claims.open_for_adjuster(adjuster.id)
    waiting = [c for c in ctx.uow.claims.unassigned(MAX_LISTED) if c.owner_id != conv.party_id]
    return [
        Outbound(
            "claims.adjuster.cases",
            {
                "mine": [brief(claim) for claim in mine[:MAX_LISTED]],
                "more": max(len(mine) - MAX_LISTED, 0),
                "unassigned": [brief(claim) for claim in waiting],
            },
            tuple(take_choice(claim.number) for claim in waiting[:MAX_TAKE_BUTTONS]),
        )
    ]


def _case(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 2)
    if len(parts) != 1:
        raise Usage("/case")
    claim = view_claim(ctx.uow, conv.party_id, claim_number(parts[0])).claim
    adj = claim.adjudication
    current = adj.current_settlement
    survey = adj.survey
    return [
        Outbound(
            "claims.adjuster.case",
            {
                **report_params(claim, ctx),
                "status": claim.status.value,
                "assessment": adj.initial_assessment,
                "survey": None
                if survey is None
                else {
                    "mode": survey.mode.value,
                    "at": survey.at.isoformat() if survey.at else None,
                    "place": survey.place,
                },
                "liability": None
                if adj.liability is None
                else liability_params(claim, adj.liability),
                **loss_params(adj),
                "settlement": None if current is None else settlement_params(claim, current),
                "outcome": None if current is None else current.outcome.value,
                "timeline": timeline_params(claim),
            },
            (*next_steps(claim), *accident_choices(claim))
            if claim.adjuster_id
            else (take_choice(claim.number),),
        )
    ]


HANDLERS: dict[str, Handler] = {
    "/take": _take,
    "/assess": _assess,
    "/survey": _survey,
    "/ask": _ask,
    "/liability": _liability,
    "/loss": _loss,
    "/settle": _settle,
    "/paid": _paid,
    "/reject": approvals.request_rejection,  # held for a supervisor (核赔)
    "/cases": _cases,
    "/case": _case,
}
COMMANDS = frozenset({"/bind", *HANDLERS})
