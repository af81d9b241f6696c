"""The peer: a minimal python-telegram-bot bot with the same report steps as ours.

A ConversationHandler with PicklePersistence, run with ``run_polling`` and PTB's defaults,
one answer a step, each answer carrying the button (or location keyboard) the simulated
users of bench/telegram.py wait for; photos are downloaded and written to disk. What a
hobbyist would write from PTB's examples; it stores nothing else.

    python bench/peer_bot.py   # configured by PEER_TOKEN, PEER_API_URL, PEER_FILE_URL, PEER_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # this folder would shadow the `telegram` library

from telegram import (  # noqa: E402
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import (  # noqa: E402
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

(
    CONSENT,
    PLATE,
    CHECK,
    TIME,
    LOCATION,
    DESCRIPTION,
    INJURIES,
    DRIVABLE,
    OTHER,
    WITNESSES,
    EVIDENCE,
    SUMMARY,
) = range(12)
PHOTOS_NEEDED = 3
AGREE = "consent:agree"  # dialogs/consent.py
START_REPORT = "start:report"  # messages/choices.py: START_REPORT.encode()


def button(value: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(value, callback_data=value)]])


async def ask(update: Update, text: str, value: str) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(text, reply_markup=button(value))


def text_step(prompt: str, value: str, key: str, next_state: int):  # type: ignore[no-untyped-def]
    async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        context.user_data[key] = update.message.text
        await ask(update, prompt, value)
        return next_state

    return step


def tap_step(prompt: str, value: str, key: str, next_state: int):  # type: ignore[no-untyped-def]
    async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None and context.user_data is not None
        await query.answer()
        context.user_data[key] = query.data
        await ask(update, prompt, value)
        return next_state

    return step


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    if not context.user_data.get("agreed"):  # first contact: the privacy notice
        await ask(update, "We keep your report. Agree?", AGREE)
        return CONSENT
    context.user_data.clear()
    context.user_data["agreed"] = True
    await ask(update, "Plate number?", "r:plate:menu")
    return PLATE


async def agree(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    context.user_data["agreed"] = True
    await ask(update, "Thank you. Plate number?", "r:plate:menu")  # agreeing starts the report
    return PLATE


async def when(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    message = update.effective_message
    assert query is not None and message is not None and context.user_data is not None
    await query.answer()
    context.user_data["time"] = query.data
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Share location", request_location=True)]], one_time_keyboard=True
    )
    await message.reply_text("Where did it happen?", reply_markup=keyboard)
    return LOCATION


async def where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and update.message.location is not None
    assert context.user_data is not None
    location = update.message.location
    context.user_data["location"] = (location.latitude, location.longitude)
    await ask(update, "What happened?", "r:description:menu")
    return DESCRIPTION


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    largest = update.message.photo[-1]
    file = await largest.get_file()
    photos = context.user_data.setdefault("photos", [])
    path = Path(os.environ["PEER_DIR"]) / f"{largest.file_unique_id}.jpg"
    await file.download_to_drive(path)
    photos.append(str(path))
    if len(photos) >= PHOTOS_NEEDED:
        await ask(update, "Confirm?", "r:summary:confirm")
        return SUMMARY
    await ask(update, f"{len(photos)} photo(s) received", "r:evidence:menu")
    return EVIDENCE


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await ask(update, "Reported. Claim number 1.", START_REPORT)
    return ConversationHandler.END


def main() -> None:
    folder = Path(os.environ["PEER_DIR"])
    persistence = PicklePersistence(filepath=folder / "peer.pickle")
    app = (
        ApplicationBuilder()
        .token(os.environ["PEER_TOKEN"])
        .base_url(os.environ["PEER_API_URL"])
        .base_file_url(os.environ["PEER_FILE_URL"])
        .persistence(persistence)
        .build()
    )
    report = ConversationHandler(
        entry_points=[CommandHandler("report", start)],
        states={
            PLATE: [
                MessageHandler(
                    filters.TEXT, text_step("Phone tail?", "r:check:menu", "plate", CHECK)
                )
            ],
            CHECK: [MessageHandler(filters.TEXT, text_step("When?", "r:time:now", "check", TIME))],
            CONSENT: [CallbackQueryHandler(agree)],
            TIME: [CallbackQueryHandler(when)],
            LOCATION: [MessageHandler(filters.LOCATION, where)],
            DESCRIPTION: [
                MessageHandler(
                    filters.TEXT, text_step("Injuries?", "r:injuries:no", "what", INJURIES)
                )
            ],
            INJURIES: [
                CallbackQueryHandler(tap_step("Drivable?", "r:drivable:yes", "injuries", DRIVABLE))
            ],
            DRIVABLE: [
                CallbackQueryHandler(tap_step("Others?", "r:has_other:none", "drivable", OTHER))
            ],
            OTHER: [
                CallbackQueryHandler(tap_step("Witnesses?", "r:witnesses:skip", "other", WITNESSES))
            ],
            WITNESSES: [
                CallbackQueryHandler(tap_step("Photos?", "r:evidence:menu", "witnesses", EVIDENCE))
            ],
            EVIDENCE: [MessageHandler(filters.PHOTO, photo)],
            SUMMARY: [CallbackQueryHandler(confirm)],
        },
        fallbacks=[CommandHandler("report", start)],
        name="report",
        persistent=True,
    )
    app.add_handler(report)
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
