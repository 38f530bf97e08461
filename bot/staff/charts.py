"""Bar charts drawn as SVG on the server: no scripts, no network, readable by screen readers
(each chart has a title, a description and its numbers as text)."""

from __future__ import annotations

from html import escape

COLORS = ("#0a4f9e", "#1d6b35", "#8a4b00", "#a3001b", "#5b3f8c", "#3d4852")


def bar_chart(title: str, items: list[tuple[str, float]], width: int = 640,
              bar_height: int = 22, value_format: str = "{:g}") -> str:
    label_width, gap, top = 170, 6, 8
    height = top * 2 + max(1, len(items)) * (bar_height + gap)
    biggest = max((value for _, value in items), default=0) or 1
    scale = (width - label_width - 70) / biggest
    summary = ", ".join(f"{label}: {value_format.format(value)}" for label, value in items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="t d">',
             f"<title>{escape(title)}</title><desc>{escape(summary or 'Inga data')}</desc>"]
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" font-size="14">Inga data för perioden</text>')
    for index, (label, value) in enumerate(items):
        y = top + index * (bar_height + gap)
        color = COLORS[index % len(COLORS)]
        parts.append(f'<text x="0" y="{y + bar_height - 6}" font-size="13" '
                     f'fill="#1a1a1a">{escape(str(label))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{max(1, value * scale):.1f}" '
                     f'height="{bar_height}" fill="{color}"></rect>')
        parts.append(f'<text x="{label_width + value * scale + 6:.1f}" y="{y + bar_height - 6}" '
                     f'font-size="13" fill="#1a1a1a">{escape(value_format.format(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
