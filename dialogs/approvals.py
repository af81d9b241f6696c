"""Second approval (核赔) and appeal (申诉) in chat (``domain.approval``).

The adjuster's ``/reject``, and a ``/settle`` paying more than the approval threshold, are
held: the supervisors get a card with "approve" and "send back" buttons (or type
``/approve N`` and ``/sendback N reason``), and the owner hears nothing until one
approves. A sent-back decision returns to the adjuster with the supervisor's reason. The
rejection notice names the reasons and offers the owner an appeal; the appeal's reason
goes to the supervisors. Every step lands on the claim's timeline.
"""

from __future__ import annotations

from typing import Any

from dialogs.booking import book_choice
from dialogs.claims import slots as claim_slots
from dialogs.claims.owner import settlement_choices, to_adjuster
from dialogs.claims.slots import ApprovalSlots
from dialogs.claims.views import (
    Usage,
    claim_number,
    loss_params,
    refusal,
    settlement_params,
    usage,
    words,
)
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.dialog import DialogBase
from domain.adjudication import PaymentRoute, Settlement
from domain.approval import (
    ApprovalKind,
    NotSupervisor,
    appeal,
    approve,
    check_appeal,
    check_verdict,
    hold_proposal,
    hold_rejection,
    needs_approval,
    send_back,
)
from domain.claim import Claim
from domain.errors import ReasonRequired, Refusal, TextTooLong, UnknownClaim
from domain.services import (
    Handled,
    adjust,
    escalation_recipients,
    owner_act,
    owner_actor,
    staff_member,
    supervise,
)
from messages.choices import ApprovalAction, ApprovalChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound, stale_choice_answer

NAME = "approval_reason"  # the dialog that waits for a send-back's or an appeal's reason
SEND_BACK, APPEAL = "send_back", "appeal"  # its states


def _owner(claim: Claim, key: str, params: dict[str, Any], **extra: Any) -> Outbound:
    return Outbound(key, {"number": claim.number, **params}, to_party=claim.owner_id, **extra)


def _supervisors(
    claim: Claim, ctx: TurnContext, key: str, params: dict[str, Any], *, exclude: int | None
) -> list[Outbound]:
    """A card to the supervisors of the claim's region (else all), with the buttons."""
    choices = (
        (
            Choice(
                ApprovalChoice(ApprovalAction.APPROVE, claim.number).encode(),
                "approval.choice.approve",
            ),
            Choice(
                ApprovalChoice(ApprovalAction.SEND_BACK, claim.number).encode(),
                "approval.choice.send_back",
            ),
        )
        if key == "approval.card"
        else ()
    )
    parties = {s.party_id for s in escalation_recipients(ctx.uow, claim) if s.party_id is not None}
    parties.discard(exclude or 0)
    body = {"number": claim.number, "plate": claim.report.plate, **params}
    return [Outbound(key, body, choices, to_party=party) for party in sorted(parties)]


def proposal_to_owner(claim: Claim, settlement: Settlement, adjuster_name: str) -> Outbound:
    """The proposal as the owner receives it, with the accept / dispute buttons."""
    params = settlement_params(claim, settlement)
    book = (book_choice(claim.number),) if settlement.route is PaymentRoute.SHOP else ()
    return _owner(
        claim,
        "claims.owner.settlement",
        {**params, **loss_params(claim.adjudication), "adjuster": adjuster_name},
        choices=settlement_choices(claim.number, settlement.version) + book,
    )


def proposal_made(
    handled: Handled, settlement: Settlement, conv: Conversation, ctx: TurnContext
) -> list[Outbound]:
    """After ``/settle``: to the owner at once, or held for approval above the threshold."""
    claim = handled.claim
    params = settlement_params(claim, settlement)
    answer = Outbound("claims.adjuster.settlement_proposed", params)
    if not needs_approval(settlement.figures.payout, ctx.rules.approval_threshold):
        return [answer, proposal_to_owner(claim, settlement, handled.adjuster.name)]
    held, _ = adjust(
        ctx.uow,
        conv.party_id,
        claim.number,
        lambda c, a: hold_proposal(c, settlement, ctx.now, a.actor),
    )
    threshold = ctx.rules.approval_threshold.grouped()
    card = {
        "kind": ApprovalKind.PROPOSAL.value,
        "adjuster": handled.adjuster.name,
        "version": settlement.version,
        "payout": settlement.figures.payout.grouped(),
        "loss_total": settlement.figures.loss_total.grouped(),
        "threshold": threshold,
        "reason": "",
    }
    cards = _supervisors(held.claim, ctx, "approval.card", card, exclude=conv.party_id)
    told = {**params, "kind": ApprovalKind.PROPOSAL.value, "threshold": threshold}
    return [Outbound("approval.held", {**told, "reached": len(cards)}), *cards]


def request_rejection(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """``/reject N reasons``: held until a supervisor approves it."""
    parts = words(argument, 2)
    if len(parts) < 2:
        raise Usage("/reject")
    number = claim_number(parts[0])
    handled, reason = adjust(
        ctx.uow, conv.party_id, number, lambda c, a: hold_rejection(c, parts[1], ctx.now, a.actor)
    )
    card = {
        "kind": ApprovalKind.REJECTION.value,
        "adjuster": handled.adjuster.name,
        "reason": reason,
    }
    cards = _supervisors(handled.claim, ctx, "approval.card", card, exclude=conv.party_id)
    told = {"number": number, "kind": ApprovalKind.REJECTION.value, "reached": len(cards)}
    return [Outbound("approval.held", told), *cards]


# --- the supervisor's verdict -------------------------------------------------------------


def approve_claim(number: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    handled, held = supervise(
        ctx.uow, conv.party_id, number, lambda c, s: approve(c, ctx.now, s.actor)
    )
    claim = handled.claim
    told = {"kind": held.kind.value, "supervisor": handled.adjuster.name}
    to_requester = to_adjuster(claim, ctx, "approval.approved", told)
    if held.kind is ApprovalKind.REJECTION:
        to_owner = _owner(
            claim,
            "approval.owner_rejected",
            {"reason": held.reason},
            choices=(
                Choice(_choice(ApprovalAction.APPEAL, claim.number), "approval.choice.appeal"),
            ),
        )
    else:
        settlement = claim.adjudication.pending_settlement
        assert settlement is not None  # the approved hold names it
        adjuster = ctx.uow.staff.adjuster(claim.adjuster_id) if claim.adjuster_id else None
        to_owner = proposal_to_owner(claim, settlement, adjuster.name if adjuster else "")
    return [
        Outbound("approval.done", {"number": claim.number, "kind": held.kind.value}),
        to_owner,
        *to_requester,
    ]


def send_claim_back(
    number: str, reason: str, conv: Conversation, ctx: TurnContext
) -> list[Outbound]:
    handled, held = supervise(
        ctx.uow, conv.party_id, number, lambda c, s: send_back(c, reason, ctx.now, s.actor)
    )
    claim = handled.claim
    params = {
        "number": claim.number,
        "kind": held.kind.value,
        "reason": claim.timeline[-1].note,
        "supervisor": handled.adjuster.name,
        "version": held.version,
    }
    return [
        Outbound("approval.sent_back_done", params),
        *to_adjuster(claim, ctx, "approval.sent_back", params),
    ]


def _choice(action: ApprovalAction, number: str) -> str:
    return ApprovalChoice(action, number).encode()


# --- the owner's appeal -------------------------------------------------------------------


def appeal_claim(number: str, reason: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    actor = owner_actor(conv.party_id)
    claim, note = owner_act(
        ctx.uow, conv.party_id, number, lambda c: appeal(c, reason, ctx.now, actor)
    )
    rejected = next(c.note for c in reversed(claim.timeline) if c.action == "reject")
    card = {"kind": "appeal", "reason": note, "rejection": rejected}
    return [
        Outbound("approval.appeal_received", {"number": claim.number}),
        *_supervisors(claim, ctx, "approval.appeal", card, exclude=None),
    ]


# --- the dialog ---------------------------------------------------------------------------


def _ask(conv: Conversation, state: str, number: str) -> list[Outbound]:
    conv.dialog, conv.state = NAME, state
    claim_slots.keep(conv, ApprovalSlots(number))
    return reprompt(conv)


def _waiting(conv: Conversation) -> ApprovalSlots:
    return claim_slots.load(conv, ApprovalSlots)


def reprompt(conv: Conversation) -> list[Outbound]:
    number = _waiting(conv).number
    key = "approval.ask_send_back" if conv.state == SEND_BACK else "approval.ask_appeal"
    cancel = Choice(_choice(ApprovalAction.CANCEL, number), "approval.choice.cancel")
    return [Outbound(key, {"number": number}, (cancel,))]


def _leave(conv: Conversation) -> None:
    claim_slots.drop(conv, ApprovalSlots)
    conv.dialog, conv.state = None, IDLE


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    choice = ApprovalChoice.decode(value)
    if choice is None:
        return [stale_choice_answer()]
    try:
        number = claim_number(choice.number)
        match choice.action:
            case ApprovalAction.APPROVE:
                return approve_claim(number, conv, ctx)
            case ApprovalAction.SEND_BACK:
                return _begin(conv, ctx, SEND_BACK, number)
            case ApprovalAction.APPEAL:
                return _begin(conv, ctx, APPEAL, number)
            case ApprovalAction.CANCEL:
                return cancel(conv) if conv.dialog == NAME else [stale_choice_answer()]
    except Refusal as error:
        return [refusal(error)]
    return [stale_choice_answer()]


def _begin(conv: Conversation, ctx: TurnContext, state: str, number: str) -> list[Outbound]:
    """Check the button still means something before asking for the reason."""
    claim = ctx.uow.claims.get(number)
    if claim is None:
        raise UnknownClaim(number=number)
    if state == SEND_BACK:
        supervisor = staff_member(ctx.uow, conv.party_id)
        if not supervisor.supervisor:
            raise NotSupervisor()
        check_verdict(claim, supervisor.actor)
    else:
        if claim.owner_id != conv.party_id:
            raise UnknownClaim(number=number)
        check_appeal(claim)
    if conv.dialog is not None and conv.dialog != NAME:
        return [Outbound("approval.busy", {"number": number})]
    return _ask(conv, state, number)


def cancel(conv: Conversation) -> list[Outbound]:
    _leave(conv)
    return [Outbound("approval.cancelled")]


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    if inbound.kind is InboundKind.CHOICE and ApprovalChoice.matches(inbound.text):
        return choose(conv, inbound.text, ctx)
    if inbound.kind is not InboundKind.TEXT:
        return [Outbound("approval.text_only"), *reprompt(conv)]
    number = _waiting(conv).number
    try:
        if conv.state == SEND_BACK:
            outs = send_claim_back(number, inbound.text, conv, ctx)
        else:
            outs = appeal_claim(number, inbound.text, conv, ctx)
    except (ReasonRequired, TextTooLong) as error:
        return [refusal(error), *reprompt(conv)]
    except Refusal as error:
        _leave(conv)
        return [refusal(error)]
    _leave(conv)
    return outs


def run(command: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    """``/approve N`` and ``/sendback N reason``: the card's buttons, typed."""
    try:
        parts = words(argument.strip(), 2)
        if command == "/approve":
            if len(parts) != 1:
                raise Usage("/approve")
            return approve_claim(claim_number(parts[0]), conv, ctx)
        if len(parts) < 2:
            raise Usage("/sendback")
        return send_claim_back(claim_number(parts[0]), parts[1], conv, ctx)
    except Usage as error:
        return [usage(error)]
    except Refusal as error:
        return [refusal(error)]


class ApprovalsDialog(DialogBase):
    name = NAME
    commands = frozenset({"/approve", "/sendback"})

    def owns_choice(self, value: str) -> bool:
        return ApprovalChoice.matches(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return choose(conv, value, ctx)

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        return run(command, argument, conv, ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        return handle(conv, inbound, ctx)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return cancel(conv)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return reprompt(conv)


APPROVALS = ApprovalsDialog()
