"""The Telegram channel (python-telegram-bot): polling or webhook, outbox sender, albums."""

from bot.telegram.channel import TelegramChannel, build_telegram_channel

__all__ = ["TelegramChannel", "build_telegram_channel"]
