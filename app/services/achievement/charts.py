"""Inline SVG charts drawn on the server (no JavaScript, no CDN). Colours are SVG
presentation attributes, which the Content-Security-Policy allows."""
from markupsafe import Markup, escape

COLOURS = ("#0b5cad", "#1f7a3d", "#a86100", "#7a3db8")


def bar_chart(items: list[tuple[str, list]], series: list[str], *, top: float = 100.0, title: str = "") -> Markup:
    """Horizontal grouped bars, each group under its label: items = [(label, [value per series])],
    values 0..top (None = no bar)."""
    if not items:
        return Markup("")
    bar_h, label_h, gap, width, left = 16, 16, 10, 400, 4
    plot_w = width - left - 44
    group_h = label_h + bar_h * len(series) + gap
    legend_h = 24
    height = legend_h + group_h * len(items)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, name in enumerate(series):
        x = left + i * 170
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % 4]}"/>'
                   f'<text x="{x + 16}" y="15" font-size="13">{escape(name)}</text>')
    for row, (label, values) in enumerate(items):
        y0 = legend_h + row * group_h
        out.append(f'<text x="{left}" y="{y0 + 12}" font-size="13" font-weight="600">{escape(str(label)[:48])}</text>')
        for i, value in enumerate(values):
            y = y0 + label_h + i * bar_h
            if value is None:
                continue
            w = max(0.0, min(1.0, float(value) / top)) * plot_w
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 3}" fill="{COLOURS[i % 4]}"/>'
                       f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 5}" font-size="12">{float(value):.1f}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(labels: list[str], series: list[tuple[str, list]], *, top: float = 100.0, title: str = "") -> Markup:
    """Lines over labelled points (e.g. terms): series = [(name, [value or None per label])];
    a label may have a second line after a newline."""
    if not labels:
        return Markup("")
    width, height, left, right, upper, lower = 420, 250, 34, 18, 16, 56
    plot_w, plot_h = width - left - right, height - upper - lower
    step = plot_w / max(1, len(labels) - 1)

    def xy(i, v):
        return left + (i * step if len(labels) > 1 else plot_w / 2), upper + plot_h - max(0.0, min(1.0, v / top)) * plot_h

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for tick in range(0, 5):
        v = top * tick / 4
        _x, y = xy(0, v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="12" text-anchor="end">{v:g}</text>')
    for i, label in enumerate(labels):
        x, _y = xy(i, 0)
        first, _sep, second = label.partition("\n")
        out.append(f'<text x="{x:.1f}" y="{height - lower + 14}" font-size="11" text-anchor="middle">'
                   f'{escape(first[:10])}</text>')
        if second:
            out.append(f'<text x="{x:.1f}" y="{height - lower + 27}" font-size="10" text-anchor="middle" '
                       f'fill="#5d6675">{escape(second[:10])}</text>')
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % 4]
        points = [xy(i, float(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        for x, y in points:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        lx = 4 + s * 135
        out.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{lx + 16}" y="{height - 8}" font-size="13">{escape(name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
