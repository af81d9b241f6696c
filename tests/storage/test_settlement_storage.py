"""A proposal's statement is kept with it; proposals recorded before statements keep their
figures (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from domain.accident_record import AccidentParty, AccidentRecord, PartyKind, VictimLoss
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
from domain.settlement import LossKind as SettlementLossKind
from storage import read_models
from storage.db import Database
from storage.read_models.analytics import payout_lines
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


PLATE, OTHER, RAIL = "沪A12345", "沪B99999", "护栏"


def _propose_with_victims(database: Database) -> None:
    """主责 against an insured car (次责) that lost 3,000.00, and a 护栏 of 1,500.00."""
    record = AccidentRecord(
        parties=(
            AccidentParty(OTHER, PartyKind.VEHICLE, insurer="平安"),
            AccidentParty(RAIL, PartyKind.PROPERTY),
        ),
        losses=(
            VictimLoss(OTHER, SettlementLossKind.VEHICLE, 300_000),
            VictimLoss(RAIL, SettlementLossKind.PROPERTY, 150_000),
        ),
    )
    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(NUMBER)
        assert claim is not None
        claim.take(1, NOW, "a")
        claim.schedule_survey(Survey(SurveyMode.REMOTE, None, None), NOW, "a")
        claim.record_liability(LiabilityFinding(Liability.MAJOR, 70), NOW, "a")
        claim.add_loss_item(LossItem(LossKind.PART, "前保险杠", Money(1_234_567)), NOW, "a")
        claim.adjudication.accident = record
        cover = Coverage(
            Money(18_000_000), deductible=Money(50_000), third_party=Money(100_000_000)
        )
        claim.propose_settlement(PaymentRoute.OWNER, cover, NOW, "a")
        uow.claims.save(claim)
        uow.commit()


def test_the_whole_statement_is_stored_every_payer_and_every_victim(
    database: Database, directory_data: dict[str, Any]
) -> None:
    import_example(database, directory_data)
    file_claim(database, new_owner(database), NUMBER)
    _propose_with_victims(database)
    with database.unit_of_work() as uow:
        claim = uow.claims.get(NUMBER)
        detail = read_models.claim_detail(uow.connection, NUMBER)
    assert claim is not None and detail is not None and detail.settlement is not None
    figures = claim.adjudication.settlements[0].figures
    statement = figures.statement
    assert statement is not None and figures.party == PLATE
    # what the statement pays to the other car and the 护栏 is kept, not only the owner's car
    victims = {line.victim for line in statement.lines}
    assert victims == {PLATE, OTHER, RAIL}
    assert {line.victim for line in figures.lines} == {PLATE}  # the proposal's own lines
    # our 交强险 pays the other car's 2,000.00 property limit share; money is conserved
    ours_to_other = [
        line
        for line in statement.lines
        if (line.payer, line.victim, line.coverage.value) == (PLATE, OTHER, "jiaoqiang_property")
    ]
    assert ours_to_other and all(line.amount > 0 for line in ours_to_other)
    assert sum(x.amount for x in statement.losses) == 1_234_567 + 300_000 + 150_000
    assert statement.paid_total + sum(statement.out_of_pocket.values()) == statement.loss_total
    # the dashboard and the API read the same stored statement
    stored = detail.settlement
    assert stored.party == PLATE
    assert [(x.payer, x.coverage, x.victim, x.amount_fen) for x in stored.lines] == [
        (x.payer, x.coverage.value, x.victim, x.amount) for x in statement.lines
    ]
    assert sum(x.amount_fen for x in stored.own_items) == stored.owner_pays_fen + sum(
        amount for party, amount in statement.out_of_pocket.items() if party != PLATE
    )


def test_a_statement_stored_with_the_owners_lines_only_stays_readable(
    database: Database, directory_data: dict[str, Any]
) -> None:
    import_example(database, directory_data)
    file_claim(database, new_owner(database), NUMBER)
    _propose_with_victims(database)
    with database.unit_of_work() as uow:  # as version 1 kept it: the owner's car's lines
        row = uow.connection.execute(select(claim_settlement_t.c.statement)).one()
        old = {
            "lines": [x for x in row.statement["lines"] if x["victim"] == PLATE],
            "owner_pays_fen": row.statement["owner_pays_fen"],
            "receivables": row.statement["receivables"],
        }
        uow.connection.execute(update(claim_settlement_t).values(statement=old))
        uow.commit()
    with database.unit_of_work() as uow:
        claim = uow.claims.get(NUMBER)
        detail = read_models.claim_detail(uow.connection, NUMBER)
    assert claim is not None and detail is not None and detail.settlement is not None
    figures = claim.adjudication.settlements[0].figures
    assert figures.statement is None and figures.party is None
    assert figures.lines and {line.victim for line in figures.lines} == {PLATE}
    assert detail.settlement.party is None and detail.settlement.own_items == ()
    assert {x.victim for x in detail.settlement.lines} == {PLATE}
    assert detail.settlement.owner_pays_fen == figures.owner_part.fen


def test_the_payout_totals_count_what_our_insured_car_pays_every_victim(
    database: Database, directory_data: dict[str, Any]
) -> None:
    import_example(database, directory_data)
    file_claim(database, new_owner(database), NUMBER)
    _propose_with_victims(database)
    with database.unit_of_work() as uow:
        claim = uow.claims.get_for_update(NUMBER)
        assert claim is not None
        claim.answer_settlement(1, True, "", NOW, f"party:{claim.owner_id}")
        uow.claims.save(claim)
        uow.commit()
    with database.unit_of_work() as uow:
        stored = uow.claims.get(NUMBER)
        totals = payout_lines(uow.connection, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert stored is not None
    statement = stored.adjudication.settlements[0].figures.statement
    assert statement is not None
    ours = [x for x in statement.lines if PLATE in (x.payer, x.handled_by)]
    assert {x.victim for x in ours} == {PLATE, OTHER, RAIL}  # not only the owner's car
    assert sorted(totals) == sorted((x.coverage.value, x.amount) for x in ours)
