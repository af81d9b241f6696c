"""Words a reader of the locale expects: car makes and models in the locale's names
(大众 帕萨特), durations in its units (5分钟, 1小时20分钟).

The names and units are in the catalogs (``_lexicon.cars`` and ``duration.*`` keys of
``language.yaml``); these functions only pick them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def car_name(names: Mapping[str, str], text: Any) -> str:
    """A make and model ("Volkswagen Passat") in the locale's names, word by word; a name
    the table lacks stays as written."""
    if not text:
        return ""
    said = str(text).strip()
    folded = {str(key).casefold(): str(value) for key, value in names.items()}
    whole = folded.get(said.casefold())
    if whole is not None:
        return whole
    return " ".join(folded.get(word.casefold(), word) for word in said.split())


def spoken_duration(render: Callable[..., str], minutes: Any) -> str:
    """Whole minutes as the locale says them: 5分钟, 2小时, 1小时20分钟."""
    total = max(0, round(float(minutes)))
    hours, rest = divmod(total, 60)
    if not hours:
        return render("duration.minutes", m=rest)
    if not rest:
        return render("duration.hours", h=hours)
    return render("duration.hours_minutes", h=hours, m=rest)
