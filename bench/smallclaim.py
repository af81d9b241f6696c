"""小额快赔 through the real engine on a file SQLite database: the product's own processing
from the second driver's confirmation of the 快处快赔 agreement to the proposal (the goal:
under 2 s). Counted: the confirmation's turn (the agreement issued, the fast lane offered)
and every owner turn of the lane up to the proposal (parts, estimate and decision, the
documents, the card); the owner's own time between taps is not the product's.

Prints the median and the maximum over the runs, of the confirmation's turn and of the
whole path.

    .venv/bin/python bench/smallclaim.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # bench/ would shadow `telegram`

from bot.bootstrap import build  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.engine_harness import import_sample  # noqa: E402
from tests.fakes import FixedClock  # noqa: E402
from tests.quickdeal_support import NUMBER, invite, join_with_details, report_two_cars  # noqa: E402
from tests.smallclaim_support import CARD, documents, import_prices  # noqa: E402
from tests.test_adjudication_engine import Party  # noqa: E402


def one_run(folder: Path) -> tuple[float, float]:
    """(the confirmation's turn, the whole path to the proposal) in seconds."""
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    container = build(Settings(database_url=url, media_dir=folder / "media"), clock=FixedClock())
    try:
        import_sample(container)
        import_prices(container)
        owner = Party(container, "owner-bench")
        other = Party(container, "other-bench")
        report_two_cars(owner)
        join_with_details(other, invite(container, owner))
        owner.choose(f"q:sit:{NUMBER}:rear_end")
        owner.choose(f"q:car:{NUMBER}:rear_end.b")
        other.choose(f"q:sit:{NUMBER}:rear_end")
        other.choose(f"q:car:{NUMBER}:rear_end.b")
        owner.choose(f"q:ok:{NUMBER}")
        turns: list[float] = []
        container.engine.on_turn(lambda channel, seconds: turns.append(seconds))
        assert other.choose(f"q:ok:{NUMBER}") == ["quickdeal.issued"]
        owner.choose(f"f:go:{NUMBER}")
        owner.choose(f"f:part:{NUMBER}:rear_bumper")
        owner.choose(f"f:done:{NUMBER}")
        documents(owner)
        owner.text(CARD)
        assert owner.choose(f"f:card:{NUMBER}") == ["smallclaim.proposal"]
        return turns[0], sum(turns)
    finally:
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    confirmations, paths = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            confirmation, path = one_run(Path(folder))
        confirmations.append(confirmation)
        paths.append(path)
    for label, values in (
        ("second confirmation's turn (agreement issued, lane offered)", confirmations),
        ("confirmation to proposal, the product's turns in all", paths),
    ):
        print(
            f"{label}: median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
