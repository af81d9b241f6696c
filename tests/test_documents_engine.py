"""The documents checklist through the real engine and storage (SQLite and PostgreSQL):
asked once and all at once, uploads filed against the item the owner picks, an item
waived, the proposal waiting until the checklist is complete."""

from __future__ import annotations

from bot.bootstrap import Container
from domain.claim_clocks import clock_events
from domain.claim_documents import claim_checklist, documents_complete_at
from domain.documents import Document
from domain.statutory_clocks import ClockKind, ClockRules, claim_clocks
from messages.outbound import STALE_CHOICE
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes
from tests.test_adjudication_engine import NUMBER, Party, file_report, invite, stored


def _assessed(container: Container) -> tuple[Party, Party]:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    file_report(owner)
    adjuster.text(f"/take {NUMBER}")
    adjuster.text(f"/survey {NUMBER} remote")
    adjuster.text(f"/liability {NUMBER} 全责 单方事故")
    adjuster.text(f"/loss {NUMBER} part 后保险杠 1200.00")
    owner.news()
    adjuster.news()
    return owner, adjuster


def _file(owner: Party, item: Document, seed: int) -> list[str]:
    assert owner.photos([jpeg_bytes(seed=seed)]) == ["documents.pick"]
    return owner.choose(f"dc:{NUMBER}:{item.value}")


def test_documents_asked_once_filed_waived_then_the_proposal(
    container: Container, clock: FixedClock
) -> None:
    owner, adjuster = _assessed(container)
    assert adjuster.text(f"/docs {NUMBER}") == ["documents.none"]
    assert adjuster.text(f"/docs {NUMBER} owner") == ["documents.asked"]
    assert owner.news() == ["documents.owner_asked"]
    asked = owner.last_text()
    for name in ("驾驶证", "行驶证", "身份证", "道路交通事故认定书", "维修发票", "银行卡"):
        assert name in asked
    assert "直赔授权书" not in asked and "/" not in asked.split("http")[0]
    # Asked once: the same checklist again is refused; nothing is added.
    assert adjuster.text(f"/docs {NUMBER} owner") == ["claims.refusal.documents_already_asked"]
    assert adjuster.text(f"/settle {NUMBER} owner") == ["claims.refusal.documents_missing"]
    assert "驾驶证" in adjuster.last_text()
    assert stored(container).adjudication.settlements == []

    # An upload is kept until the owner says which item it is.
    assert owner.photos([jpeg_bytes(seed=21)]) == ["documents.pick"]
    offered = [c["value"] for c in owner.last_payload()["choices"]]
    assert offered[0] == f"dc:{NUMBER}:driving_licence" and offered[-1] == f"dc:{NUMBER}:cancel"
    assert len(offered) == 7
    assert owner.choose(f"dc:{NUMBER}:driving_licence") == ["documents.filed"]
    assert "还需要" in owner.last_text()
    adjuster.news()
    assert adjuster.last_payload()["key"] == "documents.adjuster_filed"
    assert len(adjuster.last_payload()["attachments"]) == 1
    assert owner.choose(f"dc:{NUMBER}:vehicle_licence") == [STALE_CHOICE]  # nothing kept
    # Changing one's mind keeps nothing filed.
    assert owner.photos([jpeg_bytes(seed=22)]) == ["documents.pick"]
    assert owner.choose(f"dc:{NUMBER}:cancel") == ["documents.cancelled"]
    for seed, item in enumerate(
        (Document.VEHICLE_LICENCE, Document.ID_CARD, Document.REPAIR_INVOICE), 30
    ):
        assert _file(owner, item, seed) == ["documents.filed"]
    # Two photos of the bank card, sent one after the other, filed as one item.
    assert owner.photos([jpeg_bytes(seed=40)]) == ["documents.pick"]
    assert owner.photos([jpeg_bytes(seed=41)]) == ["documents.pick"]
    assert owner.choose(f"dc:{NUMBER}:bank_card") == ["documents.filed"]

    # Bad waivers change nothing; a good one completes the checklist.
    assert adjuster.text(f"/waive {NUMBER} 99 不需要") == ["claims.usage.waive"]
    assert adjuster.text(f"/waive {NUMBER} 1 已核实") == ["claims.refusal.not_on_checklist"]
    assert adjuster.text(f"/waive {NUMBER} 4 x") == ["claims.refusal.reason_required"]
    assert documents_complete_at(stored(container)) is None
    owner.news()
    assert adjuster.text(f"/waive {NUMBER} 4 单方事故未报警，已远程查勘核实") == [
        "documents.waived"
    ]
    assert owner.news() == ["documents.owner_complete"]
    assert "已全部齐全" in owner.last_text()

    claim = stored(container)
    checklist = claim_checklist(claim)
    assert checklist is not None and checklist.missing == ()
    assert len(checklist.received[Document.BANK_CARD]) == 2
    assert checklist.waived == {Document.POLICE_FINDING: "单方事故未报警，已远程查勘核实"}
    assert checklist.complete_at == clock.now()
    # The decision clock starts from the complete documents.
    clocks = claim_clocks(clock_events(claim, checklist.complete_at), ClockRules())
    assert clocks[0].kind is ClockKind.DECISION and clocks[0].started_at == clock.now()

    assert adjuster.text(f"/settle {NUMBER} owner")[-1] == "claims.adjuster.settlement_proposed"
    assert owner.news() == ["claims.owner.settlement"]
    assert adjuster.text(f"/docs {NUMBER}") == ["documents.checklist"]
    assert "已免除" in adjuster.last_text()


def test_a_route_change_asks_again_and_keeps_what_came_in(container: Container) -> None:
    owner, adjuster = _assessed(container)
    adjuster.text(f"/docs {NUMBER} owner")
    _file(owner, Document.DRIVING_LICENCE, 50)
    owner.news()
    assert adjuster.text(f"/docs {NUMBER} shop") == ["documents.asked"]
    assert owner.news() == ["documents.owner_asked"]
    assert "直赔授权书" in owner.last_text() and "（已收到）" in owner.last_text()
    checklist = claim_checklist(stored(container))
    assert checklist is not None
    assert Document.DRIVING_LICENCE in checklist.received
    assert Document.BANK_CARD not in checklist.missing


def test_photos_without_a_checklist_are_not_taken_as_documents(container: Container) -> None:
    owner, _ = _assessed(container)
    assert owner.photos([jpeg_bytes(seed=60)]) != ["documents.pick"]
