"""The privacy notice at first contact, and the owner's agreement before anything else.

A party that has not agreed to the current notice version gets the short notice (what
is collected, why, how long, who sees it, a link to the full text) and two buttons;
nothing else they send is acted on until they agree. Staff bound with ``/bind`` are not
asked (their work is not processing of their own data), and ``/bind``, ``/lang`` and
``/help`` pass so that staff can bind and anyone can read the notice in their language.
A new version of the notice asks everyone again.

Until they agree the language is not settled: the notice offers the other language as a
button, and an owner whose device says English but who writes Chinese ("你好", "撞车了")
is answered in Chinese from then on. After that only ``/lang`` changes it, so an English
speaker who later types a Chinese address is not switched.
"""

from __future__ import annotations

from collections.abc import Callable

from dialogs import intents, router_slots
from dialogs.conversation import Conversation, TurnContext
from dialogs.language import (
    CHINESE,
    ENGLISH,
    LANGUAGE_ALIASES,
    other_locale,
    written_in_chinese,
)
from messages.choices import (
    CONSENT_AGREE,
    CONSENT_DECLINE,
    CONSENT_IN_CHINESE,
    CONSENT_IN_ENGLISH,
    ConsentChoice,
)
from messages.inbound import Inbound, InboundKind
from messages.outbound import Choice, Outbound

NOTICE_VERSION = "2026-12"  # change with the notice text (locales/*/privacy.yaml)
PRIVACY_PATH = "/privacy"
AGREE = CONSENT_AGREE.encode()  # the button values, for those who send them (tests, bench)
DECLINE = CONSENT_DECLINE.encode()
_PASSING_COMMANDS = ("/bind", "/lang", "/help")
_LANGUAGE_CHOICES = {CHINESE: CONSENT_IN_CHINESE, ENGLISH: CONSENT_IN_ENGLISH}
_LOCALE_OF_CHOICE = {choice: locale for locale, choice in _LANGUAGE_CHOICES.items()}
HELD_MAX = 500


def privacy_url(base_url: str, locale: str) -> str:
    return f"{base_url.rstrip('/')}{PRIVACY_PATH}?lang={locale}"


def notice(conv: Conversation, ctx: TurnContext) -> Outbound:
    choices = [Choice(AGREE, "consent.choice.agree"), Choice(DECLINE, "consent.choice.decline")]
    other = other_locale(conv.locale)
    if other in ctx.locales:
        choices.append(Choice(_LANGUAGE_CHOICES[other].encode(), "consent.choice.other_language"))
    return Outbound(
        "consent.notice",
        {
            "url": privacy_url(ctx.public_url, conv.locale),
            "days": ctx.retention_days,
            "version": NOTICE_VERSION,
        },
        tuple(choices),
    )


def gate(
    conv: Conversation,
    inbound: Inbound,
    ctx: TurnContext,
    *,
    is_staff: Callable[[], bool],
    reprompt: Callable[[], list[Outbound]],
    resume: Callable[[str], list[Outbound]],
) -> list[Outbound] | None:
    """The answer while the notice is not agreed to; None lets the turn go on. What the
    owner first wrote ("撞车了", "/report") is kept and, once they agree, ``resume``d: they
    need not say it again."""
    consents = ctx.uow.consents
    if consents.agreed_version(conv.party_id) == NOTICE_VERSION:
        return None
    choice = ConsentChoice.decode(inbound.text) if inbound.kind is InboundKind.CHOICE else None
    if choice == CONSENT_AGREE:
        consents.record(conv.party_id, NOTICE_VERSION, inbound.channel, ctx.now)
        with router_slots.edit(conv) as shared:
            held, shared.held_text = shared.held_text, None
        then = resume(str(held)) if held else reprompt()
        return [Outbound("consent.agreed", {"version": NOTICE_VERSION}), *then]
    if is_staff() or _passes(inbound):
        return None
    if choice == CONSENT_DECLINE:
        return [Outbound("consent.declined"), notice(conv, ctx)]
    if choice is not None:  # the notice in the other language
        conv.locale = _LOCALE_OF_CHOICE[choice]
        return [notice(conv, ctx)]
    asked = _language_asked(inbound, ctx)
    if asked is not None:  # "English", "中文": nothing to go on with
        conv.locale = asked
        return [notice(conv, ctx)]
    if _writes_chinese(inbound, ctx):
        conv.locale = CHINESE
    _hold(conv, inbound, ctx)
    return [notice(conv, ctx)]


def _language_asked(inbound: Inbound, ctx: TurnContext) -> str | None:
    """The language a text asks for ("English", "中文", "切换英文"): the words of ``/lang``."""
    if inbound.kind is not InboundKind.TEXT:
        return None
    command = intents.command_for(inbound.text, ctx.lexicon, in_dialog=True) or ""
    name, _, argument = command.partition(" ")
    wanted = LANGUAGE_ALIASES.get(argument) if name == "/lang" else None
    return wanted if wanted in ctx.locales else None


def _writes_chinese(inbound: Inbound, ctx: TurnContext) -> bool:
    """A device in English, an owner writing Chinese ("你好", "撞车了"): Chinese it is."""
    return (
        inbound.kind is InboundKind.TEXT
        and CHINESE in ctx.locales
        and written_in_chinese(inbound.text)
    )


def _hold(conv: Conversation, inbound: Inbound, ctx: TurnContext) -> None:
    """Keep what to go on with once the owner agrees: the latest request ("报案", "/report",
    "查进度"), else the first other text ("8001" in the middle of a report); never the
    "/start" a channel sends on its own."""
    text = inbound.text.strip()[:HELD_MAX]
    if inbound.kind not in (InboundKind.TEXT, InboundKind.COMMAND) or not text:
        return
    if text.split(" ", 1)[0].lower() == "/start":
        return
    asks = text.startswith("/") or intents.recognise(text, ctx.lexicon, in_dialog=False)
    with router_slots.edit(conv) as shared:
        if asks or shared.held_text is None:
            shared.held_text = text


def _passes(inbound: Inbound) -> bool:
    if inbound.kind not in (InboundKind.TEXT, InboundKind.COMMAND):
        return False
    name = inbound.text.strip().split(" ", 1)[0].lower().split("@", 1)[0]
    return name in _PASSING_COMMANDS
