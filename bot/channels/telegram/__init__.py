"""The Telegram channel (python-telegram-bot): polling or webhook, outbox sender, albums
(``channel.TelegramChannel``)."""

CHANNEL = "telegram"  # the channel's name in every table and outbox row
