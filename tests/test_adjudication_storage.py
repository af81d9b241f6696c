"""The adjudication's storage on SQLite and PostgreSQL: a claim's whole adjudication
survives a save and a load; staff, invites, case lists and media visibility."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    ProposalOutcome,
    Survey,
    SurveyMode,
)
from domain.claim import ClaimStatus
from domain.evidence import Evidence, MediaKind, PhotoRole
from domain.money import Money
from domain.policy import Coverage
from domain.services import create_invite, may_view_media
from domain.staff import StaffRole
from storage.db import Database
from tests.storage.helpers import NOW, file_claim, import_example, media, new_owner

COVER = Coverage(Money.from_yuan("180000"), Money(0), Money.from_yuan("500"))


def test_the_adjudication_round_trip(database: Database, directory_data: dict[str, Any]) -> None:
    import_example(database, directory_data)
    owner = new_owner(database)
    file_claim(database, owner, "BA2026060100001")
    with database.unit_of_work() as uow:
        wang = uow.staff.adjuster_by_code("ADJ-SH-01")
        assert wang is not None
        claim = uow.claims.get_for_update("BA2026060100001")
        assert claim is not None
        at = NOW + timedelta(hours=1)
        claim.take(wang.id, at, wang.actor)
        claim.assess_initially("追尾，后部受损", at, wang.actor)
        claim.schedule_survey(Survey(SurveyMode.ONSITE, at + timedelta(days=1), "张江路"), at, "a")
        claim.request_evidence("请补拍", at, wang.actor)
        extra = uow.media.add(media(50))
        claim.attach_evidence([Evidence(extra, MediaKind.PHOTO, PhotoRole.EXTRA)], at, "party:1")
        claim.record_liability(LiabilityFinding(Liability.EQUAL, 50, "同等责任"), at, "a")
        claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", Money.from_yuan("1200")), at, "a")
        claim.add_loss_item(LossItem(LossKind.PAINT, "喷漆", Money.from_yuan("300.50")), at, "a")
        claim.propose_settlement(PaymentRoute.OWNER, COVER, at, "a")
        claim.answer_settlement(1, False, "太低", at, "party:1")
        claim.propose_settlement(PaymentRoute.SHOP, COVER, at, "a")
        uow.claims.save(claim)
        uow.commit()
    with database.unit_of_work() as uow:
        loaded = uow.claims.get("BA2026060100001")
    assert loaded is not None
    assert loaded.status is ClaimStatus.SETTLEMENT_PROPOSED and loaded.adjuster_id == wang.id
    adj = loaded.adjudication
    assert adj.initial_assessment == "追尾，后部受损"
    assert adj.survey == Survey(SurveyMode.ONSITE, at + timedelta(days=1), "张江路")
    assert adj.liability == LiabilityFinding(Liability.EQUAL, 50, "同等责任")
    assert [(i.kind, i.amount.fen) for i in adj.loss_items] == [
        (LossKind.PART, 120_000),
        (LossKind.PAINT, 30_050),
    ]
    assert [(s.version, s.outcome) for s in adj.settlements] == [
        (1, ProposalOutcome.DISPUTED),
        (2, ProposalOutcome.PENDING),
    ]
    assert adj.settlements[0].dispute_reason == "太低"
    assert adj.settlements[1].figures == claim.adjudication.settlements[1].figures
    assert adj.evidence_request is not None and adj.evidence_request.text == "请补拍"
    assert loaded.report.evidence[-1].media_id == extra
    assert loaded.timeline == claim.timeline
    assert loaded.awaiting_evidence is False

    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update("BA2026060100001")
        assert claim is not None
        claim.answer_settlement(2, True, "", at, "party:1")
        payout = claim.adjudication.settlements[1].figures.payout
        claim.record_payment(payout, "REF-9", at, "a")
        uow.claims.save(claim)
        uow.commit()
    with database.unit_of_work() as uow:
        paid = uow.claims.get("BA2026060100001")
        assert paid is not None and paid.adjudication.payment is not None
        assert paid.adjudication.payment.amount == payout
        assert paid.adjudication.agreement is not None
        assert paid.adjudication.agreement.answered_by == "party:1"
        assert uow.claims.open_for_adjuster(wang.id) == []


def test_case_lists_and_media_visibility(
    database: Database, directory_data: dict[str, Any]
) -> None:
    import_example(database, directory_data)
    owner = new_owner(database)
    first = file_claim(database, owner, "BA2026060100001")
    file_claim(database, owner, "BA2026060100002")
    stranger = new_owner(database, "stranger")
    with database.unit_of_work() as uow:
        wang = uow.staff.adjuster_by_code("ADJ-SH-01")
        assert wang is not None and wang.party_id is not None
        assert [c.number for c in uow.claims.unassigned(10)] == [
            "BA2026060100001",
            "BA2026060100002",
        ]
        claim = uow.claims.get_for_update("BA2026060100002")
        assert claim is not None
        claim.take(wang.id, NOW, wang.actor)
        uow.claims.save(claim)
        uow.commit()
    with database.unit_of_work() as uow:
        assert [c.number for c in uow.claims.open_for_adjuster(wang.id)] == ["BA2026060100002"]
        assert [c.number for c in uow.claims.unassigned(10)] == ["BA2026060100001"]
        photo = first.report.evidence[0].media_id
        assert uow.claims.owners_of_media(photo) == {owner}
        assert may_view_media(uow, owner, photo)
        assert may_view_media(uow, wang.party_id, photo)
        assert not may_view_media(uow, stranger, photo)


def test_staff_binding_and_invites(database: Database, directory_data: dict[str, Any]) -> None:
    import_example(database, directory_data)
    newcomer = new_owner(database, "newcomer")
    with database.unit_of_work() as uow:
        code, invite = create_invite(
            uow, role=StaffRole.ADJUSTER, name="王建国", now=NOW, staff_code="ADJ-SH-01"
        )
        uow.commit()
    with database.unit_of_work() as uow:
        stored = uow.staff.invite_for_update(invite.code_hash)
        assert stored == invite and code not in repr(stored)
        bound = uow.staff.bind_adjuster("ADJ-SH-01", "王建国", None, newcomer)
        uow.staff.use_invite(invite.code_hash, newcomer, NOW)
        uow.commit()
    assert (bound.party_id, bound.region) == (newcomer, "上海")
    with database.unit_of_work() as uow:
        used = uow.staff.invite_for_update(invite.code_hash)
        assert used is not None and used.used_at == NOW and not used.usable(NOW)
        assert uow.staff.adjuster_for_party(newcomer) == bound
        assert uow.parties.get(newcomer).kind == "adjuster"  # type: ignore[union-attr]
        assert uow.staff.region_of_policy("PDAA20260001") is None
        assert [a.code for a in uow.staff.adjusters()] == ["ADJ-SH-01", "ADJ-SH-02", "SUP-SH-01"]
        assert [r.channel for r in uow.recipients.of_party(newcomer)] == ["telegram"]
        assert uow.recipients.party_of("telegram", "newcomer") == newcomer
        assert uow.recipients.party_of("telegram", "nobody") is None


def test_the_policy_region_is_imported(database: Database, directory_data: dict[str, Any]) -> None:
    directory_data["policies"][0]["region"] = "上海"
    import_example(database, directory_data)
    with database.unit_of_work() as uow:
        assert uow.staff.region_of_policy("PDAA20260001") == "上海"
        assert uow.staff.region_of_policy("PDAA20260002") is None
