"""The customer-service window a user's action opens (WeChat's allowance of messages).

A message from the user opens 5 messages within 48 hours; a follow, a menu click or a QR
scan 3 within a minute. The window is opened when the inbox worker first claims the
message, in the claim's transaction, and not in the callback: the callback only records
the message (its acknowledgement stays one insert), and the answers the message causes
are written only after the claim. The grant counts from when WeChat delivered the message.
A user's messages are claimed one at a time, in order, so a newer grant never precedes an
older one; a retried claim (``attempts`` > 1) does not grant again, which would reset
what was already sent against the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.channels.wechat import CHANNEL
from storage.channels.wechat.delivery import WeChatQueue, WeChatQuotas
from storage.channels.wechat.inbox import InboxRow
from storage.uow import SqlUnitOfWork

# (kind, messages, lifetime) of each allowance a user action opens.
MESSAGE_GRANT = ("message", 5, timedelta(hours=48))
EVENT_GRANT = ("event", 3, timedelta(minutes=1))
USER_MESSAGES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link"})
GRANTING_EVENTS = frozenset({"subscribe", "click", "scan", "scancode_push", "scancode_waitmsg"})


def grant_for(msg_type: str) -> tuple[str, int, timedelta] | None:
    """The allowance an inbox message type opens (``event:<name>`` for events), if any."""
    if msg_type in USER_MESSAGES:
        return MESSAGE_GRANT
    if msg_type.startswith("event:") and msg_type[len("event:") :] in GRANTING_EVENTS:
        return EVENT_GRANT
    return None


def open_windows(uow: SqlUnitOfWork, claimed: Sequence[InboxRow], now: datetime) -> int:
    """Grant what the newly claimed messages open, and release the rows kept for the user's
    return (``WeChatQueue.release``); how many rows were released."""
    quotas = uow.channel_store(WeChatQuotas)
    queue = uow.channel_store(WeChatQueue)
    released = 0
    for row in claimed:
        grant = grant_for(row.msg_type) if row.attempts == 1 else None
        if grant is None:
            continue
        kind, allowance, lifetime = grant
        quotas.grant(row.openid, kind, row.received_at, allowance, lifetime)
        released += queue.release(CHANNEL, row.openid, now)
    return released
