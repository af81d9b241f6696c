"""Both drivers pick what happened and which car, then confirm; the agreement (协议书) is
issued and the liability recorded on the claim with the agreement as its source. Picks
that differ, or a "不同意", send the case to an adjuster with the reason; both drivers are
told to call 122 when they cannot agree."""

from __future__ import annotations

from dialogs.conversation import Conversation, TurnContext
from dialogs.quickdeal.common import choice, claim_and_policy, party_plate
from dialogs.smallclaim.offer import offer as small_claim_offer
from domain.accident_situations import (
    RULES,
    STANDARD_SITUATIONS,
    AccidentParty,
    AgreedLiability,
    Disagreement,
    Pick,
    Situation,
    compare_picks,
)
from domain.adjudication import LiabilityFinding
from domain.agreement import Agreement, AgreementParty, AgreementPhoto, draw_up
from domain.claim import Action, Claim
from domain.policy import Policy
from domain.quick_deal import DealState, IssuedAgreement, QuickDeal
from domain.services import adjusters_to_page
from messages.choices import QuickDealAction, QuickDealChoice
from messages.outbound import AGREEMENT_STORE, Choice, Document, Outbound, stale_choice_answer

DECLINED = "declined"
ORIGINAL = "zh_CN"  # the agreement's original language
OTHER_COPIES = frozenset({"en"})
_ANSWERING = frozenset({DealState.PICKING, DealState.CONFIRMING})


def situation_list(deal: QuickDeal, to_party: int | None = None) -> Outbound:
    buttons = tuple(
        choice(
            QuickDealAction.SITUATION,
            deal.claim_number,
            f"fastlane.situation.{rule.situation}",
            rule.situation.value,
        )
        for rule in STANDARD_SITUATIONS
    )
    return Outbound("quickdeal.pick", {"number": deal.claim_number}, buttons, to_party=to_party)


def choose(conv: Conversation, picked: QuickDealChoice, ctx: TurnContext) -> list[Outbound]:
    """A driver's button on the case: checked against the case and the driver's part."""
    deal = ctx.uow.quick_deals.for_claim_for_update(picked.number)
    role = deal.role_of(conv.party_id) if deal is not None else None
    if deal is None or role is None or deal.state not in _ANSWERING:
        return [stale_choice_answer()]
    match picked.action:
        case QuickDealAction.SITUATION if picked.argument in set(Situation):
            return _situation(deal, role, Situation(picked.argument), ctx)
        case QuickDealAction.CAR:
            return _car(deal, role, picked.argument, ctx)
        case QuickDealAction.CONFIRM if deal.state is DealState.CONFIRMING:
            return _confirm(deal, role, ctx)
        case QuickDealAction.DECLINE:
            return to_adjuster(deal, DECLINED, ctx, by=role)
        case QuickDealAction.SAME if (theirs := deal.pick_of(role.other)) is not None:
            return _picked(deal, Pick(role, theirs.situation, theirs.at_fault), ctx)
    return [stale_choice_answer()]


def _situation(
    deal: QuickDeal, role: AccidentParty, situation: Situation, ctx: TurnContext
) -> list[Outbound]:
    if not RULES[situation].names_party:
        return _picked(deal, Pick(role, situation), ctx)
    found = claim_and_policy(ctx, deal.claim_number)
    if found is None:
        return [stale_choice_answer()]
    claim = found[0]
    buttons = tuple(
        choice(
            QuickDealAction.CAR,
            deal.claim_number,
            "quickdeal.choice.mine" if car is role else "quickdeal.choice.theirs",
            f"{situation.value}.{car.value}",
            plate=party_plate(deal, claim, car),
        )
        for car in (role, role.other)
    )
    return [Outbound("quickdeal.which_car", {"situation": situation.value}, buttons)]


def _car(deal: QuickDeal, role: AccidentParty, argument: str, ctx: TurnContext) -> list[Outbound]:
    situation, _, car = argument.partition(".")
    if situation not in set(Situation) or car not in set(AccidentParty):
        return [stale_choice_answer()]
    if not RULES[Situation(situation)].names_party:
        return [stale_choice_answer()]
    return _picked(deal, Pick(role, Situation(situation), AccidentParty(car)), ctx)


def _picked(deal: QuickDeal, pick: Pick, ctx: TurnContext) -> list[Outbound]:
    deal.pick(pick)
    deal.state = DealState.PICKING
    result = compare_picks(deal.pick_of(AccidentParty.A), deal.pick_of(AccidentParty.B))
    if result is Disagreement.MISSING:
        ctx.uow.quick_deals.save(deal)
        other = deal.party_of(pick.by.other)
        same = _same_button(deal, pick)
        return [
            Outbound("quickdeal.picked_wait"),
            Outbound("quickdeal.other_picked", {"number": deal.claim_number}, same, to_party=other),
        ]
    if isinstance(result, Disagreement):
        return to_adjuster(deal, result.value, ctx)
    deal.state = DealState.CONFIRMING
    ctx.uow.quick_deals.save(deal)
    return [_confirm_card(deal, result, role, ctx) for role in (pick.by, pick.by.other)]


def _same_button(deal: QuickDeal, pick: Pick) -> tuple[Choice, ...]:
    """The other driver may take the same pick in one tap (the car named, as seen by them)."""
    car = "" if pick.at_fault is None else "theirs" if pick.at_fault is pick.by else "mine"
    label = "quickdeal.choice.same"
    situation = pick.situation.value
    return (choice(QuickDealAction.SAME, deal.claim_number, label, situation=situation, car=car),)


def _confirm_card(
    deal: QuickDeal, liability: AgreedLiability, role: AccidentParty, ctx: TurnContext
) -> Outbound:
    buttons = _confirm_buttons(deal)
    params = {
        "number": deal.claim_number,
        "situation": liability.situation.value,
        "grade_a": liability.of(AccidentParty.A).grade.value,
        "grade_b": liability.of(AccidentParty.B).grade.value,
        "mine": role.value,
    }
    return Outbound("quickdeal.confirm", params, buttons, to_party=deal.party_of(role))


def _confirm_buttons(deal: QuickDeal) -> tuple[Choice, Choice]:
    return (
        choice(QuickDealAction.CONFIRM, deal.claim_number, "quickdeal.choice.confirm"),
        choice(QuickDealAction.DECLINE, deal.claim_number, "quickdeal.choice.decline"),
    )


def _confirm(deal: QuickDeal, role: AccidentParty, ctx: TurnContext) -> list[Outbound]:
    if role in deal.confirmations:
        return [Outbound("quickdeal.confirmed_wait")]
    deal.confirm(role, ctx.now, ctx.channel or "web")
    if not deal.both_confirmed:
        ctx.uow.quick_deals.save(deal)
        other = deal.party_of(role.other)
        return [
            Outbound("quickdeal.confirmed_wait"),
            Outbound(
                "quickdeal.other_confirmed",
                {"number": deal.claim_number},
                _confirm_buttons(deal),
                to_party=other,
            ),
        ]
    return _issue(deal, ctx)


def _issue(deal: QuickDeal, ctx: TurnContext) -> list[Outbound]:
    found = claim_and_policy(ctx, deal.claim_number)
    policy = found[1] if found is not None else None
    if found is None or policy is None:
        return [stale_choice_answer()]
    claim = found[0]
    agreement = _draw_up(deal, claim, policy, ctx)
    copies = _issue_copies(deal, agreement, ctx)
    _record_liability(claim, agreement, ctx)
    deal.state = DealState.AGREED
    ctx.uow.quick_deals.save(deal)
    params = {
        "number": deal.claim_number,
        "situation": agreement.liability.situation.value,
        "grade_a": agreement.liability.of(AccidentParty.A).grade.value,
        "grade_b": agreement.liability.of(AccidentParty.B).grade.value,
    }
    outs = []
    for role in AccidentParty:
        copy = copies.get(role)
        links = {"html_url": copy.html_url if copy else "", "pdf_url": copy.pdf_url if copy else ""}
        values = {**params, **links, "mine": role.value}
        outs.append(
            Outbound(
                "quickdeal.issued",
                values,
                documents=_agreement_pdf(copy, deal.claim_number),
                to_party=deal.party_of(role),
            )
        )
    return [
        *outs,
        *small_claim_offer(claim, ctx),  # liability agreed: 小额快赔 offered when it applies
    ]


def _agreement_pdf(copy: IssuedAgreement | None, number: str) -> tuple[Document, ...]:
    """The PDF as an attachment, where the channel sends one, besides its link."""
    if copy is None or not copy.pdf_file:
        return ()
    return (Document(AGREEMENT_STORE, copy.pdf_file, "agreement_file.pdf", {"number": number}),)


def _issue_copies(
    deal: QuickDeal, agreement: Agreement, ctx: TurnContext
) -> dict[AccidentParty, IssuedAgreement]:
    """The Chinese original (the claim's record), and for a driver who chats in English a
    copy in English: each driver is sent the links of their own copy."""
    services = ctx.quick_deal
    if services is None:
        return {}
    deal.issued = services.issue(agreement, ORIGINAL, ctx.now)
    copies: dict[str, IssuedAgreement] = {ORIGINAL: deal.issued}
    chosen: dict[AccidentParty, IssuedAgreement] = {}
    for role in AccidentParty:
        locale = services.locale_of(deal.party_of(role))
        locale = locale if locale in OTHER_COPIES else ORIGINAL
        if locale not in copies:
            copies[locale] = services.issue(agreement, locale, ctx.now)
        chosen[role] = copies[locale]
    return chosen


def _draw_up(deal: QuickDeal, claim: Claim, policy: Policy, ctx: TurnContext) -> Agreement:
    report = claim.report
    fallback = ctx.quick_deal.insurer if ctx.quick_deal else ""
    insurer = policy.coverage.insurer or fallback
    a = AgreementParty(
        AccidentParty.A,
        policy.holder,
        policy.phone,
        report.plate or policy.plate,
        f"{policy.vehicle.make} {policy.vehicle.model}".strip(),
        insurer,
        policy.number,
        deal.confirmations.get(AccidentParty.A),
    )
    b = AgreementParty(
        AccidentParty.B,
        "",
        deal.driver.phone,
        deal.driver.plate,
        "",
        deal.driver.insurer,
        None,
        deal.confirmations.get(AccidentParty.B),
    )
    photos = [
        *(
            AgreementPhoto(item.media_id, AccidentParty.A, item.taken_at)
            for item in report.evidence
            if item.kind == "photo"
        ),
        *(AgreementPhoto(media_id, AccidentParty.B, None) for media_id in deal.photos),
    ]
    place = report.address or (
        f"{report.location.lat:.6f}, {report.location.lon:.6f}" if report.location else ""
    )
    drawn = draw_up(
        claim.number,
        report.accident_at or claim.reported_at,
        place,
        report.description or "",
        (deal.pick_of(AccidentParty.A), deal.pick_of(AccidentParty.B)),
        (a, b),
        photos,
    )
    assert isinstance(drawn, Agreement)  # the picks agreed before anyone could confirm
    return drawn


def _record_liability(claim: Claim, agreement: Agreement, ctx: TurnContext) -> None:
    """The owner's share on the claim, the agreement named as its source (both shares in
    the note: the other driver's is the rest)."""
    mine = agreement.liability.of(AccidentParty.A)
    theirs = agreement.liability.of(AccidentParty.B)
    note = f"source=agreement {agreement.number}; a={mine.share}% b={theirs.share}%"
    claim.adjudication.liability = LiabilityFinding(mine.grade, mine.share, note)
    claim.record(
        Action.LIABILITY, ctx.now, "system:quickdeal", f"{mine.grade.value} {mine.share}% {note}"
    )
    ctx.uow.claims.save(claim)


def to_adjuster(
    deal: QuickDeal, reason: str, ctx: TurnContext, by: AccidentParty | None = None
) -> list[Outbound]:
    """The case goes to an adjuster with the reason; both drivers are told (call 122)."""
    deal.state, deal.reason = DealState.ADJUSTER, reason
    ctx.uow.quick_deals.save(deal)
    key = "quickdeal.declined" if reason == DECLINED else f"fastlane.disagreement.{reason}"
    roles = [AccidentParty.A, *([AccidentParty.B] if deal.other_id is not None else [])]
    outs = [
        Outbound(
            key,
            {"number": deal.claim_number, "by": by.value if by else "", "mine": role.value},
            to_party=deal.party_of(role),
        )
        for role in roles
    ]
    claim = ctx.uow.claims.get(deal.claim_number)
    if claim is None:
        return outs
    if claim.adjuster_id is not None:
        adjuster = ctx.uow.staff.adjuster(claim.adjuster_id)
        staff = [adjuster] if adjuster is not None else []
    else:
        staff = adjusters_to_page(ctx.uow, claim)
    params = {"number": claim.number, "reason": reason}
    return [*outs, *(Outbound("quickdeal.adjuster", params, to_party=a.party_id) for a in staff)]
