"""Adjudication rules: lifecycle order, who may act, the timeline, settlement arithmetic,
evidence checks, invites and paging. Pure domain, on hand-written fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.adjudication import (
    AdjudicationRules,
    InvalidRules,
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    ProposalOutcome,
    SettlementNotPossible,
    Survey,
    SurveyMode,
    effective_share,
)
from domain.claim import (
    ACTION_STAGES,
    ACTION_TARGETS,
    ALLOWED_TRANSITIONS,
    TERMINAL_STATUSES,
    Action,
    Claim,
    ClaimStatus,
)
from domain.errors import (
    AlreadyStaff,
    AlreadyTaken,
    AlreadyYours,
    AmountMismatch,
    InvalidInvite,
    LastLossItem,
    NoSuchLossItem,
    NotStaff,
    NotTaken,
    NotYourClaim,
    OwnClaim,
    ReasonRequired,
    StaleProposal,
    UnknownClaim,
    WrongStage,
)
from domain.evidence import (
    Evidence,
    EvidenceTolerance,
    EvidenceVerdict,
    MediaKind,
    PhotoRole,
    check_evidence,
)
from domain.geo import GeoPoint
from domain.money import Money
from domain.policy import Coverage
from domain.report import OtherVehicle
from domain.services import (
    adjust,
    adjusters_to_page,
    attach_requested_evidence,
    bind_staff,
    create_invite,
    owner_act,
    propose_settlement,
    take_claim,
)
from domain.settlement.owner import OtherCar, owner_statement
from domain.staff import (
    Adjuster,
    StaffRole,
    authorize_adjuster,
    hash_invite_code,
    new_invite_code,
    normalize_invite_code,
    pick_region_adjusters,
)
from tests.documents_support import complete_documents
from tests.domain.test_rules import complete_draft
from tests.fakes import SAMPLE_POLICY, FakeUnitOfWork

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
OWNER = 7
WANG = Adjuster(1, "ADJ-SH-01", "王建国", "上海", party_id=21)
CHEN = Adjuster(2, "ADJ-SH-02", "陈静", "上海", party_id=22)
LI = Adjuster(3, "ADJ-BJ-01", "李明", "北京", party_id=23)
COVER = Coverage(own_damage=Money.from_yuan("180000"), third_party=Money(0), deductible=Money(0))


def yuan(text: str) -> Money:
    return Money.from_yuan(text)


def new_claim(**draft: object) -> Claim:
    return Claim.file(
        "BA2026112500001", complete_draft(**draft), SAMPLE_POLICY, OWNER, NOW, "party:7"
    )


def with_other_party() -> Claim:
    return new_claim(other_vehicles=[OtherVehicle("沪B99999", "平安")])


def assessed(claim: Claim, grade: Liability = Liability.MAJOR, share: int = 70) -> Claim:
    actor = WANG.actor
    claim.take(WANG.id, NOW, actor)
    claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), NOW, actor)
    claim.record_liability(LiabilityFinding(grade, share, "对方变道"), NOW, actor)
    claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", yuan("1200.00")), NOW, actor)
    return claim


# --- the proposal's figures come from the settlement statement (docs/settlement.md) ------


@pytest.mark.parametrize(
    ("loss", "share", "other", "cover", "injuries", "payout", "other_share", "owner_pays"),
    [
        # 主责 under 2,000.00 with another car at fault: 互碰自赔, own 交强险, no deductible
        ("1200.00", 70, True, ("180000", "500.00"), False, "1200.00", "0.00", "0.00"),
        # someone hurt: no 互碰自赔; the other car's 交强险 pays the 1,200.00 whole
        ("1200.00", 70, True, ("180000", "500.00"), True, "0.00", "1200.00", "0.00"),
        # over 2,000.00: its 交强险 2,000.00, then 70/30; 车损险 900.00 less 500.00
        ("5000.00", 30, True, ("180000", "500.00"), False, "400.00", "4100.00", "500.00"),
        # 全责 against a 无责 car: its 100.00 paid by us on its behalf, 车损险 the rest
        ("1200.00", 100, True, ("180000", "500.00"), False, "700.00", "0.00", "500.00"),
        ("1200.00", 0, True, ("180000", "0"), False, "0.00", "1200.00", "0.00"),  # 无责
        ("1200.00", 30, False, ("180000", "0"), False, "1200.00", "0.00", "0.00"),  # alone
        # 交强险 only: the owner's own 50 % of what is left after the other 交强险
        ("3000.00", 50, True, None, False, "0.00", "2500.00", "500.00"),
        ("333.33", 100, False, ("180000", "0"), False, "333.33", "0.00", "0.00"),
    ],
)
def test_proposal_figures_come_from_the_statement(
    loss: str,
    share: int,
    other: bool,
    cover: tuple[str, str] | None,
    injuries: bool,
    payout: str,
    other_share: str,
    owner_pays: str,
) -> None:
    coverage = Coverage() if cover is None else Coverage(yuan(cover[0]), deductible=yuan(cover[1]))
    others = [OtherCar("沪B99999", "平安")] if other else []
    owner = owner_statement("沪A12345", coverage, share, yuan(loss), others, injuries)
    figures = owner.figures()
    assert figures.payout == yuan(payout)
    assert figures.other_share == yuan(other_share)
    assert figures.owner_part == yuan(owner_pays)
    assert figures.payout + figures.other_share + figures.owner_part == yuan(loss)


def test_a_loss_above_the_sum_insured_is_refused_with_its_reason() -> None:
    claim = assessed(with_other_party(), Liability.FULL, 100)
    small = Coverage(own_damage=yuan("1000.00"))
    with pytest.raises(SettlementNotPossible) as refused:
        claim.propose_settlement(PaymentRoute.OWNER, small, NOW, WANG.actor)
    assert refused.value.params["problem"] == "above_sum_insured"
    assert refused.value.params["details"]["sum_insured"] == "1,000.00"
    assert claim.status is ClaimStatus.ASSESSED and not claim.adjudication.settlements


def test_liability_shares_are_configurable_but_must_be_percentages() -> None:
    rules = AdjudicationRules()
    assert [rules.share(g) for g in Liability] == [100, 70, 50, 30, 0]
    custom = AdjudicationRules(liability_shares={**rules.liability_shares, Liability.MAJOR: 80})
    assert custom.share(Liability.MAJOR) == 80
    with pytest.raises(InvalidRules):
        AdjudicationRules(liability_shares={Liability.FULL: 100})
    with pytest.raises(InvalidRules):
        AdjudicationRules(liability_shares={**rules.liability_shares, Liability.NONE: -5})


# --- the lifecycle, in order ---------------------------------------------------------------


def test_every_action_leads_only_where_the_lifecycle_allows() -> None:
    for action, stages in ACTION_STAGES.items():
        target = ACTION_TARGETS.get(action)
        for stage in stages:
            assert stage not in TERMINAL_STATUSES, (action, stage)
            if target is not None:
                assert target in ALLOWED_TRANSITIONS[stage], (action, stage, target)


def test_no_assessment_before_a_survey() -> None:
    claim = new_claim()
    claim.take(WANG.id, NOW, WANG.actor)
    with pytest.raises(WrongStage) as info:
        claim.record_liability(LiabilityFinding(Liability.FULL, 100), NOW, WANG.actor)
    assert info.value.params == {
        "number": claim.number,
        "status": "assigned",
        "action": "liability",
    }
    with pytest.raises(WrongStage):
        claim.add_loss_item(LossItem(LossKind.PART, "bumper", yuan("1")), NOW, WANG.actor)
    assert claim.adjudication.liability is None and claim.adjudication.loss_items == []


def test_assessed_once_liability_and_loss_are_both_recorded() -> None:
    claim = new_claim()
    claim.take(WANG.id, NOW, WANG.actor)
    claim.schedule_survey(Survey(SurveyMode.ONSITE, NOW + timedelta(days=1), "张江路"), NOW, "a")
    claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", yuan("1200")), NOW, "a")
    assert claim.status is ClaimStatus.SURVEYING
    claim.record_liability(LiabilityFinding(Liability.MAJOR, 70), NOW, "a")
    assert claim.status is ClaimStatus.ASSESSED
    with pytest.raises(LastLossItem):
        claim.remove_loss_item(1, NOW, "a")
    with pytest.raises(NoSuchLossItem):
        claim.remove_loss_item(5, NOW, "a")


def test_no_settlement_before_assessment_and_no_payment_before_agreement() -> None:
    claim = new_claim()
    claim.take(WANG.id, NOW, WANG.actor)
    with pytest.raises(WrongStage):
        claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, "a")
    assessed_claim = assessed(new_claim())
    assessed_claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, "a")
    with pytest.raises(WrongStage):
        assessed_claim.record_payment(yuan("1200"), "REF", NOW, "a")


def test_dispute_revise_accept_pay_with_both_confirmations_recorded() -> None:
    claim = assessed(with_other_party())
    first = claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, WANG.actor)
    assert first.figures.payout == yuan("1200.00")  # 互碰自赔
    claim.answer_settlement(1, False, "配件价格偏低", NOW, "party:7")
    assert claim.status is ClaimStatus.DISPUTED and first.outcome is ProposalOutcome.DISPUTED
    claim.add_loss_item(LossItem(LossKind.PAINT, "喷漆", yuan("300")), NOW, WANG.actor)
    assert claim.status is ClaimStatus.ASSESSED
    second = claim.propose_settlement(PaymentRoute.SHOP, COVER, NOW, WANG.actor)
    assert second.version == 2 and second.figures.payout == yuan("1500.00")
    with pytest.raises(StaleProposal):
        claim.answer_settlement(1, True, "", NOW, "party:7")
    later = NOW + timedelta(hours=1)
    agreed = claim.answer_settlement(2, True, "", later, "party:7")
    assert claim.status is ClaimStatus.AGREED
    assert (agreed.proposed_by, agreed.answered_by, agreed.answered_at) == (
        WANG.actor,
        "party:7",
        later,
    )
    assert claim.adjudication.agreement is agreed
    with pytest.raises(AmountMismatch):
        claim.record_payment(yuan("1000"), "REF-1", NOW, WANG.actor)
    assert claim.status is ClaimStatus.AGREED
    claim.record_payment(yuan("1500.00"), "REF-1", NOW, WANG.actor)
    assert claim.status is ClaimStatus.PAID and claim.closed


def test_nothing_is_revised_after_payment() -> None:
    claim = assessed(new_claim())
    claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, "a")
    claim.answer_settlement(1, True, "", NOW, "party:7")
    claim.record_payment(yuan("1200"), "REF", NOW, "a")
    before = list(claim.timeline)
    for attempt in (
        lambda: claim.add_loss_item(LossItem(LossKind.PART, "x", yuan("1")), NOW, "a"),
        lambda: claim.record_liability(LiabilityFinding(Liability.FULL, 100), NOW, "a"),
        lambda: claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, "a"),
        lambda: claim.withdraw("不修了", NOW, "party:7"),
        lambda: claim.reject("fraud", NOW, "a"),
        lambda: claim.request_evidence("more", NOW, "a"),
    ):
        with pytest.raises(WrongStage):
            attempt()
    assert claim.timeline == before


def test_a_revised_proposal_replaces_the_pending_one() -> None:
    claim = assessed(new_claim())
    first = claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, "a")
    claim.propose_settlement(PaymentRoute.SHOP, COVER, NOW, "a")
    assert first.outcome is ProposalOutcome.SUPERSEDED
    claim.add_loss_item(LossItem(LossKind.LABOUR, "拆装", yuan("100")), NOW, "a")
    assert claim.status is ClaimStatus.ASSESSED
    assert claim.adjudication.pending_settlement is None
    with pytest.raises(StaleProposal):
        claim.answer_settlement(2, True, "", NOW, "party:7")


@pytest.mark.parametrize("terminal", ["withdraw", "reject"])
def test_withdrawn_and_rejected_are_terminal_with_reasons(terminal: str) -> None:
    claim = assessed(new_claim())
    act = claim.withdraw if terminal == "withdraw" else claim.reject
    with pytest.raises(ReasonRequired):
        act(" ", NOW, "x")
    act("车已自行修好", NOW, "x")
    assert claim.closed and claim.timeline[-1].note == "车已自行修好"
    assert claim.timeline[-1].action == terminal
    for action in Action:
        assert claim.status not in ACTION_STAGES[action]


def test_every_step_is_on_the_timeline_with_who_when_and_why() -> None:
    claim = assessed(with_other_party())
    claim.request_evidence("请补拍后保险杠", NOW, WANG.actor)
    claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, WANG.actor)
    claim.answer_settlement(1, False, "太低", NOW + timedelta(minutes=5), "party:7")
    actions = [change.action for change in claim.timeline]
    assert actions == ["report", "take", "survey", "liability", "loss", "ask", "settle", "dispute"]
    last = claim.timeline[-1]
    assert (last.actor, last.at, last.note) == ("party:7", NOW + timedelta(minutes=5), "v1 太低")
    assert (last.from_status, last.to_status) == (
        ClaimStatus.SETTLEMENT_PROPOSED,
        ClaimStatus.DISPUTED,
    )
    assert all(change.actor for change in claim.timeline)


# --- who may act -----------------------------------------------------------------------------


def test_an_adjuster_acts_only_on_claims_assigned_to_them() -> None:
    claim = new_claim()
    with pytest.raises(NotTaken):
        authorize_adjuster(WANG, claim)
    authorize_adjuster(WANG, claim, taking=True)
    claim.take(WANG.id, NOW, WANG.actor)
    authorize_adjuster(WANG, claim)
    with pytest.raises(AlreadyYours):
        authorize_adjuster(WANG, claim, taking=True)
    with pytest.raises(NotYourClaim):
        authorize_adjuster(CHEN, claim)
    with pytest.raises(AlreadyTaken):
        authorize_adjuster(CHEN, claim, taking=True)
    own = replace(CHEN, party_id=OWNER)
    with pytest.raises(OwnClaim):
        authorize_adjuster(own, new_claim(), taking=True)


def staffed_uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork(adjusters=[WANG, CHEN, LI])
    uow.claims.add(new_claim())
    return uow


def test_services_refuse_and_change_nothing() -> None:
    uow = staffed_uow()
    with pytest.raises(NotStaff):
        take_claim(uow, OWNER, "BA2026112500001", NOW)
    with pytest.raises(UnknownClaim):
        take_claim(uow, WANG.party_id or 0, "BA2026112599999", NOW)
    handled, others = take_claim(uow, WANG.party_id or 0, "ba2026112500001", NOW)
    assert handled.claim.adjuster_id == WANG.id
    assert [a.code for a in others] == ["ADJ-SH-02", "ADJ-BJ-01"]
    with pytest.raises(AlreadyTaken) as info:
        take_claim(uow, CHEN.party_id or 0, "BA2026112500001", NOW)
    assert info.value.params == {"number": "BA2026112500001", "adjuster": "王建国"}
    with pytest.raises(NotYourClaim):
        adjust(uow, CHEN.party_id or 0, "BA2026112500001", lambda c, a: c.reject("x y", NOW, "a"))
    claim = uow.claims.get("BA2026112500001")
    assert claim is not None and claim.status is ClaimStatus.ASSIGNED
    assert len(claim.timeline) == 2


def test_an_owner_acts_only_on_their_own_claims() -> None:
    uow = staffed_uow()
    with pytest.raises(UnknownClaim):
        owner_act(uow, 99, "BA2026112500001", lambda c: c.withdraw("不要了", NOW, "party:99"))
    claim, _ = owner_act(uow, OWNER, "BA2026112500001", lambda c: c.withdraw("不要了", NOW, "p"))
    assert claim.status is ClaimStatus.WITHDRAWN


def test_the_settlement_uses_the_policy_cover() -> None:
    uow = staffed_uow()
    claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    assessed(claim)
    uow.claims.save(claim)
    complete_documents(uow, claim.number, "shop")
    handled, settlement = propose_settlement(
        uow, WANG.party_id or 0, claim.number, PaymentRoute.SHOP, NOW
    )
    assert settlement.figures.deductible == SAMPLE_POLICY.coverage.deductible
    assert handled.claim.status is ClaimStatus.SETTLEMENT_PROPOSED


def test_requested_evidence_goes_to_the_claim_asked_last() -> None:
    uow = staffed_uow()
    item = Evidence(900, MediaKind.PHOTO, PhotoRole.EXTRA)
    step = lambda c: c.attach_evidence([item], NOW, "party:7")  # noqa: E731
    assert attach_requested_evidence(uow, OWNER, step) is None
    claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    claim.take(WANG.id, NOW, WANG.actor)
    claim.request_evidence("请补拍", NOW, WANG.actor)
    assert claim.awaiting_evidence
    routed = attach_requested_evidence(uow, OWNER, step)
    assert routed is claim and claim.report.evidence[-1] == item
    assert not claim.awaiting_evidence
    assert claim.adjudication.evidence_request is not None  # more may follow


# --- evidence checks -------------------------------------------------------------------------


PLACE = GeoPoint(31.2304, 121.4737)
TOLERANCE = EvidenceTolerance(before=timedelta(hours=1), after=timedelta(hours=48), distance_km=2)


@pytest.mark.parametrize(
    ("taken", "gps", "verdict"),
    [
        (NOW + timedelta(minutes=10), GeoPoint(31.2310, 121.4740), EvidenceVerdict.CONSISTENT),
        (NOW - timedelta(minutes=59), None, EvidenceVerdict.CONSISTENT),
        (NOW - timedelta(days=200), None, EvidenceVerdict.INCONSISTENT),  # a recycled photo
        (NOW + timedelta(hours=49), None, EvidenceVerdict.INCONSISTENT),
        (None, GeoPoint(39.9042, 116.4074), EvidenceVerdict.INCONSISTENT),  # Beijing
        (NOW, GeoPoint(39.9042, 116.4074), EvidenceVerdict.INCONSISTENT),
        (None, None, EvidenceVerdict.NO_METADATA),
    ],
)
def test_evidence_check(
    taken: datetime | None, gps: GeoPoint | None, verdict: EvidenceVerdict
) -> None:
    item = Evidence(1, MediaKind.PHOTO, PhotoRole.DAMAGE, taken, gps)
    assert check_evidence(item, NOW, PLACE, TOLERANCE).verdict is verdict


def test_evidence_check_reports_the_offsets() -> None:
    item = Evidence(1, MediaKind.PHOTO, None, NOW - timedelta(minutes=90), GeoPoint(31.24, 121.47))
    check = check_evidence(item, NOW, PLACE, TOLERANCE)
    assert check.minutes_after_accident == -90 and check.time_ok is False
    assert check.distance_km is not None and 0.9 < check.distance_km < 1.2 and check.place_ok
    no_place = check_evidence(item, NOW, None, TOLERANCE)
    assert no_place.place_ok is None and no_place.verdict is EvidenceVerdict.INCONSISTENT


# --- staff identity ----------------------------------------------------------------------------


def test_invite_codes_are_random_typed_loosely_and_stored_hashed() -> None:
    codes = {new_invite_code() for _ in range(200)}
    assert len(codes) == 200
    code = new_invite_code()
    assert len(normalize_invite_code(code)) == 12
    assert hash_invite_code(code) == hash_invite_code(f" {code.lower().replace('-', ' ')} ")
    assert code not in hash_invite_code(code)


def test_binding_with_an_invite_once() -> None:
    uow = FakeUnitOfWork(adjusters=[replace(WANG, party_id=None)])
    code, invite = create_invite(
        uow, role=StaffRole.ADJUSTER, name="王建国", now=NOW, staff_code="ADJ-SH-01"
    )
    assert invite.expires_at == NOW + timedelta(hours=24)
    assert code not in repr(uow.staff.invites)
    with pytest.raises(InvalidInvite):
        bind_staff(uow, "AAAA-BBBB-CCCC", 50, NOW)
    with pytest.raises(InvalidInvite):
        bind_staff(uow, code, 50, NOW + timedelta(hours=24, seconds=1))
    bound = bind_staff(uow, code.lower(), 50, NOW)
    assert (bound.code, bound.party_id, bound.region) == ("ADJ-SH-01", 50, "上海")
    with pytest.raises(AlreadyStaff):
        bind_staff(uow, code, 50, NOW)
    with pytest.raises(InvalidInvite):  # one use only
        bind_staff(uow, code, 51, NOW)


def test_an_invite_without_a_code_makes_a_new_adjuster() -> None:
    uow = FakeUnitOfWork()
    code, invite = create_invite(uow, role=StaffRole.ADJUSTER, name="赵六", now=NOW, region="杭州")
    assert invite.staff_code is not None and invite.staff_code.startswith("ADJ-")
    bound = bind_staff(uow, code, 60, NOW)
    assert (bound.name, bound.region) == ("赵六", "杭州")
    with pytest.raises(ValueError):
        create_invite(uow, role=StaffRole.SHOP, name="x", now=NOW)


def test_paging_goes_to_the_region_else_to_everyone_never_to_the_owner() -> None:
    unbound = Adjuster(4, "ADJ-SH-09", "未绑定", "上海", None)
    everyone = [WANG, CHEN, LI, unbound]
    assert pick_region_adjusters(everyone, "上海") == [WANG, CHEN]
    assert pick_region_adjusters(everyone, "北京", exclude_party=LI.party_id) == [WANG, CHEN]
    assert pick_region_adjusters(everyone, None) == [WANG, CHEN, LI]
    uow = staffed_uow()
    claim = uow.claims.get("BA2026112500001")
    assert claim is not None
    uow.staff.regions[claim.policy_number] = "北京"
    assert adjusters_to_page(uow, claim) == [LI]


@pytest.mark.parametrize(
    ("share", "identified", "applied"), [(50, True, 50), (50, False, 100), (0, False, 100)]
)
def test_the_effective_share_is_the_found_one_only_with_another_vehicle(
    share: int, identified: bool, applied: int
) -> None:
    assert effective_share(share, identified) == applied


def test_the_configured_jiaoqiang_limits_settle_the_claim() -> None:
    from domain.jiaoqiang import JIAOQIANG_2020, JiaoqiangLimits, SubLimits
    from domain.settlement import SettlementRules

    low = SubLimits(disability_death=1_000_000, medical=100_000, property=50_000)
    rules = SettlementRules(jiaoqiang=JiaoqiangLimits(low, JIAOQIANG_2020.no_fault))
    claim = assessed(with_other_party(), Liability.NONE, 0)  # 1,200.00, the other car 全责
    figures = claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, "a", rules).figures
    # its 交强险 now pays 500.00, its 三者险 the other 700.00
    assert [(line.coverage.value, line.amount) for line in figures.lines] == [
        ("jiaoqiang_property", 50_000),
        ("third_party", 70_000),
    ]


def test_a_supplement_after_agreement_makes_version_2_and_the_agreement_stands_until_then() -> None:
    claim = assessed(with_other_party())  # 主责 70, 1,200.00: 互碰自赔, 1,200.00
    claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, WANG.actor)
    claim.answer_settlement(1, True, "", NOW, "party:7")
    assert claim.status is ClaimStatus.AGREED
    with pytest.raises(WrongStage):  # an agreed assessment only gains items
        claim.remove_loss_item(1, NOW, WANG.actor)
    claim.add_loss_item(LossItem(LossKind.PART, "隐损 大灯支架", yuan("1500.00")), NOW, WANG.actor)
    assert claim.status is ClaimStatus.ASSESSED
    assert claim.adjudication.agreement is not None
    assert claim.adjudication.agreement.version == 1  # until the owner answers version 2
    with pytest.raises(WrongStage):
        claim.record_payment(yuan("1200.00"), "REF", NOW, WANG.actor)
    second = claim.propose_settlement(PaymentRoute.OWNER, COVER, NOW, WANG.actor)
    # 2,700.00 is above the property limit: the other car's 交强险 2,000.00, then 70/30 of
    # 700.00: its 三者险 210.00, our 车损险 490.00
    assert second.version == 2 and second.figures.payout == yuan("490.00")
    assert second.figures.other_share == yuan("2210.00")
    claim.answer_settlement(2, True, "", NOW, "party:7")
    claim.record_payment(yuan("490.00"), "REF-2", NOW, WANG.actor)
    assert claim.status is ClaimStatus.PAID
