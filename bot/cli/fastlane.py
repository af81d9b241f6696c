"""``claimbot fastlane check NUMBER``: the fast lane's decision on a stored claim, as JSON.

For an adjuster or a supervisor: every reason the claim is not for the fast lane (each in
the default locale's words too), the fraud signals, and the estimate of the parts given
with ``--parts`` from the imported price list. Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.settings import Settings
from domain.claim import Claim
from domain.clock import SystemClock
from domain.errors import Refusal
from domain.fast_lane import FastLaneDecision, Reason, assess, sampled_for_review
from domain.fast_lane_case import case_for_claim
from domain.fraud_signals import FraudFacts, fraud_signals
from domain.money import Money
from domain.policy import Policy
from domain.price_list import Estimate, PickedPart, PriceList, RepairMode, estimate
from locales.catalog import Catalogs
from storage.db import Database
from storage.uow import SqlUnitOfWork


def add_fastlane_parser(commands: Any) -> None:
    fastlane = commands.add_parser("fastlane", help="the fast lane's rules (docs/fastlane.md)")
    sub = fastlane.add_subparsers(dest="fastlane_command", required=True)
    check = sub.add_parser("check", help="may this claim be proposed without an adjuster?")
    check.add_argument("number", help="the claim number, e.g. BA2026112500001")
    check.add_argument(
        "--parts",
        default="",
        help="damaged parts from the price list, comma-separated; code:repair to repair one",
    )
    check.add_argument(
        "--agreed", action="store_true", help="the drivers confirmed a 快处快赔 agreement"
    )
    check.add_argument(
        "--record",
        action="store_true",
        help="record the decision as the fast lane's own (sampled for a supervisor's review)",
    )
    check.add_argument(
        "--outside-property",
        choices=["yes", "no"],
        help="was property outside the vehicles damaged (unset: not stated)",
    )


def run_fastlane(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        picks = _picks(args.parts)
    except ValueError as exc:
        print(f"claimbot fastlane: --parts: {exc}", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as uow:
            claim = uow.claims.get(args.number.strip().upper())
            policy = uow.policies.by_number(claim.policy_number) if claim else None
            if claim is None or policy is None:
                print(f"claimbot fastlane: no claim {args.number!r}", file=sys.stderr)
                return 2
            facts = uow.fraud.facts(
                claim, policy, settings.fraud_rules, settings.tz, settings.fraud_photo_lookback
            )
            prices = uow.price_list.load()
            decision, report = _decide(args, settings, claim, policy, facts, prices, picks)
            if args.record:
                report["recorded"] = _record(uow, claim.number, decision, settings)
                uow.commit()
    finally:
        database.dispose()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def _record(
    uow: SqlUnitOfWork, number: str, decision: FastLaneDecision, settings: Settings
) -> dict[str, Any]:
    sampled = sampled_for_review(number, settings.fast_sample_percent)
    row_id = uow.fastlane_decisions.record(
        number, decision, SystemClock().now(), sampled=sampled
    )
    return {"id": row_id, "sampled": sampled}


def _decide(
    args: argparse.Namespace,
    settings: Settings,
    claim: Claim,
    policy: Policy,
    facts: FraudFacts,
    prices: PriceList,
    picks: list[PickedPart],
) -> tuple[FastLaneDecision, dict[str, Any]]:
    quote: Estimate | None = None
    refusal: Refusal | None = None
    if picks:
        try:
            quote = estimate(prices, prices.car_class(policy.vehicle.make), picks)
        except Refusal as exc:
            refusal = exc
    outside = None if args.outside_property is None else args.outside_property == "yes"
    signals = fraud_signals(facts, settings.fraud_rules)
    case = case_for_claim(
        claim,
        policy,
        settings.tz,
        estimate=quote.total if quote else None,
        liability_agreed=args.agreed,
        outside_property=outside,
        fraud_signals=signals,
    )
    decision = assess(case, settings.fast_lane_rules)
    return decision, _report(decision, quote, refusal, Catalogs(settings.tz), settings)


def _picks(text: str) -> list[PickedPart]:
    picks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, _, mode = item.partition(":")
        try:
            picks.append(PickedPart(code, RepairMode(mode or RepairMode.REPLACE)))
        except ValueError:
            raise ValueError(f"{item!r}: replace or repair expected after the colon") from None
    return picks


def _report(
    decision: FastLaneDecision,
    quote: Estimate | None,
    refusal: Refusal | None,
    catalogs: Catalogs,
    settings: Settings,
) -> dict[str, Any]:
    locale = settings.default_locale

    def words(reason: Reason) -> str:
        params = {
            "days": settings.fast_min_policy_days,
            "amount": Money.from_yuan(settings.fast_max_amount).yuan(),
        }
        return catalogs.render(locale, f"fastlane.reason.{reason.value}", params)

    return {
        "eligible": decision.eligible,
        "route": decision.route,
        "rule_version": decision.rule_version,
        "reasons": [{"code": r.value, "text": words(r)} for r in decision.reasons],
        "fraud_signals": [
            {**signal, "text": catalogs.render(locale, f"fastlane.signal.{signal['kind']}", signal)}
            for signal in (s.as_dict() for s in decision.fraud_signals)
        ],
        "estimate": None
        if quote is None
        else {
            "car_class": quote.car_class,
            "total": quote.total.yuan(),
            "lines": [
                {"part": line.part, "kind": line.kind.value, "amount": line.amount.yuan()}
                for line in quote.lines
            ],
        },
        "estimate_refusal": None
        if refusal is None
        else {
            "reason": refusal.reason,
            "text": catalogs.render(
                locale, f"fastlane.estimate.refusal.{refusal.reason}", refusal.params
            ),
        },
        "inputs": decision.inputs,
    }
