"""The WeChat Official Account (公众号) channel: callback, inbox, sender, menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bootstrap import ChannelDeps
    from bot.channels import Channel


def build_wechat_channel(deps: ChannelDeps) -> Channel:
    from bot.wechat.channel import WeChatChannel

    return WeChatChannel(deps)


__all__ = ["build_wechat_channel"]
