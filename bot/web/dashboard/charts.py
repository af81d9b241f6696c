"""Horizontal bar charts as inline SVG, drawn by hand: no plotting library, no asset.

Colours come from the dashboard's CSS variables (``currentColor`` and classes), so a
chart follows the page's light or dark look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Label and value on one line, the bar below it across the whole width: the chart stays
# narrow (WIDTH units), so at phone width it is drawn near 1:1 and its text stays readable.
WIDTH = 360
ROW = 40  # per bar: the text line and the bar
FONT = 14  # in chart units; the stylesheet caps the chart's width (about 1.2x on desktops)
BAR_TOP = 20
BAR_HEIGHT = 12
TOP = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown, e.g. "2.5 h"
    secondary: float | None = None  # a second, lighter bar (p90 behind p50)


def bar_chart(title: str, bars: Sequence[Bar]) -> str:
    """An SVG document fragment (``<svg>…</svg>``), safe to embed in HTML; it scales to
    its container (viewBox, width 100%)."""
    top = max([b.value for b in bars] + [b.secondary or 0 for b in bars] + [0])
    height = TOP * 2 + ROW * max(len(bars), 1)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-size="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        parts.append(
            f'<text class="chart-label" x="0" y="{y + FONT}">{escape(_clip(bar.label))}</text>'
        )
        parts.append(
            f'<text class="chart-value" x="{WIDTH}" y="{y + FONT}" text-anchor="end">'
            f"{escape(bar.text)}</text>"
        )
        if bar.secondary is not None:
            parts.append(_rect("chart-bar2", y, _length(bar.secondary, top)))
        parts.append(_rect("chart-bar", y, _length(bar.value, top)))
    parts.append("</svg>")
    return "".join(parts)


def _length(value: float, top: float) -> float:
    return 0.0 if top <= 0 else round(WIDTH * max(value, 0) / top, 1)


def _rect(css: str, y: int, length: float) -> str:
    return (
        f'<rect class="{css}" x="0" y="{y + BAR_TOP}" width="{length}" '
        f'height="{BAR_HEIGHT}" rx="3"/>'
    )


def _clip(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
