"""Inline SVG charts for survey results, rendered on the server (no JavaScript, no CDN).

Only presentation attributes are used (no style attributes), so the strict CSP holds."""
from html import escape
from typing import Optional, Sequence

from markupsafe import Markup

RAMP = {2: ["#c0392b", "#2e7d32"], 3: ["#c0392b", "#bdbdbd", "#2e7d32"]}
SEQ = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"]


def _ramp(n: int) -> list[str]:
    if n in RAMP:
        return RAMP[n]
    if n <= len(SEQ):
        step = (len(SEQ) - 1) / max(n - 1, 1)
        return [SEQ[round(i * step)] for i in range(n)]
    return [SEQ[min(int(i * len(SEQ) / n), len(SEQ) - 1)] for i in range(n)]


def index_bars(rows: Sequence[tuple[str, Optional[float]]], width: int = 320, suppressed_text: str = "—") -> Markup:
    """Horizontal bars of indices 0-100, one per (label, value); None is drawn as suppressed."""
    bar_h, gap, label_h = 14, 10, 16
    height = len(rows) * (bar_h + gap + label_h) + 4
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg">']
    y = 2
    for label, value in rows:
        parts.append(f'<text x="0" y="{y + 12}" font-size="12" fill="#1d2330">{escape(label)}</text>')
        y += label_h
        parts.append(f'<rect x="0" y="{y}" width="{width - 40}" height="{bar_h}" fill="#eef1f5"/>')
        if value is None:
            parts.append(f'<text x="{width - 36}" y="{y + 11}" font-size="11" fill="#777">{escape(suppressed_text)}</text>')
        else:
            w = max(0.0, min(100.0, value)) / 100 * (width - 40)
            colour = "#2e7d32" if value >= 75 else "#0b5cad" if value >= 50 else "#c0392b"
            parts.append(f'<rect x="0" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
            parts.append(f'<text x="{width - 36}" y="{y + 11}" font-size="11" fill="#1d2330">{value:.0f}</text>')
        y += bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked(percents: Sequence[Optional[float]], width: int = 300, titles: Sequence[str] = ()) -> Markup:
    """One 100 % bar split by answer options (first option on the left)."""
    height = 16
    colours = _ramp(len(percents))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" xmlns="http://www.w3.org/2000/svg">']
    x = 0.0
    for i, pct in enumerate(percents):
        if not pct:
            continue
        w = pct / 100 * width
        title = f"<title>{escape(titles[i])}: {pct:.0f}%</title>" if i < len(titles) else ""
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colours[i]}">{title}</rect>')
        x += w
    parts.append("</svg>")
    return Markup("".join(parts))


def scale_bars(results, lang: str) -> Markup:
    """Index per scale of a campaign's results."""
    return index_bars([(s.title.pick(lang), results.scales[s.key]["index"]) for s in results.spec.scales])


def class_bars(results, scale_key: str, label, hidden_text: str) -> Markup:
    """Index of one scale per class; suppressed classes are drawn without a bar."""
    return index_bars([(label(c["target"]), c["scales"][scale_key]) for c in results.classes],
                      suppressed_text=hidden_text)
