"""The claim documents checklist (索赔单证), per route.

What an owner must provide depends on how the claim is paid (报销: the owner is paid and
shows the repair invoice and a bank card; 直赔: the insurer pays the shop, on the owner's
authorisation, against the shop's invoice), on whether anyone was injured, and on how
liability was established (快处快赔: the agreement; otherwise the police finding).
The checklist is asked for once and all at once (《保险法》 第二十二条); an adjuster may
waive an item with a reason.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from domain.adjudication import PaymentRoute


class Document(StrEnum):
    """Labels: ``documents.item.<value>`` (locales/*/fastlane.yaml)."""

    DRIVING_LICENCE = "driving_licence"  # 驾驶证
    VEHICLE_LICENCE = "vehicle_licence"  # 行驶证
    ID_CARD = "id_card"  # 身份证
    BANK_CARD = "bank_card"  # 银行卡 (the payee's)
    POLICE_FINDING = "police_finding"  # 道路交通事故认定书
    AGREEMENT = "agreement"  # 快处快赔协议书
    REPAIR_INVOICE = "repair_invoice"  # 维修发票
    DIRECT_PAY_AUTHORISATION = "direct_pay_authorisation"  # 直赔授权书
    MEDICAL_RECORDS = "medical_records"  # 病历、诊断证明
    MEDICAL_INVOICES = "medical_invoices"  # 医疗费发票及费用清单


class Handling(StrEnum):
    FAST = "fast"  # 快处快赔: the drivers' agreement
    POLICE = "police"  # the traffic police's finding


class FastHandlingWithInjuries(ValueError):
    """快处快赔 is for accidents with property damage only."""


@dataclass(frozen=True)
class Route:
    payment: PaymentRoute  # OWNER: 报销; SHOP: 直赔
    injuries: bool
    handling: Handling

    def __post_init__(self) -> None:
        if self.injuries and self.handling is Handling.FAST:
            raise FastHandlingWithInjuries("快处快赔 is for property-only accidents")


_ALWAYS = (Document.DRIVING_LICENCE, Document.VEHICLE_LICENCE, Document.ID_CARD)


def checklist(route: Route) -> tuple[Document, ...]:
    """The documents of a route, in the order they are asked for."""
    items = list(_ALWAYS)
    items.append(Document.AGREEMENT if route.handling is Handling.FAST else Document.POLICE_FINDING)
    if route.payment is PaymentRoute.OWNER:
        items += [Document.REPAIR_INVOICE, Document.BANK_CARD]
    else:
        items += [Document.REPAIR_INVOICE, Document.DIRECT_PAY_AUTHORISATION]
    if route.injuries:
        items += [Document.MEDICAL_RECORDS, Document.MEDICAL_INVOICES]
    return tuple(items)


def missing(
    route: Route, received: Collection[Document], waived: Collection[Document] = ()
) -> tuple[Document, ...]:
    """What is still to come, in checklist order: neither received nor waived."""
    return tuple(item for item in checklist(route) if item not in received and item not in waived)


def complete(
    route: Route, received: Collection[Document], waived: Collection[Document] = ()
) -> bool:
    """A proposal or a payment waits until this holds."""
    return not missing(route, received, waived)
