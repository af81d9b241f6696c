"""The dashboard's fast lane over HTTP (SQLite and PostgreSQL): a supervisor sees the
sampled automatic decisions and the issued agreements (with their links), and reopens a
decision: the pending proposal is withdrawn and the adjuster told; a second review of the
same decision finds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from domain.adjudication import ProposalOutcome
from domain.claim import ClaimStatus
from storage.db import Database
from storage.repositories.fastlane_decisions import FastLaneDecisions
from tests.dashboard.support import sign_in, token
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.quickdeal_support import NUMBER
from tests.smallclaim_support import CARD, agreed_rear_end, documents, import_prices
from tests.test_adjudication_engine import Party, invite, stored


@pytest.fixture
def container(database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url(database), media_dir=tmp_path / "media", fast_sample_percent=100
    )
    built = build(settings, clock=clock)
    import_sample(built)
    import_prices(built)
    yield built
    built.close()


def test_a_supervisor_reopens_a_sampled_decision(container: Container) -> None:
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    owner, _ = agreed_rear_end(container)
    owner.choose(f"f:go:{NUMBER}")
    owner.choose(f"f:part:{NUMBER}:rear_bumper")
    owner.choose(f"f:done:{NUMBER}")
    documents(owner)
    owner.text(CARD)
    assert owner.choose(f"f:card:{NUMBER}") == ["smallclaim.proposal"]
    adjuster.news()
    with container.database.unit_of_work() as uow:
        (decision,) = FastLaneDecisions(uow.connection).to_review()

    with serve(create_app(container)) as base, httpx.Client(base_url=base) as http:
        sign_in(http, token(container, "insurer"))
        page = http.get("/dashboard/fastlane?lang=zh_CN")
        assert page.status_code == 200
        assert f'id="decision-{decision.id}"' in page.text and "自动赔付" in page.text
        assert f"/agreements/{NUMBER}.html?sig=" in page.text
        url = f"/dashboard/fastlane/decisions/{decision.id}"
        answer = http.post(url, data={"action": "reopen"}, follow_redirects=False)
        assert answer.status_code == 303
        again = http.post(url, data={"action": "reviewed"}, follow_redirects=False)
        assert again.status_code == 404
        assert f'id="decision-{decision.id}"' not in http.get("/dashboard/fastlane").text
        shop = httpx.Client(base_url=base)
        sign_in(shop, token(container, "shop", "SHOP-PD-01"))
        assert shop.get("/dashboard/fastlane").status_code == 403

        claim = stored(container)
        assert claim.status is ClaimStatus.ASSESSED
        assert claim.adjudication.settlements[-1].outcome is ProposalOutcome.SUPERSEDED
        assert adjuster.news() == ["smallclaim.adjuster"]
        assert "重新打开" in adjuster.last_text()
        assert owner.choose(f"f:acc:{NUMBER}:1") == ["input.stale_choice"]
