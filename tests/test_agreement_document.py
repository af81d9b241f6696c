"""The agreement (协议书) as HTML and PDF; the PDF is read back by text extraction."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.agreement.render import AgreementRenderer, PdfFontMissing, find_cjk_font
from bot.agreement.view import agreement_view
from domain.accident_situations import (
    AccidentParty,
    Disagreement,
    Pick,
    Situation,
    liability_of,
)
from domain.agreement import (
    Agreement,
    AgreementIncomplete,
    AgreementParty,
    AgreementPhoto,
    Confirmation,
    draw_up,
)
from locales.catalog import Catalogs
from storage.media.store import MediaStore
from tests.scene_images import scene_jpeg

CATALOGS = Catalogs(ZoneInfo("Asia/Shanghai"))
ACCIDENT = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
A, B = AccidentParty.A, AccidentParty.B


def _agreement(photos: list[AgreementPhoto], *, b_confirmed: bool = True) -> Agreement:
    return Agreement(
        number="BA2026112500001",
        accident_at=ACCIDENT,
        place="上海市黄浦区人民大道 200 号",
        description="等红灯时被后车追尾，后保险杠凹陷 <b>",
        liability=liability_of(Situation.REAR_END, B),  # B was the car behind
        parties=(
            AgreementParty(
                A,
                "张伟",
                "13800138001",
                "沪A12345",
                "大众 帕萨特",
                "平安产险",
                "PDAA20260001",
                Confirmation(ACCIDENT + timedelta(minutes=20), "wechat"),
            ),
            AgreementParty(
                B,
                "李娜",
                "13900139002",
                "沪B67890",
                "丰田 凯美瑞",
                "人保财险",
                None,
                Confirmation(ACCIDENT + timedelta(minutes=24), "web") if b_confirmed else None,
            ),
        ),
        photos=photos,
    )


@pytest.fixture
def photo_files(tmp_path: Path) -> dict[int, Path]:
    store = MediaStore(tmp_path / "media")
    files = {}
    for media_id, scene in ((1, 1), (2, 2), (3, 3), (4, 4)):
        stored = store.save(scene_jpeg(scene, taken_at=ACCIDENT, gps=(31.2304, 121.4737)))
        files[media_id] = store.open(stored.relative_path)
    return files


def _photos() -> list[AgreementPhoto]:
    return [
        AgreementPhoto(1, A, ACCIDENT + timedelta(minutes=2)),
        AgreementPhoto(2, A, None),
        AgreementPhoto(3, B, ACCIDENT + timedelta(minutes=5)),
        AgreementPhoto(4, B, None),
    ]


@pytest.fixture
def renderer() -> AgreementRenderer:
    """The PDF needs a CJK font: .ci/run installs fonts-noto-cjk; elsewhere, without one,
    the PDF tests are skipped with the reason (and fail under CI)."""
    try:
        find_cjk_font(None)
    except PdfFontMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"a CJK font is required in CI: {exc}", pytrace=False)
        pytest.skip(str(exc))
    return AgreementRenderer()


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    # pypdf reads the CJK font's code-to-CID map as if each glyph had a NUL before it, and
    # spaces glyphs out: both are dropped before comparing.
    return re.sub(r"[\s\x00]+", "", text)


def test_the_pdf_names_both_parties_and_the_liability(
    renderer: AgreementRenderer, photo_files: dict[int, Path]
) -> None:
    view = agreement_view(_agreement(_photos()), "zh_CN", CATALOGS)
    pdf = renderer.pdf(view, photo_files)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        "机动车交通事故快速处理协议书",
        "BA2026112500001",
        "张伟",
        "李娜",
        "沪A12345",
        "沪B67890",
        "平安产险",
        "人保财险",
        "追尾（后车全责）",
        "甲方无责0%",
        "乙方全责100%",
        "甲方已于2026年11月25日09:50通过微信确认",
        "乙方已于2026年11月25日09:54通过网页确认",
    ):
        assert expected in text, expected
    assert "13800138001" not in text and "138****8001" in text
    reader = PdfReader(io.BytesIO(pdf))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 4
    assert all(b"Exif" not in image.data[:200] for image in images)  # no GPS handed over


def test_the_pdf_in_english(renderer: AgreementRenderer, photo_files: dict[int, Path]) -> None:
    view = agreement_view(_agreement(_photos()[:1]), "en", CATALOGS)
    text = _text(renderer.pdf(view, photo_files))
    assert "MotorAccidentQuickSettlementAgreement" in text
    assert "PartyBfullliability100%" in text and "Rear-endcollision" in text
    assert "confirmedon2026-11-2509:54viatheweb" in text


def test_the_html_page_is_escaped_and_links_the_photos() -> None:
    view = agreement_view(_agreement(_photos()), "zh_CN", CATALOGS)
    page = AgreementRenderer().html(view, {1: "/media/one?sig=abc", 3: "/media/three?sig=def"})
    assert '<html lang="zh-CN">' in page
    assert "张伟" in page and "李娜" in page and "乙方" in page
    assert "后保险杠凹陷 &lt;b&gt;" in page
    assert 'src="/media/one?sig=abc"' in page and 'src="/media/three?sig=def"' in page
    assert page.count("<figure>") == 4  # a photo without a link keeps its caption


def test_an_unconfirmed_agreement_says_so_and_has_no_issue_time() -> None:
    agreement = _agreement([], b_confirmed=False)
    assert not agreement.confirmed
    with pytest.raises(AgreementIncomplete):
        _ = agreement.issued_at


def test_a_configured_font_must_exist(tmp_path: Path) -> None:
    with pytest.raises(PdfFontMissing):
        find_cjk_font(tmp_path / "missing.ttf")
    renderer = AgreementRenderer(tmp_path / "missing.ttf")  # the HTML page needs no font
    view = agreement_view(_agreement([]), "en", CATALOGS)
    assert "Quick Settlement Agreement" in renderer.html(view, {})
    with pytest.raises(PdfFontMissing):
        renderer.pdf(view, {})


def test_drawn_up_from_the_drivers_picks_or_not_at_all() -> None:
    template = _agreement([])
    args = (template.number, ACCIDENT, template.place, template.description)
    agreed = draw_up(
        *args,
        (Pick(A, Situation.REAR_END, B), Pick(B, Situation.REAR_END, B)),
        template.parties,
        [],
    )
    assert isinstance(agreed, Agreement) and agreed.liability == template.liability
    assert agreed.confirmed and agreed.issued_at == ACCIDENT + timedelta(minutes=24)
    differ = draw_up(
        *args,
        (Pick(A, Situation.REAR_END, B), Pick(B, Situation.LANE_CHANGE, A)),
        template.parties,
        [],
    )
    assert differ is Disagreement.SITUATION
