"""Test setup: a claim's documents checklist complete before a proposal or payment
(《保险法》 第二十二条: every proposal waits for it). The route's checklist is asked and each
item waived, straight through the domain (no message to anyone), as an adjuster who has
the papers would."""

from __future__ import annotations

from typing import Any

from domain.adjudication import PaymentRoute
from domain.claim_documents import ask_documents, claim_checklist, route_of_claim, waive_document
from domain.ports import UnitOfWork

SETUP = "test:setup"


def complete_documents(uow: UnitOfWork, number: str, payment: str = "owner") -> None:
    claim = uow.claims.get_for_update(number)
    assert claim is not None, number
    at = claim.timeline[-1].at
    route = route_of_claim(claim, PaymentRoute(payment))
    current = claim_checklist(claim)
    if current is None or current.route != route:
        current = ask_documents(claim, route, at, SETUP)
    for item in current.missing:
        waive_document(claim, item, "单证已核对", at, SETUP)
    uow.claims.save(claim)


def complete_documents_in(container: Any, number: str, payment: str = "owner") -> None:
    """The same on a container's database, or a database (committed)."""
    database = getattr(container, "database", container)
    with database.unit_of_work() as uow:
        complete_documents(uow, number, payment)
        uow.commit()
