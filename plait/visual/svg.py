"""Line charts as inline SVG: one polyline and one circle per point for each series, the best step marked."""
from __future__ import annotations

import html
import math

from plait.visual.curves import Chart

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
WIDTH, HEIGHT = 520, 250
LEFT, RIGHT, TOP, BOTTOM = 62, 12, 26, 40


def ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    return [first + k * step for k in range(int(math.ceil((hi - first) / step)) + 1)]


def _label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4:
        return f"{value / 1000:.4g}k"
    if abs(value) < 1e-3:
        return f"{value:.1e}"
    return f"{value:.4g}"


def styles(chart: Chart, overlaid: bool) -> list[tuple[str, str]]:
    """Colour and dash of each series: with runs overlaid, colour by run and dash by series within the run."""
    out, seen = [], {}
    for index, s in enumerate(chart.series):
        within = seen[s.run] = seen.get(s.run, -1) + 1
        out.append((COLOURS[s.run % len(COLOURS)], DASHES[within % len(DASHES)]) if overlaid
                   else (COLOURS[index % len(COLOURS)], ""))
    return out


def line_chart(chart: Chart, axis: str, overlaid: bool) -> str:
    """`chart` against `axis` ("step" or "seconds") as an <svg> element with a legend."""
    xs_of = (lambda s: s.steps) if axis == "step" else (lambda s: s.seconds)
    points = [(x, y) for s in chart.series for x, y in zip(xs_of(s), s.values) if y is not None]
    x_ticks = ticks(min(0.0, *(p[0] for p in points)), max(p[0] for p in points))
    y_ticks = ticks(min(p[1] for p in points), max(p[1] for p in points))
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x0) / ((x1 - x0) or 1) * plot_w

    def py(y: float) -> float:
        return TOP + plot_h - (y - y0) / ((y1 - y0) or 1) * plot_h

    out = [f"<svg class=\"chart\" data-title=\"{html.escape(chart.title)}\" data-axis=\"{axis}\" "
           f"viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\">",
           f"<text class=\"title\" x=\"{LEFT}\" y=\"16\">{html.escape(chart.title)}</text>"]
    for t in y_ticks:
        out.append(f"<line class=\"grid\" x1=\"{LEFT}\" x2=\"{WIDTH - RIGHT}\" y1=\"{py(t):.1f}\" y2=\"{py(t):.1f}\"/>"
                   f"<text class=\"tick\" x=\"{LEFT - 6}\" y=\"{py(t) + 4:.1f}\" text-anchor=\"end\">{_label(t)}</text>")
    for t in x_ticks:
        out.append(f"<text class=\"tick\" x=\"{px(t):.1f}\" y=\"{TOP + plot_h + 16}\" text-anchor=\"middle\">"
                   f"{_label(t)}</text>")
    x_name = "step" if axis == "step" else "training time (s)"
    out.append(f"<text class=\"axis\" x=\"{LEFT + plot_w / 2}\" y=\"{HEIGHT - 4}\" text-anchor=\"middle\">{x_name}</text>")
    for step, seconds, run in chart.best:
        x = px(step if axis == "step" else seconds)
        colour = COLOURS[run % len(COLOURS)] if overlaid else "#444"
        out.append(f"<line class=\"best\" data-run=\"{run}\" data-step=\"{step}\" x1=\"{x:.1f}\" x2=\"{x:.1f}\" "
                   f"y1=\"{TOP}\" y2=\"{TOP + plot_h}\" stroke=\"{colour}\"><title>best step {step}</title></line>"
                   f"<text class=\"best-label\" x=\"{x - 3:.1f}\" y=\"{TOP + plot_h - 4}\" text-anchor=\"end\">"
                   f"best {step}</text>")
    for index, (s, (colour, dash)) in enumerate(zip(chart.series, styles(chart, overlaid))):
        pts = [(x, y, step) for x, y, step in zip(xs_of(s), s.values, s.steps) if y is not None]
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y, _ in pts)
        out.append(f"<g class=\"series\" data-name=\"{html.escape(s.name)}\" data-run=\"{s.run}\">"
                   f"<polyline points=\"{line}\" stroke=\"{colour}\" stroke-dasharray=\"{dash}\"/>")
        out += [f"<circle class=\"pt\" cx=\"{px(x):.1f}\" cy=\"{py(y):.1f}\" r=\"2.6\" fill=\"{colour}\" "
                f"data-step=\"{step}\" data-value=\"{y:.6g}\"><title>{html.escape(s.name)} at step {step}: "
                f"{y:.6g}</title></circle>" for x, y, step in pts]
        out.append("</g>")
        ly = TOP + 4 + 13 * index
        out.append(f"<g class=\"legend\"><line x1=\"{WIDTH - RIGHT - 150}\" x2=\"{WIDTH - RIGHT - 132}\" y1=\"{ly}\" "
                   f"y2=\"{ly}\" stroke=\"{colour}\" stroke-dasharray=\"{dash}\"/><text x=\"{WIDTH - RIGHT - 128}\" "
                   f"y=\"{ly + 4}\">{html.escape(s.name[:28])}</text></g>")
    out.append("</svg>")
    return "".join(out)
