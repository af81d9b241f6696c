"""Adjudication end to end over HTTP: an owner and an adjuster in two browsers on the
web chat, from the report to the payment; the claim photos at signed, party-checked URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.bootstrap import Container
from bot.web.app import create_app
from domain.services import create_invite
from domain.staff import StaffRole
from storage.db import Database
from tests.documents_support import complete_documents_in
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.media_samples import jpeg_bytes
from tests.web_chat_client import ChatBrowser

NUMBER = "BA2026112500001"


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(built)
    yield built
    built.close()


@pytest.fixture
def base(container: Container) -> Iterator[str]:
    with serve(create_app(container)) as url:
        yield url


class Browser(ChatBrowser):
    def upload_photos(self, images: list[bytes]) -> list[dict[str, Any]]:
        return self.upload([(f"p{n}.jpg", data, "image/jpeg") for n, data in enumerate(images)])


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


def report(owner: Browser) -> None:
    owner.say("报案")
    for step in (
        {"text": "沪A12345"},
        {"text": "8001"},
        {"kind": "choice", "value": "r:time:now"},
        {"kind": "location", "lat": 31.2304, "lon": 121.4737},
        {"text": "倒车时后保险杠受损"},
        {"kind": "choice", "value": "r:injuries:no"},
        {"kind": "choice", "value": "r:drivable:yes"},
        {"kind": "choice", "value": "r:has_other:none"},
        {"kind": "choice", "value": "r:witnesses:skip"},
    ):
        owner.say(**step)
    owner.upload_photos([jpeg_bytes(seed=n) for n in range(3)])  # then the summary by itself
    filed = owner.tap("r:summary:confirm")
    assert f"报案号：{NUMBER}" in filed[0]["text"]


def test_two_browsers_carry_a_claim_to_payment(container: Container, base: str) -> None:
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow, role=StaffRole.ADJUSTER, name="王建国", now=container.clock.now(), region="上海"
        )
        uow.commit()
    owner, adjuster, stranger = Browser(base), Browser(base), Browser(base)
    stranger.say("/help")
    assert "绑定成功" in adjuster.say(f"/bind {code}")[0]["text"]

    report(owner)
    card = adjuster.poll()[-1]
    assert card["text"].startswith("新报案 " + NUMBER)
    assert [c["value"] for c in card["choices"]] == [f"c:take:{NUMBER}"]
    assert len(card["attachments"]) == 3 and card["attachments"][0]["kind"] == "photo"
    photo_url = card["attachments"][0]["url"]
    photo = adjuster.http.get(photo_url)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    media_path = photo_url.split("?")[0]  # without its signature: by session only
    assert owner.http.get(media_path).status_code == 200
    assert stranger.http.get(media_path).status_code == 404
    assert httpx.get(base + media_path).status_code == 404
    assert adjuster.http.get("/chat/media/99999").status_code == 404

    assert "您已接案" in adjuster.tap(f"c:take:{NUMBER}")[0]["text"]
    assert "已由理赔员 王建国 受理" in owner.poll()[-1]["text"]
    adjuster.say(f"/survey {NUMBER} remote")
    adjuster.say(f"/ask {NUMBER} 请补拍后保险杠近照")
    assert "请补拍后保险杠近照" in owner.poll()[-1]["text"]
    assert "已附到案件" in owner.upload_photos([jpeg_bytes(seed=7)])[0]["text"]
    forwarded = adjuster.poll()[-1]
    assert "补充了 1 张照片" in forwarded["text"] and len(forwarded["attachments"]) == 1

    adjuster.say(f"/liability {NUMBER} 全责")
    adjuster.say(f"/loss {NUMBER} part 后保险杠 1200.00")
    assert "金额「-3」不对" in adjuster.say(f"/loss {NUMBER} paint 喷漆 -3")[0]["text"]
    complete_documents_in(container, NUMBER, "owner")
    adjuster.say(f"/settle {NUMBER} owner")
    proposal = owner.poll()[-1]
    assert "本公司赔付：1,200.00 元" in proposal["text"]
    labels = [c["label"] for c in proposal["choices"]]
    assert labels == ["接受方案", "有异议"]

    assert "请说明" in owner.tap(f"c:dis:{NUMBER}:1")[0]["text"]
    owner.say("这个车型的保险杠更贵")
    assert "提出异议：这个车型的保险杠更贵" in adjuster.poll()[-1]["text"]
    adjuster.say(f"/loss {NUMBER} labour 拆装 200")
    complete_documents_in(container, NUMBER, "owner")
    adjuster.say(f"/settle {NUMBER} owner")
    revised = owner.poll()[-1]["text"]
    assert "第 2 版" in revised and "2. 工时 拆装：200.00 元" in revised
    assert "过期" in owner.tap(f"c:acc:{NUMBER}:1")[0]["text"]
    assert "您已接受" in owner.tap(f"c:acc:{NUMBER}:2")[0]["text"]
    assert "车主已接受" in adjuster.poll()[-1]["text"]
    assert "不一致" in adjuster.say(f"/paid {NUMBER} 1 REF-1")[0]["text"]
    assert "已结案" in adjuster.say(f"/paid {NUMBER} 1400.00 REF-2026-0001")[0]["text"]
    assert "理赔款 1,400.00 元已支付" in owner.poll()[-1]["text"]
    assert "已赔付结案" in owner.say("/status")[0]["text"]
    assert "该命令仅限理赔员使用" in stranger.say(f"/take {NUMBER}")[0]["text"]
