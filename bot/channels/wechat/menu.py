"""The Official Account's custom menu: 报案 REPORT / 预约 BOOK / 进度 STATUS / 人工 HUMAN.

The buttons are the dialogs' (``dialogs.registry``: each entry's ``menu``). Each is a
``click`` that WeChat reports as a CLICK event with its key, which the router maps to the
entry's command; the names come from the locale catalogs (``wechat.menu.*``).
"""

from __future__ import annotations

from typing import Any

from bot.channels.wechat.client import ClaimbotWeChatClient
from dialogs.registry import REGISTRY
from locales.catalog import Catalogs

# user/info and menu match rules name languages this way.
WECHAT_LANGUAGE = {"zh_CN": "zh_CN", "en": "en"}


def menu_data(catalogs: Catalogs, locale: str) -> dict[str, Any]:
    return {
        "button": [
            {"type": "click", "name": catalogs.render(locale, item.label_key), "key": item.key}
            for item in REGISTRY.channel_menu()
        ]
    }


def install_menu(
    client: ClaimbotWeChatClient, catalogs: Catalogs, locale: str, *, extra_locales: tuple[str, ...]
) -> list[str]:
    """Create the menu in ``locale``; for each extra locale, a conditional menu shown to
    users whose WeChat language is that one. Returns what was installed, for the log."""
    client.menu.create(menu_data(catalogs, locale))
    installed = [f"menu ({locale}): " + _names(catalogs, locale)]
    for extra in extra_locales:
        conditional = {
            **menu_data(catalogs, extra),
            "matchrule": {"language": WECHAT_LANGUAGE[extra]},
        }
        client.menu.add_conditional(conditional)
        installed.append(f"conditional menu ({extra}): " + _names(catalogs, extra))
    return installed


def _names(catalogs: Catalogs, locale: str) -> str:
    return " / ".join(catalogs.render(locale, item.label_key) for item in REGISTRY.channel_menu())
