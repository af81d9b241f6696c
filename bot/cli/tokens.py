"""``claimbot token create|revoke|list``: API and dashboard tokens from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.links import public_base_url
from bot.settings import Settings
from domain.clock import SystemClock
from storage.db import Database
from storage.repositories.api_tokens import (
    ApiToken,
    Scope,
    UnknownShop,
    UnknownStaff,
)


class ScopeError(ValueError):
    pass


def parse_scope(text: str) -> tuple[Scope, str | None]:
    """``insurer`` or ``shop:CODE``."""
    if text == "insurer":
        return "insurer", None
    kind, _, code = text.partition(":")
    if kind == "shop" and code.strip():
        return "shop", code.strip()
    raise ScopeError("--scope is insurer or shop:CODE, e.g. shop:SHOP-PD-01")


def run_token_command(
    args: argparse.Namespace, settings: Settings, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    database = Database(settings.database_url)
    try:
        if args.token_command == "create":
            return _create(database, args, settings, out)
        if args.token_command == "revoke":
            return _revoke(database, args.id, out)
        return _list(database, settings, out)
    finally:
        database.dispose()


def _create(database: Database, args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    try:
        scope, shop_code = parse_scope(args.scope)
    except ScopeError as exc:
        print(f"claimbot token create: {exc}", file=sys.stderr)
        return 2
    try:
        with database.unit_of_work() as uow:
            raw, token = uow.api_tokens.create(
                scope, shop_code, args.label, SystemClock().now(), args.staff
            )
            uow.commit()
    except UnknownShop:
        print(f"claimbot token create: no shop {shop_code!r} (import it first)", file=sys.stderr)
        return 2
    except UnknownStaff as exc:
        print(f"claimbot token create: no staff member {exc}", file=sys.stderr)
        return 2
    print(f"token: {raw}", file=out)
    print(f"id: {token.id}, scope: {_scope(token)}", file=out)
    print("shown once: store it now (only its hash is kept)", file=out)
    api = f"{public_base_url(settings)}/api/claims"
    print(f"use: curl -H 'Authorization: Bearer {raw}' {api}", file=out)
    return 0


def _revoke(database: Database, token_id: int, out: TextIO) -> int:
    with database.unit_of_work() as uow:
        revoked = uow.api_tokens.revoke(token_id, SystemClock().now())
        uow.commit()
    if not revoked:
        print(f"claimbot token revoke: no active token {token_id}", file=sys.stderr)
        return 1
    print(f"token {token_id} revoked", file=out)
    return 0


def _list(database: Database, settings: Settings, out: TextIO) -> int:
    with database.unit_of_work() as uow:
        tokens = uow.api_tokens.all_tokens()
    tz = settings.tz
    for token in tokens:
        last = token.last_used_at
        used = "never" if last is None else f"{last.astimezone(tz):%F %R}"
        state = "active" if token.active else "revoked"
        label = token.label or "-"
        created = f"{token.created_at.astimezone(tz):%F %R}"
        print(
            f"{token.id}\t{_scope(token)}\t{state}\t{label}\tcreated {created}\tused {used}",
            file=out,
        )
    return 0


def _scope(token: ApiToken) -> str:
    if token.shop_code is not None:
        return f"shop:{token.shop_code}"
    return "insurer" if token.staff_code is None else f"insurer (staff {token.staff_code})"
