"""快处快赔 through the real engine and storage (SQLite and PostgreSQL): the owner invites
the other driver, both pick what happened and confirm, and the agreement is issued and
recorded on the claim; or the case goes to an adjuster. Bad input changes nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.agreement.render import PdfFontMissing, find_cjk_font
from bot.bootstrap import Container, build
from bot.settings import Settings
from domain.adjudication import Liability
from domain.quick_deal import DealState, QuickDeal
from storage.db import Database
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.media_samples import jpeg_bytes
from tests.quickdeal_support import (
    NUMBER,
    OTHER_PHONE,
    OTHER_PLATE,
    invite,
    join_with_details,
    last_payload,
    report_two_cars,
)
from tests.test_adjudication_engine import Party, outbox, stored, text
from tests.test_adjudication_engine import invite as staff_invite


def deal(container: Container) -> QuickDeal:
    with container.database.unit_of_work() as uow:
        found = uow.quick_deals.for_claim_for_update(NUMBER)
    assert found is not None
    return found


def pdf_text(container: Container, url: str) -> str:
    parsed = urlparse(url)
    number, kind = parsed.path.rsplit("/", 1)[1].split(".")
    assert container.agreements is not None
    data = container.agreements.read(number, kind, parse_qs(parsed.query)["sig"][0])
    assert data is not None and data.startswith(b"%PDF")
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[\s\x00]+", "", text)  # fpdf2's CJK text extracts with NULs between


def drivers(container: Container) -> tuple[Party, Party]:
    owner = Party(container, "owner-web-0001")
    other = Party(container, "other-web-0002")
    assert report_two_cars(owner) == ["report.filed", "quickdeal.offer"]
    return owner, other


def test_both_drivers_agree_and_the_agreement_is_issued(container: Container) -> None:
    try:
        find_cjk_font(container.settings.pdf_font)
    except PdfFontMissing as missing:
        pytest.skip(str(missing))
    owner, other = drivers(container)
    code = invite(container, owner)
    invitation = last_payload(container, owner, "quickdeal.invitation")
    assert invitation["params"]["url"].endswith(f"/chat?join={code}")
    (qr_id,) = invitation["attachments"]
    with container.database.unit_of_work() as uow:
        qr = uow.media.get(qr_id)
    assert qr is not None and qr.mime == "image/png"
    with Image.open(container.media.open(qr.relative_path)) as image:
        assert image.width >= 200 and image.width == image.height
    owner.news()

    ready = join_with_details(other, code)
    assert ready == ["quickdeal.facts", "quickdeal.pick"]
    facts = last_payload(container, other, "quickdeal.facts")
    assert len(facts["attachments"]) == 3  # the owner's photos
    assert owner.news() == ["quickdeal.owner.joined", "quickdeal.owner.details", "quickdeal.pick"]
    assert other.photos([jpeg_bytes(seed=9)]) == ["quickdeal.photos_added"]

    assert owner.choose(f"q:sit:{NUMBER}:rear_end") == ["quickdeal.which_car"]
    assert owner.choose(f"q:car:{NUMBER}:rear_end.b") == ["quickdeal.picked_wait"]
    assert other.choose(f"q:sit:{NUMBER}:rear_end") == ["quickdeal.which_car"]
    assert other.choose(f"q:car:{NUMBER}:rear_end.b") == ["quickdeal.confirm"]
    assert owner.choose(f"q:ok:{NUMBER}") == ["quickdeal.confirmed_wait"]
    assert other.choose(f"q:ok:{NUMBER}") == ["quickdeal.issued"]
    assert owner.news()[-1] == "quickdeal.issued"

    claim = stored(container)
    finding = claim.adjudication.liability
    assert finding is not None
    assert (finding.grade, finding.share) == (Liability.NONE, 0)
    assert f"source=agreement {NUMBER}" in finding.note and "b=100%" in finding.note
    assert claim.report.other_vehicles is not None
    assert claim.report.other_vehicles[0].plate == OTHER_PLATE
    assert deal(container).state is DealState.AGREED

    issued = last_payload(container, other, "quickdeal.issued")["params"]
    text = pdf_text(container, issued["pdf_url"])
    assert "追尾" in text and "沪B" in text and "人保财险" in text
    assert OTHER_PHONE not in text  # masked
    assert "web" in text or "网页" in text
    assert "乙方" in other.last_text()


def test_picks_that_differ_go_to_an_adjuster(container: Container) -> None:
    adjuster = Party(container, "adjuster-web-0001")
    adjuster.text(f"/bind {staff_invite(container, 'ADJ-SH-01')}")
    owner, other = drivers(container)
    adjuster.news()
    join_with_details(other, invite(container, owner))
    owner.choose(f"q:sit:{NUMBER}:rear_end")
    owner.choose(f"q:car:{NUMBER}:rear_end.b")
    assert other.choose(f"q:sit:{NUMBER}:both_at_fault") == ["fastlane.disagreement.situation"]
    assert owner.news()[-1] == "fastlane.disagreement.situation"
    assert "122" in owner.last_text() and "122" in other.last_text()
    assert adjuster.news() == ["quickdeal.adjuster"]
    assert "事故情形不同" in adjuster.last_text()
    assert deal(container).state is DealState.ADJUSTER
    assert stored(container).adjudication.liability is None
    # the case is closed to both: a late tap changes nothing
    assert owner.choose(f"q:ok:{NUMBER}") == ["input.stale_choice"]


def test_a_driver_who_does_not_agree_sends_the_case_to_an_adjuster(
    container: Container,
) -> None:
    owner, other = drivers(container)
    join_with_details(other, invite(container, owner))
    owner.choose(f"q:sit:{NUMBER}:lane_change")
    owner.choose(f"q:car:{NUMBER}:lane_change.b")
    other.choose(f"q:sit:{NUMBER}:lane_change")
    other.choose(f"q:car:{NUMBER}:lane_change.b")
    assert other.choose(f"q:no:{NUMBER}") == ["quickdeal.declined"]
    assert "对方不同意" in owner.last_text() and "122" in owner.last_text()
    assert deal(container).state is DealState.ADJUSTER
    assert stored(container).adjudication.liability is None


def test_codes_that_do_not_let_anyone_in(container: Container, clock: FixedClock) -> None:
    owner, other = drivers(container)
    code = invite(container, owner)
    assert other.text("快处 ABCDEFGH") == ["quickdeal.join.unknown"]
    assert other.text("/join") == ["quickdeal.join.usage"]
    assert owner.text(f"快处 {code}") == ["quickdeal.join.same_person"]
    assert deal(container).other_id is None

    join_with_details(other, code)
    joined = deal(container).other_id
    third = Party(container, "third-web-0003")
    assert third.text(f"/join {code}") == ["quickdeal.join.used"]
    assert third.text(f"快处 {code}") == ["quickdeal.join.used"]
    assert deal(container).other_id == joined  # still the driver who joined first
    assert other.text(f"快处 {code}") == ["quickdeal.join.already_in"]


def test_an_invitation_nobody_uses_in_time_expires(container: Container, clock: FixedClock) -> None:
    owner, other = drivers(container)
    code = invite(container, owner)
    owner.news()
    clock.advance(timedelta(minutes=121))
    assert other.text(f"快处 {code}") == ["quickdeal.join.expired"]
    assert owner.news() == ["quickdeal.owner.expired"]
    assert other.text(f"快处 {code}") == ["quickdeal.join.expired"]
    assert owner.news() == []  # told once
    assert deal(container).state is DealState.EXPIRED
    fresh = invite(container, owner)  # a new invitation replaces the expired one
    assert fresh != code
    assert join_with_details(other, fresh) == ["quickdeal.facts", "quickdeal.pick"]


def test_the_other_driver_cannot_be_the_owner_by_phone_or_plate(container: Container) -> None:
    owner, _ = drivers(container)
    other = Party(container, "other-web-0042", hint="en-GB")  # answered in English
    assert other.text(f"快处 {invite(container, owner)}")[0] == "quickdeal.joined"
    assert other.last_text() == "Please send your plate number, e.g. 沪B67890."
    assert other.text("沪A12345") == ["quickdeal.error.same_plate", "quickdeal.ask.plate"]
    assert other.text(OTHER_PLATE) == ["quickdeal.ask.phone"]
    assert other.text("138 0013 8001") == ["quickdeal.error.same_phone", "quickdeal.ask.phone"]
    assert other.text("12345") == ["quickdeal.error.phone", "quickdeal.ask.phone"]
    assert "not a mobile number" in text_of(container, other, -2)
    assert deal(container).driver.phone == ""


def test_without_a_pdf_font_the_agreement_is_still_issued_as_a_page(
    database: Database, tmp_path: Path, clock: FixedClock
) -> None:
    settings = Settings(
        database_url=database_url(database),
        media_dir=tmp_path / "media",
        pdf_font=tmp_path / "no-such-font.ttf",
    )
    built = build(settings, clock=clock)
    try:
        import_sample(built)
        owner, other = drivers(built)
        join_with_details(other, invite(built, owner))
        for driver in (owner, other):
            driver.choose(f"q:sit:{NUMBER}:both_at_fault")
        owner.choose(f"q:ok:{NUMBER}")
        assert other.choose(f"q:ok:{NUMBER}") == ["quickdeal.issued"]
        issued = last_payload(built, other, "quickdeal.issued")["params"]
        assert issued["pdf_url"] == "" and "/agreements/" in issued["html_url"]
        assert "PDF" not in other.last_text() and "打印版" in other.last_text()
        finding = stored(built).adjudication.liability
        assert finding is not None and (finding.grade, finding.share) == (Liability.EQUAL, 50)
    finally:
        built.close()


def test_a_driver_who_leaves_before_the_details_can_be_invited_again(
    container: Container,
) -> None:
    owner, other = drivers(container)
    code = invite(container, owner)
    assert other.text(f"快处 {code}")[0] == "quickdeal.joined"
    assert other.text("/cancel") == ["quickdeal.left"]
    assert other.text(OTHER_PLATE) != ["quickdeal.ask.phone"]  # out of the case
    fresh = invite(container, owner)
    assert other.text(f"快处 {code}") == ["quickdeal.join.unknown"]  # the old code is gone
    assert join_with_details(other, fresh) == ["quickdeal.facts", "quickdeal.pick"]
    # once the case is under way, it is not replaced
    assert owner.choose(f"q:inv:{NUMBER}") == ["quickdeal.already"]


def text_of(container: Container, party: Party, index: int) -> str:
    return text(container, outbox(container, party.user_id)[index])
