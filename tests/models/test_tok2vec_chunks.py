"""Chunked tok2vec inference: a long doc encoded in overlapping pieces gets the vectors of the whole-doc pass."""
from pathlib import Path

import pytest
import torch

import plait
from plait.models.architectures import (
    build_bilstm_encoder,
    build_character_embed,
    build_maxout_window_encoder,
    build_multi_hash_embed,
    build_tok2vec,
)

TEXT = (Path(__file__).resolve().parents[1] / "fixtures" / "wikitext-2-sample.txt").read_text(encoding="utf8")


def encoders():
    torch.manual_seed(0)
    hash_embed = build_multi_hash_embed(width=32, attrs=["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                                        rows=[500, 100, 250, 250], include_static_vectors=False)
    yield build_tok2vec(embed=hash_embed, encode=build_maxout_window_encoder(width=32, depth=4, window_size=1,
                                                                             maxout_pieces=3))
    char_embed = build_character_embed(width=32, rows=500, n_chars=4, char_width=8)
    yield build_tok2vec(embed=char_embed, encode=build_maxout_window_encoder(width=32, depth=3, window_size=2,
                                                                             maxout_pieces=2))


@pytest.mark.parametrize("model", list(encoders()))
@pytest.mark.parametrize("chunk", [7, 50, 120])
def test_chunks_give_the_whole_doc_vectors(model, chunk):
    nlp = plait.blank("en")
    docs = [nlp(TEXT), nlp(""), nlp("A short one ."), nlp(TEXT[:500])]
    model.eval()
    with torch.no_grad():
        model.chunk = 10 ** 9
        whole = model(docs).flat
        model.chunk = chunk
        pieces = model(docs)
    assert pieces.lengths == [len(d) for d in docs] and len(docs[0]) > 3 * chunk
    torch.testing.assert_close(pieces.flat, whole, rtol=1e-5, atol=1e-5)


def test_training_and_unbounded_encoders_see_the_whole_batch():
    nlp = plait.blank("en")
    embed = build_multi_hash_embed(width=16, attrs=["NORM"], rows=[100], include_static_vectors=False)
    model = build_tok2vec(embed=embed, encode=build_bilstm_encoder(width=16, depth=1))
    assert model.receptive_field is None  # a BiLSTM sees the whole doc: no chunking
    model.chunk = 5
    model.eval()
    with torch.no_grad():
        assert model([nlp(TEXT)]).flat.shape[0] == len(nlp(TEXT))


def test_all_empty_docs_at_inference():
    nlp = plait.blank("en")
    model = next(encoders())
    model.eval()
    with torch.no_grad():
        out = model([nlp(""), nlp("")])
    assert out.flat.shape == (0, 32) and out.lengths == [0, 0]
