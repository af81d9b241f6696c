"""The owner's side of a claim: /status, accept or dispute a settlement, /withdraw, and
the evidence an adjuster asked for.

Evidence routing: while an adjuster's request (``/ask``) is open on one of the owner's
claims, the photos and videos the owner sends outside a report are attached to that
claim (the most recently asked, if several) and forwarded to the adjuster, and a typed
message is forwarded as the owner's answer. The request stays open until the claim is
agreed or closed, or the adjuster asks again; nothing the owner sends is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogs.claims import slots as claim_slots
from dialogs.claims.next_steps import next_steps
from dialogs.claims.slots import DisputeSlots
from dialogs.claims.views import (
    Usage,
    claim_number,
    evidence_checks,
    media_counts,
    refusal,
    settlement_params,
    usage,
    words,
)
from dialogs.conversation import IDLE, Conversation, TurnContext
from domain.adjudication import Settlement
from domain.approval import disputes, released_proposal, require_released
from domain.claim import Action, Claim, ClaimStatus
from domain.errors import ReasonRequired, Refusal, TextTooLong, UnknownClaim
from domain.evidence import MediaKind, PhotoRole, evidence_from_metadata
from domain.services import (
    adjusters_to_page,
    attach_requested_evidence,
    escalation_recipients,
    owner_act,
    owner_actor,
)
from messages.choices import ChoiceKind, ClaimAction, ClaimChoice, StepChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound

DISPUTE = "claim_dispute"  # the dialog that waits for a dispute's reason
REASON = "reason"
CANCEL_DISPUTE = StepChoice(ChoiceKind.DISPUTE_STEP, "cancel").encode()
MAX_LISTED = 10

Handler = Callable[[str, Conversation, TurnContext], list[Outbound]]


def run(command: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    try:
        return HANDLERS[command](argument.strip(), conv, ctx)
    except Usage as error:
        return [usage(error)]
    except Refusal as error:
        return [refusal(error)]


def settlement_choices(number: str, version: int, *, named: bool = False) -> tuple[Choice, ...]:
    """Accept / dispute buttons; their values name the claim and the proposal's version,
    so that a button of a replaced proposal is recognised as stale."""
    params = {"number": number if named else ""}
    accept = ClaimChoice(ClaimAction.ACCEPT, number, version).encode()
    dispute = ClaimChoice(ClaimAction.DISPUTE, number, version).encode()
    return (
        Choice(accept, "claims.choice.accept", params),
        Choice(dispute, "claims.choice.dispute", params),
    )


def to_adjuster(
    claim: Claim, ctx: TurnContext, key: str, params: dict[str, Any], **extra: Any
) -> list[Outbound]:
    """A notice to the claim's adjuster; before anyone took it, to the adjusters paged."""
    if claim.adjuster_id is not None:
        adjuster = ctx.uow.staff.adjuster(claim.adjuster_id)
        parties = [adjuster.party_id] if adjuster is not None else []
    else:
        parties = [a.party_id for a in adjusters_to_page(ctx.uow, claim)]
    body = {"number": claim.number, **params}
    return [Outbound(key, body, to_party=party, **extra) for party in parties if party is not None]


def repeated_dispute(claim: Claim, ctx: TurnContext, params: dict[str, Any]) -> list[Outbound]:
    """A second dispute on a claim goes to the supervisors of its region too."""
    if disputes(claim) < 2:
        return []
    told = {"disputes": disputes(claim), "plate": claim.report.plate, **params}
    parties = {s.party_id for s in escalation_recipients(ctx.uow, claim) if s.party_id}
    return [Outbound("approval.dispute_again", told, to_party=p) for p in sorted(parties)]


# --- commands ----------------------------------------------------------------------------


def _status(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    claims = ctx.uow.claims.for_owner(conv.party_id)[-MAX_LISTED:][::-1]
    if not claims:
        return [Outbound("claims.owner.status_empty")]
    listed: list[dict[str, Any]] = []
    choices: list[Choice] = []
    for claim in claims:
        pending = released_proposal(claim)  # a proposal held for approval is not shown
        survey = claim.adjudication.survey
        listed.append(
            {
                "number": claim.number,
                "status": claim.status.value,
                "closed": claim.closed,
                "reported_at": claim.reported_at.isoformat(),
                "payout": pending.figures.payout.grouped() if pending else None,
                "survey_at": survey.at.isoformat() if survey and survey.at else None,
                "asked": claim.awaiting_evidence,
            }
        )
        if pending is not None and claim.status is ClaimStatus.SETTLEMENT_PROPOSED:
            choices.extend(settlement_choices(claim.number, pending.version, named=True))
    return [Outbound("claims.owner.status", {"claims": listed}, tuple(choices))]


def _withdraw(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 2)
    if len(parts) < 2:
        raise Usage("/withdraw")
    actor = owner_actor(conv.party_id)
    claim, _ = owner_act(
        ctx.uow,
        conv.party_id,
        claim_number(parts[0]),
        lambda c: c.withdraw(parts[1], ctx.now, actor),
    )
    reason = claim.timeline[-1].note
    return [
        Outbound("claims.owner.withdrawn", {"number": claim.number}),
        *to_adjuster(claim, ctx, "claims.adjuster.withdrawn", {"reason": reason}),
    ]


def _accept(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 2)
    if len(parts) != 1:
        raise Usage("/accept")
    number = claim_number(parts[0])
    return answer(conv, ctx, number, _current_version(conv, ctx, number), accept=True, reason="")


def _dispute(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 2)
    if len(parts) < 2:
        raise Usage("/dispute")
    number = claim_number(parts[0])
    version = _current_version(conv, ctx, number)
    return answer(conv, ctx, number, version, accept=False, reason=parts[1])


def _current_version(conv: Conversation, ctx: TurnContext, number: str) -> int:
    """The version a typed /accept or /dispute answers: the latest (0 when none)."""
    claim = ctx.uow.claims.get(number)
    if claim is None or claim.owner_id != conv.party_id:
        raise UnknownClaim(number=number)
    current = claim.adjudication.current_settlement
    return current.version if current else 0


def answer(
    conv: Conversation, ctx: TurnContext, number: str, version: int, *, accept: bool, reason: str
) -> list[Outbound]:
    actor = owner_actor(conv.party_id)

    def step(claim: Claim) -> Settlement:
        require_released(claim, version)
        return claim.answer_settlement(version, accept, reason, ctx.now, actor)

    claim, settlement = owner_act(ctx.uow, conv.party_id, number, step)
    params = settlement_params(claim, settlement)
    if accept:
        return [
            Outbound("claims.owner.accepted", params),
            *to_adjuster(claim, ctx, "claims.adjuster.accepted", params, choices=next_steps(claim)),
        ]
    params["reason"] = settlement.dispute_reason
    return [
        Outbound("claims.owner.disputed", params),
        *to_adjuster(claim, ctx, "claims.adjuster.disputed", params, choices=next_steps(claim)),
        *repeated_dispute(claim, ctx, params),
    ]


# --- the dispute's reason ----------------------------------------------------------------


def begin_dispute(
    conv: Conversation, ctx: TurnContext, number: str, version: int
) -> list[Outbound]:
    """The dispute button: check the proposal still awaits an answer, then ask why."""
    claim = ctx.uow.claims.get(number)
    if claim is None or claim.owner_id != conv.party_id:
        raise UnknownClaim(number=number)
    require_released(claim, version)
    claim.proposal_awaiting_answer(version, Action.DISPUTE)
    if conv.dialog is not None:  # a report in progress keeps the conversation
        return [Outbound("claims.owner.dispute_by_command", {"number": number})]
    conv.dialog, conv.state = DISPUTE, REASON
    claim_slots.keep(conv, DisputeSlots(number, version))
    return reprompt(conv)


def _waiting(conv: Conversation) -> DisputeSlots:
    return claim_slots.load(conv, DisputeSlots)


def reprompt(conv: Conversation) -> list[Outbound]:
    waiting = _waiting(conv)
    return [
        Outbound(
            "claims.owner.dispute_reason",
            {"number": waiting.number},
            (Choice(CANCEL_DISPUTE, "claims.choice.cancel_dispute"),),
        )
    ]


def cancel(conv: Conversation) -> list[Outbound]:
    _leave(conv)
    return [Outbound("claims.owner.dispute_cancelled")]


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    if inbound.kind is InboundKind.CHOICE and inbound.text == CANCEL_DISPUTE:
        return cancel(conv)
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("claims.owner.dispute_text_only"), *reprompt(conv)]
    waiting = _waiting(conv)
    try:
        outs = answer(
            conv,
            ctx,
            waiting.number,
            waiting.version,
            accept=False,
            reason=inbound.text,
        )
    except (ReasonRequired, TextTooLong) as error:
        return [refusal(error), *reprompt(conv)]
    except Refusal as error:  # the proposal changed meanwhile: nothing to dispute
        _leave(conv)
        return [refusal(error)]
    _leave(conv)
    return outs


def _leave(conv: Conversation) -> None:
    claim_slots.drop(conv, DisputeSlots)
    conv.dialog, conv.state = None, IDLE


# --- evidence the adjuster asked for -----------------------------------------------------


def route_to_request(
    conv: Conversation, inbound: Inbound, ctx: TurnContext
) -> list[Outbound] | None:
    """Attach or forward what the owner sent to a claim awaiting it; None: no such claim."""
    actor = owner_actor(conv.party_id)
    if inbound.kind is InboundKind.MEDIA and inbound.media:
        items = [
            evidence_from_metadata(
                m.media_id,
                MediaKind(m.kind),
                PhotoRole.EXTRA if m.kind == MediaKind.PHOTO else None,
                m.taken_at,
                m.gps_lat,
                m.gps_lon,
            )
            for m in inbound.media
        ]
        claim = attach_requested_evidence(
            ctx.uow, conv.party_id, lambda c: c.attach_evidence(items, ctx.now, actor)
        )
        if claim is None:
            return None
        counts = media_counts(items)
        return [
            Outbound(
                "claims.owner.evidence_attached",
                {"number": claim.number, **counts, "rejected": list(inbound.rejected)},
            ),
            *to_adjuster(
                claim,
                ctx,
                "claims.adjuster.evidence_received",
                {**counts, "checks": evidence_checks(items, claim, ctx)},
                attachments=tuple(item.media_id for item in items),
            ),
        ]
    text = inbound.text.strip()
    if inbound.kind is not InboundKind.TEXT or len(text) < 2:
        return None
    try:
        claim = attach_requested_evidence(
            ctx.uow, conv.party_id, lambda c: c.reply(text, ctx.now, actor)
        )
    except TextTooLong as error:
        return [refusal(error)]
    if claim is None:
        return None
    return [
        Outbound("claims.owner.message_forwarded", {"number": claim.number}),
        *to_adjuster(claim, ctx, "claims.adjuster.owner_message", {"text": text}),
    ]


HANDLERS: dict[str, Handler] = {
    "/status": _status,
    "/withdraw": _withdraw,
    "/accept": _accept,
    "/dispute": _dispute,
}
COMMANDS = frozenset(HANDLERS)
