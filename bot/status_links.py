"""The localized status-page lines of a rendered message (links stamped by
``storage/status_links.py`` when the row was written)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locales.catalog import Catalogs
from storage.status_links import STATUS_LINKS


def link_lines(catalogs: Catalogs, locale: str, payload: Mapping[str, Any]) -> list[str]:
    """One line per linked claim; none without links."""
    links = payload.get(STATUS_LINKS) or []
    key = "web.status.link" if len(links) == 1 else "web.status.link_numbered"
    return [
        catalogs.render(locale, key, {"url": link["url"], "number": link["number"]})
        for link in links
    ]
