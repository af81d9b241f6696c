"""A paged adjuster on WeChat takes a claim by replying with the number of the card's
choice: the card was sent from the owner's turn, not as an answer in the adjuster's own
conversation. The owner reports on the web channel through the same engine."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from tests.engine_harness import Owner
from tests.media_samples import jpeg_bytes
from tests.wechat.rig import number_of, wechat_rig

ADJUSTER = "oADJ_chenjing"  # ADJ-SH-02, pre-bound to WeChat by the sample directory


def test_a_paged_adjuster_takes_the_claim_by_replying_with_its_number(
    database: Database, tmp_path: Path
) -> None:
    with wechat_rig(database, tmp_path / "media") as rig:
        help_text = rig.say(ADJUSTER, "/help")  # the adjuster's own turn comes first
        assert "/cases" in help_text[0]

        owner = Owner(rig.container, user_id="owner-web-0001")
        owner.report_until_photos()
        owner.photos([jpeg_bytes(seed=n) for n in range(3)])
        assert owner.choose("r:summary:confirm") == ["report.filed"]
        with rig.container.database.unit_of_work() as uow:
            (claim,) = uow.claims.for_owner(uow.parties.resolve("web", owner.user_id).id)
        rig.settle()

        card = rig.api.texts(ADJUSTER)[-1]
        assert card.startswith(f"新报案 {claim.number}")
        take = rig.container.catalogs.render(
            "zh_CN", "claims.choice.take", {"number": claim.number}
        )
        answer = rig.say(ADJUSTER, number_of(card, take))
        assert answer[0].startswith(f"您已接案 {claim.number}")

        with rig.container.database.unit_of_work() as uow:
            taken = uow.claims.get(claim.number)
            assert taken is not None and taken.adjuster_id is not None
            adjuster = uow.staff.adjuster(taken.adjuster_id)
        assert adjuster is not None and adjuster.code == "ADJ-SH-02"
