"""The `claimbot` command line: serve, migrate, import, demo, staff, tokens, reports,
and personal data (purge, export-party, erase-party)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.cli.fastlane import add_fastlane_parser, run_fastlane
from bot.cli.payment import add_payment_parser, run_payment
from bot.cli.privacy import add_privacy_parsers
from bot.cli.report import add_report_parser, run_report
from bot.cli.statement import add_statement_parser, run_statement
from bot.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler = {
        "serve": _serve,
        "migrate": _migrate,
        "import": _import,
        "demo": _demo,
        "staff": _staff,
        "wechat": _wechat,
        "report": _report,
        "token": _token,
        "fastlane": run_fastlane,
        "payment": run_payment,
        "purge": _privacy,
        "export-party": _privacy,
        "erase-party": _privacy,
        "statement": run_statement,
    }[args.command]
    return handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP app and the enabled channels")
    serve.add_argument("--host", help="override CLAIMBOT_HOST")
    serve.add_argument("--port", type=int, help="override CLAIMBOT_PORT")
    commands.add_parser("migrate", help="bring the database schema up to date")
    importer = commands.add_parser("import", help="load reference data (policies, shops, ...)")
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--if-empty", action="store_true", help="only when the database holds no policies yet"
    )
    demo = commands.add_parser("demo", help="play a scripted accident report and print it")
    demo.add_argument("--lang", choices=["zh", "en"], default="zh")
    staff = commands.add_parser("staff", help="staff identity: one-time invite codes")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    invite = staff_commands.add_parser(
        "invite", help="print a one-time code (24 h) that the person sends as /bind CODE"
    )
    invite.add_argument(
        "--role",
        choices=["adjuster", "supervisor", "shop"],
        required=True,
        help="supervisor: an adjuster who also receives escalations of untaken claims",
    )
    invite.add_argument("--name", type=_bounded(100), required=True)
    invite.add_argument(
        "--code", type=_bounded(40), help="adjuster code to bind, e.g. ADJ-SH-01 (new if unknown)"
    )
    invite.add_argument(
        "--region", type=_bounded(100), help="the adjuster's region (claims paged to them)"
    )
    invite.add_argument(
        "--shop", type=_bounded(40), help="shop staff: the shop's code, e.g. SHOP-PD-01"
    )
    _token_parser(commands)
    add_report_parser(commands)
    add_fastlane_parser(commands)
    add_payment_parser(commands)
    add_privacy_parsers(commands)
    add_statement_parser(commands)
    wechat = commands.add_parser("wechat", help="WeChat Official Account setup")
    wechat_commands = wechat.add_subparsers(dest="wechat_command", required=True)
    menu = wechat_commands.add_parser("menu", help="install the custom menu: report, book, status")
    menu.add_argument(
        "--english",
        action="store_true",
        help="also add a conditional menu in English for users whose WeChat is in English",
    )
    return parser


def _bounded(limit: int) -> Callable[[str], str]:
    def text(value: str) -> str:
        cleaned = value.strip()
        if not cleaned or len(cleaned) > limit:
            raise argparse.ArgumentTypeError(f"1 to {limit} characters expected")
        return cleaned

    return text


def _staff(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from domain.clock import SystemClock
    from domain.services import create_invite
    from domain.staff import StaffRole
    from storage.db import Database

    if args.role == "shop":
        return _shop_invite(args)
    settings = Settings()
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as uow:
            code, invite = create_invite(
                uow,
                role=StaffRole.ADJUSTER,
                name=args.name,
                now=SystemClock().now(),
                staff_code=args.code,
                region=args.region,
                ttl=timedelta(hours=settings.staff_invite_hours),
            )
            if args.role == "supervisor" and invite.staff_code is not None:
                uow.staff.add_supervisor(invite.staff_code)  # an adjuster on the list
            uow.commit()
    finally:
        database.dispose()
    region = f", {invite.region}" if invite.region else ""
    print(f"invite code: {code}")
    print(f"binds: {args.role} {invite.name} ({invite.staff_code}{region})")
    print(f"valid until: {invite.expires_at.astimezone(settings.tz):%Y-%m-%d %H:%M %Z}, once")
    print(f"the person sends: /bind {code}")
    return 0


def _shop_invite(args: argparse.Namespace) -> int:
    """``staff invite --role shop --shop CODE --name NAME``: binds the sender to the shop."""
    from datetime import timedelta

    from domain.booking import ShopUnknown
    from domain.booking_services import create_shop_invite
    from domain.clock import SystemClock
    from storage.db import Database

    if not args.shop:  # a usage error, like argparse's own
        print("claimbot staff invite: --shop is required with --role shop", file=sys.stderr)
        raise SystemExit(2)
    settings = Settings()
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as uow:
            code, invite = create_shop_invite(
                uow,
                shop_code=args.shop,
                name=args.name,
                now=SystemClock().now(),
                ttl=timedelta(hours=settings.staff_invite_hours),
            )
            uow.commit()
    except ShopUnknown:
        print(f"claimbot staff invite: no shop {args.shop!r} (import it first)", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"invite code: {code}")
    print(f"binds: shop staff {invite.name} ({invite.shop_code})")
    print(f"valid until: {invite.expires_at.astimezone(settings.tz):%Y-%m-%d %H:%M %Z}, once")
    print(f"the person sends: /bind {code}")
    return 0


def _listen_settings(args: argparse.Namespace) -> Settings:
    """Settings with ``--host``/``--port`` applied, so that everything built from them
    (uvicorn, the links in messages, the curl line) names the same address."""
    overrides: dict[str, Any] = {}
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None) is not None:  # 0: any free port
        overrides["port"] = args.port
    return Settings(**overrides)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.bootstrap import build
    from bot.logs import configure
    from bot.memory import return_large_buffers
    from bot.web.app import create_app

    settings = _listen_settings(args)
    return_large_buffers()
    log_config = configure(settings.log_format)
    container = build(settings)
    try:
        app = create_app(container)
        uvicorn.run(app, host=settings.host, port=settings.port, log_config=log_config)
    finally:
        container.close()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    upgrade(Settings().database_url)
    print("database is up to date")
    return 0


def _import(args: argparse.Namespace) -> int:
    from storage.db import Database
    from storage.repositories.directory import DirectoryError, import_directory, is_empty

    try:
        data = _read_directory(args.file)
    except _FileProblem as exc:
        print(f"claimbot import: {exc}", file=sys.stderr)
        return 2
    database = Database(Settings().database_url)
    try:
        with database.unit_of_work() as uow:
            if args.if_empty and not is_empty(uow):
                print("reference data already present; nothing imported")
                return 0
            summary = import_directory(uow, data)
            uow.commit()
    except DirectoryError as exc:  # nothing is written: the transaction is rolled back
        print(f"claimbot import: {args.file}: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    return 0


class _FileProblem(Exception):
    pass


def _read_directory(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; unreadable or malformed files raise ``_FileProblem``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _FileProblem(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _FileProblem(f"{path}: cannot read it ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _FileProblem(f"{path}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise _FileProblem(f"{path}: a mapping with policies, adjusters, shops is expected")
    return data


def _report(args: argparse.Namespace) -> int:
    return run_report(args)


def _privacy(args: argparse.Namespace) -> int:
    from bot.cli.privacy import run_erase, run_export, run_purge

    run = {"purge": run_purge, "export-party": run_export, "erase-party": run_erase}
    return run[args.command](args, Settings())


def _demo(args: argparse.Namespace) -> int:
    from bot.cli.demo import run_demo

    number = run_demo(sys.stdout, locale_hint="zh-CN" if args.lang == "zh" else "en")
    return 0 if number else 1


def _wechat(args: argparse.Namespace) -> int:
    from wechatpy.exceptions import WeChatClientException

    from bot.channels.wechat.channel import WeChatConfigError, build_client
    from bot.channels.wechat.menu import install_menu
    from locales.catalog import Catalogs
    from storage.db import Database

    settings = Settings()
    database = Database(settings.database_url)
    try:
        client = build_client(settings, database)
        extra = tuple(loc for loc in ("en",) if args.english and loc != settings.default_locale)
        installed = install_menu(
            client, Catalogs(settings.tz), settings.default_locale, extra_locales=extra
        )
    except WeChatConfigError as exc:
        print(f"claimbot wechat menu: {exc}", file=sys.stderr)
        return 2
    except WeChatClientException as exc:
        print(f"claimbot wechat menu: WeChat refused: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print("\n".join(installed))
    return 0


def _token_parser(commands: Any) -> None:
    token = commands.add_parser("token", help="API and dashboard tokens (docs/api.md)")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="issue a token; it is printed once")
    create.add_argument(
        "--scope", required=True, help="insurer (sees everything) or shop:CODE (its own)"
    )
    create.add_argument("--label", type=_bounded(100), help="who or what uses it")
    create.add_argument(
        "--staff", type=_bounded(40), help="insurer tokens: the staff code it acts as (approvals)"
    )
    create.add_argument("--host", help="as given to serve --host (for the printed curl line)")
    create.add_argument("--port", type=int, help="as given to serve --port (the curl line)")
    revoke = token_commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    token_commands.add_parser("list", help="list tokens (ids, scopes, last use; never tokens)")


def _token(args: argparse.Namespace) -> int:
    from bot.cli.tokens import run_token_command

    return run_token_command(args, _listen_settings(args))


if __name__ == "__main__":
    sys.exit(main())
