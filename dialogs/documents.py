"""The documents checklist in chat (``domain.claim_documents``).

The adjuster: ``/docs N owner|shop [快处]`` asks the owner, in one message, for every
document of the route; ``/docs N`` shows the checklist; ``/waive N item reason`` waives an
item (the item by its number in the checklist, or its name). The owner: photos sent while
a checklist of theirs is incomplete are kept, and the owner picks (buttons) which item
they are; each filing is forwarded to the adjuster. When the last item is in, both are
told, and the decision clock starts.
"""

from __future__ import annotations

from typing import Any

from dialogs.claims import slots as claim_slots
from dialogs.claims.owner import to_adjuster
from dialogs.claims.slots import DocumentsSlots
from dialogs.claims.views import Usage, claim_number, lexicon_pick, refusal, usage, words
from dialogs.conversation import IDLE, Conversation, TurnContext
from dialogs.dialog import DialogBase
from domain.adjudication import PaymentRoute
from domain.claim import Claim
from domain.claim_documents import (
    ClaimChecklist,
    ask_documents,
    claim_checklist,
    file_document,
    waive_document,
)
from domain.documents import Document, Handling, Route
from domain.errors import Refusal
from domain.services import adjust, owner_act, owner_actor, view_claim
from messages.choices import DocumentChoice
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound, stale_choice_answer

NAME = "documents"
PICK = "pick"  # uploads kept, waiting for the owner to say which item they are
CANCEL = "cancel"
ROUTE_WORDS = {f"route_{route.value}": route for route in PaymentRoute}
FAST_WORDS = frozenset({"快处", "快处快赔", "fast"})
MAX_KEPT = 20  # uploads kept at once while the owner picks


def _checklist_params(found: ClaimChecklist) -> dict[str, Any]:
    return {
        "items": [
            {
                "n": n,
                "item": item.value,
                "state": "received"
                if item in found.received
                else "waived"
                if item in found.waived
                else "missing",
                "reason": found.waived.get(item, ""),
            }
            for n, item in enumerate(found.items, 1)
        ],
        "missing": [item.value for item in found.missing],
        "complete_at": found.complete_at.isoformat() if found.complete_at else None,
    }


def _to_owner(claim: Claim, key: str, params: dict[str, Any]) -> Outbound:
    return Outbound(key, {"number": claim.number, **params}, to_party=claim.owner_id)


# --- the adjuster -------------------------------------------------------------------------


def _docs(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = argument.split()
    if not parts or len(parts) > 3:
        raise Usage("/docs")
    number = claim_number(parts[0])
    if len(parts) == 1:
        shown = claim_checklist(view_claim(ctx.uow, conv.party_id, number).claim)
        if shown is None:
            return [Outbound("documents.none", {"number": number})]
        return [Outbound("documents.checklist", {"number": number, **_checklist_params(shown)})]
    payment = lexicon_pick(ctx, parts[1], ROUTE_WORDS)
    fast = len(parts) == 3 and parts[2].lower() in FAST_WORDS
    if payment is None or (len(parts) == 3 and not fast):
        raise Usage("/docs")
    chosen: PaymentRoute = payment

    def ask(claim: Claim, actor: str) -> ClaimChecklist:
        handling = Handling.FAST if fast and not claim.report.injuries else Handling.POLICE
        route = Route(chosen, bool(claim.report.injuries), handling)
        return ask_documents(claim, route, ctx.now, actor)

    handled, found = adjust(ctx.uow, conv.party_id, number, lambda c, a: ask(c, a.actor))
    params = _checklist_params(found)
    return [
        Outbound("documents.asked", {"number": number, **params}),
        _to_owner(handled.claim, "documents.owner_asked", params),
    ]


def _item(text: str, found: ClaimChecklist | None) -> Document | None:
    if found is None:
        return None
    if text.isdigit() and 1 <= int(text) <= len(found.items):
        return found.items[int(text) - 1]
    return next((item for item in found.items if item.value == text.lower()), None)


def _waive(argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    parts = words(argument, 3)
    if len(parts) < 3:
        raise Usage("/waive")
    number = claim_number(parts[0])

    def waive(claim: Claim, actor: str) -> tuple[Document, ClaimChecklist]:
        item = _item(parts[1], claim_checklist(claim))
        if item is None:
            raise Usage("/waive")
        return item, waive_document(claim, item, parts[2], ctx.now, actor)

    handled, (item, found) = adjust(ctx.uow, conv.party_id, number, lambda c, a: waive(c, a.actor))
    params = {**_checklist_params(found), "item": item.value}
    answer = Outbound("documents.waived", {"number": number, **params})
    if found.missing:  # the owner hears when nothing more is needed, not of each waiver
        return [answer]
    return [answer, _to_owner(handled.claim, "documents.owner_complete", params)]


def run(command: str, argument: str, conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    try:
        handler = _docs if command == "/docs" else _waive
        return handler(argument.strip(), conv, ctx)
    except Usage as error:
        return [usage(error)]
    except Refusal as error:
        return [refusal(error)]


# --- the owner ----------------------------------------------------------------------------


def _open_checklist(conv: Conversation, ctx: TurnContext) -> tuple[Claim, ClaimChecklist] | None:
    """The owner's most recently asked checklist that still misses something."""
    open_ones = [
        (found.asked_at, claim.number, claim, found)
        for claim in ctx.uow.claims.for_owner(conv.party_id)
        if not claim.closed and (found := claim_checklist(claim)) is not None and found.missing
    ]
    if not open_ones:
        return None
    _, _, claim, found = max(open_ones, key=lambda entry: (entry[0], entry[1]))
    return claim, found


def take_idle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound] | None:
    """Uploads while a checklist is open: kept, and the owner asked which item they are."""
    if inbound.kind is not InboundKind.MEDIA or not inbound.media:
        return None
    found = _open_checklist(conv, ctx)
    if found is None:
        return None
    claim, checklist = found
    media = [m.media_id for m in inbound.media][:MAX_KEPT]
    conv.dialog, conv.state = NAME, PICK
    missing = [item.value for item in checklist.missing]
    claim_slots.keep(conv, DocumentsSlots(claim.number, media, missing))
    return reprompt(conv)


def _kept(conv: Conversation) -> DocumentsSlots:
    return claim_slots.load(conv, DocumentsSlots)


def more_uploads(conv: Conversation, inbound: Inbound) -> list[Outbound]:
    """More photos while the owner picks: kept with the others, the question asked again."""
    kept = _kept(conv)
    kept.media = [*kept.media, *(m.media_id for m in inbound.media)][:MAX_KEPT]
    claim_slots.keep(conv, kept)
    return reprompt(conv)


def reprompt(conv: Conversation) -> list[Outbound]:
    kept = _kept(conv)
    number = kept.number
    items = [
        Choice(DocumentChoice(number, item).encode(), f"rulebook.document.{item}")
        for item in kept.missing
    ]
    choices = (*items, Choice(DocumentChoice(number, CANCEL).encode(), "documents.choice.cancel"))
    count = len(kept.media)
    return [Outbound("documents.pick", {"number": number, "count": count}, choices)]


def choose(conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
    choice = DocumentChoice.decode(value)
    kept = _kept(conv)
    if choice is None or conv.dialog != NAME or kept.number != choice.number:
        return [stale_choice_answer()]
    if choice.item == CANCEL:
        return cancel(conv)
    try:
        item = Document(choice.item)
    except ValueError:
        return [stale_choice_answer()]
    media = [int(m) for m in kept.media]
    actor = owner_actor(conv.party_id)
    try:
        claim, found = owner_act(
            ctx.uow,
            conv.party_id,
            claim_number(choice.number),
            lambda c: file_document(c, item, media, ctx.now, actor),
        )
    except Refusal as error:
        _leave(conv)
        return [refusal(error)]
    _leave(conv)
    params = {**_checklist_params(found), "item": item.value, "count": len(media)}
    return [
        Outbound("documents.filed", {"number": claim.number, **params}),
        *to_adjuster(claim, ctx, "documents.adjuster_filed", params, attachments=tuple(media)),
    ]


def _leave(conv: Conversation) -> None:
    claim_slots.drop(conv, DocumentsSlots)
    conv.dialog, conv.state = None, IDLE


def cancel(conv: Conversation) -> list[Outbound]:
    _leave(conv)
    return [Outbound("documents.cancelled")]


class DocumentsDialog(DialogBase):
    name = NAME
    commands = frozenset({"/docs", "/waive"})

    def owns_choice(self, value: str) -> bool:
        return DocumentChoice.matches(value)

    def choose(self, conv: Conversation, value: str, ctx: TurnContext) -> list[Outbound]:
        return choose(conv, value, ctx)

    def run(
        self, command: str, argument: str, conv: Conversation, ctx: TurnContext
    ) -> list[Outbound]:
        return run(command, argument, conv, ctx)

    def handle(self, conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
        if inbound.kind is InboundKind.CHOICE and DocumentChoice.matches(inbound.text):
            return choose(conv, inbound.text, ctx)
        if inbound.kind is InboundKind.MEDIA and inbound.media:
            return more_uploads(conv, inbound)
        return reprompt(conv)

    def cancel(self, conv: Conversation) -> list[Outbound]:
        return cancel(conv)

    def reprompt(self, conv: Conversation) -> list[Outbound]:
        return reprompt(conv)

    def take_idle(
        self, conv: Conversation, inbound: Inbound, ctx: TurnContext
    ) -> list[Outbound] | None:
        return take_idle(conv, inbound, ctx)


DOCUMENTS = DocumentsDialog()
