"""The JSON API under /api/ (see docs/api.md)."""

from bot.web.api.routes import api_router

__all__ = ["api_router"]
