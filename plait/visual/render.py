"""HTML views of documents: annotated docs (`render`) and gold against prediction (`render_evaluation`)."""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from plait.visual.docs import doc_data, pair_data
from plait.visual.html import table, viewer_page

if TYPE_CHECKING:
    from plait.core.data.example import Example
    from plait.core.doc import Doc


def render(docs: Iterable["Doc"], *, title: str = "plait", page_size: int = 25) -> str:
    """One self-contained HTML page showing each doc's entities, parse, tags, sentences and categories."""
    return viewer_page(title, [doc_data(doc) for doc in docs], page_size=page_size)


def render_evaluation(examples: Iterable["Example"], scores: dict[str, Any], keys: Sequence[str], *,
                      title: str = "plait evaluate", page_size: int = 25) -> str:
    """Gold and prediction side by side (examples' `predicted` docs are the pipeline's output), errors marked,
    above a summary of the scores named in `keys` (the components' declared scores, in order) and a per-label
    P/R/F table."""
    summary = [(key, scores[key]) for key in keys if isinstance(scores.get(key), float)]
    parts = ["<div class=\"doc scores\"><h2>Scores</h2>", table(["score", "%"], summary)]
    for key, per_label in scores.items():
        if key.endswith("_per_type") and isinstance(per_label, dict) and per_label:
            rows = [(label, float(prf["p"]), float(prf["r"]), float(prf["f"])) for label, prf in per_label.items()]
            parts += [f"<h3>{html.escape(key)}</h3>", table(["label", "P", "R", "F"], rows)]
    parts.append("</div>")
    extra = "<div style=\"padding: 12px 16px 0\">" + "".join(parts) + "</div>"
    return viewer_page(title, [pair_data(eg) for eg in examples], page_size=page_size, extra=extra, evaluation=True)
