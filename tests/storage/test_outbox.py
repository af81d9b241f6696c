from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.records import OutboxItem

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def item(key: str, chat: str = "c1", channel: str = "telegram", **kw: object) -> OutboxItem:
    return OutboxItem(
        channel=channel,
        chat_id=chat,
        locale="zh_CN",
        payload={"key": "report.ask_time", "params": {"n": key}, "text": "车牌"},
        idempotency_key=key,
        **kw,  # type: ignore[arg-type]
    )


def test_add_skips_existing_keys(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert uow.outbox.add([item("k1"), item("k2")], now=NOW) == 2
        assert uow.outbox.add([item("k2")], now=NOW) == 0
        assert uow.outbox.add([item("k2"), item("k3")], now=NOW) == 1
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.outbox.add([item("k1"), item("k3")], now=NOW) == 0
        assert uow.outbox.add([], now=NOW) == 0
        rows = uow.outbox.for_chat("telegram", "c1", after_id=0)
    assert [r.idempotency_key for r in rows] == ["k1", "k2", "k3"]
    first = rows[0]
    assert first.payload == {"key": "report.ask_time", "params": {"n": "k1"}, "text": "车牌"}
    assert first.status == "pending" and first.attempts == 0 and first.sent_at is None
    assert first.created_at == NOW and first.created_at.tzinfo == UTC


def test_for_chat_and_mark_sent(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.add([item(f"k{i}") for i in range(5)] + [item("other", chat="c2")], now=NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        rows = uow.outbox.for_chat("telegram", "c1", after_id=0, limit=3)
        assert len(rows) == 3
        assert [r.id for r in rows] == sorted(r.id for r in rows)
        assert uow.outbox.mark_sent([r.id for r in rows], NOW) == 3
        assert uow.outbox.mark_sent([rows[0].id], NOW + timedelta(seconds=5)) == 0
        uow.commit()
    with database.unit_of_work() as uow:
        again = uow.outbox.for_chat("telegram", "c1", after_id=0)
        assert [r.status for r in again] == ["sent"] * 3 + ["pending"] * 2
        assert again[0].sent_at == NOW
        rest = uow.outbox.for_chat("telegram", "c1", after_id=rows[-1].id)
        assert [r.idempotency_key for r in rest] == ["k3", "k4"]
        assert uow.outbox.for_chat("telegram", "c2", after_id=0)[0].idempotency_key == "other"
        assert uow.outbox.backlog(NOW) == 3


def test_claim_due_two_workers_never_share_a_row(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.add([item(f"k{i}", chat=f"chat{i}") for i in range(6)], now=NOW)
        uow.outbox.add([item("later", chat="x", available_at=NOW + timedelta(hours=1))], now=NOW)
        uow.outbox.add([item("wechat", chat="w", channel="wechat")], now=NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        a = uow.outbox.claim_due("telegram", "worker-a", NOW, limit=4)
        uow.commit()
    with database.unit_of_work() as uow:
        b = uow.outbox.claim_due("telegram", "worker-b", NOW, limit=4)
        assert uow.outbox.claim_due("telegram", "worker-c", NOW, limit=4) == []
        uow.commit()
    assert [r.idempotency_key for r in a] == ["k0", "k1", "k2", "k3"]
    assert [r.idempotency_key for r in b] == ["k4", "k5"]
    assert all(r.status == "sending" and r.attempts == 1 for r in a + b)
    with database.unit_of_work() as uow:
        rows = uow.outbox.claim_due(None, "worker-d", NOW + timedelta(hours=2), limit=10)
    assert [r.idempotency_key for r in rows] == ["later", "wechat"]


def test_claim_due_concurrent_workers(database: Database) -> None:
    total = 60
    with database.unit_of_work() as uow:
        uow.outbox.add([item(f"k{i}", chat=f"chat{i % 20}") for i in range(total)], now=NOW)
        uow.commit()
    claimed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work(name: str) -> None:
        try:
            start.wait()
            for _ in range(200):
                with database.unit_of_work() as uow:
                    rows = uow.outbox.claim_due(None, name, NOW, limit=5)
                    uow.outbox.mark_sent([r.id for r in rows], NOW)
                    uow.commit()
                with lock:
                    claimed.extend(r.id for r in rows)
                    if len(claimed) >= total:
                        return
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(claimed) == total
    assert len(set(claimed)) == total


def test_claim_in_flight_is_skipped_on_postgres(database: Database) -> None:
    if not database.is_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no claim runs alongside")
    with database.unit_of_work() as uow:
        uow.outbox.add([item(f"k{i}", chat=f"chat{i}") for i in range(4)], now=NOW)
        uow.outbox.add([item("k1-next", chat="chat1")], now=NOW)
        uow.commit()
    with database.unit_of_work() as first:
        a = first.outbox.claim_due(None, "a", NOW, limit=2)
        with database.unit_of_work() as second:  # while the first claim is uncommitted
            b = second.outbox.claim_due(None, "b", NOW, limit=10)
            second.commit()
        first.commit()
    assert [r.idempotency_key for r in a] == ["k0", "k1"]
    # k1-next waits: an earlier row of its chat is held by the other worker.
    assert [r.idempotency_key for r in b] == ["k2", "k3"]


def test_claim_keeps_chat_order(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.add([item(f"m{i}", chat="c") for i in range(3)], now=NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        (m0,) = uow.outbox.claim_due(None, "a", NOW, limit=1)
        uow.commit()
    with database.unit_of_work() as uow:
        # m0 is being sent: m1 and m2 wait for it.
        assert uow.outbox.claim_due(None, "b", NOW, limit=10) == []
        uow.outbox.mark_sent([m0.id], NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        m1, m2 = uow.outbox.claim_due(None, "b", NOW, limit=10)
        uow.outbox.mark_failed(m1.id, "429 Too Many Requests", retry_at=NOW + timedelta(minutes=1))
        uow.outbox.mark_sent([m2.id], NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.outbox.claim_due(None, "b", NOW + timedelta(seconds=30), limit=10) == []
        (retry,) = uow.outbox.claim_due(None, "b", NOW + timedelta(minutes=1), limit=10)
        assert retry.id == m1.id and retry.attempts == 2
        uow.outbox.mark_failed(retry.id, "400 Bad Request", retry_at=None)
        uow.commit()
    with database.unit_of_work() as uow:
        rows = uow.outbox.for_chat("telegram", "c", after_id=0)
        assert [r.status for r in rows] == ["sent", "sent"]  # failed rows are not shown
        assert uow.outbox.backlog(NOW + timedelta(hours=1)) == 0


def test_release_stale_claims(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.outbox.add([item("k1")], now=NOW)
        uow.commit()
    with database.unit_of_work() as uow:
        (row,) = uow.outbox.claim_due(None, "crashed", NOW, limit=1)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.outbox.backlog(NOW) == 1
        assert uow.outbox.release_stale(NOW) == 0
        assert uow.outbox.release_stale(NOW + timedelta(minutes=5)) == 1
        (again,) = uow.outbox.claim_due(None, "w2", NOW + timedelta(minutes=5), limit=1)
        assert again.id == row.id and again.attempts == 2
