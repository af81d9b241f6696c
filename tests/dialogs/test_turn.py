"""The turn (dialogs/turn.py) speaks only to the unit-of-work port: it runs on the fake."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from dialogs.turn import ConversationEngine
from messages.inbound import Inbound, InboundKind
from tests.dialogs.driver import CATALOGS, LEXICON, TZ
from tests.fakes import FakeUnitOfWork, FixedClock


class FakeUnits:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[FakeUnitOfWork]:
        yield self.uow


def _engine(units: FakeUnits, logged: list[dict[str, Any]]) -> ConversationEngine[Any]:
    @contextlib.contextmanager
    def log_context(*, channel: str, message_id: str) -> Iterator[dict[str, Any]]:
        fields: dict[str, Any] = {"channel": channel, "message_id": message_id}
        yield fields
        logged.append(fields)

    return ConversationEngine(
        units,
        clock=FixedClock(),
        tz=TZ,
        lexicon=LEXICON,
        locales=CATALOGS.locales,
        default_locale="zh_CN",
        resume_after=timedelta(hours=2),
        log_context=log_context,
    )


def _text(message_id: str, text: str) -> Inbound:
    return Inbound(
        channel="web",
        user_id="fake-owner",
        chat_id="fake-owner",
        message_id=message_id,
        kind=InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT,
        received_at=FixedClock().now(),
        text=text,
        language_hint="en",
    )


def test_a_message_is_one_turn_and_its_redelivery_none() -> None:
    units, logged = FakeUnits(), []
    engine = _engine(units, logged)
    outcome = engine.process(_text("m1", "/help"))
    assert not outcome.duplicate and outcome.replies
    uow = units.uow
    rows = sorted(uow.outbox.rows.values(), key=lambda row: row.id)
    assert [row.idempotency_key for row in rows] == [
        f"web:m1:{n}" for n in range(len(outcome.replies))
    ]
    assert [row.payload for row in rows] == [reply.to_payload() for reply in outcome.replies]
    assert {(row.chat_id, row.locale, row.party_id) for row in rows} == {("fake-owner", "en", 1)}
    stored = uow.conversations.get_for_update("web", "fake-owner")
    assert stored is not None and stored.party_id == 1 and stored.locale == "en"
    assert uow.commits == 1 and logged == [{"channel": "web", "message_id": "m1"}]

    again = engine.process(_text("m1", "/help"))
    assert again.duplicate and not again.replies
    assert len(uow.outbox.rows) == len(rows) and uow.commits == 1
