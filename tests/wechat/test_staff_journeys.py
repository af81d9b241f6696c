"""Adjudication and repair booking through WeChat in safe (AES) mode: the owner, the
adjuster (pre-bound in the directory as oADJ_chenjing) and the shop's staff (oSHOP_liu),
each following the Official Account; the simulated WeChat server posts their encrypted
messages, and what each is sent is read from the fake WeChat API. No buttons: commands
are typed, choices answered by their number."""

from __future__ import annotations

import re
from pathlib import Path

from domain.booking import BookingStatus
from domain.claim import ClaimStatus
from domain.money import Money
from storage.db import Database
from tests.documents_support import complete_documents_in
from tests.media_samples import jpeg_bytes
from tests.wechat.rig import WeChatRig, wechat_rig
from tests.wechat.test_journey import OWNER, report

ADJUSTER = "oADJ_chenjing"  # examples/directory.yaml: ADJ-SH-02 陈静
STAFF = "oSHOP_liu"  # examples/directory.yaml: SHOP-XH-02 刘经理


def number_with(text: str, fragment: str) -> str:
    """The number to type for the first numbered choice of ``text`` containing ``fragment``."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\d+)\. (.+)", line.strip())
        if match and fragment in match.group(2):
            return match.group(1)
    raise AssertionError(f"no choice with {fragment!r} in {text!r}")


class Follower:
    """One user of the Official Account, read from where the test left off."""

    def __init__(self, rig: WeChatRig, openid: str) -> None:
        self.rig = rig
        self.openid = openid
        self.seen = len(rig.api.texts(openid))

    def news(self) -> list[str]:
        self.rig.settle()
        texts = self.rig.api.texts(self.openid)
        fresh, self.seen = texts[self.seen :], len(texts)
        return fresh

    def say(self, text: str) -> list[str]:
        response = self.rig.wechat.text(self.openid, text)
        assert response.status_code == 200 and response.text == "success", response.text
        return self.news()

    def pick(self, text: str, fragment: str) -> list[str]:
        return self.say(number_with(text, fragment))


def test_adjudication_and_repair_booking_through_wechat(
    database: Database, tmp_path: Path
) -> None:
    # On the wall clock the first free slot may be a day away: arrival is allowed early.
    early = {"booking_arrival_window_hours": 24 * 30}
    with wechat_rig(database, tmp_path / "media", mode="safe", **early) as rig:
        adjuster, staff = Follower(rig, ADJUSTER), Follower(rig, STAFF)
        # Staff open their day in the account (which opens their customer-service window).
        assert adjuster.say("/cases")[0].startswith("我的在办案件：无")
        assert "目前没有进行中的预约" in staff.say("/bookings")[0]

        number = report(rig)
        owner = Follower(rig, OWNER)

        # The handoff card: its text (with the take choice numbered), then the photos as
        # image messages; the video stays on the dashboard, as the text says.
        card = adjuster.news()
        assert len(card) == 1 and number in card[0] and "1. " in card[0]
        assert "1 段视频未在微信中发送" in card[0]
        assert rig.api.kinds(ADJUSTER)[-4:] == ["text", "image", "image", "image"]
        assert rig.api.images(ADJUSTER) == [jpeg_bytes(seed=n) for n in range(3)]

        took = adjuster.pick(card[0], f"接案 {number}")  # the card's choice, by number
        assert took[0].startswith(f"您已接案 {number}")
        adjuster.say(f"/survey {number} remote")
        adjuster.say(f"/liability {number} 全责 追尾")
        adjuster.say(f"/loss {number} part 后保险杠 1200.00")
        adjuster.say(f"/loss {number} labour 拆装工时 300")
        complete_documents_in(database, number, "owner")
        proposed = adjuster.say(f"/settle {number} owner")
        assert "1,500.00" in proposed[0]

        # Four notices in a row (taken, survey, liability, the proposal, which carries the
        # loss items) fit the owner's window after the report: no progress template.
        told = owner.news()
        assert told[0].startswith(f"您的报案 {number} 已由理赔员 陈静 受理")
        assert len(told) == 4 and rig.api.templates_for(OWNER) == []
        assert "1,500.00" in told[-1] and "拆装工时" in told[-1]
        accepted = owner.say(f"/accept {number}")  # as the proposal says
        assert accepted[0].startswith(f"您已接受案件 {number} 的方案")
        assert "车主已接受" in adjuster.news()[0]
        adjuster.say(f"/paid {number} 1500.00 REF-WX-0001")
        assert "1,500.00 元已支付" in owner.news()[0]

        # The repair, by numbers: the claim, the shop whose staff is on WeChat, a slot.
        purpose = owner.say("/book")
        shops = owner.pick(purpose[-1], number)
        slots = owner.pick(shops[-1], "徐汇诚信车服")
        assert "可预约的时间" in slots[0]
        review = owner.say("1")  # the earliest slot
        requested = owner.pick(review[-1], "提交预约")
        assert requested[0].startswith("已为您提交预约")

        card = staff.news()
        assert len(card) == 1 and number in card[0]
        ref = re.search(r"【新预约 (#\d+)】", card[0])
        assert ref is not None
        confirmed = staff.pick(card[0], f"确认 {ref.group(1)}")  # the card's choice
        assert any("保险单" in text for text in owner.news())
        arrived = staff.pick(confirmed[-1], "车辆已到店")
        estimate = staff.pick(arrived[-1], "开始维修")
        quote = staff.say("1")  # the first quick estimate
        assert "报价" in quote[0]
        in_repair = staff.say("1480")
        assert "开始维修" in in_repair[0]
        final = staff.pick(in_repair[-1], "已完工")
        staff.pick(final[-1], "按报价")
        ready = owner.news()
        assert "已完成维修并质检" in ready[-1]

        accepted_repair = owner.pick(ready[-1], "验收通过")  # the notice's choice
        asked = owner.pick(accepted_repair[-1], "我已付款")
        rating = owner.say("1480.00")
        assert "最终金额是 1,480.00 元" in asked[0] and "请为本次服务打分" in rating[0]
        comment = owner.pick(rating[-1], "★★★★★")
        owner.pick(comment[-1], "不写了")
        assert any("1,480.00" in text for text in staff.news())
        assert "预计什么时候完工" in estimate[0]

        booking_id = int(ref.group(1).lstrip("#"))
        with rig.container.database.unit_of_work() as uow:
            claim = uow.claims.get(number)
            booking = uow.bookings.get(booking_id)
        assert claim is not None and booking is not None
        assert claim.status is ClaimStatus.PAID
        assert booking.claim_number == number
        assert booking.status is BookingStatus.RATED
        assert booking.paid == Money.from_yuan("1480.00")
        assert booking.rating == 5
        for openid in (OWNER, ADJUSTER, STAFF):
            assert set(rig.outbox_statuses(openid)) == {"sent"}, openid
