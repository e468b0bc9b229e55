"""parser: labelled dependency trees (HEAD and DEP columns), and sentence boundaries where none are set.

The model (plait.models.parser) scores every possible arc of a sentence and decodes the best well-formed tree per
sentence: one root, no cycles, non-projective arcs allowed. This component turns docs into what the model reads
(gold sentences and arcs, the sentences to parse) and its parse back into columns. Sentences are the doc's own
(gold, or set by a senter earlier in the pipeline) when it has any; otherwise the parser's sentence-start scores
split the doc first and it writes those boundaries too, as spaCy's parser does. Trained on gold sentences.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch

from plait.core.components.declaration import ComponentKind, declare, tok2vec_listener
from plait.core.components.token_heads import label_hashes
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.scorer import score_deps, score_sents
from plait.core.registries import registry
from plait.models.parser import MISSING, BiaffineParser, ParseGold, TokenVectors

if TYPE_CHECKING:
    from plait.core.data.example import Example

_SENT_IDS = {-1: 0, 1: 1}  # SENT_START code -> sentence-start class
# Longest sentence parsed as one tree at prediction: arc scores grow with the square of the length and exact
# decoding with its cube, so a longer stretch (a doc without boundaries) is cut where a sentence start scores best.
MAX_SENTENCE = 256


def segments(sent_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths) of the sentences of a doc from its SENT_START codes (its first token always starts one)."""
    n = len(sent_starts)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flags = sent_starts == 1
    flags[0] = True
    starts = np.flatnonzero(flags)
    return starts, np.diff(np.append(starts, n))


def capped_starts(starts: np.ndarray, start_margin: np.ndarray, cap: int) -> np.ndarray:
    """Sentence starts with every sentence longer than `cap` cut, each cut at the best-scoring start among the
    positions that leave both parts between cap / 2 and cap tokens long (the rest is cut again if need be)."""
    n = len(start_margin)
    out: list[int] = []
    for a, b in zip(starts.tolist(), starts.tolist()[1:] + [n]):
        while b - a > cap:
            lo = a + cap // 2
            a_next = lo + int(np.argmax(start_margin[lo:a + cap + 1]))
            out.append(a)
            a = a_next
        out.append(a)
    return np.array(out, dtype=np.int64)


class DependencyParser:
    """Predicts each token's head and dependency label; the label set is collected from the training data."""

    score_key = "dep_las"

    def __init__(self, vocab: Any, name: str, model: BiaffineParser) -> None:
        self.vocab, self.name, self.model = vocab, name, model
        self.labels: list[str] = []
        self.root_label = ""
        self._ids: dict[str, int] = {}
        self._hashes = np.zeros(0, dtype=np.uint64)

    def set_labels(self, labels: Sequence[str], root_label: str) -> None:
        if root_label not in labels:
            raise ConfigError(f"components.{self.name}: root label {root_label!r} is not among the labels")
        self.labels, self.root_label = list(labels), root_label
        self._ids = {label: i for i, label in enumerate(self.labels)}
        self._hashes = label_hashes(self.vocab, self.labels)
        self.model.resize(len(self.labels))

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[str] | None = None,
                   **_: Any) -> None:
        """Collect the DEP labels of the reference docs and the label their roots carry (or take `labels`)."""
        seen: Counter[str] = Counter()
        roots: Counter[str] = Counter()
        for eg in get_examples():
            ref = eg.reference
            if not ref.has_annotation("HEAD"):
                continue
            deps = ref.strings_of("DEP")
            seen.update(deps)
            heads = ref.columns["HEAD"]
            roots.update(deps[i] for i in np.flatnonzero(heads == np.arange(len(ref))))
        seen.pop("", None)
        roots.pop("", None)
        if not roots:
            raise ConfigError(f"components.{self.name}: the training data has no dependency annotation")
        self.set_labels(sorted(labels if labels is not None else seen), roots.most_common(1)[0][0])

    def get_loss(self, examples: Sequence[Example], tokens: TokenVectors) -> torch.Tensor:
        """Summed cross-entropy of the gold head of each token (within its gold sentence), of its gold label given
        the gold head, and of the gold sentence starts."""
        return self.model.loss(tokens, self._gold(examples))

    def _gold(self, examples: Sequence[Example]) -> ParseGold:
        """The gold sentences, heads and labelled arcs of a batch, aligned to its predicted tokens."""
        seg_starts, seg_lengths, arc_targets, deps, heads, label_ids, sent_targets = [], [], [], [], [], [], []
        offset = 0
        for eg in examples:
            gold_heads = eg.get_aligned_heads()
            gold_deps = eg.get_aligned("DEP")
            codes = [c or 0 for c in eg.get_aligned_sent_starts()]
            sent_targets.extend(_SENT_IDS.get(c, MISSING) for c in codes)
            for start, length in zip(*segments(np.array(codes, dtype=np.int8))):
                start, end = int(start), int(start + length)
                seg_starts.append(offset + start)
                seg_lengths.append(end - start)
                for i in range(start, end):
                    head, dep = gold_heads[i], gold_deps[i]
                    inside = head is not None and start <= head < end
                    arc_targets.append(head - start if inside else MISSING)
                    if inside and dep in self._ids:
                        deps.append(offset + i)
                        heads.append(offset + head)
                        label_ids.append(self._ids[dep])
            offset += len(eg.predicted)
        ids = lambda values: np.array(values, dtype=np.int64)  # noqa: E731
        return ParseGold(ids(sent_targets), ids(seg_starts), ids(seg_lengths), _padded_heads(arc_targets, seg_lengths),
                         ids(deps), ids(heads), ids(label_ids))

    def predict(self, docs: Sequence[Doc]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """(heads, label ids, sentence codes or None when the doc's own were kept) per doc."""
        self.model.eval()
        with torch.no_grad():
            tokens = self.model(docs)
            margin = (tokens.sent_starts[:, 1] - tokens.sent_starts[:, 0]).float().cpu().numpy()
            offsets = np.cumsum([0] + [len(d) for d in docs])
            codes_per_doc, seg_starts, seg_lengths = [], [], []
            for k, doc in enumerate(docs):
                own = doc.has_annotation("SENT_START")
                doc_margin = margin[offsets[k]:offsets[k + 1]]
                codes = doc.columns["SENT_START"].copy() if own else np.where(doc_margin > 0, 1, -1).astype(np.int8)
                given = segments(codes)[0]
                starts = capped_starts(given, doc_margin, MAX_SENTENCE)
                changed = not own or len(starts) != len(given)
                codes[starts] = 1
                codes_per_doc.append(codes if changed else None)
                seg_starts.append(starts + offsets[k])
                seg_lengths.append(np.diff(np.append(starts, len(doc))))
            parse = self.model.parse(tokens, np.concatenate(seg_starts), np.concatenate(seg_lengths),
                                     root=self._ids[self.root_label])
        return [(parse.heads[a:b] - a, parse.labels[a:b], codes)
                for a, b, codes in zip(offsets[:-1], offsets[1:], codes_per_doc)]

    def set_annotations(self, docs: Sequence[Doc], predictions: list[tuple[np.ndarray, np.ndarray, Any]]) -> None:
        for doc, (heads, label_ids, codes) in zip(docs, predictions):
            doc.columns["HEAD"][:] = heads
            doc.columns["DEP"][:] = self._hashes[label_ids]
            if codes is not None:
                doc.columns["SENT_START"][:] = codes

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return {**score_deps(examples), **score_sents(examples)}

    def get_state(self) -> dict[str, Any]:
        return {"labels": self.labels, "root_label": self.root_label}

    def set_state(self, state: dict[str, Any]) -> None:
        self.set_labels(state["labels"], state["root_label"])


def _padded_heads(targets: list[int], lengths: list[int]) -> np.ndarray:
    """(S, longest) head targets of each segment, MISSING on padding."""
    width = max(lengths, default=0)
    out = np.full((len(lengths), width), MISSING, dtype=np.int64)
    mask = np.arange(width)[None, :] < np.array(lengths, dtype=np.int64)[:, None]
    out[mask] = targets
    return out


def default_model(optimize: str) -> dict[str, Any]:
    """The default model at either `optimize`: the biaffine parser over the shared tok2vec."""
    return {"@architectures": "plait.BiaffineParser.v3", "tok2vec": tok2vec_listener()}


@registry.factories.register("parser")
@declare(kind=ComponentKind.HEAD, default_model=default_model,
         score_weights={"dep_uas": 0.5, "dep_las": 0.5, "dep_las_per_type": None, "sents_p": None, "sents_r": None,
                        "sents_f": None})
def make_parser(*, model: BiaffineParser) -> Callable[[Any, str], DependencyParser]:
    """Factory `parser`: heads and labels into HEAD and DEP; sentence boundaries where the doc has none."""
    return lambda nlp, name: DependencyParser(nlp.vocab, name, model)
