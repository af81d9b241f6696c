"""The conversation engine: one inbound message, one transaction.

Dedupe, identity, the dialog turn, the conversation's new state and the outbox rows it
produced are committed together: a crash leaves either all of it or none of it, and a
redelivered message finds its id already recorded.

A dialog may address another party (``Outbound.to_party``: the adjuster paged about a
claim, the owner told of a step). Such a notice is written once to each of that party's
channel identities (in private chats the chat id is the external user id), in the
party's locale, with idempotency keys derived from the inbound message id.

Such a notice's buttons are not in the recipient conversation's own last offer; a typed
number still answers them: the recipient's turn reads them back from the newest delivered
outbox row of its chat (``uow.pushed_choices``), never writing to another
party's conversation.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any, Generic, Protocol, TypeVar

from dialogs.conversation import Conversation, TurnContext
from dialogs.language import locale_for
from dialogs.lexicon import Lexicon
from dialogs.router import handle_turn, wants_pushed
from domain.adjudication import AdjudicationRules
from domain.attempts import Limits
from domain.booking import BookingRules
from domain.claim_refs import claim_numbers
from domain.clock import Clock
from domain.outbox import OutboxItem
from domain.ports import QuickDealServices, UnitOfWork, UnitOfWorkFactory
from domain.records import ConversationRecord
from domain.small_claim_ports import SmallClaimServices
from messages.inbound import Inbound
from messages.outbound import Outbound

# the logger keeps the name it had before the engine moved here: operators filter on it
log = logging.getLogger("bot.engine")
Claim = TypeVar("Claim")
Uow = TypeVar("Uow", bound=UnitOfWork)


class LogContext(Protocol):
    """Fields every log line of the turn carries (``bot.logs.turn_context``); the turn
    adds the claim it is about to the dict it is given."""

    def __call__(
        self, *, channel: str, message_id: str
    ) -> AbstractContextManager[dict[str, Any]]: ...


@contextlib.contextmanager
def no_log_context(*, channel: str, message_id: str) -> Iterator[dict[str, Any]]:
    yield {}


class TurnDelivery(Protocol[Claim]):
    """The outbox dispatcher, as a turn sees it (scheduler/dispatcher.py)."""

    def in_turn(self, uow: UnitOfWork, chats: Collection[tuple[str, str]]) -> Claim | None: ...

    def committed(self, claim: Claim) -> None: ...

    def rolled_back(self, claim: Claim) -> None: ...


def reply_turn(channel: str, idempotency_key: str) -> str | None:
    """The turn an outbox row answered in its own chat (its inbound message, as the key
    written below names it); None for a notice, a timer's or a person's message."""
    head, _, index = idempotency_key.rpartition(":")
    if not index.isdigit() or not head.startswith(f"{channel}:"):
        return None
    return head


@dataclass(frozen=True)
class TurnOutcome:
    duplicate: bool
    replies: tuple[Outbound, ...] = ()  # to the sender's chat
    notices: tuple[Outbound, ...] = ()  # to other parties


class ConversationEngine(Generic[Uow]):
    """Turns on the units of work ``units`` opens (the SQL database, in the product)."""

    def __init__(
        self,
        units: UnitOfWorkFactory[Uow],
        *,
        clock: Clock,
        tz: tzinfo,
        lexicon: Lexicon,
        locales: tuple[str, ...],
        default_locale: str,
        resume_after: timedelta,
        rules: AdjudicationRules | None = None,
        booking_rules: BookingRules | None = None,
        status_base_url: str = "",
        limits: Limits | None = None,
        retention_days: int = 730,
        hotline: str = "",
        handoff_wait_minutes: int = 5,
        log_context: LogContext = no_log_context,
    ) -> None:
        self._retention_days = retention_days
        self._units = units
        self._log_context = log_context
        self._status_base_url = status_base_url  # owners' messages link their status page
        self._clock = clock
        self._tz = tz
        self._lexicon = lexicon
        self._locales = locales
        self._default_locale = default_locale
        self._resume_after = resume_after
        self._rules = rules or AdjudicationRules()
        self._booking_rules = booking_rules or BookingRules()
        self._limits = limits or Limits()
        self._listeners: list[Callable[[], None]] = []
        self._turn_listeners: list[Callable[[str, float], None]] = []
        self._delivery: TurnDelivery[Any] | None = None
        self._hotline = hotline
        self._handoff_wait_minutes = handoff_wait_minutes
        self._quick_deal: Callable[[Uow], QuickDealServices] | None = None
        self._small_claim: Callable[[Uow], SmallClaimServices] | None = None

    def use_quick_deal(self, services: Callable[[Uow], QuickDealServices]) -> None:
        """快处快赔's QR codes and agreement documents, on each turn's unit of work."""
        self._quick_deal = services

    def use_small_claim(self, services: Callable[[Uow], SmallClaimServices]) -> None:
        """小额快赔's price list, fraud signals, decisions and payments, on each turn."""
        self._small_claim = services

    def on_outbox(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every turn that committed outbox rows (wakes the dispatcher)."""
        self._listeners.append(listener)

    def deliver_through(self, delivery: TurnDelivery[Any] | None) -> None:
        """Let each turn claim its own outbox rows in its transaction and hand them to
        `delivery` after the commit (the running dispatcher); None: wake it instead."""
        self._delivery = delivery

    def on_turn(self, listener: Callable[[str, float], None]) -> None:
        """Call `listener(channel, seconds)` after every turn processed (not duplicates)."""
        self._turn_listeners.append(listener)

    def outbox_written(self) -> None:
        """Wake the listeners: rows were committed to the outbox (also by the dashboard)."""
        for listener in self._listeners:
            listener()

    def process(self, inbound: Inbound) -> TurnOutcome:
        started = time.perf_counter()
        with self._log_context(channel=inbound.channel, message_id=inbound.message_id) as context:
            outcome = self._process(inbound, context)
            if not outcome.duplicate:
                seconds = time.perf_counter() - started
                log.debug("turn %s", inbound.kind.value, extra={"ms": round(seconds * 1000, 2)})
                for turn_listener in self._turn_listeners:
                    turn_listener(inbound.channel, seconds)
        return outcome

    def _process(self, inbound: Inbound, context: dict[str, Any]) -> TurnOutcome:
        now = self._clock.now()
        with self._units.unit_of_work() as uow:
            if not uow.inbound.first_time(inbound.channel, inbound.message_id, now):
                return TurnOutcome(duplicate=True)
            conv, record = self._load(uow, inbound)
            ctx = TurnContext(
                uow=uow,
                now=now,
                tz=self._tz,
                lexicon=self._lexicon,
                locales=self._locales,
                resume_after=self._resume_after,
                rules=self._rules,
                booking=self._booking_rules,
                limits=self._limits,
                public_url=self._status_base_url,
                retention_days=self._retention_days,
                hotline=self._hotline,
                handoff_wait_minutes=self._handoff_wait_minutes,
                channel=inbound.channel,
                quick_deal=self._quick_deal(uow) if self._quick_deal is not None else None,
                small_claim=self._small_claim(uow) if self._small_claim is not None else None,
            )
            outs = handle_turn(conv, inbound, ctx, self._pushed(uow, conv, inbound))
            replies = [out for out in outs if out.to_party in (None, conv.party_id)]
            notices = [out for out in outs if out.to_party not in (None, conv.party_id)]
            payloads = [reply.to_payload() for reply in replies]
            claims = [number for payload in payloads for number in claim_numbers(payload)]
            if claims:  # the claim this turn is about, for the log lines
                context["claim"] = claims[0]
            self._save(uow, conv, record, inbound)
            items = [
                OutboxItem(
                    channel=inbound.channel,
                    chat_id=inbound.chat_id,
                    locale=conv.locale,
                    payload=payload,
                    idempotency_key=f"{inbound.channel}:{inbound.message_id}:{index}",
                    party_id=conv.party_id,
                )
                for index, payload in enumerate(payloads)
            ] + self._notices(uow, inbound, notices)
            # an owner's message naming their claim links its status page
            uow.outbox.add(uow.with_status_links(items, self._status_base_url), now)
            delivery = self._delivery
            claim = None
            if items and delivery is not None:  # the turn claims its own rows to send
                claim = delivery.in_turn(uow, {(item.channel, item.chat_id) for item in items})
            try:
                uow.commit()
            except BaseException:
                if claim is not None and delivery is not None:
                    delivery.rolled_back(claim)
                raise
        if claim is not None and delivery is not None:
            delivery.committed(claim)
        elif replies or notices:
            self.outbox_written()
        return TurnOutcome(duplicate=False, replies=tuple(replies), notices=tuple(notices))

    def _pushed(self, uow: UnitOfWork, conv: Conversation, inbound: Inbound) -> tuple[str, ...]:
        """The choices of a card delivered to this chat since its last turn (another
        party's notice, a timer's reminder): a typed number answers the latest list shown."""
        if not wants_pushed(conv, inbound):
            return ()
        pushed = uow.pushed_choices
        return pushed.latest(inbound.channel, inbound.chat_id, conv.last_activity)

    def _notices(
        self, uow: UnitOfWork, inbound: Inbound, notices: list[Outbound]
    ) -> list[OutboxItem]:
        """One outbox row per notice and channel identity of its recipient."""
        items: list[OutboxItem] = []
        parties = [notice.to_party for notice in notices if notice.to_party is not None]
        reached = uow.recipients.of_parties(parties) if parties else {}
        for index, notice in enumerate(notices):
            party = notice.to_party
            assert party is not None
            for position, recipient in enumerate(reached[party]):
                locale = recipient.locale
                items.append(
                    OutboxItem(
                        channel=recipient.channel,
                        chat_id=recipient.chat_id,
                        locale=locale if locale in self._locales else self._default_locale,
                        payload=notice.to_payload(),
                        idempotency_key=(
                            f"{inbound.channel}:{inbound.message_id}:n{index}:{party}.{position}"
                        ),
                        party_id=party,
                    )
                )
        return items

    def _load(
        self, uow: UnitOfWork, inbound: Inbound
    ) -> tuple[Conversation, ConversationRecord | None]:
        first_locale = locale_for(inbound.language_hint, self._default_locale)
        party, record = uow.turn_start(
            inbound.channel, inbound.user_id, inbound.chat_id, locale=first_locale
        )
        if record is None:
            conv = Conversation(party_id=party.id, locale=party.locale or first_locale)
        else:
            conv = Conversation(
                party_id=party.id,
                locale=record.locale,
                dialog=record.dialog,
                state=record.state,
                slots=record.slots,
                last_activity=record.last_activity,
            )
        return conv, record

    def _save(
        self,
        uow: UnitOfWork,
        conv: Conversation,
        record: ConversationRecord | None,
        inbound: Inbound,
    ) -> None:
        if record is not None and record.locale != conv.locale:
            uow.parties.set_locale(conv.party_id, conv.locale)
        uow.conversations.save(
            ConversationRecord(
                id=record.id if record else None,
                channel=inbound.channel,
                chat_id=inbound.chat_id,
                party_id=conv.party_id,
                dialog=conv.dialog,
                state=conv.state,
                slots=conv.slots,
                locale=conv.locale,
                last_activity=conv.last_activity,
            ),
            loaded=record,
        )
