"""The API the booking feature will call, with an appointment reminder registered the way
bookings will register theirs: one kind, armed/moved/cancelled in the booking's transaction."""

from __future__ import annotations

from datetime import timedelta

from scheduler.kinds import FireContext, Message, Misfire, Outcome, Send, Skip, TimerKind
from storage.db import Database
from storage.repositories.timers import Timer, TimerSpec
from tests.fakes import FixedClock
from tests.scheduler.helpers import NOON_SHANGHAI, outbox, owner_chat, runner, timers


def remind_appointment(ctx: FireContext, timer: Timer) -> Outcome:
    contact = ctx.uow.reminders.contact(int(timer.payload["party_id"]))
    if contact is None:
        return Skip("owner unreachable")
    params = {"starts_at": timer.payload["starts_at"]}
    return Send([Message.of(contact, "reminders.unmuted", params)])


# The whole registration of a new reminder kind:
APPOINTMENT_REMINDER = TimerKind(
    "appointment_reminder",
    remind_appointment,
    Misfire(grace=None, summary="dropped once the appointment has begun (expires_at)"),
    quiet_hours=True,
    mutable=True,
)


def reminders_for(booking_id: int, party_id: int, starts_at_shift: timedelta) -> list[TimerSpec]:
    """What a booking service would arm when a slot is confirmed (or moved)."""
    starts = NOON_SHANGHAI + starts_at_shift
    payload = {
        "party_id": party_id,
        "starts_at": starts.isoformat(),
        "expires_at": starts.isoformat(),
    }
    return [
        TimerSpec(
            "appointment_reminder",
            f"booking:{booking_id}:{name}",
            starts - before,
            payload,
            subject=f"booking:{booking_id}",
        )
        for name, before in (("day_before", timedelta(days=1)), ("two_hours", timedelta(hours=2)))
    ]


def test_confirm_reschedule_cancel(database: Database) -> None:
    clock = FixedClock(NOON_SHANGHAI)
    party, _ = owner_chat(database, "tg-owner")
    run = runner(database, clock, extra=[APPOINTMENT_REMINDER])
    with database.unit_of_work() as uow:  # the booking is confirmed for the day after tomorrow
        for spec in reminders_for(7, party, timedelta(days=2)):
            uow.timers.set(spec, clock.now())
        uow.commit()
    with database.unit_of_work() as uow:  # ...then moved a day later: the reminders move
        for spec in reminders_for(7, party, timedelta(days=3)):
            uow.timers.set(spec, clock.now())
        uow.commit()
    clock.advance(timedelta(days=2))
    assert run.run_due() >= 1  # the day-before reminder of the new slot
    rows = timers(database, "appointment_reminder")
    assert rows["booking:7:day_before"]["status"] == "fired"
    assert rows["booking:7:two_hours"]["status"] == "pending"
    with database.unit_of_work() as uow:  # the owner cancels the booking
        assert uow.timers.cancel_subject("booking:7", now=clock.now()) == 1
        uow.commit()
    clock.advance(timedelta(days=1))
    run.run_due()
    assert timers(database, "appointment_reminder")["booking:7:two_hours"]["status"] == "cancelled"
    assert len(outbox(database)) == 1


def test_a_reminder_for_an_appointment_that_has_begun_is_dropped(database: Database) -> None:
    clock = FixedClock(NOON_SHANGHAI)
    party, _ = owner_chat(database, "tg-owner")
    run = runner(database, clock, extra=[APPOINTMENT_REMINDER])
    with database.unit_of_work() as uow:
        for spec in reminders_for(8, party, timedelta(hours=3)):
            uow.timers.set(spec, clock.now())
        uow.commit()
    clock.advance(timedelta(hours=4))  # the process was down across the appointment
    run.run_due()
    rows = timers(database, "appointment_reminder")
    assert {k: r["status"] for k, r in rows.items()} == {
        "booking:8:day_before": "dropped",
        "booking:8:two_hours": "dropped",
    }
    assert outbox(database) == []
