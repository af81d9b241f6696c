"""The owner's steps in the fast lane: the parts, the estimate and the rule's decision, the
documents the checklist still lacks (the payee's bank card last), the proposal, and one
payment instruction on acceptance."""

from __future__ import annotations

from dialogs.conversation import Conversation, TurnContext
from dialogs.smallclaim.common import (
    CARD,
    CARD_CONFIRM,
    DOCS,
    NAME,
    PARTS,
    PROPOSED,
    agreed,
    button,
    decide,
    owned_claim,
)
from dialogs.smallclaim.handover import rule_reasons, to_adjuster
from dialogs.smallclaim.slots import SmallClaimSlots, keep, load
from domain.adjudication import PaymentRoute, ProposalOutcome
from domain.claim import Action, Claim, ClaimStatus
from domain.claim_documents import claim_checklist, file_document, record_payee, require_documents
from domain.documents import Document
from domain.errors import Refusal
from domain.fast_lane import FastLaneDecision
from domain.masking import mask_bank_account
from domain.policy import Policy
from domain.price_list import PickedPart, PriceList, estimate
from domain.services import settlement_rules_of
from domain.small_claim import (
    ACTOR,
    OPEN_STAGES,
    PaymentInstruction,
    ToAdjuster,
    ask_checklist,
    assess,
    normalize_card,
)
from messages.choices import SmallClaimAction, SmallClaimChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound, stale_choice_answer

MAX_PARTS = 12  # the short list: a card of buttons, not a catalogue
WAIVERS = {
    Document.AGREEMENT: "system:agreement_issued",
    Document.POLICE_FINDING: "system:single_car_fast_lane",
    Document.REPAIR_INVOICE: "system:priced_by_list",
}
_A = SmallClaimAction


def choose(conv: Conversation, picked: SmallClaimChoice, ctx: TurnContext) -> list[Outbound]:
    found = owned_claim(ctx, picked.number, conv.party_id)
    if found is None or ctx.small_claim is None:
        return [stale_choice_answer()]
    claim, policy = found
    match picked.action:
        case _A.START | _A.OUTSIDE | _A.PERSON if not _open(claim):
            return [Outbound("smallclaim.closed", {"number": claim.number})]
        case _A.START:
            return _start(conv, claim, policy, ctx)
        case _A.OUTSIDE:
            decision = decide(ctx, claim, policy, estimate=None, outside=True, fraud=True)
            return _refused(conv, claim, decision, ctx)
        case _A.PERSON:
            return to_adjuster(
                conv, claim, [(f"smallclaim.reason.{ToAdjuster.OWNER_ASKED}", {})], ctx
            )
        case _A.ACCEPT:
            return _accept(conv, claim, policy, picked.argument, ctx)
    if conv.dialog != NAME or load(conv).claim != claim.number:
        return [stale_choice_answer()]
    match picked.action:
        case _A.PART if conv.state == PARTS:
            return _toggle(conv, claim, policy, picked.argument, ctx)
        case _A.DONE if conv.state == PARTS:
            return _estimate(conv, claim, policy, ctx)
        case _A.NOT_LISTED if conv.state == PARTS:
            reason = f"smallclaim.reason.{ToAdjuster.PART_NOT_LISTED}"
            return to_adjuster(conv, claim, [(reason, {})], ctx)
        case _A.CARD_OK if conv.state == CARD_CONFIRM:
            return _card_confirmed(conv, claim, policy, ctx)
        case _A.CARD_AGAIN if conv.state == CARD_CONFIRM:
            conv.state = CARD
            return [_ask_card(claim, policy)]
    return [stale_choice_answer()]


def handle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    """A message while the lane holds the conversation: a document's photo, the card."""
    slots = load(conv)
    found = owned_claim(ctx, slots.claim or "", conv.party_id)
    if found is None or ctx.small_claim is None or found[0].closed:
        conv.reset()
        return [Outbound("smallclaim.closed", {"number": ""})]
    claim, policy = found
    if conv.state == DOCS and inbound.kind is InboundKind.MEDIA:
        item = Document(slots.item or "")
        media = [m.media_id for m in inbound.media]
        file_document(claim, item, media, ctx.now, f"party:{conv.party_id}")
        ctx.uow.claims.save(claim)
        received = Outbound("smallclaim.doc.received", {"item": item.value})
        return [received, *_next(conv, claim, policy, ctx)]
    if conv.state == CARD and inbound.kind is InboundKind.TEXT:
        card = normalize_card(inbound.text)
        if card is None:
            return [Outbound("smallclaim.card.invalid"), _ask_card(claim, policy)]
        slots.card, conv.state = card, CARD_CONFIRM
        keep(conv, slots)
        params = {"number": claim.number, "card": mask_bank_account(card), "name": policy.holder}
        buttons = (
            button(_A.CARD_OK, claim.number, "smallclaim.choice.card_ok"),
            button(_A.CARD_AGAIN, claim.number, "smallclaim.choice.card_again"),
        )
        return [Outbound("smallclaim.card.confirm", params, buttons)]
    return prompt(conv)


def prompt(conv: Conversation) -> list[Outbound]:
    """The question the lane waits for, again (the buttons are on the cards above)."""
    if conv.state in (PARTS, DOCS, CARD, CARD_CONFIRM, PROPOSED):
        item = load(conv).item or ""
        return [Outbound(f"smallclaim.prompt.{conv.state}", {"item": item})]
    return []


def _open(claim: Claim) -> bool:
    return claim.status in OPEN_STAGES and not claim.adjudication.settlements


def _start(conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext) -> list[Outbound]:
    conv.reset()
    conv.dialog, conv.state = NAME, PARTS
    keep(conv, SmallClaimSlots(claim=claim.number))
    return [_parts_card(conv, claim, policy, ctx, attach=True)]


def short_list(prices: PriceList, policy: Policy) -> list[tuple[str, str, str]]:
    """(code, zh name, en name) of the parts priced for the car's class."""
    try:
        car_class = prices.car_class(policy.vehicle.make)
    except Refusal:
        return []
    return [
        (part.code, part.name("zh_CN"), part.name("en"))
        for part in prices.parts_for(car_class)[:MAX_PARTS]
    ]


def _parts_card(
    conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext, attach: bool = False
) -> Outbound:
    assert ctx.small_claim is not None
    picked = load(conv).picked
    parts = short_list(ctx.small_claim.price_list(), policy)
    buttons = (
        *(
            button(
                _A.PART,
                claim.number,
                "smallclaim.choice.part",
                code,
                zh=zh,
                en=en,
                picked=code in picked,
            )
            for code, zh, en in parts
        ),
        button(_A.DONE, claim.number, "smallclaim.choice.done"),
        button(_A.NOT_LISTED, claim.number, "smallclaim.choice.not_listed"),
    )
    names = [{"zh": zh, "en": en} for code, zh, en in parts if code in picked]
    photos = tuple(e.media_id for e in claim.report.evidence if e.kind == "photo")
    params = {"number": claim.number, "picked": names, "photos": len(photos)}
    return Outbound("smallclaim.parts", params, buttons, attachments=photos if attach else ())


def _toggle(
    conv: Conversation, claim: Claim, policy: Policy, code: str, ctx: TurnContext
) -> list[Outbound]:
    slots = load(conv)
    picked = slots.picked
    slots.picked = [c for c in picked if c != code] if code in picked else [*picked, code]
    keep(conv, slots)
    return [_parts_card(conv, claim, policy, ctx)]


def _estimate(conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext) -> list[Outbound]:
    services = ctx.small_claim
    assert services is not None
    picked = [PickedPart(code) for code in load(conv).picked]
    if not picked:
        refusal = Outbound("fastlane.estimate.refusal.no_parts_picked")
        return [refusal, _parts_card(conv, claim, policy, ctx)]
    prices = services.price_list()
    try:
        quote = estimate(prices, prices.car_class(policy.vehicle.make), picked)
    except Refusal as refused:
        decision = decide(ctx, claim, policy, estimate=None, outside=False, fraud=True)
        services.record_decision(claim.number, decision, ctx.now)
        key = f"fastlane.estimate.refusal.{refused.reason}"
        return to_adjuster(conv, claim, [(key, refused.params)], ctx)
    decision = decide(ctx, claim, policy, estimate=quote.total, outside=False, fraud=True)
    services.record_decision(claim.number, decision, ctx.now)
    if not decision.eligible:
        return _refused(conv, claim, decision, ctx, recorded=True)
    names = {code: part.name("zh_CN") for code, part in prices.parts.items()}
    assess(claim, quote, names, policy.coverage.own_damage is not None, ctx.now)
    ask_checklist(claim, agreed(ctx, claim), ctx.now, WAIVERS)
    ctx.uow.claims.save(claim)
    lines = [
        {
            "part": names.get(line.part, line.part),
            "kind": line.kind.value,
            "amount": line.amount.yuan(),
        }
        for line in quote.lines
    ]
    told = Outbound("smallclaim.estimated", {"total": quote.total.yuan(), "lines": lines})
    return [told, *_next(conv, claim, policy, ctx)]


def _refused(
    conv: Conversation,
    claim: Claim,
    decision: FastLaneDecision,
    ctx: TurnContext,
    recorded: bool = False,
) -> list[Outbound]:
    assert ctx.small_claim is not None
    if not recorded:
        ctx.small_claim.record_decision(claim.number, decision, ctx.now)
    codes = [reason.value for reason in decision.reasons]
    if len(codes) > 1:  # "no estimate yet" says nothing when the claim fails otherwise
        codes = [code for code in codes if code != "no_estimate"]
    reasons = rule_reasons(codes, ctx)
    signals = [(f"fastlane.signal.{s.kind}", s.as_dict()) for s in decision.fraud_signals]
    return to_adjuster(conv, claim, [*reasons, *signals], ctx)


def _next(conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext) -> list[Outbound]:
    """The next missing document (photos first, the bank card last), else the proposal."""
    checklist = claim_checklist(claim)
    missing = checklist.missing if checklist is not None else ()
    photos = [item for item in missing if item is not Document.BANK_CARD]
    if photos:
        slots = load(conv)
        conv.state, slots.item = DOCS, photos[0].value
        keep(conv, slots)
        params = {"number": claim.number, "item": photos[0].value, "left": len(missing)}
        return [Outbound("smallclaim.doc.ask", params)]
    if missing:
        conv.state = CARD
        return [_ask_card(claim, policy)]
    return _propose(conv, claim, policy, ctx)


def _ask_card(claim: Claim, policy: Policy) -> Outbound:
    return Outbound("smallclaim.card.ask", {"number": claim.number, "name": policy.holder})


def _card_confirmed(
    conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext
) -> list[Outbound]:
    checklist = claim_checklist(claim)
    if checklist is not None and Document.BANK_CARD in checklist.missing:
        record_payee(claim, ctx.now, f"party:{conv.party_id}")
        ctx.uow.claims.save(claim)
    if claim.status is ClaimStatus.AGREED:  # accepted before the card was given again
        return _instruct(conv, claim, policy, ctx)
    return _next(conv, claim, policy, ctx)


def _propose(conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext) -> list[Outbound]:
    try:
        require_documents(claim)
        settlement = claim.propose_settlement(
            PaymentRoute.OWNER, policy.coverage, ctx.now, ACTOR, settlement_rules_of(ctx.rules)
        )
    except Refusal:
        return to_adjuster(conv, claim, [(f"smallclaim.reason.{ToAdjuster.NOT_SETTLED}", {})], ctx)
    figures = settlement.figures
    if figures.payout.fen <= 0:
        settlement.outcome = ProposalOutcome.SUPERSEDED
        claim.change_status(ClaimStatus.ASSESSED, ctx.now, ACTOR, "payout 0.00", Action.SETTLE)
        ctx.uow.claims.save(claim)
        reason = f"smallclaim.reason.{ToAdjuster.NOTHING_TO_PAY}"
        return to_adjuster(conv, claim, [(reason, {})], ctx)
    ctx.uow.claims.save(claim)
    conv.state = PROPOSED
    card = load(conv).card or ""
    params = {
        "number": claim.number,
        "version": settlement.version,
        "loss": figures.loss_total.yuan(),
        "payout": figures.payout.yuan(),
        "owner_pays": figures.owner_part.yuan(),
        "deductible": figures.deductible.yuan(),
        "recovered": sum(r.amount for r in figures.receivables) > 0,
        "card": mask_bank_account(card),
    }
    buttons = (
        button(_A.ACCEPT, claim.number, "smallclaim.choice.accept", str(settlement.version)),
        button(_A.PERSON, claim.number, "smallclaim.choice.person"),
    )
    return [Outbound("smallclaim.proposal", params, buttons)]


def _accept(
    conv: Conversation, claim: Claim, policy: Policy, version: str, ctx: TurnContext
) -> list[Outbound]:
    assert ctx.small_claim is not None
    if not version.isdigit():
        return [stale_choice_answer()]
    try:
        claim.answer_settlement(int(version), True, "", ctx.now, f"party:{conv.party_id}")
    except Refusal:
        existing = ctx.small_claim.instruction(claim.number)
        if existing is None:
            return [stale_choice_answer()]
        return [_already(existing)]
    ctx.uow.claims.save(claim)
    slots = load(conv)
    if conv.dialog != NAME or slots.claim != claim.number or slots.card is None:
        conv.reset()
        conv.dialog, conv.state = NAME, CARD
        keep(conv, SmallClaimSlots(claim=claim.number))
        return [Outbound("smallclaim.card.again"), _ask_card(claim, policy)]
    return _instruct(conv, claim, policy, ctx)


def _instruct(conv: Conversation, claim: Claim, policy: Policy, ctx: TurnContext) -> list[Outbound]:
    """One payment instruction for the agreed amount, handed to the payment port."""
    assert ctx.small_claim is not None
    card = load(conv).card or ""
    conv.reset()
    amount = claim.adjudication.due
    instruction = PaymentInstruction(claim.number, amount, policy.holder, card, ctx.now)
    if not ctx.small_claim.add_instruction(instruction):
        existing = ctx.small_claim.instruction(claim.number)
        return [_already(existing or instruction)]
    params = {"number": claim.number, "amount": amount.yuan(), "card": instruction.masked_card}
    return [Outbound("smallclaim.paying", params)]


def _already(instruction: PaymentInstruction) -> Outbound:
    params = {
        "number": instruction.claim_number,
        "amount": instruction.amount.yuan(),
        "card": instruction.masked_card,
        "state": instruction.state.value,
    }
    return Outbound("smallclaim.accepted_already", params)
