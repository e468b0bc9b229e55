"""TokenClassifier at inference: the flat (unpadded) scores are the padded forward's real rows."""
import torch

import plait
from plait.models.architectures import build_maxout_window_encoder, build_multi_hash_embed, build_tok2vec
from plait.models.heads import TokenClassifier


def test_flat_scores_are_the_padded_scores_of_the_real_tokens():
    torch.manual_seed(0)
    embed = build_multi_hash_embed(width=16, attrs=["NORM", "SHAPE"], rows=[100, 50], include_static_vectors=False)
    tok2vec = build_tok2vec(embed=embed, encode=build_maxout_window_encoder(width=16, depth=2, window_size=1,
                                                                            maxout_pieces=2))
    model = TokenClassifier(tok2vec=tok2vec, width=16)
    model.resize(5)
    torch.nn.init.normal_(model.output.weight)  # zero-initialised: every score would be equal
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
