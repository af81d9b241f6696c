"""A claim's documents checklist (索赔单证, ``domain.documents``), kept on its timeline.

The adjuster asks once for the route's whole checklist (《保险法》 第二十二条: once, all at
once); the owner files each upload against the item they pick; the adjuster may waive an
item with a reason. The instant the last item came in (or was waived) is recorded: the
decision clock (``domain.statutory_clocks``) starts from it. Once asked, a proposal and a
payment wait until the checklist is complete.

Timeline notes: ``docs_asked`` "<payment> <injuries|none> <handling>", ``doc_received``
"<item> <media id> …", ``doc_waived`` "<item> <reason>", ``docs_complete`` "".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.adjudication import MAX_NOTE, PaymentRoute
from domain.claim import Action, Claim, StatusChange
from domain.documents import Document, Handling, Route, checklist
from domain.errors import ReasonRequired, Refusal, TextTooLong


class DocStep(StrEnum):
    ASKED = "docs_asked"
    RECEIVED = "doc_received"
    WAIVED = "doc_waived"
    COMPLETE = "docs_complete"


class DocumentsMissing(Refusal):
    """A proposal or payment before the checklist is complete (params: number, missing —
    the items' values)."""

    reason = "documents_missing"


class DocumentsAlreadyAsked(Refusal):
    """The checklist was asked for already, on the same route (params: number)."""

    reason = "documents_already_asked"


class NotOnChecklist(Refusal):
    """An item that is not (or no longer) missing from the checklist (params: number)."""

    reason = "not_on_checklist"


class NoChecklist(Refusal):
    """No checklist was asked for on the claim (params: number)."""

    reason = "no_checklist"


@dataclass
class ClaimChecklist:
    route: Route
    asked_at: datetime
    received: dict[Document, list[int]] = field(default_factory=dict)
    waived: dict[Document, str] = field(default_factory=dict)
    complete_at: datetime | None = None

    @property
    def items(self) -> tuple[Document, ...]:
        return checklist(self.route)

    @property
    def missing(self) -> tuple[Document, ...]:
        return tuple(i for i in self.items if i not in self.received and i not in self.waived)


def _route_note(route: Route) -> str:
    injuries = "injuries" if route.injuries else "none"
    return f"{route.payment.value} {injuries} {route.handling.value}"


def _route(note: str) -> Route:
    payment, injuries, handling = note.split()[:3]
    return Route(PaymentRoute(payment), injuries == "injuries", Handling(handling))


def claim_checklist(claim: Claim) -> ClaimChecklist | None:
    """The checklist as the timeline records it (the latest one asked), or None."""
    found: ClaimChecklist | None = None
    for change in claim.timeline:
        if change.action == DocStep.ASKED:
            found = ClaimChecklist(_route(change.note), change.at)
        elif found is None:
            continue
        elif change.action == DocStep.RECEIVED:
            item, *media = change.note.split()
            found.received.setdefault(Document(item), []).extend(int(m) for m in media)
        elif change.action == DocStep.WAIVED:
            item, _, reason = change.note.partition(" ")
            found.waived[Document(item)] = reason
        elif change.action == DocStep.COMPLETE:
            found.complete_at = change.at
    return found


def documents_complete_at(claim: Claim) -> datetime | None:
    found = claim_checklist(claim)
    return None if found is None else found.complete_at


def _entry(claim: Claim, step: DocStep, at: datetime, actor: str, note: str) -> None:
    claim.timeline.append(StatusChange(at, claim.status, claim.status, actor, note, step))


def ask_documents(claim: Claim, route: Route, at: datetime, actor: str) -> ClaimChecklist:
    """Ask for the route's whole checklist; again only when the route changed."""
    claim.require_stage(Action.ASK)
    current = claim_checklist(claim)
    if current is not None and current.route == route:
        raise DocumentsAlreadyAsked(number=claim.number)
    kept = current.received if current is not None else {}
    _entry(claim, DocStep.ASKED, at, actor, _route_note(route))
    for item, media in kept.items():  # what came in before still counts
        if item in checklist(route):
            _entry(claim, DocStep.RECEIVED, at, actor, " ".join([item.value, *map(str, media)]))
    return _settle_completion(claim, at, actor)


def file_document(
    claim: Claim, item: Document, media_ids: Sequence[int], at: datetime, actor: str
) -> ClaimChecklist:
    """The owner's upload, filed against the item they picked."""
    claim.require_stage(Action.EVIDENCE)
    current = _required(claim)
    if item not in current.missing or not media_ids:
        raise NotOnChecklist(number=claim.number)
    _entry(claim, DocStep.RECEIVED, at, actor, " ".join([item.value, *map(str, media_ids)]))
    return _settle_completion(claim, at, actor)


def record_payee(claim: Claim, at: datetime, actor: str) -> ClaimChecklist:
    """The payee's bank card given in words (the fast lane asks for its number, not a
    photo): the 银行卡 item is received with no upload."""
    claim.require_stage(Action.EVIDENCE)
    if Document.BANK_CARD not in _required(claim).missing:
        raise NotOnChecklist(number=claim.number)
    _entry(claim, DocStep.RECEIVED, at, actor, Document.BANK_CARD.value)
    return _settle_completion(claim, at, actor)


def waive_document(
    claim: Claim, item: Document, reason: str, at: datetime, actor: str
) -> ClaimChecklist:
    claim.require_stage(Action.ASK)
    current = _required(claim)
    if item not in current.missing:
        raise NotOnChecklist(number=claim.number)
    cleaned = reason.strip()
    if len(cleaned) < 2:
        raise ReasonRequired()
    if len(cleaned) > MAX_NOTE:
        raise TextTooLong(max=MAX_NOTE)
    _entry(claim, DocStep.WAIVED, at, actor, f"{item.value} {cleaned}")
    return _settle_completion(claim, at, actor)


def route_of_claim(claim: Claim, payment: PaymentRoute) -> Route:
    """The checklist's route of a claim paid by ``payment``: injuries from the report; the
    快处快赔 agreement when the liability came from one (and nobody was hurt), else the
    police finding."""
    injuries = bool(claim.report.injuries)
    finding = claim.adjudication.liability
    agreed = finding is not None and finding.note.startswith("source=agreement")
    handling = Handling.FAST if agreed and not injuries else Handling.POLICE
    return Route(payment, injuries, handling)


def require_documents(claim: Claim, payment: PaymentRoute | None = None) -> None:
    """Refuse a proposal or payment until the checklist is complete (《保险法》 第二十二条):
    one never asked for is missing whole (the route's, for ``payment``)."""
    current = claim_checklist(claim)
    if current is None:
        items = checklist(route_of_claim(claim, payment or PaymentRoute.OWNER))
        raise DocumentsMissing(number=claim.number, missing=[item.value for item in items])
    if current.missing:
        raise DocumentsMissing(
            number=claim.number, missing=[item.value for item in current.missing]
        )


def _required(claim: Claim) -> ClaimChecklist:
    current = claim_checklist(claim)
    if current is None:
        raise NoChecklist(number=claim.number)
    return current


def _settle_completion(claim: Claim, at: datetime, actor: str) -> ClaimChecklist:
    current = _required(claim)
    if not current.missing and current.complete_at is None:
        _entry(claim, DocStep.COMPLETE, at, actor, "")
        current.complete_at = at
    return current
