"""Every built-in component declares what it is through the contract's protocols, and nothing more."""
import pytest

import plait
from plait.core.components.contract import (BatchComponent, Encoder, FromPretrained, Labelled, Predictor, Stateful,
                                            Trainable, get_state, model_of, run_batch)
from plait.core.component_defaults import standalone_model
from plait.models.listener import OutputKind

HEADS = ["tagger", "morphologizer", "senter", "ner", "textcat", "textcat_multilabel", "parser", "trainable_lemmatizer"]
RULES = ["attribute_ruler", "entity_ruler", "span_ruler", "sentencizer", "token_splitter"]


def built(factory: str):
    nlp = plait.blank("en")
    config = {} if standalone_model(factory) is None else {"model": standalone_model(factory)}
    return nlp, nlp.add_pipe(factory, config=config)


@pytest.mark.parametrize("factory", HEADS)
def test_a_head_is_trainable_and_batched_by_the_pipeline(factory):
    _, head = built(factory)
    assert isinstance(head, Trainable) and isinstance(head, Predictor)
    assert not isinstance(head, (Encoder, BatchComponent)) and not callable(head)
    assert isinstance(head, Stateful) == (factory == "parser")  # the parser also saves its root label
    assert factory == "senter" or isinstance(head, Labelled)


def test_tok2vec_is_an_encoder_of_token_vectors():
    nlp = plait.blank("en")
    tok2vec = nlp.add_pipe("tok2vec", config={"model": standalone_model("tagger")["tok2vec"]})
    assert isinstance(tok2vec, Encoder) and tok2vec.output_kind is OutputKind.TOKENS
    assert not isinstance(tok2vec, (Trainable, Predictor)) and not callable(tok2vec)
    assert get_state(tok2vec) == {}


def test_transformer_is_an_encoder_of_wordpieces(tiny_bert):
    nlp = plait.blank("en")
    transformer = nlp.add_pipe("transformer", config={"model": {
        "@architectures": "plait.TransformerModel.v1", "name": str(tiny_bert),
        "get_spans": {"@span_getters": "plait.doc_spans.v1"}}})
    assert isinstance(transformer, Encoder) and transformer.output_kind is OutputKind.WORDPIECES
    assert not isinstance(transformer, (Trainable, Predictor))
    # its state is where its pretrained weights came from, known once they are found
    assert isinstance(transformer, Stateful) and isinstance(transformer, FromPretrained)
    assert get_state(transformer) == {"pretrained": None}
    transformer.check_settings()
    assert get_state(transformer) == {"pretrained": {"name": str(tiny_bert.resolve())}}


@pytest.mark.parametrize("factory", RULES)
def test_a_rule_based_component_is_a_callable_without_a_model(factory):
    nlp, component = built(factory)
    assert callable(component) and model_of(component) is None and not isinstance(component, Trainable)
    docs = run_batch(component, [nlp.make_doc("A short text. And another one.")])
    assert len(docs) == 1 and docs[0].text == "A short text. And another one."
