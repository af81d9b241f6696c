"""The WeChat tables on both engines: inbox claims in per-user order, allowances, leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.channels.wechat.accounts import WeChatSessions, WeChatUsers
from storage.channels.wechat.delivery import WeChatQuotas
from storage.channels.wechat.inbox import InboxMessage, WeChatInbox
from storage.db import Database

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_the_inbox_hands_out_each_users_oldest_row_once(database: Database) -> None:
    with database.unit_of_work() as uow:
        inbox = WeChatInbox(uow.connection)
        for key, user in (("m1", "a"), ("m2", "a"), ("m3", "b"), ("m1", "a")):
            inbox.record(InboxMessage(key, user, "text", "<xml/>"), T0)
        uow.commit()
    with database.unit_of_work() as uow:
        first = WeChatInbox(uow.connection).claim("w1", T0, 10)
        again = WeChatInbox(uow.connection).claim("w2", T0, 10)
        uow.commit()
    assert [(r.dedupe_key, r.attempts) for r in first] == [("m1", 1), ("m3", 1)]
    assert again == []  # a's second message waits for its first
    with database.unit_of_work() as uow:
        inbox = WeChatInbox(uow.connection)
        inbox.retry(first[0].id, "busy", T0 + timedelta(seconds=5))
        inbox.mark_done(first[1].id, T0)
        assert inbox.claim("w1", T0, 10) == []  # m1 waits for its retry, m2 behind it
        retried = inbox.claim("w1", T0 + timedelta(seconds=5), 10)
        assert [(r.dedupe_key, r.attempts) for r in retried] == [("m1", 2)]
        assert inbox.release_stale(T0 + timedelta(seconds=6)) == 1
        assert inbox.status_counts() == {"pending": 2, "done": 1}
        assert inbox.prune(T0 + timedelta(days=1)) == 1
        uow.commit()


def test_allowances_are_used_soonest_expiring_first(database: Database) -> None:
    with database.unit_of_work() as uow:
        quotas = WeChatQuotas(uow.connection)
        quotas.grant("u", "message", T0, 5, timedelta(hours=48))
        quotas.grant("u", "event", T0, 3, timedelta(minutes=1))
        assert quotas.available("u", T0) == 8
        assert quotas.use("u", T0)
        assert quotas.available("u", T0 + timedelta(minutes=2)) == 5  # the event's expired
        quotas.grant("u", "message", T0, 5, timedelta(hours=48))  # a new message renews
        assert quotas.available("u", T0) == 7
        quotas.close("u")
        assert quotas.available("u", T0) == 0
        assert not quotas.use("u", T0)
        uow.commit()


def test_sessions_expire_and_one_worker_leases_the_refresh(database: Database) -> None:
    with database.unit_of_work() as uow:
        sessions = WeChatSessions(uow.connection)
        assert sessions.lease("k", T0, T0 + timedelta(seconds=15))
        assert not sessions.lease("k", T0 + timedelta(seconds=1), T0 + timedelta(seconds=16))
        sessions.put("k", "token", T0 + timedelta(hours=1))
        assert sessions.get("k", T0) == "token"
        assert sessions.get("k", T0 + timedelta(hours=2)) is None
        assert sessions.lease("k", T0 + timedelta(seconds=2), T0 + timedelta(seconds=17))
        users = WeChatUsers(uow.connection)
        users.remember("u", "en", T0)
        users.remember("u", "zh_CN", T0)
        known = users.get("u")
        assert known is not None and known.language == "en"
        assert users.get("v") is None
        uow.commit()
