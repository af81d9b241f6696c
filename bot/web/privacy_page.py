"""``GET /privacy``: the full privacy rules the consent notice links to (zh_CN / en).

Public, static per locale and settings: what is collected, why, the sensitive part
(locations), who sees it, how long it is kept (``CLAIMBOT_RETENTION_DAYS``), the owner's
rights. ``?lang=`` picks the locale; the notice version agreed to is shown on the page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from bot.web.status_page import pick_locale, template_environment
from dialogs.consent import NOTICE_VERSION, PRIVACY_PATH
from locales.catalog import Catalogs

SECTIONS = ("collected", "sensitive", "purpose", "recipients", "retention", "rights", "contact")
HEADERS = {"Cache-Control": "public, max-age=3600"}  # security headers: bot/web/security/headers.py


class PrivacyPage:
    def __init__(self, catalogs: Catalogs, default_locale: str, retention_days: int) -> None:
        self._catalogs = catalogs
        self._default_locale = default_locale
        self._days = retention_days
        self._env = template_environment()

    def router(self) -> APIRouter:
        router = APIRouter()
        router.add_api_route(
            PRIVACY_PATH,
            self.page,
            methods=["GET", "HEAD"],
            response_class=HTMLResponse,
            include_in_schema=False,
        )
        return router

    def page(self, lang: Annotated[str | None, Query(max_length=10)] = None) -> HTMLResponse:
        locale = pick_locale(lang, None, self._catalogs.locales, self._default_locale)
        html = self._env.get_template("privacy.html").render(
            html_lang="zh-CN" if locale == "zh_CN" else "en",
            t=lambda key, **params: self._catalogs.render(
                locale, key, {"days": self._days, "version": NOTICE_VERSION, **params}
            ),
            sections=SECTIONS,
            other_lang="en" if locale == "zh_CN" else "zh_CN",
        )
        return HTMLResponse(html, headers=HEADERS)
