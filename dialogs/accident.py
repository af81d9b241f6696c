"""The adjuster records the accident of a claim in chat, before the owner agrees: the
other parties (``/party``), each victim's losses (``/damage``), everyone's liability ratio
with its source (``/ratio``) and the owner's options (``/option``: 代位求偿, 推定全损,
施救费); ``/accident`` shows the record. After agreement, ``/advance`` records a part of
the agreed amount paid (先予支付); ``/paid`` pays the rest.

Keywords are Chinese or English lexicon words (机动车, 医疗, 认定书, 代位…). A change is
kept only when the claim can still be settled with it; otherwise the answer is the
settlement calculator's reason and nothing changes. A change that withdraws a proposal
waiting for the owner tells the owner so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dialogs.accident_views import accident_choices, accident_params
from dialogs.claims.views import (
    Usage,
    amount,
    claim_number,
    lexicon_pick,
    refusal,
)
from dialogs.conversation import Conversation, TurnContext
from dialogs.dialog import DialogBase
from domain.accident_record import (
    AccidentParty,
    AccidentRecord,
    InjuryRole,
    OwnerOptions,
    PartyKind,
    VictimLoss,
    with_loss,
    with_options,
    with_party,
    without_loss,
    without_party,
)
from domain.adjudication import MAX_REFERENCE
from domain.claim import Claim
from domain.claim_accident import Ratios, adjust_accident, adjust_ratios, record_part_payment
from domain.errors import Refusal
from domain.policy import normalize_plate
from domain.services import Handled, staff_member, view_claim
from domain.settlement.accident import LiabilitySource, LiabilitySourceKind, LossKind, TotalLoss
from messages.choices import AccidentAction, AccidentChoice
from messages.outbound import Outbound, stale_choice_answer

PARTY_WORDS = {f"party_{kind.value}": kind for kind in PartyKind}
DAMAGE_WORDS = {f"damage_{kind.value}": kind for kind in LossKind if kind is not LossKind.RESCUE}
ROLE_WORDS = {f"role_{role.value}": role for role in InjuryRole}
SOURCE_WORDS = {f"source_{kind.value}": kind for kind in LiabilitySourceKind}
OPTION_WORDS = {"option_subrogation": "subrogation", "option_total_loss": "total_loss"}
OPTION_WORDS["option_rescue"] = "rescue"
REMOVE_WORD = "loss_remove"
OWN_WORD = "accident_own"
OFF_WORD = "option_off"
MAX_NAME = 40

Handler = Callable[[str, Conversation, TurnContext], list[Outbound]]


def _pending_version(ctx: TurnContext, number: str) -> int | None:
    claim = ctx.uow.claims.get(number)
    pending = None if claim is None else claim.adjudication.pending_settlement
    return None if pending is None else pending.version


def _recorded(ctx: TurnContext, handled: Handled, withdrawn: int | None) -> list[Outbound]:
    """The accident card to the adjuster, and the owner told of a withdrawn proposal."""
    claim = handled.claim
    replies = [_card(claim, recorded=True)]
    if withdrawn is not None:
        replies.append(
            Outbound(
                "claims.owner.proposal_withdrawn",
                {"number": claim.number, "version": withdrawn},
                to_party=claim.owner_id,
            )
        )
    return replies


def _card(claim: Claim, *, recorded: bool = False) -> Outbound:
    params = {**accident_params(claim), "recorded": recorded}
    return Outbound("accident.card", params, accident_choices(claim))


def _change(
    number: str, change: Callable[[AccidentRecord], AccidentRecord], ctx: TurnContext, party: int
) -> list[Outbound]:
    withdrawn = _pending_version(ctx, number)
    handled = adjust_accident(ctx.uow, party, number, change, ctx.now, ctx.rules)
    return _recorded(ctx, handled, withdrawn)


def _own_plate(ctx: TurnContext, number: str) -> str:
    claim = ctx.uow.claims.get(number)
    if claim is None:
        return ""
    return claim.report.plate or claim.policy_number


def _label(ctx: TurnContext, text: str, own: str, number: str) -> str:
    """A party's label as typed (a plate in any case); 本车 names the owner's car."""
    typed = text.strip()[:MAX_NAME]
    if ctx.lexicon.means(typed, OWN_WORD) or typed.upper() == own:
        return own
    claim = ctx.uow.claims.get(number)
    record = None if claim is None else claim.adjudication.accident
    labels = [] if record is None else [p.label for p in record.parties]
    return next((label for label in labels if label.upper() == typed.upper()), typed)


# --- /party -----------------------------------------------------------------------------


def _party(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) < 3:
        raise Usage("/party")
    number = claim_number(parts[0])
    own = _own_plate(ctx, number)
    if ctx.lexicon.means(parts[1], REMOVE_WORD):
        if len(parts) != 3:
            raise Usage("/party")
        label = _label(ctx, parts[2], own, number)
        return _change(number, lambda r: without_party(r, label), ctx, conv.party_id)
    kind = lexicon_pick(ctx, parts[1], PARTY_WORDS)
    if kind is None:
        raise Usage("/party")
    label = normalize_plate(parts[2]) if kind is PartyKind.VEHICLE else parts[2]
    party = _vehicle_flags(ctx, label, parts[3:]) if kind is PartyKind.VEHICLE else None
    if party is None:
        if len(parts) > 3:
            raise Usage("/party")
        party = AccidentParty(label[:MAX_NAME], kind)
    chosen = party
    return _change(number, lambda r: with_party(r, chosen, own), ctx, conv.party_id)


def _vehicle_flags(ctx: TurnContext, plate: str, flags: list[str]) -> AccidentParty:
    """``[insurer] [无交强险|未投保] [三者 limit]`` after a vehicle's plate."""
    insurer, insured, jiaoqiang, third_party = "", True, True, None
    rest = list(flags)
    while rest:
        word = rest.pop(0)
        if ctx.lexicon.means(word, "flag_uninsured"):
            insured = False
        elif ctx.lexicon.means(word, "flag_no_jiaoqiang"):
            jiaoqiang = False
        elif ctx.lexicon.means(word, "flag_third_party"):
            if not rest:
                raise Usage("/party")
            third_party = amount(rest.pop(0), ctx).fen
        elif not insurer and len(word) <= MAX_NAME:
            insurer = word
        else:
            raise Usage("/party")
    return AccidentParty(
        plate[:MAX_NAME], PartyKind.VEHICLE, insurer, insured, jiaoqiang, third_party
    )


# --- /damage ----------------------------------------------------------------------------


def _damage(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) < 3:
        raise Usage("/damage")
    number = claim_number(parts[0])
    if ctx.lexicon.means(parts[1], REMOVE_WORD):
        if len(parts) != 3 or not parts[2].isdigit():
            raise Usage("/damage")
        position = int(parts[2])
        return _change(number, lambda r: without_loss(r, position), ctx, conv.party_id)
    if len(parts) < 4 or len(parts) > 6:
        raise Usage("/damage")
    own = _own_plate(ctx, number)
    victim = _label(ctx, parts[1], own, number)
    kind = lexicon_pick(ctx, parts[2], DAMAGE_WORDS)
    if kind is None:
        raise Usage("/damage")
    value = amount(parts[3], ctx).fen
    person, role = _person(ctx, parts[4:])
    loss = VictimLoss(victim, kind, value, person, role)
    return _change(number, lambda r: with_loss(r, loss, own), ctx, conv.party_id)


def _person(ctx: TurnContext, words: list[str]) -> tuple[str, InjuryRole | None]:
    """``[name] [司机|乘客|三者]``: who was hurt, in either order."""
    name, role = "", None
    for word in words:
        picked = lexicon_pick(ctx, word, ROLE_WORDS)
        if picked is not None and role is None:
            role = picked
        elif not name and len(word) <= MAX_NAME:
            name = word
        else:
            raise Usage("/damage")
    return name, role


# --- /ratio -----------------------------------------------------------------------------


def _ratio(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) < 5:
        raise Usage("/ratio")
    number = claim_number(parts[0])
    own = _own_plate(ctx, number)
    shares: dict[str, int] = {}
    rest = parts[1:]
    while len(rest) >= 2 and _percent(rest[1]) is not None:
        label = _label(ctx, rest[0], own, number)
        share = _percent(rest[1])
        if label in shares or share is None:
            raise Usage("/ratio")
        shares[label] = share
        rest = rest[2:]
    kind = lexicon_pick(ctx, rest[0], SOURCE_WORDS) if rest else None
    if kind is None or own not in shares or len(rest) > 2:
        raise Usage("/ratio")
    reference = rest[1] if len(rest) == 2 else ""
    if len(reference) > MAX_REFERENCE:
        raise Usage("/ratio")
    own_share = shares.pop(own)
    ratios = Ratios(own_share, shares, LiabilitySource(kind, reference))
    withdrawn = _pending_version(ctx, number)
    handled = adjust_ratios(ctx.uow, conv.party_id, number, ratios, ctx.now, ctx.rules)
    return _recorded(ctx, handled, withdrawn)


def _percent(text: str) -> int | None:
    digits = text.strip().removesuffix("%").removesuffix("％")
    if not (digits.isascii() and digits.isdigit()) or int(digits) > 100:
        return None
    return int(digits)


# --- /option ----------------------------------------------------------------------------


def _option(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) < 2:
        raise Usage("/option")
    number = claim_number(parts[0])
    name = lexicon_pick(ctx, parts[1], OPTION_WORDS)
    off = len(parts) == 3 and ctx.lexicon.means(parts[2], OFF_WORD)
    if name == "subrogation" and len(parts) <= 3:
        on = not off if len(parts) == 3 else True
        return _set_options(number, ctx, conv, lambda o: replace(o, subrogation=on))
    if name == "rescue" and len(parts) == 3:
        value = 0 if off else amount(parts[2], ctx, allow_zero=True).fen
        return _set_options(number, ctx, conv, lambda o: replace(o, rescue=value))
    if name == "total_loss" and off:
        return _set_options(number, ctx, conv, lambda o: replace(o, total_loss=None))
    if name == "total_loss" and len(parts) in (4, 5):
        taken = len(parts) == 5
        if taken and not ctx.lexicon.means(parts[4], "option_salvage_taken"):
            raise Usage("/option")
        value = amount(parts[2], ctx).fen
        total = TotalLoss(value, amount(parts[3], ctx, allow_zero=True).fen, taken)
        return _set_options(number, ctx, conv, lambda o: replace(o, total_loss=total))
    raise Usage("/option")


def _set_options(
    number: str,
    ctx: TurnContext,
    conv: Conversation,
    change: Callable[[OwnerOptions], OwnerOptions],
) -> list[Outbound]:
    return _change(number, lambda r: with_options(r, change(r.options)), ctx, conv.party_id)


# --- /accident, /advance ------------------------------------------------------------------


def _accident(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) != 1:
        raise Usage("/accident")
    claim = view_claim(ctx.uow, conv.party_id, claim_number(parts[0])).claim
    return [_card(claim)]


def _advance(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if len(parts) != 3 or len(parts[2]) > MAX_REFERENCE:
        raise Usage("/advance")
    number = claim_number(parts[0])
    paid = amount(parts[1], ctx)
    handled, due = record_part_payment(ctx.uow, conv.party_id, number, paid, parts[2], ctx.now)
    claim = handled.claim
    params = {
        "number": claim.number,
        "amount": paid.grouped(),
        "reference": parts[2],
        "paid": claim.adjudication.paid.grouped(),
        "due": due.grouped(),
        "closed": due.fen == 0,
    }
    return [
        Outbound("accident.adjuster.part_paid", params),
        Outbound("accident.owner.part_paid", params, to_party=claim.owner_id),
    ]


HANDLERS: dict[str, Handler] = {
    "/party": _party,
    "/damage": _damage,
    "/ratio": _ratio,
    "/option": _option,
    "/accident": _accident,
    "/advance": _advance,
}


def run(command: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    try:
        staff_member(ctx.uow, conv.party_id)
        return HANDLERS[command](argument.strip(), conv, ctx)
    except Usage as error:
        return [Outbound(f"accident.usage.{error.command.lstrip('/')}")]
    except Refusal as error:
        return [refusal(error)]


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    choice = AccidentChoice.decode(value)
    if choice is None:
        return [stale_choice_answer()]
    if choice.action is AccidentAction.VIEW:
        return run("/accident", choice.number, conv, ctx)
    try:
        staff_member(ctx.uow, conv.party_id)
        number = claim_number(choice.number)
        on = _subrogation_on(ctx, number)
        change = lambda o: replace(o, subrogation=not on)  # noqa: E731
        return _set_options(number, ctx, conv, change)
    except Refusal as error:
        return [refusal(error)]


def _subrogation_on(ctx: TurnContext, number: str) -> bool:
    claim = ctx.uow.claims.get(number)
    record = None if claim is None else claim.adjudication.accident
    return record is not None and record.options.subrogation


class AccidentDialog(DialogBase):
    name = "accident"
    commands = frozenset(HANDLERS)

    def owns_choice(self, value: str) -> bool:
        return AccidentChoice.matches(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return choose(conv, value, ctx)

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        return run(command, argument, conv, ctx)


ACCIDENT = AccidentDialog()
