"""Load the locale catalogs and render message keys with StrictUndefined.

A locale is a folder (`locales/zh_CN/`, `locales/en/`) of YAML files, one per feature;
their keys are merged, and a key defined twice in one locale is an error. Templates have
``t(key, ...)``, the ``when`` filter (local time), the ``note`` / ``booking_note``
filters (a timeline entry's stored note in words, `locales/notes.py`) and the masks of
`domain/masking.py` (``mask_plate``, ``mask_phone``, ``mask_policy``, ``mask_name``);
``car`` (a make and model in the locale's names) and ``duration`` (minutes in the locale's
units, `locales/language.py`); ``hotline``, the service hotline from settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

from domain.masking import mask_name, mask_phone, mask_plate, mask_policy, mask_text
from domain.money import Money
from locales.language import car_name, spoken_duration
from locales.notes import NoteWords, booking_note, claim_note

CATALOG_DIR = Path(__file__).parent
LEXICON_KEY = "_lexicon"
MASKS = {
    "mask_plate": mask_plate,
    "mask_phone": mask_phone,
    "mask_policy": mask_policy,
    "mask_name": mask_name,
    "mask_text": mask_text,  # every plate and number found in a free text
}


class MissingMessage(KeyError):
    """A message key absent from a locale's catalog."""


class DuplicateMessage(ValueError):
    """A message key defined in two files of one locale."""


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


class Catalogs:
    """Every locale's templates, compiled once; rendering is a dictionary look-up."""

    def __init__(self, tz: tzinfo, directory: Path = CATALOG_DIR) -> None:
        self._tz = tz
        self._hotline = ""
        self._sources: dict[str, dict[str, str]] = {}
        self._lexicons: dict[str, Mapping[str, Any]] = {}
        for folder in sorted(p for p in directory.iterdir() if p.is_dir() and p.name[0] != "_"):
            if any(folder.glob("*.yaml")):
                self._load_locale(folder)
        self._environments = {locale: self._environment(locale) for locale in self._sources}
        self._compiled: dict[tuple[str, str], Template] = {}

    def _load_locale(self, folder: Path) -> None:
        sources: dict[str, str] = {}
        lexicon: dict[str, Any] = {"words": {}}
        for path in sorted(folder.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for part, values in (data.pop(LEXICON_KEY, None) or {}).items():
                lexicon.setdefault(part, {}).update(values or {})
            for key, source in _flatten(data).items():
                if key in sources:
                    raise DuplicateMessage(f"{folder.name}: {key} defined twice ({path.name})")
                sources[key] = source
        self._sources[folder.name] = sources
        self._lexicons[folder.name] = lexicon

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self._sources)

    def keys(self, locale: str) -> frozenset[str]:
        return frozenset(self._sources[locale])

    def source(self, locale: str, key: str) -> str:
        return self._sources[locale][key]

    def render(self, locale: str, key: str, params: Mapping[str, Any] | None = None) -> str:
        return self._template(locale, key).render(**(params or {})).strip()

    def words(self) -> dict[str, frozenset[str]]:
        """Every locale's typed words, merged: an owner may answer in either language."""
        merged: dict[str, set[str]] = {}
        for lexicon in self._lexicons.values():
            for group, words in (lexicon.get("words") or {}).items():
                merged.setdefault(group, set()).update(str(w).casefold() for w in words)
        return {group: frozenset(words) for group, words in merged.items()}

    def tables(self) -> dict[str, dict[str, Any]]:
        """Every locale's other lexicon parts (``time``, ``answers``, ``intents``, ...),
        merged one level deep: mappings are joined, lists concatenated."""
        merged: dict[str, dict[str, Any]] = {}
        for lexicon in self._lexicons.values():
            for part, table in lexicon.items():
                if part == "words" or not isinstance(table, Mapping):
                    continue
                into = merged.setdefault(part, {})
                for name, value in table.items():
                    if isinstance(value, Mapping):
                        into.setdefault(name, {}).update(value)
                    elif isinstance(value, list):
                        into.setdefault(name, []).extend(value)
                    else:
                        into[name] = value
        return merged

    def note_words(self, locale: str) -> NoteWords:
        return _LocaleWords(self, locale)

    def format_time(self, locale: str, value: str | datetime | None) -> str:
        return self._format_time(locale, value)

    def _template(self, locale: str, key: str) -> Template:
        cached = self._compiled.get((locale, key))
        if cached is None:
            try:
                source = self._sources[locale][key]
            except KeyError as exc:
                raise MissingMessage(f"{locale}:{key}") from exc
            cached = self._environments[locale].from_string(source)
            self._compiled[(locale, key)] = cached
        return cached

    def _environment(self, locale: str) -> Environment:
        env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        env.globals["t"] = lambda key, **params: self.render(locale, key, params)
        env.filters["when"] = lambda value: self._format_time(locale, value)
        words = self.note_words(locale)
        env.filters["note"] = lambda note, action: claim_note(words, action, note or "")
        env.filters["booking_note"] = lambda note, from_status, to_status: booking_note(
            words, from_status, to_status, note or ""
        )
        env.filters.update(MASKS)  # staff cards show identifiers masked (domain/masking.py)
        cars = self._lexicons[locale].get("cars") or {}
        env.filters["car"] = lambda text: car_name(cars, text)
        env.filters["duration"] = lambda minutes: spoken_duration(
            lambda key, **params: self.render(locale, key, params), minutes
        )
        env.globals["hotline"] = self._hotline
        return env

    def use_hotline(self, number: str) -> None:
        """The service hotline every template may name as ``hotline`` (settings)."""
        self._hotline = number
        for env in self._environments.values():
            env.globals["hotline"] = number
        self._compiled.clear()

    def car(self, locale: str, text: str | None) -> str:
        """A make and model in the locale's names (大众 帕萨特), for pages outside templates."""
        return car_name(self._lexicons[locale].get("cars") or {}, text)

    def _format_time(self, locale: str, value: str | datetime | None) -> str:
        if value is None:
            return ""
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        pattern = self._sources[locale].get("format.datetime", "%Y-%m-%d %H:%M")
        return moment.astimezone(self._tz).strftime(pattern)


class _LocaleWords:
    """The catalogs' words for one locale, as the note formatters want them."""

    def __init__(self, catalogs: Catalogs, locale: str) -> None:
        self._catalogs = catalogs
        self._locale = locale

    def t(self, key: str, **params: Any) -> str:
        return self._catalogs.render(self._locale, key, params)

    def when(self, value: datetime) -> str:
        return self._catalogs.format_time(self._locale, value)

    def money(self, fen: int) -> str:
        return self.t("dashboard.money", amount=Money(fen).grouped())
