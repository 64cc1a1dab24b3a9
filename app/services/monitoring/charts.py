"""Inline SVG charts for dashboards and printed reports (no JavaScript, no CDN)."""
from html import escape
from typing import Optional, Sequence

from markupsafe import Markup

COLORS = {"ok": "#1f7a3d", "warn": "#e0a100", "bad": "#b42318", "none": "#9aa3af"}


def bars(series: Sequence[tuple[str, Optional[float]]], target: Optional[float] = None, unit: str = "",
         title: str = "", width: int = 320) -> Markup:
    """Vertical bars, one per (label, value); a dashed line marks the target. Missing values show '—'."""
    values = [v for _l, v in series if v is not None]
    top = max(values + ([target] if target is not None else []) + [1e-9])
    top = 100.0 if unit in ("percent", "index") and top <= 100 else top * 1.15
    height, base, left = 150, 125, 8
    step = (width - left * 2) / max(len(series), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{base}" x2="{width - left}" y2="{base}" stroke="#9aa3af"/>']
    for i, (label, value) in enumerate(series):
        x = left + i * step + step * 0.2
        w = step * 0.6
        if value is None:
            parts.append(f'<text x="{x + w / 2:.1f}" y="{base - 4}" text-anchor="middle" font-size="11" fill="#5d6675">—</text>')
        else:
            h = max(value, 0) / top * (base - 20)
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#0b5cad"/>')
            text = f"{value:g}" if float(value).is_integer() else f"{value:.1f}"
            parts.append(f'<text x="{x + w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" font-size="11">{escape(text)}</text>')
        parts.append(f'<text x="{x + w / 2:.1f}" y="{base + 15}" text-anchor="middle" font-size="10" fill="#5d6675">{escape(str(label))}</text>')
    if target is not None:
        y = base - max(target, 0) / top * (base - 20)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - left}" y2="{y:.1f}" stroke="#b42318" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def direction_meter(counts: dict[str, int], width: int = 160) -> Markup:
    """A stacked strip of ok / warn / bad / none indicator counts."""
    total = sum(counts.values()) or 1
    x, parts = 0.0, [f'<svg class="chart" viewBox="0 0 {width} 12" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">']
    for key in ("ok", "warn", "bad", "none"):
        w = counts.get(key, 0) / total * width
        if w:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="12" fill="{COLORS[key]}"/>')
        x += w
    parts.append("</svg>")
    return Markup("".join(parts))
