"""Voice messages with WeChat's speech recognition on: the recognised text is the owner's
text; a voice message with nothing recognised gets the answer for unsupported messages.
Posted signed and AES-encrypted (safe mode) to the real callback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from messages.inbound import Inbound, InboundKind
from storage.db import Database
from tests.wechat.rig import WeChatRig, wechat_rig

SPEAKER = "oVOICE_speaker_000000000001"
TYPIST = "oVOICE_typist_0000000000001"


@pytest.fixture
def rig(sqlite_database: Database, tmp_path: Path) -> Iterator[WeChatRig]:
    with wechat_rig(sqlite_database, tmp_path / "media", mode="safe") as running:
        yield running


@pytest.fixture
def heard(rig: WeChatRig, monkeypatch: pytest.MonkeyPatch) -> list[Inbound]:
    """Every Inbound the engine is given, passed on unchanged."""
    seen: list[Inbound] = []
    process = rig.container.engine.process

    def recording(inbound: Inbound) -> None:
        seen.append(inbound)
        process(inbound)

    monkeypatch.setattr(rig.container.engine, "process", recording)
    return seen


def spoken(rig: WeChatRig, recognition: str | None) -> list[str]:
    before = len(rig.api.texts(SPEAKER))
    response = rig.wechat.voice(SPEAKER, recognition)
    assert response.status_code == 200 and response.text == "success", response.text
    rig.settle()
    return rig.api.texts(SPEAKER)[before:]


@pytest.mark.parametrize("words", ["撞车了", "查进度"])
def test_recognised_speech_is_answered_as_the_same_words_typed(
    rig: WeChatRig, heard: list[Inbound], words: str
) -> None:
    answers = spoken(rig, words)
    assert answers and answers == rig.say(TYPIST, words)
    voice = next(inbound for inbound in heard if inbound.user_id == SPEAKER)
    assert voice.kind is InboundKind.TEXT and voice.text == words
    assert voice.payload == {"voice": True, "media_id": "voice-1"}
    typed = next(inbound for inbound in heard if inbound.user_id == TYPIST)
    assert "voice" not in typed.payload


def test_speech_starts_a_report(rig: WeChatRig) -> None:
    assert "车牌" in spoken(rig, "撞车了")[-1]


@pytest.mark.parametrize("recognition", [None, "", "  "])
def test_voice_without_recognised_text_gets_the_unsupported_answer(
    rig: WeChatRig, heard: list[Inbound], recognition: str | None
) -> None:
    answers = spoken(rig, recognition)
    assert answers[0] == rig.container.catalogs.render("zh_CN", "input.unsupported")
    assert [inbound.kind for inbound in heard] == [InboundKind.UNSUPPORTED]


def test_unrecognised_voice_in_a_report_leaves_the_question_open(rig: WeChatRig) -> None:
    question = spoken(rig, "被追尾了")[-1]
    assert "车牌" in question
    answers = spoken(rig, None)
    assert answers[0] == rig.container.catalogs.render("zh_CN", "input.unsupported")
    answers = spoken(rig, "沪A12345")  # the plate, spoken
    assert "车牌" not in answers[-1] and answers[-1] != question
