"""StaticVectors on its own: row lookup with lowercase fallback, zeros for unknown words, a growing vocab."""
import numpy as np
import pytest
import torch

import plait
from plait.core.doc import Doc
from plait.core.vectors.table import Vectors
from plait.models.features import LexemeCache, remap_ids, token_attr
from plait.models.static_vectors import StaticVectors

DATA = np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32)


def identity_model(table: Vectors) -> StaticVectors:
    model = StaticVectors(3)
    model.initialize(table)
    with torch.no_grad():
        model.projection.weight.copy_(torch.eye(3))
    return model


def test_rows_lowercase_fallback_zeros_and_growth():
    nlp = plait.blank("en")
    nlp.vocab.vectors = Vectors(DATA.copy(), ["cat", "dog", "Paris"], name="toy")
    model = identity_model(nlp.vocab.vectors)
    out = model([Doc(nlp.vocab, ["Cat", "dog", "Paris", "paris"])])
    assert out.shape == (4, 3)
    assert np.allclose(out.detach().numpy(), [[1, 0, 0], [0, 2, 0], [0, 0, 3], [0, 0, 0]])
    out = model([Doc(nlp.vocab, ["zebra", "cat"]), Doc(nlp.vocab, ["DOG"])])  # new lexemes extend the cache
    assert np.allclose(out.detach().numpy(), [[0, 0, 0], [1, 0, 0], [0, 2, 0]])
    assert model([]).shape == (0, 3)


def test_no_table_or_uninitialized_is_a_clear_error():
    nlp = plait.blank("en")
    with pytest.raises(ValueError, match="no static vectors table"):
        StaticVectors(4)([Doc(nlp.vocab, ["a"])])
    with pytest.raises(ValueError, match="no static vectors table"):
        StaticVectors(4).initialize(None)
    nlp.vocab.vectors = Vectors(DATA.copy(), ["a", "b", "c"])
    with pytest.raises(ValueError, match="not initialized"):
        StaticVectors(4)([Doc(nlp.vocab, ["a"])])


def test_feature_helpers():
    nlp = plait.blank("en")
    docs = [Doc(nlp.vocab, ["a", "b"]), Doc(nlp.vocab, ["a"])]
    orth = token_attr(docs, "ORTH")
    assert orth.tolist() == [nlp.vocab.strings.add(w) for w in ("a", "b", "a")]
    assert remap_ids(orth, {int(orth[1]): 7}, default=0).tolist() == [0, 7, 0]
    cache = LexemeCache(lambda vocab, lex: np.array([len(vocab.words[i]) for i in lex], dtype=np.int64))
    assert cache.gather(docs).tolist() == [1, 1, 1]
    assert cache.gather([Doc(nlp.vocab, ["abc"])]).tolist() == [3]
