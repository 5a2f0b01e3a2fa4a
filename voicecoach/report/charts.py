"""Small inline-SVG charts for the HTML report: no JavaScript, no CDN, readable as plain markup.

Each function returns one ``<svg>`` element with an ``id``, a ``<title>`` and ``aria-label`` (so
screen readers and DOM tests can find it), and a ``data-value`` on every bar or point.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

LEVEL_COLOURS = {"strong": "#2e7d32", "partial": "#f9a825", "weak": "#c62828", None: "#9e9e9e"}
BAR_HEIGHT = 22
LABEL_WIDTH = 210
PLOT_WIDTH = 380


def _svg(chart_id: str, title: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="sans-serif" fill="#222">{escape(text)}</text>'
    )


def _empty(chart_id: str, title: str, message: str) -> str:
    return _svg(chart_id, title, 600, 40, [_text(8, 25, message)])


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, float, str]],
    *,
    maximum: float = 100.0,
    unit: str = "",
) -> str:
    """Horizontal bars: (label, value, colour), values from 0 to ``maximum``."""
    if not bars:
        return _empty(chart_id, title, "nothing graded yet")
    width = LABEL_WIDTH + PLOT_WIDTH + 60
    height = 20 + len(bars) * (BAR_HEIGHT + 6)
    body = [
        f'<line x1="{LABEL_WIDTH}" y1="10" x2="{LABEL_WIDTH}" y2="{height - 6}" stroke="#888"/>'
    ]
    for row, (label, value, colour) in enumerate(bars):
        y = 12 + row * (BAR_HEIGHT + 6)
        length = max(0.0, min(value, maximum)) / maximum * PLOT_WIDTH
        body.append(_text(LABEL_WIDTH - 6, y + 15, label, anchor="end"))
        body.append(
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{colour}" data-label="{escape(label)}" '
            f'data-value="{value:g}"><title>{escape(label)}: {value:g}{unit}</title></rect>'
        )
        body.append(_text(LABEL_WIDTH + length + 4, y + 15, f"{value:g}{unit}"))
    return _svg(chart_id, title, width, height, body)


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float]],
    *,
    band: tuple[float, float] | None = None,
    unit: str = "",
    empty_message: str = "no data",
) -> str:
    """A line over labelled points (e.g. words per minute per answer), with an optional band
    shading the comfortable range."""
    if not points:
        return _empty(chart_id, title, empty_message)
    width, height, left, right, top, bottom = 620, 240, 50, 20, 15, 45
    values = [value for _, value in points]
    top_value = max([*values, *(band or ())]) * 1.15 or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(index: int) -> float:
        return left + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    body = [
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#888"/>',
        _text(left - 6, top + 10, f"{top_value:.0f}", anchor="end", size=10),
        _text(left - 6, top + plot_h, "0", anchor="end", size=10),
    ]
    if band:
        low, high = band
        body.append(
            f'<rect class="band" x="{left}" y="{y_of(high):.1f}" width="{plot_w}" '
            f'height="{y_of(low) - y_of(high):.1f}" fill="#c8e6c9" opacity="0.6">'
            f"<title>comfortable range {low:g}–{high:g}{unit}</title></rect>"
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x_of(i):.1f},{y_of(v):.1f}" for i, (_, v) in enumerate(points)
    )
    body.append(f'<path d="{path}" fill="none" stroke="#1565c0" stroke-width="2"/>')
    for i, (label, value) in enumerate(points):
        body.append(
            f'<circle class="point" cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="4" '
            f'fill="#1565c0" data-label="{escape(label)}" data-value="{value:g}">'
            f"<title>{escape(label)}: {value:g}{unit}</title></circle>"
        )
        body.append(_text(x_of(i), top + plot_h + 16, label, anchor="middle", size=10))
    return _svg(chart_id, title, width, height, body)
