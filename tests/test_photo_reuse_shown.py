"""A photo used in another claim is flagged where the adjuster looks (by perceptual hash,
the fast lane's PHOTO_REUSED signal): on the handoff card, on /case and on the dashboard
claim page, next to the photo's own check. A shop looking at the claim is not told."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from tests.dashboard.support import sign_in, token
from tests.live_server import serve
from tests.scene_images import resized_copy, scene_jpeg
from tests.test_adjudication_engine import NUMBER, Party, invite

SECOND = "BA2026112500002"


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def file_claim(owner: Party, photos: list[bytes]) -> None:
    owner.report_until_photos()
    owner.photos(photos)
    assert owner.choose("r:summary:confirm")[0] == "report.filed"


def two_claims_sharing_a_photo(container: Container) -> Party:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    first = [scene_jpeg(n) for n in (1, 2, 3)]
    file_claim(owner, first)
    adjuster.news()
    # The second claim's overview photo is the first claim's, resized (another file).
    file_claim(owner, [resized_copy(first[0]), scene_jpeg(5), scene_jpeg(6)])
    return adjuster


def test_the_handoff_card_and_case_name_the_other_claim(container: Container) -> None:
    adjuster = two_claims_sharing_a_photo(container)
    assert adjuster.news() == ["claims.handoff.card"]
    card = adjuster.last_text()
    assert f"1. 全景照：无拍摄信息，⚠ 同一照片也出现在案件 {NUMBER}" in card
    assert "2. " in card and card.count("同一照片") == 1
    adjuster.choose(f"c:take:{SECOND}")
    adjuster.text(f"/case {SECOND}")
    assert f"⚠ 同一照片也出现在案件 {NUMBER}" in adjuster.last_text()
    adjuster.text(f"/case {NUMBER}")  # and the other way round
    assert f"⚠ 同一照片也出现在案件 {SECOND}" in adjuster.last_text()


def test_the_dashboard_claim_page_names_the_other_claim(
    container: Container, http: httpx.Client
) -> None:
    two_claims_sharing_a_photo(container)
    sign_in(http, token(container, "insurer"))
    page = http.get(f"/dashboard/claims/{SECOND}").text
    assert f"全景照：无拍摄信息，⚠ 同一照片也出现在案件 {NUMBER}" in page


def test_in_english_too(container: Container) -> None:
    owner = Party(container, "owner-web-0001")
    adjuster = Party(container, "adjuster-web-0001", hint="en")
    adjuster.text(f"/bind {invite(container, 'ADJ-SH-01')}")
    first = [scene_jpeg(n) for n in (1, 2, 3)]
    file_claim(owner, first)
    file_claim(owner, [first[0], scene_jpeg(5), scene_jpeg(6)])  # the very same file
    adjuster.text(f"/case {SECOND}")
    assert f"the same photo is also in claim {NUMBER}" in adjuster.last_text()
