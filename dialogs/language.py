"""Which language a conversation speaks: the device's at first contact, the owner's own
writing while the privacy notice waits, and ``/lang`` (or a button) whenever they choose."""

from __future__ import annotations

import re

from domain.policy import find_plates

CHINESE = "zh_CN"
ENGLISH = "en"
LANGUAGE_ALIASES = {"zh": CHINESE, "cn": CHINESE, "zh_cn": CHINESE, "zh-cn": CHINESE, "en": ENGLISH}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WRITTEN_CHINESE = 2  # Han characters, plates left out: "你好" is Chinese, "沪A12345" is not


def locale_for(language_hint: str | None, default: str) -> str:
    """The locale of a first contact: zh* → zh_CN, any other hint → en, none → default."""
    if not language_hint:
        return default
    return CHINESE if language_hint.lower().startswith("zh") else ENGLISH


def other_locale(locale: str) -> str:
    return ENGLISH if locale == CHINESE else CHINESE


def written_in_chinese(text: str) -> bool:
    """Whether the owner wrote Chinese words (a plate's province character alone is not)."""
    provinces = len(find_plates(text))  # one Han character a plate
    return len(_HAN.findall(text)) - provinces >= _WRITTEN_CHINESE
