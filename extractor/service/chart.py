"""The agency page's chart: the main series by year as a plain server-side SVG (no script, no CDN).

Series (canonical keys): received ``applications.received.total``, closed
``applications.closed_total.total``, carried forward ``applications.carried_forward.total``,
reviews ``review.total``, lawsuits ``litigation_direct.total`` + ``litigation_after_review.total``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

SERIES = [
    ("received", "收到申请 received", ("applications.received.total",), "#1f77b4"),
    ("closed", "办结 closed", ("applications.closed_total.total",), "#2ca02c"),
    ("carried_forward", "结转下年 carried forward", ("applications.carried_forward.total",), "#ff7f0e"),
    ("reviews", "行政复议 reviews", ("review.total",), "#9467bd"),
    ("lawsuits", "行政诉讼 lawsuits", ("litigation_direct.total", "litigation_after_review.total"), "#d62728"),
]


def series_value(values: dict, keys: tuple[str, ...]) -> float | None:
    nums = [values.get(k) for k in keys]
    if any(v is None or isinstance(v, str) for v in nums):
        return None
    return float(sum(nums))


def svg_chart(points: list[tuple[int, dict]], *, width: int = 720, height: int = 300) -> Markup:
    """``points``: (year, {key: value}) per year, oldest first → an SVG line chart with a legend."""
    left, right, top, bottom = 56, 200, 20, 36
    years = [y for y, _ in points]
    data = {name: [series_value(v, keys) for _, v in points] for name, _l, keys, _c in SERIES}
    vmax = max([x for xs in data.values() for x in xs if x is not None] + [1.0])
    step = _nice(vmax / 4)
    vmax = step * 4
    pw, ph = width - left - right, height - top - bottom

    def x(i):
        return left + (pw * i / (len(years) - 1) if len(years) > 1 else pw / 2)

    def y(v):
        return top + ph - ph * v / vmax

    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="main series by year">']
    for k in range(5):
        v = step * k
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{_fmt(v)}</text>')
    for i, yr in enumerate(years):
        out.append(f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" font-size="12">{escape(str(yr))}</text>')
    for j, (name, label, _keys, colour) in enumerate(SERIES):
        pts = [(x(i), y(v), v) for i, v in enumerate(data[name]) if v is not None]
        if len(pts) > 1:
            d = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in pts)
            out.append(f'<polyline class="series-{name}" fill="none" stroke="{colour}" stroke-width="2" points="{d}"/>')
        for px, py, v in pts:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"><title>{escape(label)}: {_fmt(v)}</title></circle>')
        ly = top + 14 + j * 20
        out.append(f'<rect x="{left + pw + 14}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{left + pw + 32}" y="{ly + 1}" font-size="12">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _nice(x: float) -> float:
    import math

    if x <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * e >= x:
            return max(1.0, m * e)
    return 10 * e


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"
