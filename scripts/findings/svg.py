"""Small self-contained SVG figures for the findings page (no plotting package, so
the page rebuilds the same bytes on every machine): a dot-and-interval chart and a
line chart. Colours are Okabe and Ito's colour-blind-safe palette, each paired with
its own dash pattern so that the series also differ in greyscale print."""

from html import escape

COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", ""]
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def _fmt(v):
    return f"{v:.4g}"


def _ticks(lo, hi, count=5):
    """Round ticks (1, 2, 5 times a power of ten) spanning [lo, hi]."""
    import math

    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


class _Axes:
    def __init__(self, width, height, left, right, top, bottom, x_range, y_range):
        self.w, self.h = width, height
        self.l, self.r, self.t, self.b = left, right, top, bottom
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range

    def x(self, v):
        return self.l + (v - self.x0) / (self.x1 - self.x0) * (self.w - self.l - self.r)

    def y(self, v):
        return self.h - self.b - (v - self.y0) / (self.y1 - self.y0) * (self.h - self.t - self.b)


def _frame(axes, title, xlabel, ylabel, xticks, yticks, parts):
    a = axes
    parts.append(f'<text x="{a.w / 2}" y="18" text-anchor="middle" font-size="14" {FONT}>{escape(title)}</text>')
    parts.append(f'<rect x="{a.l}" y="{a.t}" width="{a.w - a.l - a.r}" height="{a.h - a.t - a.b}" '
                 'fill="none" stroke="#444"/>')
    for t in xticks:
        x = a.x(t)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{a.t}" y2="{a.h - a.b}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{x:.1f}" y="{a.h - a.b + 15}" text-anchor="middle" font-size="11" {FONT}>'
                     f'{_fmt(t)}</text>')
    for t in yticks or []:
        y = a.y(t)
        parts.append(f'<line x1="{a.l}" x2="{a.w - a.r}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{a.l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT}>'
                     f'{_fmt(t)}</text>')
    parts.append(f'<text x="{a.w / 2}" y="{a.h - 6}" text-anchor="middle" font-size="11" {FONT}>'
                 f'{escape(xlabel)}</text>')
    if ylabel:
        parts.append(f'<text transform="translate(14 {(a.t + a.h - a.b) / 2}) rotate(-90)" text-anchor="middle" '
                     f'font-size="12" {FONT}>{escape(ylabel)}</text>')


def _svg(width, height, parts):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(parts) + "\n</svg>\n")


def dot_chart(rows, title, xlabel, reference=None, groups=None):
    """Rows of (label, estimate, lower, upper, group index): one line each, a dot at
    the estimate and a bar over its interval; `reference` draws a vertical line."""
    width, row_h = 760, 22
    height = 60 + row_h * len(rows) + 40
    values = [v for r in rows for v in r[1:4] if v == v] + ([reference] if reference is not None else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1
    ticks = _ticks(lo - pad, hi + pad)
    axes = _Axes(width, height, 330, 20, 30, 40, (ticks[0], ticks[-1]), (0, len(rows)))
    parts = []
    _frame(axes, title, xlabel, None, ticks, None, parts)
    if reference is not None:
        x = axes.x(reference)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{axes.t}" y2="{height - axes.b}" stroke="#888" '
                     'stroke-dasharray="4 3"/>')
    for i, (label, est, lower, upper, group) in enumerate(rows):
        y = axes.t + row_h * (i + 0.5) + 4
        colour = COLOURS[group % len(COLOURS)]
        parts.append(f'<text x="{axes.l - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT}>'
                     f'{escape(label)}</text>')
        if lower == lower and upper == upper:
            parts.append(f'<line x1="{axes.x(lower):.1f}" x2="{axes.x(upper):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                         f'stroke="{colour}" stroke-width="2.5"/>')
        if est == est:
            shape = ("circle", "rect")[group % 2]
            if shape == "circle":
                parts.append(f'<circle cx="{axes.x(est):.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>')
            else:
                parts.append(f'<rect x="{axes.x(est) - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
                             f'fill="{colour}"/>')
    return _svg(width, height, parts)


def line_chart(series, title, xlabel, ylabel, y_range=None):
    """Series of (name, [(x, y), ...]): lines with the palette's colours and dashes,
    a legend below the title."""
    width, height = 760, 380
    xs = [p[0] for _, pts in series for p in pts]
    ys = [p[1] for _, pts in series for p in pts]
    xticks = _ticks(min(xs), max(xs))
    yticks = _ticks(*(y_range or (min(ys), max(ys))))
    top = 30 + 18 * ((len(series) + 2) // 3)
    axes = _Axes(width, height, 60, 20, top, 45, (xticks[0], xticks[-1]), (yticks[0], yticks[-1]))
    parts = []
    _frame(axes, title, xlabel, ylabel, xticks, yticks, parts)
    for i, (name, pts) in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        path = " ".join(f"{axes.x(x):.1f},{axes.y(y):.1f}" for x, y in pts)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"'
                     f' stroke-linejoin="round"{dash_attr}/>')
        lx, ly = 70 + 230 * (i % 3), 34 + 18 * (i // 3)
        parts.append(f'<line x1="{lx}" x2="{lx + 30}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2.2"'
                     f'{dash_attr}/>')
        parts.append(f'<text x="{lx + 36}" y="{ly + 4}" font-size="11" {FONT}>{escape(name)}</text>')
    return _svg(width, height, parts)
