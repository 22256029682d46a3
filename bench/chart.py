"""The benchmark's chart: the colour sweep and its floor against changed rows and against table size, as SVG.

Written by hand (no plotting library): two panels with logarithmic axes, one labelled point per measurement,
a line per series and a legend. ``manage.py bench`` writes it next to its table.
"""

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 1000, 450
PANEL_W, PANEL_H = 380, 280
MARGIN_LEFT, MARGIN_TOP = 80, 70
COLOURS = {"sweep": "#c0392b", "floor": "#2c3e50"}


@dataclass
class Series:
    name: str  # "sweep" or "floor"
    points: list[tuple[float, float]]  # (x, milliseconds)


@dataclass
class Panel:
    title: str
    x_label: str
    series: list[Series]


def sweep_chart(*, by_changes: list, by_size: list, subtitle: str) -> str:
    """The two panels from the sweep's points (``bench.sweep.Point``): time against changed rows at full size,
    and time against the open cases in the table for one number of changed rows."""
    fixed = by_size[0].changed if by_size else 0
    return svg(
        title="lucun bench · colour sweep (events + notices) and its floor",
        subtitle=subtitle,
        panels=[
            Panel(
                "against changed rows",
                "cases changed (log)",
                [
                    Series("sweep", [(p.changed, p.sweep_ms) for p in by_changes]),
                    Series("floor", [(p.changed, p.floor_ms) for p in by_changes]),
                ],
            ),
            Panel(
                f"against table size, about {fixed:,} changed",
                "open cases in the table (log)",
                [
                    Series("sweep", [(p.open_cases, p.sweep_ms) for p in by_size]),
                    Series("floor", [(p.open_cases, p.floor_ms) for p in by_size]),
                ],
            ),
        ],
    )


def svg(*, title: str, subtitle: str, panels: list[Panel]) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="16">{escape(title)}</text>',
        f'<text x="{WIDTH / 2}" y="44" text-anchor="middle" fill="#555">{escape(subtitle)}</text>',
    ]
    for i, panel in enumerate(panels):
        parts += _panel(panel, left=MARGIN_LEFT + i * (PANEL_W + 100), top=MARGIN_TOP)
    parts += _legend(left=MARGIN_LEFT, top=HEIGHT - 25)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _log_range(values: list[float]) -> tuple[float, float]:
    """Whole powers of ten around the values (a decade at least)."""
    positive = [v for v in values if v > 0] or [1.0]
    low = 10 ** math.floor(math.log10(min(positive)))
    high = 10 ** math.ceil(math.log10(max(positive)))
    return low, high if high > low else low * 10


def _scale(value: float, low: float, high: float, length: float) -> float:
    value = max(value, low)
    return length * (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _panel(panel: Panel, *, left: float, top: float) -> list[str]:
    xs = [x for s in panel.series for x, _ in s.points]
    ys = [y for s in panel.series for _, y in s.points]
    x_low, x_high = _log_range(xs)
    y_low, y_high = _log_range(ys)
    bottom = top + PANEL_H
    out = [
        f'<g class="panel" data-title="{escape(panel.title)}">',
        f'<text x="{left + PANEL_W / 2}" y="{top - 10}" text-anchor="middle" font-weight="bold">'
        f"{escape(panel.title)}</text>",
        f'<line x1="{left}" y1="{bottom}" x2="{left + PANEL_W}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>',
        f'<text x="{left + PANEL_W / 2}" y="{bottom + 36}" text-anchor="middle">{escape(panel.x_label)}</text>',
        f'<text x="{left - 55}" y="{top + PANEL_H / 2}" text-anchor="middle" '
        f'transform="rotate(-90 {left - 55} {top + PANEL_H / 2})">ms (log)</text>',
    ]
    tick = x_low
    while tick <= x_high * 1.0001:
        x = left + _scale(tick, x_low, x_high, PANEL_W)
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" stroke="black"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle">{_tick(tick)}</text>')
        tick *= 10
    tick = y_low
    while tick <= y_high * 1.0001:
        y = bottom - _scale(tick, y_low, y_high, PANEL_H)
        out.append(f'<line x1="{left - 5}" y1="{y:.1f}" x2="{left + PANEL_W}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_tick(tick)}</text>')
        tick *= 10
    for series in panel.series:
        colour = COLOURS.get(series.name, "#888")
        placed = [
            (left + _scale(x, x_low, x_high, PANEL_W), bottom - _scale(y, y_low, y_high, PANEL_H), x, y)
            for x, y in sorted(series.points)
        ]
        if len(placed) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in placed)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py, x, y in placed:
            out.append(
                f'<circle class="point" cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}" '
                f'data-series="{series.name}" data-x="{x:g}" data-ms="{y:.1f}"/>'
            )
            out.append(f'<text x="{px + 6:.1f}" y="{py - 6:.1f}" fill="{colour}" font-size="11">{_number(y)} ms</text>')
    out.append("</g>")
    return out


def _legend(*, left: float, top: float) -> list[str]:
    out = ['<g class="legend">']
    labels = (("sweep", "sweep + notices (median)"), ("floor", "floor: bare UPDATE by id + INSERTs (median)"))
    for i, (name, label) in enumerate(labels):
        x = left + i * 260
        out.append(f'<line x1="{x}" y1="{top}" x2="{x + 20}" y2="{top}" stroke="{COLOURS[name]}" stroke-width="2"/>')
        out.append(f'<text x="{x + 26}" y="{top + 4}">{escape(label)}</text>')
    out.append("</g>")
    return out
