"""``claimbot payment``: the 小额快赔 payment port from the command line.

- ``claimbot payment send``: hand every recorded instruction not yet handed over to the
  configured port (``CLAIMBOT_PAYMENT_PORT``), e.g. after the webhook was down;
- ``claimbot payment confirm NUMBER [--reference REF]``: the bank confirmed the payment:
  the claim is paid and closed, and the owner told.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from bot.settings import Settings
from bot.smallclaim_services import (
    PaymentNotConfirmed,
    SmallClaimKit,
    confirm_payment,
    payment_port,
)
from domain.clock import SystemClock
from locales.catalog import Catalogs
from storage.db import Database


def add_payment_parser(commands: Any) -> None:
    payment = commands.add_parser("payment", help="小额快赔 payment instructions")
    sub = payment.add_subparsers(dest="payment_command", required=True)
    sub.add_parser("send", help="hand recorded instructions to the payment port")
    confirm = sub.add_parser("confirm", help="the payment of a claim arrived: close the claim")
    confirm.add_argument("number", help="the claim number, e.g. BA2026112500001")
    confirm.add_argument("--reference", default="", help="the bank's reference")


def run_payment(args: argparse.Namespace) -> int:
    settings = Settings()
    database = Database(settings.database_url)
    clock = SystemClock()
    try:
        if args.payment_command == "send":
            kit = SmallClaimKit(
                database,
                clock,
                payment_port(settings),
                settings.fast_lane_rules,
                settings.fraud_rules,
                settings.tz,
                timedelta(days=settings.fraud_photo_lookback_days),
                settings.fast_sample_percent,
            )
            print(f"claimbot payment: {kit.hand_off()} instruction(s) sent")
            return 0
        number = args.number.strip().upper()
        locales = Catalogs(settings.tz).locales
        try:
            closed = confirm_payment(database, number, args.reference, clock.now(), locales)
        except PaymentNotConfirmed as refused:
            print(f"claimbot payment: {number}: {refused.params['problem']}", file=sys.stderr)
            return 2
        print(f"claimbot payment: {number} {'paid and closed' if closed else 'already confirmed'}")
        return 0
    finally:
        database.dispose()
