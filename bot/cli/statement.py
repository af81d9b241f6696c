"""``claimbot statement ACCIDENT.yaml [--format text|json] [--lang zh_CN|en]``: the
settlement statement of a described accident, with no database (an adjuster's calculator;
docs/settlement.md). Bad input is one line on standard error and exit status 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml


def add_statement_parser(commands: Any) -> None:
    statement = commands.add_parser(
        "statement", help="settle a described accident (YAML) into a statement, no database"
    )
    statement.add_argument("file", type=Path, help="the accident (examples/accident.yaml)")
    statement.add_argument(
        "--format", choices=["text", "json"], default="text", help="text (worded) or json"
    )
    statement.add_argument(
        "--lang", choices=["zh_CN", "en"], help="default CLAIMBOT_DEFAULT_LOCALE"
    )


def run_statement(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.settlement_view import (
        StatementWords,
        statement_document,
        statement_text,
    )
    from domain.money import with_amounts
    from domain.settlement import InvalidAccident, read_accident, settle
    from locales.catalog import Catalogs

    settings = Settings()
    catalogs = Catalogs(settings.tz)
    locale = args.lang or settings.default_locale
    try:
        data = _load(args.file)
    except _Unreadable as exc:
        print(f"claimbot statement: {args.file}: {exc}", file=sys.stderr)
        return 2
    rules = settings.settlement_rules
    try:
        statement = settle(read_accident(data, rules), rules)
    except InvalidAccident as exc:
        reason = catalogs.render(locale, f"settlement.error.{exc.reason}", with_amounts(exc.params))
        print(f"claimbot statement: {args.file}: {reason}", file=sys.stderr)
        return 2
    words = StatementWords(catalogs, locale, statement)
    if args.format == "json":
        document = statement_document(statement, words)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(statement_text(statement, words))
    return 0


class _Unreadable(Exception):
    pass


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Unreadable("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unreadable(f"cannot read it ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _Unreadable(f"not valid YAML{where}") from None
