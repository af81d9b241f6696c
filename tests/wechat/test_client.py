"""The wechatpy client subclass against the fake API: every URL through the configured
base, one access token shared by workers through the database, media downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.wechat.client import (
    ClaimbotWeChatClient,
    DatabaseSessionStorage,
    MediaTooLarge,
    api_root,
)
from bot.cli.main import main
from storage import migrate
from storage.db import Database
from tests.live_server import serve
from tests.media_samples import jpeg_bytes, mp4_bytes
from tests.wechat.fake_api import APP_ID, APP_SECRET, FakeWeChatAPI, Media


@pytest.fixture
def api() -> Iterator[tuple[FakeWeChatAPI, str]]:
    fake = FakeWeChatAPI()
    with serve(fake.app()) as base:
        yield fake, f"{base}/cgi-bin/"


def client(database: Database, api_url: str) -> ClaimbotWeChatClient:
    return ClaimbotWeChatClient(
        APP_ID, APP_SECRET, api_url=api_url, session=DatabaseSessionStorage(database)
    )


def test_the_api_root_is_the_parent_of_cgi_bin() -> None:
    assert api_root("https://api.weixin.qq.com/cgi-bin/") == (
        "https://api.weixin.qq.com/cgi-bin/",
        "https://api.weixin.qq.com/",
    )
    assert api_root("http://proxy:8080/wx/cgi-bin")[1] == "http://proxy:8080/wx/"


def test_hard_coded_urls_go_through_the_configured_base(
    sqlite_database: Database, api: tuple[FakeWeChatAPI, str]
) -> None:
    fake, url = api
    wechat = client(sqlite_database, url)
    wechat.customservice.add_account("kf1@test", "客服一", "password")  # a hard-coded URL
    assert fake.kf_accounts and fake.tokens_issued == ["TOKEN-1"]  # the token URL too


def test_workers_share_one_token_through_the_database(
    database: Database, api: tuple[FakeWeChatAPI, str]
) -> None:
    fake, url = api
    first, second = client(database, url), client(database, url)
    first.user_language("oA")
    second.user_language("oB")
    assert fake.tokens_issued == ["TOKEN-1"]
    fake.fail_next("user/info", 40001)  # WeChat invalidated it: one worker refreshes
    first.user_language("oA")
    second.user_language("oB")
    assert fake.tokens_issued == ["TOKEN-1", "TOKEN-2"]


def test_media_are_streamed_with_a_size_limit(
    sqlite_database: Database, api: tuple[FakeWeChatAPI, str]
) -> None:
    fake, url = api
    photo, video = jpeg_bytes(seed=3), mp4_bytes(seed=4)
    fake.media["p"] = Media(photo, "image/jpeg")
    fake.media["v"] = Media(video, "video/mp4", as_url=True)
    wechat = client(sqlite_database, url)
    assert wechat.download_media("p", 10_000_000) == photo
    assert wechat.download_media("v", 10_000_000) == video
    with pytest.raises(MediaTooLarge):
        wechat.download_media("p", 1000)
    with pytest.raises(Exception, match="40007"):
        wechat.download_media("missing", 1000)


def test_the_menu_command_installs_the_menu(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    api: tuple[FakeWeChatAPI, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake, url = api
    database_url = f"sqlite:///{tmp_path}/cli.db"
    migrate.upgrade(database_url)
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DATABASE_URL": database_url,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_TOKEN": "t",
        "WECHAT_API_URL": url,
    }.items():
        monkeypatch.setenv(f"CLAIMBOT_{name}", value)
    assert main(["wechat", "menu", "--english"]) == 0
    assert "报案 / 预约 / 进度 / 人工" in capsys.readouterr().out
    assert fake.menus == [
        {
            "button": [
                {"type": "click", "name": "报案", "key": "REPORT"},
                {"type": "click", "name": "预约", "key": "BOOK"},
                {"type": "click", "name": "进度", "key": "STATUS"},
                {"type": "click", "name": "人工", "key": "HUMAN"},
            ]
        }
    ]
    english = fake.conditional_menus[0]
    assert english["matchrule"] == {"language": "en"}
    assert [b["name"] for b in english["button"]] == ["Report", "Book", "Status", "Agent"]
    fake.fail_next("menu/create", 48001)
    assert main(["wechat", "menu"]) == 1
    monkeypatch.delenv("CLAIMBOT_WECHAT_APP_SECRET")
    assert main(["wechat", "menu"]) == 2
