"""What the owner gave is shown to those who need it: witnesses, the other vehicle and the
per-photo check on the handoff card, the adjuster's /case, the dashboard and the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.dashboard.support import sign_in, token
from tests.live_server import serve
from tests.media_samples import jpeg_bytes
from tests.test_adjudication_engine import NUMBER, Party, invite

FAR_AWAY = (39.9042, 116.4074)  # Beijing; the report is in Shanghai
WITNESS = "张伟 13800138000"


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def filed(container: Container) -> tuple[Party, Party]:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    adjuster.news()
    owner.report_until_photos_described("等红灯时被沪B 67890追尾，后保险杠受损")
    owner.choose("r:injuries:all_fine")
    owner.text(WITNESS)
    earlier = container.clock.now() - timedelta(days=30)
    owner.photos(
        [jpeg_bytes(seed=1, taken_at=earlier, gps=FAR_AWAY), jpeg_bytes(seed=2), jpeg_bytes(seed=3)]
    )
    assert owner.choose("r:summary:confirm")[0] == "report.filed"  # then the 快处快赔 offer
    return owner, adjuster


def test_the_handoff_card_and_case_show_witnesses_other_vehicle_and_photo_checks(
    container: Container,
) -> None:
    _, adjuster = filed(container)
    assert adjuster.news() == ["claims.handoff.card"]
    card = adjuster.last_text()
    assert f"目击者：{WITNESS}" in card
    assert "对方车辆：沪B6**90" in card  # plates masked in staff cards
    assert "1. 全景照：" in card and "距报案地点 1067" in card
    adjuster.choose(f"c:take:{NUMBER}")
    adjuster.text(f"/case {NUMBER}")
    case = adjuster.last_text()
    assert f"目击者：{WITNESS}" in case
    assert "1. 全景照：" in case and "距报案地点 1067" in case


def test_the_dashboard_and_the_api_show_witnesses_and_photo_checks(
    container: Container, http: httpx.Client
) -> None:
    filed(container)
    raw = token(container, "insurer")
    detail = http.get(f"/api/claims/{NUMBER}", headers={"Authorization": f"Bearer {raw}"})
    assert detail.status_code == 200
    body = detail.json()
    assert body["witnesses"] == WITNESS
    assert body["evidence"][0]["distance_km"] > 1000
    sign_in(http, raw)
    page = http.get(f"/dashboard/claims/{NUMBER}").text
    assert WITNESS in page
    assert "全景照：⚠ 不一致" in page and "距报案地点 1067" in page
