"""TokenClassifier at inference: the flat (unpadded) scores are the padded forward's real rows."""
import pytest
import torch

import plait
from plait.models.architectures import build_maxout_window_encoder, build_multi_hash_embed, build_tok2vec
from plait.models import heads
from plait.models.heads import TokenClassifier


def small_model() -> TokenClassifier:
    torch.manual_seed(0)
    embed = build_multi_hash_embed(width=16, attrs=["NORM", "SHAPE"], rows=[100, 50], include_static_vectors=False)
    tok2vec = build_tok2vec(embed=embed, encode=build_maxout_window_encoder(width=16, depth=2, window_size=1,
                                                                            maxout_pieces=2))
    model = TokenClassifier(tok2vec=tok2vec, width=16)
    model.resize(5)
    torch.nn.init.normal_(model.output.weight)  # zero-initialised: every score would be equal
    return model


def test_flat_scores_are_the_padded_scores_of_the_real_tokens():
    model = small_model()
    nlp = plait.blank("en")
    docs = [nlp("A longer doc of several words ."), nlp(""), nlp("Two words")]
    model.eval()
    with torch.no_grad():
        padded, flat = model(docs), model.flat_scores(docs)
    lengths = [len(doc) for doc in docs]
    assert flat.shape == (sum(lengths), 5)
    expected = torch.cat([padded[d, :n] for d, n in enumerate(lengths)])
    torch.testing.assert_close(flat, expected)
    assert flat.std() > 0


@pytest.mark.parametrize("chunk", [3, 4096])
def test_best_labels_are_the_argmax_of_each_real_token(monkeypatch, chunk):
    """Taken over the unpadded rows, block by block: the labels argmax picks from the padded scores."""
    monkeypatch.setattr(heads, "INFERENCE_CHUNK", chunk)
    model = small_model()
    nlp = plait.blank("en")
    docs = [nlp("A longer doc of several words ."), nlp(""), nlp("Two words"), nlp("")]
    model.eval()
    with torch.no_grad():
        padded, best = model(docs), model.best_labels(docs)
    assert [len(ids) for ids in best] == [len(doc) for doc in docs]
    for d, (doc, ids) in enumerate(zip(docs, best)):
        assert ids.tolist() == padded[d, :len(doc)].argmax(dim=-1).tolist()
    assert len(set(best[0].tolist())) > 1
    assert model.best_labels([]) == []
