"""Personal identifiers masked in staff cards, dashboard lists, the status page and logs;
in full only on the insurer's claim page, each such view recorded."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from uvicorn.config import LOGGING_CONFIG

from bot.bootstrap import Container
from bot.log_masking import masked_log_config
from bot.web.app import create_app
from domain.masking import (
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_plate,
    mask_policy,
    mask_text,
)
from storage.db import Database
from storage.tables.core import claim_t
from tests.dashboard.support import Seeded, seed, sign_in, token
from tests.engine_harness import make_container
from tests.fakes import FixedClock
from tests.live_server import serve


def test_each_identifier_keeps_only_its_ends() -> None:
    assert mask_plate("沪A12345") == "沪A1**45"
    assert mask_plate("沪AD12345") == "沪AD***45"  # new-energy plates are one longer
    assert mask_phone("13800138001") == "138****8001"
    assert mask_phone("+86 138-0013-8001") == "138****8001"
    assert mask_policy("PDAA20260001") == "PDAA****0001"
    assert mask_id_number("31010119900101123X") == "310***********123X"
    assert mask_bank_account("6222 0212 3456 7890 123") == "622202*********0123"
    assert mask_name("张伟") == "张*"
    assert mask_plate(None) == mask_phone("") == ""
    assert mask_plate("沪A") == "**"  # too short to keep anything
    text = "车主 13800138001，身份证 31010119900101123X，卡号 6222021234567890123，车牌 沪A12345。"
    assert mask_text(text) == (
        "车主 138****8001，身份证 310***********123X，卡号 622202*********0123，车牌 沪A1**45。"
    )
    untouched = "报案号 BA2026112500001，金额 1200.00"
    assert mask_text(untouched) == untouched


@pytest.fixture
def container(sqlite_database: Database, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    built = make_container(sqlite_database, tmp_path / "media", clock)
    yield built
    built.close()


@pytest.fixture
def seeded(container: Container, clock: FixedClock) -> Seeded:
    return seed(container, clock)


@pytest.fixture
def http(container: Container) -> Iterator[httpx.Client]:
    with serve(create_app(container)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def login(http: httpx.Client, raw: str) -> None:
    assert sign_in(http, raw).status_code == 303


def test_staff_chat_cards_show_the_plate_and_policy_masked(seeded: Seeded) -> None:
    card = seeded.staff.rendered()
    assert any("沪A1**45" in text for text in card)
    assert not any("沪A12345" in text for text in card)
    owner_view = seeded.owner.rendered()  # the owner sees their own data in full
    assert any("沪A12345" in text for text in owner_view)


def test_dashboard_lists_mask_and_the_claim_page_shows_in_full_only_when_asked(
    container: Container, seeded: Seeded, http: httpx.Client
) -> None:
    login(http, token(container, "insurer"))
    listing = http.get("/dashboard").text
    assert "沪A1**45" in listing and "沪A12345" not in listing
    page = http.get(f"/dashboard/claims/{seeded.linked}").text
    assert "沪A1**45" in page and "张*" in page
    for secret in ("沪A12345", "张伟", "13800138001", "PDAA20260001"):
        assert secret not in page
    assert 'id="show-full"' in page and 'id="data-views"' not in page

    full = http.post(f"/dashboard/claims/{seeded.linked}/full")
    assert full.status_code == 200
    for secret in ("沪A12345", "张伟", "13800138001", "PDAA20260001"):
        assert secret in full.text
    again = http.get(f"/dashboard/claims/{seeded.linked}").text
    assert "完整信息查看记录（1 次）" in again and "沪A12345" not in again
    with container.database.unit_of_work() as uow:
        [view] = uow.data_views.of_claim(seeded.linked)
    assert view.viewer.startswith("token:") and view.at == container.clock.now()


def test_a_shop_never_sees_the_full_details(
    container: Container, seeded: Seeded, http: httpx.Client
) -> None:
    login(http, token(container, "shop", "SHOP-PD-01"))
    page = http.get(f"/dashboard/claims/{seeded.linked}")
    assert page.status_code == 200
    assert "沪A12345" not in page.text and 'id="show-full"' not in page.text
    assert http.post(f"/dashboard/claims/{seeded.linked}/full").status_code == 403
    with container.database.unit_of_work() as uow:
        assert uow.data_views.of_claim(seeded.linked) == []


def test_the_status_page_masks_the_plate(
    container: Container, seeded: Seeded, http: httpx.Client
) -> None:
    with container.database.engine.connect() as conn:
        status_token = conn.execute(
            select(claim_t.c.status_token).where(claim_t.c.number == seeded.linked)
        ).scalar_one()
    page = http.get(f"/status/{status_token}")
    assert page.status_code == 200
    assert "沪A1**45" in page.text and "沪A12345" not in page.text


def test_logs_written_by_serve_are_masked() -> None:
    config = masked_log_config(LOGGING_CONFIG)
    stream = io.StringIO()
    config["handlers"]["default"]["stream"] = stream
    config["handlers"]["access"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        update = {"message": {"text": "我的手机 13800138001，车牌 沪A12345"}}
        logging.getLogger("bot.channels.telegram.channel").error(
            "telegram update failed: %r", update
        )
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/x?phone=13800138001", "1.1", 200
        )
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    written = stream.getvalue()
    assert "138****8001" in written and "沪A1**45" in written
    assert "13800138001" not in written and "沪A12345" not in written
    assert "/x?phone=138****8001" in written and " 200" in written
