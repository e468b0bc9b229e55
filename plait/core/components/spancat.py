"""spancat and spancat_singlelabel: labelled spans that may overlap or nest, into a span group `doc.spans[KEY]`.

A suggester (`[components.NAME.suggester]`, a `@misc` block) proposes candidate spans; the model scores each with
one logit per label. spancat reads the logits as independent sigmoids: a span gets every label whose probability
reaches `threshold` (at most `max_positive` of them, the likeliest), so one span can carry several labels.
spancat_singlelabel adds a negative class and takes a softmax: a span gets its best label unless "no span" wins,
and with `allow_overlap = false` the kept spans are made disjoint, the likeliest first. One class serves both:
they share the suggestions, gold, labels, output and scores, and differ only in the loss and the decoding
(spancat_singlelabel trains a span gold gives two labels on one of them).

Gold is the reference doc's `spans[KEY]` moved onto the predicted tokens; a suggested span not in it is a negative
(a doc without the group has only negatives, as spaCy trains it). A gold span whose edges are not predicted token
edges is left out.
"""
from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
import torch
from pydantic import Field

from plait.core.components.declaration import ComponentKind, declare, tok2vec_listener
from plait.core.components.token_heads import add_label, initial_labels
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.registries import registry
from plait.core.scorer import score_spans
from plait.core.span import Span
from plait.core.span_group import SpanGroup
from plait.core.suggesters import Suggester
from plait.models.span_categorizer import SpanCategorizer, SpanLogits, flat_offsets
from plait.models.settings import NonNegativeFloat, Share

if TYPE_CHECKING:
    from plait.core.data.example import Example

# The output bias of spancat's sigmoids before training: a prior of 1% positive, as nearly every suggested span is
# no entity (from 0.5 every span would start out predicted with every label, and the loss first unlearns that).
PRIOR_BIAS = math.log(0.01 / 0.99)
NEGATIVE = 0  # spancat_singlelabel's "no span" class: first, so that equal logits (before training) mean no span


class SpanPredictions(NamedTuple):
    """One doc's predicted spans: [start, end) offsets (n, 2), label ids (n,) and scores (n,)."""

    offsets: np.ndarray
    labels: np.ndarray
    scores: np.ndarray


class SpanCat:
    """Scores suggested spans and writes those it keeps into `doc.spans[spans_key]`, a SpanGroup with
    `attrs["scores"]`; `exclusive` picks spancat_singlelabel's softmax with a negative class over spancat's
    sigmoids."""

    def __init__(self, vocab: Any, name: str, model: SpanCategorizer, suggester: Suggester, *, spans_key: str,
                 exclusive: bool, threshold: float = 0.5, max_positive: int | None = None,
                 negative_weight: float = 1.0, allow_overlap: bool = True) -> None:
        self.vocab, self.name, self.model = vocab, name, model
        model.suggester = suggester
        self.spans_key, self.exclusive = spans_key, exclusive
        self.threshold, self.max_positive = threshold, max_positive
        self.negative_weight, self.allow_overlap = negative_weight, allow_overlap
        self.labels: list[str] = []
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._ids: dict[str, int] = {}

    @property
    def score_key(self) -> str:
        return f"spans_{self.spans_key}_f"

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self._hashes = np.array([self.vocab.strings.add(label) for label in self.labels], dtype=np.uint64)
        self._ids = {label: i for i, label in enumerate(self.labels)}
        self.model.resize(len(self.labels) + self.exclusive, 0.0 if self.exclusive else PRIOR_BIAS)

    def add_label(self, label: str) -> int:
        """Add `label` (before initialize: initialize adds those of the data after it); 0 if already known. The
        output grows by its row; the known labels keep their trained weights (the negative class comes first)."""
        return add_label(self, label)

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[str] | None = None,
                   **_: Any) -> None:
        """The labels added so far, then those of the reference docs' `spans[spans_key]` (or `labels`)."""
        found = initial_labels(self.name, get_examples, labels, self._gold_labels,
                               f"spans in doc.spans[{self.spans_key!r}]")
        self.set_labels(self.labels + [label for label in found if label not in self.labels])

    def _gold_labels(self, eg: Example) -> Iterable[str]:
        return (span.label_ for span in eg.reference.spans.get(self.spans_key, ()))

    def get_loss(self, examples: Sequence[Example], scores: SpanLogits) -> torch.Tensor:
        """Binary cross-entropy per label (spancat) or cross-entropy with a weighted negative class
        (singlelabel) over the suggested spans, scaled to a sum per token as the token heads' losses are."""
        spans, logits = scores
        logits = logits.float()
        n_tokens = sum(len(eg.predicted) for eg in examples)
        if not len(logits):
            return logits.sum()
        rows, label_ids = self._gold_rows(examples, spans)
        per_token = n_tokens / len(logits)
        if self.exclusive:
            targets = torch.full((len(logits),), NEGATIVE, dtype=torch.long, device=logits.device)
            targets[torch.from_numpy(rows).to(logits.device)] = torch.from_numpy(label_ids + 1).to(logits.device)
            weight = torch.ones(logits.shape[1], device=logits.device)
            weight[NEGATIVE] = self.negative_weight
            loss = torch.nn.functional.cross_entropy(logits, targets, weight=weight, reduction="sum")
            return loss * per_token
        targets = torch.zeros_like(logits)
        targets[torch.from_numpy(rows).to(logits.device), torch.from_numpy(label_ids).to(logits.device)] = 1.0
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="sum")
        return loss * per_token

    def _gold_rows(self, examples: Sequence[Example], spans: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(row of the suggestion, label id) for every gold span that was suggested, over the batch's flat rows."""
        lengths = [len(eg.predicted) for eg in examples]
        aligned = [self._aligned(eg) for eg in examples]
        suggested = flat_offsets(spans, lengths)
        gold = flat_offsets([np.array([g[:2] for g in doc], dtype=np.int64) for doc in aligned], lengths)
        label_ids = np.array([g[2] for doc in aligned for g in doc], dtype=np.int64)
        width = sum(lengths) + 1  # (start, end) -> one key, ordered as the pairs are
        keys, gold_keys = suggested[:, 0] * width + suggested[:, 1], gold[:, 0] * width + gold[:, 1]
        if not len(keys):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        at = np.minimum(np.searchsorted(keys[order], gold_keys), len(keys) - 1)
        found = (label_ids >= 0) & (keys[order][at] == gold_keys)
        return order[at[found]], label_ids[found]

    def _aligned(self, eg: Example) -> list[tuple[int, int, int]]:
        """Each reference span of the group as (start, end, label id) on the predicted tokens, where both edges
        align one-to-one; label id -1 for a label the component does not know."""
        y2x = eg.alignment.y2x
        out = []
        for span in eg.reference.spans.get(self.spans_key, ()):
            if span.end > span.start and y2x[span.start] >= 0 and y2x[span.end - 1] >= 0:
                out.append((int(y2x[span.start]), int(y2x[span.end - 1]) + 1, self._ids.get(span.label_, -1)))
        return out

    def predict(self, docs: Sequence[Doc]) -> list[SpanPredictions]:
        """The spans each doc keeps, reduced block by block from the model's logits (never all at once)."""
        self.model.eval()
        spans = self.model.suggest(docs)
        lengths = [len(doc) for doc in docs]
        kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        with torch.no_grad():
            for first, logits in self.model.score_blocks(docs, spans):
                rows, labels, scores = self._decode(logits.float())
                kept.append((rows + first, labels, scores))
        rows = np.concatenate([k[0] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
        labels = np.concatenate([k[1] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
        scores = np.concatenate([k[2] for k in kept]) if kept else np.zeros(0, dtype=np.float32)
        bounds = np.cumsum([0] + [len(s) for s in spans])
        out = []
        for i, doc_spans in enumerate(spans):
            mine = (rows >= bounds[i]) & (rows < bounds[i + 1])
            found = SpanPredictions(np.asarray(doc_spans).reshape(-1, 2)[rows[mine] - bounds[i]], labels[mine],
                                    scores[mine])
            out.append(found if self.allow_overlap else _disjoint(found, lengths[i]))
        return out

    def _decode(self, logits: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(span row, label id, score) of each label a block's spans keep, spans in order then labels in order."""
        if self.exclusive:
            probs = logits.softmax(dim=-1)
            best, best_class = probs.max(dim=-1)
            keep = best_class != NEGATIVE
            rows = torch.nonzero(keep).flatten()
            return rows.cpu().numpy(), (best_class[rows] - 1).cpu().numpy(), best[rows].cpu().numpy()
        probs = logits.sigmoid()
        keep = probs >= self.threshold
        if self.max_positive is not None and self.max_positive < probs.shape[1]:
            top = probs.topk(self.max_positive, dim=-1).indices
            keep &= torch.zeros_like(keep).scatter_(1, top, True)
        rows, labels = torch.nonzero(keep, as_tuple=True)
        return rows.cpu().numpy(), labels.cpu().numpy(), probs[rows, labels].cpu().numpy()

    def set_annotations(self, docs: Sequence[Doc], predictions: list[SpanPredictions]) -> None:
        for doc, found in zip(docs, predictions):
            spans = [Span(doc, start, end, int(label)) for (start, end), label
                     in zip(found.offsets.tolist(), self._hashes[found.labels].tolist())]
            doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans,
                                                  attrs={"scores": found.scores.astype(float).tolist()})

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return score_spans(examples, self.spans_key)


def _disjoint(found: SpanPredictions, n_tokens: int) -> SpanPredictions:
    """The spans of `found` that overlap no likelier one, the likeliest first; kept in their order."""
    taken = np.zeros(n_tokens, dtype=bool)
    keep = []
    for k in np.argsort(-found.scores, kind="stable").tolist():
        start, end = found.offsets[k]
        if not taken[start:end].any():
            taken[start:end] = True
            keep.append(k)
    keep.sort()
    return SpanPredictions(found.offsets[keep].reshape(-1, 2), found.labels[keep], found.scores[keep])


def default_model(optimize: str) -> dict[str, Any]:
    """The default model at either `optimize`: pooled span features and a maxout layer over the shared tok2vec."""
    return {"@architectures": "plait.SpanCategorizer.v1", "hidden_width": 128, "maxout_pieces": 2,
            "width_embedding": 16, "max_width": 16, "tok2vec": tok2vec_listener()}


def default_suggester(optimize: str) -> dict[str, Any]:
    """Every span of 1 to 4 tokens: 98.6% of GermEval 2014's training spans (1 to 3, spaCy's default: 97.2%)."""
    return {"@misc": "plait.ngram_range_suggester.v1", "min_size": 1, "max_size": 4}


_SCORE_WEIGHTS = {"spans_sc_p": 0.0, "spans_sc_r": 0.0, "spans_sc_f": 1.0, "spans_sc_per_type": None}
MaxPositive = Annotated[int, Field(ge=1)]


@registry.factories.register("spancat")
@declare(kind=ComponentKind.HEAD, default_model=default_model, score_weights=_SCORE_WEIGHTS,
         default_blocks={"suggester": default_suggester})
def make_spancat(*, model: SpanCategorizer, suggester: Suggester, spans_key: str = "sc", threshold: Share = 0.5,
                 max_positive: MaxPositive | None = None) -> Callable[[Any, str], SpanCat]:
    """Factory `spancat`: every label whose sigmoid reaches `threshold` (at most `max_positive`, the likeliest)."""
    return partial(_make, model, suggester, spans_key, exclusive=False, threshold=threshold, max_positive=max_positive)


@registry.factories.register("spancat_singlelabel")
@declare(kind=ComponentKind.HEAD, default_model=default_model, score_weights=_SCORE_WEIGHTS,
         default_blocks={"suggester": default_suggester})
def make_spancat_singlelabel(*, model: SpanCategorizer, suggester: Suggester, spans_key: str = "sc",
                             negative_weight: NonNegativeFloat = 1.0,
                             allow_overlap: bool = True) -> Callable[[Any, str], SpanCat]:
    """Factory `spancat_singlelabel`: one label a span from a softmax with a negative class; `negative_weight`
    scales the loss of the negative class (below 1 when negatives swamp the data), `allow_overlap = false` keeps
    only non-overlapping spans, the likeliest first."""
    return partial(_make, model, suggester, spans_key, exclusive=True, negative_weight=negative_weight,
                   allow_overlap=allow_overlap)


def _make(model: SpanCategorizer, suggester: Suggester, spans_key: str, nlp: Any, name: str,
          **settings: Any) -> SpanCat:
    if not spans_key:
        raise ConfigError(f"components.{name}.spans_key: must name a span group, not an empty string")
    return SpanCat(nlp.vocab, name, model, suggester, spans_key=spans_key, **settings)
