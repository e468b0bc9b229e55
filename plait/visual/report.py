"""Training reports: every curve of one or more runs as inline SVG, against step or training time."""
from __future__ import annotations

import html
from typing import Sequence

from plait.visual.curves import Run, charts
from plait.visual.html import page, table
from plait.visual.svg import line_chart

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 16px; color: #1d1d1f; background: #fafafa; }
h1 { font-size: 18px; margin: 0 0 8px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; }
svg.chart polyline { fill: none; stroke-width: 1.6; }
svg.chart .grid { stroke: #eee; }
svg.chart .tick, svg.chart .axis, svg.chart .legend text, svg.chart .best-label { font-size: 10px; fill: #555; }
svg.chart .title { font-size: 13px; font-weight: 600; fill: #222; }
svg.chart .best { stroke-dasharray: 4 3; stroke-width: 1.2; }
body.by-seconds svg[data-axis=step], body.by-step svg[data-axis=seconds] { display: none; }
table.prf { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
table.prf td, table.prf th { border: 1px solid #ddd; padding: 2px 10px; text-align: right; }
table.prf td:first-child, table.prf th:first-child { text-align: left; }
"""
_SCRIPT = ("<script>for (const r of document.querySelectorAll('input[name=axis]')) r.onchange = () => "
           "{ document.body.className = 'by-' + r.value; };</script>")


def render_report(runs: Sequence[Run], *, title: str = "plait training report") -> str:
    """One self-contained page: a summary row per run, then every chart (one point per evaluation)."""
    rows = []
    for run in runs:
        last, best = (run.records[-1] if run.records else {}), run.best or {}
        rows.append((run.name, len(run.records), last.get("step", "-"), best.get("step", "-"),
                     _score(best.get("score")), _score(last.get("score")), f"{float(last.get('seconds') or 0):.1f}"))
    summary = table(["run", "evaluations", "last step", "best step", "best score", "last score", "training s"], rows)
    overlaid = len(runs) > 1
    svgs = [line_chart(c, axis, overlaid) for c in charts(runs) for axis in ("step", "seconds")]
    body = (f"<h1>{html.escape(title)}</h1>{summary}<p>x axis: <label><input type=\"radio\" name=\"axis\" value=\"step\" checked> "
            "step</label> <label><input type=\"radio\" name=\"axis\" value=\"seconds\"> training time</label></p>"
            f"<div class=\"charts\">{''.join(svgs)}</div>")
    return page(title, body, css=_CSS, script=_SCRIPT).replace("<body>", "<body class=\"by-step\">", 1)


def _score(value: object) -> object:
    return float(value) if isinstance(value, (int, float)) else "-"
