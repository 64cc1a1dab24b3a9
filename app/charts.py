"""Inline SVG charts drawn on the server: no JavaScript, no CDN, and only presentation
attributes (no style attributes), so the strict Content-Security-Policy holds.

Colours carry meaning, never position: a value is coloured by how good it is (`level`), an
answer share by what the answer means (`Share.meaning`: its place on the item's scale, or
neutral for answers that are not better or worse than each other), and series of a line
chart by a fixed categorical palette that carries no judgement. Every chart has a <title>
for screen readers; labels are escaped.

    hbars(rows, title=...)                      horizontal bars of 0..top, one per (label, value)
    grouped_hbars(items, series, title=...)     several series per label (e.g. pass rate and quality)
    columns(series, target=..., unit=...)       vertical bars with a dashed target line
    line_chart(labels, series, title=...)       lines over periods
    shares(parts)                               one 100 % bar split into answer shares
    meter(counts)                               a strip of ok / warn / bad / none counts
"""
from dataclasses import dataclass
from typing import Optional, Sequence

from markupsafe import Markup, escape

# What a colour means. "good" / "fair" / "poor" judge a value; "none" is no data; "neutral"
# is a value that is neither good nor bad.
MEANING = {"good": "#1f7a3d", "fair": "#0b5cad", "warn": "#e0a100", "poor": "#b42318", "none": "#9aa3af",
           "neutral": "#5d6675", "track": "#eef1f5"}
# Series of a grouped or line chart: distinguishable, none of them red or green so that no
# series reads as "bad" or "good".
SERIES = ("#0b5cad", "#a86100", "#6b3fa0", "#00838f", "#5d6675", "#c2185b", "#33691e", "#1d2330")
# Answer shares from the worst to the best answer of a scale (diverging), and for answers that
# are not ordered (categorical, muted).
SCALE = ("#b42318", "#e8806a", "#f3c9b8", "#cfd8e3", "#8fb3d9", "#1f7a3d")
NEUTRAL = ("#5d6675", "#8a94a3", "#b5bcc7", "#d3d8df", "#6b7f99", "#9aa7b8")

TEXT = "#1d2330"
MUTED = "#5d6675"


def level(value: Optional[float], good: float = 75.0, fair: float = 50.0) -> str:
    """The meaning of a percentage or an index 0-100: good from 75, fair from 50, else poor."""
    if value is None:
        return "none"
    return "good" if value >= good else "fair" if value >= fair else "poor"


def _svg(width: float, height: float, title: str = "", hidden: bool = False) -> list[str]:
    if hidden:
        return [f'<svg class="chart" viewBox="0 0 {width:g} {height:g}" xmlns="http://www.w3.org/2000/svg" '
                f'aria-hidden="true">']
    return [f'<svg class="chart" viewBox="0 0 {width:g} {height:g}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']


def _short(label: str, limit: int = 46) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def hbars(rows: Sequence[tuple[str, Optional[float]]], *, title: str, top: float = 100.0, width: int = 360,
          unit: str = "", missing: str = "—") -> Markup:
    """Horizontal bars, one per (label, value in 0..top), each label above its bar so that it
    reads on a 360 px phone; a bar is coloured by `level` of its value as a share of `top`.
    A value of None draws no bar and `missing` (e.g. a suppressed group)."""
    bar_h, gap, label_h, pad = 14, 10, 16, 4
    height = pad * 2 + len(rows) * (bar_h + gap + label_h) or 30
    plot_w = width - 56
    out = _svg(width, height, title)
    y = pad
    for label, value in rows:
        out.append(f'<text x="0" y="{y + 12}" font-size="12" fill="{TEXT}"><title>{escape(label)}</title>'
                   f'{escape(_short(label))}</text>')
        y += label_h
        out.append(f'<rect x="0" y="{y}" width="{plot_w}" height="{bar_h}" fill="{MEANING["track"]}"/>')
        if value is None:
            out.append(f'<text x="{width - 52}" y="{y + 12}" font-size="12" fill="{MUTED}">{escape(missing)}</text>')
        else:
            share = max(0.0, min(1.0, float(value) / top))
            out.append(f'<rect x="0" y="{y}" width="{share * plot_w:.1f}" height="{bar_h}" '
                       f'fill="{MEANING[level(100.0 * float(value) / top)]}"/>')
            out.append(f'<text x="{width - 52}" y="{y + 12}" font-size="12" fill="{TEXT}">'
                       f'{escape(f"{float(value):.1f}{unit}")}</text>')
        y += bar_h + gap
    out.append("</svg>")
    return Markup("".join(out))


def grouped_hbars(items: Sequence[tuple[str, Sequence[Optional[float]]]], series: Sequence[str], *,
                  top: float = 100.0, title: str = "", width: int = 400) -> Markup:
    """Horizontal grouped bars, each group under its label: items = [(label, [value per series])],
    values 0..top (None = no bar); the series' colours are explained in a legend."""
    if not items:
        return Markup("")
    bar_h, label_h, gap, left, legend_h = 16, 16, 10, 4, 24
    plot_w = width - left - 44
    group_h = label_h + bar_h * len(series) + gap
    out = _svg(width, legend_h + group_h * len(items), title)
    for i, name in enumerate(series):
        x = left + i * 170
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{SERIES[i % len(SERIES)]}"/>'
                   f'<text x="{x + 16}" y="15" font-size="13">{escape(name)}</text>')
    for row, (label, values) in enumerate(items):
        y0 = legend_h + row * group_h
        out.append(f'<text x="{left}" y="{y0 + 12}" font-size="13" font-weight="600">{escape(_short(label, 48))}</text>')
        for i, value in enumerate(values):
            if value is None:
                continue
            y = y0 + label_h + i * bar_h
            w = max(0.0, min(1.0, float(value) / top)) * plot_w
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 3}" fill="{SERIES[i % len(SERIES)]}"/>'
                       f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 5}" font-size="12">{float(value):.1f}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def columns(series: Sequence[tuple[str, Optional[float]]], target: Optional[float] = None, unit: str = "",
            title: str = "", width: int = 320) -> Markup:
    """Vertical bars, one per (label, value); a dashed line marks the target. A missing value
    shows "—". Percentages and indices are drawn on 0..100."""
    values = [v for _label, v in series if v is not None]
    top = max(values + ([target] if target is not None else []) + [1e-9])
    top = 100.0 if unit in ("percent", "index") and top <= 100 else top * 1.15
    height, base, left = 150, 125, 8
    step = (width - left * 2) / max(len(series), 1)
    out = _svg(width, height, title)
    out.append(f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="{MEANING["none"]}"/>')
    for i, (label, value) in enumerate(series):
        x = left + i * step + step * 0.2
        w = step * 0.6
        if value is None:
            out.append(f'<text x="{x + w / 2:.1f}" y="{base - 4}" text-anchor="middle" font-size="11" '
                       f'fill="{MUTED}">—</text>')
        else:
            h = max(value, 0) / top * (base - 20)
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{SERIES[0]}"/>')
            out.append(f'<text x="{x + w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" font-size="11">'
                       f'{escape(_number(value))}</text>')
        out.append(f'<text x="{x + w / 2:.1f}" y="{base + 15}" text-anchor="middle" font-size="10" '
                   f'fill="{MUTED}">{escape(str(label))}</text>')
    if target is not None:
        y = base - max(target, 0) / top * (base - 20)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - left}" y2="{y:.1f}" stroke="{MEANING["poor"]}" '
                   f'stroke-dasharray="4 3"/>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Optional[float]]]], *, title: str,
               top: float = 100.0, width: int = 420) -> Markup:
    """Lines over labelled points (e.g. quarters): series = [(name, [value or None per label])],
    values 0..top; a label may have a second line after a newline. The legend is under the plot."""
    if not labels:
        return Markup("")
    left, right, upper, plot_h = 36, 14, 10, 170
    legend_y = upper + plot_h + 44
    height = legend_y + 18 * ((len(series) + 1) // 2) + 6
    n = len(labels)
    plot_w = width - left - right
    step = plot_w / max(n - 1, 1)

    def x(i):
        return left + (i * step if n > 1 else plot_w / 2)

    def y(v):
        return upper + plot_h - max(0.0, min(1.0, float(v) / top)) * plot_h

    out = _svg(width, height, title)
    for tick in range(5):
        v = top * tick / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d9dde4"/>'
                   f'<text x="{left - 4}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">'
                   f'{v:g}</text>')
    for i, label in enumerate(labels):
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        first, _sep, second = str(label).partition("\n")
        out.append(f'<text x="{x(i):.1f}" y="{upper + plot_h + 16}" font-size="10" text-anchor="{anchor}" '
                   f'fill="{MUTED}">{escape(_short(first, 14))}</text>')
        if second:
            out.append(f'<text x="{x(i):.1f}" y="{upper + plot_h + 29}" font-size="10" text-anchor="{anchor}" '
                       f'fill="{MUTED}">{escape(_short(second, 14))}</text>')
    for index, (name, values) in enumerate(series):
        colour = SERIES[index % len(SERIES)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            out.append(f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}" fill="none" '
                       f'stroke="{colour}" stroke-width="2.5"/>')
        for px, py in points:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
        lx = 0 if index % 2 == 0 else width / 2
        ly = legend_y + 18 * (index // 2)
        out.append(f'<rect x="{lx:g}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14:g}" y="{ly}" font-size="11" fill="{TEXT}">{escape(_short(name, 30))}</text>')
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class Share:
    """One answer's share of a 100 % bar. `label` is the answer as the reader sees it (never a
    key); `rank` places an answer of an ordered scale between its worst (0.0) and best (1.0)
    answer, and None marks an answer that is not better or worse than the others."""

    label: str
    pct: Optional[float]
    rank: Optional[float] = None


def share_colour(share: Share, position: int) -> str:
    """Red to green by rank for ordered answers; muted greys and blues by position otherwise."""
    if share.rank is None:
        return NEUTRAL[position % len(NEUTRAL)]
    return SCALE[round(max(0.0, min(1.0, share.rank)) * (len(SCALE) - 1))]


def shares(parts: Sequence[Share], width: int = 300) -> Markup:
    """One 100 % bar split into answer shares (in the given order), each with a tooltip
    "answer: 33 %"."""
    height = 16
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape("; ".join(f"{p.label}: {p.pct:.0f}%" for p in parts if p.pct))}" '
           f'xmlns="http://www.w3.org/2000/svg">']
    x = 0.0
    for position, part in enumerate(parts):
        if not part.pct:
            continue
        w = part.pct / 100 * width
        out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{share_colour(part, position)}">'
                   f'<title>{escape(part.label)}: {part.pct:.0f}%</title></rect>')
        x += w
    out.append("</svg>")
    return Markup("".join(out))


def meter(counts: dict[str, int], width: int = 160) -> Markup:
    """A stacked strip of indicator counts by status: ok (good), warn, bad (poor), none."""
    total = sum(counts.values()) or 1
    colours = {"ok": MEANING["good"], "warn": MEANING["warn"], "bad": MEANING["poor"], "none": MEANING["none"]}
    out, x = _svg(width, 12, hidden=True), 0.0
    for key in ("ok", "warn", "bad", "none"):
        w = counts.get(key, 0) / total * width
        if w:
            out.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="12" fill="{colours[key]}"/>')
        x += w
    out.append("</svg>")
    return Markup("".join(out))
