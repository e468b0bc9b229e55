"""Shared encoders: one forward per batch, gradients from every head, frozen encoders, clear failures."""
import gc

import pytest
import torch
from confection import Config

import plait
from plait.core.data.example import Example
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.pipeline import Language
from plait.core.listeners import clear_listeners
from plait.core.training.objective import PipelineObjective
from plait.models.listener import ListenerError
from bite import assert_same_weights, randomise_weights, record_outputs

WIDTH = 24
TOK2VEC = {
    "@architectures": "plait.Tok2Vec.v1",
    "embed": {"@architectures": "plait.MultiHashEmbed.v1", "width": WIDTH, "attrs": ["NORM", "SHAPE"],
              "rows": [300, 50], "include_static_vectors": False},
    "encode": {"@architectures": "plait.MaxoutWindowEncoder.v1", "width": WIDTH, "depth": 2, "window_size": 1,
               "maxout_pieces": 2},
}
LISTENER = {"@architectures": "plait.Tok2VecListener.v1", "width": WIDTH, "upstream": "tok2vec"}


def shared_nlp() -> Language:
    nlp = plait.blank("en")
    nlp.add_pipe("tok2vec", config={"model": TOK2VEC})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "plait.Tagger.v1", "tok2vec": LISTENER}})
    nlp.add_pipe("ner", config={"model": {"@architectures": "plait.EntityTagger.v1", "hidden_width": 16,
                                          "tok2vec": LISTENER}})
    examples = training_examples(nlp)
    for name in ("tagger", "ner"):
        nlp.get_pipe(name).initialize(lambda: iter(examples))
    return nlp


def training_examples(nlp: Language) -> list[Example]:
    words = ["Anna", "visited", "Paris", "in", "May", "."]
    ref = Doc(nlp.vocab, words, tags=["NNP", "VBD", "NNP", "IN", "NNP", "."],
              ents=["U-PER", "O", "U-LOC", "O", "O", "O"])
    words2 = ["Bob", "likes", "Rome", "."]
    ref2 = Doc(nlp.vocab, words2, tags=["NNP", "VBZ", "NNP", "."], ents=["U-PER", "O", "U-LOC", "O"])
    return [Example(Doc(nlp.vocab, r.words, r.spaces), r) for r in (ref, ref2)]


def encoder_grad_norm(nlp: Language) -> float:
    grads = [p.grad for p in nlp.get_pipe("tok2vec").model.parameters() if p.grad is not None]
    return float(sum(g.norm() for g in grads)) if grads else 0.0


def zero_grads(nlp: Language) -> None:
    for _, c in nlp.components:
        c.model.zero_grad(set_to_none=True)


def one_step(nlp: Language) -> None:
    """One optimizer step on all heads: output layers start at zero, so the encoder's first gradient is zero."""
    params = [p for _, c in nlp.components for p in c.model.parameters()]
    optimizer = torch.optim.Adam(params, lr=0.01)
    sum(PipelineObjective(nlp).losses(training_examples(nlp)).values()).backward()
    optimizer.step()
    zero_grads(nlp)
    clear_listeners(nlp)


@pytest.mark.parametrize("head", ["tagger", "ner"])
def test_encoder_gets_gradient_from_each_head(head):
    nlp = shared_nlp()
    one_step(nlp)
    losses = PipelineObjective(nlp).losses(training_examples(nlp))
    assert set(losses) == {"tagger", "ner"}
    losses[head].backward()
    assert encoder_grad_norm(nlp) > 0
    other = "ner" if head == "tagger" else "tagger"
    assert all(p.grad is None for p in nlp.get_pipe(other).model.parameters())


def test_encoder_runs_once_per_batch():
    nlp = shared_nlp()
    calls = []
    nlp.get_pipe("tok2vec").model.register_forward_hook(lambda *args: calls.append(1))
    PipelineObjective(nlp).losses(training_examples(nlp))
    assert len(calls) == 1


def test_frozen_encoder_feeds_listeners_without_gradient():
    nlp = shared_nlp()
    one_step(nlp)
    losses = PipelineObjective(nlp, frozen=["tok2vec"]).losses(training_examples(nlp))
    sum(losses.values()).backward()
    assert encoder_grad_norm(nlp) == 0.0
    assert any(p.grad is not None for p in nlp.get_pipe("tagger").model.parameters())


def test_listener_fed_another_batch_fails_clearly():
    nlp = shared_nlp()
    examples = training_examples(nlp)
    nlp.get_pipe("tok2vec").encode([eg.predicted for eg in examples])
    tagger = nlp.get_pipe("tagger")
    tagger.model.train()
    other = [Doc(nlp.vocab, ["something", "else"])]
    with pytest.raises(ListenerError, match="'tagger'.*different batch"):
        tagger.model(other)
    clear_listeners(nlp)


def test_listener_without_upstream_is_a_config_error():
    nlp = plait.blank("en")
    with pytest.raises(ConfigError, match="components.tagger: its listener names upstream 'tok2vec'"):
        nlp.add_pipe("tagger", config={"model": {"@architectures": "plait.Tagger.v1", "tok2vec": LISTENER}})


def test_replace_listeners_makes_a_component_standalone(tmp_path):
    nlp = shared_nlp()
    randomise_weights(nlp)  # an untrained tagger predicts one tag everywhere: that would pass unloaded too
    text = "Anna visited Rome in May ."
    before = [t.tag_ for t in nlp(text)]
    assert len(set(before)) > 1
    nlp.replace_listeners("tok2vec", "tagger")
    assert len(nlp.get_pipe("tok2vec").listeners) == 1
    with pytest.raises(ValueError, match="'ner' listens to 'tok2vec'"):
        nlp.remove_pipe("tok2vec")
    nlp.remove_pipe("ner")
    nlp.remove_pipe("tok2vec")
    assert [t.tag_ for t in nlp(text)] == before
    nlp.to_disk(tmp_path / "tagger-only")
    loaded = plait.load(tmp_path / "tagger-only")
    assert loaded.pipe_names == ["tagger"] and [t.tag_ for t in loaded(text)] == before
    assert_same_weights(nlp.get_pipe("tagger").model, loaded.get_pipe("tagger").model)


def test_independent_encoders_need_no_tok2vec_component():
    block = Config({"model": {"@architectures": "plait.Tagger.v1", "tok2vec": TOK2VEC}})
    nlp = plait.blank("en")
    tagger = nlp.add_pipe("tagger", config=dict(block))
    tagger.initialize(lambda: iter(training_examples(nlp)))
    losses = PipelineObjective(nlp).losses(training_examples(nlp))
    losses["tagger"].backward()
    assert torch.isfinite(losses["tagger"]) and any(p.grad is not None for p in tagger.model.tok2vec.parameters())


def test_no_tok2vec_output_stays_referenced_after_pipe():
    nlp = shared_nlp()
    seen = record_outputs(nlp.get_pipe("tok2vec"))
    docs = list(nlp.pipe(["Anna visited Rome .", "In May .", "Paris"], batch_size=2))
    nlp("One more")
    gc.collect()
    assert len(seen) == 3 and [ref() for ref in seen] == [None, None, None]
    assert all(doc.tensor is not None for doc in docs)


def test_replace_listeners_takes_spacys_listener_paths():
    nlp = shared_nlp()
    with pytest.raises(ValueError, match=r"no listener to 'tok2vec' at 'model.encoder'; its listeners: \['model.tok2vec'\]"):
        nlp.replace_listeners("tok2vec", "tagger", ["model.encoder"])
    nlp.replace_listeners("tok2vec", "tagger", ["model.tok2vec"])
    assert nlp.config["components"]["tagger"]["model"]["tok2vec"]["@architectures"] == "plait.Tok2Vec.v1"
    assert [listener.owner for listener in nlp.get_pipe("tok2vec").listeners] == ["ner"]
