"""One turn of a conversation: global commands first, then the active dialog.

The dialogs are the registry's (``dialogs/registry.py``): the router knows none by name.

Every answer ends by asking again for what the conversation waits for, so an owner who
sent something unexpected always learns what is expected, and nothing given is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dialogs import consent, human, intents, router_slots, staff_words
from dialogs.conversation import Conversation, TurnContext
from dialogs.language import LANGUAGE_ALIASES
from dialogs.registry import REGISTRY, Registry
from dialogs.router_slots import Tapped, keep_pending_media
from messages.inbound import Inbound, InboundKind
from messages.outbound import Outbound, stale_choice_answer

MAX_TEXT = 4000
IDLE_PROMPT = intents.MENU  # the owner's opening menu


def handle_turn(
    conv: Conversation, inbound: Inbound, ctx: TurnContext, pushed: Sequence[str] = ()
) -> list[Outbound]:
    """Run one inbound message through the conversation; record the choices offered.

    ``pushed``: the choices of a message delivered to this chat since the conversation's
    last turn (a card another party's turn or a timer sent); being the latest on the
    screen, a typed number answers those rather than the conversation's own last offer.
    """
    outs = _without_owner_prompt(conv, ctx, _route(conv, inbound, ctx, tuple(pushed)))
    mine = [out for out in outs if out.to_party in (None, conv.party_id)]  # not notices
    with router_slots.edit(conv) as shared:
        shared.offered = [choice.value for out in mine for choice in out.choices]
        # Channels without buttons number each message's list from 1: a typed number
        # answers the last list of the turn (two lists in one: the report filed, an offer).
        listed = [out for out in mine if out.choices]
        shared.numbered = [choice.value for choice in listed[-1].choices] if listed else []
        if inbound.kind is InboundKind.CHOICE and not (outs and outs[0].stale_choice):
            # A second tap on it before anything else happens is then answered by silence.
            shared.tapped = Tapped(inbound.text, ctx.now.isoformat())
    conv.last_activity = ctx.now
    return outs


def choice_lasts(value: str, registry: Registry = REGISTRY) -> bool:
    """Whether a button stays good after the conversation moves on (it names its claim or
    booking, answers a shop's waiting request, or opens the menu); every other button is
    superseded by the conversation's next turn, which offers its own."""
    return (
        registry.for_choice(value) is not None
        or staff_words.is_choice(value)
        or value in intents.START_CHOICES
    )


def wants_pushed(conv: Conversation, inbound: Inbound, registry: Registry = REGISTRY) -> bool:
    """Whether this turn needs the choices pushed to the chat: a typed number, or a tap
    the conversation did not offer itself and that is not checked against the claim or
    booking it names (the caller can skip looking them up)."""
    if inbound.kind is InboundKind.CHOICE:
        value = inbound.text
        names_subject = registry.for_choice(value) is not None
        return not names_subject and value not in conv.offered
    return _number_typed(inbound) is not None


def _route(
    conv: Conversation, inbound: Inbound, ctx: TurnContext, pushed: tuple[str, ...]
) -> list[Outbound]:
    if len(inbound.text) > MAX_TEXT:
        return [Outbound("input.too_long", {"max": MAX_TEXT}), *_reprompt(conv, ctx)]
    shared = router_slots.load(conv)
    numbered = shared.numbered if shared.numbered is not None else (shared.offered or [])
    inbound = _numbered_reply_as_choice(pushed or tuple(numbered), inbound)
    held = consent.gate(
        conv,
        inbound,
        ctx,
        is_staff=lambda: _staff_help(conv, ctx) is not None,
        reprompt=lambda: _reprompt(conv, ctx),
        resume=lambda text: _route(conv, _as_text(inbound, text), ctx, ()),
    )
    if held is not None:
        return held
    if (answered := staff_words.reply(conv, inbound, ctx)) is not None:
        return answered  # a shop's "确认" / "改到明天下午3点" / "满了" to a waiting request
    if conv.dialog == human.NAME and not _bypasses_handoff(inbound, ctx):
        ended = human.handle(conv, inbound, ctx)  # else a person answers from the dashboard
        return [*ended, *_reprompt(conv, ctx)] if ended else ended
    command = _command(conv, inbound, ctx)
    if command == "/human":
        return human.begin(conv, inbound, ctx, "asked")
    if command is not None:
        return _run_command(conv, command, ctx)
    if inbound.kind is InboundKind.CHOICE:
        owner = _registry(ctx).for_choice(inbound.text)
        if owner is not None:  # a button naming its subject, checked against it
            before = conv.dialog
            return _then_reprompt(conv, ctx, before, owner.choose(conv, inbound.text, ctx))
        if staff_words.is_choice(inbound.text):
            return staff_words.choose(conv, inbound.text, inbound, ctx)
        if inbound.text in intents.START_CHOICES:  # the opening menu
            if intents.START_CHOICES[inbound.text] == "/human":
                return human.begin(conv, inbound, ctx, "asked")
            return _run_command(conv, intents.START_CHOICES[inbound.text], ctx)
        if inbound.text not in (*conv.offered, *pushed):
            if _double_tap(conv, inbound.text):
                return []  # the first tap was answered: nothing more to say
            return [stale_choice_answer(), *_reprompt(conv, ctx)]
        starts = _registry(ctx).started_by(inbound.text)
        if starts is not None:
            return starts.begin(conv, ctx)
    running = _registry(ctx).running(conv)
    if running is not None:
        return running.handle(conv, inbound, ctx)
    return _idle(conv, inbound, ctx)


def _double_tap(conv: Conversation, value: str) -> bool:
    """The button the conversation's latest turn took, tapped again with no turn between."""
    tapped = router_slots.load(conv).tapped
    if tapped is None or tapped.value != value:
        return False
    last = conv.last_activity
    return last is not None and tapped.at == last.isoformat()


def _as_text(inbound: Inbound, text: str) -> Inbound:
    return replace(inbound, kind=InboundKind.TEXT, text=text)


def _registry(ctx: TurnContext) -> Registry:
    return REGISTRY if ctx.registry is None else ctx.registry


def _command(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> str | None:
    if inbound.kind is InboundKind.EVENT:
        key = str(inbound.payload.get("key", ""))
        return _registry(ctx).menu_command(key)
    if inbound.kind not in (InboundKind.TEXT, InboundKind.COMMAND):
        return None
    text = inbound.text.strip()
    if text.startswith("/"):
        return text
    return intents.command_for(text, ctx.lexicon, in_dialog=conv.dialog is not None) or _registry(
        ctx
    ).word_command(text, ctx.lexicon)


def _bypasses_handoff(inbound: Inbound, ctx: TurnContext) -> bool:
    """Inside a handoff, asking again for a person is answered with the wait, and a tap on
    a claim's or a booking's card (accepting a settlement) is still that card's."""
    if inbound.kind is InboundKind.CHOICE:
        return _registry(ctx).for_choice(inbound.text) is not None
    return (
        inbound.kind is InboundKind.TEXT
        and intents.recognise(inbound.text, ctx.lexicon, in_dialog=True) == "human"
    )


def _run_command(conv: Conversation, command: str, ctx: TurnContext) -> list[Outbound]:
    with router_slots.edit(conv) as shared:
        shared.unclear = None
    name, _, argument = command.partition(" ")
    name = name.lower().split("@", 1)[0]  # Telegram groups append @botname
    running = _registry(ctx).running(conv)
    owner = _registry(ctx).for_command(name)
    match name:
        case "/start":
            return [Outbound("welcome"), *_reprompt(conv, ctx)]
        case "/cancel":
            if running is not None:
                return running.cancel(conv)
            return [Outbound("cancel.nothing"), *_reprompt(conv, ctx)]
        case "/back":
            if running is not None:
                return running.back(conv, ctx)
            nothing = "back.nothing" if conv.dialog else "back.no_report"
            return [Outbound(nothing), *_reprompt(conv, ctx)]
        case "/help":
            topic = running.help(conv, ctx) if running is not None else None
            topic = topic or _staff_help(conv, ctx) or "help.idle"
            return [Outbound(topic), *_reprompt(conv, ctx)]
        case "/lang":
            return _change_language(conv, argument.strip(), ctx)
        case "/mute" | "/unmute":
            return [_set_muted(conv, name == "/mute", ctx), *_reprompt(conv, ctx)]
        case _ if owner is not None:
            before = conv.dialog
            return _then_reprompt(conv, ctx, before, owner.run(name, argument, conv, ctx))
        case _:
            return [Outbound("command.unknown", {"command": name[:32]}), *_reprompt(conv, ctx)]


def _set_muted(conv: Conversation, muted: bool, ctx: TurnContext) -> Outbound:
    ctx.uow.reminders.set_muted(conv.party_id, muted, ctx.now)
    return Outbound("reminders.muted" if muted else "reminders.unmuted")


def _change_language(conv: Conversation, argument: str, ctx: TurnContext) -> list[Outbound]:
    locale = LANGUAGE_ALIASES.get(argument.lower())
    if locale is None or locale not in ctx.locales:
        return [Outbound("lang.usage"), *_reprompt(conv, ctx)]
    conv.locale = locale
    return [Outbound("lang.changed"), *_reprompt(conv, ctx)]


def _idle(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> list[Outbound]:
    for dialog in _registry(ctx).dialogs:
        taken = dialog.take_idle(conv, inbound, ctx)
        if taken is not None:  # e.g. evidence an adjuster asked for, attached and forwarded
            return taken
    if inbound.kind is InboundKind.MEDIA:
        keep_pending_media(conv, inbound.media)
        return [
            Outbound(
                "idle.media_kept",
                {"count": len(inbound.media), "rejected": list(inbound.rejected)},
            ),
            *_reprompt(conv, ctx),
        ]
    if inbound.kind is InboundKind.EVENT or _greets(conv, inbound, ctx):
        return [Outbound("welcome"), *_reprompt(conv, ctx)]
    if inbound.kind is InboundKind.UNSUPPORTED:
        return [Outbound("input.unsupported"), *_reprompt(conv, ctx)]
    shared = router_slots.load(conv)
    misses = int(shared.unclear or 0) + 1  # texts in a row that fit nothing
    if misses >= human.MISUNDERSTOOD_LIMIT and _staff_help(conv, ctx) is None:
        return human.begin(conv, inbound, ctx, "misunderstood")
    shared.unclear = misses
    router_slots.keep(conv, shared)
    return [intents.menu(unclear=True)]


def _greets(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> bool:
    """An owner's "你好", "在吗": welcomed, not counted as misunderstood (staff are
    pointed to their help instead)."""
    return ctx.lexicon.means(inbound.text, "greeting") and _staff_help(conv, ctx) is None


def _then_reprompt(
    conv: Conversation, ctx: TurnContext, before: str | None, outs: list[Outbound]
) -> list[Outbound]:
    """After a dialog's command or button, ask again what a dialog in progress waits for
    (not when the answer itself started or ended a dialog)."""
    if conv.dialog is None or conv.dialog != before:
        return outs
    again = _reprompt(conv, ctx)
    if again and outs[-len(again) :] == again:  # the answer asked it already
        return outs
    return [*outs, *again]


def reprompt(conv: Conversation) -> list[Outbound]:
    """What the conversation waits for, asked again (after a person handed it back)."""
    return _asked_again(conv, REGISTRY)


def _reprompt(conv: Conversation, ctx: TurnContext) -> list[Outbound]:
    return _asked_again(conv, _registry(ctx))


def _asked_again(conv: Conversation, registry: Registry) -> list[Outbound]:
    running = registry.running(conv)
    if running is not None:
        return running.reprompt(conv)
    return [intents.menu()]


def _staff_help(conv: Conversation, ctx: TurnContext) -> str | None:
    """The help of the sender's staff role (an adjuster, a supervisor, shop staff), from
    the first dialog that knows it; None for everyone else (an owner)."""
    topics = (d.role_help(conv, ctx) for d in _registry(ctx).dialogs)
    return next((topic for topic in topics if topic is not None), None)


def _without_owner_prompt(
    conv: Conversation, ctx: TurnContext, outs: list[Outbound]
) -> list[Outbound]:
    """Staff are not invited to report an accident after every answer: the idle prompt is
    left out for them, or, when it is the whole answer, replaced by a pointer to /help."""
    mine = [out for out in outs if out.key == IDLE_PROMPT and out.to_party in (None, conv.party_id)]
    if not mine or _staff_help(conv, ctx) is None:
        return outs
    rest = [out for out in outs if not any(out is prompt for prompt in mine)]
    return rest or [Outbound("help.staff_prompt")]


def _number_typed(inbound: Inbound) -> int | None:
    """A typed reply of one or two ASCII digits, as a number."""
    text = inbound.text.strip()
    if inbound.kind is not InboundKind.TEXT or not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 2 else None


def _numbered_reply_as_choice(offered: Sequence[str], inbound: Inbound) -> Inbound:
    """WeChat has no buttons: "2" answers the second choice of the latest numbered list."""
    number = _number_typed(inbound)
    if number is None:
        return inbound
    index = number - 1
    if not 0 <= index < len(offered):
        return inbound
    return Inbound(
        channel=inbound.channel,
        user_id=inbound.user_id,
        chat_id=inbound.chat_id,
        message_id=inbound.message_id,
        kind=InboundKind.CHOICE,
        received_at=inbound.received_at,
        text=offered[index],
        language_hint=inbound.language_hint,
    )
