"""The fast lane's own processing, step by step: what happens between the second driver's
confirmation and the proposal (the goal: under 2 s in all).

- the rules: both picks compared, the agreement drawn up, the estimate, the eligibility;
- the fraud facts of one claim on a file SQLite database holding N earlier claims with
  3 photos each (near perceptual hashes looked up by band, bench/photo_reuse.py);
- the agreement rendered: the HTML page, and the PDF with 6 photos (the first PDF of a
  process also loads the CJK font).

Prints the median and the maximum of each step.

    .venv/bin/python bench/fastlane.py --claims 2000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path[0] = str(Path(__file__).resolve().parents[1])  # bench/ would shadow `telegram`

import yaml  # noqa: E402

from bot.agreement.render import AgreementRenderer  # noqa: E402
from bot.agreement.view import agreement_view  # noqa: E402
from domain.accident_situations import AccidentParty, Pick, Situation  # noqa: E402
from domain.agreement import Agreement, AgreementParty, AgreementPhoto, Confirmation, draw_up  # noqa: E402
from domain.claim import Claim  # noqa: E402
from domain.evidence import Evidence, MediaKind, PhotoRole  # noqa: E402
from domain.fast_lane import FastLaneCase, FastLaneRules, assess  # noqa: E402
from domain.fraud_signals import FraudRules, fraud_signals  # noqa: E402
from domain.geo import GeoPoint  # noqa: E402
from domain.price_list import PickedPart, estimate  # noqa: E402
from domain.report import OtherVehicle, ReportDraft, ReportItem  # noqa: E402
from locales.catalog import Catalogs  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.media.store import MediaStore  # noqa: E402
from storage.media.types import StoredMedia  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.read_models.fraud import FraudQueries  # noqa: E402
from storage.repositories.directory import import_directory  # noqa: E402
from storage.repositories.price_list import PriceListRepository  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
A, B = AccidentParty.A, AccidentParty.B


def timed(step: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, max) in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def fill(db: Database, claims: int) -> Claim:
    """``claims`` earlier claims with 3 hashed photos each, then the claim checked."""
    directory = yaml.safe_load((ROOT / "examples" / "directory.yaml").read_text("utf-8"))
    prices = yaml.safe_load((ROOT / "examples" / "price_list.yaml").read_text("utf-8"))
    with db.unit_of_work() as uow:
        import_directory(uow, {**directory, **prices})
        owner = uow.parties.resolve("telegram", "bench-owner").id
        policy = uow.policies.by_number("PDAA20260001")
        assert policy is not None
        last = None
        for n in range(claims + 1):
            evidence = []
            for k in range(3):
                digest = f"{n * 3 + k:064x}"
                stored = StoredMedia(
                    digest, "photo", "image/jpeg", 1000, f"{digest[:2]}/{digest[2:4]}/{digest}.jpg",
                    1600, 1200, None, None, None, f"{(n * 7919 + k * 104729) ** 3 % 2**64:016x}",
                )
                evidence.append(
                    Evidence(uow.media.add(stored), MediaKind.PHOTO, list(PhotoRole)[k])
                )
            reported = NOW - timedelta(days=(claims - n) * 250 / max(claims, 1))
            report = ReportDraft(
                policy_number=policy.number, plate=policy.plate,
                accident_at=reported - timedelta(hours=1), location=GeoPoint(31.23, 121.47),
                address="上海市黄浦区人民大道 200 号", description="追尾", injuries=False,
                drivable=True, rescue_requested=False, other_vehicles=[OtherVehicle("沪B99999")],
                witnesses=None, police_report_no=None, evidence=evidence, evidence_done=True,
                skipped={ReportItem.WITNESSES, ReportItem.POLICE},
            )
            last = Claim.file(
                f"BA{reported:%Y%m%d}{n:05d}", report, policy, owner, reported, "bench"
            )
            uow.claims.add(last)
        uow.commit()
    assert last is not None
    return last


def agreement(photos: int) -> Agreement:
    parties = (
        AgreementParty(A, "张伟", "13800138001", "沪A12345", "大众 帕萨特", "平安产险",
                       "PDAA20260001", Confirmation(NOW, "wechat")),
        AgreementParty(B, "李娜", "13900139002", "沪B67890", "丰田 凯美瑞", "人保财险", None,
                       Confirmation(NOW + timedelta(minutes=3), "web")),
    )
    drawn = draw_up(
        "BA2026112500001", NOW - timedelta(hours=1), "上海市黄浦区人民大道 200 号",
        "等红灯时被后车追尾", (Pick(A, Situation.REAR_END, B), Pick(B, Situation.REAR_END, B)),
        parties, [AgreementPhoto(i, A if i % 2 else B, NOW) for i in range(photos)],
    )
    assert isinstance(drawn, Agreement)
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database(url)
        claim = fill(db, args.claims)
        store = MediaStore(Path(tmp) / "media")
        sys.path.insert(0, str(ROOT))
        from tests.scene_images import scene_jpeg

        files = {
            i: store.open(store.save(scene_jpeg(i, width=4000, height=3000)).relative_path)
            for i in range(6)
        }
        with db.unit_of_work() as uow:
            prices = PriceListRepository(uow.connection).load()
            policy = uow.policies.by_number(claim.policy_number)
        assert policy is not None
        rules = FraudRules()

        def the_rules() -> None:
            agreement(6)
            picks = [PickedPart("rear_bumper"), PickedPart("tail_lamp")]
            quote = estimate(prices, "economy", picks)
            assess(
                FastLaneCase(False, True, False, 2, True, date(2026, 11, 25), policy.valid_from,
                             policy.valid_to, quote.total),
                FastLaneRules(),
            )

        def the_facts() -> None:
            with db.unit_of_work() as uow:
                facts = FraudQueries(uow.connection).facts(claim, policy, rules, TZ)
            fraud_signals(facts, rules)

        catalogs = Catalogs(TZ)
        runs = args.runs
        view = agreement_view(agreement(6), "zh_CN", catalogs)
        renderer = AgreementRenderer()
        first_pdf = timed(lambda: renderer.pdf(view, files), 1)
        rows = [
            ("rules (picks, agreement, estimate, eligibility)", timed(the_rules, args.runs)),
            (f"fraud facts and signals ({args.claims} earlier claims)", timed(the_facts, runs)),
            ("agreement HTML", timed(lambda: renderer.html(view, {}), args.runs)),
            ("agreement PDF, first of the process (font loaded)", first_pdf),
            ("agreement PDF, 6 photos of 12 Mpx", timed(lambda: renderer.pdf(view, files), 5)),
        ]
        db.dispose()
    print(f"{'step':<55} {'median ms':>10} {'max ms':>10}")
    for name, (median, worst) in rows:
        print(f"{name:<55} {median:>10.2f} {worst:>10.2f}")


if __name__ == "__main__":
    main()
