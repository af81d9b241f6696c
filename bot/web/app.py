"""The HTTP app: the web chat, webhooks, the dashboard, the API, and the operators' probes
(``/health``, ``/ready``, ``/metrics``: bot/web/probes.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from bot.bootstrap import Container
from bot.channels.webchat.demo_switcher import demo_router
from bot.web.api import api_router
from bot.web.dashboard.fastlane import FastLaneDesk
from bot.web.dashboard.handoffs import HandoffDesk
from bot.web.dashboard.pages import Dashboard
from bot.web.payments import payment_router
from bot.web.privacy_page import PrivacyPage
from bot.web.probes import RejectionCounter, probes_router
from bot.web.security import access_log, errors
from bot.web.security.headers import SecurityHeaders
from bot.web.security.ops_gate import OpsGate
from bot.web.status_page import StatusPage

DEFAULT_BODY_LIMIT = 64 * 1024


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop, wake = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()

        def wake_dispatcher() -> None:
            loop.call_soon_threadsafe(wake.set)

        container.engine.on_outbox(wake_dispatcher)
        warming = loop.run_in_executor(None, container.media.warm_up)  # beside the start
        for channel in container.channels:
            await channel.start()
        dispatcher = asyncio.create_task(container.dispatcher.run(stop, wake))
        container.engine.deliver_through(container.dispatcher)  # one transaction a turn
        container.telemetry.dispatcher_running(True)
        timers = None
        if container.scheduler is not None:  # timer runner beside the dispatcher
            container.scheduler.on_outbox(wake_dispatcher)
            timers = asyncio.create_task(container.scheduler.run(stop))
        await warming
        try:
            yield
        finally:
            container.engine.deliver_through(None)
            stop.set()
            wake.set()
            await dispatcher
            container.telemetry.dispatcher_running(False)
            if timers is not None:
                await timers
            for channel in reversed(container.channels):
                await channel.stop()

    # /openapi.json documents the API; the interactive /docs pages would load from a CDN.
    # Bodies over DEFAULT_BODY_LIMIT get 413 unless their route allows more (docs/security.md).
    app = FastAPI(
        title="claimbot",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    https = (container.settings.public_url or "").lower().startswith("https://")
    # Inside SecurityHeaders, so that a 413 carries the headers too; a route's own
    # max_body_size (uploads, webhooks) replaces this default for that route.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=DEFAULT_BODY_LIMIT)
    app.add_middleware(OpsGate, token=container.settings.ops_token)
    app.add_middleware(SecurityHeaders, https=https)
    errors.install(app)
    access_log.install()
    if container.agreements is not None:
        app.include_router(container.agreements.router())
    if container.settings.demo_mode:  # the identity switcher; 404 otherwise
        app.include_router(
            demo_router(
                container.engine, container.database, container.clock, container.webchat.sessions
            )
        )
    app.include_router(
        Dashboard(
            container.database,
            container.catalogs,
            container.settings,
            container.clock,
            container.intake,
            container.signer,
            container.engine,
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
    app.include_router(
        FastLaneDesk(
            container.database,
            container.catalogs,
            container.settings,
            container.clock,
            container.agreements,
            container.engine.outbox_written,
        ).router()
    )
    app.include_router(api_router(container.database, container.clock, container.settings))
    settings = container.settings
    status_page = StatusPage(
        container.database, container.catalogs, settings.tz, settings.default_locale
    )
    app.include_router(status_page.router())
    locales = container.catalogs.locales
    secret = settings.payment_webhook_secret
    app.include_router(payment_router(container.database, container.clock, secret, locales))
    privacy = PrivacyPage(container.catalogs, settings.default_locale, settings.retention_days)
    app.include_router(privacy.router())
    for channel in container.channels:
        router = channel.router()
        if router is not None:
            app.include_router(router)

    app.include_router(probes_router(container.database, container.dispatcher, container.telemetry))
    app.add_middleware(RejectionCounter, telemetry=container.telemetry)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/chat")

    return app
