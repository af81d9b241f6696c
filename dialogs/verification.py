"""Who the sender is: the holder of a plate's policy (the plate plus a check, the policy
number or the phone's last four digits), or a staff member (a one-time /bind code).

Failures are counted per plate and per sender over a window (``domain.attempts``), in the
database, so sending the plate again, starting over or switching dialogs wins nothing
back. An unknown plate and a wrong check get the same answer and count the same, so the
answers never tell which plates are insured. At the limit the sender is told until when
checks are paused. Wrong /bind codes are counted per sender the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.conversation import TurnContext
from domain.attempts import blocked_until, fail_all
from domain.policy import Policy
from domain.staff import hash_invite_code
from messages.outbound import Outbound

MISMATCH = "security.verify.mismatch"
LOCKED = "security.verify.locked"
BIND_LOCKED = "security.bind.locked"


@dataclass(frozen=True)
class Refused:
    notice: Outbound
    locked: bool  # checks are paused: the candidate plate is dropped


def subjects(plate: str, party_id: int) -> tuple[str, ...]:
    return (f"verify:plate:{plate}", f"verify:party:{party_id}")


def locked(ctx: TurnContext, plate: str, party_id: int) -> Outbound | None:
    """The cool-down notice when the plate or the sender may not be checked now."""
    rule = ctx.limits.verification
    until = blocked_until(ctx.uow.attempts, subjects(plate, party_id), rule, ctx.now)
    return None if until is None else Outbound(LOCKED, {"until": until.isoformat()})


def check(ctx: TurnContext, plate: str, party_id: int, typed: str) -> Policy | Refused:
    """The plate's policy when ``typed`` matches it; else the one refusal for an unknown
    plate and a wrong check (with the tries left), or the cool-down notice."""
    notice = locked(ctx, plate, party_id)
    if notice is not None:
        return Refused(notice, locked=True)
    policy = ctx.uow.policies.by_plate(plate)
    if policy is not None and policy.accepts_check(typed):
        return policy
    rule = ctx.limits.verification
    state = fail_all(ctx.uow.attempts, subjects(plate, party_id), rule, ctx.now)
    if state.blocked_until is not None:
        return Refused(Outbound(LOCKED, {"until": state.blocked_until.isoformat()}), locked=True)
    return Refused(Outbound(MISMATCH, {"left": state.left(rule)}), locked=False)


def bind_attempt(ctx: TurnContext, party_id: int, code: str) -> Outbound | None:
    """Before a /bind code is judged: the cool-down notice while the sender is paused (the
    code is not looked at); else a code that is no usable invite counts as a failure."""
    rule, key = ctx.limits.binding, f"bind:party:{party_id}"
    until = ctx.uow.attempts.state(key, rule, ctx.now).blocked_until
    if until is not None:
        return Outbound(BIND_LOCKED, {"until": until.isoformat()})
    invite = ctx.uow.staff.invite_for_update(hash_invite_code(code))
    if invite is None or not invite.usable(ctx.now):
        ctx.uow.attempts.fail(key, rule, ctx.now)
    return None
