"""Every registered architecture builds from its defaults (only the settings without one given) and its output has
the shape its docstring promises, on a batch of two docs."""
import numpy as np
import pytest
import torch

import plait
from plait.core.config import resolve_block
from plait.core.registry import ensure_registered, registry
from plait.core.vectors.table import Vectors
from plait.models.batch import TokenBatch
from plait.models.listener import Listener

W = 8
EMBED = {"@architectures": "plait.MultiHashEmbed.v1", "width": W, "attrs": ["NORM", "SHAPE"], "rows": [50, 20]}
ENCODE = {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": W, "depth": 1, "window_size": 1,
          "maxout_pieces": 2}
TOK2VEC = {"@architectures": "plait.Tok2Vec.v1", "embed": EMBED, "encode": ENCODE}
TEXTS = ["Ada met Bob in Paris .", "It rained"]
N_TOKENS, LENGTHS = 8, [6, 2]
N_LABELS = 3


@pytest.fixture(scope="module")
def docs():
    torch.set_num_threads(1)
    nlp = plait.blank("en")
    nlp.vocab.vectors = Vectors(np.eye(4, dtype=np.float32), ["ada", "bob", "paris", "it"], name="toy")
    return [nlp.make_doc(text) for text in TEXTS]


def build(block: dict):
    model = resolve_block(block, "test")
    return model


def token_rows(out) -> tuple[int, ...]:
    return tuple(out.flat.shape) if isinstance(out, TokenBatch) else tuple(out.shape)


def embedded(docs) -> TokenBatch:
    return build(EMBED)(docs)


def tok2vec_shape(block, docs):
    return token_rows(build(block)(docs))


def encoder_shape(block, docs):
    return token_rows(build(block)(embedded(docs)))


def head_shape(block, docs):
    model = build(block)
    model.resize(N_LABELS)
    return tuple(model(docs).shape)


def static_vectors_shape(block, docs):
    model = build(block)
    for module in model.modules():
        if hasattr(module, "fingerprint"):
            module.initialize(docs[0].vocab.vectors)
    return token_rows(model(docs))


def parser_shape(block, docs):
    model = build(block)
    model.resize(N_LABELS)
    feats = model(docs)
    return tuple(feats.sent_starts.shape) + (len(feats.lengths),)


def listener_shape(block, docs):
    listener: Listener = build(block)
    listener.receive(docs, embedded(docs))
    return token_rows(listener(docs))


def span_shape(block, docs):
    from plait.core.suggesters import ngrams

    model = build(block)
    model.resize(N_LABELS)
    return tuple(model(docs, [ngrams(len(doc), [1, 2]) for doc in docs]).logits.shape)


def objective_shape(block, docs):
    objective = build(block)(W, docs[0].vocab)
    return tuple(objective.get_loss(docs, embedded(docs)).shape)


def pooling_shape(block, docs):
    rows = torch.randn(5, W)
    token, row = torch.tensor([0, 0, 1, 2, 2]), torch.tensor([0, 1, 2, 3, 4])
    return tuple(build(block)(rows, token, row, 3).shape)


CASES = {
    "plait.Tok2Vec.v1": (TOK2VEC, tok2vec_shape, (N_TOKENS, W)),
    "plait.MultiHashEmbed.v1": (EMBED, tok2vec_shape, (N_TOKENS, W)),
    "plait.CharacterEmbed.v1": ({"@architectures": "plait.CharacterEmbed.v1", "width": W, "rows": 50, "n_chars": 3,
                                 "char_width": 4}, tok2vec_shape, (N_TOKENS, W)),
    "plait.StaticVectors.v1": ({"@architectures": "plait.StaticVectors.v1", "width": W}, static_vectors_shape,
                               (N_TOKENS, W)),
    "plait.MaxoutWindowEncoder.v1": (ENCODE, encoder_shape, (N_TOKENS, W)),
    "plait.MishWindowEncoder.v1": ({"@architectures": "plait.MishWindowEncoder.v1", "width": W, "depth": 1,
                                    "window_size": 1}, encoder_shape, (N_TOKENS, W)),
    "plait.BiLSTMEncoder.v1": ({"@architectures": "plait.BiLSTMEncoder.v1", "width": W, "depth": 1}, encoder_shape,
                               (N_TOKENS, W)),
    "plait.Tok2VecListener.v1": ({"@architectures": "plait.Tok2VecListener.v1", "width": W}, listener_shape,
                                 (N_TOKENS, W)),
    "plait.Tagger.v1": ({"@architectures": "plait.Tagger.v1", "tok2vec": TOK2VEC}, head_shape,
                        (2, max(LENGTHS), N_LABELS)),
    "plait.EntityTagger.v1": ({"@architectures": "plait.EntityTagger.v1", "tok2vec": TOK2VEC}, head_shape,
                              (2, max(LENGTHS), N_LABELS)),
    "plait.BiaffineParser.v1": ({"@architectures": "plait.BiaffineParser.v1", "tok2vec": TOK2VEC}, parser_shape,
                                (N_TOKENS, 2, 2)),
    "plait.BiaffineParser.v2": ({"@architectures": "plait.BiaffineParser.v2", "tok2vec": TOK2VEC}, parser_shape,
                                (N_TOKENS, 2, 2)),
    "plait.BiaffineParser.v3": ({"@architectures": "plait.BiaffineParser.v3", "tok2vec": TOK2VEC}, parser_shape,
                                (N_TOKENS, 2, 2)),
    "plait.SpanCategorizer.v1": ({"@architectures": "plait.SpanCategorizer.v1", "tok2vec": TOK2VEC}, span_shape,
                                 (6 + 5 + 2 + 1, N_LABELS)),  # spans of one and two tokens of docs of 6 and 2
    "plait.TextClassifier.v1": ({"@architectures": "plait.TextClassifier.v1", "tok2vec": TOK2VEC}, head_shape,
                                (2, N_LABELS)),
    "plait.TextCatBOW.v1": ({"@architectures": "plait.TextCatBOW.v1", "ngram_size": 2, "length": 64,
                             "exclusive_classes": True}, head_shape, (2, N_LABELS)),
    "plait.TextCatEnsemble.v1": ({"@architectures": "plait.TextCatEnsemble.v1", "tok2vec": TOK2VEC,
                                  "linear_model": {"@architectures": "plait.TextCatBOW.v1", "ngram_size": 1,
                                                   "length": 64, "exclusive_classes": True}}, head_shape,
                                 (2, N_LABELS)),
    "plait.PretrainCharacters.v1": ({"@architectures": "plait.PretrainCharacters.v1", "hidden_size": 16},
                                    objective_shape, ()),
    "plait.PretrainVectors.v1": ({"@architectures": "plait.PretrainVectors.v1", "hidden_size": 16},
                                 objective_shape, ()),
}
# Built with a real (tiny, random) BERT: tests/tiny_transformers.py.
TRANSFORMER_CASES = ["plait.TransformerModel.v1", "plait.TransformerModel.v2", "plait.TransformerListener.v1",
                     "plait.LoraAdapter.v1"]
POOLING = ["plait.reduce_mean.v1", "plait.reduce_max.v1", "plait.reduce_sum.v1", "plait.reduce_first.v1",
           "plait.reduce_last.v1"]


def test_every_registered_architecture_has_a_case():
    ensure_registered()
    builtin = {name for name in registry.architectures.get_all() if name.startswith("plait.")}  # not --code ones
    assert builtin == set(CASES) | set(TRANSFORMER_CASES)
    assert {name for name in registry.layers.get_all() if name.startswith("plait.")} == set(POOLING)


@pytest.mark.parametrize("name", sorted(CASES))
def test_architecture_builds_from_defaults_with_its_output_shape(name, docs):
    block, shape_of, expected = CASES[name]
    assert block["@architectures"] == name
    assert shape_of(block, docs) == expected


@pytest.mark.parametrize("name", POOLING)
def test_pooling_layer_gives_one_row_per_token(name, docs):
    assert pooling_shape({"@layers": name}, docs) == (3, W)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_transformer_model_and_listener_build_from_defaults(tiny_bert, docs, version):
    model = build({"@architectures": f"plait.TransformerModel.{version}", "name": str(tiny_bert),
                   "get_spans": {"@span_getters": "plait.doc_spans.v1"}})
    hidden = model.width  # read from config.json before any weights are loaded
    assert not model.is_loaded
    model.load_pretrained()
    output = model(docs)
    assert output.last_hidden_state.shape[1] == hidden and output.n_tokens == N_TOKENS
    listener = build({"@architectures": "plait.TransformerListener.v1", "pooling": {"@layers": "plait.reduce_mean.v1"}})
    listener.link("transformer", "tagger", lambda: model.width)
    listener.receive(docs, output)
    listener.train()
    assert listener.width == hidden and token_rows(listener(docs)) == (N_TOKENS, hidden)
    assert model.revision == "main" and model.origin == {"name": str(tiny_bert.resolve())}


def test_lora_adapter_builds_from_defaults_and_trains_only_its_matrices(tiny_bert, docs):
    model = build({"@architectures": "plait.TransformerModel.v1", "name": str(tiny_bert),
                   "get_spans": {"@span_getters": "plait.doc_spans.v1"},
                   "adapter": {"@architectures": "plait.LoraAdapter.v1"}})
    model.check_adapter()  # the defaults fit a BERT
    model.load_pretrained()
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(".lora_" in name for name in trainable)
    plain = build({"@architectures": "plait.TransformerModel.v1", "name": str(tiny_bert),
                   "get_spans": {"@span_getters": "plait.doc_spans.v1"}})
    plain.load_pretrained()
    model.eval(), plain.eval()
    # LoRA's second matrix starts at zero: before training the adapted model computes what the pretrained one does
    with torch.no_grad():
        assert torch.allclose(model(docs).last_hidden_state, plain(docs).last_hidden_state, atol=1e-6)
    with pytest.raises(plait.ConfigError, match=r"test\.adapter: rank must be at least 1"):
        build({"@architectures": "plait.TransformerModel.v1", "name": str(tiny_bert),
               "get_spans": {"@span_getters": "plait.doc_spans.v1"},
               "adapter": {"@architectures": "plait.LoraAdapter.v1", "rank": 0}})


def test_maxout_keeps_the_best_of_each_units_own_candidates_forward_and_backward():
    # a weights file holds unit 0's candidates, then unit 1's, ...: the layer holds them piece by piece, and must
    # pick each unit's max among its own rows (a mix-up of rows gives other values and other gradients)
    from plait.models.layers import PiecewiseLinear, maxout

    for pieces in (2, 3):
        torch.manual_seed(0)
        plain = torch.nn.Linear(7, 5 * pieces).double()
        torch.manual_seed(0)
        layer = PiecewiseLinear(7, 5, pieces).double()
        assert all(torch.equal(a, b) for a, b in zip(plain.state_dict().values(), layer.state_dict().values()))
        torch.nn.init.normal_(plain.weight)  # other weights, loaded through the file's order
        layer.load_state_dict(plain.state_dict())
        assert all(torch.equal(a, b) for a, b in zip(plain.state_dict().values(), layer.state_dict().values()))
        x = torch.randn(4, 3, 7, dtype=torch.float64, requires_grad=True)
        reference = plain(x).unflatten(-1, (5, pieces)).amax(dim=-1)
        got = maxout(layer, x)
        assert got.shape == (4, 3, 5) and torch.allclose(got, reference, rtol=0, atol=1e-12)
        weights = torch.randn(4, 3, 5, dtype=torch.float64)
        want = torch.autograd.grad((reference * weights).sum(), [x, plain.weight, plain.bias])
        have = torch.autograd.grad((got * weights).sum(), [x, layer.weight, layer.bias])
        have = (have[0], *(g.unflatten(0, (pieces, 5)).transpose(0, 1).flatten(0, 1) for g in have[1:]))
        assert all(torch.allclose(a, b) for a, b in zip(want, have))
