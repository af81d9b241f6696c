"""The WeChat Official Account (公众号) channel: callback, inbox, sender, menu
(``channel.WeChatChannel``)."""

CHANNEL = "wechat"  # the channel's name in every table and outbox row
