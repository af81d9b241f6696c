"""The `claimbot` command line: serve, migrate, import, demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler = {
        "serve": _serve,
        "migrate": _migrate,
        "import": _import,
        "demo": _demo,
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
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app
    from bot.bootstrap import build

    settings = Settings()
    container = build(settings)
    try:
        uvicorn.run(
            create_app(container),
            host=args.host or settings.host,
            port=args.port or settings.port,
        )
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
    from storage.directory import import_directory, is_empty

    data = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    database = Database(Settings().database_url)
    try:
        with database.unit_of_work() as uow:
            if args.if_empty and not is_empty(uow):
                print("reference data already present; nothing imported")
                return 0
            summary = import_directory(uow, data)
            uow.commit()
    finally:
        database.dispose()
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    number = run_demo(sys.stdout, locale_hint="zh-CN" if args.lang == "zh" else "en")
    return 0 if number else 1


if __name__ == "__main__":
    sys.exit(main())
