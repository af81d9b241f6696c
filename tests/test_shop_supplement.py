"""A shop adds supplement items (追加定损) from its repair card, in words; the adjuster is
told and proposes version 2, which the owner answers. Through the engine and the web chat,
on SQLite and PostgreSQL. Every amount a person reads there carries a thousands separator."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from bot.bootstrap import Container
from bot.web.app import create_app
from domain.accident_record import AccidentParty, AccidentRecord, PartyKind
from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
)
from domain.claim import ClaimStatus
from domain.money import Money
from storage.tables.core import adjuster_t, claim_t, identity_t
from tests.booking_support import STAFF_USER, WebUser, agree_direct_repair, bind_staff_to_web
from tests.booking_support import file_claim as report_claim
from tests.documents_support import complete_documents_in

LOSS_FEN = 634_567  # 6,345.67 (under the approval threshold of 10,000.00)


def _adjuster(container: Container) -> WebUser:
    """ADJ-SH-01 (who took the claim) on a web chat too."""
    with container.database.unit_of_work() as uow:
        party = uow.connection.execute(
            select(adjuster_t.c.party_id).where(adjuster_t.c.code == "ADJ-SH-01")
        ).scalar_one()
        uow.connection.execute(
            insert(identity_t), {"channel": "web", "external_id": "adj-web-01", "party_id": party}
        )
        uow.commit()
    return WebUser(container, user_id="adj-web-01")


def _car_in_the_shop(owner: WebUser, staff: WebUser, number: str) -> None:
    owner.text(f"/book {number}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    owner.choose("b:send")
    staff.choose("sh:1:ok")
    staff.choose("sh:1:in")


def _status_page(container: Container, number: str) -> str:
    with container.database.engine.connect() as conn:
        token = conn.execute(
            select(claim_t.c.status_token).where(claim_t.c.number == number)
        ).scalar_one()
    return TestClient(create_app(container)).get(f"/status/{token}").text


def test_a_shop_adds_items_the_adjuster_proposes_version_2_and_amounts_are_grouped(
    container: Container,
) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    adjuster = _adjuster(container)
    number = report_claim(owner)
    agree_direct_repair(container, number, payout_fen=LOSS_FEN)
    _car_in_the_shop(owner, staff, number)
    request = staff.rendered()[staff.received().index("booking.shop.request")]
    assert "定损金额：6,345.67 元" in request

    # the card of the car in the shop offers 追加定损; the items come in words
    assert "sh:1:sup" in staff.choices("booking.shop.done.arrived")
    assert staff.choose("sh:1:sup") == ["booking.shop.ask.supplement"]
    assert staff.text("前保险杠 八百五\n喷漆 前保险杠 1,600") == [
        "booking.shop.done.supplement",
        "booking.shop.ask.supplement_photos",  # photos may follow (test_shop_supplement_photos)
    ]
    done = staff.rendered()[-2]
    assert "1. 配件 前保险杠：850.00 元" in done and "2. 喷漆 前保险杠：1,600.00 元" in done
    assert "本次追加合计 2,450.00 元，定损合计 8,795.67 元" in done
    assert "sh:1:start" in staff.choices("booking.shop.done.supplement")  # the card goes on
    assert owner.received()[-1] == "booking.supplement_added"
    assert "合计 2,450.00 元" in owner.rendered()[-1] and "/settle" not in owner.rendered()[-1]
    card = adjuster.rendered()[-1]
    assert adjuster.received()[-1] == "claims.adjuster.shop_supplement"
    assert "浦东安心汽修" in card and f"/settle {number} 修理厂" in card and "8,795.67" in card
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None and claim.status is ClaimStatus.ASSESSED
    assert [(i.kind, i.amount) for i in claim.adjudication.loss_items[1:]] == [
        (LossKind.PART, Money(85_000)),
        (LossKind.PAINT, Money(160_000)),
    ]
    assert claim.adjudication.agreement is not None  # version 1 stands until version 2

    # the adjuster proposes version 2; the owner reads it with grouped amounts and agrees
    complete_documents_in(container, number, "shop")  # the papers for 直赔 are in
    assert adjuster.text(f"/settle {number} 修理厂")[-1] == "claims.adjuster.settlement_proposed"
    proposal = owner.rendered()[-1]
    assert "第 2 版" in proposal and "损失合计 8,795.67 元" in proposal
    assert "本公司赔付：8,795.67 元" in proposal
    assert owner.choose(f"c:acc:{number}:2") == ["claims.owner.accepted"]
    assert "赔付 8,795.67 元" in owner.rendered()[-1]
    assert "8,795.67 元" in _status_page(container, number)

    # the payment notice, after the repair
    adjuster.text(f"/paid {number} 8,795.67 REF-SUP-1")
    assert "8,795.67" in owner.rendered()[-1]


def test_what_is_not_an_item_or_not_the_shops_is_refused_and_changes_nothing(
    container: Container,
) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    number = report_claim(owner)
    agree_direct_repair(container, number, payout_fen=120_000)
    owner.text(f"/book {number}")
    owner.choose("b:shop:SHOP-PD-01")
    owner.choose(owner.choices("booking.ask.slot")[0])
    owner.choose("b:send")
    assert staff.choose("sh:1:sup") == ["booking.refusal.wrong_stage"]  # not in the shop yet
    staff.choose("sh:1:ok")
    staff.choose("sh:1:in")
    staff.choose("sh:1:sup")
    assert staff.text("前保险杠") == ["claims.refusal.bad_amount", "booking.shop.ask.supplement"]
    assert staff.text("前保险杠 -5") == ["claims.refusal.bad_amount", "booking.shop.ask.supplement"]
    assert staff.choose("s:quit")[0] == "booking.nothing_changed"
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get(number)
    assert claim is not None and len(claim.adjudication.loss_items) == 1
    assert claim.status is ClaimStatus.AGREED


def _agree_minor_fault_direct_repair(container: Container, number: str) -> None:
    """次责 (30 %) against an insured car, a 5,000.00 loss, 500.00 deductible, 直赔."""
    now, actor = container.clock.now(), "adjuster:ADJ-SH-01"
    record = AccidentRecord(parties=(AccidentParty("沪B99999", PartyKind.VEHICLE, insurer="平安"),))
    with container.database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(number)
        policy = uow.policies.by_number(claim.policy_number) if claim else None
        assert claim is not None and policy is not None
        coverage = replace(policy.coverage, deductible=Money(50_000))
        claim.take(1, now, actor)
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), now, actor)
        claim.record_liability(LiabilityFinding(Liability.MINOR, 30), now, actor)
        claim.add_loss_item(LossItem(LossKind.PART, "前保险杠", Money(500_000)), now, actor)
        claim.adjudication.accident = record
        settlement = claim.propose_settlement(PaymentRoute.SHOP, coverage, now, actor)
        claim.answer_settlement(settlement.version, True, "", now, f"party:{claim.owner_id}")
        uow.claims.save(claim)
        uow.commit()


def test_a_direct_repair_names_the_other_insurers_share_and_the_owner_pays_only_their_own(
    container: Container,
) -> None:
    owner = WebUser(container, user_id="owner-0001")
    staff = bind_staff_to_web(container, "SHOP-PD-01", STAFF_USER)
    number = report_claim(owner)
    _agree_minor_fault_direct_repair(container, number)
    _car_in_the_shop(owner, staff, number)
    request = staff.rendered()[staff.received().index("booking.shop.request")]
    # 平安 pays 2,000.00 (交强险) + 2,100.00 (三者险, 70 % of the rest); we pay 400.00
    assert "直赔：保险公司支付 400.00 元，对方保险公司承担 4,100.00 元（不由车主支付）" in request
    assert "车主支付其余 500.00 元" in request
