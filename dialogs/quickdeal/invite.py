"""The owner's invitation and the other driver's joining with its code.

After a report of a collision with one other motor vehicle and no injuries, the owner is
offered 快处快赔. Accepting makes an invitation: a short one-time code, a web chat link
carrying it and that link as a QR code; the code expires after the configured lifetime.
The other driver joins by sending "快处 CODE" (or ``/join CODE``) on any channel. Wrong
codes count against the sender like wrong /bind codes (``domain.attempts``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from dialogs.conversation import Conversation, TurnContext
from dialogs.quickdeal.common import NAME, PLATE, claim_and_policy
from dialogs.quickdeal.slots import QuickDealSlots, keep
from domain.claim import Claim
from domain.quick_deal import (
    DEFAULT_LIFETIME,
    REPLACEABLE,
    DealState,
    JoinRefusal,
    QuickDeal,
    expiry_timer,
    hash_code,
    looks_like_code,
    new_code,
    timer_subject,
)
from domain.staff import normalize_invite_code
from messages.choices import quick_deal_invite_choice
from messages.outbound import Outbound, stale_choice_answer

JOIN_COMMAND = "/join"
_JOIN_WORDS = re.compile(
    r"^\s*(?:快处快赔|快处|kuaichu)\s*[:：]?\s*(?P<code>[A-Za-z0-9 \-]{4,20})\s*$", re.I
)
JOIN_PATH = "/chat?join="


def offer(claim: Claim) -> list[Outbound]:
    """The 快处快赔 button after a filed report, when the accident qualifies."""
    if not qualifies(claim):
        return []
    button = quick_deal_invite_choice(claim.number)
    return [Outbound("quickdeal.offer", {"number": claim.number}, (button,))]


def qualifies(claim: Claim) -> bool:
    """One other motor vehicle, nobody injured, the claim still open and not yet decided."""
    report = claim.report
    return (
        report.injuries is False
        and len(report.other_vehicles or []) == 1
        and not claim.closed
        and claim.adjudication.liability is None
    )


def invite(conv: Conversation, number: str, ctx: TurnContext) -> list[Outbound]:
    found = claim_and_policy(ctx, number)
    if found is None or found[0].owner_id != conv.party_id:
        return [stale_choice_answer()]
    claim = found[0]
    if not qualifies(claim):
        return [Outbound("quickdeal.not_offered", {"number": number})]
    current = ctx.uow.quick_deals.for_claim_for_update(number)
    if current is not None and current.state not in REPLACEABLE:
        return [Outbound("quickdeal.already", {"number": number})]
    services = ctx.quick_deal
    lifetime = services.invite_lifetime if services else DEFAULT_LIFETIME
    code = new_code()
    deal = QuickDeal(number, conv.party_id, hash_code(code), ctx.now, ctx.now + lifetime)
    base = (services.public_url if services else ctx.public_url).rstrip("/")
    url = f"{base}{JOIN_PATH}{code}"
    if services is not None:
        deal.qr_media = services.invitation_qr(url)
    ctx.uow.quick_deals.add(deal)
    ctx.uow.booking_timers.replace(timer_subject(number), [expiry_timer(deal)], ctx.now)
    params = {
        "number": number,
        "code": code,
        "url": url,
        "until": deal.expires_at.isoformat(),
        "minutes": int(lifetime / timedelta(minutes=1)),
    }
    media = (deal.qr_media,) if deal.qr_media is not None else ()
    return [Outbound("quickdeal.invitation", params, attachments=media)]


def typed_code(text: str) -> str | None:
    """The code of a typed "快处 CODE", if the text is one."""
    found = _JOIN_WORDS.match(text)
    return found.group("code") if found else None


def join(conv: Conversation, code: str, ctx: TurnContext) -> list[Outbound]:
    """The other driver sends the code: they join the case, or are told why not."""
    rule, key = ctx.limits.binding, f"quickdeal:party:{conv.party_id}"
    until = ctx.uow.attempts.state(key, rule, ctx.now).blocked_until
    if until is not None:
        return [Outbound("quickdeal.join.locked", {"until": until.isoformat()})]
    deal = None
    if looks_like_code(code):
        deal = ctx.uow.quick_deals.by_code_for_update(hash_code(normalize_invite_code(code)))
    if deal is None:
        ctx.uow.attempts.fail(key, rule, ctx.now)
        return [Outbound("quickdeal.join.unknown")]
    if deal.other_id == conv.party_id and conv.dialog == NAME:
        return [Outbound("quickdeal.join.already_in")]
    refusal = deal.refusal(conv.party_id, ctx.now)
    if refusal is JoinRefusal.EXPIRED:
        return _expired(deal, ctx)
    if refusal is not None:
        return [Outbound(f"quickdeal.join.{refusal.value}")]
    deal.join(conv.party_id, ctx.now)
    ctx.uow.quick_deals.save(deal)
    ctx.uow.booking_timers.replace(timer_subject(deal.claim_number), [], ctx.now)
    conv.reset()
    conv.dialog, conv.state = NAME, PLATE
    keep(conv, QuickDealSlots(deal=deal.claim_number))
    return [
        Outbound("quickdeal.joined", {"number": deal.claim_number}),
        Outbound("quickdeal.owner.joined", {"number": deal.claim_number}, to_party=deal.owner_id),
        Outbound("quickdeal.ask.plate"),
    ]


def expired_notice(number: str) -> Outbound:
    """The owner's notice of an invitation that expired unused, with a button for another."""
    again = quick_deal_invite_choice(number, "quickdeal.choice.invite_again")
    return Outbound("quickdeal.owner.expired", {"number": number}, (again,))


def _expired(deal: QuickDeal, ctx: TurnContext) -> list[Outbound]:
    """The driver is told; the owner is told once, with a button for a new invitation."""
    outs = [Outbound("quickdeal.join.expired")]
    if deal.state is DealState.INVITED:
        deal.state = DealState.EXPIRED
        ctx.uow.quick_deals.save(deal)
        outs.append(replace(expired_notice(deal.claim_number), to_party=deal.owner_id))
    return outs
