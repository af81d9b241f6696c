"""Adjudication and repair booking through Telegram (webhook mode): three Telegram users,
the owner, the adjuster (pre-bound in the directory as 900001) and the shop's staff
(pre-bound as 900101), each in their own chat with the bot, acting on what the fake Bot
API delivered to them."""

from __future__ import annotations

import re
from pathlib import Path

from domain.booking import BookingStatus
from domain.claim import ClaimStatus
from domain.money import Money
from storage.db import Database
from tests.documents_support import complete_documents_in
from tests.media_samples import jpeg_bytes, mp4_bytes
from tests.telegram.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from tests.telegram.harness import TelegramBot, telegram_bot
from tests.telegram.test_journey import report_journey

ADJUSTER_ID = 900001  # examples/directory.yaml: ADJ-SH-01 王建国
SHOP_STAFF_ID = 900101  # examples/directory.yaml: SHOP-PD-01 周师傅


class Chat:
    """One user's chat, read from where the test left off."""

    def __init__(self, bot: TelegramBot, user: FakeUser) -> None:
        self.bot = bot
        self.user = user
        self.seen = 0

    def news(self) -> list[SentMessage]:
        """What the bot sent here since the last look, once nothing is left to send."""
        self.bot.api.wait_until(lambda: self.bot.unsent(self.user.chat_id) == 0)
        messages = self.user.messages()
        fresh, self.seen = messages[self.seen :], len(messages)
        return fresh

    def text(self, text: str) -> list[SentMessage]:
        self.bot.turn(self.user, lambda: self.user.text(text))
        return self.news()

    def tap(self, value: str) -> list[SentMessage]:
        self.bot.turn(self.user, lambda: self.user.tap(value))
        return self.news()


def texts(messages: list[SentMessage]) -> list[str]:
    return [m.text for m in messages if m.method == "sendmessage"]


def offered(messages: list[SentMessage]) -> list[str]:
    """Every callback value on the keyboards of ``messages``."""
    return [value for m in messages for value in m.values]


def one_value(messages: list[SentMessage], pattern: str) -> str:
    """The callback data matching ``pattern`` on the keyboards of ``messages``."""
    found = [v for m in messages for v in m.values if re.fullmatch(pattern, v)]
    assert len(found) == 1, (pattern, [m.values for m in messages])
    return found[0]


def test_adjudication_and_repair_booking_through_telegram(
    database: Database, tmp_path: Path, api: FakeBotApi
) -> None:
    # On the wall clock the first free slot may be a day away: arrival is allowed early.
    early = {"booking_arrival_window_hours": 24 * 30}
    with telegram_bot(database, tmp_path, api, mode="webhook", **early) as bot:
        owner = Chat(bot, api.user(5550101, language_code="zh-hans"))
        adjuster = Chat(bot, api.user(ADJUSTER_ID, language_code="zh-hans"))
        staff = Chat(bot, api.user(SHOP_STAFF_ID, language_code="zh-hans"))

        number = report_journey(bot, owner.user)
        owner.news()

        # The handoff card: the evidence as one album, then the card with its take button.
        card = adjuster.news()
        assert [m.method for m in card] == ["sendmediagroup"] * 4 + ["sendmessage"]
        sent_media = [m.media[0] for m in card[:4]]
        assert sent_media == [jpeg_bytes(seed=n) for n in range(3)] + [mp4_bytes()]
        assert number in card[-1].text and "沪A1**45" in card[-1].text
        assert card[-1].values == [f"c:take:{number}"]

        took = adjuster.tap(f"c:take:{number}")
        assert number in texts(took)[0]
        taken = owner.news()
        assert len(taken) == 1 and "王建国" in taken[0].text

        adjuster.text(f"/survey {number} onsite 明天 10:00 黄浦区人民大道 200 号")
        assert "黄浦区人民大道 200 号" in texts(owner.news())[0]
        adjuster.text(f"/liability {number} 全责 追尾")
        adjuster.text(f"/loss {number} part 后保险杠 1200.00")
        adjuster.text(f"/loss {number} labour 拆装工时 300")
        complete_documents_in(database, number, "owner")
        proposed = adjuster.text(f"/settle {number} owner")
        assert "1,500.00" in texts(proposed)[0]
        told = owner.news()
        assert len(told) == 2  # survey above; liability, the proposal (with the loss items)
        proposal = told[-1]
        assert "1,500.00" in proposal.text
        assert proposal.values == [f"c:acc:{number}:1", f"c:dis:{number}:1"]

        owner.tap(f"c:acc:{number}:1")
        assert number in texts(adjuster.news())[0]
        adjuster.text(f"/paid {number} 1500.00 REF-TG-0001")
        assert "1,500.00" in texts(owner.news())[0]

        # The repair: /book offers the claim, then shops, then slots, all by tapping.
        purpose = owner.text("/book")
        assert purpose[-1].values == [f"b:claim:{number}", "b:maint"]
        shops = owner.tap(f"b:claim:{number}")
        assert "b:shop:SHOP-PD-01" in offered(shops)
        assert shops[-1].requests_location  # nearer shops for where the owner is now
        slots = owner.tap("b:shop:SHOP-PD-01")
        review = owner.tap(offered(slots)[0])
        assert "b:send" in review[-1].values
        owner.tap("b:send")

        request = staff.news()
        assert len(request) == 1 and number in request[0].text
        confirm = one_value(request, r"sh:\d+:ok")
        booking_id = int(confirm.split(":")[1])
        assert {f"sh:{booking_id}:prop", f"sh:{booking_id}:no"} <= set(request[0].values)
        staff.tap(confirm)
        assert "保险单" in owner.news()[0].text  # the documents to bring
        staff.tap(f"sh:{booking_id}:in")
        estimate = staff.tap(f"sh:{booking_id}:start")
        staff.tap(offered(estimate)[0])  # the first quick estimate
        staff.text("1480")  # the quote
        final = staff.tap(f"sh:{booking_id}:ready")
        staff.tap(offered(final)[0])  # as quoted
        ready = owner.news()[-1]
        assert f"bk:{booking_id}:accept" in ready.values

        accepted = owner.tap(f"bk:{booking_id}:accept")
        assert f"bk:{booking_id}:pay" in accepted[-1].values
        owner.tap(f"bk:{booking_id}:pay")
        rating = owner.text("1480.00")
        assert f"bk:{booking_id}:rate:5" in rating[-1].values
        owner.tap(f"bk:{booking_id}:rate:5")
        owner.tap("b:skip")
        paid_notice = [m.text for m in staff.news() if "1,480.00" in m.text]
        assert paid_notice, "the shop is told of the payment"

        assert {status for _, status in api.deliveries} == {200}
        assert api.rate_limited == 0

        with bot.container.database.unit_of_work() as uow:
            claim = uow.claims.get(number)
            booking = uow.bookings.get(booking_id)
        assert claim is not None and booking is not None
        assert claim.status is ClaimStatus.PAID
        payment = claim.adjudication.payment
        assert payment is not None and payment.reference == "REF-TG-0001"
        assert booking.claim_number == number
        assert booking.status is BookingStatus.RATED
        assert booking.paid == Money.from_yuan("1480.00")
        assert booking.rating == 5
