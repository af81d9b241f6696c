"""小额快赔 through the real engine and storage (SQLite and PostgreSQL): a rear-end accident
both drivers agreed on is estimated from the price list, proposed at once and accepted
with one tap; one payment instruction goes to the payment port and its confirmation
closes the claim. Whatever the lane cannot approve goes to an adjuster with the reason."""

from __future__ import annotations

import json

from bot.bootstrap import Container
from bot.smallclaim_services import confirm_payment, payment_file
from domain.claim import ClaimStatus
from domain.claim_documents import claim_checklist
from domain.small_claim import InstructionState
from storage.repositories.fastlane_decisions import FastLaneDecisions
from storage.repositories.payment_instructions import PaymentInstructions
from tests.quickdeal_support import NUMBER, last_payload
from tests.smallclaim_support import (
    CARD,
    CARD_DIGITS,
    agreed_rear_end,
    documents,
    import_prices,
    price_data,
)
from tests.test_adjudication_engine import Party, stored
from tests.test_adjudication_engine import invite as staff_invite


def decisions(container: Container) -> list[object]:
    with container.database.unit_of_work() as uow:
        return list(FastLaneDecisions(uow.connection).for_claim(NUMBER))


def instruction_rows(container: Container) -> int:
    with container.database.unit_of_work() as uow:
        return len(PaymentInstructions(uow.connection).recent())


def test_a_rear_end_accident_is_settled_without_an_adjuster(container: Container) -> None:
    import_prices(container)
    owner, _ = agreed_rear_end(container)
    assert owner.news()[-2:] == ["quickdeal.issued", "smallclaim.offer"]
    parts = owner.choose(f"f:go:{NUMBER}")
    assert parts == ["smallclaim.parts"]
    assert len(last_payload(container, owner, "smallclaim.parts")["attachments"]) == 3
    assert owner.choose(f"f:part:{NUMBER}:rear_bumper") == ["smallclaim.parts"]
    assert "✅ 后保险杠" in owner.last_text() or "后保险杠" in owner.last_text()
    assert owner.choose(f"f:done:{NUMBER}") == ["smallclaim.estimated", "smallclaim.doc.ask"]
    assert "1250.00" in owner.rendered()[-2]
    assert [answer[-1] for answer in documents(owner)] == [
        "smallclaim.doc.ask",
        "smallclaim.doc.ask",
        "smallclaim.card.ask",
    ]
    assert owner.text("1234 5678") == ["smallclaim.card.invalid", "smallclaim.card.ask"]
    assert owner.text(CARD) == ["smallclaim.card.confirm"]
    assert CARD_DIGITS not in owner.last_text() and "7890128"[-4:] in owner.last_text()
    assert owner.choose(f"f:card:{NUMBER}") == ["smallclaim.proposal"]
    claim = stored(container)
    assert claim.status is ClaimStatus.SETTLEMENT_PROPOSED and claim.adjuster_id is None
    checklist = claim_checklist(claim)
    assert checklist is not None and not checklist.missing
    figures = claim.adjudication.settlements[-1].figures
    assert figures.payout.yuan() == "1250.00"  # 代位求偿: paid now, recovered from the other
    assert owner.choose(f"f:acc:{NUMBER}:1") == ["smallclaim.paying"]
    assert owner.choose(f"f:acc:{NUMBER}:1") == ["smallclaim.accepted_already"]
    assert instruction_rows(container) == 1
    assert stored(container).status is ClaimStatus.AGREED

    path = payment_file(container.settings)
    sent = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(m["claim_number"], m["amount_fen"], m["card_number"]) for m in sent] == [
        (NUMBER, 125_000, CARD_DIGITS)
    ]
    recorded = decisions(container)
    assert len(recorded) == 1 and recorded[0].eligible  # type: ignore[attr-defined]
    assert recorded[0].rule_version == "fastlane-1"  # type: ignore[attr-defined]

    now = container.clock.now()
    locales = container.catalogs.locales
    assert confirm_payment(container.database, NUMBER, "BANK-0001", now, locales) is True
    assert confirm_payment(container.database, NUMBER, "BANK-0001", now, locales) is False
    assert stored(container).status is ClaimStatus.PAID
    assert owner.news()[-1] == "smallclaim.paid"
    with container.database.unit_of_work() as uow:
        found = PaymentInstructions(uow.connection).get(NUMBER)
    assert found is not None and found.state is InstructionState.CONFIRMED


def test_a_part_the_price_list_does_not_price_goes_to_an_adjuster(container: Container) -> None:
    data = price_data()
    for part in data["price_list"]["parts"]:
        if part["code"] == "rear_bumper":
            part["prices"].pop("economy")
    import_prices(container, data)
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {staff_invite(container, 'ADJ-SH-01')}")
    owner, _ = agreed_rear_end(container)
    adjuster.news()
    owner.choose(f"f:go:{NUMBER}")
    parts = last_payload(container, owner, "smallclaim.parts")
    codes = [c["value"].rsplit(":", 1)[1] for c in parts["choices"]]
    assert "rear_bumper" not in codes  # not offered for the car's class
    assert owner.choose(f"f:nl:{NUMBER}") == ["smallclaim.to_adjuster"]
    assert "不在价目清单" in owner.last_text()
    assert adjuster.news() == ["smallclaim.adjuster"]
    assert stored(container).status is ClaimStatus.REPORTED  # nothing changed
    assert instruction_rows(container) == 0


def test_a_claim_the_rule_refuses_goes_to_an_adjuster_with_the_reasons(
    container: Container,
) -> None:
    import_prices(container)
    owner, _ = agreed_rear_end(container)
    owner.choose(f"f:go:{NUMBER}")
    for part in ("rear_door", "front_door", "fender"):
        owner.choose(f"f:part:{NUMBER}:{part}")
    assert owner.choose(f"f:done:{NUMBER}") == ["smallclaim.to_adjuster"]
    assert "估损金额达到或超过 5000.00 元" in owner.last_text()
    (decision,) = decisions(container)
    assert not decision.eligible  # type: ignore[attr-defined]
    assert "estimate_too_high" in decision.reasons  # type: ignore[attr-defined]
    assert stored(container).status is ClaimStatus.REPORTED


def test_damage_outside_the_vehicles_goes_to_an_adjuster(container: Container) -> None:
    import_prices(container)
    owner, _ = agreed_rear_end(container)
    assert owner.choose(f"f:out:{NUMBER}") == ["smallclaim.to_adjuster"]
    assert "车外财产损失" in owner.last_text()
    assert owner.choose(f"f:go:{NUMBER}") == ["smallclaim.parts"]  # may still change their mind


def test_without_a_price_list_nothing_is_offered(container: Container) -> None:
    owner, _ = agreed_rear_end(container)
    assert "smallclaim.offer" not in owner.news()
