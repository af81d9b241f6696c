"""Shop staff bind with a one-time code: ``claimbot staff invite --role shop --shop ...``
prints it, the person sends ``/bind CODE``; the adjusters' codes still bind adjusters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import Container
from bot.cli.main import main
from bot.settings import Settings
from tests.booking_support import WebUser, book_maintenance
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    monkeypatch.setenv("CLAIMBOT_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    assert main(["migrate"]) == 0
    from storage.db import Database

    database = Database(Settings().database_url)
    built = make_container(database, tmp_path / "media", FixedClock())
    database.dispose()
    import_sample(built)
    yield built
    built.close()


def invite(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["staff", "invite", *args]) == 0
    out = capsys.readouterr().out
    match = re.search(r"/bind (\S+)", out)
    assert match, out
    return match.group(1)


def test_a_shop_invite_binds_staff_who_then_get_the_shops_requests(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(capsys, "--role", "shop", "--shop", "SHOP-XH-02", "--name", "王师傅")
    newcomer = WebUser(container, user_id="staff-new-0001")
    assert newcomer.text("/bookings") == ["booking.list_empty"]  # an owner, so far
    assert newcomer.text(f"/bind {code.lower()}") == ["booking.shop.bound"]
    assert "徐汇诚信车服 的工作人员 王师傅" in newcomer.rendered()[-1]
    assert newcomer.text(f"/bind {code}") == ["booking.refusal.already_staff"]
    assert newcomer.text("/bookings") == ["booking.shop.list_empty"]

    owner = WebUser(container, user_id="owner-0001")
    book_maintenance(owner, "SHOP-XH-02")
    assert newcomer.received()[-1] == "booking.shop.request"
    assert newcomer.choose("sh:1:ok") == ["booking.shop.done.confirmed"]


def test_used_unknown_and_adjuster_codes(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    code = invite(capsys, "--role", "shop", "--shop", "SHOP-PD-01", "--name", "李师傅")
    first, second = WebUser(container, "staff-a-0001"), WebUser(container, "staff-b-0001")
    assert first.text(f"/bind {code}") == ["booking.shop.bound"]
    assert second.text(f"/bind {code}") == ["claims.refusal.invalid_invite"]
    assert second.text("/bind NOPE-NOPE-NOPE") == ["claims.refusal.invalid_invite"]
    adjuster_code = invite(capsys, "--role", "adjuster", "--name", "赵敏", "--region", "上海")
    assert second.text(f"/bind {adjuster_code}") == ["claims.adjuster.bound"]
    assert second.text("/bookings") == ["booking.list_empty"]  # not a shop's staff


def test_an_invite_for_an_unknown_shop_is_refused(
    container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["staff", "invite", "--role", "shop", "--name", "X"]
    assert main([*args, "--shop", "SHOP-NOPE"]) == 2
    assert "no shop 'SHOP-NOPE'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # --shop is required for shop staff
        main(args)
    assert exit_info.value.code == 2
