"""The dashboard's HTML: jinja2 templates (autoescaped) whose words come from the catalogs.

Templates call ``t('dashboard.…')`` for every sentence (locales/*/dashboard.yaml), and the
filters ``when`` (local time), ``duration``, ``yuan`` (the bare figure) and ``money`` (with
the locale's currency mark from `dashboard.money`) for values; the masks of
`domain/masking.py` as filters (``mask_plate``, ``mask_phone``, ...).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.money import Money, with_amounts
from locales.catalog import MASKS, Catalogs
from locales.notes import NoteWords

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LOCALES = ("zh_CN", "en")


LANG_COOKIE = "claimbot_lang"


def request_locale(request: Request, default: str) -> str:
    """A dashboard page's language: ``?lang=``, then the language cookie, then the
    browser's Accept-Language, then the default."""
    return pick_locale(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        default,
    )


def pick_locale(wanted: str | None, accept_language: str | None, default: str) -> str:
    """``?lang=`` (zh, zh_CN, en, ...) first, then the browser's Accept-Language."""
    for candidate in [wanted or "", *_accepted(accept_language or "")]:
        code = candidate.strip().lower().replace("-", "_")
        if code.startswith("zh"):
            return "zh_CN"
        if code.startswith("en"):
            return "en"
    return default


def _accepted(header: str) -> list[str]:
    ranked = []
    for part in header.split(","):
        lang, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if lang and lang != "*":
            ranked.append((quality, lang))
    return [lang for _, lang in sorted(ranked, key=lambda item: -item[0])]


class PageRenderer:
    def __init__(self, catalogs: Catalogs, tz: tzinfo) -> None:
        self._catalogs = catalogs
        self._tz = tz
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html", "svg"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(MASKS)  # lists and cards show identifiers masked

    def note_words(self, locale: str) -> NoteWords:
        """The words timeline notes are formatted with (`locales/notes.py`)."""
        return self._catalogs.note_words(locale)

    def text(self, locale: str, key: str, **params: Any) -> str:
        return self._catalogs.render(locale, key, params)

    def render(self, template: str, locale: str, **context: Any) -> str:
        page = self._env.get_template(template)
        return page.render(
            locale=locale,
            html_lang="zh-CN" if locale == "zh_CN" else "en",
            t=lambda key, **params: self.text(locale, key, **params),
            when=lambda value: self.when(locale, value),
            duration=lambda value: self.duration(locale, value),
            car=lambda value: self._catalogs.car(locale, value),  # 大众 帕萨特 in zh
            day=self.day,
            last_day=lambda value: self.day(value - timedelta(microseconds=1)),
            yuan=yuan,
            money=lambda fen: self.money(locale, fen),
            amounts=with_amounts,  # a settlement rule's parameters, amounts formatted
            **context,
        )

    def when(self, locale: str, value: datetime | None) -> str:
        if value is None:
            return "—"
        pattern = self._catalogs.source(locale, "format.datetime")
        return value.astimezone(self._tz).strftime(pattern)

    def money(self, locale: str, fen: int | None) -> str:
        return "—" if fen is None else self.text(locale, "dashboard.money", amount=yuan(fen))

    def day(self, value: datetime) -> str:
        """The local date, e.g. 2026-11-25."""
        return value.astimezone(self._tz).date().isoformat()

    def duration(self, locale: str, value: timedelta | None) -> str:
        """45 min, 3.2 h, 2.1 d (in the locale's words)."""
        if value is None:
            return "—"
        minutes = value.total_seconds() / 60
        if minutes < 90:
            return self.text(locale, "dashboard.duration.minutes", n=round(minutes))
        if minutes < 48 * 60:
            return self.text(locale, "dashboard.duration.hours", n=f"{minutes / 60:.1f}")
        return self.text(locale, "dashboard.duration.days", n=f"{minutes / 1440:.1f}")


def yuan(fen: int | None) -> str:
    return "—" if fen is None else Money(fen).grouped()
