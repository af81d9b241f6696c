"""Drive the dialogs turn by turn without a database, and render every reply."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.conversation import Conversation, TurnContext
from dialogs.lexicon import Lexicon
from dialogs.router import handle_turn
from locales.catalog import Catalogs
from messages.inbound import Inbound, InboundKind, MediaItem
from messages.outbound import Outbound
from tests.fakes import FakeUnitOfWork, FixedClock

TZ = ZoneInfo("Asia/Shanghai")
CATALOGS = Catalogs(TZ)
LEXICON = Lexicon(CATALOGS.words(), CATALOGS.tables())
_ids = itertools.count(1)


class DialogDriver:
    def __init__(self, locale: str = "zh_CN", uow: FakeUnitOfWork | None = None) -> None:
        self.uow = uow or FakeUnitOfWork()
        self.clock = FixedClock()
        self.conv = Conversation(party_id=1, locale=locale)
        self.replies: list[Outbound] = []
        self.texts: list[str] = []

    def send(self, kind: InboundKind, text: str = "", **extra: Any) -> list[Outbound]:
        inbound = Inbound(
            channel="test",
            user_id="u1",
            chat_id="u1",
            message_id=str(next(_ids)),
            kind=kind,
            received_at=self.clock.now(),
            text=text,
            **extra,
        )
        ctx = TurnContext(
            uow=self.uow,
            now=self.clock.now(),
            tz=TZ,
            lexicon=LEXICON,
            locales=CATALOGS.locales,
            resume_after=timedelta(hours=2),
        )
        self.replies = handle_turn(self.conv, inbound, ctx)
        self.texts = [self.render(reply) for reply in self.replies]
        return self.replies

    def render(self, reply: Outbound) -> str:
        text = CATALOGS.render(self.conv.locale, reply.key, reply.params)
        for choice in reply.choices:
            CATALOGS.render(self.conv.locale, choice.label_key, choice.params)
        return text

    def text(self, text: str) -> list[Outbound]:
        return self.send(InboundKind.TEXT, text)

    def choose(self, value: str) -> list[Outbound]:
        return self.send(InboundKind.CHOICE, value)

    def location(self, lat: float, lon: float, **payload: Any) -> list[Outbound]:
        return self.send(InboundKind.LOCATION, payload={"lat": lat, "lon": lon, **payload})

    def photos(self, count: int, *, start_id: int = 100) -> list[Outbound]:
        media = tuple(MediaItem(start_id + i, "photo") for i in range(count))
        return self.send(InboundKind.MEDIA, media=media)

    @property
    def keys(self) -> list[str]:
        return [reply.key for reply in self.replies]

    @property
    def last(self) -> Outbound:
        return self.replies[-1]

    @property
    def offered(self) -> list[str]:
        return self.conv.offered

    def fill_report(self, *, until: str | None = None) -> None:
        """Answer every question of a report in order, stopping before step `until`."""
        script: list[tuple[str, Any]] = [
            ("start", lambda: self.text("/report")),
            ("plate", lambda: self.text("沪A 12345")),
            ("check", lambda: self.text("8001")),
            ("time", lambda: self.choose("r:time:now")),
            ("location", lambda: self.location(31.2304, 121.4737)),
            ("description", lambda: self.text("追尾，后保险杠受损")),
            ("injuries", lambda: self.choose("r:injuries:no")),
            ("drivable", lambda: self.choose("r:drivable:yes")),
            ("has_other", lambda: self.choose("r:has_other:none")),
            ("witnesses", lambda: self.choose("r:witnesses:skip")),  # with the police number
            ("photos", lambda: self.photos(3)),  # then on to the summary by itself
        ]
        for step, action in script:
            if step == until:
                return
            action()
