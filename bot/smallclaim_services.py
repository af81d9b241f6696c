"""What a 小额快赔 turn needs from storage (``domain.small_claim_ports.SmallClaimServices``),
the payment ports (a file, a webhook; no real bank), the hand-off of recorded
instructions to the port after their turn committed, and the payment's confirmation."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import httpx

from bot.settings import Settings
from domain.claim import Claim, ClaimStatus
from domain.claim_documents import require_documents
from domain.clock import Clock
from domain.errors import Refusal
from domain.fast_lane import FastLaneDecision, FastLaneRules, sampled_for_review
from domain.fraud_signals import FraudRules, FraudSignal, fraud_signals
from domain.policy import Policy
from domain.price_list import PriceList
from domain.small_claim import PaymentInstruction
from domain.small_claim_ports import PaymentPort, SmallClaimServices
from messages.outbound import Outbound
from storage.db import Database
from storage.records import OutboxItem
from storage.uow import SqlUnitOfWork

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Claimbot-Signature"  # hex HMAC-SHA256 of the body
CONFIRMER = "system:payment"


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FilePaymentPort(PaymentPort):
    """Each instruction a JSON line appended to a file (for a bank's batch upload)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def send(self, message: dict[str, object]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(message, ensure_ascii=False, sort_keys=True) + "\n")


class WebhookPaymentPort(PaymentPort):
    """Each instruction POSTed as JSON, signed; any answer but 2xx is tried again later."""

    def __init__(self, url: str, secret: str, timeout: float = 5.0) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout

    def send(self, message: dict[str, object]) -> None:
        body = json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers[SIGNATURE_HEADER] = signature(self._secret, body)
        response = httpx.post(self._url, content=body, headers=headers, timeout=self._timeout)
        response.raise_for_status()


def payment_port(settings: Settings) -> PaymentPort:
    """The port CLAIMBOT_PAYMENT_PORT names."""
    if settings.payment_port == "webhook":
        if not settings.payment_webhook_url:
            raise ValueError("CLAIMBOT_PAYMENT_PORT=webhook needs CLAIMBOT_PAYMENT_WEBHOOK_URL")
        return WebhookPaymentPort(settings.payment_webhook_url, settings.payment_webhook_secret)
    return FilePaymentPort(payment_file(settings))


def payment_file(settings: Settings) -> Path:
    return settings.payment_file or settings.media_dir.parent / "payment_instructions.jsonl"


@dataclass
class SmallClaimKit:
    """What outlives a turn; ``for_turn`` gives the port on a turn's unit of work."""

    database: Database
    clock: Clock
    port: PaymentPort
    rules: FastLaneRules
    fraud: FraudRules
    tz: tzinfo
    photo_lookback: timedelta
    sample_percent: int
    _due: threading.Event = field(default_factory=threading.Event)

    def for_turn(self, uow: SqlUnitOfWork) -> SmallClaimServices:
        return TurnSmallClaimServices(self, uow)

    def after_turn(self, channel: str = "", seconds: float = 0.0) -> None:
        """Hand recorded instructions to the port once a turn that recorded one committed."""
        if self._due.is_set():
            self._due.clear()
            self.hand_off()

    def hand_off(self) -> int:
        """Every instruction not yet handed over, to the port; how many went. One the port
        refuses stays recorded and goes with the next hand-off (or ``claimbot payment send``)."""
        sent = 0
        with self.database.unit_of_work() as uow:
            store = uow.payment_instructions
            for instruction in store.unsent():
                try:
                    self.port.send(instruction.as_message())
                except Exception:  # the port's failure must not lose the instruction
                    log.warning("payment port refused %s", instruction.claim_number, exc_info=True)
                    store.failed(instruction.claim_number)
                    continue
                store.mark_sent(instruction.claim_number, self.clock.now())
                sent += 1
            uow.commit()
        return sent


class TurnSmallClaimServices(SmallClaimServices):
    def __init__(self, kit: SmallClaimKit, uow: SqlUnitOfWork) -> None:
        self._kit = kit
        self._uow = uow
        self.rules = kit.rules

    def price_list(self) -> PriceList:
        return self._uow.price_list.load()

    def fraud_signals(self, claim: Claim, policy: Policy) -> list[FraudSignal]:
        kit = self._kit
        facts = self._uow.fraud.facts(
            claim, policy, kit.fraud, kit.tz, kit.photo_lookback
        )
        return list(fraud_signals(facts, kit.fraud))

    def record_decision(self, number: str, decision: FastLaneDecision, at: datetime) -> bool:
        sampled = sampled_for_review(number, self._kit.sample_percent)
        self._uow.fastlane_decisions.record(number, decision, at, sampled=sampled)
        return sampled

    def instruction(self, number: str) -> PaymentInstruction | None:
        return self._uow.payment_instructions.get(number)

    def add_instruction(self, instruction: PaymentInstruction) -> bool:
        added = self._uow.payment_instructions.add(instruction)
        if added:
            self._kit._due.set()
        return added


class PaymentNotConfirmed(Refusal):
    """No instruction to confirm, or the claim cannot be paid (params: number, problem)."""

    reason = "payment_not_confirmed"


def confirm_payment(
    database: Database, number: str, reference: str, now: datetime, locales: tuple[str, ...]
) -> bool:
    """The port's confirmation: the claim is paid and closed, the owner told. False when
    it was confirmed before (nothing changes); PaymentNotConfirmed when nothing can be."""
    with database.unit_of_work() as uow:
        store = uow.payment_instructions
        instruction = store.get(number)
        claim = uow.claims.get_for_update(number)
        if instruction is None or claim is None:
            raise PaymentNotConfirmed(number=number, problem="no_instruction")
        if not store.confirm(number, reference, now):
            return False
        if claim.status is not ClaimStatus.AGREED:
            raise PaymentNotConfirmed(number=number, problem=claim.status.value)
        require_documents(claim)
        claim.record_payment(instruction.amount, reference or "port", now, CONFIRMER)
        uow.claims.save(claim)
        notice = Outbound(
            "smallclaim.paid",
            {
                "number": number,
                "amount": instruction.amount.yuan(),
                "card": instruction.masked_card,
            },
        )
        items = [
            OutboxItem(
                channel=recipient.channel,
                chat_id=recipient.chat_id,
                locale=recipient.locale if recipient.locale in locales else locales[0],
                payload=notice.to_payload(),
                idempotency_key=f"payment:{number}:{recipient.channel}:{recipient.chat_id}",
                party_id=claim.owner_id,
            )
            for recipient in uow.recipients.of_party(claim.owner_id)
        ]
        uow.outbox.add(items, now)
        uow.commit()
    return True
