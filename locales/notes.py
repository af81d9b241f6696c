"""Timeline notes in words: the compact records the domain writes, shown readably.

The domain stores a note per step in a fixed, compact form (``onsite
2026-11-27T10:00:00+08:00 上海市…``, ``v1 owner 1950.50``, a slot key ``202611260530``).
One small function per action formats each: times in the viewer's timezone and locale,
known tokens (survey mode, liability grade, loss kind, payment route, payer) as the
locale's labels, amounts with their currency. A note that does not have the expected
form (older data, free text) is shown as it is. Chat messages (the ``note`` filter of
the catalogs) and the dashboard both use these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.adjudication import Liability, LossKind, PaymentRoute, SurveyMode
from domain.booking import Payer
from domain.money import InvalidAmount, Money
from domain.slots import parse_slot_key

AMOUNT = r"(-?\d+\.\d{2})"
LIABILITY = re.compile(r"^(\w+) (\d{1,3})%(?: (.*))?$", re.S)
LOSS = re.compile(rf"^([+-]) (\w+) (.*) {AMOUNT}$", re.S)
SETTLE = re.compile(rf"^v(\d+) (\w+) {AMOUNT}$")
ANSWER = re.compile(r"^v(\d+)(?: (.*))?$", re.S)
PAYMENT = re.compile(rf"^{AMOUNT} (.+)$", re.S)
BOOKING_PAID = re.compile(rf"^(\w+) {AMOUNT}$")

Formatter = Callable[["NoteWords", str], str | None]


class NoteWords(Protocol):
    """What a formatter needs for one viewer: labels, local times and money."""

    def t(self, key: str, **params: Any) -> str: ...

    def when(self, value: datetime) -> str: ...

    def money(self, fen: int) -> str: ...


def _money(words: NoteWords, yuan: str) -> str:
    return words.money(Money.from_yuan(yuan).fen)


def _known(kind: type[StrEnum], value: str) -> bool:
    return value in {member.value for member in kind}


def _iso(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


# --- claims, by action ---------------------------------------------------------------


def _survey(words: NoteWords, note: str) -> str | None:
    mode, _, rest = note.partition(" ")
    if not _known(SurveyMode, mode):
        return None
    parts = [words.t(f"claims.survey_mode.{mode}")]
    first, _, place = rest.partition(" ")
    at = _iso(first)
    if at is None:
        place = rest
    else:
        parts.append(words.when(at))
    if place.strip():
        parts.append(place.strip())
    return " · ".join(parts)


def _liability(words: NoteWords, note: str) -> str | None:
    found = LIABILITY.match(note)
    if found is None or not _known(Liability, found[1]):
        return None
    grade = words.t(f"claims.liability.{found[1]}")
    text = words.t("dashboard.note.liability", grade=grade, share=found[2])
    return f"{text} · {found[3]}" if found[3] else text


def _loss(words: NoteWords, note: str) -> str | None:
    found = LOSS.match(note)
    if found is None or not _known(LossKind, found[2]):
        return None
    key = "dashboard.note.loss_added" if found[1] == "+" else "dashboard.note.loss_removed"
    kind = words.t(f"claims.loss_kind.{found[2]}")
    return words.t(key, kind=kind, name=found[3], amount=_money(words, found[4]))


def _settle(words: NoteWords, note: str) -> str | None:
    found = SETTLE.match(note)
    if found is None or not _known(PaymentRoute, found[2]):
        return None
    version = words.t("dashboard.claim.version", n=found[1])
    route = words.t(f"claims.route.{found[2]}")
    return f"{version} · {_money(words, found[3])} · {route}"


def _answer(words: NoteWords, note: str) -> str | None:
    found = ANSWER.match(note)
    if found is None:
        return None
    version = words.t("dashboard.claim.version", n=found[1])
    return f"{version} · {found[2]}" if found[2] else version


def _payment(words: NoteWords, note: str) -> str | None:
    found = PAYMENT.match(note)
    if found is None:
        return None
    return words.t("dashboard.note.payment", amount=_money(words, found[1]), reference=found[2])


def _accident(words: NoteWords, note: str) -> str | None:
    counts = note.split()
    if len(counts) != 2 or not all(part.isdigit() for part in counts):
        return None
    return words.t("accident.note", parties=int(counts[0]), losses=int(counts[1]))


def _evidence(words: NoteWords, note: str) -> str | None:
    ids = note.split()
    if not ids or not all(part.isdigit() for part in ids):
        return None
    return words.t("dashboard.note.evidence", n=len(ids))


CLAIM_NOTES: dict[str, Formatter] = {
    "survey": _survey,
    "liability": _liability,
    "loss": _loss,
    "settle": _settle,
    "accept": _answer,
    "dispute": _answer,
    "pay": _payment,
    "pay_part": _payment,
    "accident": _accident,
    "evidence": _evidence,
}


# --- bookings, by the status moved to -------------------------------------------------


def _slot(words: NoteWords, note: str) -> str | None:
    start = parse_slot_key(note)
    return None if start is None else words.t("dashboard.note.slot", at=words.when(start))


def _estimate(words: NoteWords, note: str) -> str | None:
    at = _iso(note)
    return None if at is None else words.t("dashboard.note.estimate", at=words.when(at))


def _booking_paid(words: NoteWords, note: str) -> str | None:
    found = BOOKING_PAID.match(note)
    if found is None or not _known(Payer, found[1]):
        return None
    payer = words.t(f"dashboard.note.payer.{found[1]}")
    return f"{payer} · {_money(words, found[2])}"


def _final(words: NoteWords, note: str) -> str | None:
    """``ready``'s note: the final amount the shop charges (``2150.50``)."""
    if re.fullmatch(AMOUNT, note) is None:
        return None
    return words.t("dashboard.note.final", amount=_money(words, note))


def _stars(words: NoteWords, note: str) -> str | None:
    return "★" * int(note) if note.isdigit() and 1 <= int(note) <= 5 else None


BOOKING_NOTES: dict[str, Formatter] = {
    "held": _slot,
    "proposed": _slot,
    "confirmed": _slot,
    "in_repair": _estimate,
    "ready": _final,
    "paid": _booking_paid,
    "rated": _stars,
}


def _formatted(formatter: Formatter | None, words: NoteWords, note: str) -> str:
    if formatter is None or not note:
        return note
    try:
        return formatter(words, note) or note
    except (InvalidAmount, ValueError, OverflowError):  # not the form it should have
        return note


def claim_note(words: NoteWords, action: str | None, note: str) -> str:
    """A claim timeline entry's note, by the action that recorded it."""
    return _formatted(CLAIM_NOTES.get(action or ""), words, note)


def booking_note(words: NoteWords, from_status: str | None, to_status: str, note: str) -> str:
    """A booking timeline entry's note, by the status it moved to."""
    comment = from_status == to_status == "rated"  # after the stars: free text
    formatter = None if comment else BOOKING_NOTES.get(to_status)
    return _formatted(formatter, words, note)
