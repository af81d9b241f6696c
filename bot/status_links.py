"""The localized status-page lines of a rendered message (links stamped by
``storage/repositories/status_links.py`` when the row was written)."""

from __future__ import annotations

from locales.catalog import Catalogs
from messages.outbound import Outbound


def link_lines(catalogs: Catalogs, locale: str, message: Outbound) -> list[str]:
    """One line per linked claim; none without links."""
    links = message.status_links
    key = "web.status.link" if len(links) == 1 else "web.status.link_numbered"
    return [
        catalogs.render(locale, key, {"url": link.url, "number": link.number}) for link in links
    ]
