"""Personal data on the command line (docs/security.md, "Personal data"):

- ``claimbot purge [--dry-run]``: the retention purge now (it also runs daily); reports
  what it removed, or would remove.
- ``claimbot export-party (--party ID | --identity CHANNEL:ID) [--output FILE.zip]``:
  everything held about one person, as ``data.json`` plus their photos and videos.
- ``claimbot erase-party (--party ID | --identity CHANNEL:ID) [--dry-run]``: erases it
  where no claim still needs it; prints what was removed, and what was kept and why.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.db import Database

KEPT_BECAUSE = {
    "open_claim": "claim still open: kept until it is settled, then purged",
    "open_booking": "booking still open: kept until it ends",
    "anonymised_claims": "claims kept without personal data: the figures analytics count",
}


def add_privacy_parsers(commands: Any) -> None:
    purge = commands.add_parser(
        "purge", help="delete media and personal fields past CLAIMBOT_RETENTION_DAYS"
    )
    purge.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    export = commands.add_parser("export-party", help="everything held about one person (zip)")
    _who(export)
    export.add_argument("--output", type=Path, help="default: party-<id>.zip")
    erase = commands.add_parser(
        "erase-party", help="erase one person's data where no claim still needs it"
    )
    _who(erase)
    erase.add_argument("--dry-run", action="store_true", help="report only, change nothing")


def _who(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--party", type=int, help="the party id")
    who.add_argument("--identity", help="a chat identity, e.g. wechat:oXyz or telegram:12345")


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    from domain.clock import SystemClock
    from storage.db import Database
    from storage.media.store import MediaStore
    from storage.repositories.retention import run_purge as purge

    database = Database(settings.database_url)
    try:
        removed = purge(
            database,
            MediaStore(settings.media_dir),
            SystemClock().now(),
            settings.retention,
            dry_run=args.dry_run,
        )
    finally:
        database.dispose()
    verb = "would remove" if args.dry_run else "removed"
    print(f"retention {settings.retention_days} days; {verb}:")
    print(f"  claims anonymised: {len(removed.claims)} {' '.join(removed.claims)}".rstrip())
    print(f"  media files: {len(removed.media)} ({removed.media_bytes} bytes)")
    print(f"  bookings cleared: {removed.bookings}")
    print(f"  unfinished conversations reset: {removed.conversations}")
    print(f"  old messages deleted: {removed.outbox_messages}")
    print(f"  processed WeChat messages emptied: {removed.wechat_messages}")
    return 0


def _party(database: Database, args: argparse.Namespace, command: str) -> int | None:
    from storage.repositories.party_data import find_party, party_exists

    with database.engine.connect() as conn:
        if args.party is not None:
            found = args.party if party_exists(conn, args.party) else None
        else:
            channel, _, external = str(args.identity).partition(":")
            found = find_party(conn, channel, external) if external else None
    if found is None:
        print(f"claimbot {command}: no such person", file=sys.stderr)
    return found


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.rendering import render
    from locales.catalog import Catalogs
    from storage.db import Database
    from storage.media.store import MediaStore
    from storage.repositories.party_data import collect

    database = Database(settings.database_url)
    try:
        party = _party(database, args, "export-party")
        if party is None:
            return 2
        with database.engine.connect() as conn:
            export = collect(conn, party)
    finally:
        database.dispose()
    catalogs = Catalogs(settings.tz)
    for message in export.data["messages_to_them"]:
        message["text"] = render(catalogs, message["locale"], message["payload"]).text
    store = MediaStore(settings.media_dir)
    output = args.output or Path(f"party-{party}.zip")
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(export.data, ensure_ascii=False, indent=2))
        for item in export.media:
            try:
                path = store.open(item.relative_path)
            except (ValueError, FileNotFoundError):
                continue
            archive.write(path, f"media/{item.media_id}{path.suffix}")
    print(f"wrote {output}: {len(export.data['claims'])} claim(s), {len(export.media)} file(s)")
    return 0


def run_erase(args: argparse.Namespace, settings: Settings) -> int:
    from domain.clock import SystemClock
    from storage.db import Database
    from storage.media.store import MediaStore
    from storage.repositories.party_data import StaffParty
    from storage.repositories.retention import remove_files

    database = Database(settings.database_url)
    try:
        party = _party(database, args, "erase-party")
        if party is None:
            return 2
        with database.unit_of_work() as uow:
            try:
                result = uow.erase_party(party, SystemClock().now(), dry_run=args.dry_run)
            except StaffParty:
                print(
                    "claimbot erase-party: a staff account; what staff did stays on the claims",
                    file=sys.stderr,
                )
                return 2
            if not args.dry_run:
                uow.commit()
    finally:
        database.dispose()
    if not args.dry_run:
        remove_files(MediaStore(settings.media_dir), result.media)
    print(f"party {party}: {'would remove' if args.dry_run else 'removed'}:")
    for name, count in result.removed.items():
        print(f"  {name}: {count}")
    if result.kept:
        print("kept:")
    for reason, what in result.kept:
        print(f"  {what}: {KEPT_BECAUSE[reason]}")
    return 0
