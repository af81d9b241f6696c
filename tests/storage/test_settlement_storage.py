"""A proposal's statement is kept with it; proposals recorded before statements keep their
figures (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from domain.adjudication import (
    Liability,
    LiabilityFinding,
    LossItem,
    LossKind,
    PaymentRoute,
    Survey,
    SurveyMode,
)
from domain.money import Money
from domain.policy import Coverage
from storage import read_models
from storage.db import Database
from storage.tables.adjudication import claim_settlement_t
from tests.storage.helpers import NOW, file_claim, import_example, new_owner

NUMBER = "BA2026060100001"


def _propose(database: Database, cover: Coverage) -> None:
    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(NUMBER)
        assert claim is not None
        claim.take(1, NOW, "a")
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), NOW, "a")
        claim.record_liability(LiabilityFinding(Liability.FULL, 100), NOW, "a")
        claim.add_loss_item(LossItem(LossKind.PART, "后保险杠", Money(150_000)), NOW, "a")
        claim.propose_settlement(PaymentRoute.OWNER, cover, NOW, "a")
        uow.claims.save(claim)
        uow.commit()


def test_the_statement_survives_a_save_and_a_load(
    database: Database, directory_data: dict[str, Any]
) -> None:
    import_example(database, directory_data)
    file_claim(database, new_owner(database), NUMBER)
    _propose(database, Coverage(Money(18_000_000), deductible=Money(50_000), insurer="人保"))
    with database.unit_of_work() as uow:
        claim = uow.claims.get(NUMBER)
    assert claim is not None
    figures = claim.adjudication.settlements[0].figures
    # 全责 against two 无责 cars: each one's 100.00 paid by us on its behalf (无责代赔),
    # 车损险 the other 1,300.00 less the 500.00 deductible
    assert [
        (line.payer, line.coverage.value, line.amount, line.rule.key, line.handled_by)
        for line in figures.lines
    ] == [
        ("沪A12345", "own_damage", 80_000, "own_damage", None),
        ("沪B99999", "jiaoqiang_property", 10_000, "no_fault_proxy", "沪A12345"),
        ("苏E12345", "jiaoqiang_property", 10_000, "no_fault_proxy", "沪A12345"),
    ]
    assert figures.lines[0].rule.params["deductible_fen"] == 50_000
    assert figures.owner_pays == Money(50_000) and figures.payout == Money(100_000)


def test_a_proposal_recorded_before_statements_keeps_its_figures(
    database: Database, directory_data: dict[str, Any]
) -> None:
    import_example(database, directory_data)
    file_claim(database, new_owner(database), NUMBER)
    _propose(database, Coverage(Money(18_000_000), deductible=Money(50_000)))
    with database.unit_of_work() as uow:  # as the rows of older proposals are
        uow.connection.execute(
            update(claim_settlement_t).values(
                statement=None, own_portion_fen=105_000, payout_fen=84_000, other_share_fen=45_000
            )
        )
        uow.commit()
    with database.unit_of_work() as uow:
        claim = uow.claims.get(NUMBER)
        detail = read_models.claim_detail(uow.connection, NUMBER)
    assert claim is not None and detail is not None and detail.settlement is not None
    figures = claim.adjudication.settlements[0].figures
    assert figures.lines == () and figures.owner_pays is None
    assert (figures.payout, figures.other_share) == (Money(84_000), Money(45_000))
    assert figures.owner_part == Money(21_000)  # the own portion less the payout, as before
    assert detail.settlement.lines == () and detail.settlement.owner_pays_fen == 21_000
    assert detail.settlement.payout_fen == 84_000
