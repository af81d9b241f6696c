"""What the callback writes before it answers (the inbox record, on the writer's own
connection), and the window a message opens once it is claimed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.channels.wechat.recorder import InboxWriter
from bot.channels.wechat.window import open_windows
from storage.channels.wechat.delivery import WeChatQuotas
from storage.channels.wechat.inbox import InboxMessage, WeChatInbox
from storage.db import Database
from tests.fakes import FixedClock


def message(key: str, openid: str = "u1", msg_type: str = "text") -> InboxMessage:
    return InboxMessage(key, openid, msg_type, f"<xml><MsgId>{key}</MsgId></xml>")


def test_a_batch_is_recorded_in_order_and_each_key_once(database: Database) -> None:
    writer = InboxWriter(database, FixedClock())
    try:
        batch = [message("a"), message("b", "u2"), message("a"), message("c")]
        assert writer.write(batch) == [True, True, False, True]
        assert writer.write([message("b", "u2"), message("d", "u3")]) == [False, True]
    finally:
        writer.close()
    with database.unit_of_work() as uow:  # committed: another connection sees the rows
        claimed = WeChatInbox(uow.connection).claim("w", FixedClock().now(), 10)
    assert [row.dedupe_key for row in claimed] == ["a", "b", "d"]  # c waits behind a


def test_the_writer_gets_a_new_connection_after_losing_its_own(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("a SQLite connection cannot be cut from outside")
    writer = InboxWriter(database, FixedClock())
    try:
        assert writer.write([message("a")]) == [True]
        # The server drops the writer's session (and any idle pooled one that last wrote
        # the inbox: the pool pings those before reuse).
        with database.engine.connect() as admin:
            cut = admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND state = 'idle' AND query LIKE 'INSERT INTO wechat_inbox%'"
                )
            ).all()
        assert (True,) in cut
        with pytest.raises(Exception):  # noqa: B017 - the driver's error for a lost session
            writer.write([message("b")])
        assert writer.write([message("b"), message("a")]) == [True, False]
    finally:
        writer.close()


def test_the_window_opens_on_the_first_claim_only(database: Database) -> None:
    clock = FixedClock()
    received = clock.now()
    with database.unit_of_work() as uow:
        inbox = WeChatInbox(uow.connection)
        inbox.record_all(
            [
                message("m1"),
                message("e1", "u2", "event:click"),
                message("e2", "u3", "event:unsubscribe"),
            ],
            received,
        )
        uow.commit()
    clock.advance(timedelta(seconds=30))  # claimed a little after WeChat delivered it
    with database.unit_of_work() as uow:
        rows = WeChatInbox(uow.connection).claim("w", clock.now(), 10)
        open_windows(uow, rows, clock.now())
        quotas = WeChatQuotas(uow.connection)
        assert [quotas.available(u, clock.now()) for u in ("u1", "u2", "u3")] == [5, 3, 0]
        # counted from delivery: the click's minute ends 60 s after it, not after the claim
        assert quotas.available("u2", received + timedelta(seconds=61)) == 0
        assert quotas.available("u1", received + timedelta(hours=47)) == 5
        assert quotas.use("u1", clock.now())
        retried = [row for row in rows if row.dedupe_key == "m1"]
        WeChatInbox(uow.connection).retry(retried[0].id, "busy", clock.now())
        again = WeChatInbox(uow.connection).claim("w", clock.now(), 10)
        assert [(row.dedupe_key, row.attempts) for row in again] == [("m1", 2)]
        open_windows(uow, again, clock.now())
        assert quotas.available("u1", clock.now()) == 4  # a retried claim grants nothing
        uow.commit()
