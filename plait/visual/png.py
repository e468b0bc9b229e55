"""The charts of a training report as one PNG, drawn by matplotlib (the optional `plot` extra)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from plait.core.errors import UserError
from plait.visual.curves import Run, charts
from plait.visual.svg import COLOURS, styles


def write_png(runs: Sequence[Run], path: Path) -> None:
    """Every chart against step in a grid, runs overlaid, best steps as dashed lines; written atomically."""
    try:
        import matplotlib
    except ImportError:
        raise UserError("--png needs matplotlib: pip install 'plait[plot]'") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    drawn = charts(runs)
    cols = min(3, len(drawn)) or 1
    rows = max(1, math.ceil(len(drawn) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    overlaid = len(runs) > 1
    for ax, chart in zip(axes.flat, drawn):
        for s, (colour, dash) in zip(chart.series, styles(chart, overlaid)):
            points = [(x, y) for x, y in zip(s.steps, s.values) if y is not None]
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", markersize=2.5, linewidth=1.3,
                    color=colour, dashes=[float(d) for d in dash.split()] or (None, None), label=s.name)
        for step, _, run in chart.best:
            ax.axvline(step, color=COLOURS[run % len(COLOURS)] if overlaid else "#444", linestyle=":", linewidth=1)
        ax.set_title(chart.title, fontsize=10)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(drawn):]:
        ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fig.savefig(tmp, format="png", dpi=80)
        tmp.replace(path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
