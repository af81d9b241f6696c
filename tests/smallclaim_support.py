"""小额快赔 through the engine: the price list imported, a rear-end accident agreed by both
drivers (快处快赔), then the owner's fast lane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.bootstrap import Container
from storage.repositories.directory import import_directory
from tests.media_samples import jpeg_bytes
from tests.quickdeal_support import NUMBER, invite, join_with_details, report_two_cars
from tests.test_adjudication_engine import Party

PRICE_LIST = Path(__file__).resolve().parents[1] / "examples" / "price_list.yaml"
CARD = "6222 0212 3456 7890 128"  # passes the Luhn check
CARD_DIGITS = CARD.replace(" ", "")


def price_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PRICE_LIST.read_text(encoding="utf-8"))
    return data


def import_prices(container: Container, data: dict[str, Any] | None = None) -> None:
    with container.database.unit_of_work() as uow:
        import_directory(uow, data or price_data())
        uow.commit()


def agreed_rear_end(container: Container) -> tuple[Party, Party]:
    """Both drivers agree the other car ran into the owner's (后车全责); the owner's news
    end with the fast lane's offer."""
    owner = Party(container, "owner-web-0001")
    other = Party(container, "other-web-0002")
    assert report_two_cars(owner) == ["report.filed", "quickdeal.offer"]
    join_with_details(other, invite(container, owner))
    owner.news()
    owner.choose(f"q:sit:{NUMBER}:rear_end")
    owner.choose(f"q:car:{NUMBER}:rear_end.b")
    other.choose(f"q:sit:{NUMBER}:rear_end")
    other.choose(f"q:car:{NUMBER}:rear_end.b")
    owner.choose(f"q:ok:{NUMBER}")
    assert other.choose(f"q:ok:{NUMBER}") == ["quickdeal.issued"]
    return owner, other


def documents(owner: Party) -> list[list[str]]:
    """The owner sends a photo for each document asked, until the card is asked."""
    answers = []
    for seed in range(40, 44):
        answer = owner.photos([jpeg_bytes(seed=seed)])
        answers.append(answer)
        if answer[-1] != "smallclaim.doc.ask":
            break
    return answers
