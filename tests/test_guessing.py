"""Guessing, attacked from outside over real HTTP: plate checks, /bind codes, dashboard
sign-in. Failures are counted in the database per plate, per sender and per client
address; a cool-down is stated in words; the limit holds across workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.auth import SESSION_COOKIE
from domain.services import create_invite
from domain.staff import StaffRole
from storage.db import Database
from tests.dashboard.support import CSRF_FIELD, sign_in, token
from tests.engine_harness import database_url, import_sample
from tests.fakes import FixedClock
from tests.live_server import serve
from tests.web_chat_client import ChatBrowser

Served = tuple[Container, str]


def built(database: Database, tmp_path: Path) -> Container:
    settings = Settings(database_url=database_url(database), media_dir=tmp_path / "media")
    container = build(settings, clock=FixedClock())
    return container


@pytest.fixture
def served(sqlite_database: Database, tmp_path: Path) -> Iterator[Served]:
    container = built(sqlite_database, tmp_path)
    import_sample(container)
    try:
        with serve(create_app(container)) as base:
            yield container, base
    finally:
        container.close()


def clock_of(container: Container) -> FixedClock:
    assert isinstance(container.clock, FixedClock)
    return container.clock


def test_an_unknown_plate_and_a_wrong_check_answer_alike(served: Served) -> None:
    _, base = served
    answers = []
    for plate, check in (("沪A12345", "0000"), ("京B77777", "8001")):  # insured; not insured
        browser = ChatBrowser(base)
        browser.say("报案")
        asked = browser.say(plate)
        answers.append((asked[0]["text"], browser.say(check)[0]["text"]))
    assert answers[0] == answers[1]
    assert "还可尝试 4 次" in answers[0][1]
    assert "京B77777" not in str(answers) and "没有找到" not in str(answers)


def test_checks_of_a_plate_pause_for_every_browser(served: Served) -> None:
    container, base = served
    attacker = ChatBrowser(base)
    attacker.say("报案")
    attacker.say("沪A12345")
    for tail in ("0001", "0002", "0003", "0004"):
        assert "核对不一致" in attacker.say(tail)[0]["text"]
    paused = attacker.say("0005")
    assert "核实已暂停至 2026年11月25日 11:00" in paused[0]["text"]
    assert paused[-1]["text"].startswith("请输入出险车辆的车牌号")
    again = attacker.say("沪A12345")  # sending the plate again wins nothing back
    assert "核实已暂停" in again[0]["text"]

    other = ChatBrowser(base)  # a fresh chat on the same plate
    other.say("报案")
    assert "核实已暂停" in other.say("沪A12345")[0]["text"]
    clock_of(container).advance(timedelta(minutes=61))
    other.say("沪A12345")
    assert other.say("8001")[0]["text"].startswith("已核实保单")


def test_one_browser_trying_plate_after_plate_is_paused(served: Served) -> None:
    _, base = served
    browser = ChatBrowser(base)
    for n in range(5):
        browser.say("/cancel")
        browser.say("/cancel")  # the second confirms giving the report up
        browser.say("报案")
        browser.say(f"京A1000{n}")
        last = browser.say("0000")
    assert "核实已暂停" in last[0]["text"]
    browser.say("沪A12345")
    assert "核实已暂停" in browser.say("沪A12345")[0]["text"]


def test_bind_codes_cannot_be_tried_without_limit(served: Served) -> None:
    container, base = served
    with container.database.unit_of_work() as uow:
        code, _ = create_invite(
            uow, role=StaffRole.ADJUSTER, name="王建国", now=clock_of(container).now()
        )
        uow.commit()
    guesser = ChatBrowser(base)
    for n in range(5):
        assert "绑定成功" not in guesser.say(f"/bind AAAA-BBBB-000{n}")[0]["text"]
    paused = guesser.say(f"/bind {code}")[0]["text"]  # even the right code waits
    assert "绑定已暂停至 2026年11月25日 11:00" in paused
    clock_of(container).advance(timedelta(minutes=61))
    assert "绑定成功" in guesser.say(f"/bind {code}")[0]["text"]


def test_the_sign_in_form_refuses_forged_posts(served: Served) -> None:
    container, base = served
    raw = token(container, "insurer")
    with httpx.Client(base_url=base) as http:
        bare = http.post("/dashboard/login", data={"token": raw})  # no form token
        assert bare.status_code == 400 and "登录页面已过期" in bare.text
        assert SESSION_COOKIE not in bare.headers.get("set-cookie", "")
        form = http.get("/dashboard/login")
        csrf = CSRF_FIELD.search(form.text)
        assert csrf is not None
        tampered = csrf.group(1)[:-2] + "xx"
        assert (
            http.post("/dashboard/login", data={"token": raw, "csrf": tampered}).status_code == 400
        )
        elsewhere = {"Origin": "https://evil.example"}
        data = {"token": raw, "csrf": csrf.group(1)}
        assert http.post("/dashboard/login", data=data, headers=elsewhere).status_code == 400
        sandboxed = {"Origin": "null"}
        assert http.post("/dashboard/login", data=data, headers=sandboxed).status_code == 400
    with httpx.Client(base_url=base) as other:  # a form token without its cookie
        assert other.post("/dashboard/login", data=data).status_code == 400
        assert other.get("/dashboard").status_code == 303


def test_a_dashboard_session_expires_and_signs_out_by_post(served: Served) -> None:
    container, base = served
    raw = token(container, "insurer")
    with httpx.Client(base_url=base) as http:
        assert sign_in(http, raw).status_code == 303
        session = http.cookies.get(SESSION_COOKIE)
        assert session and session != raw
        assert http.get("/dashboard").status_code == 200
        assert http.get("/dashboard/logout").status_code == 405
        forged = http.post("/dashboard/logout", headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403 and http.get("/dashboard").status_code == 200
        assert http.post("/dashboard/logout").status_code == 303
        replay = httpx.Client(base_url=base, cookies={SESSION_COOKIE: session})
        assert replay.get("/dashboard").status_code == 303  # the session is gone

        assert sign_in(http, raw).status_code == 303
        clock_of(container).advance(timedelta(hours=12, minutes=1))
        assert http.get("/dashboard").status_code == 303  # expired


def test_wrong_tokens_pause_the_address(served: Served) -> None:
    container, base = served
    raw = token(container, "insurer")
    with httpx.Client(base_url=base) as http:
        codes = [sign_in(http, f"cbt_guess-{n}").status_code for n in range(10)]
        assert codes == [401] * 9 + [429]
        paused = sign_in(http, raw)  # the right token waits too
        assert paused.status_code == 429 and paused.headers["retry-after"] == "901"
        assert "登录失败次数过多，请于 2026年11月25日 10:15 后再试" in paused.text
        clock_of(container).advance(timedelta(minutes=16))
        assert sign_in(http, raw).status_code == 303


def test_the_limits_hold_across_two_workers(database: Database, tmp_path: Path) -> None:
    """Two workers on one database: failures on either count against the same limit."""
    with ExitStack() as stack:
        workers = [built(database, tmp_path / f"w{n}") for n in range(2)]
        for worker in workers:
            stack.callback(worker.close)
        import_sample(workers[0])
        bases = [stack.enter_context(serve(create_app(worker))) for worker in workers]
        clients = [stack.enter_context(httpx.Client(base_url=base)) for base in bases]
        codes = [sign_in(clients[n % 2], f"cbt_guess-{n}").status_code for n in range(10)]
        assert codes == [401] * 9 + [429]
        assert sign_in(clients[0], "cbt_guess-x").status_code == 429
        assert sign_in(clients[1], "cbt_guess-y").status_code == 429
