"""Timeline notes in words: each action's compact record formatted for the viewer, and
anything not in the expected form shown as it is (the dashboard and chat share these)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from locales.catalog import Catalogs
from locales.notes import booking_note, claim_note

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(TZ)


def claim(catalogs: Catalogs, action: str, note: str, locale: str = "zh_CN") -> str:
    return claim_note(catalogs.note_words(locale), action, note)


def booking(catalogs: Catalogs, to: str, note: str, locale: str = "zh_CN") -> str:
    return booking_note(catalogs.note_words(locale), "requested", to, note)


@pytest.mark.parametrize(
    ("action", "note", "shown"),
    [
        (
            "survey",
            "onsite 2026-11-27T10:00:00+08:00 上海市浦东新区 世纪大道 100 号",
            "现场查勘 · 2026年11月27日 10:00 · 上海市浦东新区 世纪大道 100 号",
        ),
        ("survey", "onsite 2026-11-27T02:00:00+00:00", "现场查勘 · 2026年11月27日 10:00"),
        ("survey", "remote 视频连线", "远程查勘 · 视频连线"),
        ("liability", "major 70% 追尾 变道", "主责（承担 70%） · 追尾 变道"),
        ("loss", "+ part 后保险杠 总成 1200.00", "新增配件：后保险杠 总成 1,200.00 元"),
        ("loss", "- labour 钣金 300.00", "删除工时：钣金 300.00 元"),
        ("settle", "v2 owner 1950.50", "第 2 版 · 1,950.50 元 · 支付给车主"),
        ("accept", "v1", "第 1 版"),
        ("dispute", "v1 金额太低", "第 1 版 · 金额太低"),
        ("pay", "3250.50 REF-2026-001", "3,250.50 元，凭证 REF-2026-001"),
        ("evidence", "6 7", "2 个文件"),
        ("reply", "我明天 10 点有空", "我明天 10 点有空"),  # free text stays as it is
        ("survey", "somewhere else", "somewhere else"),  # not the recorded form
        ("loss", "+ wheel 轮毂 1.00", "+ wheel 轮毂 1.00"),  # unknown kind
    ],
)
def test_claim_notes(catalogs: Catalogs, action: str, note: str, shown: str) -> None:
    assert claim(catalogs, action, note) == shown


def test_claim_notes_in_english(catalogs: Catalogs) -> None:
    assert claim(catalogs, "settle", "v1 shop 3250.50", "en") == (
        "version 1 · ¥3,250.50 · paid directly to the repair shop"
    )
    assert claim(catalogs, "evidence", "6", "en") == "1 file"


@pytest.mark.parametrize(
    ("to", "note", "shown"),
    [
        ("held", "202611260530", "到店时间 2026年11月26日 13:30"),
        ("proposed", "202611270100", "到店时间 2026年11月27日 09:00"),
        ("in_repair", "2026-11-28T17:00:00+08:00", "预计完工 2026年11月28日 17:00"),
        ("paid", "insurer 3250.50", "保险公司直赔 · 3,250.50 元"),
        ("paid", "owner 0.00", "车主自付 · 0.00 元"),
        ("rated", "2", "★★"),
        ("declined", "今天满了", "今天满了"),
        ("held", "2026", "2026"),
    ],
)
def test_booking_notes(catalogs: Catalogs, to: str, note: str, shown: str) -> None:
    assert booking(catalogs, to, note) == shown


def test_a_comment_after_the_stars_is_free_text(catalogs: Catalogs) -> None:
    assert booking_note(catalogs.note_words("zh_CN"), "rated", "rated", "5") == "5"

