"""Text classification models: a hashed bag-of-n-grams linear model, and its ensemble with a neural head.

Both map docs to (batch, n_labels) logits; the component applies softmax (exclusive classes) or sigmoid.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models import traits
from plait.models.embed import hash_ids, lexeme_hash_ids
from plait.models.heads import TextClassifier, width_of
from plait.models.settings import PositiveInt

_KEY_SPACE = 1 << 62  # n-gram keys are well-mixed integers below this, reduced to table rows at the end
_MIX = np.uint64(0x9E3779B97F4A7C15)


class HashedNgrams:
    """The table rows of every lowercased n-gram (n = 1 .. ngram_size) of a batch of docs, grouped by doc.

    A unigram's key is the hash of its LOWER string (cached per lexeme); an n-gram's key hashes the key of
    its first n-1 tokens together with the key of its last token, so all n-grams are computed in numpy.
    """

    def __init__(self, *, ngram_size: int, rows: int) -> None:
        self.ngram_size, self.rows = ngram_size, rows
        self.unigrams = lexeme_hash_ids("LOWER", _KEY_SPACE, seed=0)

    def __call__(self, docs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, offsets): doc i's features are rows[offsets[i]:offsets[i + 1]] (int64 arrays)."""
        lengths = np.fromiter((len(doc) for doc in docs), dtype=np.int64, count=len(docs))
        if not lengths.sum():
            return np.zeros(0, dtype=np.int64), np.zeros(len(docs), dtype=np.int64)
        keys = np.concatenate([self.unigrams(doc.vocab, doc.lex)[:, 0] for doc in docs]).astype(np.uint64)
        doc_of = np.repeat(np.arange(len(docs)), lengths)  # (n_tokens,)
        grams, owners = [keys], [doc_of]
        prefix = keys
        for n in range(2, self.ngram_size + 1):
            with np.errstate(over="ignore"):
                joined = (prefix[:-1] * _MIX) ^ keys[n - 1:]
            prefix = hash_ids(joined, _KEY_SPACE, seed=n)[:, 0].astype(np.uint64)  # n-grams starting at each token
            inside = doc_of[:len(prefix)] == doc_of[n - 1:]  # drop n-grams that cross a doc boundary
            grams.append(prefix[inside])
            owners.append(doc_of[:len(prefix)][inside])
        owner = np.concatenate(owners)
        order = np.argsort(owner, kind="stable")
        rows = (np.concatenate(grams)[order] % np.uint64(self.rows)).astype(np.int64)
        counts = np.bincount(owner, minlength=len(docs))
        return rows, np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


class TextCatBOW(nn.Module):
    """A linear model over hashed n-gram counts: docs -> (batch, n_labels) logits.

    One weight row per hashed n-gram, summed per doc, plus a bias (gathered rows summed by `index_add_`:
    `nn.EmbeddingBag`'s CPU backward costs about 2 ms a step whatever the batch, four times as much). Very
    fast and a strong baseline for short texts. Recommended: ngram_size 1-2, length 2**18.
    `exclusive_classes` records which output (softmax or sigmoid) the weights are trained for; the
    component checks it against its own setting.
    """

    def __init__(self, *, ngram_size: int, length: int, exclusive_classes: bool) -> None:
        super().__init__()
        self.length, self.exclusive_classes = length, exclusive_classes
        self.features = HashedNgrams(ngram_size=ngram_size, rows=length)
        self.table: nn.Embedding | None = None
        self.bias: nn.Parameter | None = None

    def resize(self, n_labels: int) -> None:
        """(Re)create the weights for `n_labels` labels, zero-initialised (uniform scores at start)."""
        device = self.table.weight.device if self.table is not None else torch.device("cpu")
        self.table = nn.Embedding(self.length, n_labels, device=device)
        nn.init.zeros_(self.table.weight)
        self.bias = nn.Parameter(torch.zeros(n_labels, device=device))

    def forward(self, docs: Sequence[Any]) -> torch.Tensor:
        if self.table is None or self.bias is None:
            raise RuntimeError("the model has no labels yet: initialize the component (or load it) before use")
        rows, offsets = self.features(docs)
        device = self.table.weight.device
        owners = np.repeat(np.arange(len(offsets)), np.diff(offsets, append=len(rows)))  # the doc of each row
        gathered = self.table(torch.from_numpy(rows).to(device))
        scores = gathered.new_zeros(len(offsets), gathered.shape[1])
        return scores.index_add_(0, torch.from_numpy(owners).to(device), gathered) + self.bias  # (batch, n_labels)


class TextCatEnsemble(nn.Module):
    """Sum of the logits of a neural text classifier and a linear model: docs -> (batch, n_labels).

    The linear model picks up strong lexical cues from the first steps; the neural head learns what
    needs context. Both are zero-initialised, so the sum starts uniform.
    """

    def __init__(self, *, neural: nn.Module, linear: nn.Module) -> None:
        super().__init__()
        self.neural, self.linear = neural, linear

    @property
    def exclusive_classes(self) -> bool | None:
        return traits.exclusive_classes(self.linear)

    def resize(self, n_labels: int) -> None:
        """Size both models' outputs for `n_labels` labels."""
        self.neural.resize(n_labels)
        self.linear.resize(n_labels)

    def forward(self, docs: Sequence[Any]) -> torch.Tensor:
        return self.neural(docs) + self.linear(docs)  # (batch, n_labels)


def build_textcat_bow(*, ngram_size: PositiveInt, length: PositiveInt, exclusive_classes: bool) -> TextCatBOW:
    """`plait.TextCatBOW.v1`: a linear model over hashed lowercased n-grams (n up to `ngram_size`), no tok2vec.

    `length` is the number of hash rows (2**18 suits most corpora); `exclusive_classes` must match the
    component: true for textcat, false for textcat_multilabel.
    """
    return TextCatBOW(ngram_size=ngram_size, length=length, exclusive_classes=exclusive_classes)


def build_textcat_ensemble(*, tok2vec: nn.Module, linear_model: nn.Module) -> TextCatEnsemble:
    """`plait.TextCatEnsemble.v1`: pooled tok2vec scores (as TextClassifier.v1) plus a linear model's scores."""
    width_of(tok2vec)
    return TextCatEnsemble(neural=TextClassifier(tok2vec=tok2vec), linear=linear_model)
