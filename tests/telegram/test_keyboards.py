"""The keyboards a process has shown: each is taken off once, by the tap or as superseded."""

from __future__ import annotations

from bot.channels.telegram.keyboards import ShownKeyboards


def test_a_later_turn_supersedes_the_earlier_keyboards_once() -> None:
    shown = ShownKeyboards()
    shown.shown("c", 1, "t1")
    shown.shown("c", 2, "t2")
    assert shown.superseded("c", "t2") == [1]
    assert shown.superseded("c", "t2") == []
    assert shown.superseded("c", "t3") == [2]


def test_a_tapped_keyboard_is_not_taken_off_again() -> None:
    shown = ShownKeyboards()
    shown.shown("c", 1, "t1")
    shown.shown("c", 2, "t1")
    shown.forget("c", 2)
    assert shown.superseded("c", "t2") == [1]


def test_a_tap_before_its_keyboard_was_recorded_still_counts() -> None:
    shown = ShownKeyboards()
    shown.forget("c", 3)  # the user was quicker than the answer to sendMessage
    shown.shown("c", 3, "t1")
    shown.shown("c", 4, "t1")
    assert shown.superseded("c", "t2") == [4]
