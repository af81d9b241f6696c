"""The Telegram channel's state: polling inbox, albums, lookups, and their tables."""
