"""Scoring a pipeline on annotated examples."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from plait.core.components.contract import Scorer

if TYPE_CHECKING:
    from plait.core.data.example import Example
    from plait.core.pipeline import Language


def evaluate(nlp: "Language", examples: Iterable["Example"], *, batch_size: int | None = None) -> dict[str, Any]:
    """Run the pipeline on fresh copies of the examples' texts and merge every component's scores.

    `speed` is words per second of the pipeline itself (tokenization of the copies excluded).
    """
    return score(nlp, *predict(nlp, examples, batch_size=batch_size))


def predict(nlp: "Language", examples: Iterable["Example"], *, batch_size: int | None = None,
            show_progress: bool = False) -> tuple[list["Example"], float]:
    """Examples whose predicted docs are the pipeline's output on copies of the tokens, and the seconds it took."""
    from plait.core.data.example import Example
    from plait.core.progress import progress_bar

    examples = list(examples)
    inputs = [eg.predicted.copy_tokens() for eg in examples]
    docs = progress_bar(inputs, desc="evaluating", unit="doc") if show_progress else inputs
    start = time.perf_counter()
    outputs = list(nlp.pipe(docs, batch_size=batch_size))
    seconds = time.perf_counter() - start
    return [Example(out, eg.reference) for out, eg in zip(outputs, examples)], seconds


def score(nlp: "Language", scored: Sequence["Example"], seconds: float) -> dict[str, Any]:
    """Every component's scores of predicted examples, and `speed`: words per second over `seconds`."""
    scores: dict[str, Any] = {}
    for _, component in nlp.pipeline:
        if isinstance(component, Scorer):
            scores.update(component.score(scored))
    words = sum(len(eg.predicted) for eg in scored)
    scores["speed"] = words / seconds if seconds > 0 else 0.0
    return scores


def weighted_score(scores: dict[str, Any], weights: dict[str, float]) -> float:
    """The combined score that picks the best model: a weighted sum of the named scores (a null weight: not counted)."""
    return sum(w * float(scores.get(key) or 0.0) for key, w in weights.items() if w is not None)


def score_names(nlp: "Language") -> list[str]:
    """Every single-number score the pipeline's components report (what [training.score_weights] may weigh)."""
    names: list[str] = []
    for _, component in nlp.pipeline:
        if isinstance(component, Scorer):
            names += [key for key, value in component.score([]).items() if not isinstance(value, dict)]
    return names


def check_score_weights(nlp: "Language", weights: dict[str, Any]) -> None:
    """ConfigError for a weight on a score no component reports: it would count as 0 at every evaluation. A
    weight of 0 or null weighs nothing either way (spaCy's configs list such scores to report them)."""
    from plait.core.errors import ConfigError

    known = score_names(nlp)
    unknown = [key for key, weight in weights.items() if key not in known and weight]
    if unknown:
        raise ConfigError(f"training.score_weights.{unknown[0]}: no component reports this score; the pipeline's "
                          f"scores are {', '.join(known) or 'none'}")


def main_scores(nlp: "Language") -> Sequence[str]:
    """The headline score key of each component (e.g. tag_acc, ents_f), for default weights and tables."""
    return [c.score_key for _, c in nlp.pipeline if isinstance(c, Scorer)]
