"""Charts as inline SVG markup, drawn on the server: no JavaScript, no CDN, and they print as drawn."""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 16, 16, 40
COLOURS = ["#a11d21", "#0b57d0", "#1e7d32", "#b26a00"]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(title: str, body: list[str]) -> SafeString:
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-size="11">',
        f"<title>{escape(title)}</title>",
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text inside went through escape()


def _axes(y_max: float, suffix: str, ticks: int = 4) -> list[str]:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    out = []
    for i in range(ticks + 1):
        value = y_max * i / ticks
        y = PAD_TOP + plot_h - plot_h * i / ticks
        out.append(f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{escape(_number(value))}{escape(suffix)}</text>"
        )
    return out


def _x_labels(labels: Sequence[str], xs: list[float]) -> list[str]:
    step = max(1, len(labels) // 12)
    return [
        f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle" fill="#555">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % step == 0
    ]


def _nice_max(values: Sequence[float]) -> float:
    top = max(values, default=0) or 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step * 4
    return top


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    suffix: str = "",
    y_max: float | None = None,
) -> SafeString:
    """A line per series over the labels; a gap where a value is None; a legend under the axis."""
    values = [v for _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return _frame(title, [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#777">—</text>'])
    y_max = y_max or _nice_max(values)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    n = len(labels)
    xs = [PAD_LEFT + (plot_w * (i + 0.5) / n) for i in range(n)]
    body = _axes(y_max, suffix)
    for index, (name, vs) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for x, v in zip(xs, vs, strict=True):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            y = PAD_TOP + plot_h - plot_h * min(v, y_max) / y_max
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {escape(_number(v))}{escape(suffix)}</title></circle>"
            )
        if segment:
            segments.append(segment)
        for seg in segments:
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(seg)}"/>')
        lx = PAD_LEFT + index * 150
        body.append(f'<rect x="{lx}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14}" y="{HEIGHT - 5}" fill="#333">{escape(name)}</text>')
    body += _x_labels(labels, xs)
    return _frame(title, body)


def bar_chart(
    *, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], suffix: str = ""
) -> SafeString:
    """Grouped bars: one group per label, one bar per series, the value written above each bar."""
    values = [v for _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return _frame(title, [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#777">—</text>'])
    y_max = _nice_max(values)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    n, k = len(labels), len(series)
    group_w = plot_w / n
    bar_w = group_w * 0.7 / k
    xs = [PAD_LEFT + group_w * (i + 0.5) for i in range(n)]
    body = _axes(y_max, suffix)
    for s_index, (name, vs) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        for i, v in enumerate(vs):
            v = v or 0
            h = plot_h * v / y_max
            x = PAD_LEFT + group_w * i + group_w * 0.15 + bar_w * s_index
            y = PAD_TOP + plot_h - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(name)} {escape(_number(v))}{escape(suffix)}</title></rect>"
            )
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#333">'
                f"{escape(_number(v))}</text>"
            )
        lx = PAD_LEFT + s_index * 150
        body.append(f'<rect x="{lx}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14}" y="{HEIGHT - 5}" fill="#333">{escape(name)}</text>')
    body += _x_labels(labels, xs)
    return _frame(title, body)


def svg(chart) -> SafeString:
    """Draw a report chart (``sections.Chart``) as the page shows it."""
    if chart.kind == "bar":
        return bar_chart(title=chart.title, labels=chart.labels, series=chart.series, suffix=chart.suffix)
    return line_chart(
        title=chart.title, labels=chart.labels, series=chart.series, suffix=chart.suffix, y_max=chart.y_max
    )
