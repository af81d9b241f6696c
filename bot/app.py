"""The HTTP app: health, the web chat, and (as channels land) webhooks and the dashboard."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import text

from bot.bootstrap import Container


def create_app(container: Container) -> FastAPI:
    app = FastAPI(title="claimbot", version="0.1.0")
    app.include_router(container.webchat.router())

    @app.get("/health")
    def health() -> dict[str, str]:
        with container.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/chat")

    return app
