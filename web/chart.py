"""The score over the journal as an SVG drawn on the server (no JavaScript): one line per referential
that has a score, x = the change number, y = the current score (0-100 %)."""

from __future__ import annotations

from xml.sax.saxutils import escape

COLOURS = ("#1f6f8b", "#c0392b", "#2e8b57", "#8e44ad", "#d35400")
WIDTH, HEIGHT, PAD = 640, 240, 40


def score_chart(points: list[tuple[int, dict[str, float]]], titles: dict[str, str], label: str) -> str:
    """`points`: (change number, {referential: share}) in order."""
    series: dict[str, list[tuple[int, float]]] = {}
    for seq, scores in points:
        for rid, share in scores.items():
            series.setdefault(rid, []).append((seq, share))
    first = points[0][0] if points else 0
    last = max(points[-1][0] if points else 1, first + 1)

    def x(seq: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (seq - first) / (last - first)

    def y(share: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * share

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" role="img" '
             f'aria-label="{escape(label)}" class="chart">', f"<title>{escape(label)}</title>"]
    for share in (0, 0.5, 1):
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(share):.1f}" y2="{y(share):.1f}" stroke="#ccc"/>')
        parts.append(f'<text x="{PAD - 6}" y="{y(share) + 4:.1f}" text-anchor="end" font-size="11">{int(share * 100)} %</text>')
    for i, (rid, values) in enumerate(sorted(series.items())):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in values)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}" data-ruleset="{escape(rid)}"/>')
        for s, v in values[-1:]:
            parts.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        legend_y = HEIGHT + 20 * i + 5
        parts.append(f'<rect x="{PAD}" y="{legend_y - 9}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{PAD + 18}" y="{legend_y + 1}" font-size="12">{escape(titles.get(rid, rid))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
