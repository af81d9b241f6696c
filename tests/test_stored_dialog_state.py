"""Conversations stored before a dialog's step became its machine's state still load and
continue after an upgrade (real SQLite and PostgreSQL).

Until then a report in progress was stored with the state "collecting" and its step in
``slots["step"]``; the resume offer remembered "collecting" as the state to go back to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bot.bootstrap import Container
from storage.tables.core import conversation_t
from tests.booking_support import WebUser
from tests.engine_harness import Owner
from tests.test_engine import three_photos

_c = conversation_t.c
OLD_KEYS = {"draft", "history", "started_at", "offered", "stated"}


def stored(container: Container, owner: Owner) -> tuple[str | None, str, dict[str, Any]]:
    with container.database.engine.connect() as conn:
        row = conn.execute(
            select(_c.dialog, _c.state, _c.slots).where(_c.chat_id == owner.user_id)
        ).one()
    return row.dialog, row.state, dict(row.slots)


def store_old_shape(container: Container, owner: Owner, state: str, **slots: Any) -> None:
    """Rewrite the owner's stored conversation as the previous version stored it: only
    the keys it wrote (a key left at its default was not written), and ``slots``."""
    _, _, current = stored(container, owner)
    kept = {k: v for k, v in current.items() if k in OLD_KEYS and v not in (None, False, [])}
    with container.database.engine.begin() as conn:
        conn.execute(
            update(conversation_t)
            .where(_c.chat_id == owner.user_id)
            .values(state=state, slots={**kept, **slots})
        )


def test_a_report_stored_with_its_step_in_the_slots_continues(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.text("沪A12345")
    assert owner.text("8001") == ["report.policy_found", "report.ask.time"]
    assert stored(container, owner)[:2] == ("report", "time")
    store_old_shape(container, owner, "collecting", step="time")

    assert owner.choose("r:time:now") == ["report.ask.location"]
    dialog, state, slots = stored(container, owner)
    assert (dialog, state) == ("report", "location")
    assert "step" not in slots and slots["draft"]["plate"] == "沪A12345"
    assert owner.text("/back") == ["report.ask.time"]  # the steps asked before are kept


def test_a_stored_report_without_a_step_asks_the_first_question(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    store_old_shape(container, owner, "collecting", step=None)

    assert owner.text("/help")[-1] == "report.ask.plate"
    assert stored(container, owner)[1] == "plate"


def test_a_stored_resume_offer_goes_back_to_the_step_it_was_at(container: Container) -> None:
    owner = Owner(container)
    owner.text("/report")
    owner.text("沪A12345")
    owner.text("8001")
    owner.choose("r:time:now")
    offer = ["r:resume:yes", "r:resume:restart", "r:resume:cancel"]  # on the screen
    store_old_shape(
        container, owner, "resume_offer", step="location", resume_state="collecting", offered=offer
    )

    assert owner.choose("r:resume:yes") == ["report.resumed", "report.ask.location"]
    assert stored(container, owner)[1] == "location"


def test_a_stored_summary_is_confirmed_as_before(container: Container) -> None:
    owner = Owner(container)
    owner.report_until_photos()
    assert owner.photos(three_photos()) == ["report.evidence_received", "report.summary"]
    store_old_shape(container, owner, "summary", step=None)

    assert owner.choose("r:summary:confirm") == ["report.filed"]


def test_a_booking_stored_by_the_previous_version_continues(container: Container) -> None:
    """The booking's step was already its state; its slots were a dict with only the keys
    each step wrote: such a conversation loads into the typed slots and goes on."""
    owner = WebUser(container, user_id="owner-0001")
    owner.text("/book")
    owner.text("沪A12345")
    owner.text("8001")
    assert owner.choose("b:noloc") == ["booking.ask.shop"]
    _, state, slots = stored(container, owner)
    old = {k: slots[k] for k in ("for", "origin", "filters", "order", "page", "prompt", "offered")}
    old["for"] = {"kind": "maintenance", **{k: v for k, v in old["for"].items() if v}}
    with container.database.engine.begin() as conn:
        conn.execute(update(conversation_t).where(_c.chat_id == owner.user_id).values(slots=old))

    assert owner.text("/back") == ["back.nothing", "booking.ask.shop"]  # the prompt kept
    assert owner.choose("b:shop:SHOP-PD-01") == ["booking.ask.slot"]
    owner.choose(owner.choices("booking.ask.slot")[0])
    assert owner.choose("b:send") == ["booking.requested"]
    assert state == "shops" and stored(container, owner)[:2] == (None, "idle")


MENU = ["start:report", "start:status", "start:book", "start:human"]


def store_slots(container: Container, owner: Owner, slots: dict[str, Any]) -> None:
    with container.database.engine.begin() as conn:
        conn.execute(update(conversation_t).where(_c.chat_id == owner.user_id).values(slots=slots))


def test_shared_keys_stored_by_the_previous_version_still_count(container: Container) -> None:
    """The router's keys were plain entries of the slots, each written only when it held
    something; the choices offered had no list of their own for typed numbers. Such a
    conversation counts its misses on, keeps its photos through a handoff, and a typed
    number answers the menu it was offered."""
    owner = Owner(container)
    assert owner.photos(three_photos())[0] == "idle.media_kept"
    kept = stored(container, owner)[2]["pending_evidence"]
    store_slots(container, owner, {"offered": MENU, "unclear": 2, "pending_evidence": kept})

    assert owner.text("嗯")[0] == "human.queued"  # the third text in a row that fit nothing
    dialog, _, slots = stored(container, owner)
    assert dialog == "human" and slots["before"]["slots"] == {"pending_evidence": kept}
    assert owner.choose("h:end") == ["human.ended", "intent.menu"]
    assert stored(container, owner)[2]["pending_evidence"] == kept
    store_slots(container, owner, {"offered": MENU, "pending_evidence": kept})

    assert owner.text("1")[0] == "report.started"  # the menu's first choice
    dialog, _, slots = stored(container, owner)
    assert dialog == "report" and len(slots["draft"]["evidence"]) == len(kept) == 3
    assert "pending_evidence" not in slots
