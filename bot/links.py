"""The app's public base URL, for the absolute links it hands out."""

from __future__ import annotations

from bot.settings import Settings


def public_base_url(settings: Settings) -> str:
    """``CLAIMBOT_PUBLIC_URL``, else where ``claimbot serve`` listens."""
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
