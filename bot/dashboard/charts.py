"""Horizontal bar charts as inline SVG, drawn by hand: no plotting library, no asset.

Colours come from the dashboard's CSS variables (``currentColor`` and classes), so a
chart follows the page's light or dark look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

ROW = 26  # px per bar
LABEL_WIDTH = 170
BAR_WIDTH = 260
VALUE_WIDTH = 140
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown, e.g. "2.5 h"
    secondary: float | None = None  # a second, lighter bar (p90 behind p50)


def bar_chart(title: str, bars: Sequence[Bar]) -> str:
    """An SVG document fragment (``<svg>…</svg>``), safe to embed in HTML."""
    top = max([b.value for b in bars] + [b.secondary or 0 for b in bars] + [0])
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = TOP * 2 + ROW * max(len(bars), 1)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 17}" '
            f'text-anchor="end">{escape(_clip(bar.label))}</text>'
        )
        if bar.secondary is not None:
            parts.append(_rect("chart-bar2", y, _length(bar.secondary, top)))
        parts.append(_rect("chart-bar", y, _length(bar.value, top)))
        parts.append(
            f'<text class="chart-value" x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 17}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _length(value: float, top: float) -> float:
    return 0.0 if top <= 0 else round(BAR_WIDTH * max(value, 0) / top, 1)


def _rect(css: str, y: int, length: float) -> str:
    return (
        f'<rect class="{css}" x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" '
        f'height="{ROW - 8}" rx="3"/>'
    )


def _clip(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
