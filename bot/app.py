"""The HTTP app: health, the web chat, and (as channels land) webhooks and the dashboard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import text

from bot.api import api_router
from bot.bootstrap import Container
from bot.dashboard.handoffs import HandoffDesk
from bot.dashboard.pages import Dashboard
from bot.status_page import StatusPage
from bot.web_demo import demo_router
from scheduler.health import metrics as scheduler_metrics


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop, wake = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()

        def wake_dispatcher() -> None:
            loop.call_soon_threadsafe(wake.set)

        container.engine.on_outbox(wake_dispatcher)
        for channel in container.channels:
            await channel.start()
        dispatcher = asyncio.create_task(container.dispatcher.run(stop, wake))
        timers = None
        if container.scheduler is not None:  # timer runner beside the dispatcher
            container.scheduler.on_outbox(wake_dispatcher)
            timers = asyncio.create_task(container.scheduler.run(stop))
        try:
            yield
        finally:
            stop.set()
            wake.set()
            await dispatcher
            if timers is not None:
                await timers
            for channel in reversed(container.channels):
                await channel.stop()

    # /openapi.json documents the API; the interactive /docs pages would load from a CDN.
    app = FastAPI(
        title="claimbot", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.include_router(container.webchat.router())
    if container.settings.demo_mode:  # the identity switcher; 404 otherwise
        app.include_router(demo_router(container.engine, container.database, container.clock))
    app.include_router(
        Dashboard(
            container.database,
            container.catalogs,
            container.settings,
            container.clock,
            container.intake,
        ).router()
    )
    app.include_router(
        HandoffDesk(
            container.database,
            container.catalogs,
            container.settings,
            container.clock,
            container.engine.outbox_written,
        ).router()
    )
    app.include_router(api_router(container.database, container.clock, container.settings))
    settings = container.settings
    status_page = StatusPage(
        container.database, container.catalogs, settings.tz, settings.default_locale
    )
    app.include_router(status_page.router())
    for channel in container.channels:
        router = channel.router()
        if router is not None:
            app.include_router(router)

    @app.get("/health")
    def health() -> dict[str, str]:
        with container.database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/metrics")
    def metrics() -> dict[str, Any]:
        """Outbox backlog and oldest due timer (docs/deploy.md)."""
        return scheduler_metrics(container.database, container.clock.now())

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/chat")

    return app
